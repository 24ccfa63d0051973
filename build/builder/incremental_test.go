package builder

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"loa/functions/vntext"
)

const rebuildSite = siteYAML + `
-- content/ke-hoach/a.md --
---
title: "Kế hoạch A"
date: 2023-03-01
summary: "Tóm tắt A."
---
Nội dung cũ của A.
-- content/ke-hoach/b.md --
---
title: "Kế hoạch B"
date: 2023-03-02
---
Nội dung B.
-- content/thong-bao/nhap.md --
---
title: "Bản nháp"
date: 2023-03-03
draft: true
---
Chưa đăng.
`

// openTxtar writes archive under a temporary directory and opens its site.
func openTxtar(t *testing.T, archive string, opts Options) (*Site, string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range archiveFiles(archive) {
		write(t, filepath.Join(dir, name), data)
	}
	opts.Content = os.DirFS(filepath.Join(dir, "content"))
	opts.Out = filepath.Join(dir, "public")
	opts.Now = now
	s, _, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, dir
}

func write(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRebuildBody(t *testing.T) {
	s, dir := openTxtar(t, rebuildSite, Options{})
	out := filepath.Join(dir, "public")
	list := read(t, out, "ke-hoach/index.html")

	write(t, filepath.Join(dir, "content/ke-hoach/a.md"), "---\ntitle: \"Kế hoạch A\"\ndate: 2023-03-01\nsummary: \"Tóm tắt A.\"\n---\nNội dung mới của A.\n")
	res, err := s.Rebuild([]string{"ke-hoach/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 1 {
		t.Errorf("a body edit wrote %d files, want 1 (the page alone)", res.Files)
	}
	contains(t, "page A", read(t, out, "ke-hoach/a/index.html"), "Nội dung mới của A.")
	if got := read(t, out, "ke-hoach/index.html"); got != list {
		t.Error("the list changed after a body edit")
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, "ke-hoach", "a", ".tmp-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestRebuildMetadata(t *testing.T) {
	s, dir := openTxtar(t, rebuildSite, Options{})
	out := filepath.Join(dir, "public")
	write(t, filepath.Join(dir, "content/ke-hoach/a.md"), "---\ntitle: \"Kế hoạch A đã sửa\"\ndate: 2023-03-01\n---\nĐoạn đầu mới.\n")
	res, err := s.Rebuild([]string{"ke-hoach/a.md"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files < 5 {
		t.Errorf("a title edit wrote %d files, want the page, lists, feeds, home and sitemap", res.Files)
	}
	contains(t, "list", read(t, out, "ke-hoach/index.html"), "Kế hoạch A đã sửa", "Đoạn đầu mới.", "Kế hoạch B")
	contains(t, "home", read(t, out, "index.html"), "Kế hoạch A đã sửa")
	contains(t, "feed", read(t, out, "ke-hoach/atom.xml"), "Kế hoạch A đã sửa")
	if strings.Contains(read(t, out, "thong-bao/index.html"), "Bản nháp") {
		t.Error("the draft was listed after a partial rebuild")
	}
}

func TestRebuildNeedsFullBuild(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
	}{
		{"new page", "ke-hoach/c.md", "---\ntitle: \"C\"\ndate: 2023-04-02\n---\nC.\n"},
		{"slug changed", "ke-hoach/a.md", "---\ntitle: \"A\"\nslug: a-moi\ndate: 2023-04-02\n---\nA.\n"},
		{"alias added", "ke-hoach/a.md", "---\ntitle: \"A\"\naliases: [/cu/]\ndate: 2023-04-02\n---\nA.\n"},
		{"draft published", "thong-bao/nhap.md", "---\ntitle: \"Bản nháp\"\ndate: 2023-04-02\n---\nĐã đăng.\n"},
		{"page unpublished", "ke-hoach/b.md", "---\ntitle: \"B\"\ndraft: true\ndate: 2023-04-02\n---\nB.\n"},
		{"site settings", "site.yaml", "title: \"Phường Khác\"\n"},
		{"deleted page", "ke-hoach/b.md", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, dir := openTxtar(t, rebuildSite, Options{})
			out := filepath.Join(dir, "public")
			before := tree(t, out)
			name := filepath.Join(dir, "content", tc.file)
			if tc.data == "" {
				os.Remove(name)
			} else {
				write(t, name, tc.data)
			}
			if _, err := s.Rebuild([]string{tc.file}); !errors.Is(err, ErrFullBuild) {
				t.Fatalf("Rebuild = %v, want ErrFullBuild", err)
			}
			if after := tree(t, out); !reflect.DeepEqual(after, before) {
				t.Error("the output changed although a full build is needed")
			}
		})
	}
}

func TestRebuildError(t *testing.T) {
	s, dir := openTxtar(t, rebuildSite, Options{})
	write(t, filepath.Join(dir, "content/ke-hoach/a.md"), "---\ntitle: [\n---\nA.\n")
	_, err := s.Rebuild([]string{"ke-hoach/a.md"})
	if err == nil || errors.Is(err, ErrFullBuild) || !strings.Contains(err.Error(), "content/ke-hoach/a.md") {
		t.Fatalf("Rebuild = %v, want the file's syntax error", err)
	}
}

// TestLiveReloadOnlyWhenAsked: the reload script of the serve command must
// never reach a published site.
func TestLiveReloadOnlyWhenAsked(t *testing.T) {
	for _, live := range []bool{false, true} {
		out := mustBuild(t, rebuildSite, Options{LiveReload: live})
		found := 0
		filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "/_loa/") || strings.Contains(string(b), "EventSource") {
				found++
				if !live {
					t.Errorf("published build: %s mentions the reload script", p)
				}
			}
			return nil
		})
		if live && found == 0 {
			t.Error("serve build: no page links the reload script")
		}
	}
}

