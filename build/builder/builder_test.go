package builder

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"loa/functions/vntext"
)

// now is the time the test sites are built as of.
var now = time.Date(2023, 4, 10, 9, 0, 0, 0, vntext.Location)

const siteYAML = `-- content/site.yaml --
title: "Phường Thử"
tagline: "Trang thử"
baseURL: "https://thu.example.vn/"
menu:
  - { name: "Trang chủ", url: "/" }
  - { name: "Kế hoạch", url: "/ke-hoach/" }
  - { name: "Thông báo", url: "/thong-bao/" }
-- content/ke-hoach/_index.md --
---
title: "Kế hoạch"
weight: 10
kinds: ["Kế hoạch"]
---
-- content/thong-bao/_index.md --
---
title: "Thông báo"
weight: 20
kinds: ["Thông báo"]
---
-- content/data/loai-van-ban.yaml --
items:
  - { name: "Quyết định", heading: "QUYẾT ĐỊNH", slug: "quyet-dinh" }
  - { name: "Thông báo", heading: "THÔNG BÁO", slug: "thong-bao" }
  - { name: "Kế hoạch", heading: "KẾ HOẠCH", slug: "ke-hoach" }
  - { name: "Công văn", heading: "CÔNG VĂN", slug: "cong-van" }
  - { name: "Giấy mời", heading: "GIẤY MỜI", slug: "giay-moi" }
`

// buildTxtar writes the files of a txtar archive under a temporary
// directory, builds its content/ with opts and returns the output folder.
func buildTxtar(t *testing.T, archive string, opts Options) (string, error) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, archiveFiles(archive))
	opts.Content = os.DirFS(filepath.Join(dir, "content"))
	opts.ContentDir = "content"
	if opts.Out == "" {
		opts.Out = filepath.Join(dir, "public")
	}
	if opts.Now.IsZero() {
		opts.Now = now
	}
	_, err := Build(opts)
	return opts.Out, err
}

// archiveFiles reads a whole site written as one text block, Hugo's
// integration-test style: each file starts with a line "-- name --" and
// runs to the next such line (the txtar format, of which the tests need
// only this much; lines before the first name are a comment).
func archiveFiles(archive string) map[string]string {
	files := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(archive, "\n") {
		if n, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "-- "); ok && strings.HasSuffix(n, " --") {
			name = strings.TrimSuffix(n, " --")
			files[name] = ""
			continue
		}
		if name != "" {
			files[name] += line
		}
	}
	return files
}

// writeTree writes files (slash-separated names → contents) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustBuild(t *testing.T, archive string, opts Options) string {
	t.Helper()
	out, err := buildTxtar(t, archive, opts)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return out
}

func read(t *testing.T, out, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(b)
}

func exists(out, name string) bool {
	_, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
	return err == nil
}

func contains(t *testing.T, name, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s: missing %q", name, w)
		}
	}
}

