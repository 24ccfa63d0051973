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

// seen is what the handler behind the adapter received.
type seen struct {
	method, path, remote, accept, contentType, body string
	cookies                                         int
}

func adapt(t *testing.T, ev events.APIGatewayV2HTTPRequest) (seen, events.APIGatewayV2HTTPResponse) {
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
	resp, err := Wrap(h)(context.Background(), ev)
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

func TestWrap(t *testing.T) {
	const form = "ho_ten=Nguy%E1%BB%85n+V%C4%83n+A&dong_y=co"
	headers := map[string]string{
		"content-type": "application/x-www-form-urlencoded",
		"accept":       "text/html, application/json;q=0.9",
	}

	s, resp := adapt(t, event(form, false, headers))
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
	s, _ = adapt(t, event(base64.StdEncoding.EncodeToString([]byte(form)), true, headers))
	if s.body != form {
		t.Errorf("base64 body: handler saw %q, want %q", s.body, form)
	}

	// An IPv6 source: RemoteAddr in brackets, port 0.
	ev := event(form, false, headers)
	ev.RequestContext.HTTP.SourceIP = "2001:db8::7"
	if s, _ = adapt(t, ev); s.remote != "[2001:db8::7]:0" {
		t.Errorf("RemoteAddr = %q, want [2001:db8::7]:0", s.remote)
	}
}

// The invocation's deadline reaches the handler's request: an export uses
// it to stop reading in time and save what it read (report.Incomplete).
func TestWrapKeepsDeadline(t *testing.T) {
	deadline := time.Now().Add(29 * time.Second)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	var got time.Time
	var ok bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok = r.Context().Deadline()
		w.WriteHeader(http.StatusNoContent)
	})
	if _, err := Wrap(h)(ctx, event("", false, nil)); err != nil {
		t.Fatal(err)
	}
	if !ok || !got.Equal(deadline) {
		t.Errorf("request deadline %v (set %v), want %v", got, ok, deadline)
	}
}

// The answer: status, headers, cookies apart, and a binary body in base64.
func TestWrapAnswer(t *testing.T) {
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
	resp, err := Wrap(h)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if query != "cau-hoi" || resp.StatusCode != http.StatusOK || resp.Body != "Cảm ơn" || resp.IsBase64Encoded ||
		strings.Join(resp.Cookies, " ") != "a=1 b=2" || resp.Headers["Vary"] != "Accept,Accept-Encoding" ||
		resp.Headers["Set-Cookie"] != "" || !strings.HasPrefix(resp.Headers["Content-Type"], "text/plain") {
		t.Errorf("query %q, answer %+v; want form=cau-hoi, 200, the text, two cookies apart, Vary joined, a sniffed text type", query, resp)
	}

	ev.RawPath = "/bin"
	if resp, _ = Wrap(h)(context.Background(), ev); !resp.IsBase64Encoded || resp.Body != "/wD+" {
		t.Errorf("binary answer %+v, want base64 /wD+", resp)
	}

	ev.Body, ev.IsBase64Encoded = "not base64!", true
	if resp, err = Wrap(h)(context.Background(), ev); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a body that is not base64: %+v, %v; want 400", resp, err)
	}
}
