package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"gopkg.in/yaml.v3"

	"loa/content"
	"loa/functions/vntext"
)

// Kind is one kind of official document (Decree 30/2020/NĐ-CP, Art. 7), as
// listed in content/data/loai-van-ban.yaml.
type Kind struct {
	Name    string // "Kế hoạch": in the register
	Heading string // "KẾ HOẠCH": as printed on the document
	Slug    string // "ke-hoach": its register page is /van-ban/ke-hoach/
}

// kindsFile is the list of kinds, in the content tree.
const kindsFile = "data/loai-van-ban.yaml"

// kindList is the kinds of kindsFile, in its order.
type kindList struct {
	kinds []Kind
	file  string // kindsFile as named in messages
	// missing is set when the content has no kindsFile: only an official
	// document needs it.
	missing bool
}

// loadKinds reads the kinds of the content tree; dir names it in messages.
func loadKinds(fsys fs.FS, dir string) (*kindList, error) {
	l := &kindList{file: path.Join(dir, kindsFile)}
	raw, err := fs.ReadFile(fsys, kindsFile)
	if errors.Is(err, fs.ErrNotExist) {
		l.missing = true
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.file, err)
	}
	var doc struct {
		Items []yaml.Node `yaml:"items"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, content.YAMLError(l.file, "danh sách loại văn bản", 0, err)
	}
	const want = `cần các dòng như - { name: "Kế hoạch", heading: "KẾ HOẠCH", slug: "ke-hoach" }`
	if len(doc.Items) == 0 {
		return nil, fmt.Errorf("%s: không có loại văn bản nào dưới \"items:\" (%s)", l.file, want)
	}
	seen := map[string]int{} // folded name, heading or slug → line
	var errs []error
	for _, n := range doc.Items {
		var raw struct{ Name, Heading, Slug string }
		if err := n.Decode(&raw); err != nil || n.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("%s:%d: mỗi loại văn bản gồm name, heading và slug (%s)", l.file, n.Line, want))
			continue
		}
		k := Kind{Name: vntext.Normalize(raw.Name), Heading: vntext.Normalize(raw.Heading), Slug: strings.TrimSpace(raw.Slug)}
		switch {
		case k.Name == "" || k.Heading == "" || k.Slug == "":
			errs = append(errs, fmt.Errorf("%s:%d: loại văn bản cần đủ name, heading và slug (%s)", l.file, n.Line, want))
			continue
		case vntext.Slug(k.Slug) != k.Slug || k.Slug == "trang" || strings.Trim(k.Slug, "0123456789") == "":
			errs = append(errs, fmt.Errorf("%s:%d: slug %q không dùng được làm địa chỉ trang của sổ văn bản (cần chữ thường không dấu, số và dấu \"-\", không chỉ có số, không phải \"trang\", ví dụ %q)",
				l.file, n.Line, k.Slug, vntext.Slug(k.Name)))
			continue
		}
		for _, key := range []string{kindKey(k.Name), kindKey(k.Heading), "slug " + k.Slug} {
			if prev, dup := seen[key]; dup && prev != n.Line {
				errs = append(errs, fmt.Errorf("%s:%d: %q trùng với loại văn bản ở dòng %d; mỗi loại chỉ ghi một lần", l.file, n.Line, strings.TrimPrefix(key, "slug "), prev))
			}
			seen[key] = n.Line
		}
		l.kinds = append(l.kinds, k)
	}
	return l, errors.Join(errs...)
}

// kindKey is how kinds are compared: NFC, case and runs of spaces ignored.
func kindKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(vntext.Normalize(s)), " "))
}

// find returns the kind named s, by its name or its heading.
func (l *kindList) find(s string) (Kind, bool) {
	f := kindKey(s)
	for _, k := range l.kinds {
		if kindKey(k.Name) == f || kindKey(k.Heading) == f {
			return k, true
		}
	}
	return Kind{}, false
}

func (l *kindList) names() string {
	names := make([]string, len(l.kinds))
	for i, k := range l.kinds {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// checkDocument resolves the kind of an official document and checks that
// it has what the register shows of it: kind, issuer and summary (its
// trích yếu). A blank number or a partly blank date are facts of the
// document and pass.
func (b *build) checkDocument(p *Page) error {
	d := p.Document
	var errs []error
	at := func(line int, format string, args ...any) {
		errs = append(errs, fileError(p.Source, &fieldError{line: line, msg: fmt.Sprintf(format, args...)}))
	}
	l := b.kinds
	switch {
	case d.kind == "" && l.missing:
		at(d.line, "phần đầu trang: văn bản cần \"document.kind\" (loại văn bản), mà danh sách loại văn bản %s chưa có", l.file)
	case d.kind == "":
		at(d.line, "phần đầu trang: văn bản cần \"document.kind\" (loại văn bản, một trong %s: %s)", l.file, l.names())
	case l.missing:
		at(d.kindLine, "phần đầu trang: \"document.kind\" là %q, mà danh sách loại văn bản %s chưa có (cần các dòng như - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\", slug: \"ke-hoach\" })", d.kind, l.file)
	default:
		k, ok := l.find(d.kind)
		if !ok {
			at(d.kindLine, "phần đầu trang: \"document.kind\" là %q, không có trong danh sách loại văn bản %s (cần một trong: %s; hoặc thêm loại này vào danh sách đó)", d.kind, l.file, l.names())
		}
		d.Kind = k
	}
	if len(d.Issuer) == 0 {
		at(d.line, "phần đầu trang: văn bản cần \"document.issuer\", cơ quan ban hành in ở góc trên bên trái (ví dụ issuer: \"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM\")")
	}
	if p.Summary == "" {
		at(d.line, "phần đầu trang: văn bản cần \"summary\", trích yếu hiện trong sổ văn bản /%s/ (ví dụ summary: \"Kế hoạch tổ chức ...\")", registerDir)
	}
	return errors.Join(errs...)
}
