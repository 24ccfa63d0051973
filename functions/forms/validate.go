package forms

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loa/functions/upload"
	"loa/functions/vntext"
)

// MaxBody bounds the body of a form without files: the longest honest
// answer (2,000 characters of question, a few names) is far below it.
const MaxBody = 64 << 10

// MaxUploadBody bounds the body of a form that takes files. On AWS the
// function receives a body in base64, 4/3 of its size, inside an event of
// at most 6 MB: 4 MB of body leaves room for the headers.
const MaxUploadBody = 4 << 20

// MaxFileSize bounds what a form's files may add up to (their maxSize in
// content): with the text fields and the parts' headers, they fit in
// MaxUploadBody.
const MaxFileSize = 3<<20 + 512<<10

// partOverhead is room for one file part's headers in a multipart body.
const partOverhead = 16 << 10

// Errors of DecodeBody. The handler answers the first two with 400 and the
// last with 415.
var (
	ErrMalformed       = errors.New("forms: malformed body")
	ErrInvalidUTF8     = errors.New("forms: body is not valid UTF-8")
	ErrUnsupportedType = errors.New("forms: unsupported content type")
)

// DecodeBody reads a submission sent as application/x-www-form-urlencoded
// (what a browser sends without JavaScript) or as a JSON object of strings
// (what the form script sends). A key given twice is malformed: no browser
// sends that for these forms, and picking one would be a guess.
func DecodeBody(contentType string, body []byte) (url.Values, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, ErrUnsupportedType
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, ErrUnsupportedType
	}
	if !utf8.Valid(body) {
		return nil, ErrInvalidUTF8
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, ErrMalformed
		}
		for k, vs := range vals {
			if len(vs) > 1 {
				return nil, fmt.Errorf("%w: %q given %d times", ErrMalformed, k, len(vs))
			}
			// Percent-escapes can still spell invalid UTF-8.
			if !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
				return nil, ErrInvalidUTF8
			}
		}
		return vals, nil
	case "application/json":
		return decodeJSON(body)
	}
	return nil, ErrUnsupportedType
}

// decodeJSON reads one JSON object whose values are all strings. It walks
// the tokens rather than decoding into a map, which would keep the last of
// a key given twice without a word: a repeated key is malformed here, as it
// is in a form-urlencoded body.
func decodeJSON(body []byte) (url.Values, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, ErrMalformed
	}
	vals := url.Values{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, ErrMalformed
		}
		k, ok := tok.(string)
		if !ok {
			return nil, ErrMalformed
		}
		if _, dup := vals[k]; dup {
			return nil, fmt.Errorf("%w: %q given twice", ErrMalformed, k)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, ErrMalformed
		}
		v, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %q is not text", ErrMalformed, k)
		}
		vals[k] = []string{v}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, ErrMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, ErrMalformed
	}
	return vals, nil
}

// DecodeRequest is DecodeBody that also reads multipart/form-data, what a
// browser sends for a form with a file: each part a text value or a file,
// the files returned by field name as their bytes (a file input left empty
// sends an empty part, which is no file). A part's file name on the
// sender's machine is never kept. A key given twice is malformed here too.
func DecodeRequest(contentType string, body []byte) (url.Values, map[string][]byte, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		vals, err := DecodeBody(contentType, body)
		return vals, nil, err
	}
	if params["boundary"] == "" {
		return nil, nil, ErrMalformed
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	vals, files := url.Values{}, map[string][]byte{}
	seen := map[string]bool{}
	for n := 0; ; n++ {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil || n >= maxParts {
			return nil, nil, ErrMalformed
		}
		_, disp, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		name := disp["name"]
		if err != nil || name == "" {
			return nil, nil, ErrMalformed
		}
		if seen[name] {
			return nil, nil, fmt.Errorf("%w: %q given twice", ErrMalformed, name)
		}
		seen[name] = true
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, nil, ErrMalformed
		}
		if _, isFile := disp["filename"]; isFile {
			if len(data) > 0 {
				files[name] = data
			}
			continue
		}
		if !utf8.Valid(data) || !utf8.ValidString(name) {
			return nil, nil, ErrInvalidUTF8
		}
		vals[name] = []string{string(data)}
	}
	return vals, files, nil
}

// maxParts bounds the parts of a multipart body: a form has a few dozen
// fields at most.
const maxParts = 100

// IsBot reports whether the hidden honeypot field was filled.
func IsBot(raw url.Values) bool {
	return strings.TrimSpace(raw.Get(HoneypotField)) != ""
}

