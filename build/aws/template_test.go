package aws_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	loaaws "loa/build/aws"
	"loa/build/internal/lambdadev"
	"loa/build/internal/tooltest"
	"loa/build/province"
	"loa/functions/routes"
	"loa/functions/service"
	"loa/functions/store"
)

// The template is read with plain YAML, turning CloudFormation's short tags
// (!Ref, !GetAtt, !Sub, !If…) into their long forms ({"Ref": …},
// {"Fn::GetAtt": […]}), so that every value keeps what it says. The tests
// check what the template must say; cfn-lint (TestCfnLint) checks that what
// it says is valid CloudFormation.

type obj = map[string]any

// stacks are the templates: a ward's and a province's. The tests of what
// both must say run on each (eachStack); province_test.go has the
// province's own.
var stacks = []struct {
	name string
	src  []byte
}{{"template.yaml", loaaws.Template}, {"province.yaml", loaaws.ProvinceTemplate}}

// eachStack runs fn on each template, as a subtest named by its file.
func eachStack(t *testing.T, fn func(t *testing.T, name string, tmpl obj)) {
	for _, s := range stacks {
		t.Run(s.name, func(t *testing.T) { fn(t, s.name, parseFile(t, s.name, s.src)) })
	}
}

func parse(t *testing.T) obj {
	t.Helper()
	return parseFile(t, "template.yaml", loaaws.Template)
}

func parseFile(t *testing.T, name string, b []byte) obj {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	v, err := decode(&doc)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m, ok := v.(obj)
	if !ok {
		t.Fatalf("%s: not a mapping", name)
	}
	return m
}

func decode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return decode(n.Content[0])
	case yaml.AliasNode:
		return decode(n.Alias)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		plain := *n
		plain.Tag = ""
		var inner any
		var err error
		if n.Kind == yaml.ScalarNode {
			inner = n.Value
		} else if inner, err = decode(&plain); err != nil {
			return nil, err
		}
		switch name {
		case "Ref", "Condition":
			return obj{name: inner}, nil
		case "GetAtt":
			if s, ok := inner.(string); ok {
				res, attr, _ := strings.Cut(s, ".")
				return obj{"Fn::GetAtt": []any{res, attr}}, nil
			}
		}
		return obj{"Fn::" + name: inner}, nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := obj{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		var s []any
		for _, c := range n.Content {
			v, err := decode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

// get walks keys (map keys, or list indexes as ints) and fails the test
// when a step is missing.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for i, k := range path {
		switch k := k.(type) {
		case string:
			m, ok := v.(obj)
			if !ok {
				t.Fatalf("%v: not a mapping", path[:i])
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: missing", path[:i+1])
			}
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("%v: no item %d", path[:i], k)
			}
			v = s[k]
		}
	}
	return v
}

func resource(t *testing.T, tmpl obj, name string) obj {
	t.Helper()
	r, ok := get(t, tmpl, "Resources", name).(obj)
	if !ok {
		t.Fatalf("resource %s is not a mapping", name)
	}
	return r
}

// ofType returns the names of the resources of a type, sorted.
func ofType(t *testing.T, tmpl obj, typ string) []string {
	var names []string
	for name, r := range get(t, tmpl, "Resources").(obj) {
		if r.(obj)["Type"] == typ {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func ref(name string) obj { return obj{"Ref": name} }

func getAtt(res, attr string) obj { return obj{"Fn::GetAtt": []any{res, attr}} }

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

func list(v any) []any {
	if s, ok := v.([]any); ok {
		return s
	}
	return []any{v}
}

func TestTemplateShape(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		if got := tmpl["Transform"]; got != "AWS::Serverless-2016-10-31" {
			t.Errorf("Transform = %v", got)
		}
		outputs := get(t, tmpl, "Outputs").(obj)
		for _, name := range []string{"SiteURL", "DistributionId", "SiteBucketName", "SubmissionsBucketName"} {
			if _, ok := outputs[name]; !ok {
				t.Errorf("output %s missing", name)
			}
		}
		// A ward's site is at the distribution's own name; a province's
		// page at its domain.
		site := obj{"Fn::Sub": "https://${Distribution.DomainName}/"}
		if name == "province.yaml" {
			site = obj{"Fn::Sub": "https://${ProvinceDomain}/"}
		}
		if got := get(t, outputs, "SiteURL", "Value"); !equal(got, site) {
			t.Errorf("%s: SiteURL = %v, want %v", name, got, site)
		}
		// Every !Ref and !GetAtt names a parameter, a resource or a pseudo
		// parameter; every ${…} in a !Sub too.
		known := map[string]bool{}
		for name := range get(t, tmpl, "Parameters").(obj) {
			known[name] = true
		}
		for name := range get(t, tmpl, "Resources").(obj) {
			known[name] = true
		}
		walk(tmpl, func(v obj) {
			for k, x := range v {
				switch k {
				case "Ref":
					if s, _ := x.(string); !known[s] && !strings.HasPrefix(s, "AWS::") {
						t.Errorf("!Ref %v: no such parameter or resource", x)
					}
				case "Fn::GetAtt":
					if s, _ := list(x)[0].(string); !known[s] {
						t.Errorf("!GetAtt %v: no such resource", x)
					}
				case "Fn::Sub":
					s, _ := list(x)[0].(string)
					// !Sub [text, {Name: value}] names its own variables.
					vars := map[string]bool{}
					if l := list(x); len(l) == 2 {
						for v := range l[1].(obj) {
							vars[v] = true
						}
					}
					for _, part := range strings.Split(s, "${")[1:] {
						name, _, _ := strings.Cut(part, "}")
						name, _, _ = strings.Cut(name, ".")
						if !known[name] && !vars[name] && !strings.HasPrefix(name, "AWS::") {
							t.Errorf("!Sub %q: ${%s} names nothing", s, name)
						}
					}
				}
			}
		})
	})
}

// TestNoCycles checks that the resources can be created in some order: the
// distribution names the API and the secret, the API (as SAM writes it)
// names the function, and nothing they name may name the distribution. An
// HttpApi event's ApiId is not a dependency of the function: SAM turns it
// into a route of the API that names the function.
func TestNoCycles(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		resources := get(t, tmpl, "Resources").(obj)
		deps := map[string]map[string]bool{}
		for name, r := range resources {
			d := map[string]bool{}
			add := func(n string) {
				if _, ok := resources[n]; ok {
					d[n] = true
				}
			}
			r := r.(obj)
			if r["DependsOn"] != nil {
				for _, n := range list(r["DependsOn"]) {
					s, _ := n.(string)
					add(s)
				}
			}
			props, _ := r["Properties"].(obj)
			for k, v := range props {
				if k == "Events" && r["Type"] == "AWS::Serverless::Function" {
					for _, ev := range v.(obj) {
						if ev.(obj)["Type"] == "HttpApi" {
							api, _ := get(t, ev, "Properties", "ApiId").(obj)["Ref"].(string)
							if api != "" {
								deps[api] = merge(deps[api], name)
							}
						}
					}
					continue
				}
				walk(v, func(m obj) {
					for k, x := range m {
						switch k {
						case "Ref":
							s, _ := x.(string)
							add(s)
						case "Fn::GetAtt":
							s, _ := list(x)[0].(string)
							add(s)
						case "Fn::Sub":
							str, _ := list(x)[0].(string)
							for _, part := range strings.Split(str, "${")[1:] {
								n, _, _ := strings.Cut(part, "}")
								n, _, _ = strings.Cut(n, ".")
								add(n)
							}
						}
					}
				})
			}
			deps[name] = merge(deps[name], keys(d)...)
		}
		state := map[string]int{} // 1 visiting, 2 done
		var visit func(n string, path []string)
		visit = func(n string, path []string) {
			switch state[n] {
			case 1:
				t.Fatalf("template.yaml: circular dependency %s → %s", strings.Join(path, " → "), n)
			case 2:
				return
			}
			state[n] = 1
			for _, d := range keys(deps[n]) {
				visit(d, append(path, n))
			}
			state[n] = 2
		}
		for name := range resources {
			visit(name, nil)
		}
	})
}

