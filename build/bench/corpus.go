package main

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"loa/content"
)

// The corpus: Vietnamese pages shaped like the ward's (front matter,
// headings, lists, a table, prose), half plans and half announcements,
// from a fixed seed so that every run builds the same text. A tenth are
// official documents, of the kinds of the ward's list, in the register.

var vocabulary = strings.Fields(`ủy ban nhân dân phường thanh niên đoàn viên kế hoạch thông báo tổ chức
chương trình đối thoại lãnh đạo chuyển đổi số xây dựng đô thị văn minh kinh tế xã hội phát triển
chính sách hỗ trợ đào tạo việc làm hướng nghiệp hội nghị đại biểu chi đoàn tổ dân phố thực hiện
nhiệm vụ trọng tâm nguyện vọng kiến nghị đề xuất giải pháp tuyên truyền phổ biến định hướng
tổng hợp danh sách khen thưởng tiêu biểu kinh phí ngân sách thời gian địa điểm thành phần
hội trường văn phòng thống kê công chức phối hợp chặt chẽ hiệu quả thiết thực cởi mở thẳng thắn
người dân doanh nghiệp hộ khẩu đăng ký tiếp dân lịch trực an ninh trật tự vệ sinh môi trường`)

var headings = []string{"Mục đích, yêu cầu", "Nội dung", "Thời gian, địa điểm", "Thành phần tham dự", "Tổ chức thực hiện", "Kinh phí"}

func sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[r.IntN(len(vocabulary))]
	}
	s := strings.Join(w, " ")
	// The first letter, not the first byte: "đào" starts with two bytes.
	_, size := utf8.DecodeRuneInString(s)
	return strings.ToUpper(s[:size]) + s[size:]
}

func paragraph(r *rand.Rand) string {
	var b strings.Builder
	for i, n := 0, 2+r.IntN(4); i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sentence(r, 8+r.IntN(14)))
		b.WriteByte('.')
	}
	return b.String()
}

// kinds are the headings of the ward's kinds of documents.
func kinds() ([]string, error) {
	var list struct {
		Items []struct{ Heading string }
	}
	raw, err := fs.ReadFile(content.FS, kindsFile)
	if err == nil {
		err = yaml.Unmarshal(raw, &list)
	}
	if err != nil {
		return nil, fmt.Errorf("content/%s: %w", kindsFile, err)
	}
	var out []string
	for _, k := range list.Items {
		out = append(out, k.Heading)
	}
	return out, nil
}

const kindsFile = "data/loai-van-ban.yaml"

// page writes page i; every tenth is an official document of kind.
func page(r *rand.Rand, i int, date time.Time, kind string) string {
	var b strings.Builder
	title := sentence(r, 6+r.IntN(8)) + fmt.Sprintf(" số %d", i)
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\nsummary: %q\ntags: [%s, %s]\n",
		title, date.Format("2006-01-02"), sentence(r, 15), vocabulary[r.IntN(len(vocabulary))], vocabulary[r.IntN(len(vocabulary))])
	if i%10 == 0 {
		issued := date.Format("2006-01-02")
		if i%30 == 0 {
			issued = date.Format("2006") // the day and month left blank
		}
		fmt.Fprintf(&b, "document:\n  kind: %q\n  issuer: \"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM\"\n  number: \"%d/UBND\"\n  place: \"Bạch Sam\"\n  issued: %q\n  signerTitle: \"CHỦ TỊCH\"\n  signer: \"Nguyễn Văn A\"\n",
			kind, i/10+1, issued)
	}
	b.WriteString("---\n\n")
	b.WriteString(paragraph(r) + "\n\n")
	for h := 0; h < 3; h++ {
		fmt.Fprintf(&b, "## %s. %s\n\n%s\n\n", strings.Repeat("I", h+1), headings[r.IntN(len(headings))], paragraph(r))
		for j := 0; j < 3+r.IntN(3); j++ {
			fmt.Fprintf(&b, "- %s;\n", sentence(r, 6+r.IntN(10)))
		}
		b.WriteString("\n")
		if h == 1 {
			b.WriteString("| STT | Nội dung | Thời gian | Phụ trách |\n|---|---|---|---|\n")
			for j := 1; j <= 4; j++ {
				fmt.Fprintf(&b, "| %d | %s | %02d/04/2023 | %s |\n", j, sentence(r, 5), j+9, sentence(r, 3))
			}
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "### %d. %s\n\n%s **%s**.\n\n", h+1, headings[r.IntN(len(headings))], paragraph(r), sentence(r, 4))
	}
	return b.String()
}

