package builder

import (
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strconv"
	"strings"

	"loa/site"
)

// The register of documents (sổ văn bản, Decree 42/2022/NĐ-CP, Art. 4):
// every published page with "document:" is a row of /van-ban/ (number and
// symbol, date of issue, trích yếu, issuing body, kind, date of effect and
// its files), newest first, 20 to a page. The same rows are listed by kind
// (/van-ban/ke-hoach/) and by year of issue (/van-ban/2023/), each paginated
// like the section lists; a bar of plain links leads from one to another,
// so the register works without JavaScript.

// registerDir is the register's folder: /van-ban/.
const registerDir = "van-ban"

// registerList is one listing of the register.
type registerList struct {
	Dir   string // "van-ban", "van-ban/ke-hoach", "van-ban/2023"
	Name  string // in the bar of links: "Tất cả", "Kế hoạch", "2023"
	Title string // the page's heading
	Pages []*Page
}

// register is the listings: all documents, by kind (in the order of the
// list of kinds, only kinds that have documents), by year (newest first).
type register struct {
	all   *registerList
	kinds []*registerList
	years []*registerList
}

// URL is the first page of the kind's listing in the register.
func (k Kind) URL() string { return pageURL(registerDir+"/"+k.Slug, 1) }

// docYear is the year a document is listed under: its year of issue, or
// the year of its page's date when the issue date is blank; 0 for none.
func docYear(p *Page) int {
	if y := p.Document.Issued.Year; y != 0 {
		return y
	}
	if !p.Date.IsZero() {
		return p.Date.Year()
	}
	return 0
}

// newerDoc reports whether a comes before b in the register: the later
// issue date first (a blank day or month counts as earlier), then as in
// the lists.
func newerDoc(a, b *Page) bool {
	if a.Document.Issued != b.Document.Issued {
		return a.Document.Issued.after(b.Document.Issued)
	}
	return newer(a, b)
}

func isDocument(p *Page) bool { return p.Document != nil }

// newRegister makes the register of pages, in any order.
func (b *build) newRegister(pages []*Page) *register {
	var docs []*Page
	for _, p := range pages {
		if isDocument(p) {
			docs = append(docs, p)
		}
	}
	sort.SliceStable(docs, func(i, j int) bool { return newerDoc(docs[i], docs[j]) })
	rg := &register{all: &registerList{Dir: registerDir, Name: "Tất cả", Title: "Văn bản", Pages: docs}}

	byKind := map[string][]*Page{}
	byYear := map[int][]*Page{}
	for _, p := range docs {
		byKind[p.Document.Kind.Slug] = append(byKind[p.Document.Kind.Slug], p)
		if y := docYear(p); y != 0 {
			byYear[y] = append(byYear[y], p)
		}
	}
	for _, k := range b.kinds.kinds {
		if list := byKind[k.Slug]; len(list) > 0 {
			rg.kinds = append(rg.kinds, &registerList{Dir: registerDir + "/" + k.Slug, Name: k.Name, Title: "Văn bản: " + k.Name, Pages: list})
		}
	}
	years := make([]int, 0, len(byYear))
	for y := range byYear {
		years = append(years, y)
	}
	slices.Sort(years)
	slices.Reverse(years)
	for _, y := range years {
		s := strconv.Itoa(y)
		rg.years = append(rg.years, &registerList{Dir: registerDir + "/" + s, Name: s, Title: "Văn bản năm " + s, Pages: byYear[y]})
	}
	return rg
}

func (rg *register) lists() []*registerList {
	return append(append([]*registerList{rg.all}, rg.kinds...), rg.years...)
}

// urls are every file the register writes, the redirects of its first
// pages included: the builder's own URLs, which no page may take.
func (rg *register) urls() []string {
	var out []string
	for _, l := range rg.lists() {
		for _, lp := range listPages(l.Dir, len(l.Pages)) {
			out = append(out, lp.URL)
		}
		out = append(out, firstPageAlias(l.Dir))
	}
	return out
}

// filterLink is a link of the register's bar of links.
type filterLink struct {
	Name, URL string
	Current   bool
}

type registerView struct {
	*listView
	Caption string
	Kinds   []filterLink // "Tất cả" first
	Years   []filterLink
	// Rows are the listing's documents as rows of its table, the layouts'
	// "register-row" of each page, rendered once for every listing.
	Rows []template.HTML
}

