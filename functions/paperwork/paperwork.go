// Package paperwork makes the office's Word documents for the dialogue
// from what the forms collected: the compiled questions for the leaders
// ("Tổng hợp câu hỏi", a Decree 30 BÁO CÁO, questions.go) and the
// invitations, one a page, each with its check-in code as a QR code
// (invitations.go), also as a PDF (pdf.go, which says the same in the
// same layout).
//
// What the documents say about the ward (its header block, the place, the
// numbers, titles, signature blocks and Nơi nhận) is content:
// data/van-phong.yaml. How they look (fonts, sizes, spacing, page size and
// margins) is the reference document data/mau-van-ban.docx, which the ward
// may restyle in Word; package docx fills it. Both are read by [Load] from
// the form handler's share of content, so the Lambda makes the same file
// as serve, with no converter installed.
package paperwork

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"loa/content"
	"loa/functions/docx"
	"loa/functions/vntext"
)

// File is the office's settings file, relative to the content folder.
const File = "data/van-phong.yaml"

// Office is what the documents say about the ward, and their look.
type Office struct {
	// Issuer is the header's issuing body, one line each, the body above
	// it first: the upper lines print in regular type, the last in bold.
	Issuer []string `yaml:"issuer"`
	// Motto is the state's motto in two lines; empty for the usual one.
	Motto []string `yaml:"motto"`
	Place string   `yaml:"place"`
	// Template is the reference document's file in data/.
	Template string `yaml:"template"`
	// Compiled is the compiled questions' BÁO CÁO.
	Compiled Paper `yaml:"questions"`
	// Event is the dialogue itself; Invitation its GIẤY MỜI.
	Event      Event `yaml:"event"`
	Invitation Paper `yaml:"invitation"`
	// Commend is the commendation list ("Danh sách đề nghị khen
	// thưởng", commendation.go) and the form of nominations it is made from.
	Commend Commendation `yaml:"commendation"`

	tmpl  *docx.Template
	file  string         // the settings file, as messages name it
	lines map[string]int // line of each commendation key, for messages
}

// Paper is one document's own settings.
type Paper struct {
	Kind   string `yaml:"kind"`   // "BÁO CÁO"
	Number string `yaml:"number"` // "   /BC-UBND": blanks kept for the number given at signing
	Title  string `yaml:"title"`  // the trích yếu
	Intro  string `yaml:"intro"`  // the paragraph before the list
	Ending string `yaml:"ending"` // the paragraph after it ("Trên đây là …")
	// Signature is the signature block's lines above the name; Signer the
	// name, empty to leave it for the signer.
	Signature  []string `yaml:"signature"`
	Signer     string   `yaml:"signer"`
	Recipients []string `yaml:"recipients"`
}

// Event is the meeting the invitations are for.
type Event struct {
	Title    string    `yaml:"title"`
	Start    time.Time `yaml:"start"`
	Place    string    `yaml:"place"`
	Plan     string    `yaml:"plan"`     // the plan page's path on the site
	Expected int       `yaml:"expected"` // people expected, for "đã đến 47/60"
}

// Load reads data/van-phong.yaml and the reference document it names from
// contentFS. dir names the content folder in messages.
func Load(contentFS fs.FS, dir string) (*Office, error) {
	name := path.Join(dir, File)
	raw, err := fs.ReadFile(contentFS, File)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var o Office
	if err := yaml.Unmarshal(raw, &o); err != nil {
		return nil, content.YAMLError(name, "văn bản của Văn phòng", 0, err)
	}
	o.file, o.lines = name, commendationLines(raw)
	if len(o.Issuer) == 0 {
		return nil, &content.FileError{File: name, Msg: "thiếu “issuer”: tên cơ quan ở góc trái phần đầu văn bản"}
	}
	if o.Template == "" {
		o.Template = "mau-van-ban.docx"
	}
	if len(o.Motto) == 0 {
		o.Motto = []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}
	}
	ref := path.Join("data", o.Template)
	b, err := fs.ReadFile(contentFS, ref)
	if err != nil {
		return nil, &content.FileError{File: name, Msg: fmt.Sprintf("không đọc được tệp mẫu “%s”: %v", path.Join(dir, ref), err)}
	}
	if o.tmpl, err = docx.Parse(b); err != nil {
		return nil, &content.FileError{File: path.Join(dir, ref), Msg: "tệp mẫu không phải văn bản Word (.docx) đọc được: hãy mở bằng Word rồi lưu lại dạng .docx (" + err.Error() + ")"}
	}
	return &o, nil
}

