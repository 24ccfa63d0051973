package builder

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"loa/functions/vntext"
)

// Page is what the builder knows of one content file once it is read. Only
// this metadata outlives the rendering of the page: lists, feeds and the
// sitemap are made from it, so memory stays flat as the site grows.
type Page struct {
	Source  string // file name for messages, e.g. "content/ke-hoach/a.md"
	Section string // first directory: "ke-hoach", "thong-bao", "bieu-mau"; "" at the root
	URL     string // site-relative, e.g. "/ke-hoach/a/"

	Title       string
	Summary     string
	Date        time.Time
	PublishDate time.Time
	ExpiryDate  time.Time
	Draft       bool
	Slug        string
	Tags        []string
	Aliases     []string
	Document    *Document
	FormID      string // form.id of a form page; the rest of form: belongs to the form definitions

	// Bundle is the page's own folder (slash-separated, in the content
	// tree) when the page is a bundle's index.md, else "".
	Bundle string
	// Attachments are the files published with the page: those listed in
	// front matter first, then those its Markdown links to.
	Attachments []Attachment

	// Image is the page's own image (front matter image:), for lists and
	// Open Graph; nil when it has none.
	Image *Image

	listed    []listedFile // "attachments:" of the front matter, resolved once the bundle is known
	imageFile string       // "image:" as written
	imageLine int

	aliasLines []int
}

// Document is the front matter of an official document (Decree 30/2020/NĐ-CP,
// Appendix I): its header block, its kind and trích yếu (the page's title),
// and its closing block.
type Document struct {
	// Kind is the kind of data/loai-van-ban.yaml that "kind:" names, by
	// its name or its heading ("Kế hoạch" or "KẾ HOẠCH"); it is resolved
	// once the page is read (checkDocument).
	Kind Kind
	// Issuer is the issuing body top left, one entry a printed line: the
	// body it answers to first ("UBND TỈNH PHÚ THỌ"), then its own name
	// ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG"). "issuer:" is one line or a list.
	Issuer []string
	// Motto is the line top right: the state's ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA
	// VIỆT NAM", the default), the Party's or the Youth Union's.
	Motto      Motto
	Number     string      // "   /KH-UBND": blanks are kept, to be filled in by hand
	Place      string      // "Bạch Sam"
	Issued     PartialDate // may lack day and month
	Effective  PartialDate // ngày hiệu lực: may lack day and month, or be blank
	Addressees []string    // "Kính gửi:", of a công văn or a tờ trình
	// Signature is the signature block above the name, a line each:
	// "TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
	// "(Đã ký)". The older keys onBehalf and signerTitle are its first
	// two lines.
	Signature  []string
	Signer     string
	Recipients []string
	// Scan is the file of the page's bundle that holds the signed and
	// stamped document, as scanned; "" until the ward has one.
	Scan string

	kind     string // "kind:" as written
	line     int    // of the "document:" key
	kindLine int
	scanLine int
}

// IssuerName is the issuing body on one line, as the register shows it.
func (d *Document) IssuerName() string { return strings.Join(d.Issuer, " – ") }

// IssuerUpper is the lines of the issuer above its own name.
func (d *Document) IssuerUpper() []string {
	if len(d.Issuer) < 2 {
		return nil
	}
	return d.Issuer[:len(d.Issuer)-1]
}

// IssuerOwn is the issuer's own name, its last line.
func (d *Document) IssuerOwn() string {
	if len(d.Issuer) == 0 {
		return ""
	}
	return d.Issuer[len(d.Issuer)-1]
}

// Motto is the line printed top right of a document, over its place and
// date. The zero Motto is the state's.
type Motto int

const (
	StateMotto Motto = iota // CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc
	PartyMotto              // ĐẢNG CỘNG SẢN VIỆT NAM (Hướng dẫn 36-HD/VPTW)
	YouthMotto              // ĐOÀN TNCS HỒ CHÍ MINH (the Youth Union's documents)
)

// mottoLines are the mottos as printed, in the order of the constants.
var mottoLines = [...]string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐOÀN TNCS HỒ CHÍ MINH"}

