package wordimport

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Document is what was recognised of a Decree 30 document's header and
// closing blocks: the fields of a page's "document:" front matter, and its
// title.
type Document struct {
	Kind     string // "KẾ HOẠCH"
	Title    string // the trích yếu, on one line
	Issuer   string // "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"
	Superior string // the body above the issuer, on the line over it: "UBND THỊ XÃ …"
	Number   string // "   /KH-UBND": a blank number is three spaces, to be filled in by hand
	Place    string // "Bạch Sam"
	Issued   Date

	OnBehalf    string // "TM. ỦY BAN NHÂN DÂN"
	SignerTitle string // "CHỦ TỊCH"
	Signer      string // "Đào Trường Giang"
	Recipients  []string

	header, closing, recipientsLabel bool // whether the blocks were found
	dateLine                         bool // whether "…, ngày … tháng … năm …" was found
	extraTitle                       []string
}

// Date is an issue date whose day, or day and month, may be left blank
// until the document is signed. Zero is blank.
type Date struct{ Year, Month, Day int }

// ISO is the date as document.issued takes it: "2023", "2023-04", "2023-04-05".
func (d Date) ISO() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return strconv.Itoa(d.Year)
	case d.Day == 0:
		return strconv.Itoa(d.Year) + "-" + two(d.Month)
	}
	return strconv.Itoa(d.Year) + "-" + two(d.Month) + "-" + two(d.Day)
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// Complete tells whether the date has its day, month and year.
func (d Date) Complete() bool { return d.Year != 0 && d.Month != 0 && d.Day != 0 }

var (
	mottoRe  = regexp.MustCompile(`(?i)CỘNG\s*H(?:ÒA|OÀ)\s*XÃ\s*HỘI\s*CHỦ\s*NGHĨA\s*VIỆT\s*NAM`)
	mottoSub = regexp.MustCompile(`(?i)ĐỘC\s*LẬP\s*[-–—]\s*TỰ\s*DO\s*[-–—]\s*HẠNH\s*PHÚC`)
	numberRe = regexp.MustCompile(`(?i)(?:^|\s)Số\s*:`)
	dateRe   = regexp.MustCompile(`(?i)^(.*?)[,\s]*\bngày\b(.*?)\btháng\b(.*?)\bnăm\b(.*)$`)
	aboutRe  = regexp.MustCompile(`(?i)^V/v\.?\s*:?\s*`)
	// A body named to its locality ("… PHƯỜNG BẠCH SAM"): a line of its own
	// is a whole name, not the first half of one.
	localityRe = regexp.MustCompile(`(?i)(?:^|\s)(?:PHƯỜNG|XÃ|THỊ TRẤN|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH|TP\.)\s+\S`)
	romanRe    = regexp.MustCompile(`^([IVXLC]+)\s*[.)/-]\s*\S`)
	decimalRe  = regexp.MustCompile(`^(\d+)\s*[.)]\s*\S`)
	subDecRe   = regexp.MustCompile(`^\d+\.\d+\.?\s*\S`)
	letterRe   = regexp.MustCompile(`^([a-zđ])\s*[.)]\s*\S`)
	bulletRe   = regexp.MustCompile(`^[-–—•+*▪●○◦·]\s*`)
	recipRe    = regexp.MustCompile(`(?i)^N[ơo]i\s*nh[ậa]n\s*:?\s*`)
	authRe     = regexp.MustCompile(`(?i)^(?:TM|KT|TL|TUQ|Q|T/M)\s*\.\s*\S`)
)

