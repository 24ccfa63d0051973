// Command gen makes the Word fixtures of package wordimport's tests. Run it
// from the module's root after changing it or the seed plan:
//
//	go run ./build/wordimport/testdata/gen
//
// It writes HTML sources of each document, in a temporary folder, in the Decree 30/2020/NĐ-CP
// layout (the seed plan from build/testdata/seed-plan.txt, word for word),
// a reference document for pandoc (its default, in Times New Roman 14 pt as
// the decree asks), a small PNG, and then the .docx files: the seed plan
// once by LibreOffice (soffice --headless --convert-to docx) and once by
// pandoc, the others by pandoc. It also writes the broken files: one that
// is not a zip, one cut short, one password-protected (the start of an OLE
// compound file naming the EncryptionInfo stream, as Office writes it).
// The tests read only the results; they need pandoc, not LibreOffice.
package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// dir is where the fixtures go; work, where their sources are written
// (they are made again from this program, so they are not kept).
const dir = "build/wordimport/testdata"

var work string

func main() {
	log.SetFlags(0)
	seed, err := os.ReadFile("build/testdata/seed-plan.txt")
	if err != nil {
		log.Fatalf("%v (run from the module's root)", err)
	}
	body, closing := seedBody(string(seed))
	if work, err = os.MkdirTemp("", "wordimport-gen-*"); err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	// The seed plan, laid out twice with different issuer lines and title
	// breaks: a name broken over two lines, and a superior body above it.
	write("seed-lo.html", page(
		headerTable([]string{"ỦY BAN NHÂN DÂN", "PHƯỜNG BẠCH SAM"}, "Số:"+blanks(6)+"/KH-UBND", "Bạch Sam, ngày"+blanks(5)+"tháng"+blanks(5)+"năm 2023"),
		"<p><b>KẾ HOẠCH</b></p>\n<p><b>Tổ chức Chương trình đối thoại giữa Lãnh đạo UBND phường với thanh niên</b></p>\n<p><b>trên địa bàn phường Bạch Sam năm 2023</b></p>\n<p>-----------------</p>\n"+body+closing))
	write("seed-pandoc.html", page(
		headerTable([]string{"UBND THỊ XÃ MỸ HÀO", "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, "Số:"+blanks(6)+"/KH-UBND", "Bạch Sam, ngày"+blanks(5)+"tháng"+blanks(5)+"năm 2023"),
		"<p><b>KẾ HOẠCH</b></p>\n<p><b>Tổ chức Chương trình đối thoại giữa Lãnh đạo UBND phường với thanh niên<br>trên địa bàn phường Bạch Sam năm 2023</b></p>\n"+body+closing))

	// An announcement whose header is paragraphs, signed for the chairman.
	write("paragraphs.html", page(`<p><b>ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM</b></p>
<p><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p>
<p><b>Độc lập - Tự do - Hạnh phúc</b></p>
<p>Số: 15/TB-UBND</p>
<p><i>Bạch Sam, ngày 05 tháng 4 năm 2023</i></p>
<p><b>THÔNG BÁO</b></p>
<p><b>Về việc nhận câu hỏi cho buổi đối thoại với thanh niên</b></p>
<p>Ủy ban nhân dân phường thông báo đến đoàn viên, thanh niên trên địa bàn phường như sau:</p>
<p><b>1. Thời gian nhận câu hỏi</b></p>
<p>Từ ngày 05/4/2023 đến hết ngày 19/4/2023.</p>
<p><b>2. Cách gửi</b></p>
<p>- Gửi qua trang thông tin điện tử của phường;</p>
<p>- Gửi trực tiếp tại Văn phòng UBND phường.</p>
<p>Đề nghị các chi đoàn phổ biến rộng rãi./.</p>
<p><b><i>Nơi nhận:</i></b></p>
<p>- Đoàn phường;</p>
<p>- Lưu: VT.</p>
<p><b>KT. CHỦ TỊCH</b></p>
<p><b>PHÓ CHỦ TỊCH</b></p>
<p></p>
<p><b>Nguyễn Văn An</b></p>
`, ""))

	// A plan whose closing block has only "Nơi nhận", issued in a known month.
	write("recipients.html", page(
		headerTable([]string{"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, "Số: 21/KH-UBND", "Bạch Sam, ngày"+blanks(5)+"tháng 4 năm 2023"),
		`<p><b>KẾ HOẠCH</b></p>
<p><b>Tổng vệ sinh môi trường tháng 4 năm 2023</b></p>
<p>Các tổ dân phố ra quân tổng vệ sinh vào sáng Chủ nhật cuối tháng./.</p>
<table><tr><td><p><b><i>Nơi nhận:</i></b></p><p>- Các tổ dân phố;</p><p>- Lưu: VT.</p></td><td><p></p></td></tr></table>
`))

	// A plan with a table and an image in its body.
	writePNG("anh.png")
	write("table-image.html", page(
		headerTable([]string{"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, "Số:"+blanks(6)+"/KH-UBND", "Bạch Sam, ngày 10 tháng 4 năm 2023"),
		`<p><b>KẾ HOẠCH</b></p>
<p><b>Bố trí chỗ ngồi Hội nghị đối thoại</b></p>
<p><b>I. SƠ ĐỒ HỘI TRƯỜNG</b></p>
<p><img src="anh.png" alt="Sơ đồ hội trường"></p>
<p><b>II. PHÂN CÔNG</b></p>
<table>
<thead><tr><th>Khu vực</th><th>Đơn vị</th><th>Số ghế</th></tr></thead>
<tbody>
<tr><td>Dãy A</td><td>Đoàn phường | chi đoàn 1</td><td>20</td></tr>
<tr><td>Dãy B</td><td><b>Đại biểu</b> mời</td><td>15</td></tr>
</tbody>
</table>
<p>Văn phòng UBND phường chuẩn bị hội trường./.</p>
<table><tr><td><p><b><i>Nơi nhận:</i></b></p><p>- Như trên;</p><p>- Lưu: VT.</p></td>
<td><p><b>TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</b></p><p></p><p><b>Đào Trường Giang</b></p></td></tr></table>
`))

	ref := referenceDoc()
	soffice("seed-lo.html", "seed-lo.docx")
	for _, name := range []string{"seed-pandoc", "paragraphs", "recipients", "table-image"} {
		pandoc(ref, name+".html", name+".docx")
	}

	// Files that are not documents to read.
	writeBytes("not-a-zip.docx", []byte("%PDF-1.4\n% a scan saved with the wrong name\n"))
	good, err := os.ReadFile(filepath.Join(dir, "paragraphs.docx"))
	if err != nil {
		log.Fatal(err)
	}
	writeBytes("damaged.docx", good[:len(good)/2])
	writeBytes("password.docx", oleEncrypted())
}

func blanks(n int) string { return strings.Repeat("&nbsp;", n) }

func page(header, rest string) string {
	return "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Văn bản</title></head>\n<body>\n" + header + rest + "</body></html>\n"
}

// headerTable is the header block as a borderless two-column table.
func headerTable(issuer []string, number, date string) string {
	var b strings.Builder
	b.WriteString(`<table style="border:none;border-collapse:collapse;width:100%"><tr><td style="border:none;width:40%">`)
	for _, l := range issuer {
		b.WriteString("<p><b>" + l + "</b></p>")
	}
	b.WriteString("<p>" + number + "</p></td>\n")
	b.WriteString(`<td style="border:none;width:60%"><p><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b></p><p><b>Độc lập - Tự do - Hạnh phúc</b></p><p>---------------</p>`)
	b.WriteString("<p><i>" + date + "</i></p></td></tr></table>\n")
	return b.String()
}

var (
	heading = regexp.MustCompile(`^#+\s+`)
	strong  = regexp.MustCompile(`\*\*(.+?)\*\*`)
	emph    = regexp.MustCompile(`\*(.+?)\*`)
)

// inline writes the seed's Markdown marks as HTML.
func inline(s string) string {
	s = html.EscapeString(strings.ReplaceAll(s, `\*`, "\x00"))
	s = strong.ReplaceAllString(s, "<b>$1</b>")
	s = emph.ReplaceAllString(s, "<i>$1</i>")
	return strings.ReplaceAll(s, "\x00", "*")
}

// seedBody turns the seed plan's text, after its title, into the body's
// paragraphs as a Word user types them (headings bold, "-" and "+" typed),
// and its end into the closing block as a two-column table.
func seedBody(seed string) (body, closing string) {
	ls := strings.Split(seed, "\n")
	start := 0
	for i, l := range ls {
		if strings.HasPrefix(l, "### **Tổ chức") {
			start = i + 1
		}
	}
	var paras [][]string
	var cur []string
	for _, l := range ls[start:] {
		if strings.TrimSpace(l) == "" {
			if cur != nil {
				paras = append(paras, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	if cur != nil {
		paras = append(paras, cur)
	}
	var b, left, right strings.Builder
	inClosing := false
	for _, p := range paras {
		first := heading.ReplaceAllString(p[0], "")
		if strings.Contains(first, "Nơi nhận:") {
			inClosing = true
			left.WriteString("<p><b><i>Nơi nhận:</i></b></p>")
			continue
		}
		if inClosing {
			if strings.HasPrefix(p[0], "- ") {
				for _, l := range p {
					left.WriteString("<p>" + inline(strings.TrimSpace(l)) + "</p>")
				}
				continue
			}
			right.WriteString(para(p))
			right.WriteString("<p></p><p></p>")
			continue
		}
		if heading.MatchString(p[0]) {
			b.WriteString("<p>" + inline(first) + "</p>\n")
			continue
		}
		b.WriteString(para(p) + "\n")
	}
	closing = `<table style="border:none;width:100%"><tr><td style="border:none;width:50%">` + left.String() +
		`</td><td style="border:none;width:50%">` + right.String() + "</td></tr></table>\n"
	return b.String(), closing
}

// para joins a paragraph's lines: a hard break where the Markdown has one.
// Marks may span lines ("**TM. …  \nCHỦ TỊCH**").
func para(p []string) string {
	var b strings.Builder
	for i, l := range p {
		if i > 0 {
			if strings.HasSuffix(p[i-1], "  ") {
				b.WriteString("\x01")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(strings.TrimSpace(l))
	}
	return "<p>" + strings.ReplaceAll(inline(b.String()), "\x01", "<br>") + "</p>"
}

// write writes a source into the work folder.
func write(name, s string) { writeFile(filepath.Join(work, name), []byte(s)) }

// writeBytes writes a fixture.
func writeBytes(name string, data []byte) { writeFile(filepath.Join(dir, name), data) }

func writeFile(name string, data []byte) {
	if err := os.WriteFile(name, data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// writePNG draws a small plan of a hall: a stage and two rows of seats.
func writePNG(name string) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for y := range 40 {
		for x := range 64 {
			c := color.RGBA{245, 245, 240, 255}
			switch {
			case y < 8:
				c = color.RGBA{180, 30, 30, 255}
			case y > 14 && y < 22 && x%8 < 6, y > 26 && y < 34 && x%8 < 6:
				c = color.RGBA{40, 70, 160, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		log.Fatal(err)
	}
	writeFile(filepath.Join(work, name), b.Bytes())
}

// referenceDoc is pandoc's default reference document with the decree's
// font: Times New Roman, 14 pt.
func referenceDoc() string {
	out, err := exec.Command("pandoc", "--print-default-data-file", "reference.docx").Output()
	if err != nil {
		log.Fatalf("pandoc: %v", err)
	}
	z, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		log.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			log.Fatal(err)
		}
		data, _ := io.ReadAll(r)
		r.Close()
		if f.Name == "word/styles.xml" {
			s := string(data)
			s = regexp.MustCompile(`<w:rFonts w:asciiTheme="minorHAnsi"[^>]*/>`).ReplaceAllString(s, `<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman" />`)
			s = strings.Replace(s, `<w:sz w:val="24" />`, `<w:sz w:val="28" />`, 1)
			s = strings.Replace(s, `<w:szCs w:val="24" />`, `<w:szCs w:val="28" />`, 1)
			s = strings.Replace(s, `<w:lang w:val="en-US"`, `<w:lang w:val="vi-VN"`, 1)
			data = []byte(s)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			log.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	writeFile(filepath.Join(work, "reference.docx"), b.Bytes())
	return "reference.docx"
}

// run runs a converter in the work folder.
func run(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Dir = work
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		log.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func pandoc(ref, src, dst string) {
	run("pandoc", "-f", "html", "-t", "docx", "--reference-doc="+ref, "-o", dst, src)
	keep(dst)
	fmt.Println(dst, "(pandoc)")
}

// soffice converts with LibreOffice, importing the HTML as a Writer
// document (not Writer/Web) so that it saves as Word.
func soffice(src, dst string) {
	profile, err := os.MkdirTemp("", "lo-profile-*")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(profile)
	run("soffice", "-env:UserInstallation=file://"+profile, "--headless", "--infilter=HTML (StarWriter)",
		"--convert-to", "docx:MS Word 2007 XML", "--outdir", ".", src)
	if src[:len(src)-len(".html")]+".docx" != dst {
		log.Fatalf("soffice wrote %s.docx, not %s", src, dst)
	}
	keep(dst)
	fmt.Println(dst, "(LibreOffice)")
}

// keep moves a .docx made in the work folder to the fixtures.
func keep(name string) {
	data, err := os.ReadFile(filepath.Join(work, name))
	if err != nil {
		log.Fatal(err)
	}
	writeBytes(name, data)
}

// oleEncrypted is the start of a password-protected .docx: Office wraps
// the encrypted package in an OLE compound file whose directory names the
// streams EncryptionInfo and EncryptedPackage. The header and directory
// sector are enough for a reader to tell; the rest is left out.
func oleEncrypted() []byte {
	b := make([]byte, 1536)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	b[0x18], b[0x1A], b[0x1C], b[0x1D] = 0x3E, 0x03, 0xFE, 0xFF // minor version, version 3, little-endian
	b[0x1E] = 9                                                 // 512-byte sectors
	b[0x20] = 6                                                 // 64-byte mini sectors
	dirEntry := func(off int, name string) {
		for i, r := range name {
			b[off+2*i] = byte(r)
		}
		b[off+0x40] = byte(2*len(name) + 2)
	}
	dirEntry(512, "Root Entry")
	dirEntry(512+128, "EncryptionInfo")
	dirEntry(512+256, "EncryptedPackage")
	return b
}
