// Package vntext holds the small Vietnamese text rules that the site builder
// and the form handler share: normalisation of typed text, folding
// (Fold: marks, case and đ dropped, under URLs and search), the placement
// of tone marks (ClassicTones, to compare texts typed in either spelling),
// URL slugs, and the way dates are written on official documents.
package vntext

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize trims s and puts it in Unicode NFC. Some Vietnamese keyboards
// send a base letter followed by combining marks; after Normalize the same
// word always has the same bytes.
func Normalize(s string) string {
	return norm.NFC.String(strings.TrimSpace(s))
}

// IsSpace reports whether r is a space, as unicode.IsSpace does, without
// looking Unicode's tables up for the letters of Vietnamese: past Latin-1
// the only spaces are U+1680 and U+2000 to U+3000, and the letters with
// two marks (U+1EA0 to U+1EF9) lie between the two.
func IsSpace(r rune) bool {
	switch {
	case r < 0x1680:
		return r == ' ' || '\t' <= r && r <= '\r' || r == 0x85 || r == 0xA0
	case r < 0x2000:
		return r == 0x1680
	case r <= 0x3000:
		return unicode.IsSpace(r)
	}
	return false
}

// NFCStable tells the characters that NFC leaves alone wherever they
// stand: they have no decomposition and compose with nothing before them.
// These are the Latin letters and marks below the combining marks
// (U+0300), the precomposed letters of Vietnamese (U+1E00–U+1EFF), and
// the dashes, quotes and currency signs a text uses; and bytes that are
// not UTF-8, which NFC copies as they are (utf8.RuneError). A text of
// these characters alone is in NFC; any other character sends it through
// NFC to know.
func NFCStable(r rune) bool {
	return r < 0x300 || 0x1e00 <= r && r <= 0x1eff || 0x2010 <= r && r <= 0x2027 || 0x2030 <= r && r <= 0x205e ||
		0x20a0 <= r && r <= 0x20c0 || r == utf8.RuneError
}

// Fold is the form two spellings of one Vietnamese word share: Unicode NFD,
// every combining mark (tone and vowel marks) dropped, đ/Đ mapped to d
// (U+0111 has no decomposition, so dropping marks alone would leave it),
// and lowercase. "Đăng ký", "dang ky" and "ĐĂNG KÝ" in NFC or NFD all fold
// to "dang ky". URLs (Slug) and search are made from it.
func Fold(s string) string {
	// Most text folds one letter at a time from a table; text with a
	// letter the table lacks, or a combining mark of its own (which NFD
	// may reorder with its neighbours), takes the whole rule.
	foldTable := foldTable()
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < foldLow || r >= foldLow+rune(len(foldTable)) || foldTable[r-foldLow] == 0 {
			return foldNFD(s)
		}
		if f := foldTable[r-foldLow]; f != foldDrop {
			b.WriteRune(f)
		}
		i += size
	}
	return b.String()
}

// foldNFD is Fold by its definition, for any text.
func foldNFD(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if f := foldRune(r); f != foldDrop {
			b.WriteRune(f)
		}
	}
	return b.String()
}

// foldRune folds one rune of NFD text; a combining mark folds to foldDrop.
func foldRune(r rune) rune {
	switch {
	case r == 'đ' || r == 'Đ':
		return 'd'
	case unicode.Is(unicode.Mn, r):
		return foldDrop
	}
	return unicode.ToLower(r)
}

// foldTable holds, for each letter from U+00C0 to U+1EFF whose NFD is
// one letter and its marks (every Vietnamese letter is among them), the
// letter Fold makes of it. Zero means "not in the table": a combining
// mark, or a letter that does not fold to one rune. It is made on first
// use, not when a program starts: a Lambda's cold start need not pay for it.
var foldTable = sync.OnceValue(func() []rune {
	t := make([]rune, 0x1F00-foldLow)
	for i := range t {
		r := foldLow + rune(i)
		if unicode.Is(unicode.Mn, r) || !unicode.IsLetter(r) {
			continue
		}
		var folded []rune
		for _, d := range norm.NFD.String(string(r)) {
			if f := foldRune(d); f != foldDrop {
				folded = append(folded, f)
			}
		}
		if len(folded) == 1 && folded[0] != 0 {
			t[i] = folded[0]
		}
	}
	return t
})

const (
	foldLow  = 0xC0
	foldDrop = utf8.MaxRune + 1 // not a rune: a mark Fold drops
)

// Slug turns a Vietnamese title into a URL path segment: it is folded (see
// Fold), every run of characters other than ASCII letters and digits
// becomes one "-", and leading or trailing "-" are trimmed.
//
//	Slug("Thông báo về việc Đăng ký hộ khẩu") == "thong-bao-ve-viec-dang-ky-ho-khau"
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range Fold(s) {
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// Location is Asia/Ho_Chi_Minh. Vietnam has kept UTC+07:00 without daylight
// saving since 1975, so a fixed zone is exact when the system has no tzdata.
var Location = loadLocation()

func loadLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("+07", 7*60*60)
}

// LongDate writes t as on an official document (Decree 30/2020/NĐ-CP):
// "ngày 05 tháng 02 năm 2022". Days below 10 and the months January and
// February take a leading zero; other numbers are written as they are.
func LongDate(t time.Time) string {
	t = t.In(Location)
	return "ngày " + Day(t.Day()) + " tháng " + Month(int(t.Month())) + " năm " + strconv.Itoa(t.Year())
}

// Day writes a day of the month the official way: 05, 9 → 09, 21.
func Day(d int) string {
	if d < 10 {
		return "0" + strconv.Itoa(d)
	}
	return strconv.Itoa(d)
}

// Month writes a month the official way: 01 and 02 are padded (so that they
// cannot be extended by hand), 3 to 12 are not.
func Month(m int) string {
	if m <= 2 {
		return "0" + strconv.Itoa(m)
	}
	return strconv.Itoa(m)
}

// ShortDate writes t as dd/mm/yyyy, as in lists and tables.
func ShortDate(t time.Time) string {
	return t.In(Location).Format("02/01/2006")
}

// DateTime writes an instant for people: "23 giờ 59, ngày 19/04/2023".
func DateTime(t time.Time) string {
	t = t.In(Location)
	return t.Format("15") + " giờ " + t.Format("04") + ", ngày " + ShortDate(t)
}

// timeLayouts are the ways a person may write an instant on a command line
// or in a setting: RFC 3339, without seconds, without an offset (then it is
// Vietnam's time), or a bare date (midnight in Vietnam).
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTime reads an instant written as 2023-04-10T09:00:00+07:00,
// 2023-04-10T09:00+07:00, 2023-04-10T09:00 or 2023-04-10; without an offset
// the time is Vietnam's. The --now flags and LOA_NOW all read it.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, Location); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an instant (want e.g. 2023-04-10T09:00+07:00 or 2023-04-10)", s)
}

// Number writes n the Vietnamese way, with a dot between thousands:
// 100000 is "100.000".
func Number(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return sign + s
}

// Size writes a file size the Vietnamese way, with a decimal comma: "980 B",
// "350 KB", "1,2 MB" (1 KB = 1,000 bytes, as file managers show it).
func Size(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1000*1000:
		return strconv.FormatInt((n+500)/1000, 10) + " KB"
	}
	tenths := (n + 50*1000) / (100 * 1000) // in 0.1 MB, rounded
	s := strconv.FormatInt(tenths/10, 10)
	if d := tenths % 10; d != 0 {
		s += "," + strconv.FormatInt(d, 10)
	}
	return s + " MB"
}
