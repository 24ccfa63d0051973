// Package builder turns the content tree into the static site.
//
// The model, in one paragraph: every content/**/*.md file is a page, YAML
// front matter followed by Markdown. Its URL is its folder plus its slug
// (the file name, or the "slug" key), e.g. content/tin-tuc/a.md is served
// at /tin-tuc/a/, content/gioi-thieu.md at /gioi-thieu/. A page with a
// "document:" block is an official document and gets the layout of Decree
// 30/2020/NĐ-CP (layouts/document.html); a page with a "form:" block shows
// the form of that id under its text, and gets a thank-you page at
// /bieu-mau/<id>/cam-on/; every other page uses layouts/page.html. A
// folder with an _index.md is a section (sections.go): its front matter
// says its title, whether its pages are dated (listed newest first, in the
// feeds, on the home page) and which kinds of document the Word import
// puts there; it gets a list page, 20 to a page. No Go code names a
// section. Official documents are also listed in the register /van-ban/,
// by kind and by year (register.go), their kinds read from
// data/loai-van-ban.yaml. The home page, Atom feeds, sitemap.xml,
// robots.txt, 404.html and redirect pages for "aliases" are made from the
// pages' metadata. Each page's own part is rendered first, then the shared
// frame (site.Frame, layouts/base.html) around it.
//
// Pages are read, rendered and written by a bounded pool of workers that
// share one goldmark instance and templates parsed once; only metadata is
// kept, so memory does not grow with the size of the pages. The output goes
// to a fresh directory that replaces the previous one only when the whole
// build has succeeded; an update build (Options.Update) writes there only
// the files whose bytes changed, and moves them into place then. The
// layouts are parsed once per Layouts, which many builds may share.
package builder

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"loa/build/images"
	"loa/build/search"
	"loa/functions/forms"
	"loa/functions/routes"
	"loa/site"
)

// Options say what to build and where.
type Options struct {
	Content    fs.FS  // the content tree: site.yaml, sections (folders with an _index.md), pages, data/
	ContentDir string // how to name the content tree in messages, e.g. "content"
	Site       fs.FS  // layouts/ and assets/; site.FS() when nil
	// Layouts are Site made ready (NewLayouts), for builds that share
	// them; when set, Site is theirs. Nil: read from Site.
	Layouts *Layouts
	Out     string // output directory, replaced as a whole on success

	Drafts  bool // include pages with draft: true
	Future  bool // include pages whose publishDate (or date) is after Now
	Expired bool // include pages whose expiryDate is not after Now

	BaseURL string    // overrides baseURL of site.yaml
	Now     time.Time // the time publish dates, expiry dates and form deadlines are compared with
	Workers int       // pages rendered at once; twice GOMAXPROCS when zero

	// ImageCache keeps processed images between builds; "" means .cache/images
	// beside Out.
	ImageCache string

	// Update starts from the site's last build in Out (update.go): only
	// the files whose bytes change are written, and moved into Out once
	// the whole build has succeeded; what the build no longer makes is
	// removed, hidden files at the top of Out excepted. A build after a
	// small edit then writes a few files rather than the whole site. On
	// error Out is left as it was, as without Update.
	Update bool

	// LiveReload marks every framed page for the serve command's reload
	// script (site.Shell.LiveReload). Never set when publishing.
	LiveReload bool
}

// Result sums up a build.
type Result struct {
	Pages    int // HTML pages rendered from content and generated (lists, home, ...)
	Files    int // every file written
	Duration time.Duration
	// SearchFiles are the files of the search index (and its results page)
	// written; Files does not count them.
	SearchFiles int
	// Warnings are what the build did but a person should look at, e.g. a
	// file of a bundle left unpublished; each names its file.
	Warnings []string
	// Until is the first instant after Now at which the same content
	// builds differently: a page's publish or expiry date, a form's
	// opening or closing. Zero: the output does not depend on the time.
	// A province build skips a unit whose inputs did not change only
	// while its last build is still valid by this.
	Until time.Time
}

