package wordimport

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// clean puts text in NFC and turns the spaces Word uses for layout
// (no-break, tabs, thin spaces) into plain ones.
func clean(s string) string {
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		if r != ' ' && unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\u2007' || r == colBreak {
			return ' '
		}
		if r == '\u200b' || r == '\ufeff' || r == '\u00ad' {
			return -1 // zero-width space, byte order mark, soft hyphen
		}
		return r
	}, s)
}

// squeeze collapses runs of spaces and trims.
func squeeze(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// plain is the text of runs, one space for a line break.
func plain(runs []run) string {
	var b strings.Builder
	for _, r := range runs {
		if r.brk {
			b.WriteByte(' ')
		}
		b.WriteString(r.text)
	}
	return squeeze(b.String())
}

// line is one line of a paragraph: runs up to a line break.
type line []run

func (l line) text() string { return plain(l) }

// cols is the line split where a tab or a run of spaces laid out columns
// (colBreak), each part squeezed; empty parts are dropped.
func (l line) cols() []string {
	var b strings.Builder
	for _, r := range l {
		b.WriteString(r.text)
	}
	return columns(b.String())
}

// columns splits s at colBreak, squeezing each part and dropping the empty
// ones. A tab typed to leave room for what is written by hand ("Số:<tab>
// /UBND", "ngày<tab>tháng 10") is not a column's edge: such parts are
// joined again.
func columns(s string) []string {
	var out []string
	for _, p := range strings.Split(s, string(colBreak)) {
		p = squeeze(p)
		if p == "" {
			continue
		}
		if n := len(out); n > 0 && blankFollows(out[n-1], p) {
			out[n-1] += " " + p
			continue
		}
		out = append(out, p)
	}
	return out
}

var (
	openNumberRe = regexp.MustCompile(`(?:^|\s)Số\s*:?$`)
	openDateRe   = regexp.MustCompile(`(?i)(?:^|\s)(?:ngày|tháng|năm)\s*[.…_]*$`)
	dateGoesOnRe = regexp.MustCompile(`(?i)^(?:tháng|năm)\b`)
)

// blankFollows tells whether prev and next are one field with room left
// between them to be filled in by hand.
func blankFollows(prev, next string) bool {
	return openNumberRe.MatchString(prev) ||
		openDateRe.MatchString(prev) && (dateGoesOnRe.MatchString(next) || digitsStart(next)) ||
		strings.HasPrefix(next, "/") && numberRe.MatchString(prev) && !strings.Contains(prev[strings.Index(prev, "Số"):], "/") ||
		// "Số: 12/CV-<tab>ĐTN": the symbol goes on after its dash.
		numberRe.MatchString(prev) && (strings.HasSuffix(prev, "-") || strings.HasSuffix(prev, "/"))
}

func digitsStart(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// bold tells whether every letter of the line is bold: such a line is a
// heading or a title in a Decree 30 document.
func (l line) bold() bool {
	any := false
	for _, r := range l {
		if r.image != nil {
			return false
		}
		if strings.TrimSpace(clean(r.text)) == "" {
			continue
		}
		if !r.style.bold {
			return false
		}
		any = true
	}
	return any
}

// lines splits runs at their line breaks.
func lines(runs []run) []line {
	out := []line{nil}
	for _, r := range runs {
		if r.brk {
			out = append(out, nil)
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

// joinLines is the inverse of lines.
func joinLines(ls []line) []run {
	var out []run
	for i, l := range ls {
		if i > 0 {
			out = append(out, run{brk: true})
		}
		out = append(out, l...)
	}
	return out
}

// headingKey is a line of a header or a closing block as it is compared
// with the words these blocks use ("THÔNG BÁO", "LƯU", "ĐỒNG KÍNH GỬI"):
// NFC, upper case, spaces squeezed, tone marks placed one way
// (vntext.ClassicTones: "HOÀ" is "HÒA"), dashes made "-".
func headingKey(s string) string {
	return dashes.Replace(vntext.ClassicTones(strings.ToUpper(squeeze(s))))
}

var dashes = strings.NewReplacer("–", "-", "—", "-", "‐", "-", "‑", "-")

// upper tells whether s has letters and no lower-case one.
func upper(s string) bool {
	letters := false
	for _, r := range s {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters = true
		}
	}
	return letters
}

// separator tells whether s is a rule drawn with characters ("-------",
// "_____", "***"), as Word users underline the issuer and the title.
func separator(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("-_–—=*.…~ ", r) {
			return false
		}
	}
	return len([]rune(s)) >= 3
}

// trimRuns drops the first n bytes of the runs' text (counted on the
// clean, left-trimmed text) and the spaces after them.
func trimRuns(runs []run, n int) []run {
	out := make([]run, 0, len(runs))
	lead := true
	for _, r := range runs {
		if r.brk || r.image != nil || r.note != nil {
			lead = false
			out = append(out, r)
			continue
		}
		t := clean(r.text)
		if lead {
			t = strings.TrimLeft(t, " ")
			if n > 0 {
				k := min(n, len(t))
				t, n = t[k:], n-k
			}
			if n == 0 {
				t = strings.TrimLeft(t, " ")
			}
			if t == "" {
				continue
			}
			lead = n > 0
		}
		r.text = t
		out = append(out, r)
	}
	return out
}

// words counts the words of s.
func words(s string) int { return len(strings.Fields(s)) }
