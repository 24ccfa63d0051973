package builder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// personNames are file names as people save them on Windows, macOS and
// Linux, each with the URL the page must get. go:embed refuses most of
// them; the builder reads the folder on disk and takes them all.
var personNames = []struct{ file, url string }{
	{"thong-bao/Thông báo họp – tổ dân phố 3.md", "/thong-bao/thong-bao-hop-to-dan-pho-3/"},
	{"thong-bao/Kế hoạch — “Tết” (bản mới).md", "/thong-bao/ke-hoach-tet-ban-moi/"},
	{"thong-bao/Lịch #5 & họp + 'dân' \"ngõ\".md", "/thong-bao/lich-5-hop-dan-ngo/"},
	{"thong-bao/ĐĂNG KÝ  tạm trú.md", "/thong-bao/dang-ky-tam-tru/"},
	{"ke-hoach/Tổ 3/Họp dân.md", "/ke-hoach/to-3/hop-dan/"},
}

// writePages writes one page under each name into a content folder (in the
// normal form given) and returns the folder.
func writePages(t *testing.T, form norm.Form) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	files := map[string]string{"site.yaml": "title: \"Phường Thử\"\nbaseURL: \"https://thu.example.vn/\"\n",
		"thong-bao/_index.md": "---\ntitle: \"Thông báo\"\n---\n"}
	for i, p := range personNames {
		files[form.String(p.file)] = "---\ntitle: \"Trang " + string(rune('A'+i)) + "\"\ndate: 2023-04-02\n---\nNội dung.\n"
	}
	writeTree(t, dir, files)
	return dir
}

func TestFileNamesPeopleSave(t *testing.T) {
	for _, form := range []struct {
		name string
		norm norm.Form
	}{{"NFC", norm.NFC}, {"NFD", norm.NFD}} {
		t.Run(form.name, func(t *testing.T) {
			dir := writePages(t, form.norm)
			out := filepath.Join(filepath.Dir(dir), "public")
			if _, err := Build(Options{Content: os.DirFS(dir), ContentDir: "content", Out: out, Now: now}); err != nil {
				t.Fatalf("build: %v", err)
			}
			for i, p := range personNames {
				page := read(t, out, strings.TrimPrefix(p.url, "/")+"index.html")
				if want := "Trang " + string(rune('A'+i)); !strings.Contains(page, want) {
					t.Errorf("%s: %s does not hold %q", p.file, p.url, want)
				}
			}
			// The section lists link each page at its URL.
			list := read(t, out, "thong-bao/index.html")
			for _, p := range personNames {
				if strings.HasPrefix(p.url, "/thong-bao/") && !strings.Contains(list, `href="`+p.url+`"`) {
					t.Errorf("the list of thong-bao does not link %s", p.url)
				}
			}
		})
	}
}

// TestSameNameTwoForms saves one name twice, in NFC and in NFD: a Linux
// folder keeps both, and both would be one URL. The error names both files.
func TestSameNameTwoForms(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	name := "Thông báo họp.md"
	files := map[string]string{
		"site.yaml":                          "title: \"Phường Thử\"\n",
		"thong-bao/" + norm.NFC.String(name): "---\ntitle: \"A\"\ndate: 2023-04-02\n---\n",
		"thong-bao/" + norm.NFD.String(name): "---\ntitle: \"B\"\ndate: 2023-04-02\n---\n",
	}
	writeTree(t, dir, files)
	_, err := Build(Options{Content: os.DirFS(dir), ContentDir: "content", Out: filepath.Join(t.TempDir(), "public"), Now: now})
	if err == nil {
		t.Fatal("built two pages at one URL")
	}
	for _, w := range []string{"content/thong-bao/" + norm.NFC.String(name), "content/thong-bao/" + norm.NFD.String(name), "/thong-bao/thong-bao-hop/"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not name %q", err, w)
		}
	}
}
