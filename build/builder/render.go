package builder

import (
	"bufio"
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"time"
	"unsafe"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"gopkg.in/yaml.v3"

	"loa/build/search"
	"loa/content"
	"loa/functions/routes"
	"loa/functions/vntext"
	"loa/site"
)

// layouts are the templates of the pages' own parts, each a file of layouts/.
var layouts = []string{"page.html", "document.html", "list.html", "home.html", "items.html", "attachments.html", "search.html", "search-box.html", "thanks.html", "notfound.html", "redirect.html", "register.html", "docinfo.html", "print.html"}

type templates struct {
	set *template.Template
}

var funcs = template.FuncMap{
	"longDate":  vntext.LongDate,
	"shortDate": vntext.ShortDate,
	"dateTime":  vntext.DateTime,
	"isoDate":   func(t time.Time) string { return t.In(vntext.Location).Format("2006-01-02") },
	"isoTime":   func(t time.Time) string { return t.In(vntext.Location).Format(time.RFC3339) },
	// items is the argument of layouts/items.html: pages, and the level of
	// their headings.
	"items": func(pages []*Page, level int) itemList { return itemList{pages, level} },
}

type itemList struct {
	Pages []*Page
	Level int
}

func parseTemplates(fsys fs.FS) (*templates, error) {
	patterns := make([]string, len(layouts))
	for i, l := range layouts {
		patterns[i] = "layouts/" + l
	}
	set, err := template.New("").Funcs(funcs).ParseFS(fsys, patterns...)
	if err != nil {
		return nil, fmt.Errorf("layouts: %w", err)
	}
	return &templates{set: set}, nil
}

// view is what the layouts of pages' own parts read.
type view struct {
	Site     site.Config
	Page     *Page
	Content  template.HTML // the page's Markdown, rendered
	Date     string        // the document's place-and-date line
	Form     *formView     // form pages
	List     *listView     // list pages and the home page
	Register *registerView // the register's pages
	Home     *homeView
	Target   string          // redirect pages: the absolute URL to go to
	Search   search.PageData // the results page
}

type listView struct {
	Title string
	// Description and Intro are a section's, from its _index.md: a line
	// under the title, and a text on the first page.
	Description string
	Intro       template.HTML
	Pages       []*Page
	Page, Of    int
	Prev, Next  string
	Feed        string
}

type homeView struct {
	Sections []*listView
	Forms    []*formView
}

// renderer renders the pages of one worker; it is not shared.
type renderer struct {
	b    *build
	body bytes.Buffer
	bw   *bufio.Writer // into body, for goldmark, which makes one per page otherwise
	main bytes.Buffer

	// guard, when set, is asked about each page once its URL is known and
	// before anything is rendered or written; an error stops the page.
	// A partial rebuild uses it to refuse what only a full build can do.
	guard func(p *Page, published bool) error
}

func newRenderer(b *build) *renderer {
	r := &renderer{b: b}
	r.bw = bufio.NewWriter(&r.body)
	return r
}

