package paperwork

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// The invitations as a PDF, made in Go like the .docx, so that the Lambda
// (which has no LibreOffice) hands staff a file that prints the same on
// every printer and opens on any phone. fpdf (MIT) writes it; the type is
// Liberation Serif (SIL Open Font License, fonts/OFL.txt), which has the
// metrics of Times New Roman that Decree 30 asks for and every Vietnamese
// letter; fpdf embeds only the glyphs a file uses, so a PDF of 60
// invitations stays small. The QR code is drawn as squares, sharp at any
// printer's resolution.

//go:embed fonts/*.ttf
var fonts embed.FS

// serif is the font family's name inside the PDF.
const serif = "LiberationSerif"

// The page, in mm: A4 with the reference document's margins (top and
// bottom 22, left 34, right 19: Decree 30's ranges).
const (
	pageLeft   = 34.0
	pageTop    = 22.0
	pageBottom = 22.0
	pageRight  = 19.0
	ptMM       = 25.4 / 72 // one point in mm
)

// lineH is the height of a line of text of size pt, single spaced.
func lineH(pt float64) float64 { return pt * ptMM * 1.2 }

// InvitationsPDF makes the invitations of Invitations as one PDF, one A4
// page each, in the order given.
func (o *Office) InvitationsPDF(people []Invitee, baseURL string, day time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	for _, face := range []struct{ style, file string }{
		{"", "Regular"}, {"B", "Bold"}, {"I", "Italic"}, {"BI", "BoldItalic"},
	} {
		b, err := fonts.ReadFile("fonts/LiberationSerif-" + face.file + ".ttf")
		if err != nil {
			return nil, fmt.Errorf("paperwork: %w", err)
		}
		pdf.AddUTF8FontFromBytes(serif, face.style, b)
	}
	pdf.SetMargins(pageLeft, pageTop, pageRight)
	pdf.SetAutoPageBreak(true, pageBottom)
	pdf.SetTitle(o.Invitation.Kind+" – "+o.Event.Title, true)
	pdf.SetCreator("Loa", true)
	// The file's dates are the instant it is dated (fpdf writes them
	// without a zone: UTC), and its objects are written in a fixed order,
	// so the same list makes the same bytes.
	pdf.SetCreationDate(day.UTC())
	pdf.SetModificationDate(day.UTC())
	pdf.SetCatalogSort(true)
	link := o.planLink(baseURL)
	for _, in := range people {
		pdf.AddPage()
		in.Name, in.Role, in.Group = drawable(in.Name), drawable(in.Role), drawable(in.Group)
		iv := o.invitation(in, link)
		o.pdfHeader(pdf, o.Invitation, day)
		if iv.intro != "" {
			paragraph(pdf, "", 14, iv.intro, "J")
		}
		pdf.Ln(2)
		paragraph(pdf, "B", 16, iv.name, "C")
		if iv.who != "" {
			paragraph(pdf, "", 14, iv.who, "C")
		}
		pdf.Ln(2)
		for _, f := range iv.facts {
			h := lineH(14)
			pdf.SetFont(serif, "B", 14)
			pdf.Write(h, f.label)
			pdf.SetFont(serif, "", 14)
			pdf.Write(h, f.text)
			pdf.Ln(h + 1)
		}
		if err := drawQR(pdf, iv.code, 32); err != nil {
			return nil, err
		}
		label, w := "Mã điểm danh: ", 0.0
		pdf.SetFont(serif, "", 14)
		w += pdf.GetStringWidth(label)
		pdf.SetFont(serif, "B", 16)
		w += pdf.GetStringWidth(iv.code)
		pdf.SetX(pageLeft + (textWidth-w)/2)
		pdf.SetFont(serif, "", 14)
		pdf.CellFormat(pdf.GetStringWidth(label), lineH(16), label, "", 0, "L", false, 0, "")
		pdf.SetFont(serif, "B", 16)
		pdf.CellFormat(pdf.GetStringWidth(iv.code), lineH(16), iv.code, "", 1, "L", false, 0, "")
		pdf.Ln(2)
		if iv.ending != "" {
			paragraph(pdf, "", 14, iv.ending, "J")
		}
		o.pdfClosing(pdf, o.Invitation)
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("paperwork: PDF: %w", err)
	}
	return b.Bytes(), nil
}

// drawable is s as fpdf can write it. Its UTF-8 fonts cover the Basic
// Multilingual Plane only, and one character past it fails the whole file:
// a resident's emoji would cost every guest and delegate their invitation.
// Such a character becomes its compatibility form when that lies in the
// plane (the "bold" mathematical letters people paste from social networks
// are letters: 𝐓𝐡𝐚𝐧𝐡 is Thanh), else it is left out (an emoji); the spaces
// it leaves are closed up. The .docx keeps what was typed: Word draws it.
func drawable(s string) string {
	if !pastPlane(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r <= 0xFFFF {
			b.WriteRune(r)
		} else if k := norm.NFKC.String(string(r)); !pastPlane(k) {
			b.WriteString(k)
		}
	}
	return norm.NFC.String(strings.Join(strings.Fields(b.String()), " "))
}

