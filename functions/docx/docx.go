// Package docx fills a reference Word document (.docx) with paragraphs,
// borderless tables, page breaks and PNG images, in Go, so that the office's
// documents can be made where no converter runs (the Lambda has no pandoc
// and no LibreOffice).
//
// The model is pandoc's reference document: the ward keeps a .docx in
// content whose styles (fonts, sizes, spacing) and last section (page size
// and margins) are the look of every document made from it. [Parse] reads
// it; [Template.New] starts a document that keeps every part of it but the
// body; [Doc.WriteTo] writes the result. Paragraphs name the reference's
// styles by their ids (see [Styles] for the ones the default reference
// defines); direct formatting on runs (bold, italic, size) is kept to what
// Decree 30 fixes for a part of a document.
//
// Why WordprocessingML by hand: of the Go libraries that write .docx, one
// (gooxml) is no longer published, one (unioffice) needs a paid licence and
// the others are unmaintained or cannot start from a reference document.
// The part of the format a ward's documents need is small: paragraphs,
// runs, tables without borders, breaks and inline pictures.
package docx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Limits of a reference document: it is content, and read whole.
const (
	maxParts    = 500
	maxPartSize = 20 << 20
)

const docPart = "word/document.xml"

// Template is a parsed reference document.
type Template struct {
	parts   []part
	sectPr  string // the body's last w:sectPr, as written
	bodyTag string // the w:document start tag with its namespaces
}

type part struct {
	name string
	data []byte
}

var (
	sectPrRe   = regexp.MustCompile(`(?s)<w:sectPr[ >].*</w:sectPr>`)
	docStartRe = regexp.MustCompile(`(?s)<w:document[ >][^>]*>`)
	styleIDRe  = regexp.MustCompile(`w:styleId="([^"]+)"`)
)

// Parse reads a reference document. It keeps every part, and from
// word/document.xml the last section's properties (page size, margins).
func Parse(b []byte) (*Template, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("docx: not a Word document (.docx): %w", err)
	}
	if len(zr.File) > maxParts {
		return nil, fmt.Errorf("docx: %d parts, more than a reference document has", len(zr.File))
	}
	t := &Template{}
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxPartSize {
			return nil, fmt.Errorf("docx: part %s is too large", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("docx: %s: %w", f.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, maxPartSize+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("docx: %s: %w", f.Name, err)
		}
		t.parts = append(t.parts, part{f.Name, data})
	}
	doc := t.part(docPart)
	if doc == nil {
		return nil, errors.New("docx: not a Word document: it has no " + docPart)
	}
	t.bodyTag = docStartRe.FindString(string(doc))
	if t.bodyTag == "" {
		return nil, errors.New("docx: " + docPart + " has no w:document element")
	}
	// The body's own sectPr is the last one; earlier ones sit inside
	// paragraphs and end their sections.
	all := sectPrRe.FindAllStringIndex(string(doc), -1)
	if len(all) > 0 {
		s := string(doc)[all[len(all)-1][0]:all[len(all)-1][1]]
		// The greedy match may run from an earlier section's start.
		if i := strings.LastIndex(s, "<w:sectPr"); i > 0 {
			s = s[i:]
		}
		t.sectPr = s
	}
	if t.sectPr == "" {
		t.sectPr = defaultSectPr
	}
	return t, nil
}

func (t *Template) part(name string) []byte {
	for _, p := range t.parts {
		if p.name == name {
			return p.data
		}
	}
	return nil
}

// Styles returns the ids of the paragraph, character and table styles the
// reference defines.
func (t *Template) Styles() []string {
	var ids []string
	for _, m := range styleIDRe.FindAllSubmatch(t.part("word/styles.xml"), -1) {
		ids = append(ids, string(m[1]))
	}
	return ids
}

// HasStyle reports whether the reference defines the style id.
func (t *Template) HasStyle(id string) bool {
	for _, s := range t.Styles() {
		if s == id {
			return true
		}
	}
	return false
}

// Doc is a document being made from a Template.
type Doc struct {
	t      *Template
	body   bytes.Buffer
	images [][]byte
}

// New starts an empty document in t's look.
func (t *Template) New() *Doc { return &Doc{t: t} }

// Run is a piece of text with one formatting, or a picture.
type Run struct {
	Text      string // "\n" breaks the line, "\t" is a tab
	Bold      bool
	Italic    bool
	Underline bool
	Size      float64 // points; 0: the style's
	Image     *Image
}

// Image is a PNG shown inline at a size in millimetres.
type Image struct {
	PNG           []byte
	Width, Height float64 // mm
	Alt           string
}

// Text, Bold and Italic make runs.
func Text(s string) Run   { return Run{Text: s} }
func Bold(s string) Run   { return Run{Text: s, Bold: true} }
func Italic(s string) Run { return Run{Text: s, Italic: true} }

