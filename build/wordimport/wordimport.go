// Package wordimport turns a ward's Word document into a page of the site.
//
// The ward writes its plans and announcements in Word in the layout of
// Decree 30/2020/NĐ-CP: a header block (the issuing body and "Số: …" on the
// left; the national motto and "địa danh, ngày … tháng … năm …" on the
// right, as a two-column table or as paragraphs), the kind ("KẾ HOẠCH")
// and the title in bold, the body numbered by hand ("I.", "1.", "a)", "-",
// "+"), and a closing block ("Nơi nhận:" and its list; "TM. …", the
// signer's title and name). Import has pandoc read the .docx into its JSON
// AST (never its Markdown: Loa decides the structure), recognises those
// blocks into the page's "document:" front matter, writes the body as
// Markdown (headings from the numbering, lists, pipe tables, bold, italic,
// line breaks, images), and writes a page bundle
// content/<section>/<slug>/index.md holding the images and the original
// .docx as an attachment. A Report says, in Vietnamese for staff, what
// was recognised and what was not.
//
// The bundle is written into a hidden folder beside its place (the
// builder skips hidden folders) and renamed into place, so that a failure
// writes nothing; a page that exists is replaced only when asked to.
package wordimport

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"loa/build/builder"
	"loa/functions/vntext"
)

// Options says what to import and where.
type Options struct {
	File    string    // the .docx
	Content string    // the content folder, "content"
	Section string    // a section of the content (a folder with _index.md); from the kind when ""
	Slug    string    // the page's folder name; from the title when ""
	Force   bool      // replace the page if it exists
	Now     time.Time // today, for a page whose issue date is not complete; time.Now() when zero
}

// Result is what Import wrote.
type Result struct {
	Dir      string // the bundle: content/<section>/<slug>
	Page     string // its index.md
	Replaced bool   // an existing page was replaced (Force)
	Document Document
	Report   Report
}

// maxSlug bounds a slug made from a title: the address is read and shared
// on phones.
const maxSlug = 80

// attachmentTitle is the title of the original .docx in the page's files.
const attachmentTitle = "Văn bản gốc (Word)"

