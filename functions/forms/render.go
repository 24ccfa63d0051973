package forms

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loa/functions/routes"
	"loa/functions/vntext"
)

// State is what a rendering of a form shows besides its declaration: the
// time (open or closed), what was typed, and the messages of wrong fields.
type State struct {
	Now    time.Time
	Values url.Values
	Errors map[string]string // by field name
	// Message is a problem with the whole form (e.g. the store was not
	// reachable); it heads the error summary.
	Message string
}

// Templates of site/layouts used here: form.html defines "form" (the whole
// <form> fragment) and form-answer.html defines "form-answer" (the main part
// of a page the handler answers with). hoidap.html, when the layouts have
// it, defines the parts of Hỏi đáp (see RenderLayout).
var layoutFiles = []string{"layouts/form.html", "layouts/form-answer.html"}

const hoidapLayout = "layouts/hoidap.html"

func parseTemplates(layouts fs.FS) (*template.Template, error) {
	files := layoutFiles
	if _, err := fs.Stat(layouts, hoidapLayout); err == nil {
		files = append(slices.Clone(files), hoidapLayout)
	}
	t, err := template.New("forms").ParseFS(layouts, files...)
	if err != nil {
		return nil, fmt.Errorf("forms: layouts: %w", err)
	}
	return t, nil
}

// HasLayout reports whether the layouts define the template name.
func (r *Registry) HasLayout(name string) bool { return r.tmpl.Lookup(name) != nil }

// RenderLayout renders one template of the layouts the forms were loaded
// with: Hỏi đáp's "receipt" (the thank-you answer with its code),
// "lookup-form", "lookup-answer" and "public-answers" (layouts/hoidap.html).
func (r *Registry) RenderLayout(name string, data any) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

type summaryItem struct {
	Href, Text string
}

type optionView struct {
	Value, ID string
	Checked   bool
}

type fieldView struct {
	*Field
	ID           string
	Value        string
	Error        string
	Optional     bool
	InputType    string
	MaxLength    int
	DescribedBy  string
	Options      []optionView
	Checked      bool
	Consent      Consent
	Control      string // "input", "textarea", "select", "radios", "consent" or "file"
	Accept       string // a file input's accept attribute: media types and extensions
	HintText     string
	Short        bool
	NoSpellcheck bool
}

type formView struct {
	Form     *Form
	Open     bool
	NotYet   bool
	Opens    string
	Closes   string
	Action   string
	Submit   string
	Message  string
	Summary  []summaryItem
	Fields   []fieldView
	Code     *fieldView // the registration code, when the form asks for one
	Honeypot string
	// Multipart: the form takes files, and is sent as multipart/form-data.
	Multipart bool
}

// FieldID is the HTML id of a field's control (of its first radio button);
// error summaries link to it.
func FieldID(name string) string { return "f-" + name }

