package wordimport

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"loa/build/images"
)

// writer turns the body's blocks into Markdown, deciding headings and
// lists from the document's own numbering and marks rather than from
// Word's styles, which staff rarely use.
type writer struct {
	media  string // where pandoc extracted the images
	images []bundleFile
	notes  []string

	headings, tables, merged int
	// lostTables counts tables pandoc read as rows without cells: Word
	// files written by other programs without the table's grid of
	// columns (w:tblGrid), whose text does not reach the page.
	lostTables int
	badImages  []string
}

// bundleFile is a file to put in the page's folder.
type bundleFile struct {
	name string // in the bundle: "anh-1.png"
	src  string // on disk
}

func (w *writer) markdown(blocks []block) string {
	chunks := w.blocks(blocks, false)
	if len(w.notes) > 0 {
		chunks = append(chunks, "Ghi chú:")
		chunks = append(chunks, w.notes...)
	}
	return strings.Join(chunks, "\n\n") + "\n"
}

// blocks writes blocks as Markdown chunks, to be separated by blank lines.
// inList is set inside list items, where no heading is made.
func (w *writer) blocks(blocks []block, inList bool) []string {
	var out []string
	bullets := false // the previous chunk was an item of a "-" list
	for _, b := range blocks {
		switch b.kind {
		case paraBlock:
			for i, p := range splitItems(b.runs) {
				chunk, item := w.para(p, inList, bullets)
				if chunk == "" {
					continue
				}
				// Items typed in one paragraph, and "+" items under their
				// "-" item, stay together as in the document.
				if item && bullets && len(out) > 0 && (i > 0 || strings.HasPrefix(chunk, "  + ")) {
					out[len(out)-1] += "\n" + chunk
				} else {
					out = append(out, chunk)
				}
				bullets = item
			}
			continue
		case headerBlock:
			if t := plain(b.runs); t != "" {
				level := numberLevel(t, true)
				if level == 0 {
					level = min(b.level+1, 6)
				}
				out = append(out, w.heading(level, t))
			}
		case bulletBlock:
			var items []string
			for _, it := range b.items {
				items = append(items, listItem("- ", w.blocks(it, true)))
			}
			out = append(out, strings.Join(items, "\n"))
		case orderBlock:
			out = append(out, w.ordered(b, inList)...)
		case tableBlock:
			if tb := w.table(b); tb != "" {
				out = append(out, tb)
			}
		case codeBlock:
			fence := "```"
			for strings.Contains(b.text, fence) {
				fence += "`"
			}
			out = append(out, fence+"\n"+strings.TrimRight(b.text, "\n")+"\n"+fence)
		}
		bullets = false
	}
	return out
}

