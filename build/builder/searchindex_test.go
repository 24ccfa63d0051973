package builder

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// searchIndexText is every file of the search index the site in out holds,
// its gzip files inflated, one after the other.
func searchIndexText(t testing.TB, out string) string {
	t.Helper()
	dir := filepath.Join(out, "assets", "search")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f.Name(), ".gz") {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			if b, err = io.ReadAll(r); err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	return all.String()
}
