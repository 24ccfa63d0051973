package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// AssetsDir is the URL directory under which fingerprinted assets are published.
const AssetsDir = "/assets/"

// Asset is one file the site publishes from assets/.
type Asset struct {
	Path string // URL path, e.g. "/assets/site.3f9a1c2e0b7d.css"
	Data []byte
}

// Frame is the shared frame (layouts/base.html) parsed once, together with
// the assets it links. It is safe for concurrent use.
//
// The stylesheet is every assets/css/*.css file, in name order, joined into
// one file whose name carries a hash of its bytes: one request per page, and
// caches can keep it forever because a change gives it a new name. Scripts
// under assets/js/ are fingerprinted one by one, so that only the pages that
// need a script load it.
type Frame struct {
	tmpl    *template.Template
	assets  []Asset
	css     string
	scripts map[string]string // "form.js" → "/assets/form.<hash>.js"
	icon    string

	// The rendered parts of the frame by partKey, when the layouts define
	// them: "site-header" and "site-footer", the same on every page of a
	// menu state, and "site-links", the same on every page of a kind.
	// Executing html/template costs a reflective call per action and its
	// escapers (the head's links were 4 % of a build's CPU, the header 40
	// µs a page for a menu of ten entries). At most maxParts are kept.
	parts  sync.Map // partKey → template.HTML
	nparts atomic.Int32
}

// maxParts bounds the kept parts: a site has a header for each menu state
// (each entry current or not) and links for each kind of page, a province
// that many per unit.
const maxParts = 4096

// partKey is what a part can depend on: every field of the site's Config,
// and what else the part sees (the menu as the page shows it, which entry
// current; or the head's links). A field added to Config must join it.
type partKey struct {
	name, title, tagline, baseURL, menu, links string
}

// Chrome is what layouts/base.html's "site-header" and "site-footer" see:
// the site and its menu, nothing of the page, so that each is rendered once
// per menu state and reused.
type Chrome struct {
	Site Config
	Menu []MenuEntry
}

// HeadLinks is what layouts/base.html's "site-links" sees: the links of
// <head> that depend on the site and on the kind of page (the feeds of its
// section, the scripts it runs), nothing of the page itself, so that they
// are rendered once per kind of page and reused.
type HeadLinks struct {
	Site       Config
	Feeds      []Link
	Icon       string
	Stylesheet string
	Scripts    []string
	LiveReload bool
}

// NewFrame parses layouts/base.html of fsys, with the header's search box
// (layouts/search-box.html), and fingerprints its assets.
func NewFrame(fsys fs.FS) (*Frame, error) {
	tmpl, err := template.New("base.html").Funcs(FrameFuncs).ParseFS(fsys, "layouts/base.html", "layouts/search-box.html")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	f := &Frame{tmpl: tmpl, scripts: map[string]string{}}

	cssFiles, err := fs.Glob(fsys, "assets/css/*.css")
	if err != nil {
		return nil, err
	}
	sort.Strings(cssFiles)
	var css bytes.Buffer
	for _, name := range cssFiles {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		fmt.Fprintf(&css, "/* %s */\n", path.Base(name))
		css.Write(b)
		if len(b) > 0 && b[len(b)-1] != '\n' {
			css.WriteByte('\n')
		}
	}
	if len(cssFiles) > 0 {
		f.css = f.add("site", ".css", css.Bytes())
	}

	jsFiles, err := fs.Glob(fsys, "assets/js/*.js")
	if err != nil {
		return nil, err
	}
	for _, name := range jsFiles {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		base := path.Base(name)
		f.scripts[base] = f.add(strings.TrimSuffix(base, ".js"), ".js", b)
	}

	// The icon keeps a fixed name at the root: browsers ask for it on
	// their own, before and without reading any page.
	if b, err := fs.ReadFile(fsys, "assets/favicon.svg"); err == nil {
		f.icon = "/favicon.svg"
		f.assets = append(f.assets, Asset{Path: f.icon, Data: b})
	}
	sort.Slice(f.assets, func(i, j int) bool { return f.assets[i].Path < f.assets[j].Path })
	return f, nil
}

func (f *Frame) add(stem, ext string, data []byte) string {
	sum := sha256.Sum256(data)
	p := AssetsDir + stem + "." + hex.EncodeToString(sum[:6]) + ext
	f.assets = append(f.assets, Asset{Path: p, Data: data})
	return p
}

