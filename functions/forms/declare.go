package forms

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"loa/functions/upload"
	"loa/functions/vntext"
)

// Kind says how a field is shown, checked and normalised. Kinds are the part
// of a form that Go owns: content names a field's kind, and the kind brings
// its control, its checks and its normal form.
type Kind int

const (
	KindText     Kind = iota // one line of text; runs of white space become one space
	KindTextArea             // several lines; CR LF becomes LF
	KindYear                 // a year of birth: four digits in a sane range
	KindPhone                // a Vietnamese phone number, stored as 0xxxxxxxxx
	KindEmail                // an e-mail address, domain lowercased
	KindSelect               // one value from Options, shown as a drop-down list
	KindRadio                // one value from Options, shown as radio buttons
	KindConsent              // an unticked box; the row stores the notice's version
	KindCode                 // a registration code (codes.go): checked, never stored
	// KindPublish is a second, optional unticked box with its own purpose:
	// publishing the question and its answer on /hoi-dap/ (Law 91/2025:
	// consent per purpose). The row stores the publishing notice's version
	// (the form's "publishConsent" in content), or "" when it is not ticked.
	KindPublish
	// KindFile is an optional or required photo or document (package
	// upload): checked by its content against Accept and MaxSize, a photo
	// stripped of its metadata, and kept as its own object beside the row,
	// which holds its name (FileValue).
	KindFile
)

// kindNames are the kinds as content spells them, in the order messages
// list them.
var kindNames = []struct {
	name string
	kind Kind
}{
	{"text", KindText}, {"textarea", KindTextArea}, {"year", KindYear}, {"phone", KindPhone},
	{"email", KindEmail}, {"select", KindSelect}, {"radio", KindRadio}, {"consent", KindConsent},
	{"publish", KindPublish}, {"code", KindCode}, {"file", KindFile},
}

