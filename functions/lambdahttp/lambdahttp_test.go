package lambdahttp

import (
	"context"
	"encoding/base64"
	"fmt"
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
	resp, err := Adapt(h, Door{IPHeader: ipHeader})(context.Background(), ev)
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
	if _, err := Adapt(h, Door{})(ctx, event("", false, nil)); err != nil {
		t.Fatal(err)
	}
	if !ok || !got.Equal(deadline) {
		t.Errorf("request deadline %v (set %v), want %v", got, ok, deadline)
	}
}

// The answer: status, headers, cookies apart, and a binary body in base64.
func TestAdaptAnswer(t *testing.T) {
	var query string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.Query().Get("form")
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.Header().Add("Vary", "Accept")
		w.Header().Add("Vary", "Accept-Encoding")
		if r.URL.Path == "/bin" {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write([]byte{0xff, 0x00, 0xfe})
			return
		}
		w.Write([]byte("Cảm ơn"))
	})
	ev := event("", false, map[string]string{"host": "loa.example.vn"})
	ev.RawPath, ev.RawQueryString = "/api/export", "form=cau-hoi"
	resp, err := Adapt(h, Door{})(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if query != "cau-hoi" || resp.StatusCode != http.StatusOK || resp.Body != "Cảm ơn" || resp.IsBase64Encoded ||
		strings.Join(resp.Cookies, " ") != "a=1 b=2" || resp.Headers["Vary"] != "Accept,Accept-Encoding" ||
		resp.Headers["Set-Cookie"] != "" || !strings.HasPrefix(resp.Headers["Content-Type"], "text/plain") {
		t.Errorf("query %q, answer %+v; want form=cau-hoi, 200, the text, two cookies apart, Vary joined, a sniffed text type", query, resp)
	}

	ev.RawPath = "/bin"
	if resp, _ = Adapt(h, Door{})(context.Background(), ev); !resp.IsBase64Encoded || resp.Body != "/wD+" {
		t.Errorf("binary answer %+v, want base64 /wD+", resp)
	}

	ev.Body, ev.IsBase64Encoded = "not base64!", true
	if resp, err = Adapt(h, Door{})(context.Background(), ev); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a body that is not base64: %+v, %v; want 400", resp, err)
	}
}

// TestOriginDoor: with an origin secret, a request that does not carry it
// (one sent to the API's own address, not through CloudFront) is refused
// before the handler sees it, whatever viewer address it claims; with it,
// the viewer address is the client's.
func TestOriginDoor(t *testing.T) {
	const secret = "Jq3v8Yw1pZ0cX7rT5sN2mL4kH6gF9dB"
	var calls int
	var remotes = map[string]int{}
	var leaked bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		remotes[r.RemoteAddr]++
		if r.Header.Get(OriginHeader) != "" {
			leaked = true
		}
		w.WriteHeader(http.StatusOK)
	})
	fn := Adapt(h, Door{OriginSecret: secret, IPHeader: "CloudFront-Viewer-Address"})
	post := func(headers map[string]string) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := fn(context.Background(), event("ho_ten=An", false, headers))
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// 100 posts straight to the API, each posing as another viewer.
	for i := range 100 {
		hs := map[string]string{"cloudfront-viewer-address": fmt.Sprintf("203.0.113.%d:443", i)}
		switch i % 4 {
		case 1:
			hs["x-origin-verify"] = "doan-thu"
		case 2:
			hs["x-origin-verify"] = secret[:len(secret)-1]
		case 3:
			hs["x-origin-verify"] = secret + " "
		}
		if resp := post(hs); resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "trang chính thức") {
			t.Fatalf("post %d without the origin secret: %d %q, want 403", i, resp.StatusCode, resp.Body)
		}
	}
	if calls != 0 {
		t.Fatalf("the handler saw %d requests that did not come through CloudFront", calls)
	}

	// Through CloudFront: the secret (in any case of the header's name),
	// and the viewer address is the client.
	if resp := post(map[string]string{"X-Origin-Verify": secret, "CloudFront-Viewer-Address": "203.0.113.7:51000"}); resp.StatusCode != http.StatusOK {
		t.Fatalf("with the secret: %d", resp.StatusCode)
	}
	if resp := post(map[string]string{"x-origin-verify": secret}); resp.StatusCode != http.StatusOK {
		t.Fatalf("with the secret, no viewer header: %d", resp.StatusCode)
	}
	if remotes["203.0.113.7:0"] != 1 || remotes["198.51.100.20:0"] != 1 || calls != 2 {
		t.Errorf("clients seen %v, want the viewer 203.0.113.7 and the source 198.51.100.20 once each", remotes)
	}
	if leaked {
		t.Error("the handler was given the origin secret's header")
	}

	// Without an origin secret (serve, tests) nothing changes.
	calls = 0
	open := Adapt(h, Door{IPHeader: "CloudFront-Viewer-Address"})
	if resp, _ := open(context.Background(), event("", false, map[string]string{"cloudfront-viewer-address": "203.0.113.9:1"})); resp.StatusCode != http.StatusOK || calls != 1 || remotes["203.0.113.9:0"] != 1 {
		t.Errorf("no origin secret: %d, %d calls, clients %v", resp.StatusCode, calls, remotes)
	}
}
