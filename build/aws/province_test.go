package aws_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	loaaws "loa/build/aws"
	"loa/build/province"
	"loa/functions/service"
	"loa/functions/store"
)

// The province's stack (province.yaml): what it says beyond what both
// stacks say (eachStack in template_test.go).

func parseProvince(t *testing.T) obj {
	t.Helper()
	return parseFile(t, "province.yaml", loaaws.ProvinceTemplate)
}

// unitHeader is the header the router names the unit in, as the function
// is told to read it.
func unitHeader(t *testing.T, tmpl obj) string {
	t.Helper()
	env := get(t, resource(t, tmpl, "FormsFunction"), "Properties", "Environment", "Variables").(obj)
	h, _ := env["LOA_UNIT_HEADER"].(string)
	if h == "" {
		t.Fatal("province.yaml: FormsFunction has no LOA_UNIT_HEADER")
	}
	return h
}

// TestProvinceDistribution: one distribution answers for the province's
// domain and every subdomain with one wildcard certificate (two of the
// 100 alternate domain names, however many units), and every behavior
// goes through the router, which reads the hosts from UnitHosts; the
// page of published answers is cached per unit.
func TestProvinceDistribution(t *testing.T) {
	tmpl := parseProvince(t)
	if got := ofType(t, tmpl, "AWS::CloudFront::Distribution"); !equal(got, []string{"Distribution"}) {
		t.Fatalf("province.yaml: distributions %v, want one", got)
	}
	cfg := get(t, resource(t, tmpl, "Distribution"), "Properties", "DistributionConfig").(obj)
	aliases := list(cfg["Aliases"])
	if want := []any{ref("ProvinceDomain"), obj{"Fn::Sub": "*.${ProvinceDomain}"}}; !equal(aliases, want) {
		t.Errorf("province.yaml: Aliases %v, want %v", aliases, want)
	}
	if len(aliases) > 100 {
		t.Errorf("province.yaml: %d alternate domain names, CloudFront allows 100", len(aliases))
	}
	cert := get(t, cfg, "ViewerCertificate").(obj)
	if !equal(cert["AcmCertificateArn"], ref("CertificateArn")) || cert["SslSupportMethod"] != "sni-only" || cert["MinimumProtocolVersion"] != "TLSv1.2_2021" {
		t.Errorf("province.yaml: ViewerCertificate %v, want the CertificateArn parameter, SNI, TLS 1.2", cert)
	}
	if p := get(t, tmpl, "Parameters", "CertificateArn", "AllowedPattern").(string); !strings.Contains(p, ":acm:us-east-1:") {
		t.Errorf("province.yaml: CertificateArn pattern %q, want an ACM certificate of us-east-1 (CloudFront's)", p)
	}

	router := getAtt("UnitRouterFunction", "FunctionMetadata.FunctionARN")
	behaviors := map[string]obj{"default": cfg["DefaultCacheBehavior"].(obj)}
	for _, b := range list(cfg["CacheBehaviors"]) {
		behaviors[b.(obj)["PathPattern"].(string)] = b.(obj)
	}
	for _, p := range []string{"default", "/assets/*", "/api/*", "/hoi-dap/*", "/hoi-dap"} {
		b := behaviors[p]
		if b == nil {
			t.Errorf("province.yaml: no %s behavior", p)
			continue
		}
		fa := list(b["FunctionAssociations"])
		if len(fa) != 1 || fa[0].(obj)["EventType"] != "viewer-request" || !equal(fa[0].(obj)["FunctionARN"], router) {
			t.Errorf("province.yaml: %s behavior's functions %v, want the router on viewer-request", p, fa)
		}
	}
	if len(behaviors) != 5 {
		t.Errorf("province.yaml: behaviors %v, each must go through the router", slices.Sorted(func(yield func(string) bool) {
			for k := range behaviors {
				if !yield(k) {
					return
				}
			}
		}))
	}

	fn := get(t, resource(t, tmpl, "UnitRouterFunction"), "Properties").(obj)
	kvs := list(get(t, fn, "FunctionConfig", "KeyValueStoreAssociations"))
	if len(kvs) != 1 || !equal(kvs[0].(obj)["KeyValueStoreARN"], getAtt("UnitHosts", "Arn")) {
		t.Errorf("province.yaml: the router's key value stores %v, want UnitHosts", kvs)
	}
	if r := resource(t, tmpl, "UnitHosts"); r["Type"] != "AWS::CloudFront::KeyValueStore" {
		t.Errorf("province.yaml: UnitHosts is a %v", r["Type"])
	}
	if got := get(t, tmpl, "Outputs", "UnitHostsArn", "Value"); !equal(got, getAtt("UnitHosts", "Arn")) {
		t.Errorf("province.yaml: output UnitHostsArn = %v (publish writes the hosts there)", got)
	}

	// /hoi-dap/ is one path for every unit: the unit header must be in
	// its cache key, or one unit's answers would be shown on another's.
	h := unitHeader(t, tmpl)
	for _, p := range []string{"/hoi-dap/*", "/hoi-dap"} {
		id, _ := behaviors[p]["CachePolicyId"].(obj)["Ref"].(string)
		hc := get(t, resource(t, tmpl, id), "Properties", "CachePolicyConfig", "ParametersInCacheKeyAndForwardedToOrigin", "HeadersConfig").(obj)
		if hc["HeaderBehavior"] != "whitelist" || !slices.Contains(list(hc["Headers"]), any(h)) {
			t.Errorf("province.yaml: %s cache key headers %v, want %s", p, hc, h)
		}
	}
	if api := behaviors["/api/*"]; api["OriginRequestPolicyId"] != allViewerExceptHostHeader {
		t.Errorf("province.yaml: /api/* origin request policy %v, want AllViewerExceptHostHeader (it forwards the router's %s)", api["OriginRequestPolicyId"], h)
	}
}

