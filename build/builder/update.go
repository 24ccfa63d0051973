package builder

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// An update build (Options.Update) starts from the site's last build in
// Out rather than from nothing. A file the build makes with the bytes Out
// already holds is left alone; the others are written to the staging
// folder as usual. Only once the whole build has succeeded are they moved
// into Out, each by a rename, and what the build no longer makes is
// removed. So a build after a small edit creates a few files instead of
// every file of the site, and deletes a few instead of the old tree; on
// error Out is left as it was, as after any build.

// unchanged is the set of files, relative to the output's root, that an
// update build makes with the bytes they have in Out.
type unchanged struct {
	mu    sync.Mutex
	files map[string]bool
}

func (u *unchanged) add(rel string) {
	u.mu.Lock()
	u.files[rel] = true
	u.mu.Unlock()
}

// same reports whether the file rel of the last build (o.last) holds
// data, and if so notes that it is made again.
func (o *output) same(rel string, data []byte) bool {
	if o.last == "" || !sameFile(filepath.Join(o.last, rel), data) {
		return false
	}
	o.kept.add(rel)
	return true
}

// commit moves the files of the staging folder into out, over those of
// the last build, and removes from out every file that is neither one of
// them nor one kept unchanged. Files whose name starts with a dot at the
// top of out (what the caller keeps beside the site) are left alone.
func commit(staging, out string, kept *unchanged) error {
	keep := kept.files
	made := map[string]bool{} // folders of out known to exist
	err := filepath.WalkDir(staging, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(staging, name)
		if err != nil {
			return err
		}
		dst := filepath.Join(out, rel)
		if dir := filepath.Dir(dst); !made[dir] {
			if err := mkdirOver(out, dir); err != nil {
				return err
			}
			made[dir] = true
		}
		if fi, err := os.Lstat(dst); err == nil && fi.IsDir() {
			// A folder of the last build where a file is now: the
			// file wins (rename cannot replace a folder).
			if err := os.RemoveAll(dst); err != nil {
				return err
			}
		}
		if err := os.Rename(name, dst); err != nil {
			return fmt.Errorf("update %s: %w", out, err)
		}
		keep[rel] = true
		return nil
	})
	if err != nil {
		return err
	}
	// Every folder that holds a kept file stays.
	dirs := map[string]bool{}
	for rel := range keep {
		for d := filepath.Dir(rel); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	err = filepath.WalkDir(out, func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == out {
			return err
		}
		rel, err := filepath.Rel(out, name)
		if err != nil {
			return err
		}
		if filepath.Dir(rel) == "." && rel[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if dirs[rel] {
				return nil
			}
			if err := os.RemoveAll(name); err != nil {
				return err
			}
			return fs.SkipDir
		}
		if !keep[rel] {
			return os.Remove(name)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return os.RemoveAll(staging) // its folders, emptied
}

// mkdirOver makes dir, under out, and its parents, replacing a file of
// the last build that stands where one of them must be.
func mkdirOver(out, dir string) error {
	err := os.MkdirAll(dir, 0o755)
	if err == nil {
		return nil
	}
	for d := dir; d != out && d != filepath.Dir(d); d = filepath.Dir(d) {
		if fi, err := os.Lstat(d); err == nil && !fi.IsDir() {
			if err := os.Remove(d); err != nil {
				return err
			}
			return os.MkdirAll(dir, 0o755)
		}
	}
	return err
}
