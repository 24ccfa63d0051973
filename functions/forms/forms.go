// Package forms holds the ward's web forms: what each one asks, how an answer
// is checked, and how it becomes one CSV row.
//
// A form is content only: its page content/bieu-mau/{id}.md declares it in
// a "form:" block of the front matter. The block holds what staff change for
// an event (opening and closing instants, topics, quota, the consent notice
// and its version, the thank-you text) and the declaration of its questions:
// the verb of its button (action), the prefix of its receipt codes
// (codePrefix), the field staff answer (answered), the field its quota
// counts by (quotaBy), the rules between fields (anyOf), and its fields in
// order, each with a name, a Vietnamese label, a kind, whether it is
// required, its maximum length, hint, options or their source, and the
// Vietnamese messages shown when it is wrong. data/chi-doan.yaml holds the
// list of chi đoàn. [Load] reads them into a [Registry] of [Form]s, and
// reports a mistake in a declaration in Vietnamese at its file and line.
//
// Go owns the kinds (declare.go): how a text, a year, a phone number, an
// email, a choice, a consent box, a registration code or a file (checked by
// its content and cleaned by package upload) is shown, checked and
// normalised. From one Form come the HTML (RenderHTML, with GOV.UK's
// error pattern), the server's checks (Validate, which also trims and
// NFC-normalises every value) and the CSV row (MarshalCSV, written by gocsv
// with the labels as headers). Adding a field to a form's content adds it
// to all three; adding a form needs no Go.
package forms

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"loa/content"
	"loa/functions/staff"
	"loa/functions/vntext"
)

// Registry holds the forms found in content, by id.
type Registry struct {
	forms map[string]*Form
	list  []*Form
	tmpl  *template.Template // form.html and form-answer.html, parsed once
}

// Form is a declaration joined with its settings from content.
type Form struct {
	ID      string
	Title   string
	Summary string
	Opens   time.Time
	Closes  time.Time
	Thanks  string
	Quota   int // 0: no quota
	Consent Consent
	// PublishConsent is the notice of the optional box that lets the ward
	// publish a question and its answer (KindPublish); zero for a form
	// without one.
	PublishConsent Consent
	Topics         []string
	// ChiDoan is the ward's list of chi đoàn; SampleList says it is still the
	// sample that ships with Loa.
	ChiDoan    []string
	SampleList bool

	Fields     []Field // options resolved from content
	AnyOf      []AnyOf
	QuotaBy    string
	Action     string
	CodePrefix string // of receipt codes (receipt.go)
	Question   string // the field staff answer, "" for none

	source     string // e.g. "bieu-mau/cau-hoi.md", for messages
	topicsLine int    // line of "topics:" (or "form:") in source, for messages
	code       *Field // the registration code's input (kind: code), or nil
	fieldsLine int    // line of "fields:" in source, for messages
	prefixLine int    // line of "codePrefix:" in source, for messages
	tmpl       *template.Template
	row        reflect.Type              // the CSV row type, see newRowType
	exportRow  reflect.Type              // the row type of exports (ExportColumns)
	codes      map[string]*staff.Checker // registration codes by chi đoàn (codes.go)
}

// FileError is a mistake in a content file: File is relative to the content
// folder, Line is 1-based (0: the whole file).
type FileError = content.FileError

// InDir names the content folder dir in err: a [FileError]'s file becomes
// dir/file; other errors are prefixed with dir/bieu-mau.
func InDir(dir string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return &FileError{File: path.Join(dir, fe.File), Line: fe.Line, Msg: fe.Msg}
	}
	return fmt.Errorf("%s/bieu-mau: %w", dir, err)
}

func yamlError(name, what string, offset int, err error) error {
	return content.YAMLError(name, what, offset, err)
}

// keyLine returns the line of the key path in a YAML tree (the deepest key
// found), or 0.
func keyLine(n *yaml.Node, keys ...string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			break
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			break
		}
		n = next
	}
	return line
}

// Consent is the notice a person agrees to, and its version stored with the row.
type Consent struct {
	Version string
	Text    string
}

// Form returns the form with the given id, or nil.
func (r *Registry) Form(id string) *Form {
	if r == nil {
		return nil
	}
	return r.forms[id]
}

// Forms returns every form, sorted by id.
func (r *Registry) Forms() []*Form { return slices.Clone(r.list) }

// Path is the page of the form with the given id; ThanksPath its thank-you
// page, where an answer sent without JavaScript lands.
func Path(id string) string       { return "/bieu-mau/" + id + "/" }
func ThanksPath(id string) string { return Path(id) + "cam-on/" }

