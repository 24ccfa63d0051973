package wordimport

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"loa/functions/vntext"
)

// Document is what was recognised of a Decree 30 document's header and
// closing blocks: the fields of a page's "document:" front matter, and its
// title.
type Document struct {
	Kind   string   // "KẾ HOẠCH"; "CÔNG VĂN" for a letter, which prints no kind
	Title  string   // the trích yếu, on one line ("V/v" dropped)
	Issuer []string // the issuing body's names top left: the body above it first
	Motto  string   // the line top right: "" for the state's, else the Party's or the Youth Union's
	Number string   // "   /KH-UBND": a blank number is three spaces, to be filled in by hand
	Place  string   // "Bạch Sam"
	Issued Date

	Addressees []string // "Kính gửi:"
	Signature  []string // the signature block's lines above the name: "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "(Đã ký)"
	Signer     string   // "Đào Trường Giang"
	Recipients []string

	header, closing, recipientsLabel bool // whether the blocks were found
	dateLine                         bool // whether "…, ngày … tháng … năm …" was found
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

// long is the date as a document prints it, blanks kept: "ngày 05 tháng
// 4 năm 2023", "ngày    tháng    năm 2023".
func (d Date) long() string {
	part := func(n int, f func(int) string) string {
		if n == 0 {
			return "   "
		}
		return f(n)
	}
	year := "    "
	if d.Year != 0 {
		year = strconv.Itoa(d.Year)
	}
	return "ngày " + part(d.Day, vntext.Day) + " tháng " + part(d.Month, vntext.Month) + " năm " + year
}

// Complete tells whether the date has its day, month and year.
func (d Date) Complete() bool { return d.Year != 0 && d.Month != 0 && d.Day != 0 }

// The mottos a document may print top right: the state's (over "Độc lập -
// Tự do - Hạnh phúc"), the Party's (Hướng dẫn 36-HD/VPTW) and the Youth
// Union's.
const (
	partyMotto = "ĐẢNG CỘNG SẢN VIỆT NAM"
	youthMotto = "ĐOÀN TNCS HỒ CHÍ MINH"
)

var (
	mottoRe      = regexp.MustCompile(`(?i)C[ỘÔO]NG\s*H(?:ÒA|OÀ|OA)\s*XÃ\s*HỘI\s*CHỦ\s*NGHĨA\s*VIỆT\s*NAM`)
	mottoSub     = regexp.MustCompile(`(?i)ĐỘC\s*LẬP\s*[-–—]\s*TỰ\s*DO\s*[-–—]\s*HẠNH\s*PHÚC`)
	partyMottoRe = regexp.MustCompile(`ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM`)
	youthMottoRe = regexp.MustCompile(`ĐOÀN\s+(?:TNCS|THANH\s+NIÊN\s+CỘNG\s+SẢN)\s+HỒ\s+CHÍ\s+MINH`)
	// "Số: 12/UBND-VX", and the Party's and the Youth Union's "Số 36-HD/VPTW".
	numberRe   = regexp.MustCompile(`(?:^|\s)Số\s*:`)
	partyNumRe = regexp.MustCompile(`(?:^|\s)Số\s+[\d.…_ ]*-\s*[A-ZĐ]{1,6}\s*/`)
	dateRe     = regexp.MustCompile(`(?i)^(.*?)[,\s]*\bngày\b(.*?)\btháng\b(.*?)\bnăm\b(.*)$`)
	dateCoreRe = regexp.MustCompile(`,?\s*ngày\s*[\d.…_ ]*\s*tháng\s*[\d.…_ ]*\s*năm\s*[\d.…_ ]*\d{4}`)
	aboutRe    = regexp.MustCompile(`(?i)^V/v\.?\s*:?\s*`)
	// Under the number, a letter's trích yếu may also start "Về việc".
	headAboutRe  = regexp.MustCompile(`(?i)^\(?\s*(?:V/v\.?|V\.v\.?|Về\s+việc)\s*:?\s*`)
	addresseesRe = regexp.MustCompile(`(?i)^Kính\s*g[ửở]i\s*:?\s*`)
	// A body named to its locality ("… PHƯỜNG BẠCH SAM"): a line of its own
	// is a whole name, not the first half of one.
	localityRe = regexp.MustCompile(`(?i)(?:^|\s)(?:PHƯỜNG|XÃ|THỊ TRẤN|QUẬN|HUYỆN|THỊ XÃ|THÀNH PHỐ|TỈNH|TP\.)\s+\S`)
	romanRe    = regexp.MustCompile(`^([IVXLC]+)\s*[.)/-]\s*\S`)
	decimalRe  = regexp.MustCompile(`^(\d+)\s*[.)]\s*\S`)
	subDecRe   = regexp.MustCompile(`^\d+\.\d+\.?\s*\S`)
	letterRe   = regexp.MustCompile(`^([a-zđ])\s*[.)]\s*\S`)
	bulletRe   = regexp.MustCompile(`^[-–—•+*▪●○◦·]\s*`)
	recipRe    = regexp.MustCompile(`(?i)^N[ơo]i\s*nh[ậa]n\s*:?\s*`)
	// The authority of a signature: "TM.", "KT.", "TL.", "TUQ.", "Q.",
	// and the Party's and the Youth Union's "T/M", "K/T".
	authRe = regexp.MustCompile(`^(?:T\.?\s?M|T/M|K\.?\s?T|K/T|T\.?\s?L|T/L|TUQ|Q)(?:\s*[.:]\s*|\s+)\S`)
	// authMidRe finds an authority inside a line that holds two columns.
	authMidRe = regexp.MustCompile(`\s(?:TM|KT|TL|TUQ|T/M|K/T|T/L)\s*\.?\s+\p{Lu}`)
	signedRe  = regexp.MustCompile(`(?i)^\(?\s*đã\s+ký\s*\)?$`)
	// signedStartRe is "(Đã ký)" with the name after it on the same line.
	signedStartRe = regexp.MustCompile(`(?i)^\(\s*đã\s+ký\s*\)`)
)

// segments splits a header line into its fields: Word users lay the two
// columns out with tabs or spaces as often as with a table, so
// "ỦY BAN … CỘNG HÒA …" may be one line holding two fields even where no
// tab was kept.
func segments(s string) []string {
	s = squeeze(s)
	var cuts []int
	for _, re := range []*regexp.Regexp{mottoRe, mottoSub, partyMottoRe, youthMottoRe} {
		for _, m := range re.FindAllStringIndex(s, -1) {
			cuts = append(cuts, m[0], m[1])
		}
	}
	if start, after, ok := numberAt(s); ok {
		cuts = append(cuts, start)
		// The number is the first word after "Số:" ("…/KH-UBND" when blank):
		// what follows it is the next field.
		rest := s[after:]
		f := strings.Fields(rest)
		if len(f) > 1 {
			// "12/KH-UBND", and its pieces where blanks were left:
			// "…/CV - ĐTN", "3 -KH/ĐTN".
			n := 1
			for n < len(f) && (strings.HasPrefix(f[n], "/") || strings.HasPrefix(f[n], "-") || strings.HasSuffix(f[n-1], "/") || strings.HasSuffix(f[n-1], "-")) {
				n++
			}
			if n < len(f) {
				end := after + strings.Index(rest, f[n-1]) + len(f[n-1])
				cuts = append(cuts, end)
			}
		}
	}
	// A date after other text: the place is the run of capitalised words
	// before it ("V/v tăng cường … Phú Thọ, ngày 5 tháng 4 năm 2021").
	if m := dateCoreRe.FindStringIndex(s); m != nil && m[0] > 0 {
		cuts = append(cuts, placeStart(s[:m[0]]), m[1])
	}
	cuts = append(cuts, 0, len(s))
	sortInts(cuts)
	var out []string
	for i := 0; i+1 < len(cuts); i++ {
		if cuts[i] >= cuts[i+1] {
			continue
		}
		if p := strings.TrimSpace(s[cuts[i]:cuts[i+1]]); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// placeStart is where the place name ends s: the last run of up to four
// words that start with a capital letter.
func placeStart(s string) int {
	f := strings.Fields(s)
	n := 0
	for i := len(f) - 1; i >= 0 && n < 4; i-- {
		r := []rune(f[i])
		if !unicode.IsUpper(r[0]) {
			break
		}
		n++
	}
	if n == 0 || n == len(f) {
		return 0
	}
	// The start of the n-th last word.
	idx := len(s)
	for k := 0; k < n; k++ {
		idx = strings.LastIndex(s[:idx], f[len(f)-1-k])
	}
	return idx
}

// numberAt finds "Số:" (or the Party's "Số 12-KH/…") in s: where it
// starts, and where the number after it starts.
func numberAt(s string) (start, after int, ok bool) {
	m := numberRe.FindStringIndex(s)
	if m == nil {
		if m = partyNumRe.FindStringIndex(s); m == nil {
			return 0, 0, false
		}
		m[1] = m[0] + strings.Index(s[m[0]:], "Số") + len("Số")
	}
	start = m[0]
	if s[start] == ' ' {
		start++
	}
	return start, m[1], true
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
	partyLine
	youthLine
	mottoSubLine
	numberLine
	dateLine
	aboutLine
	ruleLine
)

func classify(s string) lineKind {
	switch {
	case separator(s) || stars(s):
		return ruleLine
	case mottoRe.MatchString(s):
		return mottoLine
	case partyMottoRe.MatchString(s) && words(s) <= 5:
		return partyLine
	case youthMottoRe.MatchString(s) && words(s) <= 8:
		return youthLine
	case mottoSub.MatchString(s):
		return mottoSubLine
	case numberRe.MatchString(s) || partyNumRe.MatchString(s):
		return numberLine
	case headAboutRe.MatchString(s):
		return aboutLine
	case dateRe.MatchString(s) && words(s) <= 14:
		return dateLine
	}
	return otherLine
}

// stars tells whether s is the "*" or "***" the Party and the Youth Union
// print under the issuer.
func stars(s string) bool {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	return s != "" && strings.Trim(s, "*") == ""
}

// number reads "Số: …/KH-UBND". A number not yet given (blanks, dots,
// underscores before the "/" or the "-") is kept as three spaces, as staff
// leave it to be written by hand: "   /KH-UBND".
func number(s string) string {
	_, after, _ := numberAt(s)
	n := strings.Join(strings.Fields(s[after:]), "")
	n = strings.TrimLeft(n, ":")
	if i := strings.IndexAny(n, "/-"); i >= 0 {
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

// hline is a line of the header block, with whether it is bold: the
// decree prints the body above the issuer in regular type and the issuer
// in bold.
type hline struct {
	text string
	bold bool
}

// issuerNames makes the issuing body's names from the header's lines on
// the left. Where the lines differ in weight, the regular ones are the
// bodies above and the bold ones the issuer; else a name is complete at
// its locality ("ỦY BAN NHÂN DÂN" / "PHƯỜNG BẠCH SAM" is one name).
func issuerNames(ls []hline) []string {
	if len(ls) == 0 {
		return nil
	}
	mixed := false
	for _, l := range ls[1:] {
		mixed = mixed || l.bold != ls[0].bold
	}
	if mixed {
		var names []string
		cur, bold := "", ls[0].bold
		for _, l := range ls {
			if l.bold != bold && cur != "" {
				names = append(names, cur)
				cur = ""
			}
			bold = l.bold
			cur = strings.TrimSpace(cur + " " + l.text)
		}
		return append(names, cur)
	}
	var names []string
	cur := ""
	for _, l := range ls {
		org := partyMottoRe.MatchString(l.text) || youthMottoRe.MatchString(l.text)
		if org && cur != "" {
			names = append(names, cur)
			cur = ""
		}
		cur = strings.TrimSpace(cur + " " + l.text)
		if org || localityRe.MatchString(cur) {
			names = append(names, cur)
			cur = ""
		}
	}
	if cur != "" {
		// A body named without its locality: "SỞ NỘI VỤ", "VĂN PHÒNG".
		names = append(names, cur)
	}
	return names
}

// readHeader reads the header block's two columns into d. It reports the
// pieces it could not place.
func (d *Document) readHeader(left, right []hline) (unplaced []string) {
	var issuer []hline
	var orgMottos []hline // a Party or Youth Union line, which is a motto unless the state's motto is there too
	about, numberSeen, to := false, false, false
	for side, ls := range [][]hline{left, right} {
		for _, l := range ls {
			for _, s := range segments(l.text) {
				k := classify(s)
				if k != aboutLine && k != otherLine {
					about = false
				}
				switch k {
				case mottoLine:
					d.header = true
					d.Motto = "state"
				case partyLine, youthLine:
					d.header = true
					if side == 0 && !numberSeen {
						orgMottos = append(orgMottos, hline{s, l.bold})
						issuer = append(issuer, hline{s, l.bold})
					} else if d.Motto == "" {
						d.Motto = map[lineKind]string{partyLine: partyMotto, youthLine: youthMotto}[k]
					}
				case mottoSubLine, ruleLine:
					d.header = true
				case numberLine:
					d.header, numberSeen = true, true
					d.Number = number(s)
				case dateLine:
					d.header, d.dateLine = true, true
					d.Place, d.Issued = issueDate(s)
				case aboutLine:
					d.Title = strings.TrimSpace(headAboutRe.ReplaceAllString(s, ""))
					if strings.HasPrefix(s, "(") {
						d.Title = strings.TrimSpace(strings.TrimSuffix(d.Title, ")"))
					}
					about = true
				default:
					switch {
					case addresseesRe.MatchString(s) || to:
						// "Kính gửi:" set in the header's table.
						about, to = false, true
						if a := recipient(addresseesRe.ReplaceAllString(s, "")); a != "" {
							d.Addressees = append(d.Addressees, a)
						}
					case about && side == 0 && !upper(s):
						d.Title = strings.TrimSpace(d.Title + " " + s)
					case side == 0 && numberSeen && d.Title == "" && !upper(s) && words(s) >= 2:
						// A letter's trích yếu under its number, without "V/v".
						d.Title, about = s, true
					case side == 0 && !numberSeen && upper(s):
						issuer = append(issuer, hline{s, l.bold})
					default:
						unplaced = append(unplaced, s)
					}
				}
			}
		}
	}
	// "ĐOÀN TNCS HỒ CHÍ MINH" on the left is the motto when it stands
	// alone, and the top of the issuer under the state's motto.
	if d.Motto == "" && len(orgMottos) > 0 && len(issuer) > len(orgMottos) {
		d.Motto = map[bool]string{true: partyMotto, false: youthMotto}[partyMottoRe.MatchString(orgMottos[0].text)]
		issuer = issuer[len(orgMottos):]
	}
	if d.Motto == "state" {
		d.Motto = ""
	}
	d.Issuer = issuerNames(issuer)
	return unplaced
}

// isHeaderLine tells whether s holds a field only the header has.
func isHeaderLine(s string) bool {
	for _, seg := range segments(s) {
		switch classify(seg) {
		case mottoLine, mottoSubLine, numberLine, dateLine, partyLine, youthLine:
			return true
		}
	}
	return false
}

// kindLine tells whether s is a document's kind: "KẾ HOẠCH", "THÔNG BÁO".
func kindLine(s string) bool {
	return upper(s) && words(s) <= 8 && !romanRe.MatchString(s) && !decimalRe.MatchString(s) && !isHeaderLine(s) && !separator(s) && !stars(s)
}

// numbered tells whether s starts with the document's own numbering.
func numbered(s string) bool {
	return romanRe.MatchString(s) || decimalRe.MatchString(s) || letterRe.MatchString(s)
}

// recipient cleans one line of the list under "Nơi nhận:".
func recipient(s string) string {
	return strings.TrimSpace(bulletRe.ReplaceAllString(squeeze(s), ""))
}

// readSignature reads the signature block: its lines above the name (the
// authority, "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"; titles in capitals;
// "(Đã ký)" where the copy says so) and the signer's name. Other lines in
// parentheses ("(Ký tên, đóng dấu)") are instructions of a form, and
// lines of a digital signature's stamp ("Ký bởi: …") are dropped.
func (d *Document) readSignature(ls []string) bool {
	var sig []string
	signer := ""
	var split []string
	for _, l := range ls {
		// A stray bracket, as a copy typed in white leaves, is no part of a line.
		l = strings.Trim(squeeze(l), "[]{} ")
		if m := signedStartRe.FindString(l); m != "" && m != l {
			split = append(split, m, strings.TrimSpace(l[len(m):]))
			continue
		}
		split = append(split, l)
	}
	for _, l := range split {
		switch {
		case l == "" || separator(l) || stars(l):
		case signedRe.MatchString(l):
			sig = append(sig, l)
		case strings.HasPrefix(l, "(") && strings.HasSuffix(l, ")"):
		case authRe.MatchString(l):
			sig = append(sig, l)
		case (upper(l) || officeTitle(l)) && words(l) <= 12 && signer == "":
			sig = append(sig, l)
		case nameLike(stripDegree(l)):
			signer = l
		case strings.Contains(l, ":") || strings.ContainsAny(l, "0123456789@"):
			// a digital signature's stamp
		default:
			return false
		}
	}
	auth := false
	for _, l := range sig {
		auth = auth || authRe.MatchString(l)
	}
	if !auth && (len(sig) == 0 || signer == "") {
		return false
	}
	// A name printed in capitals: the last line, after "(Đã ký)" or after
	// the title, when no name in ordinary case was found.
	if signer == "" && len(sig) >= 2 && upper(sig[len(sig)-1]) && !authRe.MatchString(sig[len(sig)-1]) && upperName(sig[len(sig)-1]) {
		signer, sig = sig[len(sig)-1], sig[:len(sig)-1]
	}
	d.Signature, d.Signer = sig, signer
	d.closing = true
	return true
}

// hasName tells whether one of ls reads as a person's name.
func (d *Document) hasName(ls []string) bool {
	for _, l := range ls {
		if l = squeeze(l); nameLike(stripDegree(l)) && !upper(l) {
			return true
		}
	}
	return false
}

// readTitleOnly reads a signature block set in the closing table's own
// column that has the signer's title and no name yet (a draft): the
// table says what it is, so the title alone is taken.
func (d *Document) readTitleOnly(ls []string) bool {
	var sig []string
	for _, l := range ls {
		switch l = squeeze(l); {
		case l == "" || separator(l) || stars(l):
		case upper(l) && words(l) <= 12 || signedRe.MatchString(l):
			sig = append(sig, l)
		default:
			return false
		}
	}
	if len(sig) == 0 {
		return false
	}
	d.Signature, d.closing = sig, true
	return true
}

// degreeRe matches the degree some signers print before their name:
// "ThS.", "Th.s", "TS.", "PGS.TS.".
var degreeRe = regexp.MustCompile(`^(?:(?:P?GS|Th\.?[Ss]|TS|KS|BS|CN)\.?\s*)+`)

// stripDegree is s without a leading degree.
func stripDegree(s string) string {
	return strings.TrimSpace(degreeRe.ReplaceAllString(s, ""))
}

// officeWords are words of a title, never of a name.
var officeWords = []string{"CHỦ TỊCH", "BÍ THƯ", "GIÁM ĐỐC", "TRƯỞNG", "PHÓ", "CHÁNH", "ỦY", "BAN", "THƯỜNG", "VỤ", "HỘI", "ĐỒNG", "ĐOÀN", "ĐẢNG", "SỞ", "PHÒNG", "VĂN", "TỔ", "THƯ KÝ", "UBND", "HĐND", "CÔNG AN"}

// officeTitles start a signer's title, in whatever case it is typed:
// "Phó Hiệu trưởng", "Giám đốc".
var officeTitles = []string{"PHÓ ", "NGƯỜI LẬP ", "TRƯỞNG ", "HIỆU TRƯỞNG", "GIÁM ĐỐC", "CHỦ TỊCH", "BÍ THƯ", "CHÁNH ", "THỦ TRƯỞNG", "CHỦ NHIỆM", "TỔNG "}

// officeTitle tells whether s is a signer's title in ordinary case.
func officeTitle(s string) bool {
	k := headingKey(s) + " "
	for _, t := range officeTitles {
		if strings.HasPrefix(k, t) {
			return words(s) <= 8
		}
	}
	return false
}

// upperName tells whether s, in capitals, reads as a person's name.
func upperName(s string) bool {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 5 {
		return false
	}
	for _, w := range officeWords {
		if strings.Contains(" "+s+" ", " "+w+" ") {
			return false
		}
	}
	return nameLike(s)
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
	return s == "" || authRe.MatchString(s) || upper(s) && words(s) <= 12 || nameLike(stripDegree(s)) ||
		strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") && words(s) <= 6 || stars(s)
}

// splitClosing splits a closing line that holds both columns where no tab
// was kept: "- Như trên; CHÁNH VĂN PHÒNG", "Nơi nhận: TM. ỦY BAN NHÂN DÂN",
// "- Lưu: VT. Nguyễn Văn An".
func splitClosing(s string) (left, right string) {
	if m := authMidRe.FindStringIndex(s); m != nil {
		return strings.TrimSpace(s[:m[0]]), strings.TrimSpace(s[m[0]:])
	}
	// A run of capitals, or a name, after the item's closing mark.
	i := strings.LastIndexAny(s, ";.:,")
	if i < 0 || i == len(s)-1 {
		return s, ""
	}
	tail := strings.TrimSpace(s[i+1:])
	if tail != "" && (upper(tail) && words(tail) >= 2 || nameLike(tail) && words(tail) <= 5 || signedStartRe.MatchString(tail)) {
		return strings.TrimSpace(s[:i+1]), tail
	}
	return s, ""
}