// mm: the text column of A4 under Decree 30's margins (210 - 34 - 19),
// split for the header and closing blocks.
const (
	textWidth  = 157.0
	leftWidth  = 57.0
	rightWidth = textWidth - leftWidth
)

// header writes the Decree 30 header block: the issuer and the number on
// the left, the motto and the place and date on the right, then the kind
// and the title.
func (o *Office) header(d *docx.Doc, p Paper, day time.Time) {
	var left []docx.Para
	for i, line := range o.Issuer {
		r := docx.Text(line)
		r.Bold = i == len(o.Issuer)-1
		left = append(left, docx.P(docx.StyleHeader, r))
	}
	left[len(left)-1].Rule, left[len(left)-1].Width = 22, leftWidth
	if p.Number != "" {
		num := docx.P(docx.StyleHeader, docx.Text("Số: "+p.Number))
		num.SpaceBefore = 6
		left = append(left, num)
	}
	var right []docx.Para
	for i, line := range o.Motto {
		if i == len(o.Motto)-1 {
			m := docx.P(docx.StyleMotto, docx.Text(line))
			m.Rule, m.Width = 62, rightWidth
			right = append(right, m)
			continue
		}
		right = append(right, docx.P(docx.StyleHeader, docx.Bold(line)))
	}
	place := o.Place
	if place != "" {
		place += ", "
	}
	right = append(right, docx.P(docx.StylePlaceDate, docx.Text(place+vntext.LongDate(day))))
	d.Columns([]float64{leftWidth, rightWidth}, left, right)
	if p.Kind != "" {
		d.Add(docx.P(docx.StyleKind, docx.Text(strings.ToUpper(p.Kind))))
	}
	if p.Title != "" {
		d.Add(docx.P(docx.StyleTitle, docx.Text(p.Title)))
	}
}

// closing writes Nơi nhận on the left and the signature block on the
// right, with room for the signature and the seal; the name is printed
// only when the settings give it.
func (o *Office) closing(d *docx.Doc, p Paper) {
	var left []docx.Para
	if len(p.Recipients) > 0 {
		head := docx.P(docx.StyleRecipients, docx.Run{Text: "Nơi nhận:", Bold: true, Italic: true, Size: 12})
		left = append(left, head)
		for _, r := range p.Recipients {
			left = append(left, docx.P(docx.StyleRecipients, docx.Text("- "+r)))
		}
	}
	var right []docx.Para
	for _, line := range p.Signature {
		right = append(right, docx.P(docx.StyleSign, docx.Text(line)))
	}
	for range 4 {
		right = append(right, docx.P(docx.StyleSign))
	}
	if p.Signer != "" {
		right = append(right, docx.P(docx.StyleSign, docx.Text(p.Signer)))
	}
	gap := docx.P(docx.StyleBody)
	d.Add(gap)
	d.Columns([]float64{leftWidth + 10, rightWidth - 10}, left, right)
}

// commendationLines finds the line of each key under "commendation:".
func commendationLines(raw []byte) map[string]int {
	lines := map[string]int{}
	var root yaml.Node
	if yaml.Unmarshal(raw, &root) != nil || len(root.Content) == 0 {
		return lines
	}
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "commendation" {
			continue
		}
		lines["commendation"] = top.Content[i].Line
		c := top.Content[i+1]
		for j := 0; j+1 < len(c.Content); j += 2 {
			lines["commendation."+c.Content[j].Value] = c.Content[j].Line
		}
	}
	return lines
}
