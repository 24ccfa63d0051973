package staff

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"

	"loa/site"
)

// Path is the staff page's address. It is published with noindex and left
// out of the sitemap; it shows nothing until the secret is entered.
const Path = "/quan-tri/"

// Title is the staff page's title.
const Title = "Quản trị biểu mẫu"

// Script is the staff page's script, under site/assets/js/.
const Script = "staff.js"

// Render writes the whole staff page, framed like the rest of the site.
// fsys holds layouts/ and assets/ (site.FS() or the builder's folder);
// frame must have been made from the same fsys so that the script exists.
func Render(w io.Writer, frame *site.Frame, fsys fs.FS, cfg site.Config) error {
	tmpl, err := template.ParseFS(fsys, "layouts/staff.html")
	if err != nil {
		return fmt.Errorf("staff page: %w", err)
	}
	var main bytes.Buffer
	if err := tmpl.Execute(&main, struct{ Header string }{Header}); err != nil {
		return fmt.Errorf("staff page: %w", err)
	}
	script := frame.Script(Script)
	if script == "" {
		return fmt.Errorf("staff page: assets/js/%s is missing", Script)
	}
	return frame.Render(w, site.Shell{
		Site:    cfg,
		Title:   Title,
		Path:    Path,
		NoIndex: true,
		Scripts: []string{script},
		Main:    template.HTML(main.String()),
	})
}