// segment is a piece of a header line: Word users lay the two columns out
// with tabs as often as with a table, so "ỦY BAN … <tab> CỘNG HÒA …" is one
// line holding two fields.
func segments(s string) []string {
	s = squeeze(s)
	var cuts []int
	for _, re := range []*regexp.Regexp{mottoRe, mottoSub} {
		for _, m := range re.FindAllStringIndex(s, -1) {
			cuts = append(cuts, m[0], m[1])
		}
	}
	if m := numberRe.FindStringIndex(s); m != nil {
		start := m[0]
		if s[start] == ' ' {
			start++
		}
		cuts = append(cuts, start)
		// The number is the first word after "Số:" ("…/KH-UBND" when blank):
		// what follows it is the next field.
		rest := s[m[1]:]
		f := strings.Fields(rest)
		if len(f) > 1 {
			n := 1
			if strings.HasPrefix(f[1], "/") || strings.HasSuffix(f[0], "/") {
				n = 2
			}
			if n < len(f) {
				end := m[1] + strings.Index(rest, f[n-1]) + len(f[n-1])
				cuts = append(cuts, end)
			}
		}
	}
	cuts = append(cuts, 0, len(s))
	sortInts(cuts)
	var out []string
	for i := 0; i+1 < len(cuts); i++ {
		if p := strings.TrimSpace(s[cuts[i]:cuts[i+1]]); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

type lineKind int

const (
	otherLine lineKind = iota
	mottoLine
	mottoSubLine
	numberLine
	dateLine
	aboutLine
	ruleLine
)

func classify(s string) lineKind {
	switch {
	case separator(s):
		return ruleLine
	case mottoRe.MatchString(s):
		return mottoLine
	case mottoSub.MatchString(s):
		return mottoSubLine
	case numberRe.MatchString(s):
		return numberLine
	case aboutRe.MatchString(s):
		return aboutLine
	case dateRe.MatchString(s) && words(s) <= 14:
		return dateLine
	}
	return otherLine
}

// number reads "Số: …/KH-UBND". A number not yet given (blanks, dots,
// underscores before the "/") is kept as three spaces, as staff leave it
// to be written by hand: "   /KH-UBND".
func number(s string) string {
	m := numberRe.FindStringIndex(s)
	n := strings.Join(strings.Fields(s[m[1]:]), "")
	if i := strings.Index(n, "/"); i >= 0 {
		if strings.IndexFunc(n[:i], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
			return "   " + n[i:]
		}
	}
	return n
}

// issueDate reads "Bạch Sam, ngày 05 tháng 4 năm 2023", blanks kept blank.
func issueDate(s string) (place string, d Date) {
	m := dateRe.FindStringSubmatch(s)
	if m == nil {
		return "", d
	}
	place = strings.Trim(strings.TrimSpace(m[1]), ",")
	d.Day, d.Month, d.Year = digits(m[2]), digits(m[3]), digits(m[4])
	if d.Year < 1900 || d.Year > 2999 {
		d.Year = 0
	}
	if d.Month < 1 || d.Month > 12 || d.Year == 0 {
		d.Month, d.Day = 0, 0
	}
	if d.Day < 1 || d.Day > 31 {
		d.Day = 0
	}
	return place, d
}

// digits is the number written in s ("05", " 4 ", "2023."), or 0.
func digits(s string) int {
	s = strings.Trim(strings.TrimSpace(s), ".,;")
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// issuer makes the issuing body from the header's lines on the left: the
// last whole name is the issuer; names above it are the bodies it answers
// to. A name broken over two lines ("ỦY BAN NHÂN DÂN" / "PHƯỜNG BẠCH SAM")
// is joined.
func issuer(ls []string) (issuer, superior string) {
	var names []string
	cur := ""
	for _, l := range ls {
		cur = strings.TrimSpace(cur + " " + l)
		if localityRe.MatchString(cur) {
			names = append(names, cur)
			cur = ""
		}
	}
	if cur != "" {
		if len(names) > 0 {
			names[len(names)-1] += " " + cur
		} else {
			names = append(names, cur)
		}
	}
	if len(names) == 0 {
		return "", ""
	}
	return names[len(names)-1], strings.Join(names[:len(names)-1], " ")
}

// header reads the lines of the header block into d. It reports the
// lines it could not place.
func (d *Document) readHeader(ls []string) (unplaced []string) {
	var left []string
	for _, l := range ls {
		for _, s := range segments(l) {
			switch classify(s) {
			case mottoLine, mottoSubLine, ruleLine:
				d.header = true
			case numberLine:
				d.header = true
				d.Number = number(s)
			case dateLine:
				d.header, d.dateLine = true, true
				d.Place, d.Issued = issueDate(s)
			case aboutLine:
				d.Title = strings.TrimSpace(aboutRe.ReplaceAllString(s, ""))
			default:
				if upper(s) {
					left = append(left, s)
				} else {
					unplaced = append(unplaced, s)
				}
			}
		}
	}
	d.Issuer, d.Superior = issuer(left)
	return unplaced
}

// isHeaderLine tells whether s holds a field only the header has.
func isHeaderLine(s string) bool {
	for _, seg := range segments(s) {
		switch classify(seg) {
		case mottoLine, mottoSubLine, numberLine, dateLine:
			return true
		}
	}
	return false
}

// kindLine tells whether s is a document's kind: "KẾ HOẠCH", "THÔNG BÁO".
func kindLine(s string) bool {
	return upper(s) && words(s) <= 8 && !romanRe.MatchString(s) && !decimalRe.MatchString(s) && !isHeaderLine(s) && !separator(s)
}

// numbered tells whether s starts with the document's own numbering.
func numbered(s string) bool {
	return romanRe.MatchString(s) || decimalRe.MatchString(s) || letterRe.MatchString(s)
}

// recipient cleans one line of the list under "Nơi nhận:".
func recipient(s string) string {
	return strings.TrimSpace(bulletRe.ReplaceAllString(squeeze(s), ""))
}

// signature reads the signature block: the authority ("TM. ỦY BAN NHÂN
// DÂN", "KT. CHỦ TỊCH"), the signer's title in capitals, the signer's name.
func (d *Document) readSignature(ls []string) bool {
	var auth, titles []string
	signer := ""
	for _, l := range ls {
		l = squeeze(l)
		switch {
		case l == "" || strings.HasPrefix(l, "(") && strings.HasSuffix(l, ")") || separator(l):
			// "(Đã ký)", "(Ký tên, đóng dấu)", the space for the signature
		case authRe.MatchString(l):
			auth = append(auth, l)
		case upper(l) && words(l) <= 10:
			titles = append(titles, l)
		case nameLike(l):
			signer = l
		default:
			return false
		}
	}
	if len(auth) == 0 && (len(titles) == 0 || signer == "") {
		return false
	}
	switch {
	case len(auth) >= 1 && len(titles) == 0:
		// "KT. CHỦ TỊCH" alone: the title is in the authority line.
		d.OnBehalf = strings.Join(auth[:len(auth)-1], " ")
		d.SignerTitle = auth[len(auth)-1]
		if d.OnBehalf == "" {
			d.OnBehalf, d.SignerTitle = d.SignerTitle, ""
		}
	case len(auth) >= 1:
		d.OnBehalf = auth[0]
		d.SignerTitle = strings.Join(append(auth[1:], titles...), " ")
	default:
		d.SignerTitle = strings.Join(titles, " ")
	}
	d.Signer = signer
	d.closing = true
	return true
}

// nameLike tells whether s reads as a person's name: two to six words,
// each starting with a capital, no digits, no closing punctuation.
func nameLike(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 6 {
		return false
	}
	for _, w := range f {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) {
			return false
		}
		for _, c := range r {
			if !unicode.IsLetter(c) && !unicode.Is(unicode.Mn, c) {
				return false
			}
		}
	}
	return true
}

// signatureLike tells whether s may be a line of a signature block.
func signatureLike(s string) bool {
	s = squeeze(s)
	return s == "" || authRe.MatchString(s) || upper(s) && words(s) <= 10 || nameLike(s) ||
		strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && words(s) <= 6
}
