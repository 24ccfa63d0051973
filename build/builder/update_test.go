package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// inode returns the inode number of the file name under out: a file
// written again (a new file renamed in) has a new one.
func inode(t *testing.T, out, name string) uint64 {
	t.Helper()
	fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		t.Skip("no inode numbers on this system")
	}
	return uint64(st.Ino)
}

// TestUpdateWritesWhatChanged: an update build after edits leaves the
// output byte for byte a full build's, writes the files that changed
// (the edited page, the lists that show it) and no other, removes what
// is no longer made, and keeps what the caller keeps beside the site.
func TestUpdateWritesWhatChanged(t *testing.T) {
	var archive strings.Builder
	archive.WriteString(siteYAML)
	for i := 0; i < 30; i++ {
		section := []string{"ke-hoach/", "thong-bao/"}[i%2]
		fmt.Fprintf(&archive, "-- content/%sp%02d.md --\n---\ntitle: \"Trang %d\"\ndate: 2022-%02d-%02d\n---\nĐoạn đầu của trang %d.\n",
			section, i, i, 1+i%12, 1+i%28, i)
	}
	s, dir := openTxtar(t, archive.String(), Options{})
	_ = s
	out := filepath.Join(dir, "public")
	update := func(after string) Result {
		t.Helper()
		res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: out, Now: now, Update: true})
		if err != nil {
			t.Fatalf("after %s: %v", after, err)
		}
		sameAsFullBuild(t, dir, after)
		return res
	}
	before := map[string]uint64{}
	for _, name := range []string{"ke-hoach/p02/index.html", "ke-hoach/p04/index.html", "thong-bao/p01/index.html", "sitemap.xml", "404.html"} {
		before[name] = inode(t, out, name)
	}

	// A body edit: the page changes, and so do the search index's
	// fragments that hold its words; nothing else.
	edit(t, dir, "ke-hoach/p02.md", "Đoạn đầu của trang 2.", "Đoạn đầu của trang hai, đã sửa.")
	write(t, filepath.Join(out, ".stamp"), "kept")
	res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: out, Now: now, Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if inode(t, out, "ke-hoach/p02/index.html") == before["ke-hoach/p02/index.html"] {
		t.Error("the edited page was not written again")
	}
	for _, name := range []string{"ke-hoach/p04/index.html", "thong-bao/p01/index.html", "sitemap.xml", "404.html"} {
		if inode(t, out, name) != before[name] {
			t.Errorf("%s was written again, though its bytes did not change", name)
		}
	}
	if res.Files == 0 || res.Pages == 0 {
		t.Errorf("an update counts the files it makes, changed or not: %+v", res)
	}
	if read(t, out, ".stamp") != "kept" {
		t.Error("a hidden file at the top of the output was not kept")
	}
	os.Remove(filepath.Join(out, ".stamp"))
	sameAsFullBuild(t, dir, "a body edit")

	// A page removed: its folder goes. A page added: it comes.
	if err := os.Remove(filepath.Join(dir, "content/thong-bao/p01.md")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "content/thong-bao/moi.md"), "---\ntitle: \"Trang mới\"\ndate: 2024-01-01\n---\nMới.\n")

	update("a page removed and one added")
	if exists(out, "thong-bao/p01") {
		t.Error("the removed page's folder is still there")
	}

	// A file where a folder was, and a folder where a file was.
	for _, name := range []string{"thong-bao/p03/index.html", "ke-hoach/p04/index.html"} {
		if err := os.Remove(filepath.Join(out, name)); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(out, name, "stale"), "a folder where a file was")
	}
	os.RemoveAll(filepath.Join(out, "ke-hoach/p06"))
	write(t, filepath.Join(out, "ke-hoach/p06"), "a file where a folder was")
	update("folders and files swapped in the output")
}

// TestUpdateFailsWithoutTouching: an update build that fails leaves the
// output as it was, and leaves no staging folder behind.
func TestUpdateFailsWithoutTouching(t *testing.T) {
	s, dir := openTxtar(t, rebuildSite, Options{})
	_ = s
	out := filepath.Join(dir, "public")
	was := tree(t, out)
	edit(t, dir, "ke-hoach/b.md", "date: 2023-03-02", "date: không phải ngày")
	write(t, filepath.Join(dir, "content/ke-hoach/c.md"), "---\ntitle: \"C\"\ndate: 2023-03-05\n---\nMới.\n")
	_, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: out, Now: now, Update: true})
	if err == nil || !strings.Contains(err.Error(), "b.md") {
		t.Fatalf("want an error naming b.md, got %v", err)
	}
	now := tree(t, out)
	if len(now) != len(was) {
		t.Errorf("%d files after a failed update, %d before", len(now), len(was))
	}
	for name, data := range was {
		if string(now[name]) != string(data) {
			t.Errorf("%s changed in a failed update", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".public") {
			t.Errorf("staging folder %s left behind", e.Name())
		}
	}
}
