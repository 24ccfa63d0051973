package paperwork_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/paperwork"
	"loa/site"
)

var fields = []string{
	"Học tập, nghiên cứu khoa học",
	"Lao động, sản xuất, mô hình phát triển kinh tế hiệu quả",
	"Chuyển đổi số, sáng tạo",
}

// nominees are a ward's nominations: one left out by staff, one in "Khác",
// two in one lĩnh vực sent out of order.
func nominees() []paperwork.Nominee {
	return []paperwork.Nominee{
		{ID: "bbbbbbbbbbb1", Time: at(3, 9), Topic: fields[1], Name: "Phạm Văn Cá Lồng", Born: "1994", Group: "Chi đoàn Tổ dân phố 4",
			Deeds: "Mô hình nuôi cá lồng cho 8 hộ thanh niên.\nThu nhập tăng gấp đôi."},
		{ID: "bbbbbbbbbbb2", Time: at(2, 9), Topic: fields[1], Name: "Lê Thị Nấm", Born: "1998", Group: "Chi đoàn Tổ dân phố 1",
			Deeds: "Trồng nấm sạch, tạo việc làm cho 5 thanh niên."},
		{ID: "bbbbbbbbbbb3", Time: at(4, 9), Topic: fields[2], Name: "Trần Số Hóa", Born: "2001", Group: "Chi đoàn Trường THCS",
			Deeds: "Dạy kỹ năng số cho 120 người cao tuổi."},
		{ID: "bbbbbbbbbbb4", Time: at(5, 9), Topic: fields[0], Name: "Người Bị Bỏ Ra", Born: "2000", Group: "Chi đoàn Tổ dân phố 2",
			Deeds: "Đề cử trùng, 0912345678."},
		{ID: "bbbbbbbbbbb5", Time: at(6, 9), Topic: "Khác", Name: "Võ Thể Thao", Born: "1999", Group: "Chi đoàn Tổ dân phố 3",
			Deeds: "Huy chương vàng bơi lội cấp tỉnh."},
	}
}

func TestCompileNominees(t *testing.T) {
	secs := paperwork.CompileNominees(fields, nominees(), map[string]paperwork.Choice{"bbbbbbbbbbb4": {Out: true}})
	var got []string
	for _, s := range secs {
		for _, n := range s.Nominees {
			got = append(got, n.ID)
		}
	}
	if strings.Join(got, " ") != "bbbbbbbbbbb2 bbbbbbbbbbb1 bbbbbbbbbbb3 bbbbbbbbbbb5" {
		t.Errorf("compiled %q: want by lĩnh vực in the form's order, oldest first, the one left out gone", got)
	}
}

// TestCommendationForm: the settings name a form of the content and its
// fields; a mistake is told at its line of data/van-phong.yaml.
func TestCommendationForm(t *testing.T) {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	if f, err := o.CommendationForm(reg); err != nil || f == nil || f.ID != "de-cu" {
		t.Fatalf("the shipped settings: %v, %v", f, err)
	}
	raw, _ := content.FS.ReadFile(paperwork.File)
	for _, tc := range []struct{ from, to, want string }{
		{"deeds: thanh_tich", "deeds: thanh_tich_x", `"thanh_tich_x" không phải tên một trường văn bản của biểu mẫu de-cu`},
		{"name: ho_ten", "name: tep", `"tep" không phải tên một trường văn bản`},
		{"form: de-cu", "form: khen", `commendation.form: không có biểu mẫu "khen"`},
	} {
		src := strings.Replace(string(raw), tc.from, tc.to, 1)
		fsys := fstest.MapFS{paperwork.File: {Data: []byte(src)}, "data/mau-van-ban.docx": {Data: mustRead(t, "data/mau-van-ban.docx")}}
		o, err := paperwork.Load(fsys, "content")
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Count(src[:strings.Index(src, tc.to)], "\n") + 1
		_, err = o.CommendationForm(reg)
		if err == nil || !strings.HasPrefix(err.Error(), "content/data/van-phong.yaml:"+strconv.Itoa(line)+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want line %d and %q", tc.to, err, line, tc.want)
		}
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := content.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCommendationDocument makes the list from the ward's own settings and
// reference document, reads it back with pandoc and checks every kept
// nominee in order under their lĩnh vực, then renders it with LibreOffice
// to PDF and a PNG of its first page (kept under $LOA_SHOTS when set).
func TestCommendationDocument(t *testing.T) {
	pandoc := lookPath(t, "pandoc is missing: install Debian's pandoc package (make tools)", "pandoc")
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	secs := paperwork.CompileNominees(fields, nominees(), map[string]paperwork.Choice{"bbbbbbbbbbb4": {Out: true}})
	file := filepath.Join(t.TempDir(), "danh-sach.docx")
	if err := os.WriteFile(file, o.CommendationList(secs, at(18, 9)).Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pandoc, "--sandbox", "-f", "docx", "-t", "plain", "--wrap=none", file).Output()
	if err != nil {
		t.Fatalf("pandoc cannot read the list: %v", err)
	}
	text := string(out)
	rest := text
	for _, want := range []string{
		"ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHƯỜNG BẠCH SAM", "Bạch Sam, ngày 18 tháng 4 năm 2023",
		"DANH SÁCH", "Đề nghị khen thưởng thanh niên tiêu biểu năm 2023", "Thực hiện Kế hoạch",
		"I. SỐ LƯỢNG", "Tổng số: 4 người, trong đó:",
		"- " + fields[1] + ": 2 người;", "- " + fields[2] + ": 1 người;", "- Khác: 1 người.",
		"II. DANH SÁCH THEO LĨNH VỰC",
		"1. " + fields[1] + " (2 người)",
		"1. Lê Thị Nấm, sinh năm 1998, Chi đoàn Tổ dân phố 1", "Trồng nấm sạch",
		"2. Phạm Văn Cá Lồng, sinh năm 1994, Chi đoàn Tổ dân phố 4", "Mô hình nuôi cá lồng cho 8 hộ thanh niên.", "Thu nhập tăng gấp đôi.",
		"2. " + fields[2] + " (1 người)", "3. Trần Số Hóa, sinh năm 2001, Chi đoàn Trường THCS", "Dạy kỹ năng số",
		"3. Khác (1 người)", "4. Võ Thể Thao, sinh năm 1999",
		"Trên đây là danh sách", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
	} {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("%q is missing or out of order; the file reads:\n%s", want, text)
		}
		rest = rest[i+len(want):]
	}
	if strings.Contains(text, "Người Bị Bỏ Ra") || strings.Contains(text, "0912345678") {
		t.Error("a nominee left out is in the list")
	}
	render(t, file, "danh-sach-khen-thuong")
}
