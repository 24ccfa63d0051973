package builder

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/routes"
	"loa/functions/vntext"
	"loa/site"
)

// generated writes everything that is made from all pages together.
func (b *build) generated(pages []*Page) error {
	byDate(pages)
	r := newRenderer(b)

	bySection := map[string][]*Page{}
	for _, p := range pages {
		bySection[p.Section] = append(bySection[p.Section], p)
	}

	home := &homeView{}
	for _, s := range b.sections {
		list := bySection[s.Dir]
		// The register of documents owns its address: a section of the
		// same folder has its pages there, listed by the register.
		if s.Dir != registerDir {
			if err := b.writeList(r, s, list); err != nil {
				return err
			}
		}
		if s.Home {
			latest := list[:min(len(list), 5)]
			lv := &listView{Title: s.Title, Pages: latest, Next: "/" + s.Dir + "/"}
			if s.Dated {
				lv.Feed = "/" + s.Dir + "/atom.xml"
			}
			home.Sections = append(home.Sections, lv)
		}
		if s.Dated {
			if err := b.writeFeed("/"+s.Dir+"/atom.xml", "/"+s.Dir+"/", s.Title+" – "+b.cfg.Title, list); err != nil {
				return err
			}
		}
	}

	// Forms are listed by the page that carries them, closing soonest first.
	for _, p := range pages {
		if p.FormID == "" {
			continue
		}
		fv, err := b.forms.view(p.FormID)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Source, err)
		}
		item := *fv
		item.Title, item.URL = p.Title, p.URL
		home.Forms = append(home.Forms, &item)
		if err := b.writeThanks(r, p, fv); err != nil {
			return err
		}
	}
	sort.SliceStable(home.Forms, func(i, j int) bool {
		if !home.Forms[i].Closes.Equal(home.Forms[j].Closes) {
			return home.Forms[i].Closes.Before(home.Forms[j].Closes)
		}
		return home.Forms[i].URL < home.Forms[j].URL
	})

	rg := b.newRegister(pages)
	if err := b.writeRegister(r, rg); err != nil {
		return err
	}

	if b.wants("/") {
		err := r.write("/", "home.html", &view{Site: b.cfg, Home: home}, site.Shell{
			Title: b.cfg.Title, Description: b.cfg.Tagline, Canonical: b.absURL("/"), Path: "/",
			OGType: "website", Feeds: b.feedLinks(""),
		})
		if err != nil {
			return fmt.Errorf("home page: %w", err)
		}
	}
	var feedPages []*Page
	for _, p := range pages {
		if b.dated(p.Section) {
			feedPages = append(feedPages, p)
		}
	}
	if err := b.writeFeed("/atom.xml", "/", b.cfg.Title, feedPages); err != nil {
		return err
	}

	if b.wants("/404.html") {
		err := r.write("/404.html", "notfound.html", &view{Site: b.cfg}, site.Shell{
			Title: "Không tìm thấy trang", Path: "/404.html", NoIndex: true,
		})
		if err != nil {
			return fmt.Errorf("404 page: %w", err)
		}
	}

	// A layout folder without the staff script publishes no staff page.
	if b.wants(routes.StaffPage) && b.frame.Script(staffScript) != "" {
		var buf bytes.Buffer
		if err := renderStaffPage(&buf, b.layouts, b.cfg); err != nil {
			return err
		}
		if err := b.out.write(routes.StaffPage, buf.Bytes()); err != nil {
			return err
		}
	}

	// The check-in and guests pages, where the layouts have them.
	for _, p := range staffTools {
		if !b.wants(p.path) || b.frame.Script(p.script) == "" {
			continue
		}
		if _, err := fs.Stat(b.opts.Site, p.layout); err != nil {
			continue
		}
		var buf bytes.Buffer
		if err := renderStaffTool(&buf, p, b.layouts, b.cfg); err != nil {
			return err
		}
		if err := b.out.write(p.path, buf.Bytes()); err != nil {
			return err
		}
	}

	if err := b.writeLookup(); err != nil {
		return err
	}

	for _, p := range pages {
		for _, a := range p.Aliases {
			if err := b.writeRedirect(a, p); err != nil {
				return err
			}
		}
	}
	if err := b.writeSitemap(pages, rg); err != nil {
		return err
	}
	robots := "User-agent: *\nDisallow: /api/\n\nSitemap: " + b.absURL("/sitemap.xml") + "\n"
	if b.wants("/robots.txt") {
		if err := b.out.write("/robots.txt", []byte(robots)); err != nil {
			return err
		}
	}
	for _, a := range b.frame.Assets() {
		if !b.wants(a.Path) {
			continue
		}
		if err := b.out.write(a.Path, a.Data); err != nil {
			return err
		}
	}
	return nil
}

