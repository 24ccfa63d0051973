package serve

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa/site"
)

// A symbolic link in the built site or in the layouts folder that leads
// out of it is never followed: serve answers 404, and the layouts folder
// cannot read it.
func TestSymlinkOutsideNotServed(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(secret, []byte("KHONG-DUOC-LO"), 0o600)
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "404.html"), []byte("không có"), 0o644)
	if err := os.Symlink(secret, filepath.Join(out, "pw.txt")); err != nil {
		t.Fatal(err)
	}
	s := &Server{Out: out}
	rec := httptest.NewRecorder()
	s.static(rec, httptest.NewRequest("GET", "/pw.txt", nil))
	if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "KHONG-DUOC-LO") {
		t.Errorf("GET /pw.txt: %d %q", rec.Code, rec.Body.String())
	}

	layouts := t.TempDir()
	os.MkdirAll(filepath.Join(layouts, "assets", "css"), 0o755)
	if err := os.Symlink(secret, filepath.Join(layouts, "assets", "css", "site.css")); err != nil {
		t.Fatal(err)
	}
	fsys, err := site.Dir(layouts)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(fsys, "assets/css/site.css"); err == nil {
		t.Errorf("the layouts folder read a file outside it: %q", b)
	}
}

// serve sends the security headers of the AWS headers policy (one list,
// site.SecurityHeaders) on pages, files and the API alike.
func TestSecurityHeaders(t *testing.T) {
	s, _ := startCopy(t, Config{})
	for _, p := range []string{"/", "/tra-cuu/", "/khong-co/", "/api/forms/cau-hoi", "/hoi-dap/"} {
		resp, _ := get(t, s.URL+p)
		for _, h := range site.LocalSecurityHeaders() {
			if got := resp.Header.Get(h.Name); got != h.Value {
				t.Errorf("%s: %s %q, want %q", p, h.Name, got, h.Value)
			}
		}
	}
	if h := site.LocalSecurityHeaders(); len(h) != len(site.SecurityHeaders)-1 || !strings.Contains(h[0].Value, "frame-ancestors 'none'") {
		t.Errorf("local headers %v", h)
	}
}