// IsOpen reports whether the form takes answers at now: from Opens
// (inclusive) to Closes (exclusive).
func (f *Form) IsOpen(now time.Time) bool {
	return !now.Before(f.Opens) && now.Before(f.Closes)
}

// Field returns the declared field with the given name, or nil.
func (f *Form) Field(name string) *Field {
	for i := range f.Fields {
		if f.Fields[i].Name == name {
			return &f.Fields[i]
		}
	}
	return nil
}

// Load reads the forms of contentFS (bieu-mau/*.md with a "form:" block
// that declares them, and data/chi-doan.yaml). The forms render with
// layouts/form.html and layouts/form-answer.html of layouts: site.FS() for
// the look that ships, a folder of the caller's to try another. An error
// in a declaration is a [FileError] at its line.
func Load(contentFS, layouts fs.FS) (*Registry, error) {
	l, err := ParseLayouts(layouts)
	if err != nil {
		return nil, err
	}
	return LoadWith(contentFS, l)
}

// Layouts are the templates forms render with, parsed once: a province's
// units load their forms with the same Layouts, as they share the look.
// They are safe for concurrent use.
type Layouts struct{ tmpl *template.Template }

// ParseLayouts parses the form templates of layouts (see Load).
func ParseLayouts(layouts fs.FS) (*Layouts, error) {
	tmpl, err := parseTemplates(layouts)
	if err != nil {
		return nil, err
	}
	return &Layouts{tmpl: tmpl}, nil
}

// LoadWith is Load with layouts already parsed.
func LoadWith(contentFS fs.FS, layouts *Layouts) (*Registry, error) {
	list, sample, codes, err := loadChiDoan(contentFS)
	if err != nil {
		return nil, err
	}
	tmpl := layouts.tmpl
	names, err := fs.Glob(contentFS, "bieu-mau/*.md")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	r := &Registry{forms: map[string]*Form{}, tmpl: tmpl}
	for _, name := range names {
		f, err := loadForm(contentFS, name)
		if err != nil {
			return nil, err
		}
		if f == nil {
			continue
		}
		f.ChiDoan, f.SampleList, f.tmpl = list, sample, tmpl
		if q := f.Field(f.QuotaBy); q != nil && q.Source == SourceChiDoan && len(codes) > 0 {
			if f.code == nil {
				return nil, &FileError{File: name, Line: f.fieldsLine, Msg: "form.fields: data/chi-doan.yaml có mã đăng ký của chi đoàn, nên biểu mẫu chia suất theo chi đoàn này cần một ô mã đăng ký (kind: code)"}
			}
			f.codes = codes
		}
		if err := f.resolve(); err != nil {
			return nil, err
		}
		if r.forms[f.ID] != nil {
			return nil, fmt.Errorf("%s: form.id: %q trùng với biểu mẫu %s; mỗi biểu mẫu một id", name, f.ID, r.forms[f.ID].source)
		}
		if g := r.FormByCodePrefix(f.CodePrefix); g != nil {
			return nil, &FileError{File: name, Line: f.prefixLine, Msg: fmt.Sprintf("form.codePrefix: %q đã là tiền tố mã biên nhận của biểu mẫu %s; mỗi biểu mẫu một tiền tố", f.CodePrefix, g.source)}
		}
		r.forms[f.ID] = f
		r.list = append(r.list, f)
	}
	slices.SortFunc(r.list, func(a, b *Form) int { return strings.Compare(a.ID, b.ID) })
	return r, nil
}

// ColumnName is the field's header in the CSV and XLSX files: Column, or
// the label when Column is empty.
func (fl *Field) ColumnName() string {
	if fl.Column != "" {
		return fl.Column
	}
	return fl.Label
}

type frontMatter struct {
	Title   string `yaml:"title"`
	Summary string `yaml:"summary"`
	Form    *struct {
		ID             string   `yaml:"id"`
		Opens          string   `yaml:"opens"`
		Closes         string   `yaml:"closes"`
		Topics         []string `yaml:"topics"`
		Quota          int      `yaml:"quota"`
		Thanks         string   `yaml:"thanks"`
		Consent        notice   `yaml:"consent"`
		PublishConsent notice   `yaml:"publishConsent"`
	} `yaml:"form"`
}

type notice struct {
	Version string `yaml:"version"`
	Text    string `yaml:"text"`
}

const instantExample = "2023-04-20T00:00:00+07:00"