// feedLinks are the feeds announced by pages of section.
func (b *build) feedLinks(section string) []site.Link {
	links := []site.Link{{Name: b.cfg.Title, URL: "/atom.xml"}}
	if s := b.section(section); s != nil && s.Dated {
		links = append(links, site.Link{Name: s.Title + " – " + b.cfg.Title, URL: "/" + section + "/atom.xml"})
	}
	return links
}

func pageURL(dir string, n int) string {
	if n == 1 {
		return "/" + dir + "/"
	}
	return "/" + dir + "/trang/" + strconv.Itoa(n) + "/"
}

// firstPageAlias is the address page one of a list does not have:
// /dir/trang/1/ sends readers to /dir/.
func firstPageAlias(dir string) string { return "/" + dir + "/trang/1/" }

// listPage is one page of a list of items, 20 to a page: /dir/,
// /dir/trang/2/, ...
type listPage struct {
	N, Of           int
	Lo, Hi          int // its items: [Lo, Hi)
	URL, Prev, Next string
}

// listPages splits a list of n items into its pages; an empty list has one.
func listPages(dir string, items int) []listPage {
	n := max(1, (items+perPage-1)/perPage)
	out := make([]listPage, n)
	for i := 1; i <= n; i++ {
		lp := listPage{N: i, Of: n, Lo: (i - 1) * perPage, Hi: min(i*perPage, items), URL: pageURL(dir, i)}
		if i > 1 {
			lp.Prev = pageURL(dir, i-1)
		}
		if i < n {
			lp.Next = pageURL(dir, i+1)
		}
		out[i-1] = lp
	}
	return out
}

// pagedTitle is the title of page n of a list.
func pagedTitle(title string, n int) string {
	if n > 1 {
		return fmt.Sprintf("%s – trang %d", title, n)
	}
	return title
}

// writeList writes the list pages of a section: 20 pages to a list page,
// /dir/, /dir/trang/2/, ...
func (b *build) writeList(r *renderer, s *Section, pages []*Page) error {
	dir, title := s.Dir, s.Title
	var intro template.HTML
	if strings.TrimSpace(s.Intro) != "" {
		var buf bytes.Buffer
		if err := markdown.Convert([]byte(s.Intro), &buf); err != nil {
			return fmt.Errorf("%s: %w", s.Source, err)
		}
		intro = template.HTML(buf.String())
	}
	description := s.Description
	if description == "" {
		description = "Danh sách " + title + " của " + b.cfg.Title
	}
	for _, lp := range listPages(dir, len(pages)) {
		if !b.wants(lp.URL) {
			continue
		}
		lv := &listView{Title: title, Pages: pages[lp.Lo:lp.Hi], Page: lp.N, Of: lp.Of, Prev: lp.Prev, Next: lp.Next, Description: s.Description}
		if lp.N == 1 {
			lv.Intro = intro
		}
		if s.Dated {
			lv.Feed = "/" + dir + "/atom.xml"
		}
		err := r.write(lp.URL, "list.html", &view{Site: b.cfg, List: lv}, site.Shell{
			Title: pagedTitle(title, lp.N), Description: description,
			Canonical: b.absURL(lp.URL), Path: lp.URL, OGType: "website", Feeds: b.feedLinks(dir),
		})
		if err != nil {
			return fmt.Errorf("list %s: %w", lp.URL, err)
		}
	}
	return b.writeRedirect(firstPageAlias(dir), &Page{Title: title, URL: pageURL(dir, 1)})
}

func (b *build) writeThanks(r *renderer, p *Page, fv *formView) error {
	u := forms.ThanksPath(p.FormID)
	if !b.wants(u) {
		return nil
	}
	v := &view{Site: b.cfg, Page: p, Form: fv}
	err := r.write(u, "thanks.html", v, site.Shell{
		Title: "Đã gửi: " + p.Title, Path: u, NoIndex: true, Canonical: b.absURL(u),
	})
	if err != nil {
		return fmt.Errorf("%s: thank-you page: %w", p.Source, err)
	}
	return nil
}

// hasLookup reports whether the site has Hỏi đáp: forms, and the layouts
// and script of the lookup.
func (b *build) hasLookup() bool {
	return b.registry != nil && b.registry.HasLayout("lookup-page") && b.frame.Script("lookup.js") != ""
}