// page reads, renders and writes one content file. It returns nil, nil for
// a page that is not published (draft, future, expired).
func (r *renderer) page(name string) (*Page, error) {
	b := r.b
	source := path.Join(b.opts.ContentDir, name)
	src, err := fs.ReadFile(b.opts.Content, name)
	if err != nil {
		return nil, err
	}

	p, body, bodyLine, err := b.readPage(name, src)
	if err != nil {
		return nil, err
	}
	src = body
	ctx := parser.NewContext(parser.WithIDs(newHeadingIDs()))
	md := markdownFor(src)
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	published := b.include(p)
	if r.guard != nil {
		if err := r.guard(p, published); err != nil {
			return nil, err
		}
	}
	if !published {
		return nil, nil
	}
	used, err := b.pictures(p, doc, src, bodyLine)
	if err != nil {
		return nil, err
	}
	if err := b.attach(p, doc, src, bodyLine, used); err != nil {
		return nil, err
	}
	if p.Summary == "" {
		p.Summary = firstParagraph(doc, src, 200)
	}

	r.body.Reset()
	r.bw.Reset(&r.body)
	if err := md.Renderer().Render(r.bw, src, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	b.search.index(searchDoc(p, doc, src, b.sectionTitle(p.Section)))
	v := &view{Site: b.cfg, Page: p, Content: template.HTML(borrowString(&r.body))}
	layout := "page.html"
	if p.Document != nil {
		layout = "document.html"
		v.Date = strings.TrimSpace(joinPlace(p.Document.Place, p.Document.Issued.Long()))
	}
	// Every article can be printed (Decree 42/2022/NĐ-CP, Art. 7): the
	// script shows its button, which is of no use without it.
	var scripts []string
	if js := b.frame.Script("print.js"); js != "" {
		scripts = append(scripts, js)
	}
	if p.FormID != "" {
		fv, err := b.forms.view(p.FormID)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		v.Form = fv
		if fv.HTML != "" {
			if js := b.frame.Script("form.js"); js != "" {
				scripts = append(scripts, js)
			}
		}
	}
	og := "article"
	sh := site.Shell{
		Title:       p.Title,
		Description: p.Summary,
		Canonical:   b.absURL(p.URL),
		Path:        p.URL,
		OGType:      og,
		Feeds:       b.feedLinks(p.Section),
		Scripts:     scripts,
	}
	if im := p.Image; im != nil {
		sh.Image, sh.ImageWidth, sh.ImageHeight = b.absURL(im.URL), im.Width, im.Height
	}
	if err := r.write(p.URL, layout, v, sh); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return p, nil
}

// readPage reads the front matter of the content file name, whose bytes
// are src, and checks it as every build does: its keys and values, the
// kind of an official document, its section's needs. It returns the page
// and its Markdown body, which starts on line bodyLine of the file.
func (b *build) readPage(name string, src []byte) (p *Page, body []byte, bodyLine int, err error) {
	source := path.Join(b.opts.ContentDir, name)
	front, body, bodyLine, hasFront := content.FrontMatter(src)
	p = &Page{Source: source}
	if path.Base(name) == bundleIndex && path.Dir(name) != "." {
		p.Bundle = path.Dir(name)
	}
	if hasFront {
		var root yaml.Node
		if err := yaml.Unmarshal(front, &root); err != nil {
			return nil, nil, 0, content.YAMLError(source, "phần đầu trang (front matter)", 1, err)
		}
		if err := decodeFrontMatter(&root, p); err != nil {
			return nil, nil, 0, fileError(source, err)
		}
	}
	if p.Document != nil {
		if err := b.checkDocument(p); err != nil {
			return nil, nil, 0, err
		}
	}
	if err := b.place(p, name); err != nil {
		return nil, nil, 0, err
	}
	return p, body, bodyLine, nil
}

func joinPlace(place, date string) string {
	if place == "" {
		return date
	}
	return place + ", " + date
}

// place sets the section and URL of p from its file name and slug.
func (b *build) place(p *Page, name string) error {
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	if p.Bundle != "" {
		// A bundle's page takes its slug from its folder.
		dir, base = path.Dir(p.Bundle), path.Base(p.Bundle)+".md"
		if dir == "." {
			dir = ""
		}
	}
	// Folders are slugged like file names: a folder saved as "Thông báo
	// tổ 3" is served at /thong-bao-to-3/. The first one is the section.
	var folders []string
	if dir != "" {
		for _, seg := range strings.Split(dir, "/") {
			s := vntext.Slug(seg)
			if s == "" {
				return fmt.Errorf("%s: thư mục %q không có chữ hay số nào để làm địa chỉ trang; cần đổi tên thư mục", p.Source, seg)
			}
			folders = append(folders, s)
		}
		p.Section = folders[0]
	}
	slug := vntext.Slug(strings.TrimSuffix(base, ".md"))
	if p.Slug != "" {
		slug = vntext.Slug(p.Slug)
	}
	if slug == "" {
		return fmt.Errorf("%s: không đặt được địa chỉ trang; cần đặt tên tệp có chữ hoặc số, hoặc ghi \"slug\" ở phần đầu trang", p.Source)
	}
	if p.Title == "" {
		return fmt.Errorf("%s: phần đầu trang: thiếu \"title\" (tiêu đề; cần dòng title: \"...\" giữa hai dòng ---)", p.Source)
	}
	// The pages of a dated section are listed newest first and go into the
	// feeds, which need an instant: an undated one would sort and publish
	// as year 1.
	if b.dated(p.Section) && p.Date.IsZero() {
		return fmt.Errorf("%s: phần đầu trang: thiếu \"date\" (trang của mục này cần ngày đăng, ví dụ date: 2023-04-20)", p.Source)
	}
	p.URL = "/"
	for _, f := range folders {
		p.URL += f + "/"
	}
	p.URL += slug + "/"
	for i, a := range p.Aliases {
		u, ok := cleanAlias(a)
		if !ok {
			return fmt.Errorf("%s:%d: phần đầu trang: địa chỉ cũ (alias) %q không phải một đường dẫn trong trang này (cần dạng /cu/duong-dan/)", p.Source, p.aliasLines[i]+1, a)
		}
		p.Aliases[i] = u
	}
	return nil
}

// cleanAlias checks that a is a path of this site and gives it the form of
// a page URL: leading and trailing slash, unless it names an .html file.
func cleanAlias(a string) (string, bool) {
	if !strings.HasPrefix(a, "/") || strings.ContainsAny(a, "?#\\ ") {
		return "", false
	}
	clean := path.Clean(a)
	if clean == "/" || strings.Contains(clean, "..") {
		return "", false
	}
	if !strings.HasSuffix(clean, ".html") {
		clean += "/"
	}
	return clean, true
}

// borrowString is the text in b without a copy. It is valid only until b
// is next written or reset: the renderer's two buffers are each read once
// while the page is drawn, then written over by the next page.
func borrowString(b *bytes.Buffer) string {
	if b.Len() == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b.Bytes()), b.Len())
}

