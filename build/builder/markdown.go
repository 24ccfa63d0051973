package builder

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmrenderer "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"loa/functions/vntext"
)

// markdown is the one goldmark instance of the builder. goldmark is safe
// for concurrent use once built, so every worker shares it. Raw HTML stays
// off (no html.WithUnsafe): content is written by staff, not by developers,
// and a stray <script> must not reach the residents.
var markdown = goldmark.New(
	goldmark.WithExtensions(
		extension.Table,
		extension.Strikethrough,
		extension.Linkify,
	),
	goldmark.WithParserOptions(
		parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(headingLevels{}, 1000)),
	),
	goldmark.WithRendererOptions(
		gmrenderer.WithNodeRenderers(util.Prioritized(pictureRenderer{}, 100)),
	),
)

// headingLevels keeps the outline of a page without gaps: a heading is at
// most one level below the one before it, and the page's title is the one
// h1. Staff pick heading marks for their size ("####" for a small
// sub-heading after "##"); screen readers navigate by level and the HTML
// checker rejects skipped levels, so "####" after "##" becomes an h3.
type headingLevels struct{}

func (headingLevels) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	prev := 1
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = max(2, min(h.Level, prev+1))
			prev = h.Level
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// reservedIDs are element ids the layouts use; headings must not take them.
var reservedIDs = []string{"noi-dung-chinh"}

// headingIDs gives headings the same slugs as URLs. goldmark's own ids drop
// every non-ASCII letter ("Thông báo" → "thng-bo"); these keep the words
// readable ("thong-bao") and unique within a page (-1, -2, ...).
type headingIDs struct {
	used map[string]bool
}

func newHeadingIDs() *headingIDs {
	ids := &headingIDs{used: make(map[string]bool, 16)}
	for _, id := range reservedIDs {
		ids.used[id] = true
	}
	return ids
}

// Generate implements parser.IDs.
func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	base := vntext.Slug(string(value))
	if base == "" {
		base = "muc"
	}
	id := base
	for n := 1; h.used[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	h.used[id] = true
	return []byte(id)
}

// Put implements parser.IDs.
func (h *headingIDs) Put(value []byte) { h.used[string(value)] = true }

// firstParagraph returns the plain text of the first paragraph of doc,
// cut at a word boundary after about max characters: the summary of pages
// that give none.
func firstParagraph(doc ast.Node, src []byte, max int) string {
	var para ast.Node
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if n.Kind() == ast.KindParagraph {
			para = n
			break
		}
	}
	if para == nil {
		return ""
	}
	var b strings.Builder
	_ = ast.Walk(para, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.Label(src))
		}
		return ast.WalkContinue, nil
	})
	s := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut, count := 0, 0
	for i, r := range s {
		if count == max {
			break
		}
		if r == ' ' {
			cut = i
		}
		count++
	}
	if cut == 0 {
		return s
	}
	return s[:cut] + "…"
}

// writeText writes the words of the inline nodes under n as a reader sees
// them: escapes and character references resolved, line breaks as spaces,
// and a space at each block's edge, so that two cells or two list items do
// not run into one word.
func writeText(b *strings.Builder, n ast.Node, src []byte) {
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock || n.Kind() == extast.KindTableCell {
			b.WriteByte(' ')
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Image:
			return ast.WalkSkipChildren, nil // its words are its alt text, not the page's
		case *ast.Text:
			b.Write(util.ResolveNumericReferences(util.ResolveEntityNames(util.UnescapePunctuations(t.Segment.Value(src)))))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.AutoLink:
			b.Write(t.Label(src))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
				b.WriteByte(' ')
			}
		}
		return ast.WalkContinue, nil
	})
}

// oneLine joins the words of s with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// pageText is the plain text of a page's Markdown and of its h2–h4
// headings, as the search index takes them (the words the rendered page
// shows), read from the parsed document rather than from its HTML.
func pageText(doc ast.Node, src []byte) (text string, headings []string) {
	var b strings.Builder
	writeText(&b, doc, src)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			if h.Level >= 2 && h.Level <= 4 {
				var hb strings.Builder
				writeText(&hb, h, src)
				if t := oneLine(hb.String()); t != "" {
					headings = append(headings, t)
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return oneLine(b.String()), headings
}
