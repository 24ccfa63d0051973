package builder

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"golang.org/x/text/unicode/norm"

	"loa/build/search"
	"loa/content"
)

// sampleMarkdown has what Markdown can hold: references, escapes,
// autolinks, code, tables, lists, quotes, images, links and headings of
// every level.
const sampleMarkdown = "Một &amp; hai &#39;ba&#39; \\*bốn\\* <https://example.vn/a> và `mã 29/KH` **đậm** _nghiêng_.\n" +
	"Dòng hai  \ndòng ba.\n\n## Tiêu đề **hai** `code`\n\n| Số | Tên |\n|---|---|\n| 29 | KH-UBND |\n| 30 | TB |\n\n" +
	"- một\n- hai\n  - hai rưỡi\n\n1. x\n2. y\n\n```\nkhối mã\ndòng hai\n```\n\n    thụt lề\n\n> trích dẫn\n\n" +
	"![ảnh](a.jpg) [liên kết](/x/) ~~gạch~~ https://linkify.vn\n\n### Ba\n#### Bốn\n##### Năm\n\n" +
	"Họp &amp; bàn \\*khẩn\\* lúc 8&nbsp;giờ, \\&amp; <b>đậm</b> <span class=\"x\">nhịp</span> `a &amp; b`\n\n" +
	"<div>\nkhối HTML\n</div>\n"

// TestPageTextIsWhatThePageShows: the text the search index takes from a
// page's parsed Markdown is the text of its rendered HTML, word for word.
func TestPageTextIsWhatThePageShows(t *testing.T) {
	bodies := map[string][]byte{"sample": []byte(sampleMarkdown)}
	cfs := wardContent(t)
	fs.WalkDir(cfs, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			src, _ := fs.ReadFile(cfs, p)
			_, body, _, _ := content.FrontMatter(src)
			bodies[p] = body
		}
		return err
	})
	for name, body := range bodies {
		doc := markdown.Parser().Parse(text.NewReader(body), parser.WithContext(parser.NewContext(parser.WithIDs(newHeadingIDs()))))
		var html bytes.Buffer
		if err := markdown.Renderer().Render(&html, body, doc); err != nil {
			t.Fatal(err)
		}
		want, wantHeadings := search.TextOfHTML(html.Bytes())
		got, _, gotHeadings := pageText(doc, body)
		if got != want {
			t.Errorf("%s: text\n got %q\nwant %q", name, got, want)
		}
		if strings.Join(gotHeadings, "|") != strings.Join(wantHeadings, "|") {
			t.Errorf("%s: headings %q, want %q", name, gotHeadings, wantHeadings)
		}
	}
}

func parse(src string) (ast.Node, []byte) {
	body := []byte(src)
	return markdown.Parser().Parse(text.NewReader(body), parser.WithContext(parser.NewContext(parser.WithIDs(newHeadingIDs())))), body
}

// TestPlainText: one walker gives the summary, the search text and the
// alt text, with escapes and references resolved as the page shows them.
func TestPlainText(t *testing.T) {
	for _, c := range []struct{ md, summary string }{
		{"Họp &amp; bàn \\*khẩn\\* lúc 8&nbsp;giờ", "Họp & bàn *khẩn* lúc 8 giờ"}, // &nbsp; is a space in plain text
		{"Số &#50;9/KH&#x2d;UBND &quot;gấp&quot; &copy;", `Số 29/KH-UBND "gấp" ©`},
		{"Một \\&amp; hai", "Một &amp; hai"},                         // an escaped "&": the reference is text
		{"Mã `a &amp; b \\*` xong", "Mã a &amp; b \\* xong"},         // code is shown as written
		{"Có <b>chữ đậm</b> và <br> dòng", "Có chữ đậm và dòng"},     // raw HTML is never rendered
		{"Ảnh ![Đoàn viên &amp; dân](a.jpg) ở ngõ 3", "Ảnh ở ngõ 3"}, // alt text is the image's, not the page's
		{"**Đậm** _nghiêng_ [liên kết](/x/) <https://a.vn/b>", "Đậm nghiêng liên kết https://a.vn/b"},
		{"Dòng một\ndòng hai  \ndòng ba", "Dòng một dòng hai dòng ba"},
	} {
		doc, src := parse(c.md)
		if got := firstParagraph(doc, src, 200); got != c.summary {
			t.Errorf("summary of %q\n got %q\nwant %q", c.md, got, c.summary)
		}
	}

	doc, src := parse("![Đoàn viên &amp; dân \\*ngõ 3\\*](a.jpg)\n")
	var alt string
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if img, ok := n.(*ast.Image); ok && entering {
			alt = plainText(img, src)
		}
		return ast.WalkContinue, nil
	})
	if alt != "Đoàn viên & dân *ngõ 3*" {
		t.Errorf("alt text %q, want %q", alt, "Đoàn viên & dân *ngõ 3*")
	}
}