func merge(m map[string]bool, names ...string) map[string]bool {
	if m == nil {
		m = map[string]bool{}
	}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func keys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// walk calls fn on every mapping in v.
func walk(v any, fn func(obj)) {
	switch v := v.(type) {
	case obj:
		fn(v)
		for _, x := range v {
			walk(x, fn)
		}
	case []any:
		for _, x := range v {
			walk(x, fn)
		}
	}
}

// TestCfnLint runs cfn-lint, AWS's template linter, on the templates: it
// checks every resource type and property name and value against the
// CloudFormation and SAM schemas (a misspelt BlockPublicAcl for
// BlockPublicAcls would otherwise be found only by a failed deployment).
// Errors fail the test; warnings and informational findings are logged.
// cfn-lint's exit status is a bit mask (2 errors, 4 warnings, 8
// informational); --non-zero-exit-code error keeps only the first.
func TestCfnLint(t *testing.T) {
	lint := tooltest.LookPath(t, "cfn-lint (AWS's CloudFormation linter) is not on PATH: install it with pip install cfn-lint", "cfn-lint")
	cmd := exec.Command(lint, "--format", "parseable", "--non-zero-exit-code", "error", "template.yaml", "province.yaml", "waf.yaml")
	out, err := cmd.CombinedOutput()
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		// file:line:column:endline:endcolumn:rule:message
		if f := strings.SplitN(strings.TrimSpace(line), ":", 7); len(f) == 7 {
			t.Logf("%s:%s: %s %s", f[0], f[1], f[5], f[6])
		} else if line != "" {
			t.Log(strings.TrimSpace(line))
		}
	}
	if err != nil {
		t.Errorf("cfn-lint template.yaml province.yaml waf.yaml: %v: the templates have errors (above), want none", err)
	}
}

func TestBucketsPrivateEncryptedTLSOnly(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		buckets := ofType(t, tmpl, "AWS::S3::Bucket")
		if !equal(buckets, []string{"LogBucket", "SiteBucket", "SubmissionsBucket"}) {
			t.Fatalf("template.yaml: buckets %v, want LogBucket, SiteBucket and SubmissionsBucket", buckets)
		}
		policies := map[string]obj{}
		for _, name := range ofType(t, tmpl, "AWS::S3::BucketPolicy") {
			p := resource(t, tmpl, name)
			b, _ := get(t, p, "Properties", "Bucket").(obj)["Ref"].(string)
			policies[b] = get(t, p, "Properties", "PolicyDocument").(obj)
		}
		for _, name := range buckets {
			props := get(t, resource(t, tmpl, name), "Properties")
			for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				if got := get(t, props, "PublicAccessBlockConfiguration", k); got != true {
					t.Errorf("%s: %s = %v, want true", name, k, got)
				}
			}
			alg := get(t, props, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm")
			if alg != "AES256" && alg != "aws:kms" {
				t.Errorf("%s: SSEAlgorithm = %v", name, alg)
			}
			// ACLs are off, but for the log bucket: CloudFront's standard
			// logging writes with an ACL and refuses a bucket without them.
			owner := "BucketOwnerEnforced"
			if name == "LogBucket" {
				owner = "BucketOwnerPreferred"
			}
			if got := get(t, props, "OwnershipControls", "Rules", 0, "ObjectOwnership"); got != owner {
				t.Errorf("template.yaml: %s ObjectOwnership = %v, want %s", name, got, owner)
			}
			doc, ok := policies[name]
			if !ok {
				t.Errorf("%s: no bucket policy", name)
				continue
			}
			if !deniesInsecureTransport(name, doc) {
				t.Errorf("%s: no Deny of requests without TLS on the bucket and its objects", name)
			}
		}
	})
}

func deniesInsecureTransport(bucket string, doc obj) bool {
	for _, s := range list(doc["Statement"]) {
		s := s.(obj)
		if s["Effect"] != "Deny" || s["Principal"] != "*" || s["Action"] != "s3:*" {
			continue
		}
		cond, _ := s["Condition"].(obj)
		b, _ := cond["Bool"].(obj)
		if v := b["aws:SecureTransport"]; v != "false" && v != false {
			continue
		}
		res := list(s["Resource"])
		if len(res) == 2 && equal(res[0], getAtt(bucket, "Arn")) && equal(res[1], obj{"Fn::Sub": "${" + bucket + ".Arn}/*"}) {
			return true
		}
	}
	return false
}

