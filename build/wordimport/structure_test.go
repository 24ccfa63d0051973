package wordimport

import (
	"bytes"
	stdimage "image"
	stdpng "image/png"
	"os"
	"path/filepath"
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
			"UBND THỊ XÃ MỸ HÀO\uE000CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM\uE000Độc lập – Tự do – Hạnh phúc",
			"Số: ……/KH-UBND\uE000\uE000Bạch Sam, ngày 05 tháng 4 năm 2023",
		}, Document{Issuer: []string{"UBND THỊ XÃ MỸ HÀO", "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, Number: "   /KH-UBND", Place: "Bạch Sam", Issued: Date{2023, 4, 5}}},
		{"no tabs kept", []string{
			"UBND TỈNH PHÚ THỌ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
			"SỞ THÔNG TIN VÀ TRUYỀN THÔNG Độc lập - Tự do - Hạnh phúc",
			"Số: 123/STTTT-BCVT Phú Thọ, ngày 5 tháng 4 năm 2021",
			"V/v tăng cường công tác",
		}, Document{Issuer: []string{"UBND TỈNH PHÚ THỌ", "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"}, Number: "123/STTTT-BCVT", Place: "Phú Thọ", Issued: Date{2021, 4, 5}, Title: "tăng cường công tác"}},
		{"broken name", []string{"ỦY BAN NHÂN DÂN", "PHƯỜNG BẠCH SAM", "Số: 12/TB-UBND", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Bạch Sam, ngày …. tháng …. năm 2024"},
			Document{Issuer: []string{"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, Number: "12/TB-UBND", Place: "Bạch Sam", Issued: Date{Year: 2024}}},
		{"youth union", []string{"BCH ĐOÀN PHƯỜNG BẠCH SAM\uE000ĐOÀN TNCS HỒ CHÍ MINH", "***", "Số: 3 -KH/ĐTN\uE000Bạch Sam, ngày    tháng 10 năm 2023"},
			Document{Issuer: []string{"BCH ĐOÀN PHƯỜNG BẠCH SAM"}, Motto: youthMotto, Number: "3-KH/ĐTN", Place: "Bạch Sam", Issued: Date{Year: 2023, Month: 10}}},
		{"party", []string{"ĐẢNG BỘ TỈNH HƯNG YÊN\uE000ĐẢNG CỘNG SẢN VIỆT NAM", "THỊ ỦY MỸ HÀO", "*", "Số 36-HD/TU\uE000Mỹ Hào, ngày 2 tháng 3 năm 2024"},
			Document{Issuer: []string{"ĐẢNG BỘ TỈNH HƯNG YÊN", "THỊ ỦY MỸ HÀO"}, Motto: partyMotto, Number: "36-HD/TU", Place: "Mỹ Hào", Issued: Date{2024, 3, 2}}},
		{"youth union over the state motto", []string{"ĐOÀN TNCS HỒ CHÍ MINH\uE000CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BCH ĐOÀN TRƯỜNG THPT A\uE000Độc lập - Tự do - Hạnh phúc", "Số: 3/KH-ĐT"},
			Document{Issuer: []string{"ĐOÀN TNCS HỒ CHÍ MINH", "BCH ĐOÀN TRƯỜNG THPT A"}, Number: "3/KH-ĐT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d Document
			var left, right []hline
			for _, l := range tc.lines {
				cols := columns(l)
				left = append(left, hline{cols[0], true})
				for _, c := range cols[1:] {
					right = append(right, hline{c, true})
				}
			}
			if un := d.readHeader(left, right); len(un) > 0 {
				t.Errorf("unplaced %q", un)
			}
			got := Document{Issuer: d.Issuer, Motto: d.Motto, Number: d.Number, Place: d.Place, Issued: d.Issued, Title: d.Title}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadSignature(t *testing.T) {
	for _, tc := range []struct {
		lines  []string
		sig    []string
		signer string
	}{
		{[]string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)", "", "Đào Trường Giang"}, []string{"TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)"}, "Đào Trường Giang"},
		{[]string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"}, []string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"}, "Nguyễn Văn An"},
		{[]string{"TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "(đã ký)", "Lê Thị Hoa"}, []string{"TL. CHỦ TỊCH", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "(đã ký)"}, "Lê Thị Hoa"},
		{[]string{"T/M BAN THƯỜNG VỤ", "BÍ THƯ", "(Ký tên, đóng dấu)", "Trần Thị Bình"}, []string{"T/M BAN THƯỜNG VỤ", "BÍ THƯ"}, "Trần Thị Bình"},
		{[]string{"BÍ THƯ", "Trần Thị Bình"}, []string{"BÍ THƯ"}, "Trần Thị Bình"},
	} {
		var d Document
		if !d.readSignature(tc.lines) || !reflect.DeepEqual(d.Signature, tc.sig) || d.Signer != tc.signer {
			t.Errorf("%q: %q / %q", tc.lines, d.Signature, d.Signer)
		}
	}
	var d Document
	if d.readSignature([]string{"Trên đây là kế hoạch của phường./."}) {
		t.Error("a sentence read as a signature")
	}
}

func TestSplitClosing(t *testing.T) {
	for _, tc := range [][3]string{
		{"- Như trên; CHÁNH VĂN PHÒNG", "- Như trên;", "CHÁNH VĂN PHÒNG"},
		{"Nơi nhận: TM. ỦY BAN NHÂN DÂN", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN"},
		{"- Lưu: VT. Nguyễn Văn An", "- Lưu: VT.", "Nguyễn Văn An"},
		{"- Sở Nội vụ;", "- Sở Nội vụ;", ""},
	} {
		if l, r := splitClosing(tc[0]); l != tc[1] || r != tc[2] {
			t.Errorf("splitClosing(%q) = %q, %q; want %q, %q", tc[0], l, r, tc[1], tc[2])
		}
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
	// The image pandoc extracted: a PNG the builder reads.
	if err := os.MkdirAll(filepath.Join(w.media, "media"), 0o755); err != nil {
		t.Fatal(err)
	}
	var png bytes.Buffer
	if err := stdpng.Encode(&png, stdimage.NewGray(stdimage.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.media, "media", "a.png"), png.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
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

// TestLinksAndImagesTheBuildTakes: a link that leads nowhere on the site
// (a file beside the document, a path on its author's computer, a Word
// bookmark) keeps its text and loses its target; an image the builder
// does not publish (an EMF, a damaged file) keeps its place as a note,
// and is not copied.
func TestLinksAndImagesTheBuildTakes(t *testing.T) {
	doc := `{"pandoc-api-version":[1,22,2,1],"meta":{},"blocks":[
	 {"t":"Para","c":[
	  {"t":"Link","c":[["",[],[]],[{"t":"Str","c":"Phụ lục"}],["phu-luc.pdf",""]]},{"t":"Space"},
	  {"t":"Link","c":[["",[],[]],[{"t":"Str","c":"bản nháp"}],["file:///C:/Users/an/nhap.docx",""]]},{"t":"Space"},
	  {"t":"Link","c":[["",[],[]],[{"t":"Str","c":"mục 2"}],["#_Toc123",""]]},{"t":"Space"},
	  {"t":"Link","c":[["",[],[]],[{"t":"Str","c":"Cổng"}],["https://dichvucong.gov.vn/",""]]}]},
	 {"t":"Para","c":[{"t":"Image","c":[["",[],[]],[{"t":"Str","c":"Quốc huy"}],["media/a.emf",""]]}]},
	 {"t":"Para","c":[{"t":"Image","c":[["",[],[]],[],["media/b.png",""]]}]}]}`
	blocks, _, err := parseAST([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	w := &writer{media: t.TempDir()}
	os.MkdirAll(filepath.Join(w.media, "media"), 0o755)
	os.WriteFile(filepath.Join(w.media, "media", "a.emf"), []byte("\x01\x00\x00\x00EMF data"), 0o644)
	os.WriteFile(filepath.Join(w.media, "media", "b.png"), []byte("\x89PNG\r\n\x1a\n cut short"), 0o644)
	md := w.markdown(blocks)
	want := "Phụ lục bản nháp mục 2 [Cổng](https://dichvucong.gov.vn/)\n\n\\[Hình không hiển thị được trên trang: Quốc huy\\]\n\n\\[Hình không hiển thị được trên trang\\]\n"
	if md != want {
		t.Errorf("markdown\n%q\nwant\n%q", md, want)
	}
	if len(w.images) != 0 || !reflect.DeepEqual(w.badImages, []string{"emf", "png"}) {
		t.Errorf("images %v, refused %v", w.images, w.badImages)
	}
}

// TestTableWithoutGrid: a table pandoc reads as rows without cells (a
// .docx written without the table's grid) is not written as an empty
// table, and the report asks for the file to be saved again in Word.
func TestTableWithoutGrid(t *testing.T) {
	w := &writer{media: t.TempDir()}
	md := w.markdown([]block{{kind: paraBlock, runs: []run{{text: "Trước bảng."}}}, {kind: tableBlock, rows: [][]cell{nil, nil}}})
	if md != "Trước bảng.\n" || w.lostTables != 1 {
		t.Errorf("markdown %q, lost %d", md, w.lostTables)
	}
	r := report(&Document{}, w, reportFacts{})
	if !strings.Contains(strings.Join(r.Check, "\n"), "Có 1 bảng không đọc được chữ") {
		t.Errorf("report: %q", r.Check)
	}
}