// writeRegister writes every listing of the register.
func (b *build) writeRegister(r *renderer, rg *register) error {
	links := func(lists []*registerList, current string) []filterLink {
		out := make([]filterLink, len(lists))
		for i, l := range lists {
			out[i] = filterLink{Name: l.Name, URL: pageURL(l.Dir, 1), Current: l.Dir == current}
		}
		return out
	}
	// A document is a row of three listings (all, its kind's, its
	// year's): its row is rendered the first time and kept for the others.
	rows := map[*Page]template.HTML{}
	rowTmpl := b.tmpl.set.Lookup("register-row")
	row := func(p *Page) (template.HTML, error) {
		if h, ok := rows[p]; ok {
			return h, nil
		}
		var sb strings.Builder
		if err := rowTmpl.Execute(&sb, p); err != nil {
			return "", fmt.Errorf("register, %s: %w", p.Source, err)
		}
		rows[p] = template.HTML(sb.String())
		return rows[p], nil
	}
	for _, l := range rg.lists() {
		for _, lp := range listPages(l.Dir, len(l.Pages)) {
			if !b.wants(lp.URL) {
				continue
			}
			rv := &registerView{
				listView: &listView{Title: l.Title, Pages: l.Pages[lp.Lo:lp.Hi], Page: lp.N, Of: lp.Of, Prev: lp.Prev, Next: lp.Next},
				Caption:  l.Title + ", mới ban hành trước",
				Kinds:    links(append([]*registerList{rg.all}, rg.kinds...), l.Dir),
				Years:    links(rg.years, l.Dir),
			}
			if lp.Of > 1 {
				rv.Caption += fmt.Sprintf(" (trang %d/%d)", lp.N, lp.Of)
			}
			if rowTmpl != nil {
				for _, p := range rv.Pages {
					h, err := row(p)
					if err != nil {
						return err
					}
					rv.Rows = append(rv.Rows, h)
				}
			}
			err := r.write(lp.URL, "register.html", &view{Site: b.cfg, Register: rv}, site.Shell{
				Title:       pagedTitle(l.Title, lp.N),
				Description: "Sổ văn bản của " + b.cfg.Title + ": số, ký hiệu, ngày ban hành, trích yếu, cơ quan ban hành, ngày hiệu lực và tệp tải về.",
				Canonical:   b.absURL(lp.URL), Path: lp.URL, OGType: "website", Feeds: b.feedLinks(""),
			})
			if err != nil {
				return fmt.Errorf("register %s: %w", lp.URL, err)
			}
		}
		if err := b.writeRedirect(firstPageAlias(l.Dir), &Page{Title: l.Title, URL: pageURL(l.Dir, 1)}); err != nil {
			return err
		}
	}
	return nil
}

// registerURLsChange reports whether p, which was old, changes the files
// the register writes (a listing that appears, disappears or gains or
// loses a page): only a full build removes a file.
func (b *build) registerURLsChange(pages []*Page, old, p *Page) bool {
	if isDocument(old) == isDocument(p) && (!isDocument(p) ||
		old.Document.Kind.Slug == p.Document.Kind.Slug && docYear(old) == docYear(p)) {
		return false
	}
	next := make([]*Page, 0, len(pages))
	for _, o := range pages {
		if o == old {
			o = p
		}
		next = append(next, o)
	}
	return !slices.Equal(b.newRegister(pages).urls(), b.newRegister(next).urls())
}

// affectedRegister adds to b.only the register pages that show p or
// showed old: in all documents, and in the listings of their kinds and years.
func (b *build) affectedRegister(pages []*Page, old, p *Page) {
	dirs := map[string]func(*Page) bool{registerDir: isDocument}
	for _, q := range []*Page{old, p} {
		if !isDocument(q) {
			continue
		}
		slug, year := q.Document.Kind.Slug, docYear(q)
		dirs[registerDir+"/"+slug] = func(o *Page) bool { return isDocument(o) && o.Document.Kind.Slug == slug }
		if year != 0 {
			dirs[registerDir+"/"+strconv.Itoa(year)] = func(o *Page) bool { return isDocument(o) && docYear(o) == year }
		}
	}
	for dir, in := range dirs {
		b.spread(dir, pages, old, p, in, newerDoc)
	}
}