func (r Result) String() string {
	return fmt.Sprintf("%d pages, %d files, %d ms", r.Pages, r.Files, r.Duration.Milliseconds())
}

const perPage = 20

// Build builds the site. On error, Opts.Out is left as it was.
func Build(opts Options) (Result, error) {
	_, res, err := fullBuild(opts, false)
	return res, err
}

// fullBuild builds the site as Build does and returns the build's state
// (templates, forms, the pages' metadata) for a partial rebuild. keep
// keeps every page's indexed text as well, which a partial rebuild indexes
// again; a build that is not rebuilt has no use for it.
func fullBuild(opts Options, keep bool) (*build, Result, error) {
	start := time.Now()
	if opts.Layouts != nil {
		opts.Site = opts.Layouts.fsys
	}
	if opts.Site == nil {
		opts.Site = site.FS()
	}
	if opts.ContentDir == "" {
		opts.ContentDir = "content"
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Workers <= 0 {
		// Twice the CPUs: a worker waiting on a read (or, in an update
		// build, on mkdir or write) leaves its CPU to another that is
		// parsing Markdown. With the files of a full build created by the
		// output's creator, 1,000 pages still took 0.250 s with four
		// workers on two CPUs, 0.259 s with two.
		opts.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if opts.Out == "" {
		return nil, Result{}, errors.New("no output directory")
	}

	b, err := newBuild(opts)
	if err != nil {
		return nil, Result{}, err
	}
	b.search.keep = keep
	tmp, err := newStaging(opts.Out)
	if err != nil {
		return nil, Result{}, err
	}
	b.out = &output{root: tmp}
	if opts.Update {
		if fi, err := os.Stat(opts.Out); err == nil && fi.IsDir() {
			b.out.last = opts.Out
			b.out.kept.files = map[string]bool{}
		}
	}
	if b.out.last == "" {
		b.out.startCreator()
	}
	err = b.run()
	if ferr := b.out.finish(); err == nil {
		err = ferr
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, Result{}, err
	}
	if b.out.last != "" {
		err = commit(tmp, opts.Out, &b.out.kept)
	} else {
		err = swap(tmp, opts.Out)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, Result{}, err
	}
	b.out.root, b.out.last = opts.Out, ""
	slices.Sort(b.warnings) // workers finish in any order; the report does not
	return b, Result{Pages: int(b.out.pages.Load()), Files: int(b.out.files.Load()), Duration: time.Since(start), Warnings: b.warnings, SearchFiles: int(b.out.searchFiles.Load()), Until: b.until}, nil
}

// build is the state of one build.
type build struct {
	opts    Options
	cfg     site.Config
	layouts *Layouts
	frame   *site.Frame // the layouts'
	tmpl    *templates  // the layouts'
	forms   formSet
	// registry is the forms of the content, as the form handler must
	// enforce them; nil for a content tree without forms.
	registry *forms.Registry
	kinds    *kindList // of official documents, data/loai-van-ban.yaml
	sections []*Section
	out      *output

	// only, when set, names the URLs generated writes; the others are
	// neither rendered nor written (a partial rebuild). nil means all.
	only map[string]bool

	// What run read, kept for a partial rebuild: the content files in
	// walk order and their pages (nil for a file that is not published).
	files []string
	pages []*Page

	// search is the indexed form of every published page.
	search searchDocs

	// bundleFiles are the files of each bundle, by its folder, relative to it.
	bundleFiles map[string][]string

	warnMu   sync.Mutex
	warnings []string
	// until is Result.Until, lowered by changesAt as pages and forms are read.
	until time.Time

	imagesOnce sync.Once
	images     *images.Processor
	imagesErr  error
}

// warn notes something a person should look at; the build goes on.
func (b *build) warn(format string, args ...any) {
	b.warnMu.Lock()
	defer b.warnMu.Unlock()
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func newBuild(opts Options) (*build, error) {
	b := &build{opts: opts}
	cfg, err := site.LoadConfig(opts.Content, opts.ContentDir)
	if err != nil {
		return nil, err
	}
	b.cfg = cfg
	if opts.BaseURL != "" {
		b.cfg.BaseURL = opts.BaseURL
	}
	if b.cfg.BaseURL == "" {
		b.cfg.BaseURL = "/"
	}
	if !strings.HasSuffix(b.cfg.BaseURL, "/") {
		b.cfg.BaseURL += "/"
	}
	if b.layouts = opts.Layouts; b.layouts == nil {
		if b.layouts, err = NewLayouts(opts.Site); err != nil {
			return nil, err
		}
	}
	b.frame, b.tmpl = b.layouts.frame, b.layouts.tmpl
	if b.kinds, err = loadKinds(opts.Content, opts.ContentDir); err != nil {
		return nil, err
	}
	if b.sections, err = Sections(opts.Content, opts.ContentDir); err != nil {
		return nil, err
	}
	if err := checkKinds(b.sections, b.kinds); err != nil {
		return nil, err
	}
	if b.forms, b.registry, err = loadForms(opts.Content, opts.Site, opts.Now); err != nil {
		return nil, forms.InDir(opts.ContentDir, err)
	}
	for _, f := range b.forms {
		b.changesAt(f.Opens)
		b.changesAt(f.Closes)
	}
	return b, nil
}

// changesAt notes that what is built changes at t, if t is after Now:
// Result.Until is the earliest such instant.
func (b *build) changesAt(t time.Time) {
	if t.IsZero() || !t.After(b.opts.Now) {
		return
	}
	b.warnMu.Lock()
	defer b.warnMu.Unlock()
	if b.until.IsZero() || t.Before(b.until) {
		b.until = t
	}
}

// wants reports whether generated should write the file serving u.
func (b *build) wants(u string) bool { return b.only == nil || b.only[u] }

// absURL makes a site-relative URL absolute with the base URL.
func (b *build) absURL(u string) string {
	return strings.TrimSuffix(b.cfg.BaseURL, "/") + u
}

// contentFiles lists the files of the content tree that are pages or a
// bundle's files, in walk order: not site.yaml, data/, the sections'
// _index.md, or anything hidden.
func contentFiles(fsys fs.FS) ([]string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && (p == "data" || strings.HasPrefix(d.Name(), ".")) {
			return fs.SkipDir
		}
		if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") && p != "site.yaml" && d.Name() != sectionIndex {
			files = append(files, p)
		}
		return nil
	})
	return files, err
}