// TestAccessLogs checks where the access logs go: both buckets' S3 server
// access logs and CloudFront's standard logs into the log bucket (never the
// submissions bucket into itself), the HTTP API's into a log group, all of
// them kept LogRetentionDays.
func TestAccessLogs(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		days := get(t, tmpl, "Parameters", "LogRetentionDays").(obj)
		if days["Type"] != "Number" || days["Default"] != 90 {
			t.Errorf("template.yaml: LogRetentionDays = %v, want a Number, 90 by default", days)
		}

		logs := get(t, resource(t, tmpl, "LogBucket"), "Properties").(obj)
		expires := false
		for _, r := range list(get(t, logs, "LifecycleConfiguration", "Rules")) {
			r := r.(obj)
			if r["Status"] == "Enabled" && r["Prefix"] == nil && r["Filter"] == nil && equal(r["ExpirationInDays"], ref("LogRetentionDays")) {
				expires = true
			}
		}
		if !expires {
			t.Error("template.yaml: LogBucket has no enabled lifecycle rule expiring every log after LogRetentionDays")
		}

		prefixes := map[string]string{"SiteBucket": "s3/site/", "SubmissionsBucket": "s3/submissions/"}
		for name, prefix := range prefixes {
			b := resource(t, tmpl, name)
			cfg, _ := get(t, b, "Properties").(obj)["LoggingConfiguration"].(obj)
			if !equal(cfg["DestinationBucketName"], ref("LogBucket")) || cfg["LogFilePrefix"] != prefix {
				t.Errorf("template.yaml: %s LoggingConfiguration = %v, want the log bucket under %s", name, cfg, prefix)
			}
			if !equal(list(b["DependsOn"]), []any{"LogBucketPolicy"}) {
				t.Errorf("template.yaml: %s DependsOn %v, want LogBucketPolicy (S3 may deliver before the bucket logs)", name, b["DependsOn"])
			}
		}

		delivers := false
		for _, s := range list(get(t, resource(t, tmpl, "LogBucketPolicy"), "Properties", "PolicyDocument", "Statement")) {
			s := s.(obj)
			if s["Effect"] == "Allow" && equal(s["Principal"], obj{"Service": "logging.s3.amazonaws.com"}) {
				delivers = s["Action"] == "s3:PutObject" &&
					equal(s["Resource"], obj{"Fn::Sub": "${LogBucket.Arn}/s3/*"}) &&
					equal(get(t, s, "Condition", "StringEquals", "aws:SourceAccount"), ref("AWS::AccountId"))
			}
		}
		if !delivers {
			t.Error("template.yaml: LogBucketPolicy does not let S3's logging service put objects under s3/ for this account alone")
		}

		cf := get(t, resource(t, tmpl, "Distribution"), "Properties", "DistributionConfig", "Logging").(obj)
		if !equal(cf["Bucket"], getAtt("LogBucket", "DomainName")) || cf["IncludeCookies"] != false || cf["Prefix"] != "cloudfront/" {
			t.Errorf("template.yaml: Distribution Logging = %v, want the log bucket's DomainName, prefix cloudfront/, no cookies", cf)
		}

		api := get(t, resource(t, tmpl, "FormsApi"), "Properties", "AccessLogSettings").(obj)
		if !equal(api["DestinationArn"], getAtt("ApiAccessLogGroup", "Arn")) {
			t.Errorf("template.yaml: FormsApi AccessLogSettings DestinationArn = %v, want ApiAccessLogGroup's", api["DestinationArn"])
		}
		var format map[string]string
		if err := json.Unmarshal([]byte(api["Format"].(string)), &format); err != nil {
			t.Errorf("template.yaml: FormsApi access log Format is not one JSON object: %v", err)
		}
		for k, v := range format {
			if strings.Contains(v, "sourceIp") || strings.Contains(v, "userAgent") {
				t.Errorf("template.yaml: access log field %s = %s: no viewer data in the API's log", k, v)
			}
		}
		if got := get(t, resource(t, tmpl, "ApiAccessLogGroup"), "Properties", "RetentionInDays"); !equal(got, ref("LogRetentionDays")) {
			t.Errorf("template.yaml: ApiAccessLogGroup RetentionInDays = %v, want LogRetentionDays", got)
		}

		// Every log group has a retention and says what becomes of it.
		for _, name := range ofType(t, tmpl, "AWS::Logs::LogGroup") {
			g := resource(t, tmpl, name)
			if g["DeletionPolicy"] == nil || g["UpdateReplacePolicy"] == nil {
				t.Errorf("template.yaml: log group %s has no DeletionPolicy or UpdateReplacePolicy", name)
			}
			if get(t, g, "Properties").(obj)["RetentionInDays"] == nil {
				t.Errorf("template.yaml: log group %s is kept forever, want a RetentionInDays", name)
			}
		}
	})
}

func TestSubmissionsRetention(t *testing.T) {
	tmpl := parse(t)
	param := get(t, tmpl, "Parameters", "RetentionDays").(obj)
	if param["Type"] != "Number" || param["Default"] == nil {
		t.Errorf("RetentionDays = %v, want a Number with a default", param)
	}
	b := resource(t, tmpl, "SubmissionsBucket")
	if b["DeletionPolicy"] != "Retain" {
		t.Errorf("SubmissionsBucket DeletionPolicy = %v, want Retain", b["DeletionPolicy"])
	}
	props := get(t, b, "Properties")
	if got := get(t, props, "VersioningConfiguration", "Status"); got != "Enabled" {
		t.Errorf("versioning = %v", got)
	}
	expires := map[string]bool{}
	for _, r := range list(get(t, props, "LifecycleConfiguration", "Rules")) {
		r := r.(obj)
		pm, _ := r["Prefix"].(obj)
		prefix, _ := pm["Fn::Sub"].(string)
		if r["Status"] != "Enabled" || !equal(r["ExpirationInDays"], ref("RetentionDays")) {
			continue
		}
		// Old versions of the records are kept for a while (a mistaken
		// delete); those of a snapshot, a cache rewritten often, a day.
		var keep any = ref("DeletedRetentionDays")
		if prefix == "${KeyPrefix}snapshots/" {
			keep = 1
		}
		if !equal(get(t, r, "NoncurrentVersionExpiration", "NoncurrentDays"), keep) {
			t.Errorf("rule %v: old versions kept %v days, want %v", r["Id"], get(t, r, "NoncurrentVersionExpiration", "NoncurrentDays"), keep)
		}
		expires[prefix] = true
	}
	for _, p := range []string{"${KeyPrefix}submissions/", "${KeyPrefix}quota/", "${KeyPrefix}snapshots/", "${KeyPrefix}answers/", "${KeyPrefix}checkins/", "${KeyPrefix}guests/", "${KeyPrefix}uploads/"} {
		if !expires[p] {
			t.Errorf("no enabled lifecycle rule expires %s after RetentionDays", p)
		}
	}
}