func loadForm(contentFS fs.FS, name string) (*Form, error) {
	data, err := fs.ReadFile(contentFS, name)
	if err != nil {
		return nil, err
	}
	yml, _, _, ok := content.FrontMatter(data)
	if !ok {
		return nil, nil // a page without front matter is not a form
	}
	// The front matter starts on the file's second line, after "---".
	var root yaml.Node
	if err := yaml.Unmarshal(yml, &root); err != nil {
		return nil, yamlError(name, "front matter", 1, err)
	}
	if root.Kind == 0 {
		return nil, nil // empty front matter
	}
	var fm frontMatter
	if err := root.Decode(&fm); err != nil {
		return nil, yamlError(name, "front matter", 1, err)
	}
	if fm.Form == nil {
		return nil, nil
	}
	ff := fm.Form
	line := func(keys ...string) int {
		if l := keyLine(&root, keys...); l > 0 {
			return l + 1
		}
		return 0
	}
	errf := func(field, format string, args ...any) error {
		return &FileError{File: name, Line: line("form", field), Msg: "form." + field + ": " + fmt.Sprintf(format, args...)}
	}
	stem := strings.TrimSuffix(path.Base(name), ".md")
	if ff.ID != stem {
		return nil, errf("id", "%q phải trùng tên tệp %q (đó là địa chỉ trang /bieu-mau/%s/)", ff.ID, stem, stem)
	}
	d, err := parseDeclaration(formNode(&root))
	if err != nil {
		var de *declError
		if errors.As(err, &de) {
			return nil, &FileError{File: name, Line: de.node.Line + 1, Msg: de.msg}
		}
		return nil, err
	}
	instant := func(field, s string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
		if err != nil {
			return time.Time{}, errf(field, "%q không phải ngày giờ (cần dạng %s)", s, instantExample)
		}
		return t.In(vntext.Location), nil
	}
	f := &Form{
		ID: ff.ID, Title: vntext.Normalize(fm.Title), Summary: vntext.Normalize(fm.Summary),
		Thanks: vntext.Normalize(ff.Thanks), Quota: ff.Quota,
		Consent:        Consent{Version: vntext.Normalize(ff.Consent.Version), Text: vntext.Normalize(ff.Consent.Text)},
		PublishConsent: Consent{Version: vntext.Normalize(ff.PublishConsent.Version), Text: vntext.Normalize(ff.PublishConsent.Text)},
		AnyOf:          d.AnyOf, QuotaBy: d.QuotaBy, Action: d.Action, CodePrefix: d.CodePrefix, Question: d.Question,
		source: name, topicsLine: line("form", "topics"), code: d.code,
		fieldsLine: line("form", "fields"), prefixLine: line("form", "codePrefix"),
	}
	if f.Opens, err = instant("opens", ff.Opens); err != nil {
		return nil, err
	}
	if f.Closes, err = instant("closes", ff.Closes); err != nil {
		return nil, err
	}
	if !f.Closes.After(f.Opens) {
		return nil, errf("closes", "%q phải sau giờ mở (opens) %q", ff.Closes, ff.Opens)
	}
	for _, t := range ff.Topics {
		if t = vntext.Normalize(t); t != "" && t != Other && !slices.Contains(f.Topics, t) {
			f.Topics = append(f.Topics, t)
		}
	}
	if f.Consent.Version == "" || f.Consent.Text == "" {
		return nil, errf("consent", "cần cả version và text (lời đồng ý người gửi đánh dấu, và phiên bản của nó được lưu cùng mỗi lần gửi)")
	}
	asksPublish := slices.ContainsFunc(d.Fields, func(fl Field) bool { return fl.Kind == KindPublish })
	if asksPublish && (f.PublishConsent.Version == "" || f.PublishConsent.Text == "") {
		return nil, errf("publishConsent", "cần cả version và text (lời đồng ý cho phường công bố câu hỏi và câu trả lời)")
	}
	if !asksPublish && (f.PublishConsent.Version != "" || f.PublishConsent.Text != "") {
		return nil, errf("publishConsent", "biểu mẫu này không có ô đồng ý công bố; cần xóa khối này")
	}
	if d.QuotaBy != "" && f.Quota <= 0 {
		return nil, errf("quota", "%d không phải số suất (cần ví dụ 5)", f.Quota)
	}
	if d.QuotaBy == "" && f.Quota != 0 {
		return nil, errf("quota", "biểu mẫu này không giới hạn số suất; cần xóa dòng này")
	}
	if f.Title == "" {
		return nil, &FileError{File: name, Line: line("title"), Msg: "title: missing (want e.g. title: \"Gửi câu hỏi\")"}
	}
	f.Fields = d.Fields
	return f, nil
}

