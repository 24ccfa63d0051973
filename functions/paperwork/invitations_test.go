package paperwork_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"loa/content"
	"loa/functions/paperwork"
)

// The invitations: one a page, each with the person's name, chi đoàn or
// role, the event, the plan's link, and a QR code that holds their
// check-in code, printed beside it too.
func TestInvitations(t *testing.T) {
	o, err := paperwork.Load(content.FS, "content")
	if err != nil {
		t.Fatal(err)
	}
	people := []paperwork.Invitee{
		{Name: "Nguyễn Văn An", Role: "Bí thư", Group: "Chi đoàn Tổ dân phố 1", Code: "MV-7K3M-9Q2P"},
		{Name: "Trần Thị Bình", Role: "Phó Bí thư", Group: "Chi đoàn Trường THCS", Code: "MV-ABCD-EFGH"},
		{Name: "Lê Khách Mời", Role: "Bí thư Đoàn phường", Code: "MV-2345-6789"},
	}
	d, err := o.Invitations(people, "https://loa.example.vn/", at(18, 9))
	if err != nil {
		t.Fatal(err)
	}
	b := d.Bytes()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		parts[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	if n := strings.Count(string(parts["word/document.xml"]), `<w:sectPr`); n != len(people) {
		t.Errorf("%d sections, want %d: one invitation a page", n, len(people))
	}
	for i, p := range people {
		want, _ := paperwork.QR(p.Code)
		got := parts["word/media/loa-image-"+string(rune('1'+i))+".png"]
		if !bytes.Equal(got, want) {
			t.Errorf("invitation %d: its picture is not the QR code of %s", i+1, p.Code)
		}
	}

	pandoc := lookPath(t, "pandoc is missing: install Debian's pandoc package (make tools)", "pandoc")
	dir := t.TempDir()
	file := filepath.Join(dir, "giay-moi.docx")
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pandoc, "--sandbox", "-f", "docx", "-t", "plain", "--wrap=none", file).Output()
	if err != nil {
		t.Fatalf("pandoc: %v", err)
	}
	rest := string(out)
	for _, p := range people {
		for _, want := range []string{"GIẤY MỜI", p.Name, p.Role, "Tới dự: Hội nghị đối thoại", "Thời gian: 08 giờ 00 phút, thứ Năm, ngày 27 tháng 4 năm 2023",
			"Địa điểm: Hội trường", "https://loa.example.vn/ke-hoach/doi-thoai-thanh-nien-2023/", "Mã điểm danh: " + p.Code, "Đào Trường Giang"} {
			i := strings.Index(rest, want)
			if i < 0 {
				t.Fatalf("%s: %q missing or out of order in:\n%s", p.Name, want, out)
			}
			rest = rest[i+len(want):]
		}
	}
	render(t, file, "giay-moi")
}