// run reads and renders every page, then makes what is made from all of them.
func (b *build) run() error {
	files, err := contentFiles(b.opts.Content)
	if err != nil {
		return err
	}
	files, b.bundleFiles = splitBundles(files)
	b.search.live = search.New() // filled by the workers below

	// Pages are rendered and written as soon as they are read; the results
	// keep the order of files so that nothing depends on scheduling, and
	// every page that fails is reported, not only the first.
	pages := make([]*Page, len(files))
	errs := make([]error, len(files))
	// Each worker takes the next file until none is left, with a renderer
	// of its own whose buffers it reuses. A goroutine per file would start
	// each page on a small stack, and grow it again in the templates.
	var next atomic.Int64
	var workers sync.WaitGroup
	for range min(b.opts.Workers, len(files)) {
		workers.Go(func() {
			r := newRenderer(b)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					return
				}
				pages[i], errs[i] = r.page(files[i])
			}
		})
	}
	workers.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	b.files, b.pages = files, pages

	kept := kept(pages)
	if err := b.checkURLs(kept); err != nil {
		return err
	}
	// The lists, feeds and register and the search index are made from
	// what the workers left: one does not wait for the other.
	var wg sync.WaitGroup
	var genErr, searchErr error
	wg.Go(func() { genErr = b.generated(kept) })
	wg.Go(func() { searchErr = b.writeSearch(newRenderer(b)) })
	wg.Wait()
	return errors.Join(genErr, searchErr)
}

