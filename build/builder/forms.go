package builder

import (
	"fmt"
	"html/template"
	"io/fs"
	"time"

	"loa/functions/forms"
)

// formView is what the layouts show of a form: its deadline and, on its
// page, the form itself.
type formView struct {
	ID     string
	Title  string
	URL    string // the form page
	Opens  time.Time
	Closes time.Time
	Open   bool // at the build's Now
	Thanks string
	HTML   template.HTML // the <form> fragment, or the notice that it is closed
}

// formSet holds the forms of the content tree, by id.
type formSet map[string]*formView

// loadForms reads the form definitions (the forms package reads each form,
// fields and all, from the "form:" block of its bieu-mau/*.md) and renders
// each form once, as it stands at now. A content tree without form pages
// needs no form definitions at all.
func loadForms(content, layouts fs.FS, now time.Time) (formSet, *forms.Registry, error) {
	set := formSet{}
	if names, _ := fs.Glob(content, "bieu-mau/*.md"); len(names) == 0 {
		return set, nil, nil
	}
	reg, err := forms.Load(content, layouts)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range reg.Forms() {
		html, err := f.RenderHTML(forms.State{Now: now})
		if err != nil {
			return nil, nil, fmt.Errorf("form %q: %w", f.ID, err)
		}
		set[f.ID] = &formView{
			ID: f.ID, Title: f.Title, Opens: f.Opens, Closes: f.Closes,
			Open: f.IsOpen(now), Thanks: f.Thanks, HTML: html,
		}
	}
	return set, reg, nil
}

// view returns the form id, as its page shows it.
func (s formSet) view(id string) (*formView, error) {
	f, ok := s[id]
	if !ok {
		return nil, fmt.Errorf("phần đầu trang: biểu mẫu %q không có trong các biểu mẫu đã khai báo (content/bieu-mau)", id)
	}
	return f, nil
}
