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

// Invitations makes one GIẤY MỜI a page for every invitee, in the order
// given: the header, the person and their chi đoàn or role, the event, a
// link to the plan, the check-in code as a QR code and printed, and the
// signature block. baseURL is the site's address, for the plan's link.
func (o *Office) Invitations(people []Invitee, baseURL string, day time.Time) (*docx.Doc, error) {
	p, ev := o.Invitation, o.Event
	d := o.tmpl.New()
	link := strings.TrimSuffix(baseURL, "/") + ev.Plan
	for i, in := range people {
		if i > 0 {
			d.SectionBreak()
		}
		o.header(d, p, day)
		if p.Intro != "" {
			d.Add(docx.P(docx.StyleBody, docx.Text(p.Intro)))
		}
		d.Add(docx.P(docx.StyleCenter, docx.Run{Text: in.Name, Bold: true, Size: 16}))
		who := strings.Join(nonEmpty(in.Role, in.Group), " – ")
		if who != "" {
			d.Add(docx.P(docx.StyleCenter, docx.Text(who)))
		}
		d.Add(
			docx.P(docx.StyleBody, docx.Bold("Tới dự: "), docx.Text(ev.Title)),
			docx.P(docx.StyleBody, docx.Bold("Thời gian: "), docx.Text(EventTime(ev.Start))),
			docx.P(docx.StyleBody, docx.Bold("Địa điểm: "), docx.Text(ev.Place)),
		)
		if ev.Plan != "" {
			l := docx.P(docx.StyleBody, docx.Bold("Kế hoạch, chương trình: "), docx.Text(link))
			l.Align = "left"
			d.Add(l)
		}
		png, err := QR(in.Code)
		if err != nil {
			return nil, fmt.Errorf("paperwork: QR code: %w", err)
		}
		d.Add(
			docx.P(docx.StyleCenter, docx.Run{Image: &docx.Image{PNG: png, Width: 32, Height: 32, Alt: "Mã điểm danh " + in.Code}}),
			docx.P(docx.StyleCenter, docx.Text("Mã điểm danh: "), docx.Run{Text: in.Code, Bold: true, Size: 16}),
		)
		if p.Ending != "" {
			d.Add(docx.P(docx.StyleBody, docx.Text(p.Ending)))
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
