package wordimport

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"loa/build/builder"
	"loa/build/internal/tooltest"
	"loa/content"
	"loa/functions/vntext"
)

// importDay is "today" for the imports of the tests; buildDay is when
// their site is built.
var (
	importDay = time.Date(2023, 4, 1, 9, 0, 0, 0, vntext.Location)
	buildDay  = time.Date(2023, 4, 12, 9, 0, 0, 0, vntext.Location)
)

const seedPage = "../../content/ke-hoach/doi-thoai-thanh-nien-2023/index.md"

// wardContent copies the ward's content folder into a temporary folder
// the test may write into.
func wardContent(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dst, os.DirFS("../../content")); err != nil {
		t.Fatal(err)
	}
	return dst
}

func needPandoc(t *testing.T) {
	t.Helper()
	tooltest.LookPath(t, ErrNoPandoc.Error(), "pandoc")
}

func importFixture(t *testing.T, dir, fixture string, opts Options) *Result {
	t.Helper()
	needPandoc(t)
	opts.File = filepath.Join("testdata", fixture)
	opts.Content = dir
	if opts.Now.IsZero() {
		opts.Now = importDay
	}
	res, err := Import(opts)
	if err != nil {
		t.Fatalf("import %s: %v", fixture, err)
	}
	return res
}

// page is a page's front matter as written, with the keys the builder knows.
type page struct {
	Title       string       `yaml:"title"`
	Date        string       `yaml:"date"`
	Summary     string       `yaml:"summary"`
	Tags        []string     `yaml:"tags"`
	Document    document     `yaml:"document"`
	Attachments []attachment `yaml:"attachments"`
	Body        string       `yaml:"-"`
}

type attachment struct {
	File  string `yaml:"file"`
	Title string `yaml:"title"`
}

type document struct {
	Kind       string   `yaml:"kind"`
	Motto      string   `yaml:"motto"`
	Issuer     []string `yaml:"issuer"`
	Number     string   `yaml:"number"`
	Place      string   `yaml:"place"`
	Issued     string   `yaml:"issued"`
	Addressees []string `yaml:"addressees"`
	Signature  []string `yaml:"signature"`
	Signer     string   `yaml:"signer"`
	Recipients []string `yaml:"recipients"`
}

func readPage(t *testing.T, file string) page {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	front, body, _, ok := content.FrontMatter(data)
	if !ok {
		t.Fatalf("%s: no front matter", file)
	}
	var p page
	dec := yaml.NewDecoder(bytes.NewReader(front))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	p.Body = string(body)
	return p
}

// buildSite builds dir as the build command does and returns the output.
func buildSite(t *testing.T, dir string) string {
	t.Helper()
	return buildSiteWith(t, dir, builder.Options{Now: buildDay})
}

// buildSiteWith builds dir with opts.
func buildSiteWith(t *testing.T, dir string, opts builder.Options) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	cfs, err := content.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts.Content, opts.ContentDir, opts.Out = cfs, dir, out
	if _, err := builder.Build(opts); err != nil {
		t.Fatalf("build: %v", err)
	}
	return out
}

// seenText is the text of an HTML page a reader sees: its body, without
// scripts, styles and what is hidden.
func seenText(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for n := range doc.Descendants() {
		if n.Type != html.TextNode || hidden(n.Parent) {
			continue
		}
		b.WriteString(n.Data + " ")
	}
	return b.String()
}

func hidden(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n.Type != html.ElementNode {
			continue
		}
		if n.Data == "head" || n.Data == "script" || n.Data == "style" || n.Data == "template" {
			return true
		}
		for _, a := range n.Attr {
			if a.Key == "hidden" || a.Key == "aria-hidden" && a.Val == "true" {
				return true
			}
		}
	}
	return false
}