// String is the kind's name in content.
func (k Kind) String() string {
	for _, kn := range kindNames {
		if kn.kind == k {
			return kn.name
		}
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Source says where a field's options come from when they are event settings
// that staff change elsewhere in content rather than in the field itself.
type Source int

const (
	SourceStatic  Source = iota // Field.Options as declared
	SourceChiDoan               // data/chi-doan.yaml ("source: chi-doan")
	SourceTopics                // the form's "topics" ("source: topics")
)

var sourceNames = map[string]Source{"chi-doan": SourceChiDoan, "topics": SourceTopics}

// Other is the option added at the end of a list when Field.Other is set.
const Other = "Khác"

// Field is one question of a form, as its content file declares it. The
// same value drives the HTML control, the server's validation and the CSV
// column.
type Field struct {
	Name         string // form key, ASCII, e.g. "ho_ten"
	Label        string // Vietnamese label; also the CSV header unless Column is set
	Column       string // CSV header when it differs from Label (no commas: gocsv splits tags on them)
	Hint         string
	Kind         Kind
	Required     bool
	MaxLen       int    // in characters, after normalisation; 0 means the kind's default
	Autocomplete string // HTML autocomplete token
	InputMode    string // HTML inputmode
	Source       Source
	Options      []string // for SourceStatic
	Other        bool     // append "Khác" to the options

	// A file (KindFile): the types it may be, by content, and its
	// largest size in bytes.
	Accept  []upload.Type
	MaxSize int64

	// Messages, GOV.UK style: say what to do, not what went wrong.
	Missing  string // when a required field is empty
	Invalid  string // when the value has the wrong shape or is not an option (a file: not of an accepted type)
	TooLong  string // when the value is longer than MaxLen
	TooLarge string // when a file is larger than MaxSize
}

// AnyOf requires at least one of several fields, e.g. a phone number or an
// e-mail address. The message is shown on the first of them.
type AnyOf struct {
	Fields  []string
	Message string
}

// declaration is what a form's content file says about its questions: the
// fields in order and the rules between them.
type declaration struct {
	Fields  []Field
	AnyOf   []AnyOf
	QuotaBy string // the field whose value groups the quota (dai-bieu: chi_doan)
	Action  string // verb for the submit button and messages, e.g. "gửi câu hỏi"
	// CodePrefix starts the receipt code of every accepted submission
	// (receipt.go): "CH" for questions, "DB" for delegates.
	CodePrefix string
	// Question names the field staff answer (cau-hoi: noi_dung); "" for a
	// form that is not answered (dai-bieu).
	Question string
	// code is the registration code's input (kind: code), apart from
	// Fields because it is never stored; nil when the form asks for none.
	code *Field
}

// MaxFieldLen bounds a field's declared maxLength. A Vietnamese letter
// with its marks is up to 9 bytes once form-urlencoded (three UTF-8 bytes,
// each %XX), so 5,000 of them (45 KB) still fit in MaxBody beside a few
// names; a page promising more would answer 413 to a person who typed
// within it.
const MaxFieldLen = 5000

// HoneypotField is a text box hidden from people. Bots fill it; a submission
// with a value in it is answered as a success and stored nowhere.
const HoneypotField = "trang_web"

// Keys of a form's declaration in its "form:" block, beside the settings
// that forms.go reads (id, opens, closes, topics, quota, thanks, consent,
// publishConsent).
var (
	declKeys  = []string{"action", "codePrefix", "answered", "quotaBy", "anyOf", "fields"}
	fieldKeys = []string{"name", "label", "column", "kind", "required", "maxLength", "hint", "autocomplete",
		"inputmode", "options", "source", "other", "accept", "maxSize", "missing", "invalid", "tooLong", "tooLarge"}
)

// declError is a mistake in a declaration at a node of the front matter.
type declError struct {
	node *yaml.Node
	msg  string
}

func (e *declError) Error() string { return e.msg }

func errAt(n *yaml.Node, format string, args ...any) error {
	return &declError{node: n, msg: fmt.Sprintf(format, args...)}
}

// parseDeclaration reads the declaration of the "form:" block n, whose key
// is the node key. Errors name the key path from "form." and carry the node
// they are about (declError), which the caller turns into a file and line.
func parseDeclaration(key, n *yaml.Node) (declaration, error) {
	var d declaration
	var fieldsNode, anyOfNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "action":
			err = scalar(v, "form.action", &d.Action)
		case "codePrefix":
			err = scalar(v, "form.codePrefix", &d.CodePrefix)
		case "answered":
			err = scalar(v, "form.answered", &d.Question)
		case "quotaBy":
			err = scalar(v, "form.quotaBy", &d.QuotaBy)
		case "fields":
			fieldsNode = v
		case "anyOf":
			anyOfNode = v
		case "id", "opens", "closes", "topics", "quota", "thanks", "consent", "publishConsent":
		default:
			err = errAt(k, "form.%s: không có khóa này trong khai báo biểu mẫu (các khóa dùng được: id, opens, closes, topics, quota, thanks, consent, publishConsent, %s)",
				k.Value, strings.Join(declKeys, ", "))
		}
		if err != nil {
			return d, err
		}
	}
	if d.Action == "" {
		return d, errAt(key, "form.action: thiếu động từ của nút gửi (ví dụ action: \"gửi câu hỏi\")")
	}
	if fieldsNode == nil || fieldsNode.Kind != yaml.SequenceNode || len(fieldsNode.Content) == 0 {
		at := key
		if fieldsNode != nil {
			at = fieldsNode
		}
		return d, errAt(at, "form.fields: thiếu danh sách các trường của biểu mẫu (mỗi trường một mục \"- name: ...\" với label và kind)")
	}
	seen := map[string]*yaml.Node{}
	columns := map[string]bool{ColumnID: true, ColumnTime: true}
	for _, c := range AnswerColumns {
		columns[c] = true
	}
	for _, c := range AttendanceColumns {
		columns[c] = true
	}
	var consents, publishes int
	for i, fn := range fieldsNode.Content {
		fl, err := parseField(fn, i)
		if err != nil {
			return d, err
		}
		where := "form.fields." + fl.Name
		if seen[fl.Name] != nil || fl.Name == HoneypotField {
			return d, errAt(fn, "%s: tên %q đã dùng cho một trường khác hoặc là tên dành riêng; mỗi trường một tên riêng", where, fl.Name)
		}
		seen[fl.Name] = fn
		switch fl.Kind {
		case KindCode:
			if d.code != nil {
				return d, errAt(fn, "%s: biểu mẫu chỉ có một ô mã đăng ký (kind: code)", where)
			}
			if fl.Missing == "" || fl.Invalid == "" {
				return d, errAt(fn, "%s: ô mã đăng ký cần cả missing (khi bỏ trống) và invalid (khi mã sai)", where)
			}
			code := fl
			d.code = &code
			continue // never stored: no column, no place in the hash
		case KindConsent:
			consents++
		case KindPublish:
			publishes++
		}
		col := fl.ColumnName()
		if strings.ContainsAny(col, ",\"\n") {
			return d, errAt(fn, "%s: tên cột %q có dấu phẩy hoặc ngoặc kép, mà tên cột của tệp CSV không được có; hãy đặt column, một tên ngắn không có các dấu ấy", where, col)
		}
		if columns[col] {
			return d, errAt(fn, "%s: cột %q trùng với một cột khác của tệp CSV; hãy đặt column khác", where, col)
		}
		columns[col] = true
		d.Fields = append(d.Fields, fl)
	}
	var fileSizes int64
	for _, fl := range d.Fields {
		if fl.Kind == KindFile {
			fileSizes += fl.MaxSize
		}
	}
	if fileSizes > MaxFileSize {
		return d, errAt(fieldsNode, "form.fields: các ô gửi tệp cộng lại tối đa %s (maxSize), đang là %s: cả tệp và nội dung biểu mẫu phải gửi được trong một lần tới máy chủ", SizeText(MaxFileSize), SizeText(fileSizes))
	}
	if consents != 1 {
		return d, errAt(fieldsNode, "form.fields: cần đúng một ô đồng ý xử lý dữ liệu cá nhân (kind: consent), đang có %d", consents)
	}
	if publishes > 1 {
		return d, errAt(fieldsNode, "form.fields: chỉ được một ô đồng ý công bố (kind: publish), đang có %d", publishes)
	}
	if anyOfNode != nil {
		if anyOfNode.Kind != yaml.SequenceNode {
			return d, errAt(anyOfNode, "form.anyOf: cần danh sách, mỗi mục có fields và message")
		}
		for _, an := range anyOfNode.Content {
			a, err := parseAnyOf(an, seen)
			if err != nil {
				return d, err
			}
			d.AnyOf = append(d.AnyOf, a)
		}
	}
	named := func(setting, name string, ok func(*Field) bool, want string) error {
		if name == "" {
			return nil
		}
		fl := d.field(name)
		if fl == nil || !ok(fl) {
			return errAt(keyNode(n, setting), "form.%s: %q không phải tên một trường %s của biểu mẫu", setting, name, want)
		}
		return nil
	}
	if err := named("quotaBy", d.QuotaBy, func(fl *Field) bool { return fl.Kind == KindSelect || fl.Kind == KindRadio }, "chọn trong danh sách (select hoặc radio)"); err != nil {
		return d, err
	}
	if err := named("answered", d.Question, func(fl *Field) bool { return fl.Kind == KindText || fl.Kind == KindTextArea }, "văn bản (text hoặc textarea)"); err != nil {
		return d, err
	}
	if d.CodePrefix != "" && !validCodePrefix(d.CodePrefix) {
		return d, errAt(keyNode(n, "codePrefix"), "form.codePrefix: %q phải là hai chữ in hoa không dấu, ví dụ CH", d.CodePrefix)
	}
	if d.code != nil {
		q := d.field(d.QuotaBy)
		if q == nil || q.Source != SourceChiDoan {
			return d, errAt(seen[d.code.Name], "form.fields.%s: ô mã đăng ký chỉ dùng cho biểu mẫu chia suất theo chi đoàn (quotaBy một trường source: chi-doan)", d.code.Name)
		}
	}
	return d, nil
}