func pastPlane(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > 0xFFFF }) >= 0
}

// paragraph writes text across the text column in style and size.
func paragraph(pdf *fpdf.Fpdf, style string, size float64, text, align string) {
	pdf.SetFont(serif, style, size)
	pdf.SetX(pageLeft)
	pdf.MultiCell(textWidth, lineH(size), text, "", align, false)
}

// colLine is a line of a header's or a closing's column.
type colLine struct {
	style string
	size  float64
	text  string
	rule  float64 // mm of a line drawn centred under it; 0 for none
	space float64 // mm before it
}

// column writes lines centred in a column x mm from the page's left edge
// and w wide, from y down; it returns where it ended.
func column(pdf *fpdf.Fpdf, x, y, w float64, lines []colLine) float64 {
	for _, l := range lines {
		y += l.space
		pdf.SetFont(serif, l.style, l.size)
		pdf.SetXY(x, y)
		pdf.MultiCell(w, lineH(l.size), l.text, "", "C", false)
		y = pdf.GetY()
		if l.rule > 0 {
			pdf.SetLineWidth(0.3)
			pdf.Line(x+(w-l.rule)/2, y+1, x+(w+l.rule)/2, y+1)
			y += 2
		}
	}
	return y
}

// pdfHeader is header's PDF: the issuer and the number on the left, the
// motto and the place and date on the right, then the kind and the title.
func (o *Office) pdfHeader(pdf *fpdf.Fpdf, p Paper, day time.Time) {
	top := pdf.GetY()
	var left []colLine
	for i, line := range o.Issuer {
		l := colLine{style: "", size: 12, text: line}
		if i == len(o.Issuer)-1 {
			l.style, l.rule = "B", 22
		}
		left = append(left, l)
	}
	if p.Number != "" {
		left = append(left, colLine{size: 13, text: "Số: " + p.Number, space: 1})
	}
	var right []colLine
	for i, line := range o.Motto {
		if i == len(o.Motto)-1 {
			right = append(right, colLine{style: "B", size: 13, text: line, rule: 62})
			continue
		}
		right = append(right, colLine{style: "B", size: 12, text: line})
	}
	place := o.Place
	if place != "" {
		place += ", "
	}
	right = append(right, colLine{style: "I", size: 14, text: place + vntext.LongDate(day), space: 1})
	yl := column(pdf, pageLeft-6, top, leftWidth+6, left)
	yr := column(pdf, pageLeft+leftWidth, top, rightWidth+pageRight-4, right)
	pdf.SetXY(pageLeft, max(yl, yr)+6)
	if p.Kind != "" {
		paragraph(pdf, "B", 14, strings.ToUpper(p.Kind), "C")
	}
	if p.Title != "" {
		paragraph(pdf, "B", 14, p.Title, "C")
	}
	pdf.Ln(4)
}

// pdfClosing is closing's PDF: Nơi nhận on the left, the signature block
// on the right, with room for the signature and the seal.
func (o *Office) pdfClosing(pdf *fpdf.Fpdf, p Paper) {
	pdf.Ln(3)
	top := pdf.GetY()
	lw := leftWidth + 10
	if len(p.Recipients) > 0 {
		pdf.SetXY(pageLeft, top)
		pdf.SetFont(serif, "BI", 12)
		pdf.CellFormat(lw, lineH(12), "Nơi nhận:", "", 2, "L", false, 0, "")
		pdf.SetFont(serif, "", 11)
		for _, r := range p.Recipients {
			pdf.SetX(pageLeft)
			pdf.MultiCell(lw, lineH(11), "- "+r, "", "L", false)
		}
	}
	var right []colLine
	for _, line := range p.Signature {
		right = append(right, colLine{style: "B", size: 14, text: line})
	}
	if p.Signer != "" {
		right = append(right, colLine{style: "B", size: 14, text: p.Signer, space: 4 * lineH(14)})
	}
	column(pdf, pageLeft+lw, top, textWidth-lw, right)
}

// drawQR draws the QR code of text, size mm wide, centred on the text
// column under the current line, as dark squares; the quiet zone is left
// white.
func drawQR(pdf *fpdf.Fpdf, text string, size float64) error {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("paperwork: QR code: %w", err)
	}
	bits := q.Bitmap()
	n := float64(len(bits))
	cell := size / n
	x0, y0 := pageLeft+(textWidth-size)/2, pdf.GetY()+2
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bits {
		// Runs of dark modules along the row: one rectangle each.
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			pdf.Rect(x0+float64(start)*cell, y0+float64(r)*cell, float64(c-start)*cell, cell, "F")
		}
	}
	pdf.SetY(y0 + size + 1)
	return nil
}