// formNode returns the "form" key of a front matter's tree and its value.
func formNode(root *yaml.Node) (key, value *yaml.Node) {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "form" {
			return n.Content[i], n.Content[i+1]
		}
	}
	return n, n
}

// resolve fills in options from content.
func (f *Form) resolve() error {
	for i := range f.Fields {
		fl := &f.Fields[i]
		switch fl.Source {
		case SourceChiDoan:
			fl.Options = slices.Clone(f.ChiDoan)
		case SourceTopics:
			if len(f.Topics) == 0 {
				return &FileError{File: f.source, Line: f.topicsLine, Msg: fmt.Sprintf("form.topics: missing (field %q lists them)", fl.Label)}
			}
			fl.Options = slices.Clone(f.Topics)
		default:
			fl.Options = slices.Clone(fl.Options)
		}
		if fl.Other && !slices.Contains(fl.Options, Other) {
			fl.Options = append(fl.Options, Other)
		}
		if (fl.Kind == KindSelect || fl.Kind == KindRadio) && len(fl.Options) == 0 {
			return &FileError{File: f.source, Line: f.topicsLine, Msg: fmt.Sprintf("field %q has no options", fl.Label)}
		}
	}
	f.row = newRowType(f.Columns())
	f.exportRow = newRowType(f.ExportColumns())
	return nil
}

// chiDoanItem is one entry of data/chi-doan.yaml: a name, or a name with
// the hash of its registration code.
type chiDoanItem struct {
	Name string `yaml:"name"`
	Code string `yaml:"code"`
}

func (it *chiDoanItem) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&it.Name)
	}
	type plain chiDoanItem
	return n.Decode((*plain)(it))
}

func loadChiDoan(contentFS fs.FS) ([]string, bool, map[string]*staff.Checker, error) {
	const name = "data/chi-doan.yaml"
	data, err := fs.ReadFile(contentFS, name)
	if err != nil {
		return nil, false, nil, err
	}
	var doc struct {
		Sample bool          `yaml:"sample"`
		Items  []chiDoanItem `yaml:"items"`
	}
	var root yaml.Node
	err = yaml.Unmarshal(data, &root)
	if err == nil && root.Kind != 0 {
		err = root.Decode(&doc)
	}
	if err != nil {
		return nil, false, nil, yamlError(name, "list of chi đoàn", 0, err)
	}
	itemLine := func(i int) int {
		line := keyLine(&root, "items")
		if r := root.Content; len(r) > 0 && r[0].Kind == yaml.MappingNode {
			for j := 0; j+1 < len(r[0].Content); j += 2 {
				if v := r[0].Content[j+1]; r[0].Content[j].Value == "items" && v.Kind == yaml.SequenceNode && i < len(v.Content) {
					line = v.Content[i].Line
				}
			}
		}
		return line
	}
	itemErr := func(i int, format string, args ...any) error {
		return &FileError{File: name, Line: itemLine(i), Msg: fmt.Sprintf("items[%d]: ", i) + fmt.Sprintf(format, args...)}
	}
	var list []string
	slugs := map[string]string{}
	codes := map[string]*staff.Checker{}
	for i, item := range doc.Items {
		it := vntext.Normalize(item.Name)
		s := vntext.Slug(it)
		if it == "" || s == "" {
			return nil, false, nil, itemErr(i, "empty name")
		}
		// Quota slots are keyed by slug: two names with one slug would share five places.
		if prev, ok := slugs[s]; ok {
			return nil, false, nil, itemErr(i, "%q is too close to %q (both become %q); rename one", it, prev, s)
		}
		if it == Other {
			return nil, false, nil, itemErr(i, "%q is added by the form itself; remove it", it)
		}
		if item.Code != "" {
			c, err := staff.CheckerOf(fmt.Sprintf("%s:%d: items[%d].code", name, itemLine(i), i), item.Code)
			if err != nil {
				return nil, false, nil, fmt.Errorf("%w (make codes with: go run ./build codes)", err)
			}
			codes[it] = c
		}
		slugs[s] = it
		list = append(list, it)
	}
	if len(list) == 0 {
		return nil, false, nil, &FileError{File: name, Line: keyLine(&root, "items"), Msg: "items: the list of chi đoàn is empty (want lines such as - \"Chi đoàn Tổ dân phố 1\")"}
	}
	return list, doc.Sample, codes, nil
}