// TestContentSummaries: no page of the ward's content shows a character
// reference or a backslash escape in its summary (its meta description,
// its line in lists and its Atom summary), nor in its search text.
func TestContentSummaries(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	s, _, err := Open(Options{Content: wardContent(t), ContentDir: "content", Out: out, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`&(amp|nbsp|lt|gt|quot|#[0-9]+|#x[0-9a-fA-F]+);|\\[!-/:-@\[-` + "`" + `{-~]`)
	n := 0
	for _, p := range s.b.pages {
		if p == nil {
			continue
		}
		n++
		if m := bad.FindString(p.Summary); m != "" {
			t.Errorf("%s: summary shows %q: %q", p.Source, m, p.Summary)
		}
	}
	if n == 0 {
		t.Fatal("no pages built")
	}
	frags := searchFragments(t, out)
	if len(frags) != n {
		t.Errorf("%d pages in the search index, want the %d built", len(frags), n)
	}
	for _, f := range frags {
		if m := bad.FindString(f.Summary + " " + f.Text); m != "" {
			t.Errorf("%s: search text shows %q", f.URL, m)
		}
	}
}

// TestSummaryEverywhere: a page without a summary is summed up by its first
// paragraph, resolved once, in its meta description, in its section's list
// and in the Atom feed.
func TestSummaryEverywhere(t *testing.T) {
	out := mustBuild(t, siteYAML+`
-- content/thong-bao/hop.md --
---
title: "Họp khẩn"
date: 2023-04-05
---
Họp &amp; bàn \*khẩn\* lúc 8&nbsp;giờ <b>sáng</b> mai.

Đoạn hai.
`, Options{})
	const want = "Họp &amp; bàn *khẩn* lúc 8 giờ sáng mai." // as HTML and XML escape it
	page, list, feed := read(t, out, "thong-bao/hop/index.html"), read(t, out, "thong-bao/index.html"), read(t, out, "thong-bao/atom.xml")
	contains(t, "the page's description", page, `<meta name="description" content="`+want+`"`)
	contains(t, "the list", list, want)
	contains(t, "the feed", feed, want)
	for name, s := range map[string]string{"page": page, "list": list, "feed": feed} {
		for _, bad := range []string{"&amp;amp;", "&amp;nbsp;", `\*`, "&lt;b&gt;"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s shows %q", name, bad)
			}
		}
	}
}

// oneLine collapses in place what strings.Fields and a join would: every
// kind of space (Unicode's, including the no-break and ideographic ones),
// runs of them, and bytes that are not UTF-8, kept as they are.
func FuzzOneLine(f *testing.F) {
	for _, s := range []string{
		"", " ", "a", "  Kế   hoạch\tsố 29\n", "\u00a0Quyết\u3000định\u2028", "x\xffy \xe1\x80", "đ\u0085ơn",
		"Phường Bạch Sam  \r\n  ngày 1/7/2025 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Join(strings.Fields(s), " ")
		if got := oneLine([]byte(s)); got != want {
			t.Fatalf("oneLine(%q) = %q, want %q", s, got, want)
		}
		// When it says the line is in NFC, it is: the search index's
		// fragment takes it as it is.
		if got, nfc := oneLineNFC([]byte(s)); nfc && utf8.ValidString(got) && !norm.NFC.IsNormalString(got) {
			t.Fatalf("oneLineNFC(%q) says %q is in NFC; it is not", s, got)
		}
	})
}

// TestPageTextNFC: the page text says it is in NFC when a page is written
// with its letters precomposed, as Vietnamese usually is, and not when it
// is written decomposed (as some Mac editors save it), which the search
// index then brings to NFC itself.
func TestPageTextNFC(t *testing.T) {
	for _, c := range []struct {
		src string
		nfc bool
	}{
		{"# Kế hoạch\n\nĐăng ký tạm trú – “miễn phí”, 10.000 ₫.\n", true},
		{norm.NFD.String("Đăng ký tạm trú\n"), false},
		{"Kho\u0302ng co\u0301 gi\u0300\n", false},
		{"10 \u2126\n", false},
	} {
		src := []byte(c.src)
		doc := markdown.Parser().Parse(text.NewReader(src))
		got, nfc, _ := pageText(doc, src)
		if nfc != c.nfc {
			t.Errorf("%q: nfc %v, want %v", got, nfc, c.nfc)
		}
		if nfc && !norm.NFC.IsNormalString(got) {
			t.Errorf("%q is said to be in NFC", got)
		}
	}
}
