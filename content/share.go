package content

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// Share names the form handler's share of a content folder: what [FS]
// embeds for a ward, and what a province's publish zips for each unit
// ([ZipShare]) so that the one function of a province reads a unit's
// forms from the bucket ([OpenZip]).
var Share = []string{"site.yaml", "bieu-mau", "data"}

// Caps on a share read from a zip: the function opens what publish
// wrote, but a zip is an input all the same.
const (
	maxShareFiles = 1000
	maxShareBytes = 32 << 20 // unpacked
)

// ZipShare zips the share of fsys (a content folder): the same files give
// the same bytes (names sorted, times fixed), so that an unchanged share
// is recognised by its hash.
func ZipShare(fsys fs.FS) ([]byte, error) {
	var names []string
	for _, top := range Share {
		err := fs.WalkDir(fsys, top, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == top && top != "site.yaml" {
				return fs.SkipDir // a unit without forms or data
			}
			if err != nil {
				return err
			}
			// As go:embed takes a folder: without the names that start
			// with "." or "_" (a section's _index.md is no setting).
			if (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) && p != top {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() {
				names = append(names, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(b); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// OpenZip opens a share zipped by ZipShare as a file system. name says
// where it came from, in errors. It refuses a zip with files outside the
// share, or more files or unpacked bytes than a content folder has.
func OpenZip(b []byte, name string) (fs.FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(zr.File) > maxShareFiles {
		return nil, fmt.Errorf("%s: %d files; a content share has at most %d", name, len(zr.File), maxShareFiles)
	}
	var total uint64
	for _, f := range zr.File {
		top, _, _ := strings.Cut(f.Name, "/")
		if !fs.ValidPath(f.Name) || path.Clean(f.Name) != f.Name || !slices.Contains(Share, top) {
			return nil, fmt.Errorf("%s: %q is not in a content share (%s)", name, f.Name, strings.Join(Share, ", "))
		}
		total += f.UncompressedSize64
	}
	if total > maxShareBytes {
		return nil, fmt.Errorf("%s: %d bytes unpacked; a content share has at most %d", name, total, maxShareBytes)
	}
	if _, err := fs.Stat(zr, "site.yaml"); err != nil {
		return nil, fmt.Errorf("%s: no site.yaml", name)
	}
	return zr, nil
}
