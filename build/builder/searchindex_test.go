package builder

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// searchFragment is what the search index keeps of a page to show it in
// the results (see package search).
type searchFragment struct {
	URL     string `json:"u"`
	Title   string `json:"t"`
	Summary string `json:"m"`
	Text    string `json:"x"`
}

// searchFragments are the fragments of every page in the site in out.
func searchFragments(t testing.TB, out string) []searchFragment {
	t.Helper()
	dir := filepath.Join(out, "assets", "search")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var frags []searchFragment
	for _, f := range files {
		if !strings.HasPrefix(f.Name(), "p") || !strings.HasSuffix(f.Name(), ".gz") {
			continue
		}
		var fr searchFragment
		if err := json.Unmarshal(gunzipFile(t, filepath.Join(dir, f.Name())), &fr); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		frags = append(frags, fr)
	}
	return frags
}

func gunzipFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if b, err = io.ReadAll(r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

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
		name := filepath.Join(dir, f.Name())
		var b []byte
		if strings.HasSuffix(f.Name(), ".gz") {
			b = gunzipFile(t, name)
		} else if b, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	return all.String()
}
