package builder

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"loa/site"
)

// TestSharedLayouts: sites built at once with one Layouts are each what
// a build of its own makes, byte for byte.
func TestSharedLayouts(t *testing.T) {
	l, err := NewLayouts(site.FS())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Phường Một", "Xã Hai", "Phường Ba"}
	own := make([]string, len(names))
	opts := make([]Options, len(names))
	for i, name := range names {
		archive := strings.Replace(rebuildSite, `title: "Phường Thử"`, `title: "`+name+`"`, 1)
		own[i] = mustBuild(t, archive, Options{})
		dir := t.TempDir()
		writeTree(t, dir, archiveFiles(archive))
		opts[i] = Options{Content: os.DirFS(filepath.Join(dir, "content")), Out: filepath.Join(dir, "public"), Now: now, Layouts: l}
	}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i := range names {
		wg.Go(func() { _, errs[i] = Build(opts[i]) })
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			t.Fatalf("%s: %v", name, errs[i])
		}
		got, want := tree(t, opts[i].Out), tree(t, own[i])
		if len(got) != len(want) {
			t.Errorf("%s: %d files with shared layouts, %d alone", name, len(got), len(want))
		}
		for f, data := range want {
			if !bytes.Equal(got[f], data) {
				t.Errorf("%s: %s differs with shared layouts", name, f)
			}
		}
		if !strings.Contains(string(got["index.html"]), name) || got["quan-tri/index.html"] == nil {
			t.Errorf("%s: its home page does not name it, or it has no staff page", name)
		}
	}
}
