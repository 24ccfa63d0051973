package builder

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"loa/functions/routes"
	"loa/site"
)

// The staff page (routes.StaffPage, /quan-tri/) is static, like every
// page: it shows nothing until the staff secret is typed, and its script
// (assets/js/staff.js) reads the counts and asks for downloads through the
// form handler's staff routes, sending the secret in routes.StaffHeader.
// It is published with noindex and left out of the sitemap.

// The check-in page (routes.CheckinPage, /quan-tri/diem-danh/) is the
// same kind of page, for a phone at the door: its script
// (assets/js/checkin.js) uses the account signed in on the staff page in
// the same browser, and checks people in by the code on their invitation.
// Its sibling, the guests page (routes.GuestsPage, /quan-tri/khach-moi/),
// is where a "quản lý" keeps the guests and downloads the invitations and
// the attendance (assets/js/guests.js): its own page, since the staff
// page's script is at its weight budget. So is the commendation page
// (routes.CommendationPage, /quan-tri/khen-thuong/), where a "quản lý"
// keeps or leaves out each nomination and downloads the commendation list
// in Word (assets/js/commendation.js).

// staffTool is a page of the staff's: its layout, title, address and script.
type staffTool struct {
	layout, title, path, script string
}

var (
	staffPage   = staffTool{"layouts/staff.html", "Quản trị biểu mẫu", routes.StaffPage, "staff.js"}
	checkinPage = staffTool{"layouts/checkin.html", "Điểm danh tại hội nghị", routes.CheckinPage, "checkin.js"}
	guestsPage  = staffTool{"layouts/guests.html", "Khách mời và giấy mời", routes.GuestsPage, "guests.js"}
	commendPage = staffTool{"layouts/commendation.html", "Danh sách đề nghị khen thưởng", routes.CommendationPage, "commendation.js"}
	// staffTools are the staff's pages besides the staff page, published
	// where the layouts have them.
	staffTools = []staffTool{checkinPage, guestsPage, commendPage}
)

// qrDecoderScript is ZXing (the npm package @zxing/library, vendored),
// which the check-in page loads to read QR codes where the browser has no
// BarcodeDetector, and only then.
const qrDecoderScript = "zxing-library.min.js"

// staffToolScript is what the tool pages' scripts share (the signed-in
// account, calls with the staff headers, messages), loaded before each of
// them; not on the staff page, whose weight is at its budget.
const staffToolScript = "staff-tool.js"

// staffScript is the staff page's script.
var staffScript = staffPage.script

// renderStaffPage writes the whole staff page, framed like the rest of the
// site.
func renderStaffPage(w io.Writer, l *Layouts, cfg site.Config) error {
	return renderStaffTool(w, staffPage, l, cfg)
}

// renderStaffTool writes a staff page p, published with noindex and left
// out of the sitemap.
func renderStaffTool(w io.Writer, p staffTool, l *Layouts, cfg site.Config) error {
	frame := l.frame
	tmpl, err := l.staffTemplate(p.layout)
	if err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	var main bytes.Buffer
	data := struct{ Header, StaffPage, CheckinPage, GuestsPage, CommendationPage, QRDecoder string }{
		routes.StaffHeader, routes.StaffPage, routes.CheckinPage, routes.GuestsPage, routes.CommendationPage, frame.Script(qrDecoderScript)}
	if err := tmpl.Execute(&main, data); err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	names := []string{p.script}
	if p != staffPage {
		names = []string{staffToolScript, p.script}
	}
	var scripts []string
	for _, n := range names {
		script := frame.Script(n)
		if script == "" {
			return fmt.Errorf("%s: assets/js/%s is missing", p.path, n)
		}
		scripts = append(scripts, script)
	}
	return frame.Render(w, site.Shell{
		Site:    cfg,
		Title:   p.title,
		Path:    p.path,
		NoIndex: true,
		Scripts: scripts,
		Main:    template.HTML(main.String()),
	})
}