// writeLookup writes /tra-cuu/: a form that posts to the handler's lookup, which
// works without JavaScript (the handler answers a page of the site), and
// its script, which shows the answer in place.
func (b *build) writeLookup() error {
	if !b.wants(routes.LookupPage) || !b.hasLookup() {
		return nil
	}
	main, err := b.registry.RenderLayout("lookup-page", struct{ Code string }{})
	if err != nil {
		return fmt.Errorf("lookup page: %w", err)
	}
	var buf bytes.Buffer
	err = b.frame.Render(&buf, site.Shell{
		Site: b.cfg, Title: "Tra cứu câu hỏi", Path: routes.LookupPage, Canonical: b.absURL(routes.LookupPage),
		Description: "Tra cứu câu hỏi đã gửi bằng mã tra cứu.", LiveReload: b.opts.LiveReload,
		Scripts: []string{b.frame.Script("lookup.js")}, Main: main,
	})
	if err != nil {
		return fmt.Errorf("lookup page: %w", err)
	}
	return b.out.write(routes.LookupPage, buf.Bytes())
}

// writeRedirect writes a page at from that sends readers and search
// engines to p: a static site has no other way to answer 301.
func (b *build) writeRedirect(from string, p *Page) error {
	if !b.wants(from) {
		return nil
	}
	buf := getBuffer()
	defer putBuffer(buf)
	v := &view{Site: b.cfg, Page: p, Target: b.absURL(p.URL)}
	if err := b.tmpl.set.ExecuteTemplate(buf, "redirect.html", v); err != nil {
		return fmt.Errorf("redirect %s: %w", from, err)
	}
	return b.out.write(from, buf.Bytes())
}

// Atom (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string   `xml:"title"`
	ID        string   `xml:"id"`
	Link      atomLink `xml:"link"`
	Published string   `xml:"published,omitempty"`
	Updated   string   `xml:"updated"`
	Summary   string   `xml:"summary,omitempty"`
}

const feedItems = 20

// writeFeed writes an Atom feed of the newest pages. Its "updated" is the
// newest page's date, never the time of the build, so that an unchanged
// site gives an unchanged feed.
func (b *build) writeFeed(u, alt, title string, pages []*Page) error {
	if !b.wants(u) {
		return nil
	}
	f := atomFeed{
		Lang:  "vi",
		Title: title,
		ID:    b.absURL(u),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: b.absURL(u)},
			{Rel: "alternate", Type: "text/html", Href: b.absURL(alt)},
		},
		Author: atomAuthor{Name: b.cfg.Title},
	}
	var newest time.Time
	for _, p := range pages[:min(len(pages), feedItems)] {
		stamp := p.Date.In(vntext.Location).Format(time.RFC3339)
		if p.Date.After(newest) {
			newest = p.Date
		}
		f.Entries = append(f.Entries, atomEntry{
			Title: p.Title, ID: b.absURL(p.URL), Link: atomLink{Rel: "alternate", Href: b.absURL(p.URL)},
			Published: stamp, Updated: stamp, Summary: p.Summary,
		})
	}
	f.Updated = newest.In(vntext.Location).Format(time.RFC3339)
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return b.out.write(u, buf.Bytes())
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type urlset struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

// writeSitemap lists the pages worth indexing, sorted by URL: the first
// page of each list and of each listing of the register among them.
func (b *build) writeSitemap(pages []*Page, rg *register) error {
	if !b.wants("/sitemap.xml") {
		return nil
	}
	var s urlset
	s.URLs = append(s.URLs, sitemapURL{Loc: b.absURL("/")})
	for _, sec := range b.sections {
		if sec.Dir != registerDir {
			s.URLs = append(s.URLs, sitemapURL{Loc: b.absURL("/" + sec.Dir + "/")})
		}
	}
	for _, l := range rg.lists() {
		s.URLs = append(s.URLs, sitemapURL{Loc: b.absURL(pageURL(l.Dir, 1))})
	}
	for _, p := range pages {
		u := sitemapURL{Loc: b.absURL(p.URL)}
		if !p.Date.IsZero() {
			u.LastMod = p.Date.In(vntext.Location).Format("2006-01-02")
		}
		s.URLs = append(s.URLs, u)
	}
	if b.hasLookup() {
		// /hoi-dap/ is answered by the form handler, on AWS and in serve.
		s.URLs = append(s.URLs, sitemapURL{Loc: b.absURL(routes.LookupPage)}, sitemapURL{Loc: b.absURL(routes.PublicPage)})
	}
	sort.Slice(s.URLs, func(i, j int) bool { return s.URLs[i].Loc < s.URLs[j].Loc })
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return b.out.write("/sitemap.xml", buf.Bytes())
}
