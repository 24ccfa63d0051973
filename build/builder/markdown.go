package builder

import (
	"bufio"
	"bytes"
	stdhtml "html"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	gmrenderer "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"loa/functions/vntext"
)

// markdown is the builder's goldmark instance (with plainMarkdown, its
// twin without Linkify). goldmark is safe for concurrent use once built,
// so every worker shares them. Raw HTML stays
// off (no html.WithUnsafe): content is written by staff, not by developers,
// and a stray <script> must not reach the residents.
var markdown = newMarkdown(extension.Linkify)

// plainMarkdown is markdown without Linkify, for the pages whose source
// holds nothing it could link. Linkify looks for a link after every space,
// and Vietnamese, a space between every two syllables, has many: it took
// 3.6 % of a build's CPU.
var plainMarkdown = newMarkdown()

func newMarkdown(extra ...goldmark.Extender) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(append([]goldmark.Extender{
			extension.Table,
			extension.Strikethrough,
		}, extra...)...),
		goldmark.WithParserOptions(
			parser.WithAutoHeadingID(),
			parser.WithASTTransformers(util.Prioritized(headingLevels{}, 1000)),
		),
		goldmark.WithRendererOptions(
			gmrenderer.WithNodeRenderers(util.Prioritized(pictureRenderer{}, 100)),
		),
	)
}

// markdownFor is the instance to render src with: markdown when src may
// hold something Linkify links (a URL with "://", one that starts with
// "www.", an e-mail address, each of which Linkify finds only as written
// so), plainMarkdown otherwise, which renders it the same.
func markdownFor(src []byte) goldmark.Markdown {
	if bytes.Contains(src, []byte("://")) || bytes.Contains(src, []byte("www.")) || bytes.IndexByte(src, '@') >= 0 {
		return markdown
	}
	return plainMarkdown
}

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

// The plain text of a page is read from its parsed Markdown by one walker,
// plainText, for every use: the summary of a page that gives none (its
// meta description, its line in lists, its Atom summary), the search
// index's text and headings, and the alt text of images and the titles of
// attachments. It is what the rendered page shows, as goldmark's HTML
// renderer writes it:
//
//   - text segments (ast.Text) have their backslash escapes and character
//     references resolved ("\*", "&amp;", "&nbsp;", "&#39;"), except raw
//     ones (a code span's), which are shown as written; an ast.String is
//     resolved the same way unless it is code or raw;
//   - a line break is a space, and so is the edge of each block, so that
//     two cells or two list items do not run into one word;
//   - raw HTML, inline or as a block, is dropped: it is never rendered;
//   - an image shows its alt text, not the page's words: it is left out of
//     the text around it, and is the whole text of the image itself;
//   - code blocks are their lines, as written.

// plainText is the text a reader sees of n, on one line.
func plainText(n ast.Node, src []byte) string {
	b := plainBuffers.Get().(*bytes.Buffer)
	b.Reset()
	writePlain(b, n, src, nil)
	s := oneLine(b.Bytes())
	plainBuffers.Put(b)
	return s
}

// plainBuffers keep the buffers plainText writes a page's text into, so
// that each page does not grow one from nothing.
var plainBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writePlain writes the text of n to b (see plainText). The images under
// n are skipped; n itself may be one, for its alt text. visit, if not nil,
// is told of each node as the walk enters it and leaves it, once b holds
// what comes before it and before its own text.
func writePlain(b *bytes.Buffer, n ast.Node, src []byte, visit func(n ast.Node, entering bool)) {
	start := n
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock || n.Kind() == extast.KindTableCell {
			b.WriteByte(' ')
		}
		if visit != nil {
			visit(n, entering)
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Image:
			if n != start {
				return ast.WalkSkipChildren, nil // its words are its alt text, not the page's
			}
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if t.IsRaw() {
				b.Write(t.Segment.Value(src))
			} else {
				writeResolved(b, t.Segment.Value(src))
			}
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			if t.IsCode() || t.IsRaw() {
				b.Write(t.Value)
			} else {
				writeResolved(b, t.Value)
			}
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

// writeResolved writes Markdown text with its backslash escapes and
// character references resolved. goldmark's own writer does it in one
// pass (the one rule, including "\&amp;", an escaped "&" followed by
// "amp;"), writing HTML; its HTML is turned back into text.
func writeResolved(b *bytes.Buffer, v []byte) {
	if bytes.IndexByte(v, '\\') < 0 && bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, 0) < 0 {
		b.Write(v) // most text: nothing to resolve
		return
	}
	r := resolvers.Get().(*resolver)
	r.h.Reset()
	html.DefaultWriter.Write(r.w, v)
	r.w.Flush()
	b.WriteString(stdhtml.UnescapeString(r.h.String()))
	resolvers.Put(r)
}

// A resolver is the HTML writer writeResolved lends goldmark, kept for
// the next text rather than made anew for each.
type resolver struct {
	h bytes.Buffer
	w *bufio.Writer
}

var resolvers = sync.Pool{New: func() any {
	r := new(resolver)
	r.w = bufio.NewWriter(&r.h)
	return r
}}

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
	s := plainText(para, src)
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

// oneLine joins the words of b (split as strings.Fields splits them) with
// single spaces. It collapses b in place, so a page's text costs one copy,
// not a slice of its words and their join.
func oneLine(b []byte) string {
	s, _ := oneLineNFC(b)
	return s
}

// oneLineNFC is oneLine, and also tells whether the line is in NFC for
// certain: whether every character of it is one that vntext.NFCStable
// reports, which the search index's fragment then need not check again.
func oneLineNFC(b []byte) (string, bool) {
	w := 0
	space := false // a space is owed before the next word
	nfc := true
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				space = w > 0
				i++
				continue
			}
			if space {
				b[w] = ' '
				w++
				space = false
			}
			b[w] = c
			w++
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if vntext.IsSpace(r) {
			space = w > 0
			i += size
			continue
		}
		nfc = nfc && vntext.NFCStable(r)
		if space {
			b[w] = ' '
			w++
			space = false
		}
		w += copy(b[w:], b[i:i+size])
		i += size
	}
	return string(b[:w]), nfc
}

// asciiSpace holds the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// pageText is the plain text of a page's Markdown and of its h2–h4
// headings, as the search index takes them (the words the rendered page
// shows), read from the parsed document rather than from its HTML. One
// walk makes both: a heading's text is the part of the page's text
// written between entering it and leaving it, as plainText of the heading
// alone would write it. nfc tells that text is in NFC for certain (see
// oneLineNFC).
func pageText(doc ast.Node, src []byte) (text string, nfc bool, headings []string) {
	b := plainBuffers.Get().(*bytes.Buffer)
	b.Reset()
	from := 0
	writePlain(b, doc, src, func(n ast.Node, entering bool) {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level < 2 || h.Level > 4 {
			return
		}
		if entering {
			from = b.Len()
			return
		}
		if t := oneLine(bytes.Clone(b.Bytes()[from:])); t != "" {
			headings = append(headings, t)
		}
	})
	text, nfc = oneLineNFC(b.Bytes())
	plainBuffers.Put(b)
	return text, nfc, headings
}
