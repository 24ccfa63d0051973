package localstore

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// A plain read is answered by plainReads with gofakes3's status, body and
// headers, less those no client of the store reads; every other read is
// gofakes3's own answer.
func TestPlainReadsAnswerAsGofakes3(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("b"); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	fast := &plainReads{backend: backend, next: faker.Server()}
	slow := faker.Server()
	body := strings.Repeat("Nguyễn Văn A,0912345678,câu hỏi; ", 30)
	put := httptest.NewRequest(http.MethodPut, "/b/loa/submissions/cau-hoi/a%20b.csv", strings.NewReader(body))
	put.Header.Set("Content-Length", strconv.Itoa(len(body)))
	put.Header.Set("Content-Type", "text/csv; charset=utf-8")
	put.Header.Set("X-Amz-Meta-Consent", "v2")
	put.Header.Set("X-Amz-Server-Side-Encryption", "AES256")
	rec := httptest.NewRecorder()
	slow.ServeHTTP(rec, put)
	if rec.Code != http.StatusOK {
		t.Fatalf("put: %d %s", rec.Code, rec.Body)
	}
	serve := func(h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	// Headers that only gofakes3's own answer has, or whose value is a
	// counter of its own.
	own := func(k string) bool {
		return k == "X-Amz-Id-2" || k == "Server" || k == "X-Amz-Request-Id" || strings.HasPrefix(k, "Access-Control-")
	}
	for _, target := range []string{"/b/loa/submissions/cau-hoi/a%20b.csv?x-id=GetObject", "/b/loa/submissions/cau-hoi/a%20b.csv"} {
		got, want := serve(fast, http.MethodGet, target, nil), serve(slow, http.MethodGet, target, nil)
		if got.Code != want.Code || !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || got.Body.String() != body {
			t.Errorf("%s: %d, %d bytes; gofakes3 %d, %d bytes", target, got.Code, got.Body.Len(), want.Code, want.Body.Len())
		}
		if got.Header().Get("Server") != "" || got.Header().Get("X-Amz-Request-Id") == "" {
			t.Errorf("%s: not answered by plainReads (headers %v)", target, got.Header())
		}
		for k, v := range want.Header() {
			if !own(k) && strings.Join(got.Header()[k], ",") != strings.Join(v, ",") {
				t.Errorf("%s: %s is %q, gofakes3 sends %q", target, k, got.Header()[k], v)
			}
		}
		for k := range got.Header() {
			if _, ok := want.Header()[k]; !ok && !own(k) {
				t.Errorf("%s: %s, which gofakes3 does not send", target, k)
			}
		}
	}
	// Everything else is gofakes3's answer, whole.
	for _, tc := range []struct {
		method, target string
		hdr            map[string]string
	}{
		{http.MethodGet, "/b/loa/submissions/cau-hoi/a%20b.csv", map[string]string{"Range": "bytes=0-9"}},
		{http.MethodGet, "/b/loa/submissions/cau-hoi/a%20b.csv", map[string]string{"If-None-Match": "*"}},
		{http.MethodGet, "/b/loa/submissions/cau-hoi/a%20b.csv?response-content-type=text/plain", nil},
		{http.MethodGet, "/b/loa/submissions/cau-hoi/missing.csv", nil},
		{http.MethodGet, "/nobucket/a.csv", nil},
		{http.MethodGet, "/b/?list-type=2", nil},
		{http.MethodGet, "/b/", nil},
		{http.MethodHead, "/b/loa/submissions/cau-hoi/a%20b.csv", nil},
	} {
		got, want := serve(fast, tc.method, tc.target, tc.hdr), serve(slow, tc.method, tc.target, tc.hdr)
		if got.Code != want.Code || got.Body.String() != want.Body.String() || got.Header().Get("Server") != "AmazonS3" {
			t.Errorf("%s %s %v: %d %q; gofakes3 %d %q", tc.method, tc.target, tc.hdr, got.Code, got.Body, want.Code, want.Body)
		}
	}
}

// canonicalPair takes a query as it is only when encoding it again gives
// the same text.
func TestCanonicalPair(t *testing.T) {
	for q, want := range map[string]bool{
		"": true, "x-id=GetObject": true, "a=": true, "k_1.2~=v-3": true,
		"uploads": false, "=v": false, "a=b&c=d": false, "a=b=c": false, "a=%41": false, "a=b+c": false, "a=b c": false, "a=đ": false,
	} {
		if got := canonicalPair(q); got != want {
			t.Errorf("canonicalPair(%q) = %v, want %v", q, got, want)
		}
		if want {
			v, err := url.ParseQuery(q)
			if err != nil || v.Encode() != q {
				t.Errorf("%q encodes again as %q (%v)", q, v.Encode(), err)
			}
		}
	}
}