func (d *declaration) field(name string) *Field {
	for i := range d.Fields {
		if d.Fields[i].Name == name {
			return &d.Fields[i]
		}
	}
	return nil
}

// keyNode returns the key node named key of the mapping n, or n.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return n
}

// parseField reads the i-th entry of form.fields.
func parseField(n *yaml.Node, i int) (Field, error) {
	var fl Field
	where := fmt.Sprintf("form.fields[%d]", i)
	if n.Kind != yaml.MappingNode {
		return fl, errAt(n, "%s: mỗi trường là một nhóm khóa (name, label, kind, ...), bắt đầu bằng \"- name: \"", where)
	}
	if name := keyNode(n, "name"); name != n {
		fl.Name = n.Content[slices.Index(n.Content, name)+1].Value
		where = "form.fields." + fl.Name
	}
	kind, source := "", ""
	var kindNode, sourceNode, optionsNode, otherNode, acceptNode, sizeNode *yaml.Node
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		at := where + "." + k.Value
		var err error
		switch k.Value {
		case "name":
			err = scalar(v, at, &fl.Name)
		case "label":
			err = scalar(v, at, &fl.Label)
		case "column":
			err = scalar(v, at, &fl.Column)
		case "kind":
			kindNode, err = v, scalar(v, at, &kind)
		case "required":
			err = boolean(v, at, &fl.Required)
		case "maxLength":
			err = number(v, at, &fl.MaxLen)
		case "hint":
			err = scalar(v, at, &fl.Hint)
		case "autocomplete":
			err = scalar(v, at, &fl.Autocomplete)
		case "inputmode":
			err = scalar(v, at, &fl.InputMode)
		case "options":
			optionsNode = v
			if v.Kind != yaml.SequenceNode {
				err = errAt(v, "%s: cần danh sách các lựa chọn, ví dụ [\"Nam\", \"Nữ\"]", at)
				break
			}
			for _, o := range v.Content {
				var s string
				if err = scalar(o, at, &s); err != nil {
					break
				}
				if s = strings.TrimSpace(s); s == "" || slices.Contains(fl.Options, s) {
					err = errAt(o, "%s: lựa chọn %q để trống hoặc lặp lại", at, s)
					break
				}
				fl.Options = append(fl.Options, s)
			}
		case "source":
			sourceNode, err = v, scalar(v, at, &source)
		case "other":
			otherNode, err = v, boolean(v, at, &fl.Other)
		case "missing":
			err = scalar(v, at, &fl.Missing)
		case "invalid":
			err = scalar(v, at, &fl.Invalid)
		case "tooLong":
			err = scalar(v, at, &fl.TooLong)
		case "tooLarge":
			err = scalar(v, at, &fl.TooLarge)
		case "accept":
			acceptNode = v
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				err = errAt(v, "%s: cần danh sách các loại tệp, ví dụ [jpeg, png, pdf, docx]", at)
				break
			}
			for _, o := range v.Content {
				t, ok := upload.TypeNamed(o.Value)
				if !ok {
					err = errAt(o, "%s: %q không phải loại tệp nhận được; các loại: %s", at, o.Value, typeList())
					break
				}
				fl.Accept = append(fl.Accept, t)
			}
		case "maxSize":
			sizeNode = v
			var size string
			if err = scalar(v, at, &size); err == nil {
				if fl.MaxSize, err = parseSize(size); err != nil {
					err = errAt(v, "%s: %q không phải dung lượng; viết ví dụ \"3 MB\" hoặc \"500 KB\"", at, size)
				}
			}
		default:
			err = errAt(k, "%s: không có khóa này trong một trường (các khóa dùng được: %s)", at, strings.Join(fieldKeys, ", "))
		}
		if err != nil {
			return fl, err
		}
	}
	if !validName(fl.Name) {
		return fl, errAt(n, "%s: name %q phải có chữ thường không dấu, chữ số hoặc dấu _, ví dụ ho_ten", where, fl.Name)
	}
	if fl.Label == "" {
		return fl, errAt(n, "%s: thiếu label, tên trường người gửi đọc (ví dụ label: \"Họ và tên\")", where)
	}
	k, ok := kindByName(kind)
	if !ok {
		at := n
		if kindNode != nil {
			at = kindNode
		}
		return fl, errAt(at, "%s.kind: %q không phải loại trường; các loại: %s", where, kind, kindList())
	}
	fl.Kind = k
	if source != "" {
		s, ok := sourceNames[source]
		if !ok {
			return fl, errAt(sourceNode, "%s.source: %q không phải nguồn lựa chọn; các nguồn: chi-doan (data/chi-doan.yaml), topics (form.topics)", where, source)
		}
		fl.Source = s
	}
	choice := k == KindSelect || k == KindRadio
	switch {
	case choice && fl.Source == SourceStatic && len(fl.Options) == 0:
		return fl, errAt(n, "%s: trường chọn (%s) cần options (các lựa chọn) hoặc source", where, k)
	case choice && fl.Source != SourceStatic && len(fl.Options) > 0:
		return fl, errAt(optionsNode, "%s: có source thì không ghi options; các lựa chọn lấy từ nguồn", where)
	case !choice && (optionsNode != nil || sourceNode != nil || otherNode != nil):
		at := optionsNode
		if at == nil {
			at = sourceNode
		}
		if at == nil {
			at = otherNode
		}
		return fl, errAt(at, "%s: options, source và other chỉ dùng cho trường chọn (select, radio)", where)
	}
	if fl.Required && fl.Missing == "" {
		return fl, errAt(n, "%s: trường bắt buộc cần missing, lời nhắc khi bỏ trống (ví dụ missing: \"Nhập họ và tên\")", where)
	}
	if (k == KindConsent || k == KindCode) && !fl.Required {
		return fl, errAt(n, "%s: ô loại %s luôn bắt buộc: cần required: true", where, k)
	}
	if k == KindPublish && fl.Required {
		return fl, errAt(n, "%s: ô đồng ý công bố không được bắt buộc (đồng ý cho từng mục đích, tự nguyện)", where)
	}
	switch {
	case k == KindFile && (acceptNode == nil || sizeNode == nil):
		return fl, errAt(n, "%s: ô gửi tệp cần accept (các loại tệp, ví dụ [jpeg, png, pdf]) và maxSize (dung lượng tối đa, ví dụ \"3 MB\")", where)
	case k == KindFile && (fl.Invalid == "" || fl.TooLarge == ""):
		return fl, errAt(n, "%s: ô gửi tệp cần invalid (khi tệp không đúng loại) và tooLarge (khi tệp quá lớn)", where)
	case k == KindFile && fl.MaxSize > MaxFileSize:
		return fl, errAt(sizeNode, "%s.maxSize: tối đa %s: cả tệp và nội dung biểu mẫu phải gửi được trong một lần tới máy chủ", where, SizeText(MaxFileSize))
	case k != KindFile && (acceptNode != nil || sizeNode != nil):
		at := acceptNode
		if at == nil {
			at = sizeNode
		}
		return fl, errAt(at, "%s: accept và maxSize chỉ dùng cho ô gửi tệp (kind: file)", where)
	}
	if fl.MaxLen < 0 {
		return fl, errAt(keyNode(n, "maxLength"), "%s.maxLength: %d phải là số ký tự tối đa, lớn hơn 0", where, fl.MaxLen)
	}
	if fl.MaxLen > MaxFieldLen {
		return fl, errAt(keyNode(n, "maxLength"), "%s.maxLength: %d quá dài: tối đa %d ký tự, để câu trả lời dài nhất vẫn gửi được trong %s",
			where, fl.MaxLen, MaxFieldLen, SizeText(MaxBody))
	}
	return fl, nil
}

