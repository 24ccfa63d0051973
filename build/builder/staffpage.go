package builder

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"

	"loa/functions/routes"
	"loa/site"
)

// The staff page (routes.StaffPage, /quan-tri/) is static, like every
// page: it shows nothing until the staff secret is typed, and its script
// (assets/js/staff.js) reads the counts and asks for downloads through the
// form handler's staff routes, sending the secret in routes.StaffHeader.
// It is published with noindex and left out of the sitemap.

const (
	staffTitle  = "Quản trị biểu mẫu"
	staffScript = "staff.js"
)

// renderStaffPage writes the whole staff page, framed like the rest of the
// site. fsys holds layouts/ and assets/; frame must have been made from the
// same fsys so that the script exists.
func renderStaffPage(w io.Writer, frame *site.Frame, fsys fs.FS, cfg site.Config) error {
	tmpl, err := template.ParseFS(fsys, "layouts/staff.html")
	if err != nil {
		return fmt.Errorf("staff page: %w", err)
	}
	var main bytes.Buffer
	if err := tmpl.Execute(&main, struct{ Header string }{routes.StaffHeader}); err != nil {
		return fmt.Errorf("staff page: %w", err)
	}
	script := frame.Script(staffScript)
	if script == "" {
		return fmt.Errorf("staff page: assets/js/%s is missing", staffScript)
	}
	return frame.Render(w, site.Shell{
		Site:    cfg,
		Title:   staffTitle,
		Path:    routes.StaffPage,
		NoIndex: true,
		Scripts: []string{script},
		Main:    template.HTML(main.String()),
	})
}
