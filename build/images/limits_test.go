package images

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// countingFS counts the bytes read from its files.
type countingFS struct {
	fs.FS
	read atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	f, err := c.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingFile{File: f, n: &c.read}, nil
}

type countingFile struct {
	fs.File
	n *atomic.Int64
}

func (f *countingFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	f.n.Add(int64(n))
	return n, err
}

// A 1 GiB file is refused before it is read: by its size, or, under a
// larger size limit, by the size in pixels its header says. (The files
// are sparse: no gigabyte is written.)
func TestLargeImageRefusedBeforeRead(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "anh-lon.png")
	if err := os.WriteFile(big, pngHeader(60000, 60000), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 1<<30); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		maxBytes int64
		want     string
	}{
		{"by size", 0, "content/a/anh-lon.png: ảnh nặng 1024 MB, quá giới hạn 100 MB"},
		{"by pixels", 2 << 30, "content/a/anh-lon.png: 60000×60000 pixels"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newProcessor(t, Options{MaxBytes: tc.maxBytes})
			cfs := &countingFS{FS: os.DirFS(dir)}
			_, err := p.ProcessFile(cfs, "anh-lon.png", "content/a/anh-lon.png")
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want it to start %q", err, tc.want)
			}
			if n := cfs.read.Load(); n > 64<<10 {
				t.Errorf("%d bytes read before the file was refused", n)
			}
		})
	}
}
