package builder

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"

	"loa/build/internal/tooltest"
	"loa/content"
)

// wardContent is the ward's real content folder, as the build command reads it.
func wardContent(t *testing.T) fs.FS {
	t.Helper()
	cfs, err := content.Dir("../../content")
	if err != nil {
		t.Fatal(err)
	}
	return cfs
}

// buildSeedSite builds the ward's real content as of now.
func buildSeedSite(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(Options{Content: wardContent(t), ContentDir: "content", Out: out, Now: now}); err != nil {
		t.Fatalf("build of content/: %v", err)
	}
	return out
}

// words splits s into runs of letters, marks and digits, after NFC.
func words(s string) []string {
	return strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r)
	})
}

// visibleText returns the text a reader sees in an HTML page: the body,
// without scripts, styles and hidden elements.
func visibleText(t *testing.T, page []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "head", "script", "style", "template":
				return
			}
			for _, a := range n.Attr {
				if a.Key == "hidden" || a.Key == "aria-hidden" && a.Val == "true" {
					return
				}
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String()
}

// TestSeedPlanWordForWord checks that the ward's plan is published word for
// word: every word of the original, in order, is in the page's visible
// text. The page may add words around them (menu, motto, issuer), never
// drop or reorder one.
func TestSeedPlanWordForWord(t *testing.T) {
	seed, err := os.ReadFile("../testdata/seed-plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	out := buildSeedSite(t)
	page, err := os.ReadFile(filepath.Join(out, "ke-hoach", "doi-thoai-thanh-nien-2023", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	want := words(string(seed))
	got := words(visibleText(t, page))
	if len(want) < 1000 {
		t.Fatalf("the seed has only %d words", len(want))
	}
	i := 0
	for _, w := range got {
		if i < len(want) && w == want[i] {
			i++
		}
	}
	if i < len(want) {
		ctx := want[i:min(i+12, len(want))]
		t.Fatalf("the plan page has the seed's words only up to word %d of %d; missing from: %q", i, len(want), strings.Join(ctx, " "))
	}
}

// TestPageWeight keeps what a page carries besides its content (frame,
// stylesheet and the scripts it links: the form's, the search's, the print
// button's) under 50 KB: residents read on cheap phones over mobile data.
// The page that links the most script is the one measured.
func TestPageWeight(t *testing.T) {
	out := buildSeedSite(t)
	frame, err := os.ReadFile(filepath.Join(out, "404.html"))
	if err != nil {
		t.Fatal(err)
	}
	size := func(u string) int {
		fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(strings.TrimPrefix(u, "/"))))
		if err != nil {
			t.Fatal(err)
		}
		return int(fi.Size())
	}
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)">`).FindStringSubmatch(string(frame))
	if css == nil {
		t.Fatal("the frame links no stylesheet")
	}
	scriptRe := regexp.MustCompile(`<script src="(/assets/[^"]+)" defer>`)
	heaviest, page := 0, ""
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n := 0
		for _, m := range scriptRe.FindAllStringSubmatch(string(b), -1) {
			n += size(m[1])
		}
		if n > heaviest {
			heaviest, page = n, p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	total := len(frame) + size(css[1]) + heaviest
	if total > 50*1024 {
		t.Errorf("frame, stylesheet and the scripts of %s weigh %d bytes, more than 50 KB", page, total)
	}
	t.Logf("frame %d + stylesheet %d + scripts of %s %d = %d bytes", len(frame), size(css[1]), page, heaviest, total)
}

// vnuJar is the Nu Html Checker installed by "make tools".
var vnuJar = filepath.Join("..", "tools", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")

type vnuReport struct {
	Messages []struct {
		Type      string `json:"type"`
		SubType   string `json:"subType"`
		URL       string `json:"url"`
		Message   string `json:"message"`
		LastLine  int    `json:"lastLine"`
		Extract   string `json:"extract"`
		FirstLine int    `json:"firstLine"`
	} `json:"messages"`
}

// TestNuHtmlChecker runs the Nu Html Checker once over every HTML page of
// the ward's site and of a site with the builder's other layouts (lists
// over several pages, redirects), and wants no error at all.
func TestNuHtmlChecker(t *testing.T) {
	java := tooltest.LookPath(t, "java is missing: run `make tools` (it needs Debian's default-jre-headless)", "java")
	if _, err := os.Stat(vnuJar); err != nil {
		t.Fatalf("the Nu Html Checker is missing (%v): run `make tools`", err)
	}

	var b strings.Builder
	b.WriteString(siteYAML)
	for i := 1; i <= 25; i++ {
		d := "2023-01-" + twoDigits(i)
		b.WriteString("-- content/thong-bao/tb-" + d + ".md --\n---\ntitle: \"Thông báo " + d + "\"\ndate: " + d +
			"\naliases: [/cu/" + d + "/]\ntags: [a]\n---\n# Tiêu đề\n\n| A | B |\n|---|---|\n| 1 | ~~2~~ |\n\n<b>thô</b> https://example.vn\n")
	}
	outs := []string{buildSeedSite(t), mustBuild(t, b.String(), Options{})}

	var files []string
	for _, out := range outs {
		err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(files)
	if len(files) < 40 {
		t.Fatalf("only %d pages to check", len(files))
	}

	args := append([]string{"-jar", vnuJar, "--errors-only", "--format", "json"}, files...)
	cmd := exec.Command(java, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	// vnu writes its JSON report to stderr and exits 1 when it found errors.
	var report vnuReport
	if err := json.Unmarshal(stderr.Bytes(), &report); err != nil {
		t.Fatalf("vnu: %v (run error %v)\nstdout: %s\nstderr: %s", err, runErr, stdout.String(), stderr.String())
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		t.Fatalf("vnu: %v", runErr)
	}
	errs := 0
	for _, m := range report.Messages {
		if m.Type == "error" || m.Type == "non-document-error" {
			errs++
			t.Errorf("%s:%d: %s\n\t%s", m.URL, m.LastLine, m.Message, m.Extract)
		}
	}
	t.Logf("Nu Html Checker: %d pages, %d errors (%s)", len(files), errs, runtime.GOOS)
}

func twoDigits(n int) string {
	s := "0" + string(rune('0'+n%10))
	if n >= 10 {
		s = string(rune('0'+n/10)) + string(rune('0'+n%10))
	}
	return s
}

// TestFormPages checks the ward's two form pages, their thank-you pages
// and the deadlines on the home page.
func TestFormPages(t *testing.T) {
	out := buildSeedSite(t)
	page := read(t, out, "bieu-mau/cau-hoi/index.html")
	contains(t, "form page", page,
		"<h1>Gửi câu hỏi cho buổi đối thoại với Lãnh đạo UBND phường</h1>",
		"trước ngày 20/4/2023", // the intro
		`action="/api/forms/cau-hoi"`,
		`<script src="/assets/form.`)
	if strings.Index(page, "trước ngày 20/4/2023") > strings.Index(page, `<form class="form"`) {
		t.Error("the form comes before its intro")
	}
	thanks := read(t, out, "bieu-mau/cau-hoi/cam-on/index.html")
	contains(t, "thank-you page", thanks,
		"Cảm ơn bạn đã gửi câu hỏi.", `<a href="/">Về trang chủ</a>`, `<meta name="robots" content="noindex">`)
	contains(t, "thank-you page", read(t, out, "bieu-mau/dai-bieu/cam-on/index.html"), "Đã ghi nhận đăng ký đại biểu.")

	home := read(t, out, "index.html")
	contains(t, "home", home,
		`<a href="/bieu-mau/cau-hoi/">`, `<time datetime="2023-04-20T00:00:00&#43;07:00">00 giờ 00, ngày 20/04/2023</time>`,
		`<a href="/bieu-mau/dai-bieu/">`, "Đang nhận, hạn chót")
	for _, name := range []string{"index.html", "404.html", "van-ban/index.html"} {
		if strings.Contains(read(t, out, name), "<script") {
			t.Errorf("%s loads a script but is neither an article nor a form", name)
		}
	}
	if strings.Contains(read(t, out, "ke-hoach/doi-thoai-thanh-nien-2023/index.html"), "/assets/form.") {
		t.Error("the plan loads the form script but has no form")
	}

	// After the deadline, the home page says the form is closed.
	late := filepath.Join(t.TempDir(), "public")
	if _, err := Build(Options{Content: wardContent(t), Out: late, Now: now.AddDate(0, 1, 0)}); err != nil {
		t.Fatal(err)
	}
	contains(t, "home after the deadline", read(t, late, "index.html"), "Đã đóng, hạn chót")
}

// TestStaffPage: the staff page is published for CloudFront, kept out of
// search engines and out of the sitemap, and carries its script.
func TestStaffPage(t *testing.T) {
	out := buildSeedSite(t)
	page := read(t, out, "quan-tri/index.html")
	contains(t, "quan-tri/index.html", page, `<meta name="robots" content="noindex">`, `/assets/staff.`, "Quản trị biểu mẫu")
	if sm := read(t, out, "sitemap.xml"); strings.Contains(sm, "quan-tri") {
		t.Errorf("sitemap.xml lists the staff page")
	}
}

// TestSeedRegister: the ward's plan is in the register, under its kind and
// year, and its page shows the register's facts in a box.
func TestSeedRegister(t *testing.T) {
	out := buildSeedSite(t)
	const plan = `<a href="/ke-hoach/doi-thoai-thanh-nien-2023/">Kế hoạch đối thoại giữa Lãnh đạo UBND phường`
	for _, name := range []string{"van-ban/index.html", "van-ban/ke-hoach/index.html", "van-ban/2023/index.html"} {
		contains(t, name, read(t, out, name), plan, `<span class="blanks">   /KH-UBND</span>`, `<time datetime="2023">Năm 2023</time>`,
			"ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM")
	}
	contains(t, "menu", read(t, out, "van-ban/index.html"), `<a href="/van-ban/" aria-current="page">Văn bản</a>`)
	contains(t, "menu", read(t, out, "van-ban/ke-hoach/index.html"), `<a href="/van-ban/" aria-current="true">Văn bản</a>`)
	contains(t, "the plan's box", read(t, out, "ke-hoach/doi-thoai-thanh-nien-2023/index.html"),
		`<section class="doc-info" aria-label="Thông tin văn bản">`,
		`<div><dt>Số/ký hiệu</dt><dd><span class="blanks">   /KH-UBND</span></dd></div>`,
		`<div><dt>Loại văn bản</dt><dd><a href="/van-ban/ke-hoach/">Kế hoạch</a></dd></div>`,
		`<span class="doc-kind">KẾ HOẠCH</span>`,
		`<button type="button" class="print-button" data-print hidden>In trang này</button>`)
	contains(t, "sitemap", read(t, out, "sitemap.xml"), "<loc>https://loa.example.vn/van-ban/</loc>", "<loc>https://loa.example.vn/van-ban/ke-hoach/</loc>")
}
