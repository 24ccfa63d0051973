package paperwork_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"loa/content"
	"loa/functions/paperwork"
	"loa/functions/vntext"
)

var topics = []string{
	"Công tác đoàn kết, tập hợp đoàn viên, thanh niên",
	"Chính sách hỗ trợ đào tạo sau đại học, thu hút nhân tài, khuyến khích tài năng; hướng nghiệp và việc làm",
	"Vai trò của thanh niên trong chuyển đổi số, xây dựng đô thị văn minh",
}

func at(day, hour int) time.Time {
	return time.Date(2023, 4, day, hour, 0, 0, 0, vntext.Location)
}

// sample is a ward's questions: two that say the same thing with and
// without marks, one off topic, one in "Khác".
func sample() []paperwork.Question {
	return []paperwork.Question{
		{ID: "aaaaaaaaaaa1", Time: at(2, 9), Topic: topics[2], Group: "Chi đoàn Tổ dân phố 1", Name: "Nguyễn Văn An",
			Text: "Phường có mở lớp kỹ năng số cho thanh niên không?"},
		{ID: "aaaaaaaaaaa2", Time: at(3, 9), Topic: topics[2], Group: "Chi đoàn Tổ dân phố 2", Name: "Trần Thị Bình",
			Text: "phuong co mo lop ky nang so cho thanh nien khong"},
		{ID: "aaaaaaaaaaa3", Time: at(2, 10), Topic: topics[1], Group: "Chi đoàn Trường THCS", Name: "Lê Minh Châu",
			Text: "Thanh niên học sau đại học được hỗ trợ học phí thế nào?"},
		{ID: "aaaaaaaaaaa4", Time: at(1, 8), Topic: topics[0], Group: "Chi đoàn Tổ dân phố 3", Name: "Phạm Đức Dũng",
			Text: "Làm sao để tập hợp thanh niên đi làm ăn xa tham gia sinh hoạt chi đoàn?"},
		{ID: "aaaaaaaaaaa5", Time: at(4, 8), Topic: topics[0], Group: "Chi đoàn Tổ dân phố 3", Name: "Hoàng Thu Hà",
			Text: "Bán xe máy cũ, liên hệ 0912345678"},
		{ID: "aaaaaaaaaaa6", Time: at(5, 8), Topic: "Khác", Group: "Khác", Name: "Vũ Hải",
			Text: "Khi nào sân bóng của phường được sửa?"},
		{ID: "aaaaaaaaaaa7", Time: at(6, 8), Topic: topics[2], Group: "Chi đoàn Tổ dân phố 1", Name: "Đỗ Lan",
			Text: "Phường có mở lớp Kỹ Năng Số cho thanh niên không ạ?"},
	}
}

func TestSimilarFoldsVietnamese(t *testing.T) {
	pairs := paperwork.Similar(sample(), nil, 0)
	has := func(a, b string) bool {
		return slices.ContainsFunc(pairs, func(p paperwork.Pair) bool { return p.A == a && p.B == b || p.A == b && p.B == a })
	}
	if !has("aaaaaaaaaaa1", "aaaaaaaaaaa2") {
		t.Errorf("“kỹ năng số” and “ky nang so” were not paired: %v", pairs)
	}
	if !has("aaaaaaaaaaa1", "aaaaaaaaaaa7") {
		t.Errorf("a question in other capitals was not paired: %v", pairs)
	}
	if has("aaaaaaaaaaa3", "aaaaaaaaaaa4") {
		t.Errorf("two different questions were paired: %v", pairs)
	}
	merged := map[string]paperwork.Choice{"aaaaaaaaaaa2": {Into: "aaaaaaaaaaa1"}, "aaaaaaaaaaa7": {Into: "aaaaaaaaaaa2"}}
	if p := paperwork.Similar(sample(), merged, 0); len(p) != 0 {
		t.Errorf("questions merged together are paired again: %v", p)
	}
}

func TestCompile(t *testing.T) {
	choices := map[string]paperwork.Choice{
		"aaaaaaaaaaa2": {Into: "aaaaaaaaaaa1"},
		"aaaaaaaaaaa7": {Into: "aaaaaaaaaaa2"}, // a chain ends in …1
		"aaaaaaaaaaa5": {Out: true},
	}
	secs := paperwork.Compile(topics, sample(), choices)
	var got []string
	for _, s := range secs {
		for _, e := range s.Entries {
			got = append(got, s.Topic[:5]+" "+e.ID+" "+strings.Repeat("+", len(e.Askers)))
		}
	}
	want := []string{
		topics[0][:5] + " aaaaaaaaaaa4 +",
		topics[1][:5] + " aaaaaaaaaaa3 +",
		topics[2][:5] + " aaaaaaaaaaa1 +++",
		"Khác aaaaaaaaaaa6 +",
	}
	if !slices.Equal(got, want) {
		t.Errorf("compiled\n%q\nwant\n%q", got, want)
	}
	// A loop of merges leaves both out rather than hang or double count.
	loop := map[string]paperwork.Choice{"aaaaaaaaaaa1": {Into: "aaaaaaaaaaa2"}, "aaaaaaaaaaa2": {Into: "aaaaaaaaaaa1"}}
	for _, s := range paperwork.Compile(topics, sample(), loop) {
		for _, e := range s.Entries {
			if e.ID == "aaaaaaaaaaa1" || e.ID == "aaaaaaaaaaa2" {
				t.Errorf("a loop of merges was compiled: %+v", e)
			}
		}
	}
	// Merged into a question that is left out: out with it.
	out := map[string]paperwork.Choice{"aaaaaaaaaaa2": {Into: "aaaaaaaaaaa1"}, "aaaaaaaaaaa1": {Out: true}}
	for _, s := range paperwork.Compile(topics, sample(), out) {
		for _, e := range s.Entries {
			for _, a := range e.Askers {
				if a.ID == "aaaaaaaaaaa2" {
					t.Errorf("a question merged into one left out was compiled")
				}
			}
		}
	}
}

