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
