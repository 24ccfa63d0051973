package builder

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/site"
)

// ErrFullBuild is returned by [Site.Rebuild] when a change needs a full
// build: a new, deleted or moved page, a page that became published or
// unpublished, or a file that is not a page (site.yaml, data/, the form
// pages, whose front matter defines the forms).
var ErrFullBuild = errors.New("builder: this change needs a full build")

// Site is a built site kept in memory (templates, forms, every page's
// metadata) so that an edited page can be rebuilt alone. The serve command
// holds one; publishing uses [Build].
//
// A page whose body changed is rendered again and nothing else; when its
// metadata changed (title, date, summary, ...), the lists, feeds, home page
// and sitemap are made again from the metadata in memory, without reading
// any other page. Files are replaced in place, each by a rename, so that a
// reader never sees half a file.
type Site struct {
	b     *build
	index map[string]int // content file name → position in b.files
}

// Open builds the site as [Build] does and keeps it for [Site.Rebuild].
func Open(opts Options) (*Site, Result, error) {
	b, res, err := fullBuild(opts, true)
	if err != nil {
		return nil, Result{}, err
	}
	s := &Site{b: b, index: make(map[string]int, len(b.files))}
	for i, name := range b.files {
		s.index[name] = i
	}
	return s, res, nil
}

// Config is the site.yaml the site was built with.
func (s *Site) Config() site.Config { return s.b.cfg }

// Forms is the forms the site's pages show, as the form handler must
// enforce them; nil when the content has no form pages.
func (s *Site) Forms() *forms.Registry { return s.b.registry }

// Frame is the frame the site's pages were rendered in.
func (s *Site) Frame() *site.Frame { return s.b.frame }

// Rebuild brings the output up to date after the content files named in
// changed (slash-separated, relative to the content tree, e.g.
// "ke-hoach/a.md") were edited. It returns [ErrFullBuild], having written
// nothing that a full build would not write, when the change needs one.
// On any other error (a page that does not parse) the pages rebuilt before
// the failing one stay written and the rest of the site is as it was.
func (s *Site) Rebuild(changed []string) (Result, error) {
	start := time.Now()
	b := s.b
	for _, name := range changed {
		if _, known := s.index[name]; !known || !isPlainPage(name) {
			return Result{}, ErrFullBuild
		}
		if _, err := fs.Stat(b.opts.Content, name); err != nil {
			return Result{}, ErrFullBuild
		}
	}

	b.out = &output{root: b.opts.Out, inPlace: true}
	r := newRenderer(b)
	var moved [][2]*Page // pages whose metadata changed: old, new
	for _, name := range changed {
		i := s.index[name]
		old := b.pages[i]
		r.guard = func(p *Page, published bool) error {
			// A page that appears, disappears or moves changes the set of
			// files and URLs: only a full build checks and writes those.
			if published != (old != nil) {
				return ErrFullBuild
			}
			if old != nil && (p.URL != old.URL || !slices.Equal(p.Aliases, old.Aliases)) {
				return ErrFullBuild
			}
			// A document that changes kind or year may add or remove a
			// page of the register.
			if old != nil && b.registerURLsChange(kept(b.pages), old, p) {
				return ErrFullBuild
			}
			return nil
		}
		p, err := r.page(name)
		if err != nil {
			if errors.Is(err, ErrFullBuild) {
				return Result{}, ErrFullBuild
			}
			return Result{}, err
		}
		// Lists, feeds, the home page and the sitemap read nothing but
		// the pages' metadata: if it is unchanged, neither are they.
		if !reflect.DeepEqual(p, old) {
			moved = append(moved, [2]*Page{old, p})
		}
		b.pages[i] = p
	}
	if len(moved) > 0 {
		kept := kept(b.pages)
		b.only = map[string]bool{}
		for _, m := range moved {
			b.affected(kept, m[0], m[1])
		}
		err := b.generated(kept)
		b.only = nil
		if err != nil {
			return Result{}, err
		}
	}
	return Result{Pages: int(b.out.pages.Load()), Files: int(b.out.files.Load()), Duration: time.Since(start)}, nil
}