// write renders the page's own part with layout, then the frame around it,
// and writes the page.
func (r *renderer) write(url, layout string, v *view, sh site.Shell) error {
	r.main.Reset()
	if err := r.b.tmpl.set.ExecuteTemplate(&r.main, layout, v); err != nil {
		return err
	}
	sh.Site = r.b.cfg
	sh.LiveReload = r.b.opts.LiveReload
	sh.Main = template.HTML(borrowString(&r.main))
	buf := getBuffer()
	defer putBuffer(buf)
	if err := r.b.frame.Render(buf, sh); err != nil {
		return err
	}
	return r.b.out.write(url, buf.Bytes())
}

// CheckPage checks a content file before it is written, with the checks
// every build makes when it reads one (readPage): name is its path in the
// content tree fsys ("ke-hoach/qd-12/index.md"), src its bytes, dir how to
// name the tree in messages ("content"). The Word import runs it so that
// it never writes a page the build would refuse.
func CheckPage(fsys fs.FS, dir, name string, src []byte) error {
	kinds, err := loadKinds(fsys, dir)
	if err != nil {
		return err
	}
	sections, err := Sections(fsys, dir)
	if err != nil {
		return err
	}
	b := &build{opts: Options{Content: fsys, ContentDir: dir}, kinds: kinds, sections: sections}
	p, _, _, err := b.readPage(name, src)
	if err != nil {
		return err
	}
	if owner := b.builderURL(p.URL); owner != "" {
		return &AddressError{Source: p.Source, URL: p.URL, Owner: owner}
	}
	// Another page's address, or one of its old addresses (aliases).
	others, err := b.otherAddresses(name)
	if err != nil {
		return err
	}
	for _, u := range append([]string{p.URL}, p.Aliases...) {
		if owner, ok := others[u]; ok {
			return &AddressError{Source: p.Source, URL: u, Owner: owner}
		}
	}
	return nil
}

// otherAddresses reads the front matter of every page of the content but
// name and returns their addresses and old addresses, each with the file
// that claims it. A page that does not read is left out: the build names
// it, and it is no reason to refuse another.
func (b *build) otherAddresses(name string) (map[string]string, error) {
	files, err := contentFiles(b.opts.Content)
	if err != nil {
		return nil, err
	}
	pages, _ := splitBundles(files)
	out := map[string]string{}
	for _, f := range pages {
		if f == name {
			continue
		}
		src, err := fs.ReadFile(b.opts.Content, f)
		if err != nil {
			continue
		}
		p, _, _, err := b.readPage(f, src)
		if err != nil {
			continue
		}
		out[p.URL] = p.Source
		for _, a := range p.Aliases {
			out[a] = p.Source + " (địa chỉ cũ)"
		}
	}
	return out, nil
}

// AddressError is a page whose address is taken: the page is right, its
// place is not, so it is to be put elsewhere (another slug), not changed.
type AddressError struct {
	Source, URL, Owner string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("%s: địa chỉ %s trùng với địa chỉ của %s; cần đặt địa chỉ khác (slug)", e.Source, e.URL, e.Owner)
}

// builderURL names what the builder itself publishes at u, whatever the
// pages are: the home page, the search page, a section's list, a page of
// the register (by kind, by year, paginated); "" for none.
func (b *build) builderURL(u string) string {
	switch u {
	case "/":
		return "trang chủ"
	case routes.StaffPage:
		return "trang quản trị"
	case routes.CheckinPage:
		return "trang điểm danh"
	case routes.GuestsPage:
		return "trang khách mời và giấy mời"
	case routes.CommendationPage:
		return "trang danh sách đề nghị khen thưởng"
	case "/atom.xml", "/sitemap.xml", "/robots.txt", "/404.html":
		return "tệp " + strings.Trim(u, "/") + " của trang"
	case SearchPath:
		return "trang tìm kiếm"
	case routes.LookupPage:
		return "trang tra cứu câu hỏi"
	case routes.PublicPage:
		return "trang Hỏi đáp"
	}
	for _, s := range b.sections {
		if u == "/"+s.Dir+"/" || strings.HasPrefix(u, "/"+s.Dir+"/trang/") {
			return "danh sách của mục " + s.Source
		}
	}
	if rest, ok := strings.CutPrefix(u, "/"+registerDir+"/"); ok {
		seg, _, _ := strings.Cut(rest, "/")
		if seg == "" || seg == "trang" || len(seg) == 4 && strings.Trim(seg, "0123456789") == "" {
			return "sổ văn bản"
		}
		for _, k := range b.kinds.kinds {
			if seg == k.Slug {
				return "sổ văn bản (loại " + k.Name + ")"
			}
		}
	}
	return ""
}