func parseAnyOf(n *yaml.Node, seen map[string]*yaml.Node) (AnyOf, error) {
	var a AnyOf
	if n.Kind != yaml.MappingNode {
		return a, errAt(n, "form.anyOf: mỗi mục cần fields (các trường, ít nhất một trường được nhập) và message")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "fields":
			if v.Kind != yaml.SequenceNode || len(v.Content) < 2 {
				return a, errAt(v, "form.anyOf.fields: cần danh sách từ hai trường, ví dụ [dien_thoai, email]")
			}
			for _, fn := range v.Content {
				if seen[fn.Value] == nil {
					return a, errAt(fn, "form.anyOf.fields: %q không phải tên một trường của biểu mẫu", fn.Value)
				}
				a.Fields = append(a.Fields, fn.Value)
			}
		case "message":
			if err := scalar(v, "form.anyOf.message", &a.Message); err != nil {
				return a, err
			}
		default:
			return a, errAt(k, "form.anyOf.%s: không có khóa này (các khóa dùng được: fields, message)", k.Value)
		}
	}
	if len(a.Fields) == 0 || a.Message == "" {
		return a, errAt(n, "form.anyOf: mỗi mục cần fields và message (lời nhắc khi không trường nào được nhập)")
	}
	return a, nil
}

func typeList() string {
	names := make([]string, len(upload.Types))
	for i, t := range upload.Types {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// parseSize reads a size as content writes it: "3 MB", "500 KB", "3MB",
// or a number of bytes. A kilobyte is 1,024 bytes, as file managers count.
func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	unit := int64(1)
	switch {
	case strings.HasSuffix(s, "MB"):
		unit, s = 1<<20, strings.TrimSuffix(s, "MB")
	case strings.HasSuffix(s, "KB"):
		unit, s = 1<<10, strings.TrimSuffix(s, "KB")
	}
	n, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || n <= 0 {
		return 0, errors.New("not a size")
	}
	return int64(n * float64(unit)), nil
}

// SizeText writes a size as people read it in Vietnamese: "3 MB", "1,5 MB",
// "500 KB".
func SizeText(n int64) string {
	if n >= 1<<20 {
		return strings.ReplaceAll(strconv.FormatFloat(float64(n)/(1<<20), 'f', -1, 64), ".", ",") + " MB"
	}
	return strconv.FormatInt((n+1023)>>10, 10) + " KB"
}

func kindByName(s string) (Kind, bool) {
	for _, kn := range kindNames {
		if kn.name == s {
			return kn.kind, true
		}
	}
	return 0, false
}

func kindList() string {
	names := make([]string, len(kindNames))
	for i, kn := range kindNames {
		names[i] = kn.name
	}
	return strings.Join(names, ", ")
}

// validName: a form key that needs no escaping anywhere it goes (HTML ids,
// JSON, URLs).
func validName(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == "" && s[0] >= 'a' && s[0] <= 'z'
}

// scalar reads a text value, NFC-normalised and trimmed.
func scalar(v *yaml.Node, at string, dst *string) error {
	if v.Kind != yaml.ScalarNode {
		return errAt(v, "%s: cần một giá trị văn bản, không phải danh sách hay nhóm khóa", at)
	}
	*dst = vntext.Normalize(v.Value)
	return nil
}

func boolean(v *yaml.Node, at string, dst *bool) error {
	if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
		return errAt(v, "%s: %q phải là true hoặc false", at, v.Value)
	}
	return nil
}

func number(v *yaml.Node, at string, dst *int) error {
	if v.Kind != yaml.ScalarNode || v.Decode(dst) != nil {
		return errAt(v, "%s: %q phải là một số nguyên, ví dụ 100", at, v.Value)
	}
	return nil
}