func (m Motto) String() string { return mottoLines[m] }

// State tells whether m is the state's motto, printed with "Độc lập - Tự
// do - Hạnh phúc" under it.
func (m Motto) State() bool { return m == StateMotto }

// ParseMotto reads a motto as written in front matter: the line as
// printed, in any case, with the old or new placement of tone marks
// ("HOÀ" or "HÒA"), or "TNCS" spelt out.
func ParseMotto(s string) (Motto, bool) {
	f := vntext.ClassicTones(strings.ToUpper(strings.Join(strings.Fields(vntext.Normalize(s)), " ")))
	f = strings.Replace(f, "THANH NIÊN CỘNG SẢN", "TNCS", 1)
	for i, l := range mottoLines {
		if f == vntext.ClassicTones(l) {
			return Motto(i), true
		}
	}
	return StateMotto, false
}

// PartialDate is an issue date of which the day, or day and month, may be
// left blank until the document is signed.
type PartialDate struct {
	Year, Month, Day int // zero when blank
}

// ISO returns the date as "2023", "2023-04" or "2023-04-05", all valid in <time datetime>.
func (d PartialDate) ISO() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Short writes the date as in tables: "05/04/2023", "Tháng 4/2023" or
// "Năm 2023"; "" when it is blank.
func (d PartialDate) Short() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return "Năm " + strconv.Itoa(d.Year)
	case d.Day == 0:
		return fmt.Sprintf("Tháng %d/%04d", d.Month, d.Year)
	}
	return fmt.Sprintf("%02d/%02d/%04d", d.Day, d.Month, d.Year)
}

// after reports whether d is later than e, a blank day or month counting
// as earlier than any.
func (d PartialDate) after(e PartialDate) bool {
	if d.Year != e.Year {
		return d.Year > e.Year
	}
	if d.Month != e.Month {
		return d.Month > e.Month
	}
	return d.Day > e.Day
}

// blank is what a missing day or month becomes: room to write it by hand.
const blank = "    "

// Long writes the date as on a document, "ngày 05 tháng 4 năm 2023", with
// blanks for what is missing: "ngày    tháng    năm 2023".
func (d PartialDate) Long() string {
	if d.Year == 0 {
		return "ngày" + blank + "tháng" + blank + "năm" + blank
	}
	day, month := blank, blank
	if d.Day != 0 {
		day = " " + vntext.Day(d.Day) + " "
	}
	if d.Month != 0 {
		month = " " + vntext.Month(d.Month) + " "
	}
	return "ngày" + day + "tháng" + month + "năm " + strconv.Itoa(d.Year)
}

// fieldError is an error about one line of a content file.
type fieldError struct {
	line int
	msg  string
}

func (e *fieldError) Error() string { return e.msg }

func errAt(n *yaml.Node, format string, args ...any) error {
	return &fieldError{line: n.Line, msg: fmt.Sprintf(format, args...)}
}

