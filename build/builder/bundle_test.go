package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// pdf returns a small, valid PDF of about size bytes: a page with text,
// padded by a comment stream, as a ward's scan would be (only bigger).
func pdf(size int) string {
	var b strings.Builder
	b.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n")
	for b.Len() < size-40 {
		b.WriteString("% padding of the test file to its size\n")
	}
	b.WriteString("trailer << /Root 1 0 R >>\n%%EOF\n")
	return b.String()
}

func TestBundle(t *testing.T) {
	scan := pdf(1_234_567)
	docx := "PK\x03\x04" + strings.Repeat("x", 2_345) // the size is what the block shows
	dir := t.TempDir()
	files := map[string]string{
		"content/site.yaml": "title: \"Phường Thử\"\nbaseURL: \"https://thu.example.vn/\"\n",
		"content/thong-bao/hop-to-dan-pho-3/index.md": `---
title: "Họp tổ dân phố 3"
date: 2023-04-02
attachments:
  - { file: "Thông báo (bản ký).pdf", title: "Thông báo có chữ ký" }
---
Mời bà con dự họp. Xem [biên bản lần trước](Biên%20bản%20họp.docx) và [thông báo](<Thông báo (bản ký).pdf>).

Một [trang khác](/ke-hoach/) và [một trang web](https://example.vn/a.pdf).
`,
		"content/thong-bao/hop-to-dan-pho-3/" + norm.NFD.String("Thông báo (bản ký).pdf"): scan,
		"content/thong-bao/hop-to-dan-pho-3/Biên bản họp.docx":                            docx,
		"content/thong-bao/hop-to-dan-pho-3/ghi-chu-rieng.txt":                            "không đăng",
	}
	writeTree(t, dir, files)
	out := filepath.Join(dir, "public")
	res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: out, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	page := read(t, out, "thong-bao/hop-to-dan-pho-3/index.html")
	contains(t, "the bundle's page", page,
		`<h2 id="tep-dinh-kem">Tệp đính kèm</h2>`,
		`<a href="/thong-bao/hop-to-dan-pho-3/thong-bao-ban-ky.pdf" download>Thông báo có chữ ký</a> <span class="file-meta">(PDF, 1,2 MB)</span>`,
		`<a href="/thong-bao/hop-to-dan-pho-3/bien-ban-hop.docx" download>biên bản lần trước</a> <span class="file-meta">(Văn bản Word, 2 KB)</span>`,
		`<a href="/thong-bao/hop-to-dan-pho-3/bien-ban-hop.docx">biên bản lần trước</a>`,
		`<a href="/thong-bao/hop-to-dan-pho-3/thong-bao-ban-ky.pdf">thông báo</a>`,
		`<a href="/ke-hoach/">trang khác</a>`, `<a href="https://example.vn/a.pdf">một trang web</a>`)
	if n := strings.Count(page, `thong-bao-ban-ky.pdf" download`); n != 1 {
		t.Errorf("the scan is listed %d times, want once (listed and linked)", n)
	}
	if got := read(t, out, "thong-bao/hop-to-dan-pho-3/thong-bao-ban-ky.pdf"); got != scan {
		t.Errorf("the published scan differs from the file (%d bytes, want %d)", len(got), len(scan))
	}
	if got := read(t, out, "thong-bao/hop-to-dan-pho-3/bien-ban-hop.docx"); got != docx {
		t.Error("the published DOCX differs from the file")
	}
	if exists(out, "thong-bao/hop-to-dan-pho-3/ghi-chu-rieng.txt") {
		t.Error("a file nothing lists or links was published")
	}
	want := "content/thong-bao/hop-to-dan-pho-3/ghi-chu-rieng.txt: không đăng"
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], want) {
		t.Errorf("warnings %q, want one starting %q", res.Warnings, want)
	}
}

func TestBundleErrors(t *testing.T) {
	for _, tc := range []struct{ name, page, want string }{
		{"linked file missing", "---\ntitle: A\ndate: 2023-04-02\n---\nĐoạn một.\n\nXem [bản ký](ban-ky.pdf).\n",
			`content/thong-bao/a/index.md:7: không có tệp "ban-ky.pdf" trong thư mục của trang content/thong-bao/a (đang có: co-that.pdf)`},
		{"listed file missing", "---\ntitle: A\ndate: 2023-04-02\nattachments:\n  - { file: khong-co.pdf }\n---\n",
			`content/thong-bao/a/index.md:5: không có tệp "khong-co.pdf" trong thư mục của trang content/thong-bao/a (đang có: co-that.pdf)`},
		{"attachments not a list", "---\ntitle: A\ndate: 2023-04-02\nattachments: co-that.pdf\n---\n",
			`content/thong-bao/a/index.md:4: phần đầu trang: "attachments" phải là một danh sách`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildTxtar(t, siteYAML+"-- content/thong-bao/a/index.md --\n"+tc.page+"-- content/thong-bao/a/co-that.pdf --\n"+pdf(500), Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v\nwant %s", err, tc.want)
			}
		})
	}
	// A plain page (not a bundle) has no files of its own.
	_, err := buildTxtar(t, siteYAML+"-- content/thong-bao/b.md --\n---\ntitle: B\ndate: 2023-04-02\n---\n[tệp](b.pdf)\n", Options{})
	if want := fmt.Sprintf("content/thong-bao/b.md:5: %q: chỉ trang nằm trong thư mục riêng", "b.pdf"); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestDocumentScan: an official document shows where its signed scan will
// be until it has one, then lists it first.
func TestDocumentScan(t *testing.T) {
	const doc = "---\ntitle: \"Kế hoạch A\"\ndate: 2023-04-02\nsummary: \"Kế hoạch A của phường.\"\ndocument:\n  kind: \"KẾ HOẠCH\"\n  issuer: \"UBND PHƯỜNG THỬ\"\n%s---\nNội dung.\n"
	out := mustBuild(t, siteYAML+"-- content/ke-hoach/a/index.md --\n"+fmt.Sprintf(doc, "")+
		"-- content/ke-hoach/b/index.md --\n"+fmt.Sprintf(doc, "  scan: \"KH ký.pdf\"\n")+
		"-- content/ke-hoach/b/KH ký.pdf --\n"+pdf(300_000), Options{})
	a, b := read(t, out, "ke-hoach/a/index.html"), read(t, out, "ke-hoach/b/index.html")
	contains(t, "a document without its scan", a, "sẽ được đăng tại đây khi có")
	contains(t, "a document with its scan", b, `<a href="/ke-hoach/b/kh-ky.pdf" download>Bản chụp văn bản có chữ ký, đóng dấu</a> <span class="file-meta">(PDF, 300 KB)</span>`)
	if strings.Contains(b, "sẽ được đăng tại đây khi có") {
		t.Error("the document with its scan still says it will come")
	}
}
