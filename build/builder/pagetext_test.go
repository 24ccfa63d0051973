package builder

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"

	"loa/build/search"
	"loa/content"
)

// sampleMarkdown has what Markdown can hold: references, escapes,
// autolinks, code, tables, lists, quotes, images, links and headings of
// every level.
const sampleMarkdown = "Một &amp; hai &#39;ba&#39; \\*bốn\\* <https://example.vn/a> và `mã 29/KH` **đậm** _nghiêng_.\n" +
	"Dòng hai  \ndòng ba.\n\n## Tiêu đề **hai** `code`\n\n| Số | Tên |\n|---|---|\n| 29 | KH-UBND |\n| 30 | TB |\n\n" +
	"- một\n- hai\n  - hai rưỡi\n\n1. x\n2. y\n\n```\nkhối mã\ndòng hai\n```\n\n    thụt lề\n\n> trích dẫn\n\n" +
	"![ảnh](a.jpg) [liên kết](/x/) ~~gạch~~ https://linkify.vn\n\n### Ba\n#### Bốn\n##### Năm\n"

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
		got, gotHeadings := pageText(doc, body)
		if got != want {
			t.Errorf("%s: text\n got %q\nwant %q", name, got, want)
		}
		if strings.Join(gotHeadings, "|") != strings.Join(wantHeadings, "|") {
			t.Errorf("%s: headings %q, want %q", name, gotHeadings, wantHeadings)
		}
	}
}