// decodeFrontMatter fills p from the YAML front matter root. Keys are
// decoded one by one from the node tree so that every error can name the
// line it is about; unknown keys are errors because a misspelt "expirydate"
// would otherwise silently publish what should have expired.
func decodeFrontMatter(root *yaml.Node, p *Page) error {
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return errAt(root, "phần đầu trang (front matter): cần các dòng dạng khóa: giá trị, ví dụ title: \"...\"")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var err error
		switch k.Value {
		case "title":
			p.Title, err = str(k.Value, v)
		case "summary":
			p.Summary, err = str(k.Value, v)
		case "slug":
			p.Slug, err = str(k.Value, v)
		case "date":
			p.Date, err = date(k.Value, v)
		case "publishDate":
			p.PublishDate, err = date(k.Value, v)
		case "expiryDate":
			p.ExpiryDate, err = date(k.Value, v)
		case "draft":
			p.Draft, err = boolean(k.Value, v)
		case "tags":
			p.Tags, err = strs(k.Value, v)
		case "aliases":
			p.Aliases, err = strs(k.Value, v)
			for _, a := range v.Content {
				p.aliasLines = append(p.aliasLines, a.Line)
			}
		case "document":
			p.Document, err = document(v)
			if err == nil {
				p.Document.line = k.Line
			}
		case "form":
			p.FormID, err = formID(v)
		case "attachments":
			p.listed, err = attachments(v)
		case "image":
			p.imageFile, err = str(k.Value, v)
			p.imageLine = v.Line
		default:
			err = errAt(k, "phần đầu trang: không có khóa %q (các khóa dùng được: title, date, draft, publishDate, expiryDate, slug, summary, tags, aliases, document, form, attachments, image)", k.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func str(key string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", errAt(v, "phần đầu trang: %q phải là một dòng chữ", key)
	}
	if v.Tag == "!!null" {
		return "", nil
	}
	return vntext.Normalize(v.Value), nil
}

func strs(key string, v *yaml.Node) ([]string, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errAt(v, "phần đầu trang: %q phải là một danh sách (dạng [a, b] hoặc các dòng bắt đầu bằng -)", key)
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		s, err := str(key, item)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func boolean(key string, v *yaml.Node) (bool, error) {
	if v.Kind == yaml.ScalarNode {
		switch v.Value {
		case "true":
			return true, nil
		case "false", "":
			return false, nil
		}
	}
	return false, errAt(v, "phần đầu trang: %q phải là true (có) hoặc false (không)", key)
}

// dateLayouts are the forms a date may take; a date without a zone is a
// date in Vietnam.
var dateLayouts = []string{
	"2006-01-02",
	time.RFC3339,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
}

func date(key string, v *yaml.Node) (time.Time, error) {
	if v.Kind == yaml.ScalarNode {
		if v.Tag == "!!null" {
			return time.Time{}, nil
		}
		s := strings.TrimSpace(v.Value)
		for _, layout := range dateLayouts {
			if t, err := time.ParseInLocation(layout, s, vntext.Location); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, errAt(v, "phần đầu trang: %q không phải ngày (cần dạng năm-tháng-ngày, ví dụ 2023-04-20)", key)
}

const documentKeys = "kind, issuer, motto, number, place, issued, effective, addressees, signature, signer, recipients, scan"

func document(v *yaml.Node) (*Document, error) {
	if v.Kind != yaml.MappingNode {
		return nil, errAt(v, "phần đầu trang: \"document\" cần các khóa %s", documentKeys)
	}
	d := &Document{}
	var onBehalf, signerTitle string
	var oldSig, newSig *yaml.Node
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		key := "document." + k.Value
		var err error
		switch k.Value {
		case "kind":
			d.kind, err = str(key, val)
			d.kindLine = val.Line
		case "issuer":
			d.Issuer, err = lines(key, val)
		case "motto":
			var m string
			if m, err = str(key, val); err == nil && m != "" {
				var ok bool
				if d.Motto, ok = ParseMotto(m); !ok {
					err = errAt(val, "phần đầu trang: %q là %q, không phải quốc hiệu hay tiêu đề văn bản đã biết (cần một trong: %s; bỏ trống là quốc hiệu)", key, m, strings.Join(mottoLines[:], ", "))
				}
			}
		case "number":
			// Not normalised: the leading blanks are where the number is written by hand.
			if val.Kind != yaml.ScalarNode {
				err = errAt(val, "phần đầu trang: %q phải là một dòng chữ", key)
			} else {
				d.Number = val.Value
			}
		case "place":
			d.Place, err = str(key, val)
		case "issued":
			d.Issued, err = partialDate(key, val)
		case "effective":
			d.Effective, err = partialDate(key, val)
		case "addressees":
			d.Addressees, err = lines(key, val)
		case "signature":
			d.Signature, err = lines(key, val)
			newSig = k
		case "onBehalf":
			onBehalf, err = str(key, val)
			oldSig = k
		case "signerTitle":
			signerTitle, err = str(key, val)
			oldSig = k
		case "signer":
			d.Signer, err = str(key, val)
		case "recipients":
			d.Recipients, err = strs(key, val)
		case "scan":
			d.Scan, err = str(key, val)
			d.scanLine = val.Line
		default:
			err = errAt(k, "phần đầu trang: không có khóa %q (các khóa của document: %s)", key, documentKeys)
		}
		if err != nil {
			return nil, err
		}
	}
	if oldSig != nil && newSig != nil {
		return nil, errAt(oldSig, "phần đầu trang: \"document.%s\" và \"document.signature\" cùng ghi phần chữ ký; chỉ dùng signature, mỗi dòng một mục (ví dụ signature: [\"TM. ỦY BAN NHÂN DÂN\", \"CHỦ TỊCH\"])", oldSig.Value)
	}
	for _, l := range []string{onBehalf, signerTitle} {
		if l != "" {
			d.Signature = append(d.Signature, l)
		}
	}
	return d, nil
}

// lines reads a field printed over one or more lines: one line of text, or
// a list of them. Empty lines are dropped.
func lines(key string, v *yaml.Node) ([]string, error) {
	var out []string
	if v.Kind == yaml.ScalarNode {
		s, err := str(key, v)
		if s != "" {
			out = []string{s}
		}
		return out, err
	}
	all, err := strs(key, v)
	for _, s := range all {
		if s != "" {
			out = append(out, s)
		}
	}
	return out, err
}

func partialDate(key string, v *yaml.Node) (PartialDate, error) {
	bad := errAt(v, "phần đầu trang: %q không phải ngày (cần dạng 2023, 2023-04 hoặc 2023-04-05)", key)
	if v.Kind != yaml.ScalarNode {
		return PartialDate{}, bad
	}
	s := strings.TrimSpace(v.Value)
	if v.Tag == "!!null" || s == "" {
		return PartialDate{}, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		d := PartialDate{Year: t.Year()}
		if len(layout) >= 7 {
			d.Month = int(t.Month())
		}
		if len(layout) == 10 {
			d.Day = t.Day()
		}
		return d, nil
	}
	return PartialDate{}, bad
}

func formID(v *yaml.Node) (string, error) {
	if v.Kind != yaml.MappingNode {
		return "", errAt(v, "phần đầu trang: \"form\" cần các thiết lập của biểu mẫu (id, opens, closes, ...)")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "id" {
			id, err := str("form.id", v.Content[i+1])
			if err == nil && id == "" {
				err = errAt(v.Content[i+1], "phần đầu trang: \"form.id\" để trống")
			}
			return id, err
		}
	}
	return "", errAt(v, "phần đầu trang: \"form\" thiếu \"id\"")
}

// listedFile is one entry of "attachments:", as written.
type listedFile struct {
	file, title string
	line        int
}

func attachments(v *yaml.Node) ([]listedFile, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, errAt(v, "phần đầu trang: \"attachments\" phải là một danh sách (các dòng như - { file: ke-hoach.pdf, title: \"Bản có chữ ký\" })")
	}
	var out []listedFile
	for _, item := range v.Content {
		var lf listedFile
		lf.line = item.Line
		switch item.Kind {
		case yaml.ScalarNode:
			lf.file = item.Value
		case yaml.MappingNode:
			for i := 0; i+1 < len(item.Content); i += 2 {
				k, val := item.Content[i], item.Content[i+1]
				var err error
				switch k.Value {
				case "file":
					lf.file, err = str("attachments.file", val)
				case "title":
					lf.title, err = str("attachments.title", val)
				default:
					err = errAt(k, "phần đầu trang: tệp đính kèm không có khóa %q (dùng được: file, title)", k.Value)
				}
				if err != nil {
					return nil, err
				}
			}
		default:
			return nil, errAt(item, "phần đầu trang: mỗi tệp đính kèm là một tên tệp, hoặc { file: …, title: … }")
		}
		if strings.TrimSpace(lf.file) == "" {
			return nil, errAt(item, "phần đầu trang: tệp đính kèm thiếu \"file\"")
		}
		out = append(out, lf)
	}
	return out, nil
}