// UpdateSearch writes the search index again after [Site.Rebuild]: the
// shards that hold what changed, and the results page. It is apart from
// Rebuild because it inverts every page's term list again (a fraction of
// a second on a site of thousands of pages): serve reloads the edited page
// first and updates the index right after.
func (s *Site) UpdateSearch() (Result, error) {
	start := time.Now()
	b := s.b
	b.out = &output{root: b.opts.Out, inPlace: true}
	if err := b.writeSearch(newRenderer(b)); err != nil {
		return Result{}, err
	}
	return Result{Pages: int(b.out.pages.Load()), SearchFiles: int(b.out.searchFiles.Load()), Duration: time.Since(start)}, nil
}

// kept returns the published pages of pages, in order.
func kept(pages []*Page) []*Page {
	var out []*Page
	for _, p := range pages {
		if p != nil {
			out = append(out, p)
		}
	}
	return out
}

// isPlainPage reports whether name is a page that nothing but its own
// output depends on, apart from the metadata lists are made from. Form
// pages are not: their front matter is also the form's definition.
func isPlainPage(name string) bool {
	if !strings.HasSuffix(name, ".md") || strings.HasPrefix(name, "data/") || strings.HasPrefix(name, "bieu-mau/") {
		return false
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	return true
}

// ReplaceFile replaces name by data through a temporary file beside it, so
// that a reader never sees half a file: the serve command answers requests
// from the output while it is rebuilt, and edits content files in place.
func ReplaceFile(name string, data []byte) error {
	return replaceFrom(name, bytes.NewReader(data))
}

// replaceFrom is ReplaceFile for what src reads, copied without holding it
// in memory (a bundle's attachment may be a large scan).
func replaceFrom(name string, src io.Reader) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// affected adds to b.only the generated files that show the metadata of a
// page that changed from old to p (same URL, same aliases): the list pages
// between its old and its new place in its section, the home page and the
// feeds when it is among their newest, the register's pages that show it
// or showed it, the sitemap when its date changed, and its alias pages.
func (b *build) affected(pages []*Page, old, p *Page) {
	if s := b.section(p.Section); s != nil {
		lo := b.spread(p.Section, pages, old, p, func(o *Page) bool { return o.Section == p.Section }, newer)
		if lo < 5 && s.Home {
			b.only["/"] = true
		}
		if lo < feedItems && s.Dated {
			b.only["/"+p.Section+"/atom.xml"] = true
		}
	}
	if b.dated(p.Section) {
		inFeed := func(o *Page) bool { return b.dated(o.Section) }
		if rank(pages, old, p, inFeed, newer) < feedItems || rank(pages, p, p, inFeed, newer) < feedItems {
			b.only["/atom.xml"] = true
		}
	}
	if isDocument(old) || isDocument(p) {
		b.affectedRegister(pages, old, p)
	}
	if !p.Date.Equal(old.Date) {
		b.only["/sitemap.xml"] = true
	}
	for _, a := range p.Aliases {
		b.only[a] = true
	}
}

// rank returns where q stands among the pages for which in is true,
// ordered by before, p (the page that changed) left out.
func rank(pages []*Page, q, p *Page, in func(*Page) bool, before func(a, b *Page) bool) int {
	n := 0
	for _, o := range pages {
		if o != p && in(o) && before(o, q) {
			n++
		}
	}
	return n
}

// spread adds to b.only the pages of the list dir (the pages for which in
// is true, ordered by before) that show p, which was old: those between
// its two places, or, when it joined or left the list, from its place to
// the end, as the pages after it moved. It returns the first of its
// places, or -1 when it is in the list neither before nor after.
func (b *build) spread(dir string, pages []*Page, old, p *Page, in func(*Page) bool, before func(a, b *Page) bool) int {
	count := 0
	for _, o := range pages {
		if in(o) {
			count++
		}
	}
	var lo, hi int
	switch was, is := in(old), in(p); {
	case was && is:
		a, z := rank(pages, old, p, in, before), rank(pages, p, p, in, before)
		lo, hi = min(a, z), max(a, z)
	case was:
		lo, hi = rank(pages, old, p, in, before), count
	case is:
		lo, hi = rank(pages, p, p, in, before), count
	default:
		return -1
	}
	for n := lo/perPage + 1; n <= hi/perPage+1; n++ {
		b.only[pageURL(dir, n)] = true
	}
	return lo
}
