package wordimport

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The pandoc JSON AST is a tree of {"t": type, "c": contents} objects
// (pandoc-types, API 1.22 as Debian's pandoc 2.17 writes it). It is read
// here into a small model of our own: paragraphs as flat runs of styled
// text, lists, headers and tables. Types this reader does not know, such
// as those of a later API, are kept as their text and listed in the report.

// minAPI is the oldest pandoc-api-version read: 1.21 brought the table
// model (head, bodies, foot, cells with spans) read here.
var minAPI = [2]int{1, 21}

type elem struct {
	T string          `json:"t"`
	C json.RawMessage `json:"c"`
}

type pandocDoc struct {
	API    []int  `json:"pandoc-api-version"`
	Blocks []elem `json:"blocks"`
}

// style is the character formatting of a run that Markdown can carry.
type style struct {
	bold, italic, strike, code bool
}

// run is a piece of a paragraph with one style: text, a line break, an
// image or a footnote's mark.
type run struct {
	text  string
	style style
	link  string // the target of the link the run is in
	brk   bool   // a line break
	image *image
	note  []block // a footnote's content
}

type image struct {
	src, alt string
}

type blockKind int

const (
	paraBlock   blockKind = iota // a paragraph: runs
	headerBlock                  // a heading of Word's own styles: level, runs
	bulletBlock                  // a bulleted list: items
	orderBlock                   // a numbered list: items, start, numStyle, delim
	tableBlock                   // a table: rows
	codeBlock                    // preformatted text
)

type block struct {
	kind  blockKind
	runs  []run
	level int

	items    [][]block
	start    int
	numStyle string // pandoc's ListNumberStyle: Decimal, UpperRoman, LowerAlpha, ...
	delim    string // pandoc's ListNumberDelim: Period, OneParen, TwoParens, ...

	rows [][]cell // a table's rows, its head rows first
	head int      // how many of rows are head rows

	text string // a code block's text
}

type cell struct {
	blocks           []block
	rowSpan, colSpan int
}

// reader decodes an AST, noting what it could not read.
type reader struct {
	unknown map[string]bool
}

// parseAST reads pandoc's JSON output.
func parseAST(data []byte) ([]block, []string, error) {
	var doc pandocDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("pandoc's output is not its JSON AST: %w", err)
	}
	if len(doc.API) < 2 {
		return nil, nil, fmt.Errorf("pandoc's output has no pandoc-api-version (want pandoc 2.11 or later)")
	}
	if doc.API[0] < minAPI[0] || doc.API[0] == minAPI[0] && doc.API[1] < minAPI[1] {
		return nil, nil, fmt.Errorf("pandoc-api-version %d.%d is too old (want %d.%d or later: pandoc 2.11 or later)", doc.API[0], doc.API[1], minAPI[0], minAPI[1])
	}
	r := &reader{unknown: map[string]bool{}}
	blocks := r.blocks(doc.Blocks)
	var unknown []string
	for t := range r.unknown {
		unknown = append(unknown, t)
	}
	return blocks, unknown, nil
}

// parts splits an element's contents, a JSON array, into its members.
func parts(c json.RawMessage) []json.RawMessage {
	var p []json.RawMessage
	_ = json.Unmarshal(c, &p)
	return p
}

func part(p []json.RawMessage, i int) json.RawMessage {
	if i < len(p) {
		return p[i]
	}
	return nil
}

func elems(c json.RawMessage) []elem {
	var e []elem
	_ = json.Unmarshal(c, &e)
	return e
}

func (r *reader) blocks(es []elem) []block {
	var out []block
	for _, e := range es {
		out = append(out, r.block(e)...)
	}
	return out
}

func (r *reader) block(e elem) []block {
	p := parts(e.C)
	switch e.T {
	case "Para", "Plain":
		return []block{{kind: paraBlock, runs: r.inlines(elems(e.C), style{}, "")}}
	case "LineBlock":
		var lines [][]elem
		_ = json.Unmarshal(e.C, &lines)
		var runs []run
		for i, l := range lines {
			if i > 0 {
				runs = append(runs, run{brk: true})
			}
			runs = append(runs, r.inlines(l, style{}, "")...)
		}
		return []block{{kind: paraBlock, runs: runs}}
	case "Header":
		var level int
		_ = json.Unmarshal(part(p, 0), &level)
		return []block{{kind: headerBlock, level: level, runs: r.inlines(elems(part(p, 2)), style{}, "")}}
	case "BlockQuote":
		// Word's indented paragraphs come out as quotes; a ward's
		// document quotes nothing, so they are read as paragraphs.
		return r.blocks(elems(e.C))
	case "Div":
		return r.blocks(elems(part(p, 1)))
	case "BulletList":
		return []block{{kind: bulletBlock, items: r.items(e.C)}}
	case "OrderedList":
		attrs := parts(part(p, 0))
		b := block{kind: orderBlock, start: 1, items: r.items(part(p, 1))}
		_ = json.Unmarshal(part(attrs, 0), &b.start)
		var s, d elem
		_ = json.Unmarshal(part(attrs, 1), &s)
		_ = json.Unmarshal(part(attrs, 2), &d)
		b.numStyle, b.delim = s.T, d.T
		return []block{b}
	case "DefinitionList":
		var out []block
		for _, item := range parts(e.C) {
			ip := parts(item)
			term := r.inlines(elems(part(ip, 0)), style{bold: true}, "")
			out = append(out, block{kind: paraBlock, runs: term})
			for _, def := range parts(part(ip, 1)) {
				out = append(out, r.blocks(elems(def))...)
			}
		}
		return out
	case "CodeBlock":
		var text string
		_ = json.Unmarshal(part(p, 1), &text)
		return []block{{kind: codeBlock, text: text}}
	case "Table":
		return []block{r.table(p)}
	case "Figure": // pandoc-api 1.23: an image with its caption
		out := r.blocks(elems(part(p, 2)))
		return append(out, r.caption(part(p, 1))...)
	case "HorizontalRule", "RawBlock", "Null":
		return nil
	}
	r.unknown[e.T] = true
	return []block{{kind: paraBlock, runs: []run{{text: rawText(e.C)}}}}
}