// RenderHTML renders the form as one <form> fragment: the error summary when
// st.Errors or st.Message is set, every field with its typed value and
// message, or, when the form is not open at st.Now, a notice with the dates.
func (f *Form) RenderHTML(st State) (template.HTML, error) {
	var b bytes.Buffer
	if err := f.tmpl.ExecuteTemplate(&b, "form", f.view(st)); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

func (f *Form) view(st State) formView {
	v := formView{
		Form:     f,
		Open:     f.IsOpen(st.Now),
		NotYet:   st.Now.Before(f.Opens),
		Opens:    vntext.DateTime(f.Opens),
		Closes:   vntext.DateTime(f.Closes),
		Action:   routes.Forms + f.ID,
		Submit:   upperFirst(f.Action),
		Message:  st.Message,
		Honeypot: HoneypotField,

		Multipart: f.Multipart(),
	}
	anyOf := map[string]bool{}
	for _, a := range f.AnyOf {
		for _, n := range a.Fields {
			anyOf[n] = true
		}
	}
	for i := range f.Fields {
		fl := &f.Fields[i]
		fv := f.fieldView(fl, st, !fl.Required && !anyOf[fl.Name] && fl.Kind != KindConsent && fl.Kind != KindPublish)
		if fv.Error != "" {
			v.Summary = append(v.Summary, summaryItem{Href: "#" + fv.ID, Text: fv.Error})
		}
		v.Fields = append(v.Fields, fv)
	}
	if f.RequiresCode() {
		fv := f.fieldView(f.code, st, false)
		fv.Value = "" // a wrong code is typed again, not shown back
		if fv.Error != "" {
			v.Summary = append(v.Summary, summaryItem{Href: "#" + fv.ID, Text: fv.Error})
		}
		v.Code = &fv
	}
	return v
}

// fieldView is what the layout shows of one field in the state st.
func (f *Form) fieldView(fl *Field, st State, optional bool) fieldView {
	fv := fieldView{
		Field:    fl,
		ID:       FieldID(fl.Name),
		Value:    st.Values.Get(fl.Name),
		Error:    st.Errors[fl.Name],
		Optional: optional,
		Consent:  f.Consent,
	}
	fv.Control, fv.InputType = "input", "text"
	switch fl.Kind {
	case KindTextArea:
		fv.Control = "textarea"
	case KindSelect:
		fv.Control = "select"
	case KindRadio:
		fv.Control = "radios"
	case KindConsent:
		fv.Control = "consent"
	case KindPublish:
		fv.Control, fv.Consent = "consent", f.PublishConsent
	case KindEmail:
		fv.InputType, fv.NoSpellcheck = "email", true
	case KindPhone:
		fv.InputType, fv.NoSpellcheck = "tel", true
	case KindYear:
		fv.Short, fv.NoSpellcheck = true, true
	case KindCode:
		fv.NoSpellcheck = true
	case KindFile:
		fv.Control, fv.Value = "file", "" // a browser never gets a file back
		var acc []string
		for _, t := range fl.Accept {
			acc = append(acc, t.MediaType, "."+t.Ext)
		}
		fv.Accept = strings.Join(acc, ",")
	}
	fv.HintText = fl.Hint
	if fl.Kind == KindFile && (len(st.Errors) > 0 || st.Message != "") {
		// The page came back from the server: a browser sends a file once
		// and never gets it back into the input.
		fv.HintText = strings.TrimSpace(fv.HintText + " Nếu bạn đã chọn tệp, hãy chọn lại: trang vừa tải lại không giữ tệp đã chọn.")
	}
	if fl.Source == SourceChiDoan && f.SampleList {
		fv.HintText = strings.TrimSpace(fv.HintText + " Danh sách chi đoàn đang là danh sách mẫu; Đoàn phường sẽ cập nhật danh sách chính thức.")
	}
	if fl.Kind != KindSelect && fl.Kind != KindRadio && fl.Kind != KindConsent && fl.Kind != KindPublish && fl.Kind != KindFile {
		fv.MaxLength = fl.maxLen()
	}
	var ids []string
	if fv.HintText != "" {
		ids = append(ids, fv.ID+"-hint")
	}
	if fv.Error != "" {
		ids = append(ids, fv.ID+"-error")
	}
	fv.DescribedBy = strings.Join(ids, " ")
	for j, o := range fl.Options {
		id := fv.ID
		if j > 0 {
			id += "-" + strconv.Itoa(j+1)
		}
		fv.Options = append(fv.Options, optionView{Value: o, ID: id, Checked: o == vntext.Normalize(fv.Value)})
	}
	fv.Checked = (fl.Kind == KindConsent || fl.Kind == KindPublish) && strings.TrimSpace(fv.Value) != ""
	return fv
}

// Answer is the main part of a page the handler answers with when it cannot
// redirect: a title, a message, and the form again when there is one to fix.
type Answer struct {
	Title   string
	Message string
	Form    template.HTML // the re-rendered form, or empty
	Back    string        // link back to the form page, or empty
}

// RenderAnswer renders site/layouts/form-answer.html.
func (r *Registry) RenderAnswer(a Answer) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.tmpl.ExecuteTemplate(&b, "form-answer", a); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