func TestFunction(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		fns := ofType(t, tmpl, "AWS::Serverless::Function")
		if !equal(fns, []string{"FormsFunction"}) {
			t.Fatalf("functions %v", fns)
		}
		fn := resource(t, tmpl, "FormsFunction")
		if got := get(t, fn, "Metadata", "BuildMethod"); got != "makefile" {
			t.Errorf("BuildMethod = %v", got)
		}
		props := get(t, fn, "Properties").(obj)
		for k, want := range map[string]any{
			"Runtime":       "provided.al2023",
			"Handler":       "bootstrap",
			"Architectures": []any{"arm64"},
			"Role":          getAtt("FormsFunctionRole", "Arn"),
		} {
			if !equal(props[k], want) {
				t.Errorf("%s = %v, want %v", k, props[k], want)
			}
		}
		if _, ok := props["Policies"]; ok {
			t.Error("Policies set beside Role: SAM would widen the role")
		}
		if _, ok := props["ReservedConcurrentExecutions"]; !ok {
			t.Error("no ReservedConcurrentExecutions: nothing caps concurrency")
		}
		env := get(t, props, "Environment", "Variables").(obj)
		for k, want := range map[string]any{
			"LOA_BUCKET":           ref("SubmissionsBucket"),
			"LOA_PREFIX":           ref("KeyPrefix"),
			"LOA_CLIENT_IP_HEADER": "CloudFront-Viewer-Address",
		} {
			if !equal(env[k], want) {
				t.Errorf("env %s = %v, want %v", k, env[k], want)
			}
		}
		// A ward's shared staff secret; a province has none
		// (TestProvinceFunction).
		if name == "template.yaml" {
			if !equal(env["LOA_STAFF_SECRET_HASH"], ref("StaffSecretHash")) {
				t.Errorf("env LOA_STAFF_SECRET_HASH = %v, want the parameter StaffSecretHash", env["LOA_STAFF_SECRET_HASH"])
			}
			if get(t, tmpl, "Parameters", "StaffSecretHash", "NoEcho") != true {
				t.Error("StaffSecretHash is not NoEcho")
			}
		}
		ev := get(t, props, "Events", "Api").(obj)
		if ev["Type"] != "HttpApi" || !equal(get(t, ev, "Properties", "ApiId"), ref("FormsApi")) ||
			get(t, ev, "Properties", "PayloadFormatVersion") != "2.0" || get(t, ev, "Properties", "Path") != "/api/{proxy+}" {
			t.Errorf("Api event = %v", ev)
		}
		api := get(t, resource(t, tmpl, "FormsApi"), "Properties", "DefaultRouteSettings").(obj)
		if api["ThrottlingRateLimit"] == nil || api["ThrottlingBurstLimit"] == nil {
			t.Errorf("HTTP API not throttled: %v", api)
		}

		// CodeUri is the repository root, whose Makefile builds the function
		// the way SAM's makefile method expects: with the one recipe of the
		// binary (lambdadev.Build, through `go run ./build package`), for the
		// template's architecture.
		uri, _ := props["CodeUri"].(string)
		root := filepath.Join(".", filepath.FromSlash(uri))
		mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
		if err != nil {
			t.Fatalf("CodeUri %q: %v", uri, err)
		}
		target := "build-FormsFunction:"
		i := strings.Index(string(mk), "\n"+target)
		if i < 0 {
			t.Fatalf("Makefile has no %s target", target)
		}
		recipe, _, _ := strings.Cut(string(mk[i+1+len(target):]), "\n\n")
		if want := "$(GO) run ./build package -bin $(ARTIFACTS_DIR)"; strings.TrimSpace(recipe) != want {
			t.Errorf("Makefile: build-FormsFunction runs\n%s\nwant the one recipe of the binary: %s", recipe, want)
		}
		if arch := get(t, props, "Architectures"); !equal(arch, []any{lambdadev.Arch}) {
			t.Errorf("template.yaml: FormsFunction Architectures %v, want [%s], the architecture the package command builds", arch, lambdadev.Arch)
		}
	})
}