// TestQuestionsDocument makes the compiled questions from the ward's own
// settings and reference document, reads the file back with pandoc and
// checks every kept question in order under its lĩnh vực, then renders it
// with LibreOffice to PDF and a PNG of its first page (kept under
// $LOA_SHOTS when set, to look at).
func TestQuestionsDocument(t *testing.T) {
	pandoc := lookPath(t, "pandoc is missing: install Debian's pandoc package (make tools)", "pandoc")
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	choices := map[string]paperwork.Choice{"aaaaaaaaaaa2": {Into: "aaaaaaaaaaa1"}, "aaaaaaaaaaa5": {Out: true}}
	secs := paperwork.Compile(topics, sample(), choices)
	dir := t.TempDir()
	for _, names := range []bool{false, true} {
		file := filepath.Join(dir, "tong-hop.docx")
		if names {
			file = filepath.Join(dir, "tong-hop-ten.docx")
		}
		if err := os.WriteFile(file, o.Questions(secs, paperwork.QuestionsOptions{Names: names, Day: at(18, 9)}).Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(pandoc, "--sandbox", "-f", "docx", "-t", "plain", "--wrap=none", file).Output()
		if err != nil {
			t.Fatalf("pandoc cannot read the compiled questions: %v", err)
		}
		text := string(out)
		// In order: the header, the kind, the counts, then each lĩnh vực
		// and its questions.
		order := []string{
			// pandoc reads the header block's table row by row.
			"ỦY BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHƯỜNG BẠCH SAM", "Độc lập - Tự do - Hạnh phúc",
			"Số:", "/BC-UBND", "Bạch Sam, ngày 18 tháng 4 năm 2023",
			"BÁO CÁO", "Tổng hợp câu hỏi của đoàn viên",
			"I. SỐ LƯỢNG CÂU HỎI", "Tổng số: 5 câu hỏi (6 lượt hỏi",
			"- " + topics[0] + ": 1 câu hỏi;", "- Khác: 1 câu hỏi.",
			"II. NỘI DUNG CÂU HỎI THEO LĨNH VỰC",
			"1. " + topics[0] + " (1 câu hỏi)", "Câu 1. Làm sao để tập hợp thanh niên",
			"2. " + topics[1] + " (1 câu hỏi)", "Câu 2. Thanh niên học sau đại học",
			"3. " + topics[2] + " (2 câu hỏi)", "Câu 3. Phường có mở lớp kỹ năng số", "Câu 4. Phường có mở lớp Kỹ Năng Số",
			"4. Khác (1 câu hỏi)", "Câu 5. Khi nào sân bóng",
			"Trên đây là tổng hợp", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH",
		}
		if names {
			order = slices.Insert(order, 20, "(2 người hỏi: Nguyễn Văn An, Chi đoàn Tổ dân phố 1; Trần Thị Bình, Chi đoàn Tổ dân phố 2)")
		} else {
			order = slices.Insert(order, 20, "(2 người hỏi: Chi đoàn Tổ dân phố 1; Chi đoàn Tổ dân phố 2)")
		}
		rest := text
		for _, want := range order {
			i := strings.Index(rest, want)
			if i < 0 {
				t.Fatalf("names %v: %q is missing or out of order; the file reads:\n%s", names, want, text)
			}
			rest = rest[i+len(want):]
		}
		if strings.Contains(text, "Bán xe máy") || strings.Contains(text, "0912345678") {
			t.Errorf("a question left out is in the file")
		}
		if !names && strings.Contains(text, "Nguyễn Văn An") {
			t.Errorf("a name is in the file without the box ticked")
		}
	}
	render(t, filepath.Join(dir, "tong-hop.docx"), "tong-hop-cau-hoi")
}

func lookPath(t *testing.T, missing, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test drives %s", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatal(missing)
	}
	return p
}

// render converts a .docx to PDF with LibreOffice and its first page to a
// PNG, checks the PDF's text, and keeps both under $LOA_SHOTS when set.
func render(t *testing.T, docxFile, name string) {
	t.Helper()
	soffice := lookPath(t, "LibreOffice is missing: install Debian's libreoffice-writer-nogui package (make tools)", "soffice")
	lookPath(t, "pdftoppm is missing: install Debian's poppler-utils package (make tools)", "pdftoppm")
	dir := filepath.Dir(docxFile)
	profile := "file://" + filepath.Join(t.TempDir(), "lo-profile")
	cmd := exec.Command(soffice, "-env:UserInstallation="+profile, "--headless", "--convert-to", "pdf", "--outdir", dir, docxFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice: %v\n%s", err, out)
	}
	pdf := strings.TrimSuffix(docxFile, ".docx") + ".pdf"
	txt, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if !strings.Contains(string(txt), "BÁO CÁO") && !strings.Contains(string(txt), "GIẤY MỜI") && !strings.Contains(string(txt), "DANH SÁCH") {
		t.Errorf("the PDF shows no kind of document:\n%s", txt)
	}
	png := filepath.Join(dir, name)
	if out, err := exec.Command("pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", pdf, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	if shots := os.Getenv("LOA_SHOTS"); shots != "" {
		os.MkdirAll(shots, 0o755)
		for _, f := range []string{pdf, png + ".png"} {
			if b, err := os.ReadFile(f); err == nil {
				ext := filepath.Ext(f)
				os.WriteFile(filepath.Join(shots, name+ext), b, 0o644)
			}
		}
	}
}
