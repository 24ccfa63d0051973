package images

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// The cache holds one entry per source and settings, under
// CacheDir/<key[:2]>/:
//
//	<key>.json             the manifest, written last
//	<key>.<hash>.<ext>     one file per variant
//
// An entry counts only when its manifest is there and every file it lists
// has the size it says. Files are renamed into place whole, so a build
// killed midway leaves variants without a manifest, which the next build
// overwrites.
type entry struct {
	dir, key string
}

type manifest struct {
	Width    int               `json:"width"`
	Height   int               `json:"height"`
	Variants []manifestVariant `json:"variants"`
}

type manifestVariant struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"`
	Ext    string `json:"ext"`
	Hash   string `json:"hash"` // of the file's bytes, hex
	Size   int64  `json:"size"`
}

func (p *Processor) entry(key string) entry {
	return entry{dir: filepath.Join(p.opts.CacheDir, key[:2]), key: key}
}

func (e entry) manifestPath() string { return filepath.Join(e.dir, e.key+".json") }

func (e entry) path(v manifestVariant) string {
	return filepath.Join(e.dir, e.key+"."+v.Hash+"."+v.Ext)
}

// load returns the cached result, if the entry is whole.
func (e entry) load() (*Result, bool) {
	data, err := os.ReadFile(e.manifestPath())
	if err != nil {
		return nil, false
	}
	var m manifest
	if json.Unmarshal(data, &m) != nil || len(m.Variants) == 0 {
		return nil, false
	}
	for _, v := range m.Variants {
		fi, err := os.Stat(e.path(v))
		if err != nil || fi.Size() != v.Size {
			return nil, false
		}
	}
	return e.result(m), true
}

// put writes one variant's bytes into the entry.
func (e entry) put(w, h int, format, ext string, data []byte) (manifestVariant, error) {
	sum := sha256.Sum256(data)
	v := manifestVariant{Width: w, Height: h, Format: format, Ext: ext,
		Hash: hex.EncodeToString(sum[:])[:10], Size: int64(len(data))}
	if err := os.MkdirAll(e.dir, 0o755); err != nil {
		return v, err
	}
	return v, writeAtomic(e.path(v), data)
}

// commit writes the manifest, which makes the entry count.
func (e entry) commit(m manifest) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return writeAtomic(e.manifestPath(), data)
}

// result is the Result of manifest m, with names still to be given.
func (e entry) result(m manifest) *Result {
	r := &Result{Width: m.Width, Height: m.Height}
	vs := append([]manifestVariant(nil), m.Variants...)
	// Fallback formats first, then by width.
	sort.SliceStable(vs, func(i, j int) bool {
		if (vs[i].Format == WebP) != (vs[j].Format == WebP) {
			return vs[j].Format == WebP
		}
		return vs[i].Width < vs[j].Width
	})
	for _, v := range vs {
		r.Variants = append(r.Variants, Variant{
			Width: v.Width, Height: v.Height, Format: v.Format,
			Name: v.Hash + "." + strconv.Itoa(v.Width) + "." + v.Ext, // the stem comes in named
			Path: e.path(v), Size: v.Size,
		})
	}
	return r
}

// named returns a copy of r whose names start with stem.
func (r *Result) named(stem string) *Result {
	out := *r
	out.Variants = append([]Variant(nil), r.Variants...)
	for i := range out.Variants {
		v := &out.Variants[i]
		v.Name = stem + "." + v.Name
		if v.Format != WebP && v.Width == out.Width {
			out.Fallback = v.Name
		}
	}
	return &out
}

// writeAtomic writes data to path through a temporary file in the same
// folder, renamed over path once whole: readers see the old file or the
// new one, never part of one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