// Para is a paragraph.
type Para struct {
	Style string // a style id of the reference; "" for its default
	Runs  []Run
	// Align overrides the style's: "left", "center", "right", "both".
	Align string
	// Rule draws a line under the paragraph, Rule millimetres long and
	// centred in Width millimetres (the column it sits in): the short
	// line under a Decree 30 header's issuer and motto. It is a paragraph
	// of its own, empty, after this one.
	Rule, Width     float64
	PageBreakBefore bool
	KeepNext        bool
	// SpaceBefore and SpaceAfter override the style's, in points; a
	// negative value keeps the style's.
	SpaceBefore, SpaceAfter float64
}

// P is a paragraph of style with runs.
func P(style string, runs ...Run) Para {
	return Para{Style: style, Runs: runs, SpaceBefore: -1, SpaceAfter: -1}
}

// Add appends paragraphs to the body.
func (d *Doc) Add(ps ...Para) {
	for _, p := range ps {
		d.para(&d.body, p)
	}
}

// PageBreak starts a new page.
func (d *Doc) PageBreak() {
	d.body.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
}

// SectionBreak ends a section and starts the next on a new page, with the
// reference's page setup: each starts its page numbers afresh, so a mail
// merge of one-page letters prints no number on any of them.
func (d *Doc) SectionBreak() {
	d.body.WriteString(`<w:p><w:pPr>` + d.t.sectPr + `</w:pPr></w:p>`)
}

// Columns adds a table without borders whose cells hold paragraphs: the
// Decree 30 header (issuer and number left, motto and date right) and the
// closing block (Nơi nhận left, the signature right). widths are in
// millimetres; cells[i] is column i's paragraphs.
func (d *Doc) Columns(widths []float64, cells ...[]Para) {
	b := &d.body
	total := 0
	for _, w := range widths {
		total += twips(w)
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + strconv.Itoa(total) + `" w:type="dxa"/><w:jc w:val="center"/>` +
		`<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>` +
		`<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders><w:tblLayout w:type="fixed"/>` +
		`<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>` +
		`<w:tblLook w:val="0000"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		b.WriteString(`<w:gridCol w:w="` + strconv.Itoa(twips(w)) + `"/>`)
	}
	b.WriteString(`</w:tblGrid><w:tr><w:trPr><w:cantSplit/></w:trPr>`)
	for i, w := range widths {
		b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(twips(w)) + `" w:type="dxa"/></w:tcPr>`)
		var ps []Para
		if i < len(cells) {
			ps = cells[i]
		}
		if len(ps) == 0 {
			ps = []Para{P("")} // a cell must hold a paragraph
		}
		for _, p := range ps {
			d.para(b, p)
		}
		b.WriteString(`</w:tc>`)
	}
	b.WriteString(`</w:tr></w:tbl>`)
}

// twips converts millimetres to twentieths of a point.
func twips(mm float64) int { return int(mm*1440/25.4 + 0.5) }

func (d *Doc) para(b *bytes.Buffer, p Para) {
	b.WriteString(`<w:p><w:pPr>`)
	if p.Style != "" {
		b.WriteString(`<w:pStyle w:val="` + esc(p.Style) + `"/>`)
	}
	if p.KeepNext {
		b.WriteString(`<w:keepNext/>`)
	}
	if p.PageBreakBefore {
		b.WriteString(`<w:pageBreakBefore/>`)
	}
	if p.SpaceBefore >= 0 || p.SpaceAfter >= 0 {
		b.WriteString(`<w:spacing`)
		if p.SpaceBefore >= 0 {
			b.WriteString(` w:before="` + strconv.Itoa(int(p.SpaceBefore*20)) + `"`)
		}
		if p.SpaceAfter >= 0 {
			b.WriteString(` w:after="` + strconv.Itoa(int(p.SpaceAfter*20)) + `"`)
		}
		b.WriteString(`/>`)
	}
	if p.Align != "" {
		b.WriteString(`<w:jc w:val="` + esc(p.Align) + `"/>`)
	}
	b.WriteString(`</w:pPr>`)
	for _, r := range p.Runs {
		d.run(b, r)
	}
	b.WriteString(`</w:p>`)
	if p.Rule > 0 {
		// The line is an empty paragraph of its own, narrowed by its
		// indents, so that the text above keeps the column's width.
		side := "0"
		if p.Width > p.Rule {
			side = strconv.Itoa(twips((p.Width - p.Rule) / 2))
		}
		b.WriteString(`<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="0" w:color="auto"/></w:pBdr>` +
			`<w:spacing w:before="0" w:after="0" w:line="100" w:lineRule="exact"/>` +
			`<w:ind w:left="` + side + `" w:right="` + side + `" w:firstLine="0"/><w:rPr><w:sz w:val="8"/></w:rPr></w:pPr></w:p>`)
	}
}

