package builder

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/yuin/goldmark/ast"

	"loa/build/search"
	"loa/functions/vntext"
	"loa/site"
)

// Search: every published page is indexed as it is rendered (package search:
// Vietnamese folding on both sides, shards fetched by the terms of a query),
// and the index is written under /assets/search/ with the results page
// /tim-kiem/, which the header's search box of every page submits to.

// SearchPath is the results page; searchDir the folder of the index files.
const (
	SearchPath = "/tim-kiem/"
	searchDir  = "/assets/search/"
)

// searchDocs is the build's search index, filled by the page workers as
// they render (while one waits on the disk, another indexes). The index
// keeps each page as the list of its terms, not its text: serve's build
// (keep) holds on to it after writing, and a partial rebuild puts the
// pages it renders again in it, in place of what it had of them; a
// one-off build lets it go once written.
type searchDocs struct {
	mu   sync.Mutex
	keep bool
	live *search.Index
	err  error
}

// index puts the page rendered into the build's index. Two pages at one
// URL take one place in it: the build's URL check refuses them, naming
// both files.
func (s *searchDocs) index(d *search.Doc) {
	s.mu.Lock()
	live := s.live
	s.mu.Unlock()
	if live == nil || d == nil {
		return
	}
	if err := live.Put(*d); err != nil {
		s.mu.Lock()
		s.err = errors.Join(s.err, err)
		s.mu.Unlock()
	}
}

// searchDoc is what the index keeps of p, whose Markdown src parsed as
// doc; section is the title of its section. Everything the page prints is
// found, not its body alone (see layouts/page.html and document.html):
// an official document's header block (its issuer, number, motto, place
// and date), the addressees, its dates in the box of its facts, the
// signature block and the recipients; the names of the page's files, its
// tags and its date. The labels the layouts print ("Kính gửi:", "Nơi
// nhận:", "Số/ký hiệu") are the same on every page, and are not.
func searchDoc(p *Page, doc ast.Node, src []byte, section string) *search.Doc {
	body, nfc, headings := pageText(doc, src)
	d := &search.Doc{
		URL: p.URL, Title: p.Title, Summary: p.Summary, Headings: headings, Body: body, BodyPlain: nfc,
		Section: p.Section, SectionTitle: section, Date: p.Date,
	}
	if doc := p.Document; doc != nil {
		d.Kind, d.Number, d.Issuer = doc.Kind.Name, doc.Number, doc.IssuerName()
		d.Printed = append(d.Printed, doc.Motto.String())
		if doc.Motto.State() {
			d.Printed = append(d.Printed, stateMottoLine)
		}
		d.Printed = append(d.Printed, doc.Place, doc.Issued.Long(), doc.Effective.Short())
		d.Printed = append(d.Printed, doc.Addressees...)
		d.Printed = append(d.Printed, doc.Signature...)
		d.Printed = append(d.Printed, doc.Signer)
		d.Printed = append(d.Printed, doc.Recipients...)
	} else if !p.Date.IsZero() {
		d.Printed = append(d.Printed, vntext.ShortDate(p.Date))
	}
	for _, a := range p.Attachments {
		d.Printed = append(d.Printed, a.Title)
	}
	d.Printed = append(d.Printed, p.Tags...)
	return d
}

// stateMottoLine is the line under the state's motto.
const stateMottoLine = "Độc lập - Tự do - Hạnh phúc"

// searchFolder is the folder of the index in the site built in root.
func searchFolder(root string) string {
	return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(searchDir, "/")))
}

// writeSearch writes the index of the pages indexed so far and the results
// page. Files already in the output with the same content-hashed name are
// left alone, so a partial rebuild rewrites only the shards that changed.
func (b *build) writeSearch(r *renderer) error {
	b.search.mu.Lock()
	idx, err := b.search.live, b.search.err
	if !b.search.keep {
		b.search.live = nil
	}
	b.search.mu.Unlock()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if idx == nil {
		return errors.New("search: the index of this build is written already")
	}
	// Updating the last build: the shards it holds are not made again.
	if b.out.last != "" {
		entries, _ := os.ReadDir(searchFolder(b.out.last))
		published := make(map[string]bool, len(entries))
		for _, e := range entries {
			published[e.Name()] = true
		}
		idx.SetPublished(func(name string) bool { return published[name] })
	}
	write := idx.Write
	if !b.search.keep {
		write = idx.WriteFinal // nothing writes it again: its memory goes as it is written
	}
	out, err := write()
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	// Counted apart: a page edit changes a few shards as well as its page.
	// Each write below adds one to files (the lists may be written at the
	// same time), so moving n of them is exact.
	var n int64
	defer func() {
		b.out.files.Add(-n)
		b.out.searchFiles.Add(n)
	}()
	// In place (serve), the folder already holds the index as it was:
	// content-hashed, a file of the same name has the same bytes and is
	// kept; one that the new index does not name is linked by nothing.
	have := map[string]bool{}
	if b.out.inPlace {
		dir := searchFolder(b.out.root)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, ok := out.Files[e.Name()]; ok {
				have[e.Name()] = true
			} else {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	for name, data := range out.Files {
		if have[name] {
			continue
		}
		if data == nil {
			// A shard the last build holds (named by its bytes'
			// hash): kept as it is.
			b.out.keep(searchDir + name)
			n++
			continue
		}
		if err := b.out.write(searchDir+name, data); err != nil {
			return err
		}
		n++
	}
	if !b.wants(SearchPath) {
		return nil
	}
	v := &view{Site: b.cfg, Search: out.PageData(searchDir)}
	var scripts []string
	if js := b.frame.Script("search.js"); js != "" {
		scripts = append(scripts, js)
	}
	err = r.write(SearchPath, "search.html", v, site.Shell{
		Title: "Tìm kiếm", Description: "Tìm kế hoạch, thông báo và văn bản của " + b.cfg.Title + ", gõ có dấu hay không dấu.",
		Canonical: b.absURL(SearchPath), Path: SearchPath, Scripts: scripts,
	})
	if err == nil {
		n++
	}
	return err
}