func wordsOf(s string) []string {
	return strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// TestSeedPlan imports the seed plan as written by LibreOffice and by
// pandoc over the seed page: the front matter equals the seed page's and
// the built page has every word of the original, in order.
func TestSeedPlan(t *testing.T) {
	seedText, err := os.ReadFile("../testdata/seed-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := readPage(t, seedPage)
	for _, fixture := range []string{"seed-lo.docx", "seed-pandoc.docx"} {
		t.Run(fixture, func(t *testing.T) {
			dir := wardContent(t)
			res := importFixture(t, dir, fixture, Options{Slug: "doi-thoai-thanh-nien-2023", Force: true})
			if !res.Replaced {
				t.Error("the seed page was not reported as replaced")
			}
			got := readPage(t, res.Page)
			want := want
			if fixture == "seed-pandoc.docx" {
				// This copy names the body above the ward, over its name.
				want.Document.Issuer = append([]string{"UBND THỊ XÃ MỸ HÀO"}, want.Document.Issuer...)
			}
			if !reflect.DeepEqual(got.Document, want.Document) {
				t.Errorf("document:\n got %+v\nwant %+v", got.Document, want.Document)
			}
			if got.Title != want.Title {
				t.Errorf("title %q, want %q", got.Title, want.Title)
			}
			if got.Date != "2023-04-01" { // the issue date lacks day and month: today
				t.Errorf("date %q, want today, 2023-04-01", got.Date)
			}
			if got.Body != want.Body {
				t.Errorf("the body differs from the seed page's Markdown:\n%s", got.Body)
			}
			if want := []attachment{{fixture, "Văn bản gốc (Word)"}}; !reflect.DeepEqual(got.Attachments, want) {
				t.Errorf("attachments %+v, want %+v", got.Attachments, want)
			}
			if _, err := os.Stat(filepath.Join(res.Dir, fixture)); err != nil {
				t.Errorf("the original is not in the bundle: %v", err)
			}

			out := buildSite(t, dir)
			gotWords := wordsOf(seenText(t, filepath.Join(out, "ke-hoach", "doi-thoai-thanh-nien-2023", "index.html")))
			wantWords := wordsOf(string(seedText))
			i := 0
			for _, w := range gotWords {
				if i < len(wantWords) && w == wantWords[i] {
					i++
				}
			}
			if i < len(wantWords) {
				t.Fatalf("the page has the seed's words only up to word %d of %d; missing from: %q", i, len(wantWords), strings.Join(wantWords[i:min(i+12, len(wantWords))], " "))
			}
			if _, err := os.Stat(filepath.Join(out, "ke-hoach", "doi-thoai-thanh-nien-2023", strings.TrimSuffix(fixture, ".docx")+".docx")); err != nil {
				t.Errorf("the original .docx is not published with the page: %v", err)
			}

			rep := res.Report.String()
			for _, s := range []string{"Đã nhận: loại văn bản (KẾ HOẠCH), tên văn bản, cơ quan ban hành, số, địa danh, ngày ban hành, nơi nhận (5 nơi), phần chữ ký (TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH), người ký",
				"Số văn bản còn để trống", "Ngày ban hành còn để trống ngày, tháng", "Ngày đăng (date) tạm lấy là hôm nay, 01/04/2023"} {
				if !strings.Contains(rep, s) {
					t.Errorf("report lacks %q:\n%s", s, rep)
				}
			}
			if strings.Contains(rep, "Không tìm thấy") {
				t.Errorf("report misses something:\n%s", rep)
			}
		})
	}
}

// TestHeaderAsParagraphs: an announcement without a header table, signed
// for the chairman, goes into thong-bao dated its issue date.
func TestHeaderAsParagraphs(t *testing.T) {
	dir := wardContent(t)
	res := importFixture(t, dir, "paragraphs.docx", Options{})
	if want := filepath.Join(dir, "thong-bao", "ve-viec-nhan-cau-hoi-cho-buoi-doi-thoai-voi-thanh-nien"); res.Dir != want {
		t.Errorf("written to %s, want %s", res.Dir, want)
	}
	got := readPage(t, res.Page)
	want := document{Kind: "THÔNG BÁO", Issuer: []string{"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM"}, Number: "15/TB-UBND", Place: "Bạch Sam",
		Issued: "2023-04-05", Signature: []string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"}, Signer: "Nguyễn Văn An",
		Recipients: []string{"Đoàn phường;", "Lưu: VT."}}
	if !reflect.DeepEqual(got.Document, want) {
		t.Errorf("document:\n got %+v\nwant %+v", got.Document, want)
	}
	if got.Date != "2023-04-05" || got.Title != "Về việc nhận câu hỏi cho buổi đối thoại với thanh niên" {
		t.Errorf("date %q, title %q", got.Date, got.Title)
	}
	for _, s := range []string{"### 1. Thời gian nhận câu hỏi\n", "- Gửi qua trang thông tin điện tử của phường;\n", "Đề nghị các chi đoàn phổ biến rộng rãi./.\n"} {
		if !strings.Contains(got.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, got.Body)
		}
	}
	if strings.Contains(got.Body, "CỘNG HÒA") || strings.Contains(got.Body, "Nơi nhận") || strings.Contains(got.Body, "Nguyễn Văn An") {
		t.Errorf("the header or closing block is left in the body:\n%s", got.Body)
	}
	if strings.Contains(res.Report.String(), "Không tìm thấy") {
		t.Errorf("report:\n%s", res.Report)
	}
	buildSite(t, dir)
}

// TestOnlyRecipients: a closing block with "Nơi nhận" and no signature.
func TestOnlyRecipients(t *testing.T) {
	dir := wardContent(t)
	res := importFixture(t, dir, "recipients.docx", Options{})
	got := readPage(t, res.Page)
	if want := []string{"Các tổ dân phố;", "Lưu: VT."}; !reflect.DeepEqual(got.Document.Recipients, want) {
		t.Errorf("recipients %q, want %q", got.Document.Recipients, want)
	}
	if got.Document.Signer != "" || got.Document.Issued != "2023-04" || got.Document.Number != "21/KH-UBND" {
		t.Errorf("document %+v", got.Document)
	}
	rep := res.Report.String()
	for _, s := range []string{"Không tìm thấy người ký.", "Ngày ban hành còn để trống ngày\n", "nơi nhận (2 nơi)"} {
		if !strings.Contains(rep, s) {
			t.Errorf("report lacks %q:\n%s", s, rep)
		}
	}
	if strings.TrimSpace(got.Body) != "Các tổ dân phố ra quân tổng vệ sinh vào sáng Chủ nhật cuối tháng./." {
		t.Errorf("body:\n%s", got.Body)
	}
	buildSite(t, dir)
}

// TestTableAndImage: a table becomes a pipe table, an image a file of the
// bundle linked relatively.
func TestTableAndImage(t *testing.T) {
	dir := wardContent(t)
	res := importFixture(t, dir, "table-image.docx", Options{Section: "ke-hoach", Slug: "cho-ngoi"})
	got := readPage(t, res.Page)
	for _, s := range []string{
		"## I. SƠ ĐỒ HỘI TRƯỜNG\n\n![Sơ đồ hội trường](anh-1.png)\n\n## II. PHÂN CÔNG\n",
		"| Khu vực | Đơn vị | Số ghế |\n| --- | --- | --- |\n| Dãy A | Đoàn phường \\| chi đoàn 1 | 20 |\n| Dãy B | **Đại biểu** mời | 15 |\n",
	} {
		if !strings.Contains(got.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, got.Body)
		}
	}
	img, err := os.ReadFile(filepath.Join(res.Dir, "anh-1.png"))
	if err != nil || !bytes.HasPrefix(img, []byte("\x89PNG")) {
		t.Errorf("anh-1.png: %v (%d bytes)", err, len(img))
	}
	if got.Date != "2023-04-10" || got.Document.Signer != "Đào Trường Giang" {
		t.Errorf("date %q, document %+v", got.Date, got.Document)
	}
	out := buildSite(t, dir)
	pageHTML, err := os.ReadFile(filepath.Join(out, "ke-hoach", "cho-ngoi", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(pageHTML), `alt="Sơ đồ hội trường"`) || !strings.Contains(string(pageHTML), "/ke-hoach/cho-ngoi/anh-1.") {
		t.Errorf("the image is not on the page")
	}
	text := seenText(t, filepath.Join(out, "ke-hoach", "cho-ngoi", "index.html"))
	if !strings.Contains(text, "Đoàn phường | chi đoàn 1") {
		t.Errorf("the table is not on the page: %s", text)
	}
}

// entries lists every file and folder under dir, hidden ones too.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		out = append(out, p)
		return nil
	})
	return out
}