// TestRebuildMatchesFullBuild: after each edit, the output rebuilt in place
// is byte for byte what a full build of the edited content writes.
func TestRebuildMatchesFullBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a full build to compare after each of many edits")
	}
	var archive strings.Builder
	archive.WriteString(siteYAML)
	for i := 0; i < 90; i++ {
		section := []string{"ke-hoach/", "thong-bao/", ""}[i%3]
		fmt.Fprintf(&archive, "-- content/%sp%02d.md --\n---\ntitle: \"Trang %d\"\ndate: 2022-%02d-%02d\naliases: [/cu/p%02d/]\n---\nĐoạn đầu của trang %d.\n",
			section, i, i, 1+i%12, 1+i%28, i, i)
	}
	edits := []struct{ file, from, to string }{
		{"ke-hoach/p30.md", "title: \"Trang 30\"", "title: \"Trang ba mươi\""},
		{"thong-bao/p01.md", "Đoạn đầu", "Đoạn mở đầu"},
		{"ke-hoach/p00.md", "date: 2022-01-01", "date: 2023-01-01"},
		{"thong-bao/p88.md", "date: 2022-05-05", "date: 2020-05-05"},
		{"p02.md", "title: \"Trang 2\"", "title: \"Trang hai\""},
		{"p05.md", "date: 2022-06-06", "date: 2022-06-07"},
		{"ke-hoach/p33.md", "Đoạn đầu của trang 33.", "Đoạn đầu của trang 33.\n\nĐoạn thứ hai."},
	}
	s, dir := openTxtar(t, archive.String(), Options{})
	for _, e := range edits {
		edit(t, dir, e.file, e.from, e.to)
		if _, err := s.Rebuild([]string{e.file}); err != nil {
			t.Fatalf("%s: %v", e.file, err)
		}
		if _, err := s.UpdateSearch(); err != nil {
			t.Fatal(err)
		}
		sameAsFullBuild(t, dir, "editing "+e.file)
	}
}

// sameAsFullBuild checks that the output under dir is byte for byte what a
// full build of its content writes.
func sameAsFullBuild(t *testing.T, dir, after string) {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "public")
	if _, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: fresh, Now: now}); err != nil {
		t.Fatal(err)
	}
	got, want := tree(t, filepath.Join(dir, "public")), tree(t, fresh)
	for name := range want {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("after %s: %s differs from a full build", after, name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("after %s: %d files, a full build writes %d", after, len(got), len(want))
	}
}

// edit replaces from by to in the content file name under dir.
func edit(t *testing.T, dir, name, from, to string) {
	t.Helper()
	file := filepath.Join(dir, "content", filepath.FromSlash(name))
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), from) {
		t.Fatalf("%s: no %q", name, from)
	}
	write(t, file, strings.Replace(string(b), from, to, 1))
}