// Import converts opts.File into a page bundle.
func Import(opts Options) (*Result, error) {
	sections, err := builder.Sections(os.DirFS(opts.Content), filepath.ToSlash(opts.Content))
	if err != nil {
		return nil, err
	}
	if len(sections) == 0 {
		return nil, fmt.Errorf("%s: chưa có mục nào để đưa văn bản vào; cần một thư mục có tệp _index.md, ví dụ %s", opts.Content, filepath.Join(opts.Content, "van-ban", "_index.md"))
	}
	if opts.Section != "" && sectionOf(sections, opts.Section) == nil {
		return nil, fmt.Errorf("--section %q: không có mục này; cần một trong: %s", opts.Section, sectionNames(sections))
	}
	if len(opts.Slug) > maxSlug {
		return nil, fmt.Errorf("--slug: địa chỉ dài %d ký tự, quá %d ký tự; cần một địa chỉ ngắn hơn", len(opts.Slug), maxSlug)
	}
	if opts.Slug != "" && vntext.Slug(opts.Slug) != opts.Slug {
		return nil, fmt.Errorf("--slug %q: không dùng được làm địa chỉ trang; cần chữ thường không dấu, số và dấu gạch ngang, ví dụ %q", opts.Slug, vntext.Slug(opts.Slug))
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := checkFile(opts.File); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(opts.File)
	if err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp("", "loa-import-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	ast, err := convert(abs, work)
	if err != nil {
		return nil, err
	}
	blocks, unknown, err := parseAST(ast)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", opts.File, err)
	}
	d, body, unplaced := recognise(blocks)
	w := &writer{media: work}
	markdown := w.markdown(body)

	// The original, published beside the page: a name starting with "."
	// would be a hidden file, which the builder leaves out.
	docx := strings.TrimLeft(norm.NFC.String(filepath.Base(opts.File)), ".")
	if !strings.EqualFold(filepath.Ext(docx), ".docx") {
		docx += ".docx"
	}
	if docx == ".docx" {
		docx = "van-ban.docx"
	}
	titleFromFile := false
	if d.Title == "" {
		d.Title = vntext.Normalize(strings.TrimSuffix(docx, filepath.Ext(docx)))
		titleFromFile = true
	}
	section := opts.Section
	if section == "" {
		section = sectionFor(sections, d.Kind).Dir
	}
	slug := opts.Slug
	if slug == "" {
		slug = shortSlug(vntext.Slug(d.Title))
	}
	if slug == "" {
		return nil, fmt.Errorf("%s: không đặt được địa chỉ trang từ tên văn bản; cần --slug, ví dụ --slug ke-hoach-doi-thoai-2023", opts.File)
	}
	date := time.Date(d.Issued.Year, time.Month(d.Issued.Month), d.Issued.Day, 0, 0, 0, 0, vntext.Location)
	if !d.Issued.Complete() {
		date = opts.Now.In(vntext.Location)
	}

	res := &Result{Document: *d}
	var rel string
	place := func(section string) error {
		folder := sectionOf(sections, section).Folder
		res.Dir = filepath.Join(opts.Content, folder, slug)
		res.Page = filepath.Join(res.Dir, "index.md")
		rel = folder + "/" + slug + "/index.md"
		return refuseExisting(opts, res.Dir)
	}
	if err := place(section); err != nil {
		return nil, err
	}

	// The page is checked by the build's own reading of a page before it
	// is written. A document the build would refuse (a kind the ward's
	// list lacks, no issuer found: a form, a table, a letter of another
	// shape) becomes a plain page of the whole text, which it accepts.
	check := func(page string) error {
		return builder.CheckPage(os.DirFS(opts.Content), filepath.ToSlash(opts.Content), rel, []byte(page))
	}
	page := frontMatter(d, date, summary(d, body), docx) + "\n" + markdown
	var plainWhy error
	if err := check(page); err != nil {
		if _, taken := errors.AsType[*builder.AddressError](err); taken {
			return nil, fmt.Errorf("%s: không nhập được, chưa ghi gì: %w; ví dụ --slug %s-2", opts.File, err, slug)
		}
		plainWhy = err
		// A plain page is in no register: it goes to a section that lists
		// its pages, unless staff chose one.
		if s := sectionOf(sections, section); opts.Section == "" && !s.Listed() {
			section = listedSection(sections).Dir
			if err := place(section); err != nil {
				return nil, err
			}
		}
		w = &writer{media: work}
		markdown = w.markdown(plainBlocks(d, body, blocks))
		if titleFromFile && d.Kind != "" {
			d.Title, titleFromFile = sentence(d.Kind), false
		}
		page = plainFrontMatter(d.Title, date, docx) + "\n" + markdown
		if err := check(page); err != nil {
			return nil, fmt.Errorf("%s: không nhập được, chưa ghi gì: %w", opts.File, err)
		}
	}
	files := append([]bundleFile{{name: docx, src: abs}}, w.images...)
	replaced, err := writeBundle(res.Dir, page, files, opts.Force)
	if err != nil {
		return nil, err
	}
	res.Replaced = replaced
	res.Report = report(d, w, reportFacts{
		page: res.Page, date: date, titleFromFile: titleFromFile, unplaced: unplaced,
		unknown: unknown, replaced: replaced, sectionGuessed: opts.Section == "",
		section: section, plainWhy: plainWhy, sections: sectionNames(sections),
	})
	return res, nil
}

// listedSection is the section a plain page goes to: the first dated one
// with a list page, else the first with a list page, else the first.
func listedSection(sections []*builder.Section) *builder.Section {
	for _, s := range sections {
		if s.Listed() && s.Dated {
			return s
		}
	}
	for _, s := range sections {
		if s.Listed() {
			return s
		}
	}
	return sections[0]
}

// plainBlocks is the text of a document that is published as a plain
// page. Where its header and closing block were recognised they are
// written as plain lines around the body, in the document's order, so
// that no title, authority or signer's name becomes a heading; else the
// whole document as it came.
func plainBlocks(d *Document, body, all []block) []block {
	if !d.header && !d.closing {
		return all
	}
	line := func(s string) block { return block{kind: paraBlock, runs: []run{{text: s}}} }
	var out []block
	for _, l := range d.Issuer {
		out = append(out, line(l))
	}
	if d.Number != "" {
		out = append(out, line("Số: "+strings.TrimSpace(d.Number)))
	}
	if d.dateLine {
		out = append(out, line(strings.TrimPrefix(d.Place+", "+d.Issued.long(), ", ")))
	}
	for _, l := range []string{d.Kind, d.Title} {
		if l != "" {
			out = append(out, line(l))
		}
	}
	if len(d.Addressees) > 0 {
		out = append(out, line("Kính gửi: "+strings.Join(d.Addressees, " ")))
	}
	out = append(out, body...)
	if d.recipientsLabel {
		out = append(out, line("Nơi nhận:"))
		for _, r := range d.Recipients {
			out = append(out, line("- "+r))
		}
	}
	for _, l := range append(append([]string(nil), d.Signature...), d.Signer) {
		if l != "" {
			out = append(out, line(l))
		}
	}
	return out
}

// sectionOf is the section of the folder dir, or nil.
func sectionOf(sections []*builder.Section, dir string) *builder.Section {
	for _, s := range sections {
		if s.Dir == dir {
			return s
		}
	}
	return nil
}

// sectionFor is the section that takes documents of kind, as the content
// says in each section's _index.md ("kinds:"): the first that names the
// kind, else the first that takes every other kind ("*"), else the first.
func sectionFor(sections []*builder.Section, kind string) *builder.Section {
	if kind != "" {
		for _, wildcard := range []bool{false, true} {
			for _, s := range sections {
				if s.Takes(kind, wildcard) {
					return s
				}
			}
		}
	}
	return sections[0]
}

func sectionNames(sections []*builder.Section) string {
	var names []string
	for _, s := range sections {
		names = append(names, s.Dir+" ("+s.Title+")")
	}
	return strings.Join(names, ", ")
}

// shortSlug cuts a slug to maxSlug bytes at a dash.
func shortSlug(s string) string {
	if len(s) <= maxSlug {
		return s
	}
	s = s[:maxSlug]
	if i := strings.LastIndexByte(s, '-'); i > 0 {
		s = s[:i]
	}
	return s
}

// refuseExisting refuses to import over a page, unless forced, and always
// over a page that is a single file of the same address.
func refuseExisting(opts Options, dir string) error {
	if _, err := os.Stat(dir + ".md"); err == nil {
		return fmt.Errorf("%s.md: đã có trang cùng địa chỉ, không ghi đè; cần một địa chỉ khác (--slug …) hoặc xóa trang đó trước", dir)
	}
	if _, err := os.Stat(dir); err == nil && !opts.Force {
		return fmt.Errorf("%s: đã có trang này, không ghi đè; để thay bằng bản nhập mới, chạy lại với --force, hoặc đặt địa chỉ khác với --slug …", dir)
	}
	return nil
}

// summary is the trích yếu as a sentence ("Kế hoạch tổ chức …"), else the
// body's first sentence.
func summary(d *Document, body []block) string {
	if d.Kind != "" && d.Title != "" {
		kind := sentence(d.Kind)
		if headingKey(d.Kind) == "CÔNG VĂN" {
			kind += " về việc"
		}
		title := []rune(d.Title)
		if len(title) > 1 && !unicode.IsUpper(title[1]) {
			title[0] = unicode.ToLower(title[0])
		}
		return kind + " " + strings.TrimSuffix(string(title), ".") + "."
	}
	for _, b := range body {
		if b.kind != paraBlock {
			continue
		}
		t := plain(b.runs)
		if t == "" {
			continue
		}
		if i := strings.Index(t, ". "); i > 0 {
			t = t[:i+1]
		}
		if r := []rune(t); len(r) > 300 {
			t = string(r[:300]) + "…"
		}
		return t
	}
	return d.Title
}

// frontMatter writes the page's front matter in the seed page's style; a
// field not found is left empty with a comment saying so.
func frontMatter(d *Document, date time.Time, summary, docx string) string {
	var b strings.Builder
	b.WriteString("---\n")
	field := func(indent, key, v, missing string) {
		b.WriteString(indent + key + ": " + quote(v))
		if v == "" && missing != "" {
			b.WriteString("  # " + missing)
		}
		b.WriteString("\n")
	}
	list := func(key string, v []string, missing string) {
		b.WriteString("  " + key + ":")
		if len(v) == 0 {
			b.WriteString(" []")
			if missing != "" {
				b.WriteString("  # " + missing)
			}
			b.WriteString("\n")
			return
		}
		b.WriteString("\n")
		for _, l := range v {
			b.WriteString("    - " + quote(l) + "\n")
		}
	}
	field("", "title", d.Title, "")
	b.WriteString("date: " + date.Format("2006-01-02") + "\n")
	field("", "summary", summary, "")
	b.WriteString("document:\n")
	field("  ", "kind", d.Kind, "không tìm thấy loại văn bản (KẾ HOẠCH, THÔNG BÁO, …)")
	if d.Motto != "" {
		field("  ", "motto", d.Motto, "")
	}
	list("issuer", d.Issuer, "không tìm thấy cơ quan ban hành")
	field("  ", "number", d.Number, "không tìm thấy số văn bản")
	field("  ", "place", d.Place, "không tìm thấy địa danh")
	field("  ", "issued", d.Issued.ISO(), "không tìm thấy ngày ban hành (2023, 2023-04 hoặc 2023-04-05)")
	if len(d.Addressees) > 0 {
		list("addressees", d.Addressees, "")
	}
	list("signature", d.Signature, "không tìm thấy chức vụ người ký")
	field("  ", "signer", d.Signer, "không tìm thấy người ký")
	if len(d.Recipients) == 0 {
		b.WriteString("  recipients: []  # không tìm thấy Nơi nhận\n")
	} else {
		b.WriteString("  recipients:\n")
		for _, r := range d.Recipients {
			b.WriteString("    - " + quote(r) + "\n")
		}
	}
	b.WriteString("attachments:\n")
	b.WriteString("  - { file: " + quote(docx) + ", title: " + quote(attachmentTitle) + " }\n")
	b.WriteString("---\n")
	return b.String()
}

// plainFrontMatter is the front matter of a page that is not an official
// document.
func plainFrontMatter(title string, date time.Time, docx string) string {
	return "---\ntitle: " + quote(title) + "\ndate: " + date.Format("2006-01-02") + "\n" +
		"attachments:\n  - { file: " + quote(docx) + ", title: " + quote(attachmentTitle) + " }\n---\n"
}

// sentence writes a line in capitals as a title: "PHIẾU TRÌNH" → "Phiếu trình".
func sentence(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// quote writes s as a YAML double-quoted scalar.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case !unicode.IsPrint(r) && r != ' ':
			// C1 controls, U+FFFE: YAML takes them only escaped.
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// writeBundle writes the page and its files into a hidden folder beside
// dir and renames it into place, so that the page appears whole or not
// at all. With force an existing dir is moved aside first and removed
// after; on failure it is put back.
func writeBundle(dir, page string, files []bundleFile, force bool) (replaced bool, err error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp(parent, ".import-*")
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "index.md"), []byte(page), 0o644); err != nil {
		return false, err
	}
	for _, f := range files {
		if err := copyFile(filepath.Join(tmp, f.name), f.src); err != nil {
			return false, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	var old string
	if _, statErr := os.Stat(dir); statErr == nil {
		if !force {
			return false, fmt.Errorf("%s: đã có trang này, không ghi đè; chạy lại với --force để thay", dir)
		}
		old = filepath.Join(parent, fmt.Sprintf(".replaced-%s-%d", filepath.Base(dir), time.Now().UnixNano()))
		if err := os.Rename(dir, old); err != nil {
			return false, err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return false, err
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return old != "", nil
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
