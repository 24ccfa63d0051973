package vntext

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Thông báo về việc Đăng ký hộ khẩu tại Phường Đống Đa", "thong-bao-ve-viec-dang-ky-ho-khau-tai-phuong-dong-da"},
		{norm.NFD.String("Thông báo về việc Đăng ký hộ khẩu tại Phường Đống Đa"), "thong-bao-ve-viec-dang-ky-ho-khau-tai-phuong-dong-da"},
		{"Tổ chức Chương trình đối thoại giữa Lãnh đạo UBND phường với thanh niên trên địa bàn phường Bạch Sam năm 2023",
			"to-chuc-chuong-trinh-doi-thoai-giua-lanh-dao-ubnd-phuong-voi-thanh-nien-tren-dia-ban-phuong-bach-sam-nam-2023"},
		{"I. MỤC ĐÍCH, YÊU CẦU", "i-muc-dich-yeu-cau"},
		{"  --Kế hoạch số 29/KH-UBND!  ", "ke-hoach-so-29-kh-ubnd"},
		{"Nơi nhận:", "noi-nhan"},
		{"Thanh niên Mỹ Hòa xung kích", "thanh-nien-my-hoa-xung-kich"},
		{"Ủy ban nhân dân", "uy-ban-nhan-dan"},
		{"ĐOÀN TNCS HỒ CHÍ MINH", "doan-tncs-ho-chi-minh"},
		{"Người dân & doanh nghiệp", "nguoi-dan-doanh-nghiep"},
		{"", ""},
		{"!!!", ""},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want {
			t.Errorf("Slug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	nfd := norm.NFD.String("  Nguyễn Thị Hường ")
	if got := Normalize(nfd); got != "Nguyễn Thị Hường" {
		t.Errorf("Normalize(%q) = %q (% x)", nfd, got, got)
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		in         string
		long, shrt string
	}{
		{"2022-02-05", "ngày 05 tháng 02 năm 2022", "05/02/2022"},
		{"2022-04-08", "ngày 08 tháng 4 năm 2022", "08/04/2022"},
		{"2023-04-20", "ngày 20 tháng 4 năm 2023", "20/04/2023"},
		{"2023-01-31", "ngày 31 tháng 01 năm 2023", "31/01/2023"},
		{"2023-12-10", "ngày 10 tháng 12 năm 2023", "10/12/2023"},
		{"2023-03-09", "ngày 09 tháng 3 năm 2023", "09/03/2023"},
	}
	for _, tt := range tests {
		d, err := time.ParseInLocation("2006-01-02", tt.in, Location)
		if err != nil {
			t.Fatal(err)
		}
		if got := LongDate(d); got != tt.long {
			t.Errorf("LongDate(%s) = %q, want %q", tt.in, got, tt.long)
		}
		if got := ShortDate(d); got != tt.shrt {
			t.Errorf("ShortDate(%s) = %q, want %q", tt.in, got, tt.shrt)
		}
	}
	// An instant late on the 19th in UTC is already the 20th in Hà Nội.
	u := time.Date(2023, 4, 19, 17, 30, 0, 0, time.UTC)
	if got := DateTime(u); got != "00 giờ 30, ngày 20/04/2023" {
		t.Errorf("DateTime(%v) = %q", u, got)
	}
}

func TestNumber(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1.000", 12345: "12.345", 100000: "100.000", 1234567: "1.234.567", -4500: "-4.500"} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 999: "999 B", 1000: "1 KB", 2349: "2 KB", 350_400: "350 KB", 999_499: "999 KB",
		1_000_000: "1 MB", 1_234_567: "1,2 MB", 1_250_000: "1,3 MB", 12_000_000: "12 MB", 4_960_000: "5 MB",
	} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestClassicTones(t *testing.T) {
	for in, want := range map[string]string{
		"hoà bình":       "hòa bình",
		"hòa bình":       "hòa bình",
		"HOÀ":            "HÒA",
		"thuỷ lợi, THUỶ": "thủy lợi, THỦY",
		"hoè, khoẻ":      "hòe, khỏe",
		"Quy định":       "Quy định",
		"ủy ban, uỷ ban": "ủy ban, ủy ban",
	} {
		if got := ClassicTones(Normalize(in)); got != Normalize(want) {
			t.Errorf("ClassicTones(%q) = %q, want %q", in, got, want)
		}
	}
}

// Fold's table gives what its definition (NFD, marks dropped, đ → d,
// lowercase) gives, for every string: Vietnamese in NFC and NFD, letters
// of other languages, stray combining marks, bytes that are not UTF-8.
func FuzzFold(f *testing.F) {
	for _, s := range []string{
		"", "Đăng ký", "dang ky", "ĐĂNG KÝ", "Quyết định số 29/KH-UBND", "a\u0301", "Ư\u0300", "Thông báo\u00a0tổ 3",
		"İstanbul ß Æ ǅ", "x\xffy", "\u1e9e\u1ec7\u0323", "한국어", "Ελληνικά", "Ǻ", "ﬁ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), foldNFD(s); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}

// Every letter the table folds folds as its definition says, one by one.
func TestFoldTable(t *testing.T) {
	n := 0
	for i, f := range foldTable() {
		if f == 0 {
			continue
		}
		n++
		r := string(rune(foldLow + i))
		if got, want := Fold(r), foldNFD(r); got != want {
			t.Errorf("Fold(%q) = %q, want %q", r, got, want)
		}
	}
	// The 134 letters of Vietnamese with marks, in both cases, are among them.
	vi := "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
	for _, r := range vi + strings.ToUpper(vi) {
		if foldTable()[r-foldLow] == 0 {
			t.Errorf("%q is not in the table", r)
		}
	}
	if n < 2*len([]rune(vi)) {
		t.Errorf("the table folds %d letters, fewer than Vietnamese's %d", n, 2*len([]rune(vi)))
	}
}

// TestIsSpace: IsSpace is unicode.IsSpace, for every rune.
func TestIsSpace(t *testing.T) {
	for r := rune(-1); r <= unicode.MaxRune+1; r++ {
		if IsSpace(r) != unicode.IsSpace(r) {
			t.Errorf("IsSpace(U+%04X) = %v, unicode.IsSpace says %v", r, IsSpace(r), unicode.IsSpace(r))
		}
	}
}

// TestNFCStable: every character NFCStable reports is left alone by NFC,
// alone and after each letter and mark a Vietnamese text holds, so that a
// text of them alone is in NFC; and the characters that NFC changes or
// composes are not reported.
func TestNFCStable(t *testing.T) {
	before := []rune("aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐdnq \u0301\u0323")
	for r := rune(0); r <= 0x20ff; r++ {
		s := string(r)
		changes := !norm.NFC.IsNormalString(s)
		for _, b := range before {
			changes = changes || !norm.NFC.IsNormalString(string(b)+s)
		}
		if NFCStable(r) && changes && r != utf8.RuneError {
			t.Errorf("U+%04X is reported stable, but NFC changes it or composes it", r)
		}
	}
	for _, r := range []rune{0x0301, 0x0323, 0x0340, 0x2126, 0x212b, 0x1f71} {
		if NFCStable(r) {
			t.Errorf("U+%04X is reported stable", r)
		}
	}
}
