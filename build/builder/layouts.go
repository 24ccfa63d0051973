package builder

import (
	"html/template"
	"io/fs"
	"sync"

	"loa/site"
)

// Layouts are a site's layouts and assets (Options.Site) made ready to
// build with: the frame, its assets read and hashed, and the templates
// of the pages and of the staff's pages parsed. They hold nothing of one
// site's content, and templates run safely from many goroutines, so the
// builds of many sites with the same layouts (a province's units) share
// one Layouts rather than each parsing and hashing the same files again.
type Layouts struct {
	fsys  fs.FS
	frame *site.Frame
	tmpl  *templates
	staff sync.Map // layout file → func() (*template.Template, error), parsed on first use
}

// NewLayouts reads the layouts and assets of fsys (site.FS() when nil).
func NewLayouts(fsys fs.FS) (*Layouts, error) {
	if fsys == nil {
		fsys = site.FS()
	}
	l := &Layouts{fsys: fsys}
	var err error
	if l.frame, err = site.NewFrame(fsys); err != nil {
		return nil, err
	}
	if l.tmpl, err = parseTemplates(fsys); err != nil {
		return nil, err
	}
	return l, nil
}

// Frame is the frame the pages are rendered in.
func (l *Layouts) Frame() *site.Frame { return l.frame }

// staffTemplate is the staff page's layout file name, parsed once.
func (l *Layouts) staffTemplate(name string) (*template.Template, error) {
	parse, _ := l.staff.LoadOrStore(name, sync.OnceValues(func() (*template.Template, error) {
		return template.ParseFS(l.fsys, name)
	}))
	return parse.(func() (*template.Template, error))()
}