// TestBadFiles: a file that is not a .docx gets a clear error naming it,
// and nothing is written.
func TestBadFiles(t *testing.T) {
	for _, tc := range []struct{ fixture, want string }{
		{"not-a-zip.docx", "không phải văn bản Word .docx"},
		{"damaged.docx", "tệp .docx bị hỏng"},
		{"password.docx", "văn bản được đặt mật khẩu"},
		{"khong-co.docx", "không có tệp này"},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := wardContent(t)
			before := entries(t, dir)
			_, err := Import(Options{File: filepath.Join("testdata", tc.fixture), Content: dir, Now: importDay})
			if err == nil {
				t.Fatal("imported")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, filepath.Join("testdata", tc.fixture)+": ") || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "cần") {
				t.Errorf("error %q: want the file, %q and what is needed", msg, tc.want)
			}
			if after := entries(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the content folder changed:\n%q\n%q", before, after)
			}
		})
	}
}

// TestImportTwice: a second import of one page is refused, and with
// Force replaces it, leaving no folder behind.
func TestImportTwice(t *testing.T) {
	dir := wardContent(t)
	res := importFixture(t, dir, "recipients.docx", Options{Slug: "ve-sinh"})
	if err := os.WriteFile(res.Page, []byte("edited by staff"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := entries(t, dir)
	_, err := Import(Options{File: "testdata/recipients.docx", Content: dir, Slug: "ve-sinh", Now: importDay})
	if err == nil || !strings.Contains(err.Error(), "đã có trang này, không ghi đè") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second import: %v", err)
	}
	if data, _ := os.ReadFile(res.Page); string(data) != "edited by staff" {
		t.Error("the page was overwritten")
	}
	if after := entries(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("the content folder changed:\n%q\n%q", before, after)
	}

	again := importFixture(t, dir, "recipients.docx", Options{Slug: "ve-sinh", Force: true})
	if !again.Replaced || !strings.Contains(again.Report.String(), "Đã thay trang có sẵn") {
		t.Errorf("replaced %v, report:\n%s", again.Replaced, again.Report)
	}
	if readPage(t, again.Page).Document.Number != "21/KH-UBND" {
		t.Error("the page was not replaced")
	}
	if after := entries(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("files left behind:\n%q\n%q", before, after)
	}

	// A page of the same address as a single file is never replaced.
	if err := os.WriteFile(filepath.Join(dir, "ke-hoach", "mot-tep.md"), []byte("---\ntitle: a\ndate: 2023-01-01\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Import(Options{File: "testdata/recipients.docx", Content: dir, Slug: "mot-tep", Force: true, Now: importDay})
	if err == nil || !strings.Contains(err.Error(), "mot-tep.md: đã có trang cùng địa chỉ") {
		t.Errorf("import over a page file: %v", err)
	}
}

// TestPandocMissing: without pandoc, the error names the package.
func TestPandocMissing(t *testing.T) {
	dir := wardContent(t)
	t.Setenv("PATH", t.TempDir())
	before := entries(t, dir)
	_, err := Import(Options{File: "testdata/seed-pandoc.docx", Content: dir, Now: importDay})
	if !errors.Is(err, ErrNoPandoc) || !strings.Contains(err.Error(), "pandoc is missing: install Debian's pandoc package (apt-get install pandoc)") {
		t.Fatalf("error %v", err)
	}
	if after := entries(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("the content folder changed")
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{{Section: "tin-tuc"}, {Slug: "Kế hoạch"}} {
		o.File, o.Content = "testdata/seed-pandoc.docx", t.TempDir()
		if _, err := Import(o); err == nil || !strings.Contains(err.Error(), "cần") {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

// TestOversizedDocx: a small .docx that unpacks to more than a document
// holds (a text of 31 MB, a photo of 51 MB, 5,001 parts, all zeros that
// compress to almost nothing) is refused before pandoc reads it, naming
// the file and the part, and nothing is written.
func TestOversizedDocx(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed-pandoc.docx")
	if err != nil {
		t.Fatal(err)
	}
	// withEntries is the seed plan's .docx with its entries changed by edit.
	withEntries := func(name string, edit func(w *zip.Writer, e *zip.File) bool, extra func(w *zip.Writer)) string {
		zr, err := zip.NewReader(bytes.NewReader(seed), int64(len(seed)))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), name)
		f, err := os.Create(file)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, e := range zr.File {
			if edit(zw, e) {
				continue
			}
			if err := zw.Copy(e); err != nil {
				t.Fatal(err)
			}
		}
		extra(zw)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		return file
	}
	zeros := func(w *zip.Writer, name string, n int) {
		hw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(hw, io.LimitReader(zeroReader{}, int64(n))); err != nil {
			t.Fatal(err)
		}
	}
	keep := func(*zip.Writer, *zip.File) bool { return false }
	for _, tc := range []struct {
		file, want string
	}{
		{withEntries("van-ban-dai.docx", func(w *zip.Writer, e *zip.File) bool {
			if e.Name != "word/document.xml" {
				return false
			}
			zeros(w, e.Name, 31<<20)
			return true
		}, func(*zip.Writer) {}), "phần word/document.xml của tệp .docx lớn hơn 30 MB"},
		{withEntries("anh-lon.docx", keep, func(w *zip.Writer) { zeros(w, "word/media/image9.png", 51<<20) }), "phần word/media/image9.png của tệp .docx lớn hơn 50 MB"},
		{withEntries("nhieu-phan.docx", keep, func(w *zip.Writer) {
			for i := range 5001 {
				zeros(w, fmt.Sprintf("customXml/item%d.xml", i), 1)
			}
		}), "nhiều hơn 5000 phần"},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			needPandoc(t)
			if fi, _ := os.Stat(tc.file); fi.Size() > 1<<20 {
				t.Fatalf("the crafted file is %d bytes; it should be small", fi.Size())
			}
			dir := wardContent(t)
			before := entries(t, dir)
			_, err := Import(Options{File: tc.file, Content: dir, Now: importDay})
			if err == nil || !strings.HasPrefix(err.Error(), tc.file+": ") || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cần") {
				t.Fatalf("error %v, want the file, %q and what is needed", err, tc.want)
			}
			if after := entries(t, dir); !reflect.DeepEqual(before, after) {
				t.Errorf("the content folder changed")
			}
		})
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestImportOverBuilderPage: a document whose title would give it the
// address of a page the builder makes (a kind's page of the register,
// /van-ban/thong-bao/) is refused, saying what to do, and nothing is
// written, rather than written to stop the build.
func TestImportOverBuilderPage(t *testing.T) {
	dir := wardContent(t)
	before := entries(t, dir)
	_, err := Import(Options{File: "testdata/corpus/cv-ubnd-lam-dong-y-kien-cv-4409-bca-2025.docx", Content: dir, Now: importDay, Slug: "thong-bao"})
	if err == nil || !strings.Contains(err.Error(), "trùng với địa chỉ của sổ văn bản") || !strings.Contains(err.Error(), "cần") {
		t.Fatalf("error %v, want the address taken by the register and what to do", err)
	}
	if after := entries(t, dir); !reflect.DeepEqual(before, after) {
		t.Error("the content folder changed")
	}
}