// Render writes a whole page: the frame around sh.Main. It fills in the
// stylesheet and icon URLs, so callers only say what is theirs.
func (f *Frame) Render(w io.Writer, sh Shell) error {
	sh.Stylesheet = f.css
	sh.Icon = f.icon
	sh.Menu = make([]MenuEntry, len(sh.Site.Menu))
	for i, l := range sh.Site.Menu {
		sh.Menu[i].Name, sh.Menu[i].URL = l.Name, l.URL
		switch {
		case l.URL == sh.Path:
			sh.Menu[i].Current = "page"
		case isAncestor(l.URL, sh.Path):
			sh.Menu[i].Current = "true"
		}
	}
	site := partKey{title: sh.Site.Title, tagline: sh.Site.Tagline, baseURL: sh.Site.BaseURL}
	chrome := site
	chrome.menu = menuKey(sh.Menu)
	chromeData := func() any { return Chrome{Site: sh.Site, Menu: sh.Menu} }
	var err error
	if sh.Header, err = f.part("site-header", chrome, chromeData); err != nil {
		return err
	}
	if sh.Footer, err = f.part("site-footer", chrome, chromeData); err != nil {
		return err
	}
	head := site
	head.links = linksKey(&sh)
	if sh.Links, err = f.part("site-links", head, func() any {
		return HeadLinks{Site: sh.Site, Feeds: sh.Feeds, Icon: sh.Icon, Stylesheet: sh.Stylesheet, Scripts: sh.Scripts, LiveReload: sh.LiveReload}
	}); err != nil {
		return err
	}
	return f.tmpl.Execute(w, &sh)
}

// menuKey is the menu as a page shows it, as partKey keeps it: each
// entry's name, URL and aria-current.
func menuKey(menu []MenuEntry) string {
	var b []byte
	for _, m := range menu {
		b = appendKeyField(appendKeyField(appendKeyField(b, m.Name), m.URL), m.Current)
	}
	return string(b)
}

// linksKey is what "site-links" sees of sh beyond the site (HeadLinks),
// as partKey keeps it.
func linksKey(sh *Shell) string {
	b := strconv.AppendInt(nil, int64(len(sh.Feeds)), 10)
	for _, l := range sh.Feeds {
		b = appendKeyField(appendKeyField(b, l.Name), l.URL)
	}
	b = strconv.AppendInt(append(b, ';'), int64(len(sh.Scripts)), 10)
	for _, s := range sh.Scripts {
		b = appendKeyField(b, s)
	}
	b = appendKeyField(appendKeyField(b, sh.Icon), sh.Stylesheet)
	return string(strconv.AppendBool(b, sh.LiveReload))
}

// appendKeyField appends s to a key with its length before it, so that no
// two lists of fields make the same key, whatever bytes the fields hold.
func appendKeyField(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	return append(append(b, ':'), s...)
}

// part returns the template name of the layouts rendered with what data
// makes, keyed by key (key.name is set here), from the kept ones when it
// was rendered before; "" when the layouts do not define it.
func (f *Frame) part(name string, key partKey, data func() any) (template.HTML, error) {
	t := f.tmpl.Lookup(name)
	if t == nil {
		return "", nil
	}
	key.name = name
	if h, ok := f.parts.Load(key); ok {
		return h.(template.HTML), nil
	}
	var b strings.Builder
	if err := t.Execute(&b, data()); err != nil {
		return "", err
	}
	h := template.HTML(b.String())
	if f.nparts.Load() < maxParts {
		if _, loaded := f.parts.LoadOrStore(key, h); !loaded {
			f.nparts.Add(1)
		}
	}
	return h, nil
}

// Stylesheet returns the URL of the site's one stylesheet.
func (f *Frame) Stylesheet() string { return f.css }

// Script returns the URL of assets/js/<name>, or "" when there is no such script.
func (f *Frame) Script(name string) string { return f.scripts[name] }

// Assets returns the files to publish, sorted by URL path.
func (f *Frame) Assets() []Asset { return f.assets }

// FrameFuncs are the functions layouts/base.html may call.
var FrameFuncs = template.FuncMap{
	// current reports whether the menu entry url is the page at path or
	// one of its ancestors, so that "Kế hoạch" stays marked on a plan.
	"current": func(path, url string) bool { return path == url || isAncestor(url, path) },
}

// isAncestor reports whether the menu entry url is a folder above the
// page at path.
func isAncestor(url, path string) bool {
	return url != "/" && strings.HasSuffix(url, "/") && strings.HasPrefix(path, url)
}
