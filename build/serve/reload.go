package serve

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"loa/build/builder"
)

//go:embed reload.js
var reloadScript []byte

func serveReloadScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(reloadScript)
}

// broker sends the open pages the news of each build over Server-Sent
// Events: "hello" with the build id on connecting, "reload" after a
// rebuild, "build-error" when an edit did not build.
type broker struct {
	mu     sync.Mutex
	subs   map[chan event]bool
	id     string // the current build
	failed string // the last build's error, "" when it built
	done   chan struct{}
	once   sync.Once
	prefix string
	n      int
}

type event struct{ name, data string }

func newBroker() *broker {
	// The id carries the start time, so that a page opened before a
	// restart of serve reloads when it reconnects.
	p := strconv.FormatInt(time.Now().UnixNano(), 36) + "-"
	return &broker{subs: map[chan event]bool{}, done: make(chan struct{}), prefix: p, id: p + "0"}
}

// built tells the pages that the site was rebuilt (err nil) or not.
func (b *broker) built(err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ev := event{name: "reload"}
	if err != nil {
		b.failed = err.Error()
		ev = event{name: "build-error", data: b.failed}
	} else {
		b.n++
		b.id, b.failed = b.prefix+strconv.Itoa(b.n), ""
		ev.data = b.id
	}
	for ch := range b.subs {
		select {
		case ch <- ev:
		default: // a page that has not read the last news will reload anyway
		}
	}
}

func (b *broker) close() { b.once.Do(func() { close(b.done) }) }

func (b *broker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "no streaming", http.StatusInternalServerError)
		return
	}
	// The stream stays open while the page does: no write deadline.
	if err := http.NewResponseController(w).SetWriteDeadline(time.Time{}); err != nil {
		http.Error(w, "no streaming", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	ch := make(chan event, 4)
	b.mu.Lock()
	b.subs[ch] = true
	hello := []event{{"hello", b.id}}
	if b.failed != "" {
		hello = append(hello, event{"build-error", b.failed})
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}()
	// retry: reconnect soon after serve restarts.
	fmt.Fprint(w, "retry: 1000\n\n")
	for _, ev := range hello {
		writeEvent(w, ev)
	}
	fl.Flush()
	for {
		select {
		case ev := <-ch:
			writeEvent(w, ev)
			fl.Flush()
		case <-r.Context().Done():
			return
		case <-b.done:
			return
		}
	}
}

func writeEvent(w http.ResponseWriter, ev event) {
	fmt.Fprintf(w, "event: %s\n", ev.name)
	for _, line := range strings.Split(ev.data, "\n") {
		fmt.Fprintf(w, "data: %s\n", line)
	}
	fmt.Fprint(w, "\n")
}

// watcher rebuilds the site when a file under the content or site folder
// changes. Events are gathered until the folders have been quiet for a
// moment: an editor's save is several events, a checkout many.
type watcher struct {
	fs   *fsnotify.Watcher
	stop chan struct{}
	done chan struct{}
}

const quiet = 80 * time.Millisecond

func (s *Server) watch() (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("serve: watching for edits: %w", err)
	}
	w := &watcher{fs: fw, stop: make(chan struct{}), done: make(chan struct{})}
	for _, dir := range []string{s.cfg.ContentDir, s.cfg.SiteDir} {
		if dir == "" {
			continue
		}
		if err := addTree(fw, dir); err != nil {
			fw.Close()
			return nil, fmt.Errorf("serve: watching %s: %w", dir, err)
		}
	}
	go s.watchLoop(w)
	return w, nil
}

func (w *watcher) close() {
	close(w.stop)
	w.fs.Close()
	<-w.done
}

// addTree watches dir and every folder under it (inotify is not recursive).
func addTree(fw *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return fw.Add(p)
		}
		return nil
	})
}

func (s *Server) watchLoop(w *watcher) {
	defer close(w.done)
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-w.stop:
			return
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			s.log.Warn("serve: watching for edits", "error", err.Error())
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if ignored(ev.Name) || ev.Op == fsnotify.Chmod {
				continue
			}
			if ev.Op.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					addTree(w.fs, ev.Name)
				}
			}
			pending[ev.Name] = true
			timer.Reset(quiet)
		case <-timer.C:
			names := make([]string, 0, len(pending))
			for n := range pending {
				names = append(names, n)
			}
			clear(pending)
			s.rebuild(names)
		}
	}
}

// ignored tells editors' scratch files from content: backups, swap files,
// lock files and vim's write test.
func ignored(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, ".") || strings.HasPrefix(base, "#") || strings.HasSuffix(base, "~") ||
		strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || base == "4913"
}

// rebuild brings the site up to date after the files named changed: the
// pages alone when the builder can, else a full build; then the open
// pages reload, or show the error.
func (s *Server) rebuild(names []string) {
	start := time.Now()
	var pages []string
	full := false
	for _, n := range names {
		rel, ok := within(s.cfg.ContentDir, n)
		if !ok {
			full = true // a layout, an asset, or something unknown
			break
		}
		pages = append(pages, rel)
	}
	var err error
	what := "pages"
	s.mu.Lock()
	full = full || s.built == nil // no build has succeeded yet
	s.mu.Unlock()
	if !full {
		s.mu.Lock()
		_, err = s.built.Rebuild(pages)
		s.mu.Unlock()
		full = errors.Is(err, builder.ErrFullBuild)
	}
	if full {
		what = "site"
		_, err = s.fullBuild()
	}
	if err != nil {
		s.log.Error("serve: rebuild failed", "error", err.Error())
	} else {
		s.log.Info("serve: rebuilt the "+what, "files", strings.Join(names, ", "), "ms", time.Since(start).Milliseconds())
	}
	s.reload.built(err)
	if err == nil && what == "pages" {
		// The edited page is back on screen; now the search index, which
		// a full build has written already.
		s.mu.Lock()
		res, err := s.built.UpdateSearch()
		s.mu.Unlock()
		if err != nil {
			s.log.Error("serve: search index", "error", err.Error())
		} else {
			s.log.Info("serve: search index updated", "files", res.SearchFiles, "ms", res.Duration.Milliseconds())
		}
	}
}

// within returns name relative to dir, slash-separated, if it is under dir.
func within(dir, name string) (string, bool) {
	if dir == "" {
		return "", false
	}
	rel, err := filepath.Rel(dir, name)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	return filepath.ToSlash(rel), true
}
