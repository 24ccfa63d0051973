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
		name := filepath.Join(dir, "content", filepath.FromSlash(e.file))
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), e.from) {
			t.Fatalf("%s: no %q", e.file, e.from)
		}
		write(t, name, strings.Replace(string(b), e.from, e.to, 1))
		if _, err := s.Rebuild([]string{e.file}); err != nil {
			t.Fatalf("%s: %v", e.file, err)
		}
		fresh := filepath.Join(t.TempDir(), "public")
		if _, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: fresh, Now: now}); err != nil {
			t.Fatal(err)
		}
		got, want := tree(t, filepath.Join(dir, "public")), tree(t, fresh)
		for name := range want {
			if !bytes.Equal(got[name], want[name]) {
				t.Errorf("after editing %s: %s differs from a full build", e.file, name)
			}
		}
		if len(got) != len(want) {
			t.Errorf("after editing %s: %d files, a full build writes %d", e.file, len(got), len(want))
		}
	}
}
