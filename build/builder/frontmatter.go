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

// Document is the front matter of an official document (Decree 30/2020/NĐ-CP).
type Document struct {
	Kind        string      // "KẾ HOẠCH", "THÔNG BÁO", ...
	Issuer      string      // the issuing body, top left
	Number      string      // "   /KH-UBND": blanks are kept, to be filled in by hand
	Place       string      // "Bạch Sam"
	Issued      PartialDate // may lack day and month
	OnBehalf    string      // "TM. ỦY BAN NHÂN DÂN"
	SignerTitle string      // "CHỦ TỊCH"
	Signer      string
	Recipients  []string
	// Scan is the file of the page's bundle that holds the signed and
	// stamped document, as scanned; "" until the ward has one.
	Scan string

	scanLine int
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
		return errAt(root, "front matter: want key: value pairs")
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
		case "form":
			p.FormID, err = formID(v)
		case "attachments":
			p.listed, err = attachments(v)
		case "image":
			p.imageFile, err = str(k.Value, v)
			p.imageLine = v.Line
		default:
			err = errAt(k, "front matter: unknown key %q (known: title, date, draft, publishDate, expiryDate, slug, summary, tags, aliases, document, form, attachments, image)", k.Value)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func str(key string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", errAt(v, "front matter: %q is not text", key)
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
		return nil, errAt(v, "front matter: %q is not a list (want [a, b] or lines starting with -)", key)
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
	return false, errAt(v, "front matter: %q is not true or false", key)
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
	return time.Time{}, errAt(v, "front matter: %q is not a date (want 2023-04-20)", key)
}

func document(v *yaml.Node) (*Document, error) {
	if v.Kind != yaml.MappingNode {
		return nil, errAt(v, "front matter: \"document\" wants keys kind, issuer, number, place, issued, onBehalf, signerTitle, signer, recipients, scan")
	}
	d := &Document{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		key := "document." + k.Value
		var err error
		switch k.Value {
		case "kind":
			d.Kind, err = str(key, val)
		case "issuer":
			d.Issuer, err = str(key, val)
		case "number":
			// Not normalised: the leading blanks are where the number is written by hand.
			if val.Kind != yaml.ScalarNode {
				err = errAt(val, "front matter: %q is not text", key)
			} else {
				d.Number = val.Value
			}
		case "place":
			d.Place, err = str(key, val)
		case "issued":
			d.Issued, err = partialDate(key, val)
		case "onBehalf":
			d.OnBehalf, err = str(key, val)
		case "signerTitle":
			d.SignerTitle, err = str(key, val)
		case "signer":
			d.Signer, err = str(key, val)
		case "recipients":
			d.Recipients, err = strs(key, val)
		case "scan":
			d.Scan, err = str(key, val)
			d.scanLine = val.Line
		default:
			err = errAt(k, "front matter: unknown key %q (known: kind, issuer, number, place, issued, onBehalf, signerTitle, signer, recipients, scan)", key)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func partialDate(key string, v *yaml.Node) (PartialDate, error) {
	bad := errAt(v, "front matter: %q is not a date (want 2023, 2023-04 or 2023-04-05)", key)
	if v.Kind != yaml.ScalarNode {
		return PartialDate{}, bad
	}
	if v.Tag == "!!null" {
		return PartialDate{}, nil
	}
	s := strings.TrimSpace(v.Value)
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
		return "", errAt(v, "front matter: \"form\" wants the form settings (id, opens, closes, ...)")
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		if v.Content[i].Value == "id" {
			id, err := str("form.id", v.Content[i+1])
			if err == nil && id == "" {
				err = errAt(v.Content[i+1], "front matter: \"form.id\" is empty")
			}
			return id, err
		}
	}
	return "", errAt(v, "front matter: \"form\" has no \"id\"")
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
		return nil, errAt(v, "front matter: \"attachments\" is not a list (want lines such as - { file: ke-hoach.pdf, title: \"Bản có chữ ký\" })")
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
					err = errAt(k, "front matter: unknown key %q in attachments (known: file, title)", k.Value)
				}
				if err != nil {
					return nil, err
				}
			}
		default:
			return nil, errAt(item, "front matter: an attachment is a file name, or { file: …, title: … }")
		}
		if strings.TrimSpace(lf.file) == "" {
			return nil, errAt(item, "front matter: an attachment without \"file\"")
		}
		out = append(out, lf)
	}
	return out, nil
}
