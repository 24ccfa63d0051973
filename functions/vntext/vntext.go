// Package vntext holds the small Vietnamese text rules that the site builder
// and the form handler share: normalisation of typed text, URL slugs, and the
// way dates are written on official documents.
package vntext

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize trims s and puts it in Unicode NFC. Some Vietnamese keyboards
// send a base letter followed by combining marks; after Normalize the same
// word always has the same bytes.
func Normalize(s string) string {
	return norm.NFC.String(strings.TrimSpace(s))
}

// Slug turns a Vietnamese title into a URL path segment: đ/Đ become d,
// marks are stripped, letters are lowercased, every other run of characters
// becomes one "-", and leading or trailing "-" are trimmed.
//
//	Slug("Thông báo về việc Đăng ký hộ khẩu") == "thong-bao-ve-viec-dang-ky-ho-khau"
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	// NFD splits "ố" into "o" + marks; đ has no decomposition and is mapped by hand.
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ' || r == 'Đ':
			r = 'd'
		case unicode.Is(unicode.Mn, r):
			continue
		}
		r = unicode.ToLower(r)
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
	return "ngày " + Day(t.Day()) + " tháng " + Month(int(t.Month())) + " năm " + itoa(t.Year())
}

// Day writes a day of the month the official way: 05, 9 → 09, 21.
func Day(d int) string {
	if d < 10 {
		return "0" + itoa(d)
	}
	return itoa(d)
}

// Month writes a month the official way: 01 and 02 are padded (so that they
// cannot be extended by hand), 3 to 12 are not.
func Month(m int) string {
	if m <= 2 {
		return "0" + itoa(m)
	}
	return itoa(m)
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

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
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
