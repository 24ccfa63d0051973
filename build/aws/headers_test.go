package aws_test

import (
	"fmt"
	"maps"
	"testing"

	"loa/site"
)

// The headers policy CloudFront applies says what site.SecurityHeaders
// says, header for header: serve sends that same list, so a preview
// answers as the deployed site does.
func TestSecurityHeadersMatchSite(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) { securityHeadersMatchSite(t, tmpl) })
}

func securityHeadersMatchSite(t *testing.T, tmpl obj) {
	cfg := get(t, resource(t, tmpl, "SecurityHeadersPolicy"), "Properties", "ResponseHeadersPolicyConfig").(obj)
	sec := cfg["SecurityHeadersConfig"].(obj)
	got := map[string]string{}
	for name, v := range sec {
		c := v.(obj)
		if c["Override"] != true {
			t.Errorf("%s: Override is not true", name)
		}
		switch name {
		case "ContentSecurityPolicy":
			got["Content-Security-Policy"] = fmt.Sprint(c["ContentSecurityPolicy"])
		case "ContentTypeOptions":
			got["X-Content-Type-Options"] = "nosniff"
		case "FrameOptions":
			got["X-Frame-Options"] = fmt.Sprint(c["FrameOption"])
		case "ReferrerPolicy":
			got["Referrer-Policy"] = fmt.Sprint(c["ReferrerPolicy"])
		case "StrictTransportSecurity":
			v := fmt.Sprintf("max-age=%v", c["AccessControlMaxAgeSec"])
			if c["IncludeSubdomains"] == true {
				v += "; includeSubDomains"
			}
			if c["Preload"] == true {
				v += "; preload"
			}
			got["Strict-Transport-Security"] = v
		default:
			t.Errorf("SecurityHeadersConfig.%s: not in site.SecurityHeaders; add it there", name)
		}
	}
	for _, it := range list(get(t, cfg, "CustomHeadersConfig", "Items")) {
		h := it.(obj)
		got[fmt.Sprint(h["Header"])] = fmt.Sprint(h["Value"])
	}
	want := map[string]string{}
	for _, h := range site.SecurityHeaders {
		want[h.Name] = h.Value
	}
	if !maps.Equal(got, want) {
		t.Errorf("the template's headers policy:\n%v\nsite.SecurityHeaders:\n%v", got, want)
	}
}

// The key of receipt codes is a generated secret beside the origin
// secret, kept when the stack goes, and the function reads it.
func TestReceiptKey(t *testing.T) {
	eachStack(t, func(t *testing.T, name string, tmpl obj) {
		key := resource(t, tmpl, "ReceiptKey")
		if key["Type"] != "AWS::SecretsManager::Secret" || key["DeletionPolicy"] != "Retain" || get(t, key, "Properties", "GenerateSecretString") == nil {
			t.Errorf("ReceiptKey: %v", key)
		}
		env := get(t, resource(t, tmpl, "FormsFunction"), "Properties", "Environment", "Variables").(obj)
		if want := (obj{"Fn::Sub": "{{resolve:secretsmanager:${ReceiptKey}:SecretString}}"}); !equal(env["LOA_RECEIPT_KEY"], want) {
			t.Errorf("LOA_RECEIPT_KEY = %v, want %v", env["LOA_RECEIPT_KEY"], want)
		}
	})
}
