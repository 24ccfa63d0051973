package paperwork

import (
	"fmt"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"loa/functions/docx"
	"loa/functions/vntext"
)

// Invitee is one person invited: a registered delegate or a guest.
type Invitee struct {
	Name  string
	Role  string // chức vụ, or a guest's role
	Group string // chi đoàn, or a guest's body
	Code  string // the check-in code
}

// QR is the PNG of a QR code holding text, as printed on an invitation.
func QR(text string) ([]byte, error) {
	return qrcode.Encode(text, qrcode.Medium, 256)
}

// weekdays are the days as an invitation writes them.
var weekdays = [...]string{"Chủ nhật", "thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy"}

// EventTime writes an instant as an invitation does: "08 giờ 00 phút,
// thứ Năm, ngày 27 tháng 4 năm 2023".
func EventTime(t time.Time) string {
	t = t.In(vntext.Location)
	return fmt.Sprintf("%02d giờ %02d phút, %s, %s", t.Hour(), t.Minute(), weekdays[t.Weekday()], vntext.LongDate(t))
}

// invitation is what one invitation says below its header, in order: the
// .docx (Invitations) and the PDF (InvitationsPDF) write the same.
type invitation struct {
	intro  string
	name   string
	who    string // role and chi đoàn, or a guest's role and unit
	facts  []fact
	code   string
	ending string
}

// fact is a line of the event: a bold label and its text, or the plan's
// address (link), which is not stretched across the line.
type fact struct {
	label, text string
	link        bool
}

// invitation is the invitation of in; link is the plan's address.
func (o *Office) invitation(in Invitee, link string) invitation {
	ev := o.Event
	iv := invitation{intro: o.Invitation.Intro, name: in.Name, who: strings.Join(nonEmpty(in.Role, in.Group), " – "),
		code: in.Code, ending: o.Invitation.Ending}
	iv.facts = []fact{{"Tới dự: ", ev.Title, false}, {"Thời gian: ", EventTime(ev.Start), false}, {"Địa điểm: ", ev.Place, false}}
	if ev.Plan != "" {
		iv.facts = append(iv.facts, fact{"Kế hoạch, chương trình: ", link, true})
	}
	return iv
}

// planLink is the plan's address on the site at baseURL.
func (o *Office) planLink(baseURL string) string {
	return strings.TrimSuffix(baseURL, "/") + o.Event.Plan
}

// Invitations makes one GIẤY MỜI a page for every invitee, in the order
// given: the header, the person and their chi đoàn or role, the event, a
// link to the plan, the check-in code as a QR code and printed, and the
// signature block. baseURL is the site's address, for the plan's link.
func (o *Office) Invitations(people []Invitee, baseURL string, day time.Time) (*docx.Doc, error) {
	p := o.Invitation
	d := o.tmpl.New()
	link := o.planLink(baseURL)
	for i, in := range people {
		if i > 0 {
			d.SectionBreak()
		}
		iv := o.invitation(in, link)
		o.header(d, p, day)
		if iv.intro != "" {
			d.Add(docx.P(docx.StyleBody, docx.Text(iv.intro)))
		}
		d.Add(docx.P(docx.StyleCenter, docx.Run{Text: iv.name, Bold: true, Size: 16}))
		if iv.who != "" {
			d.Add(docx.P(docx.StyleCenter, docx.Text(iv.who)))
		}
		for _, f := range iv.facts {
			para := docx.P(docx.StyleBody, docx.Bold(f.label), docx.Text(f.text))
			if f.link {
				para.Align = "left"
			}
			d.Add(para)
		}
		png, err := QR(iv.code)
		if err != nil {
			return nil, fmt.Errorf("paperwork: QR code: %w", err)
		}
		d.Add(
			docx.P(docx.StyleCenter, docx.Run{Image: &docx.Image{PNG: png, Width: 32, Height: 32, Alt: "Mã điểm danh " + iv.code}}),
			docx.P(docx.StyleCenter, docx.Text("Mã điểm danh: "), docx.Run{Text: iv.code, Bold: true, Size: 16}),
		)
		if iv.ending != "" {
			d.Add(docx.P(docx.StyleBody, docx.Text(iv.ending)))
		}
		o.closing(d, p)
	}
	return d, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