// include reports whether p is published, as Hugo decides it.
func (b *build) include(p *Page) bool {
	if p.Draft && !b.opts.Drafts {
		return false
	}
	publish := p.PublishDate
	if publish.IsZero() {
		publish = p.Date
	}
	b.changesAt(publish)
	b.changesAt(p.ExpiryDate)
	if !publish.IsZero() && publish.After(b.opts.Now) && !b.opts.Future {
		return false
	}
	if !p.ExpiryDate.IsZero() && !p.ExpiryDate.After(b.opts.Now) && !b.opts.Expired {
		return false
	}
	return true
}

// checkURLs fails when two files would be written to one URL. The URLs the
// builder makes itself (lists, thank-you pages) take part as well.
func (b *build) checkURLs(pages []*Page) error {
	owner := map[string]string{}
	var errs []error
	claim := func(u, who string) {
		// A file's address (/atom.xml) and an old address written in the
		// form of a page's (/atom.xml/) land on the same file.
		if strings.HasSuffix(u, "/") && path.Ext(strings.TrimSuffix(u, "/")) != "" {
			u = strings.TrimSuffix(u, "/")
		}
		if prev, ok := owner[u]; ok {
			errs = append(errs, fmt.Errorf("%s: địa chỉ %s trùng với địa chỉ của %s; cần đổi slug hoặc địa chỉ cũ (alias) của một trong hai", who, u, prev))
			return
		}
		owner[u] = who
	}
	claim("/", "trang chủ")
	claim("/404.html", "trang báo không tìm thấy (404)")
	claim(routes.StaffPage, "trang quản trị")
	claim(routes.CheckinPage, "trang điểm danh")
	claim(routes.GuestsPage, "trang khách mời và giấy mời")
	claim(routes.CommendationPage, "trang danh sách đề nghị khen thưởng")
	claim("/atom.xml", "tin mới (Atom) của trang")
	claim("/sitemap.xml", "sơ đồ trang (sitemap.xml)")
	claim("/robots.txt", "tệp robots.txt")
	claim(SearchPath, "trang tìm kiếm")
	claim(routes.LookupPage, "trang tra cứu câu hỏi")
	claim(routes.PublicPage, "trang Hỏi đáp (do bộ xử lý biểu mẫu trả lời)")
	for _, s := range b.sections {
		if s.Dir != registerDir {
			claim("/"+s.Dir+"/", "danh sách của mục "+s.Source)
		}
		if s.Dated {
			claim("/"+s.Dir+"/atom.xml", "tin mới (Atom) của mục "+s.Source)
		}
	}
	for _, u := range b.newRegister(pages).urls() {
		claim(u, "sổ văn bản")
	}
	for _, p := range pages {
		claim(p.URL, p.Source)
		if p.FormID != "" {
			claim(forms.ThanksPath(p.FormID), p.Source+" (trang cảm ơn)")
		}
	}
	for _, p := range pages {
		for i, a := range p.Aliases {
			claim(a, fmt.Sprintf("%s:%d (địa chỉ cũ)", p.Source, p.aliasLines[i]+1))
		}
	}
	return errors.Join(errs...)
}

// byDate orders pages newest first; the URL breaks ties so that two builds
// of the same content list pages in the same order.
func byDate(pages []*Page) {
	sort.SliceStable(pages, func(i, j int) bool { return newer(pages[i], pages[j]) })
}

// newer reports whether a comes before b in lists and feeds.
func newer(a, b *Page) bool {
	if !a.Date.Equal(b.Date) {
		return a.Date.After(b.Date)
	}
	return a.URL < b.URL
}

// fileError places err, if it carries a line of the front matter, at that line of file.
func fileError(file string, err error) error {
	var fe *fieldError
	if errors.As(err, &fe) {
		// The front matter starts on the file's second line, after "---".
		return fmt.Errorf("%s:%d: %s", file, fe.line+1, fe.msg)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// pool of buffers shared by the workers: pages are rendered into memory
// and written with one system call.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer {
	buf := buffers.Get().(*bytes.Buffer)
	buf.Reset()
	return buf
}

func putBuffer(buf *bytes.Buffer) {
	if buf.Cap() <= 1<<20 {
		buffers.Put(buf)
	}
}