func TestSite(t *testing.T) {
	out := mustBuild(t, siteYAML+`
-- content/ke-hoach/ke-hoach-a.md --
---
title: "Kế hoạch tổ chức Hội nghị"
date: 2023-03-01
tags: [hội nghị]
---

Đoạn mở đầu của **kế hoạch**, xem https://example.vn/tai-lieu nhé.

## Thông báo

## Thông báo

## Nội dung chính

#### Mục nhỏ

| Cột một | Cột hai |
|---|---|
| ô | ~~bỏ~~ |

<script>alert(1)</script>
-- content/thong-bao/tb.md --
---
title: "Thông báo lịch tiếp dân"
date: 2023-04-05
summary: "Lịch tiếp dân tháng 4."
---
Nội dung.
-- content/gioi-thieu.md --
---
title: "Giới thiệu"
---
Trang giới thiệu.
`, Options{})

	plan := read(t, out, "ke-hoach/ke-hoach-a/index.html")
	contains(t, "plan page", plan,
		`<html lang="vi">`,
		`<title>Kế hoạch tổ chức Hội nghị – Phường Thử</title>`,
		`<link rel="canonical" href="https://thu.example.vn/ke-hoach/ke-hoach-a/">`,
		`<meta property="og:title" content="Kế hoạch tổ chức Hội nghị">`,
		`<meta property="og:type" content="article">`,
		`<meta name="description" content="Đoạn mở đầu của kế hoạch, xem https://example.vn/tai-lieu nhé.">`,
		`<link rel="icon" href="/favicon.svg"`,
		`<time datetime="2023-03-01">01/03/2023</time>`,
		`<h2 id="thong-bao">Thông báo</h2>`,
		`<h2 id="thong-bao-1">Thông báo</h2>`,
		// The frame's own id is taken; the heading gets the next one.
		`<h2 id="noi-dung-chinh-1">Nội dung chính</h2>`,
		// "####" right after "##" would skip a level of the outline.
		`<h3 id="muc-nho">Mục nhỏ</h3>`,
		`<table>`, `<del>bỏ</del>`,
		`<a href="https://example.vn/tai-lieu">https://example.vn/tai-lieu</a>`,
		`<a href="/ke-hoach/" aria-current="true">Kế hoạch</a>`,
		`href="/ke-hoach/atom.xml"`,
	)
	if strings.Contains(plan, "<script>alert") {
		t.Error("raw HTML reached the page")
	}
	if strings.Contains(plan, "/assets/form.") {
		t.Error("a page without a form loads the form script")
	}
	if !regexp.MustCompile(`<script src="/assets/print\.[0-9a-f]{12}\.js" defer></script>`).MatchString(plan) {
		t.Error("an article does not load the print script")
	}
	contains(t, "plan page", plan, `<button type="button" class="print-button" data-print hidden>In trang này</button>`)
	if !regexp.MustCompile(`<link rel="stylesheet" href="/assets/site\.[0-9a-f]{12}\.css">`).MatchString(plan) {
		t.Error("no fingerprinted stylesheet")
	}

	contains(t, "root page", read(t, out, "gioi-thieu/index.html"), "<h1>Giới thiệu</h1>")
	home := read(t, out, "index.html")
	contains(t, "home", home, "Kế hoạch tổ chức Hội nghị", "Thông báo lịch tiếp dân", "Lịch tiếp dân tháng 4.", `aria-current="page">Trang chủ`)
	contains(t, "section list", read(t, out, "thong-bao/index.html"), "<h1>Thông báo</h1>", `<a href="/thong-bao/tb/">Thông báo lịch tiếp dân</a>`, "05/04/2023")
	contains(t, "404", read(t, out, "404.html"), "Không tìm thấy trang", `<meta name="robots" content="noindex">`)
	contains(t, "robots.txt", read(t, out, "robots.txt"), "Sitemap: https://thu.example.vn/sitemap.xml")
	contains(t, "sitemap", read(t, out, "sitemap.xml"),
		"<loc>https://thu.example.vn/ke-hoach/ke-hoach-a/</loc>", "<lastmod>2023-03-01</lastmod>", "<loc>https://thu.example.vn/gioi-thieu/</loc>")
	contains(t, "site feed", read(t, out, "atom.xml"),
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="vi">`, "<updated>2023-04-05T00:00:00+07:00</updated>", "Thông báo lịch tiếp dân", "Kế hoạch tổ chức Hội nghị")
	if feed := read(t, out, "ke-hoach/atom.xml"); strings.Contains(feed, "tiếp dân") {
		t.Error("the feed of ke-hoach lists an announcement")
	}
	if !exists(out, "favicon.svg") {
		t.Error("no favicon")
	}
}

func TestDraftsFutureExpired(t *testing.T) {
	archive := siteYAML + `
-- content/thong-bao/nhap.md --
---
title: "Bản nháp"
date: 2023-04-01
draft: true
---
-- content/thong-bao/sap-toi.md --
---
title: "Sắp tới"
date: 2023-04-01
publishDate: 2023-05-01
---
-- content/thong-bao/ngay-sau.md --
---
title: "Ngày sau"
date: 2023-04-11
---
-- content/thong-bao/het-han.md --
---
title: "Hết hạn"
date: 2023-01-01
expiryDate: 2023-04-10
---
-- content/thong-bao/con-han.md --
---
title: "Còn hạn"
date: 2023-01-01
expiryDate: 2023-04-11
---
`
	all := []string{"nhap", "sap-toi", "ngay-sau", "het-han", "con-han"}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"default", Options{}, []string{"con-han"}},
		{"drafts", Options{Drafts: true}, []string{"nhap", "con-han"}},
		{"future", Options{Future: true}, []string{"sap-toi", "ngay-sau", "con-han"}},
		{"expired", Options{Expired: true}, []string{"het-han", "con-han"}},
		{"all", Options{Drafts: true, Future: true, Expired: true}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustBuild(t, archive, tt.opts)
			list := read(t, out, "thong-bao/index.html")
			sitemap := read(t, out, "sitemap.xml")
			for _, slug := range all {
				want := false
				for _, w := range tt.want {
					want = want || w == slug
				}
				page := "thong-bao/" + slug + "/index.html"
				if exists(out, page) != want {
					t.Errorf("%s written: %v, want %v", page, !want, want)
				}
				if strings.Contains(list, "/thong-bao/"+slug+"/") != want {
					t.Errorf("list shows %s: %v, want %v", slug, !want, want)
				}
				if strings.Contains(sitemap, "/thong-bao/"+slug+"/") != want {
					t.Errorf("sitemap lists %s: %v, want %v", slug, !want, want)
				}
			}
		})
	}
}

func TestDuplicateURL(t *testing.T) {
	tests := []struct {
		name, archive string
		wants         []string
	}{
		{"slug", `
-- content/ke-hoach/a.md --
---
title: "A"
slug: "Chung"
date: 2023-04-02
---
-- content/ke-hoach/chung.md --
---
title: "Chung"
date: 2023-04-02
---
`, []string{"content/ke-hoach/chung.md", "content/ke-hoach/a.md", "/ke-hoach/chung/"}},
		{"alias", `
-- content/ke-hoach/a.md --
---
title: "A"
date: 2023-04-02
---
-- content/thong-bao/b.md --
---
title: "B"
aliases:
  - /ke-hoach/a/
date: 2023-04-02
---
`, []string{"content/thong-bao/b.md:4 (địa chỉ cũ)", "content/ke-hoach/a.md", "/ke-hoach/a/"}},
		{"section list", `
-- content/ke-hoach.md --
---
title: "Trùng danh sách"
---
`, []string{"content/ke-hoach.md", "danh sách của mục content/ke-hoach/_index.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildTxtar(t, siteYAML+tt.archive, Options{})
			if err == nil {
				t.Fatal("built two pages at one URL")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

func TestAliases(t *testing.T) {
	out := mustBuild(t, siteYAML+`
-- content/thong-bao/moi.md --
---
title: "Thông báo mới"
aliases: [/tin-cu/, /thong-bao/ten-cu.html]
date: 2023-04-02
---
`, Options{})
	for _, name := range []string{"tin-cu/index.html", "thong-bao/ten-cu.html"} {
		contains(t, name, read(t, out, name),
			`<meta http-equiv="refresh" content="0; url=https://thu.example.vn/thong-bao/moi/">`,
			`<link rel="canonical" href="https://thu.example.vn/thong-bao/moi/">`,
			`<a href="https://thu.example.vn/thong-bao/moi/">Thông báo mới</a>`)
	}
	if s := read(t, out, "sitemap.xml"); strings.Contains(s, "tin-cu") {
		t.Error("sitemap lists an alias")
	}
	_, err := buildTxtar(t, siteYAML+`
-- content/thong-bao/moi.md --
---
title: "Thông báo mới"
aliases:
  - "tin-cu"
date: 2023-04-02
---
`, Options{})
	if err == nil || !strings.Contains(err.Error(), "content/thong-bao/moi.md:4: phần đầu trang: địa chỉ cũ (alias) \"tin-cu\"") {
		t.Errorf("relative alias: err = %v", err)
	}
}

func TestPagination(t *testing.T) {
	var b strings.Builder
	b.WriteString(siteYAML)
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, vntext.Location)
	for i := 1; i <= 45; i++ {
		d := start.AddDate(0, 0, i).Format("2006-01-02")
		b.WriteString("-- content/ke-hoach/kh-" + d + ".md --\n---\ntitle: \"Kế hoạch " + d + "\"\ndate: " + d + "\n---\nNội dung.\n")
	}
	out := mustBuild(t, b.String(), Options{})

	p1 := read(t, out, "ke-hoach/index.html")
	p2 := read(t, out, "ke-hoach/trang/2/index.html")
	p3 := read(t, out, "ke-hoach/trang/3/index.html")
	if exists(out, "ke-hoach/trang/4/index.html") {
		t.Error("a fourth list page for 45 pages")
	}
	contains(t, "page 1", p1, "Kế hoạch 2023-02-15", "Kế hoạch 2023-01-27", `<a href="/ke-hoach/trang/2/" rel="next">Trang sau →</a>`, "Trang 1/3")
	contains(t, "page 2", p2, "Kế hoạch 2023-01-26", "Kế hoạch 2023-01-07",
		`<a href="/ke-hoach/" rel="prev">← Trang trước</a>`, `<a href="/ke-hoach/trang/3/" rel="next">Trang sau →</a>`,
		`<link rel="canonical" href="https://thu.example.vn/ke-hoach/trang/2/">`)
	contains(t, "page 3", p3, "Kế hoạch 2023-01-06", "Kế hoạch 2023-01-02", `rel="prev">← Trang trước</a>`)
	if strings.Contains(p3, "Trang sau") {
		t.Error("last page links to a next page")
	}
	if n := strings.Count(p1, "<li>\n<h2>"); n != 20 {
		t.Errorf("page 1 lists %d pages, want 20", n)
	}
	if strings.Contains(p1, "2023-01-26") {
		t.Error("page 1 lists an item of page 2")
	}
	// Newest first.
	if strings.Index(p1, "2023-02-15") > strings.Index(p1, "2023-02-14") {
		t.Error("page 1 is not newest first")
	}
	contains(t, "trang/1", read(t, out, "ke-hoach/trang/1/index.html"), `url=https://thu.example.vn/ke-hoach/`)
}

func TestDeterministic(t *testing.T) {
	var b strings.Builder
	b.WriteString(siteYAML)
	for i := 0; i < 60; i++ {
		d := time.Date(2023, 1, 1+i%7, 0, 0, 0, 0, vntext.Location).Format("2006-01-02")
		name := string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		b.WriteString("-- content/thong-bao/" + name + ".md --\n---\ntitle: \"Thông báo " + name + "\"\ndate: " + d + "\ntags: [a, b]\naliases: [/cu/" + name + "/]\n---\n## Mục\n\n## Mục\n\nNội dung " + name + ".\n")
	}
	archive := b.String()
	out1 := mustBuild(t, archive, Options{Workers: 1})
	out2 := mustBuild(t, archive, Options{Workers: 8})
	files1, files2 := tree(t, out1), tree(t, out2)
	if len(files1) != len(files2) {
		t.Fatalf("%d files, then %d", len(files1), len(files2))
	}
	for name, data := range files1 {
		if !bytes.Equal(data, files2[name]) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

func tree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"date", "---\ntitle: \"A\"\ndate: 20/04/2023\n---\n",
			`content/ke-hoach/a.md:3: phần đầu trang: "date" không phải ngày (cần dạng năm-tháng-ngày, ví dụ 2023-04-20)`},
		{"unknown key", "---\ntitle: \"A\"\n\nexpirydate: 2023-01-01\n---\n",
			`content/ke-hoach/a.md:4: phần đầu trang: không có khóa "expirydate" (các khóa dùng được: title, date, draft, publishDate, expiryDate, slug, summary, tags, aliases, document, form, attachments, image)`},
		{"syntax", "---\ntitle: \"A\"\ntags: [a, b\n---\n",
			`content/ke-hoach/a.md:3: phần đầu trang (front matter): sai cú pháp YAML: danh sách mở bằng [ chưa đóng bằng ], hoặc thiếu dấu phẩy giữa các mục (did not find expected ',' or ']')`},
		{"syntax of a value", "---\ntitle: \"A\"\ndate: 2023-01-01\nsummary: a: b\n---\n",
			`content/ke-hoach/a.md:4: phần đầu trang (front matter): sai cú pháp YAML: dấu hai chấm không đúng chỗ: giá trị có dấu ":" cần đặt trong ngoặc kép, ví dụ title: "Kế hoạch: năm 2023" (mapping values are not allowed in this context)`},
		{"no title", "---\ndate: 2023-01-01\n---\n",
			`content/ke-hoach/a.md: phần đầu trang: thiếu "title" (tiêu đề; cần dòng title: "..." giữa hai dòng ---)`},
		{"no date", "---\ntitle: \"A\"\n---\n",
			`content/ke-hoach/a.md: phần đầu trang: thiếu "date" (trang của mục này cần ngày đăng, ví dụ date: 2023-04-20)`},
		{"draft", "---\ntitle: A\ndate: 2023-01-01\ndraft: maybe\n---\n",
			`content/ke-hoach/a.md:4: phần đầu trang: "draft" phải là true (có) hoặc false (không)`},
		{"issued", "---\ntitle: A\ndate: 2023-01-01\ndocument:\n  kind: KẾ HOẠCH\n  issued: \"tháng 4\"\n---\n",
			`content/ke-hoach/a.md:6: phần đầu trang: "document.issued" không phải ngày (cần dạng 2023, 2023-04 hoặc 2023-04-05)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "public")
			// A previous build stays in place when this one fails.
			if err := os.MkdirAll(out, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(out, "index.html"), []byte("cũ"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := buildTxtar(t, siteYAML+"-- content/ke-hoach/a.md --\n"+tt.file, Options{Out: out})
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n\t%v\nwant\n\t%s", err, tt.want)
			}
			if got := read(t, out, "index.html"); got != "cũ" {
				t.Errorf("the previous output was touched: %q", got)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("left behind: %v", entries)
			}
		})
	}
}

func TestPartialDate(t *testing.T) {
	tests := []struct {
		d         PartialDate
		long, iso string
	}{
		{PartialDate{Year: 2023}, "ngày    tháng    năm 2023", "2023"},
		{PartialDate{Year: 2023, Month: 4}, "ngày    tháng 4 năm 2023", "2023-04"},
		{PartialDate{Year: 2023, Month: 2}, "ngày    tháng 02 năm 2023", "2023-02"},
		{PartialDate{Year: 2022, Month: 2, Day: 5}, "ngày 05 tháng 02 năm 2022", "2022-02-05"},
		{PartialDate{Year: 2023, Month: 4, Day: 20}, "ngày 20 tháng 4 năm 2023", "2023-04-20"},
	}
	for _, tt := range tests {
		if got := tt.d.Long(); got != tt.long {
			t.Errorf("%+v.Long() = %q, want %q", tt.d, got, tt.long)
		}
		if got := tt.d.ISO(); got != tt.iso {
			t.Errorf("%+v.ISO() = %q, want %q", tt.d, got, tt.iso)
		}
	}
}

func TestDocument(t *testing.T) {
	out := mustBuild(t, siteYAML+`
-- content/ke-hoach/kh.md --
---
title: "Tổ chức Hội nghị"
date: 2023-04-01
summary: "Kế hoạch tổ chức Hội nghị của phường."
document:
  kind: "Kế hoạch"
  issuer: "ỦY BAN NHÂN DÂN PHƯỜNG THỬ"
  number: "   /KH-UBND"
  place: "Thử"
  issued: "2023-04"
  effective: "2023-04-15"
  onBehalf: "TM. ỦY BAN NHÂN DÂN"
  signerTitle: "CHỦ TỊCH"
  signer: "Nguyễn Văn A"
  recipients: ["Như trên;", "Lưu: VT."]
---
Nội dung.
`, Options{})
	page := read(t, out, "ke-hoach/kh/index.html")
	contains(t, "document", page,
		`<p class="issuer">ỦY BAN NHÂN DÂN PHƯỜNG THỬ</p>`,
		`Số: <span class="blanks">   /KH-UBND</span>`,
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		`Thử, <time datetime="2023-04">ngày    tháng 4 năm 2023</time>`,
		`<span class="doc-kind">KẾ HOẠCH</span>`,
		"Nơi nhận:", "<li>Lưu: VT.</li>", "TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH", "Nguyễn Văn A")
	order := []string{"doc-issuer", "doc-motto", "doc-title", "doc-body", "doc-recipients", "doc-sign"}
	last := -1
	for _, class := range order {
		i := strings.Index(page, class+`"`)
		if i < 0 {
			t.Errorf("no %s", class)
		}
		if i < last {
			t.Errorf("%s is out of order", class)
		}
		last = i
	}
}