func (d *Doc) run(b *bytes.Buffer, r Run) {
	b.WriteString(`<w:r>`)
	if r.Bold || r.Italic || r.Underline || r.Size > 0 {
		b.WriteString(`<w:rPr>`)
		if r.Bold {
			b.WriteString(`<w:b/><w:bCs/>`)
		}
		if r.Italic {
			b.WriteString(`<w:i/><w:iCs/>`)
		}
		if r.Underline {
			b.WriteString(`<w:u w:val="single"/>`)
		}
		if r.Size > 0 {
			hp := strconv.Itoa(int(r.Size*2 + 0.5))
			b.WriteString(`<w:sz w:val="` + hp + `"/><w:szCs w:val="` + hp + `"/>`)
		}
		b.WriteString(`</w:rPr>`)
	}
	if r.Image != nil {
		d.images = append(d.images, r.Image.PNG)
		d.drawing(b, len(d.images), r.Image)
	}
	for i, line := range strings.Split(r.Text, "\n") {
		if i > 0 {
			b.WriteString(`<w:br/>`)
		}
		for j, piece := range strings.Split(line, "\t") {
			if j > 0 {
				b.WriteString(`<w:tab/>`)
			}
			if piece != "" {
				b.WriteString(`<w:t xml:space="preserve">` + esc(piece) + `</w:t>`)
			}
		}
	}
	b.WriteString(`</w:r>`)
}

// emu converts millimetres to English Metric Units.
func emu(mm float64) string { return strconv.Itoa(int(mm * 36000)) }

func (d *Doc) drawing(b *bytes.Buffer, n int, img *Image) {
	id, cx, cy := strconv.Itoa(n), emu(img.Width), emu(img.Height)
	rid := "rIdLoaImage" + id
	b.WriteString(`<w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">` +
		`<wp:extent cx="` + cx + `" cy="` + cy + `"/><wp:docPr id="` + strconv.Itoa(1000+n) + `" name="Hình ` + id + `" descr="` + esc(img.Alt) + `"/>` +
		`<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" noChangeAspect="1"/></wp:cNvGraphicFramePr>` +
		`<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">` +
		`<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="` + strconv.Itoa(1000+n) + `" name="loa-image-` + id + `.png" descr="` + esc(img.Alt) + `"/><pic:cNvPicPr/></pic:nvPicPr>` +
		`<pic:blipFill><a:blip r:embed="` + rid + `"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>` +
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="` + cx + `" cy="` + cy + `"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>` +
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>`)
}

// Namespaces the body written here uses; a reference saved by Word or
// LibreOffice declares them already, and any it lacks are added.
var namespaces = [][2]string{
	{"w", "http://schemas.openxmlformats.org/wordprocessingml/2006/main"},
	{"r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"},
	{"wp", "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"},
}

func (d *Doc) documentXML() []byte {
	tag := d.t.bodyTag
	for _, ns := range namespaces {
		if !strings.Contains(tag, `xmlns:`+ns[0]+`=`) {
			tag = strings.TrimSuffix(tag, ">") + ` xmlns:` + ns[0] + `="` + ns[1] + `">`
		}
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(tag)
	b.WriteString(`<w:body>`)
	b.Write(d.body.Bytes())
	b.WriteString(d.t.sectPr)
	b.WriteString(`</w:body></w:document>`)
	return b.Bytes()
}

// WriteTo writes the document as a .docx.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	for _, p := range d.t.parts {
		data := p.data
		switch p.name {
		case docPart:
			data = d.documentXML()
		case "[Content_Types].xml":
			if len(d.images) > 0 && !bytes.Contains(data, []byte(`Extension="png"`)) {
				data = bytes.Replace(data, []byte(`</Types>`), []byte(`<Default Extension="png" ContentType="image/png"/></Types>`), 1)
			}
		case "word/_rels/document.xml.rels":
			var rels strings.Builder
			for i := range d.images {
				n := strconv.Itoa(i + 1)
				rels.WriteString(`<Relationship Id="rIdLoaImage` + n + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/loa-image-` + n + `.png"/>`)
			}
			data = bytes.Replace(data, []byte(`</Relationships>`), []byte(rels.String()+`</Relationships>`), 1)
		}
		if err := writePart(zw, p.name, data); err != nil {
			return cw.n, err
		}
	}
	for i, img := range d.images {
		if err := writePart(zw, "word/media/loa-image-"+strconv.Itoa(i+1)+".png", img); err != nil {
			return cw.n, err
		}
	}
	err := zw.Close()
	return cw.n, err
}

// Bytes is the document as a .docx.
func (d *Doc) Bytes() []byte {
	var b bytes.Buffer
	d.WriteTo(&b) // a bytes.Buffer does not fail
	return b.Bytes()
}

func writePart(zw *zip.Writer, name string, data []byte) error {
	method := zip.Deflate
	if strings.HasSuffix(name, ".png") {
		method = zip.Store
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// esc escapes text for XML and drops the characters XML 1.0 cannot carry
// (control characters other than tab, LF and CR).
func esc(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0xFFFE, r == 0xFFFF:
			continue
		case r >= 0xD800 && r <= 0xDFFF:
			continue
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
