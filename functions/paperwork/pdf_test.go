package paperwork_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"loa/content"
	"loa/functions/paperwork"
)

// The invitations as a PDF: one A4 page each, read back by poppler's
// pdftotext with every name, role, the event and the code on its own page
// in order, and each page's QR code, printed at 150 dpi and read by
// ZBar, holding that page's check-in code. The same list makes the same
// bytes.
func TestInvitationsPDF(t *testing.T) {
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	people := []paperwork.Invitee{
		{Name: "Phạm Khách Quý", Role: "Phó Chủ tịch UBND phường", Group: "UBND phường Bạch Sam", Code: "MV-7K3M-9Q2P"},
		{Name: "Nguyễn Thị Ánh Tuyết", Role: "Bí thư", Group: "Chi đoàn Tổ dân phố 1", Code: "MV-ABCD-EFGH"},
		{Name: "Đặng Quốc Hưng", Role: "Đoàn viên", Group: "Chi đoàn Trường THCS Bạch Sam", Code: "MV-2345-6789"},
	}
	b, err := o.InvitationsPDF(people, "https://loa.example.vn/", at(18, 9))
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := o.InvitationsPDF(people, "https://loa.example.vn/", at(18, 9)); !bytes.Equal(again, b) {
		t.Error("the same invitations made twice differ")
	}
	if len(b) > 200<<10 {
		t.Errorf("the PDF of 3 invitations is %d KB: the fonts are not subset", len(b)>>10)
	}

	pdftotext := lookPath(t, "pdftotext is missing: install Debian's poppler-utils package (make tools)", "pdftotext")
	zbarimg := lookPath(t, "zbarimg is missing: install Debian's zbar-tools package (make tools)", "zbarimg")
	dir := t.TempDir()
	file := filepath.Join(dir, "giay-moi.pdf")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command(filepath.Join(filepath.Dir(pdftotext), "pdfinfo"), file).Output()
	if err != nil || !strings.Contains(string(info), "(A4)") || !strings.Contains(strings.Join(strings.Fields(string(info)), " "), fmt.Sprintf("Pages: %d ", len(people))) {
		t.Errorf("pdfinfo (%v):\n%s\nwant %d A4 pages", err, info, len(people))
	}
	for i, p := range people {
		page := fmt.Sprint(i + 1)
		out, err := exec.Command(pdftotext, "-f", page, "-l", page, file, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		// Words only: pdftotext breaks lines where the PDF does.
		rest := strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
		text := rest
		for _, want := range []string{"ỦY BAN NHÂN DÂN", "PHƯỜNG BẠCH SAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Bạch Sam, ngày 18 tháng 4 năm 2023",
			"GIẤY MỜI", "trân trọng kính mời", p.Name, p.Role + " – " + p.Group, "Tới dự: Hội nghị đối thoại",
			"Thời gian: 08 giờ 00 phút, thứ Năm, ngày 27 tháng 4 năm 2023", "Địa điểm: Hội trường",
			"https://loa.example.vn/ke-hoach/doi-thoai-thanh-nien-2023/", "Mã điểm danh: " + p.Code, "TM. ỦY BAN NHÂN DÂN", "Đào Trường Giang"} {
			j := strings.Index(rest, want)
			if j < 0 {
				t.Fatalf("page %d: %q missing or out of order in:\n%s", i+1, want, text)
			}
			rest = rest[j+len(want):]
		}
		for _, other := range people {
			if other != p && strings.Contains(text, other.Name) {
				t.Errorf("page %d holds %s too", i+1, other.Name)
			}
		}

		png := filepath.Join(dir, "trang-"+page)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", page, "-l", page, "-singlefile", file, png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		qr, err := exec.Command(zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
		if got := strings.TrimSpace(string(qr)); err != nil || got != p.Code {
			t.Errorf("page %d: its QR code reads %q (%v), want %s", i+1, got, err, p.Code)
		}
	}
	if shots := os.Getenv("LOA_SHOTS"); shots != "" {
		os.MkdirAll(shots, 0o755)
		os.WriteFile(filepath.Join(shots, "giay-moi.pdf"), b, 0o644)
		if png, err := os.ReadFile(filepath.Join(dir, "trang-1.png")); err == nil {
			os.WriteFile(filepath.Join(shots, "giay-moi-pdf.png"), png, 0o644)
		}
	}
}

// The longest guest the staff page takes (a name of 100 characters, a role
// of 150, a unit of 200, as handler's limits allow) wraps within the text
// column: each invitation stays one A4 page, with every word of them.
func TestInvitationsPDFLongestNames(t *testing.T) {
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	cut := func(s string, n int) string { return strings.TrimSpace(string([]rune(strings.Repeat(s, n))[:n])) }
	long := paperwork.Invitee{
		Name:  cut("Công Tôn Nữ Hoàng Thị Ánh Tuyết ", 100),
		Role:  cut("Phó Trưởng ban Thường trực Ban Chỉ đạo ", 150),
		Group: cut("Ủy ban Mặt trận Tổ quốc Việt Nam phường Bạch Sam ", 200),
		Code:  "MV-7K3M-9Q2P",
	}
	short := paperwork.Invitee{Name: "Đặng Quốc Hưng", Role: "Đoàn viên", Group: "Chi đoàn Tổ dân phố 1", Code: "MV-2345-6789"}
	b, err := o.InvitationsPDF([]paperwork.Invitee{long, short}, "https://loa.example.vn/", at(18, 9))
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		return
	}
	pdftotext := lookPath(t, "pdftotext is missing: install Debian's poppler-utils package (make tools)", "pdftotext")
	file := filepath.Join(t.TempDir(), "giay-moi.pdf")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command(filepath.Join(filepath.Dir(pdftotext), "pdfinfo"), file).Output()
	if err != nil || !strings.Contains(strings.Join(strings.Fields(string(info)), " "), "Pages: 2 ") {
		t.Fatalf("pdfinfo (%v):\n%s\nwant 2 pages, one an invitation", err, info)
	}
	out, err := exec.Command(pdftotext, "-f", "1", "-l", "1", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
	for _, want := range []string{long.Name, long.Role + " – " + long.Group, "Mã điểm danh: " + long.Code, "Đào Trường Giang"} {
		if !strings.Contains(text, want) {
			t.Errorf("page 1 lacks %q:\n%s", want, text)
		}
	}
}