// TestRebuildRegister: when a document's metadata changes, the register's
// pages that show it are rewritten, and the output is a full build's; a
// change that adds or removes a page of the register needs a full build.
func TestRebuildRegister(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a full build to compare after each of many edits")
	}
	var archive strings.Builder
	archive.WriteString(siteYAML)
	doc := func(name, title, kind, issued string) {
		fmt.Fprintf(&archive, "-- content/%s --\n---\ntitle: %q\ndate: 2023-01-01\nsummary: \"Trích yếu %s\"\ndocument:\n  kind: %q\n  issuer: \"UBND PHƯỜNG THỬ\"\n  number: \"%s/UBND\"\n  issued: %q\n---\nNội dung.\n",
			name, title, title, kind, title, issued)
	}
	// 50 of 2022 and 2023, half Kế hoạch, half Quyết định; 20 Công văn of 2021.
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, vntext.Location)
	for i := 0; i < 50; i++ {
		doc(fmt.Sprintf("thong-bao/vb%02d.md", i), fmt.Sprintf("VB%02d", i), []string{"Kế hoạch", "Quyết định"}[i%2], start.AddDate(0, 0, 14*i).Format("2006-01-02"))
	}
	for i := 0; i < 20; i++ {
		doc(fmt.Sprintf("ke-hoach/cv%02d.md", i), fmt.Sprintf("CV%02d", i), "Công văn", fmt.Sprintf("2021-03-%02d", i+1))
	}
	archive.WriteString("-- content/thong-bao/tin.md --\n---\ntitle: \"Tin\"\ndate: 2023-01-01\n---\nTin.\n")
	s, dir := openTxtar(t, archive.String(), Options{})
	out := filepath.Join(dir, "public")

	for _, e := range []struct {
		what, file, from, to string
		full                 bool // needs a full build
	}{
		{"a new summary", "thong-bao/vb30.md", "Trích yếu VB30", "Trích yếu mới", false},
		{"a new number", "thong-bao/vb03.md", "VB03/UBND", "15/QĐ-UBND", false},
		{"an issue date from page 1 to page 3", "thong-bao/vb48.md", "2023-11-04", "2022-01-05", false},
		{"a blank day and month", "thong-bao/vb20.md", "2022-10-08", "2022", false},
		{"another kind, the same pages", "thong-bao/vb11.md", "Quyết định", "KẾ HOẠCH", false},
		{"another year, the same pages", "thong-bao/vb10.md", "2022-05-21", "2023-05-21", false},
		{"a kind that gains a page", "thong-bao/vb12.md", "Kế hoạch", "Công văn", true},
		{"no longer a document", "thong-bao/vb01.md", "", "", false},
	} {
		if e.from == "" {
			write(t, filepath.Join(dir, "content", e.file), "---\ntitle: \"VB01\"\ndate: 2023-01-01\nsummary: \"S\"\n---\nNội dung.\n")
		} else {
			edit(t, dir, e.file, e.from, e.to)
		}
		res, err := s.Rebuild([]string{e.file})
		if e.full {
			if !errors.Is(err, ErrFullBuild) {
				t.Fatalf("%s: Rebuild = %v, want ErrFullBuild", e.what, err)
			}
			// As serve does.
			if s, _, err = Open(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: out, Now: now}); err != nil {
				t.Fatal(err)
			}
		} else if err != nil {
			t.Fatalf("%s: %v", e.what, err)
		} else if res.Files > 12 {
			t.Errorf("%s: %d files written, want the page and the lists that show it", e.what, res.Files)
		}
		if _, err := s.UpdateSearch(); err != nil {
			t.Fatal(err)
		}
		sameAsFullBuild(t, dir, e.what)
	}
	contains(t, "register", read(t, out, "van-ban/index.html"), "Trích yếu mới")
	if strings.Contains(read(t, out, "van-ban/quyet-dinh/index.html"), "VB01") {
		t.Error("a page that is no longer a document is still in the register")
	}
	contains(t, "register page 3", read(t, out, "van-ban/trang/3/index.html"), "Trích yếu VB48")
}

// TestRebuildSearch: a page's edit reaches the search index, and only the
// index files that hold what changed are written again.
func TestRebuildSearch(t *testing.T) {
	s, dir := openTxtar(t, rebuildSite, Options{})
	out := filepath.Join(dir, "public")
	before := map[string]bool{}
	files, _ := os.ReadDir(filepath.Join(out, "assets", "search"))
	for _, f := range files {
		before[f.Name()] = true
	}
	if len(before) < 3 {
		t.Fatalf("the index has %d files", len(before))
	}
	write(t, filepath.Join(dir, "content/ke-hoach/a.md"), "---\ntitle: \"Kế hoạch A\"\ndate: 2023-03-01\nsummary: \"Tóm tắt A.\"\n---\nNội dung mới: xuồng ba lá.\n")
	if _, err := s.Rebuild([]string{"ke-hoach/a.md"}); err != nil {
		t.Fatal(err)
	}
	res, err := s.UpdateSearch()
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadDir(filepath.Join(out, "assets", "search"))
	kept, fresh := 0, 0
	for _, f := range after {
		if before[f.Name()] {
			kept++
		} else {
			fresh++
		}
	}
	if fresh == 0 || kept == 0 {
		t.Errorf("after the edit: %d index files kept, %d new; want some of each", kept, fresh)
	}
	if res.SearchFiles != fresh+1 { // and the results page, which names the manifest
		t.Errorf("%d search files written, want the %d new ones and the results page", res.SearchFiles, fresh)
	}
	if all := searchIndexText(t, out); !strings.Contains(all, "+xuong ba") || !strings.Contains(all, "xuồng") {
		t.Error("the edited words are not in the index")
	}
	sameAsFullBuild(t, dir, "editing a page's text")
}