func TestLeastPrivilege(t *testing.T) {
	tmpl := parse(t)
	role := get(t, resource(t, tmpl, "FormsFunctionRole"), "Properties").(obj)
	if _, ok := role["ManagedPolicyArns"]; ok {
		t.Error("the function role has managed policies")
	}
	objects := []any{
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}submissions/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}quota/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}exports/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}snapshots/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}answers/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}marks/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}checkins/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}accounts/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}guests/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}digest/*"},
		obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}uploads/*"},
	}
	audit := obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}audit/*"}
	granted := map[string]bool{}
	for _, p := range list(role["Policies"]) {
		for _, s := range list(get(t, p, "PolicyDocument", "Statement")) {
			s := whenOn(s)
			if s["Effect"] != "Allow" {
				continue
			}
			if _, ok := s["NotAction"]; ok {
				t.Errorf("statement %v uses NotAction", s["Sid"])
			}
			if _, ok := s["NotResource"]; ok {
				t.Errorf("statement %v uses NotResource", s["Sid"])
			}
			for _, r := range list(s["Resource"]) {
				if str, ok := r.(string); ok && strings.Contains(str, "*") {
					t.Errorf("statement %v: resource %q", s["Sid"], str)
				}
			}
			for _, a := range list(s["Action"]) {
				a, _ := a.(string)
				if strings.Contains(a, "*") {
					t.Errorf("statement %v: wildcard action %q", s["Sid"], a)
				}
				granted[a] = true
				switch a {
				case "s3:GetObject", "s3:PutObject", "s3:DeleteObject":
					if equal(s["Resource"], audit) && a != "s3:DeleteObject" {
						break // the audit log: TestAuditLogAppendOnly
					}
					if !equal(list(s["Resource"]), objects) {
						t.Errorf("%s on %v, want only the function's prefixes", a, s["Resource"])
					}
				case "s3:ListBucket":
					if !equal(s["Resource"], getAtt("SubmissionsBucket", "Arn")) {
						t.Errorf("s3:ListBucket on %v", s["Resource"])
					}
					want := obj{"StringLike": obj{"s3:prefix": []any{
						obj{"Fn::Sub": "${KeyPrefix}submissions/*"},
						obj{"Fn::Sub": "${KeyPrefix}quota/*"},
						obj{"Fn::Sub": "${KeyPrefix}exports/*"},
						obj{"Fn::Sub": "${KeyPrefix}snapshots/*"},
						obj{"Fn::Sub": "${KeyPrefix}answers/*"},
						obj{"Fn::Sub": "${KeyPrefix}marks/*"},
						obj{"Fn::Sub": "${KeyPrefix}checkins/*"},
						obj{"Fn::Sub": "${KeyPrefix}accounts/*"},
						obj{"Fn::Sub": "${KeyPrefix}guests/*"},
						obj{"Fn::Sub": "${KeyPrefix}uploads/*"},
						obj{"Fn::Sub": "${KeyPrefix}audit/*"},
						obj{"Fn::Sub": "${KeyPrefix}digest/*"},
					}}}
					if !equal(s["Condition"], want) {
						t.Errorf("s3:ListBucket condition %v, want %v", s["Condition"], want)
					}
				case "ses:SendEmail":
					// The daily digest: TestDigestSchedule.
					if !equal(s["Resource"], obj{"Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"}) {
						t.Errorf("ses:SendEmail on %v, want this account's identities in this region", s["Resource"])
					}
				case "logs:CreateLogStream", "logs:PutLogEvents":
					if !equal(s["Resource"], getAtt("FormsLogGroup", "Arn")) {
						t.Errorf("%s on %v, want the function's log group", a, s["Resource"])
					}
				default:
					t.Errorf("unexpected action %s", a)
				}
			}
		}
	}
	for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "logs:PutLogEvents"} {
		if !granted[a] {
			t.Errorf("%s not granted", a)
		}
	}
}

// whenOn is a policy statement as it stands when its condition holds: a
// statement written !If [Cond, statement, !Ref AWS::NoValue] is its first
// branch.
func whenOn(s any) obj {
	st := s.(obj)
	if branches, ok := st["Fn::If"].([]any); ok && len(branches) == 3 {
		return branches[1].(obj)
	}
	return st
}

// TestDigestSchedule: the daily digest is the same function, run by an
// EventBridge schedule that is on only with a sender; it may send through
// SES only from DigestSender and only to DigestRecipients; which digests
// were sent expires.
func TestDigestSchedule(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		params := get(t, tmpl, "Parameters").(obj)
		if get(t, params, "DigestSender", "Default") != "" || get(t, params, "DigestRecipients", "Type") != "CommaDelimitedList" {
			t.Errorf("DigestSender must default to empty (no digest), DigestRecipients be a list: %v %v", params["DigestSender"], params["DigestRecipients"])
		}
		if !equal(get(t, tmpl, "Conditions", "HasDigest"), obj{"Fn::Not": []any{obj{"Fn::Equals": []any{ref("DigestSender"), ""}}}}) {
			t.Errorf("HasDigest = %v", get(t, tmpl, "Conditions", "HasDigest"))
		}
		props := get(t, resource(t, tmpl, "FormsFunction"), "Properties").(obj)
		ev := get(t, props, "Events", "DailyDigest").(obj)
		if ev["Type"] != "Schedule" || !equal(get(t, ev, "Properties", "Schedule"), ref("DigestSchedule")) ||
			!equal(get(t, ev, "Properties", "State"), obj{"Fn::If": []any{"HasDigest", "ENABLED", "DISABLED"}}) {
			t.Errorf("DailyDigest event = %v, want a Schedule of DigestSchedule, enabled with HasDigest", ev)
		}
		env := get(t, props, "Environment", "Variables").(obj)
		if !equal(env["LOA_DIGEST_FROM"], ref("DigestSender")) ||
			!equal(env["LOA_DIGEST_RECIPIENTS"], obj{"Fn::Join": []any{",", ref("DigestRecipients")}}) {
			t.Errorf("env LOA_DIGEST_FROM %v, LOA_DIGEST_RECIPIENTS %v", env["LOA_DIGEST_FROM"], env["LOA_DIGEST_RECIPIENTS"])
		}
		role := get(t, resource(t, tmpl, "FormsFunctionRole"), "Properties").(obj)
		found := false
		for _, p := range list(role["Policies"]) {
			for _, raw := range list(get(t, p, "PolicyDocument", "Statement")) {
				st := raw.(obj)
				s := whenOn(st)
				if !slices.Contains(list(s["Action"]), any("ses:SendEmail")) {
					continue
				}
				found = true
				if br, _ := st["Fn::If"].([]any); len(br) != 3 || br[0] != "HasDigest" || !equal(br[2], ref("AWS::NoValue")) {
					t.Errorf("ses:SendEmail granted without the sender: %v", st)
				}
				// ForAllValues holds for a request with no recipients at all
				// (a raw message whose recipients SES reads from its headers):
				// the Null test makes the request name them.
				want := obj{
					"StringEquals":              obj{"ses:FromAddress": ref("DigestSender")},
					"ForAllValues:StringEquals": obj{"ses:Recipients": ref("DigestRecipients")},
					"Null":                      obj{"ses:Recipients": "false"},
				}
				if s["Effect"] != "Allow" || !equal(s["Condition"], want) || len(list(s["Action"])) != 1 {
					t.Errorf("ses:SendEmail statement %v, want only it, with condition %v", s, want)
				}
			}
		}
		if !found {
			t.Error("the function may not send the digest (no ses:SendEmail)")
		}
		bucket := get(t, resource(t, tmpl, "SubmissionsBucket"), "Properties")
		expires := false
		for _, r := range list(get(t, bucket, "LifecycleConfiguration", "Rules")) {
			r := r.(obj)
			// By prefix in a ward's bucket, by the store's tag in a
			// province's (TestProvinceRetention).
			byPrefix := equal(r["Prefix"], obj{"Fn::Sub": "${KeyPrefix}digest/sent/"})
			byTag := equal(r["TagFilters"], []any{obj{"Key": store.TagKey, "Value": "digest-sent"}})
			if (byPrefix || byTag) && r["Status"] == "Enabled" && r["ExpirationInDays"] != nil {
				expires = true
			}
		}
		if !expires {
			t.Error("no lifecycle rule expires the marks of digests sent (digest/sent/)")
		}
	})
}

// TestFoldSchedule: a second schedule runs the same function often
// (every 15 minutes by default) to fold the new submissions into the
// export snapshots, always on, told from the digest's event by its
// constant input, which names the fold as the function expects
// (service.FoldEvent); the timeout leaves a run time to save what it read.
func TestFoldSchedule(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		p := get(t, tmpl, "Parameters", "FoldSchedule").(obj)
		if p["Default"] != "rate(15 minutes)" || p["AllowedPattern"] != get(t, tmpl, "Parameters", "DigestSchedule", "AllowedPattern") {
			t.Errorf("FoldSchedule %v, want every 15 minutes by default, a schedule expression", p)
		}
		props := get(t, resource(t, tmpl, "FormsFunction"), "Properties").(obj)
		ev := get(t, props, "Events", "ExportFold").(obj)
		if ev["Type"] != "Schedule" || !equal(get(t, ev, "Properties", "Schedule"), ref("FoldSchedule")) ||
			get(t, ev, "Properties", "State") != "ENABLED" {
			t.Errorf("ExportFold event = %v, want an enabled Schedule of FoldSchedule", ev)
		}
		in, _ := get(t, ev, "Properties", "Input").(string)
		var input map[string]string
		if err := json.Unmarshal([]byte(in), &input); err != nil || len(input) != 1 || input["loa"] != service.FoldEvent {
			t.Errorf("ExportFold input %q (%v), want {\"loa\":%q}: what the function tells the fold by", in, err, service.FoldEvent)
		}
		if _, ok := get(t, props, "Events", "DailyDigest", "Properties").(obj)["Input"]; ok {
			t.Error("the digest's event has a constant input: the function tells it by EventBridge's own event")
		}
		// Each form's fold reads for two thirds of the time left, then
		// saves what it read.
		if to, ok := props["Timeout"].(int); !ok || to < 10 {
			t.Errorf("Timeout %v, want at least 10 seconds for a fold to read and save", props["Timeout"])
		}
	})
}

// The audit log is append-only for the function: PutObject under its
// prefix only with If-None-Match (never over a record), no Delete granted
// and Delete denied outright, and records expire after AuditRetentionDays.
func TestAuditLogAppendOnly(t *testing.T) {
	tmpl := parse(t)
	audit := obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}audit/*"}
	role := get(t, resource(t, tmpl, "FormsFunctionRole"), "Properties").(obj)
	var put, denied bool
	for _, p := range list(role["Policies"]) {
		for _, s := range list(get(t, p, "PolicyDocument", "Statement")) {
			s := s.(obj)
			onAudit := false
			for _, r := range list(s["Resource"]) {
				onAudit = onAudit || equal(r, audit)
			}
			if !onAudit {
				continue
			}
			for _, a := range list(s["Action"]) {
				switch {
				case s["Effect"] == "Deny" && a == "s3:DeleteObject":
					denied = true
				case s["Effect"] == "Allow" && a == "s3:PutObject":
					put = true
					want := obj{"Null": obj{"s3:if-none-match": "false"}}
					if !equal(s["Condition"], want) {
						t.Errorf("PutObject on the audit log with condition %v, want %v", s["Condition"], want)
					}
				case s["Effect"] == "Allow" && a != "s3:GetObject":
					t.Errorf("the function may %v on the audit log", a)
				}
			}
		}
	}
	if !put || !denied {
		t.Errorf("audit log: PutObject granted %v, DeleteObject denied %v; want both", put, denied)
	}
	props := get(t, resource(t, tmpl, "SubmissionsBucket"), "Properties")
	found := false
	for _, r := range list(get(t, props, "LifecycleConfiguration", "Rules")) {
		r := r.(obj)
		if equal(r["Prefix"], obj{"Fn::Sub": "${KeyPrefix}audit/"}) && r["Status"] == "Enabled" &&
			equal(r["ExpirationInDays"], ref("AuditRetentionDays")) {
			found = true
		}
	}
	if !found {
		t.Error("no enabled lifecycle rule expires the audit log after AuditRetentionDays")
	}
}

const (
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

func TestCloudFront(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		oac := get(t, resource(t, tmpl, "SiteOriginAccessControl"), "Properties", "OriginAccessControlConfig").(obj)
		if oac["OriginAccessControlOriginType"] != "s3" || oac["SigningBehavior"] != "always" || oac["SigningProtocol"] != "sigv4" {
			t.Errorf("OAC = %v", oac)
		}
		cfg := get(t, resource(t, tmpl, "Distribution"), "Properties", "DistributionConfig").(obj)
		origins := map[string]obj{}
		for _, o := range list(cfg["Origins"]) {
			origins[o.(obj)["Id"].(string)] = o.(obj)
		}
		site := origins["site"]
		if !equal(site["OriginAccessControlId"], getAtt("SiteOriginAccessControl", "Id")) ||
			!equal(site["DomainName"], getAtt("SiteBucket", "RegionalDomainName")) ||
			get(t, site, "S3OriginConfig", "OriginAccessIdentity") != "" {
			t.Errorf("site origin = %v, want the bucket's REST endpoint through OAC", site)
		}
		if got := get(t, origins["forms"], "CustomOriginConfig", "OriginProtocolPolicy"); got != "https-only" {
			t.Errorf("forms origin protocol = %v", got)
		}

		// Only this distribution may read the site bucket.
		readers := 0
		for _, s := range list(get(t, resource(t, tmpl, "SiteBucketPolicy"), "Properties", "PolicyDocument", "Statement")) {
			s := s.(obj)
			if s["Effect"] != "Allow" {
				continue
			}
			if !equal(s["Principal"], obj{"Service": "cloudfront.amazonaws.com"}) {
				t.Errorf("site bucket readable by %v", s["Principal"])
			}
			src := get(t, s, "Condition", "StringEquals", "AWS:SourceArn").(obj)["Fn::Sub"].(string)
			if !strings.HasSuffix(src, ":distribution/${Distribution}") {
				t.Errorf("site bucket read not limited to the distribution: %v", src)
			}
			readers++
		}
		if readers == 0 {
			t.Error("CloudFront may not read the site bucket")
		}

		def := cfg["DefaultCacheBehavior"].(obj)
		if def["ViewerProtocolPolicy"] != "redirect-to-https" {
			t.Errorf("default behavior: ViewerProtocolPolicy %v, want redirect-to-https", def["ViewerProtocolPolicy"])
		}
		behaviors := map[string]obj{"default": def}
		for _, b := range list(cfg["CacheBehaviors"]) {
			behaviors[b.(obj)["PathPattern"].(string)] = b.(obj)
		}
		for p, b := range behaviors {
			if vp := b["ViewerProtocolPolicy"]; vp != "redirect-to-https" && vp != "https-only" {
				t.Errorf("%s: plain HTTP allowed (%v)", p, vp)
			}
			if b["Compress"] != true {
				t.Errorf("%s: not compressed", p)
			}
			if !equal(b["ResponseHeadersPolicyId"], ref("SecurityHeadersPolicy")) {
				t.Errorf("%s: no security headers", p)
			}
		}

		ttl := func(behavior string) float64 {
			id, ok := behaviors[behavior]["CachePolicyId"].(obj)
			if !ok {
				t.Fatalf("%s: cache policy %v is not one of the template's", behavior, behaviors[behavior]["CachePolicyId"])
			}
			v := get(t, resource(t, tmpl, id["Ref"].(string)), "Properties", "CachePolicyConfig", "DefaultTTL")
			return float64(v.(int))
		}
		for _, p := range []string{"/hoi-dap/*", "/hoi-dap"} {
			b := behaviors[p]
			if b == nil || b["TargetOriginId"] != "forms" || ttl(p) != 60 {
				t.Errorf("%s: %v, want the forms origin with a 60-second TTL", p, b)
			}
		}
		if got := ttl("/assets/*"); got < 30*86400 {
			t.Errorf("/assets/*: DefaultTTL %v, want long-lived", got)
		}
		if got := ttl("default"); got > 3600 {
			t.Errorf("pages: DefaultTTL %v, want short", got)
		}

		api := behaviors["/api/*"]
		if api == nil {
			t.Fatal("no /api/* behavior")
		}
		if api["TargetOriginId"] != "forms" || api["CachePolicyId"] != cachingDisabled || api["OriginRequestPolicyId"] != allViewerExceptHostHeader {
			t.Errorf("/api/* = %v, want the forms origin, CachingDisabled, AllViewerExceptHostHeader", api)
		}
		methods := map[any]bool{}
		for _, m := range list(api["AllowedMethods"]) {
			methods[m] = true
		}
		if !methods["POST"] || !methods["GET"] {
			t.Errorf("/api/* methods %v", api["AllowedMethods"])
		}

		// A ward's own 404 page; in a province, the province's, which
		// serves every unit: CloudFront fetches an error page without
		// running the router (TestProvinceDistribution).
		page, router := "/404.html", "PrettyUrlsFunction"
		if name == "province.yaml" {
			page, router = "/"+province.PageDir+"/404.html", "UnitRouterFunction"
		}
		errs := list(cfg["CustomErrorResponses"])
		found := false
		for _, e := range errs {
			e := e.(obj)
			if e["ErrorCode"] == 404 && e["ResponseCode"] == 404 && e["ResponsePagePath"] == page {
				found = true
			}
			if e["ErrorCode"] != 404 {
				// Others would hide the handler's own answers (403, 409, 410).
				t.Errorf("custom error response for %v", e["ErrorCode"])
			}
		}
		if !found {
			t.Errorf("%s: 404 not wired to %s", name, page)
		}
		assoc := get(t, def, "FunctionAssociations", 0).(obj)
		if assoc["EventType"] != "viewer-request" || !equal(assoc["FunctionARN"], getAtt(router, "FunctionMetadata.FunctionARN")) {
			t.Errorf("function association = %v", assoc)
		}
	})
}

// TestOriginSecret checks the door: the stack makes a random secret,
// CloudFront sends it to the forms origin as X-Origin-Verify, and the
// function expects the very same reference as LOA_ORIGIN_SECRET, so the two
// always resolve one version of one secret.
func TestOriginSecret(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		secret := resource(t, tmpl, "OriginSecret")
		if secret["Type"] != "AWS::SecretsManager::Secret" {
			t.Fatalf("template.yaml: OriginSecret is a %v, want an AWS::SecretsManager::Secret", secret["Type"])
		}
		gen := get(t, secret, "Properties", "GenerateSecretString").(obj)
		if n, _ := gen["PasswordLength"].(int); n < 32 || gen["ExcludePunctuation"] != true {
			t.Errorf("template.yaml: OriginSecret GenerateSecretString %v, want 32 or more letters and digits (PasswordLength >= 32, ExcludePunctuation)", gen)
		}
		if _, ok := get(t, secret, "Properties").(obj)["SecretString"]; ok {
			t.Error("template.yaml: OriginSecret has a SecretString written in the template, want it generated")
		}

		var header any
		for _, o := range list(get(t, resource(t, tmpl, "Distribution"), "Properties", "DistributionConfig", "Origins")) {
			if o.(obj)["Id"] != "forms" {
				continue
			}
			for _, h := range list(o.(obj)["OriginCustomHeaders"]) {
				if h.(obj)["HeaderName"] == routes.OriginHeader {
					header = h.(obj)["HeaderValue"]
				}
			}
		}
		if header == nil {
			t.Fatal("template.yaml: the forms origin has no X-Origin-Verify custom header, want the origin secret")
		}
		checkSecretRef(t, tmpl, "the forms origin's X-Origin-Verify", header)

		env := get(t, resource(t, tmpl, "FormsFunction"), "Properties", "Environment", "Variables").(obj)
		checkSecretRef(t, tmpl, "FormsFunction's LOA_ORIGIN_SECRET", env["LOA_ORIGIN_SECRET"])
		if !equal(env["LOA_ORIGIN_SECRET"], header) {
			t.Errorf("template.yaml: LOA_ORIGIN_SECRET = %v, X-Origin-Verify = %v: want the same reference, or the function refuses every request CloudFront sends", env["LOA_ORIGIN_SECRET"], header)
		}
		if h, _ := env["LOA_CLIENT_IP_HEADER"].(string); h == "" {
			t.Error("template.yaml: FormsFunction has no LOA_CLIENT_IP_HEADER: every viewer would share the edge server's address")
		}
	})
}

// checkSecretRef checks that v resolves the origin secret: the current
// version, or the one OriginSecretVersion names when it is set.
func checkSecretRef(t *testing.T, tmpl obj, what string, v any) {
	t.Helper()
	want := obj{"Fn::If": []any{
		"HasOriginSecretVersion",
		obj{"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString:::${OriginSecretVersion}}}"},
		obj{"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}:SecretString}}"},
	}}
	if !equal(v, want) {
		t.Errorf("template.yaml: %s = %v, want %v", what, v, want)
	}
	cond := obj{"Fn::Not": []any{obj{"Fn::Equals": []any{ref("OriginSecretVersion"), ""}}}}
	if got := get(t, tmpl, "Conditions", "HasOriginSecretVersion"); !equal(got, cond) {
		t.Errorf("template.yaml: condition HasOriginSecretVersion = %v, want %v", got, cond)
	}
}

// TestWAF checks the optional web ACL: none by default; given as an ARN,
// it is attached to the distribution; waf.yaml makes one for CloudFront
// with a rate limit per IP address over 5 minutes.
func TestWAF(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		if got := ofType(t, tmpl, "AWS::WAFv2::WebACL"); len(got) != 0 {
			t.Errorf("template.yaml: web ACLs %v in the main stack, want none: one for CloudFront can only be made in us-east-1", got)
		}
		if p := get(t, tmpl, "Parameters", "WebAclArn").(obj); p["Default"] != "" {
			t.Errorf("template.yaml: WebAclArn default %v, want empty (no WAF, no cost)", p["Default"])
		}
		cond := obj{"Fn::Not": []any{obj{"Fn::Equals": []any{ref("WebAclArn"), ""}}}}
		if got := get(t, tmpl, "Conditions", "HasWebAcl"); !equal(got, cond) {
			t.Errorf("template.yaml: condition HasWebAcl = %v, want %v", got, cond)
		}
		want := obj{"Fn::If": []any{"HasWebAcl", ref("WebAclArn"), ref("AWS::NoValue")}}
		if got := get(t, resource(t, tmpl, "Distribution"), "Properties", "DistributionConfig", "WebACLId"); !equal(got, want) {
			t.Errorf("template.yaml: Distribution WebACLId = %v, want %v", got, want)
		}

		waf := parseFile(t, "waf.yaml", loaaws.WAFTemplate)
		if p := get(t, waf, "Parameters", "WafRateLimit").(obj); p["Type"] != "Number" {
			t.Errorf("waf.yaml: WafRateLimit = %v, want a Number", p)
		}
		acl := get(t, resource(t, waf, "WebAcl"), "Properties").(obj)
		if acl["Scope"] != "CLOUDFRONT" || !equal(acl["DefaultAction"], obj{"Allow": obj{}}) {
			t.Errorf("waf.yaml: WebAcl Scope %v DefaultAction %v, want CLOUDFRONT, Allow", acl["Scope"], acl["DefaultAction"])
		}
		limited := false
		for _, r := range list(acl["Rules"]) {
			r := r.(obj)
			rate, ok := get(t, r, "Statement").(obj)["RateBasedStatement"].(obj)
			if !ok {
				continue
			}
			limited = equal(r["Action"], obj{"Block": obj{}}) && rate["AggregateKeyType"] == "IP" &&
				equal(rate["Limit"], ref("WafRateLimit")) && rate["EvaluationWindowSec"] == 300
		}
		if !limited {
			t.Error("waf.yaml: no rule blocks an IP address over WafRateLimit requests in 5 minutes")
		}
		if got := get(t, waf, "Outputs", "WebAclArn", "Value"); !equal(got, getAtt("WebAcl", "Arn")) {
			t.Errorf("waf.yaml: output WebAclArn = %v, want the web ACL's ARN", got)
		}
	})
}

// csp parses the template's Content-Security-Policy: directive → sources.
func csp(t *testing.T, tmpl obj) map[string][]string {
	policy := get(t, resource(t, tmpl, "SecurityHeadersPolicy"), "Properties", "ResponseHeadersPolicyConfig", "SecurityHeadersConfig").(obj)
	for _, h := range []string{"ContentTypeOptions", "FrameOptions", "ReferrerPolicy", "StrictTransportSecurity"} {
		if _, ok := policy[h]; !ok {
			t.Errorf("security header %s missing", h)
		}
	}
	if get(t, policy, "ContentSecurityPolicy", "Override") != true {
		t.Error("CSP does not override the origin's")
	}
	text := get(t, policy, "ContentSecurityPolicy", "ContentSecurityPolicy").(string)
	d := map[string][]string{}
	for _, part := range strings.Split(text, ";") {
		f := strings.Fields(part)
		if len(f) > 0 {
			d[f[0]] = f[1:]
		}
	}
	return d
}

func TestContentSecurityPolicy(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) { contentSecurityPolicy(t, tmpl) })
}

func contentSecurityPolicy(t *testing.T, tmpl obj) {
	d := csp(t, tmpl)
	want := map[string][]string{
		"default-src":     {"'none'"},
		"script-src":      {"'self'"},
		"style-src":       {"'self'"},
		"img-src":         {"'self'"},
		"connect-src":     {"'self'"},
		"form-action":     {"'self'"},
		"frame-ancestors": {"'none'"},
		"base-uri":        {"'none'"},
		"object-src":      {"'none'"},
	}
	for k, v := range want {
		if !equal(d[k], v) {
			t.Errorf("CSP %s = %v, want %v", k, d[k], v)
		}
	}
}

// TestPagesSatisfyCSP reads the site's layouts and scripts for what the
// policy forbids: inline scripts, inline styles, event-handler attributes,
// javascript: URLs and resources from other origins.
func TestPagesSatisfyCSP(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../../site/layouts/*.html", "../../site/assets/js/*.js", "../../site/assets/*.svg"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no layouts under ../../site/layouts: the test reads the site's sources, and must run in build/aws of a checkout")
	}
	forbidden := []struct{ what, needle string }{
		{"an inline <style>", "<style"},
		{"a style attribute", " style="},
		{"a javascript: URL", "javascript:"},
		{"a resource from another origin", `src="http`},
		{"a stylesheet from another origin", `<link rel="stylesheet" href="http`},
		{"an inline event handler", " onclick="},
		{"an inline event handler", " onload="},
		{"an inline event handler", " onsubmit="},
		{"an inline event handler", " onchange="},
		{"eval", "eval("},
		{"new Function", "new Function("},
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ToLower(string(b))
		for _, fb := range forbidden {
			if strings.Contains(s, fb.needle) {
				t.Errorf("%s has %s (%q), which the Content-Security-Policy blocks", f, fb.what, fb.needle)
			}
		}
		if strings.HasSuffix(f, ".html") {
			for rest := s; ; {
				i := strings.Index(rest, "<script")
				if i < 0 {
					break
				}
				tag, _, _ := strings.Cut(rest[i:], ">")
				if !strings.Contains(tag, " src=") {
					t.Errorf("%s has an inline <script>, which the Content-Security-Policy blocks", f)
				}
				rest = rest[i+len("<script"):]
			}
		}
	}
}

// TestPrettyURLFunction runs the CloudFront Function's code under Node.js
// (CloudFront's runtime is JavaScript too) on the requests it must handle.
func TestPrettyURLFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js) is not on PATH: install Debian's nodejs package (.ci/run does)")
	}
	tmpl := parse(t)
	code := get(t, resource(t, tmpl, "PrettyUrlsFunction"), "Properties", "FunctionCode").(string)
	if rt := get(t, resource(t, tmpl, "PrettyUrlsFunction"), "Properties", "FunctionConfig", "Runtime"); rt != "cloudfront-js-2.0" {
		t.Errorf("runtime %v", rt)
	}
	type qv struct {
		Value      string `json:"value"`
		MultiValue []qv   `json:"multiValue,omitempty"`
	}
	type request struct {
		URI         string        `json:"uri"`
		Querystring map[string]qv `json:"querystring"`
	}
	cases := []struct {
		req      request
		uri      string // the rewritten request's URI, or
		location string // the redirect's Location; neither: a 404
	}{
		{request{URI: "/"}, "/index.html", ""},
		{request{URI: "/thong-bao/"}, "/thong-bao/index.html", ""},
		{request{URI: "/thong-bao/hop-dan/"}, "/thong-bao/hop-dan/index.html", ""},
		{request{URI: "/assets/site.0123456789ab.css"}, "/assets/site.0123456789ab.css", ""},
		{request{URI: "/404.html"}, "/404.html", ""},
		{request{URI: "/atom.xml"}, "/atom.xml", ""},
		{request{URI: "/thong-bao"}, "", "/thong-bao/"},
		{request{URI: "/bieu-mau/cau-hoi", Querystring: map[string]qv{"a": {Value: "1"}}}, "", "/bieu-mau/cau-hoi/?a=1"},
		{request{URI: "/x", Querystring: map[string]qv{"t": {Value: "1", MultiValue: []qv{{Value: "1"}, {Value: "2"}}}}}, "", "/x/?t=1&t=2"},
		{request{URI: "/ke-hoach"}, "", "/ke-hoach/"},
		{request{URI: "/ke-hoach/"}, "/ke-hoach/index.html", ""},
		{request{URI: "/assets/site.abc.css"}, "/assets/site.abc.css", ""},
		// Paths that would send a browser to another host: a backslash
		// (raw or escaped) or a control character is a 404, runs of
		// slashes are one before the slash is added.
		{request{URI: `/\evil.example/x`}, "", ""},
		{request{URI: "/%5Cevil.example/x"}, "", ""},
		{request{URI: "/%5cevil.example/x"}, "", ""},
		{request{URI: "//evil.example/x"}, "", "/evil.example/x/"},
		{request{URI: "///x"}, "", "/x/"},
		{request{URI: "//a//b/"}, "/a/b/index.html", ""},
		{request{URI: "/%2F%2Fevil.example"}, "", ""},
		{request{URI: "/a%09b"}, "", ""},
		{request{URI: "/a\tb"}, "", ""},
		{request{URI: "/%0d%0aLocation:x"}, "", ""},
		{request{URI: "/a\r\nLocation:x"}, "", ""},
		{request{URI: "/%zz"}, "", ""},
		{request{URI: "/x", Querystring: map[string]qv{"a": {Value: "1\r\nSet-Cookie:x"}}}, "", "/x/?a=1%0D%0ASet-Cookie:x"},
	}
	var events []any
	for _, c := range cases {
		if c.req.Querystring == nil {
			c.req.Querystring = map[string]qv{}
		}
		events = append(events, map[string]any{"request": c.req})
	}
	in, err := json.Marshal(events)
	if err != nil {
		t.Fatal(err)
	}
	script := code + "\nconst events = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n" +
		"process.stdout.write(JSON.stringify(events.map(e => handler(e))));\n"
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []struct {
		URI        string `json:"uri"`
		StatusCode int    `json:"statusCode"`
		Headers    map[string]struct {
			Value string `json:"value"`
		} `json:"headers"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != len(cases) {
		t.Fatalf("node answered %d events, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		g := got[i]
		loc, hasLoc := g.Headers["location"]
		if hasLoc && !sameSite(loc.Value) {
			t.Errorf("%q: Location %q leaves the site, want a path with a single leading / and no \\, CR, LF or TAB", c.req.URI, loc.Value)
		}
		switch {
		case c.uri != "" && (g.StatusCode != 0 || g.URI != c.uri):
			t.Errorf("%q: uri %q status %d, want the request for %q", c.req.URI, g.URI, g.StatusCode, c.uri)
		case c.location != "" && (g.StatusCode != 301 || loc.Value != c.location):
			t.Errorf("%q: status %d location %q, want 301 to %q", c.req.URI, g.StatusCode, loc.Value, c.location)
		case c.uri == "" && c.location == "" && (g.StatusCode != 404 || hasLoc):
			t.Errorf("%q: status %d uri %q location %q, want it refused with a 404", c.req.URI, g.StatusCode, g.URI, loc.Value)
		}
	}
}

// sameSite reports whether a Location keeps the browser on this site: a
// path with one leading slash, and nothing a browser reads as a slash or a
// header break.
func sameSite(loc string) bool {
	return strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.ContainsAny(loc, "\\\r\n\t")
}