// Submission is an accepted answer: every declared field, normalised, in the
// form it is stored (a ticked consent box holds the notice's version, a
// file field the name of its file, FileValue).
type Submission struct {
	Form   *Form
	Values map[string]string
	// Files are the files sent, cleaned (package upload), by field name.
	Files map[string]File
}

// File is a file of a submission as it is kept: cleaned, of a type read
// from its content.
type File struct {
	Type upload.Type
	Data []byte
}

// FileValue is what a row holds of a file: the start of the SHA-256 of the
// kept bytes and the type's extension, "3fa9c2e1b4d70a1c.jpg". Two
// different files are two different submissions; a resend of the same one
// is the same.
func FileValue(f File) string {
	sum := sha256.Sum256(f.Data)
	return hex.EncodeToString(sum[:8]) + "." + f.Type.Ext
}

// MaxBody is the most of a request body the form reads: MaxBody for a
// form without files, room for its files' maxSize and their parts' headers
// beside it for one with files.
func (f *Form) MaxBody() int64 {
	n := int64(MaxBody)
	for i := range f.Fields {
		if f.Fields[i].Kind == KindFile {
			n += f.Fields[i].MaxSize + partOverhead
		}
	}
	return n
}

// Multipart reports whether the form takes files, and so is sent as
// multipart/form-data.
func (f *Form) Multipart() bool { return f.FieldOfKind(KindFile) != nil }

// Group is the value of the field the quota is counted by, or "".
func (s *Submission) Group() string {
	if s.Form.QuotaBy == "" {
		return ""
	}
	return s.Values[s.Form.QuotaBy]
}

// Validate normalises raw and checks it against the declaration. It returns
// either a submission or the Vietnamese message of every wrong field, keyed
// by field name. now bounds the year of birth.
func (f *Form) Validate(raw url.Values, now time.Time) (*Submission, map[string]string) {
	return f.ValidateFiles(raw, nil, now)
}

