package lambdahttp

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := ConfigFromEnv(env(map[string]string{
		"LOA_BUCKET":           "loa-forms",
		"LOA_PREFIX":           "loa/",
		"LOA_CLIENT_IP_HEADER": "CloudFront-Viewer-Address",
		"LOA_NOW":              "2023-04-05T09:00:00+07:00",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2023, 4, 5, 2, 0, 0, 0, time.UTC)
	if cfg.Bucket != "loa-forms" || cfg.Prefix != "loa/" || cfg.ClientIPHeader != "CloudFront-Viewer-Address" ||
		cfg.S3Endpoint != "" || !cfg.Now.Equal(want) {
		t.Errorf("config = %+v", cfg)
	}

	for name, m := range map[string]map[string]string{
		"LOA_BUCKET": {},
		"LOA_NOW":    {"LOA_BUCKET": "b", "LOA_NOW": "5/4/2023"},
	} {
		if _, err := ConfigFromEnv(env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v, want one naming %s", m, err, name)
		}
	}
}

// seen is what the handler behind the adapter received.
type seen struct {
	method, path, remote, accept, contentType, body string
	cookies                                         int
}

func adapt(t *testing.T, ipHeader string, ev events.APIGatewayV2HTTPRequest) (seen, events.APIGatewayV2HTTPResponse) {
	t.Helper()
	var s seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s = seen{
			method: r.Method, path: r.URL.Path, remote: r.RemoteAddr,
			accept: r.Header.Get("Accept"), contentType: r.Header.Get("Content-Type"),
			body: string(b), cookies: len(r.Cookies()),
		}
		w.Header().Set("Location", "/bieu-mau/cau-hoi/cam-on/")
		w.WriteHeader(http.StatusSeeOther)
	})
	resp, err := Adapt(h, ipHeader)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return s, resp
}

func event(body string, b64 bool, headers map[string]string) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/api/forms/cau-hoi",
		Headers: headers, Body: body, IsBase64Encoded: b64,
		Cookies: []string{"a=1", "b=2"},
	}
	ev.RequestContext.HTTP.Method = "POST"
	ev.RequestContext.HTTP.Path = "/api/forms/cau-hoi"
	ev.RequestContext.HTTP.SourceIP = "198.51.100.20"
	return ev
}

func TestAdapt(t *testing.T) {
	const form = "ho_ten=Nguy%E1%BB%85n+V%C4%83n+A&dong_y=co"
	headers := map[string]string{
		"content-type": "application/x-www-form-urlencoded",
		"accept":       "text/html, application/json;q=0.9",
	}

	s, resp := adapt(t, "", event(form, false, headers))
	want := seen{
		method: "POST", path: "/api/forms/cau-hoi", remote: "198.51.100.20:0",
		accept: "text/html, application/json;q=0.9", contentType: "application/x-www-form-urlencoded",
		body: form, cookies: 2,
	}
	if s != want {
		t.Errorf("handler saw\n%+v\nwant\n%+v", s, want)
	}
	if resp.StatusCode != http.StatusSeeOther || resp.Headers["Location"] != "/bieu-mau/cau-hoi/cam-on/" {
		t.Errorf("response = %+v", resp)
	}

	// A Function URL sends a form body base64-encoded: the handler sees the bytes.
	s, _ = adapt(t, "", event(base64.StdEncoding.EncodeToString([]byte(form)), true, headers))
	if s.body != form {
		t.Errorf("base64 body: handler saw %q, want %q", s.body, form)
	}

	// Behind CloudFront the viewer's address is in the header; without it, sourceIp.
	headers["cloudfront-viewer-address"] = "2001:db8::7:46532"
	if s, _ = adapt(t, "CloudFront-Viewer-Address", event(form, false, headers)); s.remote != "[2001:db8::7]:0" {
		t.Errorf("RemoteAddr = %q, want the viewer's address", s.remote)
	}
	delete(headers, "cloudfront-viewer-address")
	if s, _ = adapt(t, "CloudFront-Viewer-Address", event(form, false, headers)); s.remote != "198.51.100.20:0" {
		t.Errorf("RemoteAddr = %q, want sourceIp when the header is missing", s.remote)
	}
}

// The invocation's deadline reaches the handler's request: an export uses
// it to stop reading in time and save what it read (report.Incomplete).
func TestAdaptKeepsDeadline(t *testing.T) {
	deadline := time.Now().Add(29 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var got time.Time
	var ok bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = r.Context().Deadline()
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := Adapt(h, "")(ctx, event("", false, nil)); err != nil {
		t.Fatal(err)
	}
	if !ok || !got.Equal(deadline) {
		t.Errorf("request deadline %v (set %v), want %v", got, ok, deadline)
	}
}
