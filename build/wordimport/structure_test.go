package wordimport

import (
	"reflect"
	"strings"
	"testing"
)

// TestReadHeader: header lines as Word users type them, in a table or
// with tabs between the columns.
func TestReadHeader(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  Document
	}{
		{"tabs", []string{
			"UBND THỊ XÃ MỸ HÀO\tCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM\tĐộc lập – Tự do – Hạnh phúc",
			"Số: ……/KH-UBND\t\tBạch Sam, ngày 05 tháng 4 năm 2023",
		}, Document{Issuer: "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM", Superior: "UBND THỊ XÃ MỸ HÀO", Number: "   /KH-UBND", Place: "Bạch Sam", Issued: Date{2023, 4, 5}}},
		{"broken name", []string{"ỦY BAN NHÂN DÂN", "PHƯỜNG BẠCH SAM", "Số: 12/TB-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Bạch Sam, ngày …. tháng …. năm 2024"},
			Document{Issuer: "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM", Number: "12/TB-UBND", Place: "Bạch Sam", Issued: Date{Year: 2024}}},
		{"no place, month only", []string{"ĐOÀN TNCS HỒ CHÍ MINH", "Số: 3 /KH-ĐTN", "ngày    tháng 10 năm 2023"},
			Document{Issuer: "ĐOÀN TNCS HỒ CHÍ MINH", Number: "3/KH-ĐTN", Issued: Date{Year: 2023, Month: 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Document
			if un := d.readHeader(tc.lines); len(un) > 0 {
				t.Errorf("unplaced %q", un)
			}
			got := Document{Issuer: d.Issuer, Superior: d.Superior, Number: d.Number, Place: d.Place, Issued: d.Issued}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadSignature(t *testing.T) {
	for _, tc := range []struct {
		lines                   []string
		onBehalf, title, signer string
	}{
		{[]string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)", "", "Đào Trường Giang"}, "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Đào Trường Giang"},
		{[]string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"}, "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"},
		{[]string{"BÍ THƯ", "Trần Thị Bình"}, "", "BÍ THƯ", "Trần Thị Bình"},
	} {
		var d Document
		if !d.readSignature(tc.lines) || d.OnBehalf != tc.onBehalf || d.SignerTitle != tc.title || d.Signer != tc.signer {
			t.Errorf("%q: %q / %q / %q", tc.lines, d.OnBehalf, d.SignerTitle, d.Signer)
		}
	}
	var d Document
	if d.readSignature([]string{"Trên đây là kế hoạch của phường./."}) {
		t.Error("a sentence read as a signature")
	}
}

// TestAPIVersions: the AST of pandoc 2.17 (1.22) and of later pandocs
// (1.23 adds Figure) is read; older ones are refused; unknown elements
// keep their words.
func TestAPIVersions(t *testing.T) {
	if _, _, err := parseAST([]byte(`{"pandoc-api-version":[1,20],"meta":{},"blocks":[]}`)); err == nil || !strings.Contains(err.Error(), "too old") {
		t.Errorf("1.20: %v", err)
	}
	doc := `{"pandoc-api-version":[1,23,1],"meta":{},"blocks":[
	 {"t":"Figure","c":[["",[],[]],[null,[{"t":"Plain","c":[{"t":"Str","c":"Sơ"},{"t":"Space"},{"t":"Str","c":"đồ"}]}]],
	   [{"t":"Plain","c":[{"t":"Image","c":[["",[],[]],[],["media/a.png",""]]}]}]]},
	 {"t":"Callout","c":[{"t":"Str","c":"Lưu"},{"t":"Space"},{"t":"Str","c":"ý"}]}]}`
	blocks, unknown, err := parseAST([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(unknown, []string{"Callout"}) {
		t.Errorf("unknown %q", unknown)
	}
	w := &writer{media: t.TempDir()}
	md := w.markdown(blocks)
	if want := "![Hình 1](anh-1.png)\n\nSơ đồ\n\nLưu ý\n"; md != want {
		t.Errorf("markdown %q, want %q", md, want)
	}
}

// TestMarkdownInline: Word's runs become Markdown that reads back as the
// same text.
func TestMarkdownInline(t *testing.T) {
	w := &writer{}
	runs := []run{
		{text: "1. "}, {text: "Chủ đề: ", style: style{bold: true}}, {text: "a*b_[c]"},
		{text: " nhấn", style: style{italic: true}}, {brk: true}, {text: "xem"}, {text: " trang", link: "https://example.vn"},
	}
	got := escapeStart(w.markdownInline(runs, false))
	want := `1\. **Chủ đề:** a\*b\_\[c\] *nhấn*\` + "\n" + `xem [trang](https://example.vn)`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
