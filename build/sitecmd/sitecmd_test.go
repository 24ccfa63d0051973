package sitecmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildProvince: `build --province` builds every unit and fails, naming
// the unit, the file and the line, when one of them does not build; the
// other units are built all the same.
func TestBuildProvince(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(dir, os.DirFS("../../don-vi")); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "xa-nghia-tru", "thong-bao", "hong.md")
	if err := os.WriteFile(bad, []byte("---\ntitle: \"Thông báo mẫu\"\ndate: 2026-12-01\ntags: [a\n---\nBài mẫu.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	err := Main([]string{"--province", dir, "--out", out, "--now", "2026-12-10T09:00:00+07:00"})
	if err == nil {
		t.Fatal("a unit with a broken page built without an error")
	}
	for _, want := range []string{"1/3", "Xã Nghĩa Trụ", "xa-nghia-tru", filepath.ToSlash(bad) + ":4:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	for _, built := range []string{"_tinh/index.html", "phuong-bach-sam/index.html", "phuong-duong-hao/index.html"} {
		if _, err := os.Stat(filepath.Join(out, built)); err != nil {
			t.Errorf("not built: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "xa-nghia-tru")); err == nil {
		t.Error("the broken unit was published")
	}
	if err := Main([]string{"--province", dir, "--baseURL", "https://a.example/"}); err == nil {
		t.Error("--baseURL with --province: no error")
	}
}
