package builder

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
)

// output writes files under root, a staging directory.
type output struct {
	root    string
	inPlace bool     // root is being served: replace files by renames
	dirs    sync.Map // directories already created
	files   atomic.Int64
	pages   atomic.Int64
	// searchFiles are the files of the search index and its results page,
	// counted apart from files.
	searchFiles atomic.Int64

	// last is the site's last build when updating it (update.go): a file
	// made with the bytes it has there is not written, but noted in kept.
	last string
	kept unchanged

	// creator, when set, creates the files write is given (see
	// startCreator): only in a full build into a staging directory, where
	// no file is there before. nil: write creates each file itself.
	creator *creator
}

// A creator creates the files of a build in a staging directory, one
// after another, on a goroutine of its own; the page workers hand it each
// file's bytes and go on rendering. Creating files is the kernel's work,
// and on ext4 two threads creating files at once contend for the same
// locks: 1,200 folders with a page each took 45-53 ms of system time from
// two threads against 29-36 ms from one, and 202-233 against 127-144 ms
// soon after a large deletion, in about the same wall time. A build whose
// two cores are busy rendering pays that extra time in full.
type creator struct {
	jobs chan creation
	done chan struct{}
	err  error // the first failure, read after done
}

type creation struct {
	name string
	data *bytes.Buffer // from getBuffer, put back once written
}

// startCreator starts o's creator; finish stops it.
func (o *output) startCreator() {
	c := &creator{jobs: make(chan creation, 16), done: make(chan struct{})}
	o.creator = c
	go func() {
		defer close(c.done)
		for j := range c.jobs {
			if c.err == nil {
				if err := o.mkdir(filepath.Dir(j.name)); err != nil {
					c.err = err
				} else if err := writeFile(j.name, j.data.Bytes()); err != nil {
					c.err = err
				}
			}
			putBuffer(j.data)
		}
	}()
}

// finish waits for every file handed to the creator to be written, and
// returns the first failure. o writes files itself after it.
func (o *output) finish() error {
	c := o.creator
	if c == nil {
		return nil
	}
	o.creator = nil
	close(c.jobs)
	<-c.done
	return c.err
}

// file maps a URL to the file that serves it: "/a/" → a/index.html.
func file(url string) string {
	if strings.HasSuffix(url, "/") {
		url += "index.html"
	}
	return filepath.FromSlash(strings.TrimPrefix(url, "/"))
}

// write writes data as the file serving url.
func (o *output) write(url string, data []byte) error {
	rel := file(url)
	if c := o.creator; c != nil {
		buf := getBuffer()
		buf.Write(data)
		c.jobs <- creation{filepath.Join(o.root, rel), buf}
	} else if !o.same(rel, data) {
		name := filepath.Join(o.root, rel)
		if err := o.mkdir(filepath.Dir(name)); err != nil {
			return err
		}
		write := writeFile
		if o.inPlace {
			write = ReplaceFile
		}
		if err := write(name, data); err != nil {
			return err
		}
	}
	o.files.Add(1)
	if strings.HasSuffix(rel, ".html") {
		o.pages.Add(1)
	}
	return nil
}

// keep notes that the file serving url is the last build's, unchanged,
// as write does when it finds the same bytes there.
func (o *output) keep(url string) {
	o.kept.add(file(url))
	o.files.Add(1)
}

// mkdir makes dir once per build. Most parents exist already (a section's
// folder holds its pages): one mkdir is cheaper than MkdirAll's
// stat-then-mkdir.
func (o *output) mkdir(dir string) error {
	if _, ok := o.dirs.Load(dir); ok {
		return nil
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !os.IsExist(err) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	o.dirs.Store(dir, true)
	return nil
}

// newStaging makes an empty directory beside out, on the same file system
// so that the final swap is a rename.
func newStaging(out string) (string, error) {
	out = filepath.Clean(out)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(filepath.Dir(out), "."+filepath.Base(out)+".new-")
}

// swap puts the freshly built tmp in place of out. Between the two renames
// out is missing for an instant, but never half-built.
func swap(tmp, out string) error {
	out = filepath.Clean(out)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := ""
	if _, err := os.Lstat(out); err == nil {
		old = tmp + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("replace %s: %w", out, err)
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		if old != "" {
			os.Rename(old, out)
		}
		return fmt.Errorf("replace %s: %w", out, err)
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
