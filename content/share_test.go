package content_test

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"loa/content"
)

func files(t *testing.T, fsys fs.FS) []string {
	t.Helper()
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// TestZipShare: the zip of a content folder's share holds exactly what
// the function embeds for a ward, byte for byte, and the same folder
// always zips to the same bytes.
func TestZipShare(t *testing.T) {
	dir, err := content.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	z, err := content.ZipShare(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := content.ZipShare(dir)
	if !bytes.Equal(z, again) {
		t.Error("two zips of one folder differ")
	}
	share, err := content.OpenZip(z, "content.zip")
	if err != nil {
		t.Fatal(err)
	}
	got, want := files(t, share), files(t, content.FS)
	if !slices.Equal(got, want) {
		t.Fatalf("zip holds %v, the embedded share %v", got, want)
	}
	for _, name := range want {
		a, _ := fs.ReadFile(share, name)
		b, _ := fs.ReadFile(content.FS, name)
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs", name)
		}
	}
}

// TestOpenZipRefuses: a zip with a file outside the share, a path that
// climbs, or no site.yaml is refused.
func TestOpenZipRefuses(t *testing.T) {
	for name, files := range map[string][]string{
		"outside":  {"site.yaml", "ke-hoach/a.md"},
		"climbs":   {"site.yaml", "data/../../etc/passwd"},
		"absolute": {"site.yaml", "/data/a.yaml"},
		"no site":  {"data/chi-doan.yaml"},
	} {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			w, _ := zw.Create(f)
			w.Write([]byte("title: x\n"))
		}
		zw.Close()
		if _, err := content.OpenZip(buf.Bytes(), "x.zip"); err == nil || !strings.Contains(err.Error(), "x.zip") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