// splitItems splits a paragraph at the line breaks that start an item,
// "- Lãnh đạo …:<br>+ Công tác …" being two items typed in one paragraph.
func splitItems(runs []run) [][]run {
	ls := lines(runs)
	var out [][]line
	for i, l := range ls {
		if i == 0 || bulletRe.MatchString(l.text()) && !l.bold() {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	var paras [][]run
	for _, p := range out {
		paras = append(paras, joinLines(p))
	}
	return paras
}

// para writes one paragraph: a heading, a list item or a paragraph.
func (w *writer) para(runs []run, inList, afterBullet bool) (chunk string, bullet bool) {
	t := plain(runs)
	hasImage := false
	for _, r := range runs {
		hasImage = hasImage || r.image != nil
	}
	if t == "" && !hasImage {
		return "", false
	}
	l := line(runs)
	if !inList && !hasImage && !strings.Contains(t, "\n") {
		if level := numberLevel(t, l.bold()); level > 0 && words(t) <= 25 {
			return w.heading(level, t), false
		}
		// A bold line is a heading ("* Đại biểu phường"), a bold "- …" an item.
		if l.bold() && words(t) <= 20 && (!bulletRe.MatchString(t) || strings.HasPrefix(t, "*")) {
			return w.heading(4, t), false
		}
	}
	if m := bulletRe.FindString(t); m != "" && !(l.bold() && m[0] == '*') {
		body := w.markdownInline(trimRuns(runs, len(strings.TrimRight(m, " "))), false)
		if strings.HasPrefix(m, "+") || strings.HasPrefix(m, "○") || strings.HasPrefix(m, "◦") {
			if afterBullet || inList {
				return "  + " + indent(body, "    "), true
			}
		}
		return "- " + indent(body, "  "), true
	}
	return escapeStart(w.markdownInline(runs, false)), false
}

// numberLevel is the heading level the document's numbering gives a line:
// "I." 2, "1." 3, "1.1." and "a)" 4; 0 when it is not numbered as a
// heading. A numbered line is a heading when it is bold, or, for a Roman
// numeral, in capitals.
func numberLevel(t string, bold bool) int {
	switch {
	case romanRe.MatchString(t) && (bold || upper(t)):
		return 2
	case subDecRe.MatchString(t) && bold:
		return 4
	case decimalRe.MatchString(t) && bold:
		return 3
	case letterRe.MatchString(t) && bold:
		return 4
	}
	return 0
}

func (w *writer) heading(level int, t string) string {
	w.headings++
	return strings.Repeat("#", level) + " " + escape(t, false)
}

// listItem writes an item's chunks after its marker, the lines after the
// first indented under it.
func listItem(marker string, chunks []string) string {
	pad := strings.Repeat(" ", len(marker))
	body := strings.Join(chunks, "\n\n")
	if body == "" {
		return strings.TrimRight(marker, " ")
	}
	return marker + indent(body, pad)
}

func indent(s, pad string) string {
	ls := strings.Split(s, "\n")
	for i := 1; i < len(ls); i++ {
		if ls[i] != "" {
			ls[i] = pad + ls[i]
		}
	}
	return strings.Join(ls, "\n")
}

// ordered writes a numbered list of Word's own numbering. Items that are a
// bold line each are the document's headings ("I. MỤC ĐÍCH" numbered by
// Word); a decimal list is a Markdown list; Roman and letter numbers,
// which Markdown cannot show, are written out.
func (w *writer) ordered(b block, inList bool) []string {
	level := map[string]int{"UpperRoman": 2, "LowerRoman": 2, "Decimal": 3, "DefaultStyle": 3, "Example": 3, "LowerAlpha": 4, "UpperAlpha": 4}[b.numStyle]
	headings := !inList && level > 0
	for _, it := range b.items {
		if len(it) != 1 || it[0].kind != paraBlock || !line(it[0].runs).bold() || words(plain(it[0].runs)) > 25 {
			headings = false
		}
	}
	var out []string
	if headings {
		for i, it := range b.items {
			out = append(out, w.heading(level, marker(b, b.start+i)+" "+plain(it[0].runs)))
		}
		return out
	}
	if b.numStyle == "Decimal" || b.numStyle == "DefaultStyle" || b.numStyle == "Example" {
		var items []string
		for i, it := range b.items {
			items = append(items, listItem(strconv.Itoa(b.start+i)+". ", w.blocks(it, true)))
		}
		return []string{strings.Join(items, "\n")}
	}
	for i, it := range b.items {
		chunks := w.blocks(it, true)
		m := escape(marker(b, b.start+i), false)
		if len(chunks) == 0 {
			chunks = []string{""}
		}
		chunks[0] = strings.TrimSpace(m + " " + chunks[0])
		out = append(out, chunks...)
	}
	return out
}

// marker writes a list number as the document shows it: "II.", "b)", "(3)".
func marker(b block, n int) string {
	var s string
	switch b.numStyle {
	case "UpperRoman":
		s = roman(n)
	case "LowerRoman":
		s = strings.ToLower(roman(n))
	case "LowerAlpha":
		s = string(rune('a' + (n-1)%26))
	case "UpperAlpha":
		s = string(rune('A' + (n-1)%26))
	default:
		s = strconv.Itoa(n)
	}
	switch b.delim {
	case "OneParen":
		return s + ")"
	case "TwoParens":
		return "(" + s + ")"
	}
	return s + "."
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b strings.Builder
	for i, v := range vals {
		for n >= v {
			b.WriteString(syms[i])
			n -= v
		}
	}
	return b.String()
}

// table writes a GFM pipe table. Merged cells are spread: the first cell
// keeps the text, the others are left empty.
func (w *writer) table(b block) string {
	w.tables++
	cells := 0
	for _, row := range b.rows {
		cells += len(row)
	}
	if len(b.rows) > 0 && cells == 0 {
		w.lostTables++
		return ""
	}
	var grid [][]string
	taken := map[[2]int]bool{}
	for i, row := range b.rows {
		for len(grid) <= i {
			grid = append(grid, nil)
		}
		col := 0
		for _, c := range row {
			for taken[[2]int{i, col}] {
				col++
			}
			if c.rowSpan > 1 || c.colSpan > 1 {
				w.merged++
			}
			for dr := range max(c.rowSpan, 1) {
				for dc := range max(c.colSpan, 1) {
					taken[[2]int{i + dr, col + dc}] = true
				}
			}
			put(&grid[i], col, w.cell(c.blocks))
			col += max(c.colSpan, 1)
		}
	}
	cols := 0
	for k := range taken {
		cols = max(cols, k[1]+1)
	}
	for _, r := range grid {
		cols = max(cols, len(r))
	}
	if len(grid) == 0 || cols == 0 {
		return ""
	}
	var out strings.Builder
	row := func(r []string) {
		out.WriteString("|")
		for c := range cols {
			v := ""
			if c < len(r) {
				v = r[c]
			}
			out.WriteString(" " + v + " |")
		}
		out.WriteString("\n")
	}
	// A pipe table must have a head row: the first row, whether Word
	// marked it as a heading row or not (some tables mark every row, and
	// their order is kept).
	row(grid[0])
	out.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
	for _, r := range grid[1:] {
		row(r)
	}
	return strings.TrimRight(out.String(), "\n")
}

func put(r *[]string, col int, v string) {
	for len(*r) <= col {
		*r = append(*r, "")
	}
	(*r)[col] = v
}

// cell writes a table cell's blocks on one line.
func (w *writer) cell(blocks []block) string {
	var parts []string
	var walk func(bs []block)
	walk = func(bs []block) {
		for _, b := range bs {
			switch b.kind {
			case paraBlock, headerBlock:
				if s := w.markdownInline(b.runs, true); s != "" {
					parts = append(parts, s)
				}
			case bulletBlock, orderBlock:
				for _, it := range b.items {
					walk(it)
				}
			case tableBlock:
				for _, r := range b.rows {
					for _, c := range r {
						walk(c.blocks)
					}
				}
			case codeBlock:
				parts = append(parts, escape(squeeze(b.text), true))
			}
		}
	}
	walk(blocks)
	return strings.Join(parts, " ")
}

// image copies an image pandoc extracted into the bundle, as anh-N.ext.
func (w *writer) image(img *image) string {
	src := img.src
	if !filepath.IsAbs(src) {
		src = filepath.Join(w.media, filepath.FromSlash(src))
	}
	ext := strings.ToLower(path.Ext(img.src))
	if ext == ".jpeg" {
		ext = ".jpg"
	}
	// Only an image the builder publishes is written: an EMF, a TIFF, an
	// SVG, a damaged or too large picture would stop the build. Its place
	// is kept, and the report asks for a PNG or JPEG.
	if err := checkImage(src); err != nil {
		kind := strings.TrimPrefix(ext, ".")
		if kind == "" {
			kind = "?"
		}
		w.badImages = append(w.badImages, kind)
		alt := squeeze(img.alt)
		if alt != "" {
			alt = ": " + alt
		}
		return escape("[Hình không hiển thị được trên trang"+alt+"]", false)
	}
	n := len(w.images) + 1
	name := fmt.Sprintf("anh-%d%s", n, ext)
	w.images = append(w.images, bundleFile{name: name, src: src})
	alt := squeeze(img.alt)
	if alt == "" {
		alt = fmt.Sprintf("Hình %d", n)
	}
	return "![" + escape(alt, false) + "](" + name + ")"
}

// note writes a footnote's mark; its text goes to the end of the page.
func (w *writer) note(blocks []block) string {
	n := len(w.notes) + 1
	var text []string
	for _, b := range blocks {
		if b.kind == paraBlock {
			text = append(text, w.markdownInline(b.runs, false))
		}
	}
	w.notes = append(w.notes, fmt.Sprintf("\\[%d\\] %s", n, strings.Join(text, " ")))
	return fmt.Sprintf("\\[%d\\]", n)
}

// checkImage tells whether the builder publishes the image file name.
func checkImage(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return images.Check(f)
}