func (r *reader) items(c json.RawMessage) [][]block {
	var out [][]block
	for _, item := range parts(c) {
		out = append(out, r.blocks(elems(item)))
	}
	return out
}

// caption reads a Caption: [short caption or null, [Block]].
func (r *reader) caption(c json.RawMessage) []block {
	return r.blocks(elems(part(parts(c), 1)))
}

// table reads Table: [Attr, Caption, [ColSpec], TableHead, [TableBody], TableFoot].
func (r *reader) table(p []json.RawMessage) block {
	b := block{kind: tableBlock}
	rows := func(c json.RawMessage) {
		for _, row := range parts(c) {
			var cells []cell
			for _, c := range parts(part(parts(row), 1)) {
				cp := parts(c)
				ce := cell{rowSpan: 1, colSpan: 1, blocks: r.blocks(elems(part(cp, 4)))}
				_ = json.Unmarshal(part(cp, 2), &ce.rowSpan)
				_ = json.Unmarshal(part(cp, 3), &ce.colSpan)
				cells = append(cells, ce)
			}
			b.rows = append(b.rows, cells)
		}
	}
	rows(part(parts(part(p, 3)), 1))
	b.head = len(b.rows)
	for _, body := range parts(part(p, 4)) {
		bp := parts(body)
		rows(part(bp, 2))
		rows(part(bp, 3))
	}
	rows(part(parts(part(p, 5)), 1))
	return b
}

func (r *reader) inlines(es []elem, st style, link string) []run {
	var out []run
	for _, e := range es {
		out = append(out, r.inline(e, st, link)...)
	}
	return out
}

func (r *reader) inline(e elem, st style, link string) []run {
	p := parts(e.C)
	switch e.T {
	case "Str":
		var s string
		_ = json.Unmarshal(e.C, &s)
		return []run{{text: s, style: st, link: link}}
	case "Space", "SoftBreak":
		return []run{{text: " ", style: st, link: link}}
	case "LineBreak":
		return []run{{brk: true}}
	case "Strong":
		st.bold = true
		return r.inlines(elems(e.C), st, link)
	case "Emph":
		st.italic = true
		return r.inlines(elems(e.C), st, link)
	case "Strikeout":
		st.strike = true
		return r.inlines(elems(e.C), st, link)
	case "Underline", "Superscript", "Subscript", "SmallCaps":
		return r.inlines(elems(e.C), st, link)
	case "Span":
		return r.inlines(elems(part(p, 1)), st, link)
	case "Cite":
		return r.inlines(elems(part(p, 1)), st, link)
	case "Quoted":
		var q elem
		_ = json.Unmarshal(part(p, 0), &q)
		mark := "\""
		if q.T == "SingleQuote" {
			mark = "'"
		}
		out := []run{{text: mark, style: st, link: link}}
		out = append(out, r.inlines(elems(part(p, 1)), st, link)...)
		return append(out, run{text: mark, style: st, link: link})
	case "Code":
		var s string
		_ = json.Unmarshal(part(p, 1), &s)
		st.code = true
		return []run{{text: s, style: st, link: link}}
	case "Math":
		var s string
		_ = json.Unmarshal(part(p, 1), &s)
		return []run{{text: s, style: st, link: link}}
	case "Link":
		var target []string
		_ = json.Unmarshal(part(p, 2), &target)
		if len(target) > 0 {
			link = target[0]
		}
		return r.inlines(elems(part(p, 1)), st, link)
	case "Image":
		var target []string
		_ = json.Unmarshal(part(p, 2), &target)
		img := &image{alt: plain(r.inlines(elems(part(p, 1)), style{}, ""))}
		if len(target) > 0 {
			img.src = target[0]
		}
		return []run{{image: img}}
	case "Note":
		return []run{{note: r.blocks(elems(e.C))}}
	case "RawInline":
		return nil
	}
	r.unknown[e.T] = true
	return []run{{text: rawText(e.C), style: st, link: link}}
}

// rawText is every string in a JSON value of unknown shape, for element
// types this reader does not know: their words are kept.
func rawText(c json.RawMessage) string {
	var v any
	if json.Unmarshal(c, &v) != nil {
		return ""
	}
	var words []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			words = append(words, v)
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			if t, _ := v["t"].(string); t == "Space" || t == "SoftBreak" || t == "LineBreak" {
				words = append(words, " ")
			}
			walk(v["c"])
		}
	}
	walk(v)
	return strings.Join(words, "")
}