// ValidateFiles is Validate for a form sent with files (DecodeRequest):
// each file field is checked against its file in files, by content, and
// a photo is cleaned of its metadata (package upload).
func (f *Form) ValidateFiles(raw url.Values, files map[string][]byte, now time.Time) (*Submission, map[string]string) {
	vals := make(map[string]string, len(f.Fields))
	errs := map[string]string{}
	var kept map[string]File
	for i := range f.Fields {
		fl := &f.Fields[i]
		if fl.Kind == KindFile {
			file, msg := fl.checkFile(files[fl.Name])
			if msg != "" {
				errs[fl.Name] = msg
			}
			if file != nil {
				if kept == nil {
					kept = map[string]File{}
				}
				kept[fl.Name] = *file
				vals[fl.Name] = FileValue(*file)
			} else {
				vals[fl.Name] = ""
			}
			continue
		}
		v, msg := fl.check(raw.Get(fl.Name), f, now)
		vals[fl.Name] = v
		if msg != "" {
			errs[fl.Name] = msg
		}
	}
	for _, a := range f.AnyOf {
		any := false
		for _, n := range a.Fields {
			if vals[n] != "" || errs[n] != "" {
				any = true
			}
		}
		if !any {
			errs[a.Fields[0]] = a.Message
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &Submission{Form: f, Values: vals, Files: kept}, nil
}

// checkFile returns the kept file of a file field, nil for none, and the
// message when it is wrong: too large, or not of a type the field accepts
// by what its bytes are, or a photo that cannot be read.
func (fl *Field) checkFile(data []byte) (*File, string) {
	if len(data) == 0 {
		if fl.Required {
			return nil, fl.Missing
		}
		return nil, ""
	}
	if int64(len(data)) > fl.MaxSize {
		return nil, fl.TooLarge
	}
	t, err := upload.Sniff(data)
	if err != nil || !slices.ContainsFunc(fl.Accept, func(a upload.Type) bool { return a.Name == t.Name }) {
		return nil, fl.Invalid
	}
	clean, err := upload.Clean(t, data)
	if err != nil {
		return nil, fl.Invalid
	}
	return &File{Type: t, Data: clean}, ""
}

// check returns the stored value of one field and the message when it is wrong.
func (fl *Field) check(raw string, f *Form, now time.Time) (string, string) {
	v := clean(raw, fl.Kind == KindTextArea)
	if v == "" {
		if fl.Required {
			return "", fl.Missing
		}
		return "", ""
	}
	if max := fl.maxLen(); max > 0 && utf8.RuneCountInString(v) > max {
		return "", or(fl.TooLong, fl.Invalid, fmt.Sprintf("%s chỉ được tối đa %d ký tự", fl.Label, max))
	}
	switch fl.Kind {
	case KindYear:
		lo, hi := now.In(vntext.Location).Year()-100, now.In(vntext.Location).Year()-5
		if len(v) != 4 || strings.Trim(v, "0123456789") != "" {
			return "", fl.Invalid
		}
		y := int(v[0]-'0')*1000 + int(v[1]-'0')*100 + int(v[2]-'0')*10 + int(v[3]-'0')
		if y < lo || y > hi {
			return "", fmt.Sprintf("Năm sinh phải từ %d đến %d", lo, hi)
		}
	case KindPhone:
		p, ok := NormalizePhone(v)
		if !ok {
			return "", fl.Invalid
		}
		v = p
	case KindEmail:
		e, ok := normalizeEmail(v)
		if !ok {
			return "", fl.Invalid
		}
		v = e
	case KindSelect, KindRadio:
		found := false
		for _, o := range fl.Options {
			if o == v {
				found = true
				break
			}
		}
		if !found {
			return "", or(fl.Invalid, "Chọn một mục trong danh sách")
		}
	case KindConsent:
		v = f.Consent.Version
	case KindPublish:
		v = f.PublishConsent.Version
	}
	return v, ""
}

func (fl *Field) maxLen() int {
	if fl.MaxLen > 0 {
		return fl.MaxLen
	}
	switch fl.Kind {
	case KindText:
		return 200
	case KindTextArea:
		return 2000
	case KindConsent, KindPublish:
		return 0
	}
	return 200
}

func or(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// CleanLine is s as a one-line field of a form keeps it (see clean): the
// rule for every name typed elsewhere too (a guest, a walk-in at the
// door), so that the same name is the same bytes wherever it was typed.
func CleanLine(s string) string { return clean(s, false) }

// clean keeps what a person meant: invalid bytes, control characters and
// invisible format characters go (see invisible), line breaks become LF (only multi-line fields keep them; elsewhere
// every run of white space is one space), then vntext.Normalize trims and
// composes to NFC.
func clean(s string, multiline bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), r == '\u2028', r == '\u2029', invisible(r):
			return -1
		}
		return r
	}, s)
	if !multiline {
		s = strings.Join(strings.Fields(s), " ")
	}
	s = vntext.Normalize(s)
	if multiline {
		// Trailing spaces on lines are invisible and would split duplicates.
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
		}
		s = vntext.Normalize(strings.Join(lines, "\n"))
	}
	return s
}

// invisible reports the format characters that change nothing a person
// reads but the bytes stored: bidirectional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F,
// U+061C), which can also make text display in another order than it is
// stored, and the zero-width characters (U+200B–U+200D, U+2060, U+FEFF),
// with which one answer could be sent twice as two "different" rows.
func invisible(r rune) bool {
	switch {
	case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069',
		r >= '\u200b' && r <= '\u200f', r == '\u2060', r == '\ufeff', r == '\u061c':
		return true
	}
	return false
}

// NormalizePhone accepts a Vietnamese phone number as people write it
// ("0912 345 678", "0912.345.678", "+84 912-345-678", "(+84) 912345678",
// "84912345678") and returns it as ten (mobile) or eleven (landline, 02…)
// digits starting with 0.
func NormalizePhone(s string) (string, bool) {
	var digits []byte
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '\u00a0':
		case r == '+' && len(digits) == 0 && !plus:
			plus = true
		default:
			return "", false
		}
	}
	d := string(digits)
	switch {
	case plus:
		if !strings.HasPrefix(d, "84") {
			return "", false
		}
		d = "0" + strings.TrimPrefix(d[2:], "0")
	case strings.HasPrefix(d, "84") && (len(d) == 11 || len(d) == 12 && d[2] == '2'):
		d = "0" + d[2:]
	}
	ok := len(d) == 10 && d[0] == '0' && strings.ContainsRune("35789", rune(d[1])) ||
		len(d) == 11 && strings.HasPrefix(d, "02")
	if !ok {
		return "", false
	}
	return d, true
}

func normalizeEmail(s string) (string, bool) {
	if strings.ContainsAny(s, " \t\n<>\"(),;:\\[]") {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], strings.ToLower(s[at+1:])
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") ||
		strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "", false
	}
	return local + "@" + domain, true
}