// TestProvinceFunction: the one function serves the province, naming
// each request's unit by the router's header, with no shared staff
// secret; and service.FromEnv, which the Lambda runs, takes these
// settings as a province's.
func TestProvinceFunction(t *testing.T) {
	tmpl := parseProvince(t)
	if _, ok := get(t, tmpl, "Parameters").(obj)["StaffSecretHash"]; ok {
		t.Error("province.yaml: a StaffSecretHash parameter: one secret would open every unit")
	}
	env := get(t, resource(t, tmpl, "FormsFunction"), "Properties", "Environment", "Variables").(obj)
	if _, ok := env["LOA_STAFF_SECRET_HASH"]; ok {
		t.Error("province.yaml: LOA_STAFF_SECRET_HASH is set")
	}
	if env["LOA_PROVINCE"] != "true" || env["LOA_UNIT_HEADER"] != "X-Loa-Unit" {
		t.Errorf("province.yaml: LOA_PROVINCE %v, LOA_UNIT_HEADER %v, want true and X-Loa-Unit", env["LOA_PROVINCE"], env["LOA_UNIT_HEADER"])
	}
	// The SDK reads its region and keys from the environment; nothing is
	// sent anywhere.
	t.Setenv("AWS_REGION", "ap-southeast-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	vars := map[string]string{"LOA_BUCKET": "loa-data", "LOA_PREFIX": "loa/", "LOA_ORIGIN_SECRET": "bi-mat"}
	for k, v := range env {
		if s, ok := v.(string); ok {
			vars[k] = s
		}
	}
	cfg, err := service.FromEnv(context.Background(), func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("service.FromEnv with province.yaml's settings: %v", err)
	}
	if cfg.Units == nil || cfg.UnitHeader != "X-Loa-Unit" || cfg.StaffSecretHash != "" {
		t.Errorf("service.FromEnv with province.yaml's settings: units %v, unit header %q: not a province's", cfg.Units != nil, cfg.UnitHeader)
	}
	if p := get(t, tmpl, "Parameters", "KeyPrefix").(obj); p["Default"] == "" || !strings.HasSuffix(p["AllowedPattern"].(string), "/$") || strings.Contains(p["AllowedPattern"].(string), ")?") {
		t.Errorf("province.yaml: KeyPrefix %v, want a prefix that cannot be empty (the units are listed under it)", p)
	}
}

// objectKinds are the store's kinds of object, by the folder of a unit
// they live in ("digest-sent" is under digest/).
func objectKinds() map[string][]string {
	dirs := map[string][]string{}
	for _, k := range store.Kinds {
		dir := k
		if k == "digest-sent" {
			dir = "digest"
		}
		if store.KindOf(dir+"/x") != k && store.KindOf(dir+"/sent/x") != k {
			panic("store.KindOf does not know " + k)
		}
		dirs[dir] = append(dirs[dir], k)
	}
	return dirs
}

// TestProvinceLeastPrivilege: the function's role, across every unit, is
// the ward's: its own kinds of object only, every write tagged with its
// kind (so none escapes its retention), the units' content read only, the
// audit log append-only, and listing only under its own kinds and of the
// units' names.
func TestProvinceLeastPrivilege(t *testing.T) {
	tmpl := parseProvince(t)
	role := get(t, resource(t, tmpl, "FormsFunctionRole"), "Properties").(obj)
	if _, ok := role["ManagedPolicyArns"]; ok {
		t.Error("province.yaml: the function role has managed policies")
	}
	dirs := objectKinds()
	res := func(dir string) obj { return obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}*/" + dir + "/*"} }
	audit := res("audit")
	content := obj{"Fn::Sub": "${SubmissionsBucket.Arn}/${KeyPrefix}*/content.zip"}
	writes := map[string]bool{} // kinds a tagged write is allowed for
	var readDelete []any
	var auditPut, auditDenied, listed, listedUnits bool
	for _, p := range list(role["Policies"]) {
		for _, raw := range list(get(t, p, "PolicyDocument", "Statement")) {
			s := whenOn(raw)
			actions := list(s["Action"])
			if s["Effect"] == "Deny" {
				if equal(list(s["Resource"])[0], audit) && slices.Contains(actions, any("s3:DeleteObject")) {
					auditDenied = true
				}
				continue
			}
			if _, ok := s["NotAction"]; ok {
				t.Errorf("statement %v uses NotAction", s["Sid"])
			}
			if _, ok := s["NotResource"]; ok {
				t.Errorf("statement %v uses NotResource", s["Sid"])
			}
			for _, a := range actions {
				if strings.Contains(a.(string), "*") {
					t.Errorf("statement %v: wildcard action %v", s["Sid"], a)
				}
			}
			sort.Slice(actions, func(i, j int) bool { return actions[i].(string) < actions[j].(string) })
			switch {
			case equal(actions, []any{"s3:DeleteObject", "s3:GetObject"}):
				readDelete = list(s["Resource"])
			case equal(actions, []any{"s3:PutObject", "s3:PutObjectTagging"}):
				r := s["Resource"]
				cond, _ := s["Condition"].(obj)
				eq, _ := cond["StringEquals"].(obj)
				tags := list(eq["s3:RequestObjectTag/"+store.TagKey])
				if equal(r, audit) {
					auditPut = equal(cond["Null"], obj{"s3:if-none-match": "false"}) && equal(tags, []any{"audit"})
					if !auditPut {
						t.Errorf("province.yaml: %v: audit records written with condition %v, want If-None-Match and the tag audit", s["Sid"], cond)
					}
					continue
				}
				dir := ""
				for d := range dirs {
					if equal(r, res(d)) {
						dir = d
					}
				}
				want := dirs[dir]
				got := make([]string, len(tags))
				for i, v := range tags {
					got[i], _ = v.(string)
				}
				if dir == "" || len(cond) != 1 || !slices.Equal(got, want) {
					t.Errorf("province.yaml: %v: writes %v with condition %v, want one kind's folder and its tags %v", s["Sid"], r, cond, want)
					continue
				}
				for _, k := range got {
					writes[k] = true
				}
			case equal(actions, []any{"s3:GetObject"}):
				if !equal(s["Resource"], audit) && !equal(s["Resource"], content) {
					t.Errorf("province.yaml: %v: reads %v, want the audit log or the units' content", s["Sid"], s["Resource"])
				}
			case equal(actions, []any{"s3:ListBucket"}):
				if !equal(s["Resource"], getAtt("SubmissionsBucket", "Arn")) {
					t.Errorf("province.yaml: %v: lists %v", s["Sid"], s["Resource"])
				}
				if like, ok := get(t, s, "Condition").(obj)["StringLike"].(obj); ok {
					listed = true
					for _, pfx := range list(like["s3:prefix"]) {
						p := pfx.(obj)["Fn::Sub"].(string)
						rest, ok := strings.CutPrefix(p, "${KeyPrefix}*/")
						d, _, _ := strings.Cut(rest, "/")
						if _, kind := dirs[d]; !ok || !(kind || d == "audit" || rest == "content.zip") {
							t.Errorf("province.yaml: %v lists %s, want the units' own kinds", s["Sid"], p)
						}
					}
					continue
				}
				want := obj{"StringEquals": obj{"s3:prefix": ref("KeyPrefix"), "s3:delimiter": "/"}}
				listedUnits = equal(s["Condition"], want)
				if !listedUnits {
					t.Errorf("province.yaml: %v: condition %v, want %v", s["Sid"], s["Condition"], want)
				}
			case equal(actions, []any{"logs:CreateLogStream", "logs:PutLogEvents"}):
				if !equal(s["Resource"], getAtt("FormsLogGroup", "Arn")) {
					t.Errorf("province.yaml: logs on %v", s["Resource"])
				}
			case equal(actions, []any{"ses:SendEmail"}):
				// TestDigestSchedule.
			default:
				t.Errorf("province.yaml: statement %v allows %v", s["Sid"], actions)
			}
		}
	}
	for _, k := range store.Kinds {
		if k != "audit" && !writes[k] {
			t.Errorf("province.yaml: the function may not write the store's objects of kind %s (tagged %s=%s)", k, store.TagKey, k)
		}
	}
	var wantRD []any
	for d := range dirs {
		if d != "audit" {
			wantRD = append(wantRD, res(d))
		}
	}
	if len(readDelete) != len(wantRD) {
		t.Errorf("province.yaml: get and delete on %v, want %v", readDelete, wantRD)
	}
	for _, r := range readDelete {
		if !slices.ContainsFunc(wantRD, func(w any) bool { return equal(w, r) }) {
			t.Errorf("province.yaml: get and delete on %v: not one of the store's kinds (or the audit log)", r)
		}
	}
	if !auditPut || !auditDenied || !listed || !listedUnits {
		t.Errorf("province.yaml: audit appended %v, its deletion denied %v, kinds listed %v, units listed %v; want all", auditPut, auditDenied, listed, listedUnits)
	}
}

// TestProvinceRetention: retention per unit by the store's tags: one rule
// per kind that expires, none by prefix (it would reach no unit), and the
// same days as a ward's.
func TestProvinceRetention(t *testing.T) {
	tmpl := parseProvince(t)
	b := resource(t, tmpl, "SubmissionsBucket")
	if b["DeletionPolicy"] != "Retain" || get(t, b, "Properties", "VersioningConfiguration", "Status") != "Enabled" {
		t.Errorf("province.yaml: SubmissionsBucket DeletionPolicy %v, versioning %v", b["DeletionPolicy"], get(t, b, "Properties", "VersioningConfiguration"))
	}
	type days struct{ expire, old any }
	want := map[string]days{
		"submissions": {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"quota":       {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"answers":     {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"marks":       {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"checkins":    {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"guests":      {ref("RetentionDays"), ref("DeletedRetentionDays")},
		"snapshots":   {ref("RetentionDays"), 1},
		"audit":       {ref("AuditRetentionDays"), 1},
		"digest-sent": {7, 1},
		"exports":     {1, 1},
	}
	got := map[string]days{}
	for _, r := range list(get(t, b, "Properties", "LifecycleConfiguration", "Rules")) {
		r := r.(obj)
		if r["Prefix"] != nil {
			t.Errorf("province.yaml: rule %v expires by prefix %v, which no unit's key starts with", r["Id"], r["Prefix"])
		}
		tags := list(r["TagFilters"])
		if r["TagFilters"] == nil {
			continue
		}
		tag := tags[0].(obj)
		if len(tags) != 1 || tag["Key"] != store.TagKey || r["Status"] != "Enabled" {
			t.Errorf("province.yaml: rule %v: %v", r["Id"], r)
			continue
		}
		kind, _ := tag["Value"].(string)
		if !slices.Contains(store.Kinds, kind) {
			t.Errorf("province.yaml: rule %v expires %s=%s, which the store never writes (store.Kinds)", r["Id"], store.TagKey, kind)
		}
		got[kind] = days{r["ExpirationInDays"], get(t, r, "NoncurrentVersionExpiration", "NoncurrentDays")}
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !equal(g, w) {
			t.Errorf("province.yaml: %s expires after %v (old versions %v), want %v and %v", k, g.expire, g.old, w.expire, w.old)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("province.yaml: %s expires: accounts and the digest's addresses are kept until removed", k)
		}
	}
}

// TestUnitRouterFunction runs the router's code under Node.js, with a
// stand-in for CloudFront's key value store holding sample hosts: each
// host to its unit's prefix, the province's host to the province page,
// an unknown host to a 404 page, the unit header set from the host over
// whatever the viewer sent, and no path out of the unit's prefix.
func TestUnitRouterFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node (Node.js) is not on PATH: install Debian's nodejs package (.ci/run does)")
	}
	tmpl := parseProvince(t)
	fn := get(t, resource(t, tmpl, "UnitRouterFunction"), "Properties").(obj)
	if rt := get(t, fn, "FunctionConfig", "Runtime"); rt != "cloudfront-js-2.0" {
		t.Errorf("runtime %v, want cloudfront-js-2.0 (key value stores need it)", rt)
	}
	sub := list(get(t, fn, "FunctionCode").(obj)["Fn::Sub"])
	if len(sub) != 2 || !equal(sub[1], obj{"Domain": ref("ProvinceDomain")}) {
		t.Fatalf("FunctionCode = !Sub %v, want the code and Domain: !Ref ProvinceDomain", sub)
	}
	code := strings.ReplaceAll(sub[0].(string), "${Domain}", "hungyen.example.vn")
	const imp = "import cf from 'cloudfront';\n"
	if !strings.HasPrefix(code, imp) {
		t.Fatalf("the router's code does not start with %q", imp)
	}
	// CloudFront's module, standing in: get answers a key's value, and
	// throws for a key it does not hold, as the real one does.
	kvs := map[string]string{
		"phuong-bach-sam.hungyen.example.vn": "phuong-bach-sam",
		"xa-nghia-tru.hungyen.example.vn":    "xa-nghia-tru",
		"hungyen.example.vn":                 province.PageDir,
		"xau.hungyen.example.vn":             "../phuong-bach-sam",
	}
	kb, _ := json.Marshal(kvs)
	script := "const entries = " + string(kb) + ";\n" +
		"const cf = { kvs: () => ({ get: async (k) => { if (!Object.prototype.hasOwnProperty.call(entries, k)) throw new Error('key not found'); return entries[k]; } }) };\n" +
		strings.TrimPrefix(code, imp) +
		"\nconst events = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n" +
		"(async () => { const out = []; for (const e of events) out.push(await handler(e)); process.stdout.write(JSON.stringify(out)); })();\n"

	type hv struct {
		Value string `json:"value"`
	}
	type request struct {
		URI         string         `json:"uri"`
		Headers     map[string]hv  `json:"headers"`
		Querystring map[string]any `json:"querystring"`
	}
	const a, b, p = "phuong-bach-sam.hungyen.example.vn", "xa-nghia-tru.hungyen.example.vn", "hungyen.example.vn"
	cases := []struct {
		host, uri, spoof string
		want             string // the rewritten URI; "301 …" a redirect; "404": refused; "404 unit": no unit
		unit             string // the unit header the forms must see ("" none)
	}{
		{a, "/", "", "/phuong-bach-sam/index.html", ""},
		{a, "/thong-bao/", "", "/phuong-bach-sam/thong-bao/index.html", ""},
		{"Phuong-Bach-Sam.HungYen.example.vn:443", "/thong-bao/", "", "/phuong-bach-sam/thong-bao/index.html", ""},
		{b, "/thong-bao/", "", "/xa-nghia-tru/thong-bao/index.html", ""},
		{b, "/thong-bao/", "phuong-bach-sam", "/xa-nghia-tru/thong-bao/index.html", ""},
		{b, "/assets/site.0123456789ab.css", "", "/xa-nghia-tru/assets/site.0123456789ab.css", ""},
		{b, "/thong-bao", "", "301 /thong-bao/", ""},
		{p, "/", "", "/_tinh/index.html", ""},
		{a, "/api/forms/cau-hoi", "", "/api/forms/cau-hoi", "phuong-bach-sam"},
		{a, "/api/export/cau-hoi", "xa-nghia-tru", "/api/export/cau-hoi", "phuong-bach-sam"},
		{b, "/hoi-dap/", "phuong-bach-sam", "/api/hoi-dap", "xa-nghia-tru"},
		{b, "/hoi-dap", "", "301 /hoi-dap/", ""},
		{b, "/hoi-dap/x", "", "/api/hoi-dap/not-found", "xa-nghia-tru"},
		{p, "/api/tinh/so-lieu", "", "/api/tinh/so-lieu", province.PageDir},
		// Unknown hosts: a 404 page pointing to the province's.
		{"phuong-khong-co.hungyen.example.vn", "/", "", "404 unit", ""},
		{"d111111abcdef8.cloudfront.net", "/api/forms/cau-hoi", "phuong-bach-sam", "404 unit", ""},
		{"", "/", "", "404 unit", ""},
		{"xau.hungyen.example.vn", "/", "", "404 unit", ""},
		// No path leaves the unit's prefix.
		{a, "/../xa-nghia-tru/thong-bao/", "", "404", ""},
		{a, "/thong-bao/../../xa-nghia-tru/", "", "404", ""},
		{a, "/%2e%2e/xa-nghia-tru/index.html", "", "404", ""},
		{a, "/%2E%2E%2Fxa-nghia-tru%2Findex.html", "", "404", ""},
		{a, "/./thong-bao/", "", "404", ""},
		{a, "/api/../xa-nghia-tru/index.html", "", "404", ""},
		{a, `/\evil.example/x`, "", "404", ""},
		{a, "/%5Cevil.example/x", "", "404", ""},
		{a, "//evil.example/x", "", "301 /evil.example/x/", ""},
		{a, "/%2F%2Fevil.example", "", "404", ""},
		{a, "/a%0d%0aLocation:x", "", "404", ""},
		{a, "/%zz", "", "404", ""},
		{a, "/..%2f", "", "404", ""},
	}
	var events []any
	for _, c := range cases {
		h := map[string]hv{}
		if c.host != "" {
			h["host"] = hv{c.host}
		}
		if c.spoof != "" {
			h["x-loa-unit"] = hv{c.spoof}
		}
		events = append(events, map[string]any{"request": request{URI: c.uri, Headers: h, Querystring: map[string]any{}}})
	}
	in, _ := json.Marshal(events)
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []struct {
		URI        string        `json:"uri"`
		StatusCode int           `json:"statusCode"`
		Headers    map[string]hv `json:"headers"`
		Body       struct {
			Data string `json:"data"`
		} `json:"body"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != len(cases) {
		t.Fatalf("node answered %d events, want %d", len(got), len(cases))
	}
	for i, c := range cases {
		g := got[i]
		what := c.host + " " + c.uri
		switch {
		case c.want == "404 unit":
			if g.StatusCode != 404 || !strings.Contains(g.Body.Data, "Không có xã, phường nào ở địa chỉ này") || !strings.Contains(g.Body.Data, `href="https://hungyen.example.vn/"`) {
				t.Errorf("%s: %d %q, want a 404 page that points to the province's", what, g.StatusCode, g.Body.Data)
			}
		case c.want == "404":
			if g.StatusCode != 404 || g.Headers["location"].Value != "" {
				t.Errorf("%s: %d uri %q, want it refused with a 404", what, g.StatusCode, g.URI)
			}
		case strings.HasPrefix(c.want, "301 "):
			if loc := g.Headers["location"].Value; g.StatusCode != 301 || loc != strings.TrimPrefix(c.want, "301 ") || !sameSite(loc) {
				t.Errorf("%s: %d to %q, want %s", what, g.StatusCode, loc, c.want)
			}
		default:
			if g.StatusCode != 0 || g.URI != c.want {
				t.Errorf("%s: %d uri %q, want the request for %q", what, g.StatusCode, g.URI, c.want)
			}
			if u := g.Headers[strings.ToLower(unitHeader(t, tmpl))].Value; u != c.unit {
				t.Errorf("%s: unit header %q, want %q", what, u, c.unit)
			}
		}
	}
}
