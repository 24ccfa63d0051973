package handler_test

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"loa/site"
)

// A lookup is a POST, from the script and from the form without it: the
// digits of a phone or an email are never in an address (CloudFront's
// logs keep the query string). A GET, from an old link, is sent to the
// lookup page with the code alone.
func TestLookupIsPost(t *testing.T) {
	e := newEnv(t, nil)
	code, _ := e.submitCode(question(1))
	if st, l := e.lookup(code, "5678"); st != http.StatusOK || !l.OK {
		t.Fatalf("POST lookup: %d %+v", st, l)
	}
	get := httptest.NewRequest("GET", "/api/tra-cuu?"+url.Values{"ma": {code}, "so": {"5678"}}.Encode(), nil)
	a := e.do(get)
	if loc := a.header.Get("Location"); a.code != http.StatusSeeOther || loc != "/tra-cuu/?ma="+code {
		t.Errorf("GET with the digits: %d to %q, want 303 to the lookup page with the code alone", a.code, loc)
	}
	if strings.Contains(a.body, "Đã nhận") {
		t.Error("a GET was answered with the question's status")
	}
	get = httptest.NewRequest("GET", "/api/tra-cuu?"+url.Values{"ma": {code}, "so": {"5678"}}.Encode(), nil)
	get.Header.Set("Accept", "application/json")
	if a := e.do(get); a.code != http.StatusMethodNotAllowed || a.header.Get("Allow") != "POST" {
		t.Errorf("GET from a program: %d, Allow %q", a.code, a.header.Get("Allow"))
	}

	form, err := e.reg.RenderLayout("lookup-page", struct{ Code string }{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(form), `method="post" action="/api/tra-cuu"`) {
		t.Errorf("the lookup form does not post:\n%s", form)
	}
	b, err := fs.ReadFile(site.FS(), "assets/js/lookup.js")
	if err != nil {
		t.Fatal(err)
	}
	if js := string(b); !strings.Contains(js, `method: "POST"`) || strings.Contains(js, `form.action + "?"`) {
		t.Error("lookup.js does not send the lookup as a POST body")
	}
}