const siteYAML = `title: "Phường Bạch Sam"
tagline: "Trang thử tốc độ"
baseURL: "https://loa.example.vn/"
menu:
  - { name: "Trang chủ", url: "/" }
  - { name: "Kế hoạch", url: "/ke-hoach/" }
  - { name: "Thông báo", url: "/thong-bao/" }
  - { name: "Văn bản", url: "/van-ban/" }
`

// Hugo gets layouts that make the same pages: one per content file, the
// section lists paginated by 20, a home page with the latest of each
// section; its default RSS and sitemap stand for Loa's Atom and sitemap.
var hugoFiles = map[string]string{
	"config.toml": `baseURL = "https://loa.example.vn/"
languageCode = "vi"
title = "Phường Bạch Sam"
disableKinds = ["taxonomy", "term"]
paginate = 20
[markup.goldmark.parser]
autoHeadingID = true
[markup.goldmark.renderer]
unsafe = false
`,
	"layouts/_default/baseof.html": `<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} – {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}"><meta property="og:title" content="{{ .Title }}">
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body><header><a href="/">{{ .Site.Title }}</a><nav><a href="/">Trang chủ</a> <a href="/ke-hoach/">Kế hoạch</a> <a href="/thong-bao/">Thông báo</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
`,
	"layouts/_default/single.html": `{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time></p>
{{ .Content }}</article>{{ end }}
`,
	"layouts/_default/list.html": `{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range .Paginator.Pages }}<li><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "02/01/2006" }}</time></p><p>{{ .Summary | plainify }}</p></li>
{{ end }}</ul>
{{ with .Paginator.Prev }}<a href="{{ .URL }}">Trang trước</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Trang sau</a>{{ end }}{{ end }}
`,
	"layouts/index.html": `{{ define "main" }}{{ range .Site.Sections }}<section><h2>{{ .Title }}</h2><ul>
{{ range first 5 .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></section>{{ end }}{{ end }}
`,
}

// writeCorpus writes n pages under dir/content, with site.yaml for Loa and
// config and layouts for Hugo.
func writeCorpus(dir string, n int) error {
	r := rand.New(rand.NewPCG(2023, uint64(n)))
	kindsYAML, err := fs.ReadFile(content.FS, kindsFile)
	if err != nil {
		return err
	}
	ks, err := kinds()
	if err != nil {
		return err
	}
	// The sections' _index.md files, which Hugo reads for its sections' titles too.
	files := map[string]string{"content/site.yaml": siteYAML, "content/" + kindsFile: string(kindsYAML),
		"content/ke-hoach/_index.md":  "---\ntitle: \"Kế hoạch\"\nweight: 10\n---\n",
		"content/thong-bao/_index.md": "---\ntitle: \"Thông báo\"\nweight: 20\n---\n"}
	for name, data := range hugoFiles {
		files[name] = data
	}
	for name, data := range files {
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		section := "ke-hoach"
		if i%2 == 1 {
			section = "thong-bao"
		}
		date := start.AddDate(0, 0, i*3652/max(n, 1))
		name := filepath.Join(dir, "content", section, fmt.Sprintf("trang-%05d.md", i))
		if err := writeFile(name, page(r, i, date, ks[(i/10)%len(ks)])); err != nil {
			return err
		}
	}
	return nil
}

func writeFile(name, data string) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, []byte(data), 0o644)
}
