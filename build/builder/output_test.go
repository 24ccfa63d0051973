package builder

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCreator: the files handed to the output's creator are all written,
// with their bytes, by the time finish returns, however many are in
// flight; a file it cannot create fails finish with its path, and the
// creator still takes (and lets go of) the files handed to it after.
func TestCreator(t *testing.T) {
	root := t.TempDir()
	o := &output{root: root}
	o.startCreator()
	want := map[string][]byte{}
	for i := range 200 {
		url := fmt.Sprintf("/muc-%d/trang-%d/", i%7, i)
		data := bytes.Repeat([]byte(fmt.Sprintf("<p>trang %d</p>", i)), i+1)
		if err := o.write(url, data); err != nil {
			t.Fatal(err)
		}
		// The caller reuses its buffer at once: the creator has a copy.
		clear(data)
		want[file(url)] = bytes.Repeat([]byte(fmt.Sprintf("<p>trang %d</p>", i)), i+1)
	}
	if err := o.finish(); err != nil {
		t.Fatal(err)
	}
	for rel, data := range want {
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: %d bytes (%v), want %d", rel, len(got), err, len(data))
		}
	}
	if n := o.files.Load(); n != 200 {
		t.Errorf("%d files counted, want 200", n)
	}

	// A file where a folder must go.
	root = t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "chan"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	o = &output{root: root}
	o.startCreator()
	for _, url := range []string{"/a/", "/chan/b/", "/c/"} {
		if err := o.write(url, []byte("<p>x</p>")); err != nil {
			t.Fatal(err)
		}
	}
	err := o.finish()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(root, "chan")) || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("finish: %v, want the failure to make a folder of %s", err, filepath.Join(root, "chan"))
	}
	if _, err := os.Stat(filepath.Join(root, "a", "index.html")); err != nil {
		t.Errorf("the file before the failure: %v", err)
	}
	if err := o.write("/d/", []byte("<p>x</p>")); err != nil {
		t.Fatalf("write after finish: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "d", "index.html")); err != nil {
		t.Errorf("after finish, write writes the file itself: %v", err)
	}
}
