package wordimport

import (
	"regexp"
	"strings"
)

// topLine is a line of one of the document's first (or last) paragraphs.
type topLine struct {
	text        string
	cols        []string // the line's columns, where tabs laid it out (colBreak)
	bold, image bool
	block, line int // where it is: the block's index, the line's within it
}

// blockLines lists the lines of the paragraphs of blocks from index from
// on, up to the first block that is not a paragraph or heading, or about
// limit lines.
func blockLines(blocks []block, from, limit int) []topLine {
	var out []topLine
	for bi := from; bi < len(blocks) && len(out) < limit; bi++ {
		b := blocks[bi]
		if b.kind != paraBlock && b.kind != headerBlock {
			break
		}
		for li, l := range lines(b.runs) {
			img := false
			for _, r := range l {
				img = img || r.image != nil || r.note != nil
			}
			out = append(out, topLine{text: l.text(), cols: l.cols(), bold: l.bold() || b.kind == headerBlock, image: img, block: bi, line: li})
		}
	}
	return out
}

// cellLines lists the lines of a table's column col (all columns from col
// on when rest is set), row by row; the items of a list in a cell start
// with "- ".
func cellLines(b block, col int, rest bool) []topLine {
	var out []topLine
	for _, row := range b.rows {
		for c, ce := range row {
			if c != col && !(rest && c > col) {
				continue
			}
			for _, cb := range ce.blocks {
				switch cb.kind {
				case paraBlock, headerBlock:
					out = append(out, blockLines([]block{cb}, 0, 1000)...)
				case bulletBlock, orderBlock:
					for _, it := range cb.items {
						for _, l := range blockLines(it, 0, 1000) {
							l.text = "- " + l.text
							l.cols = []string{l.text}
							out = append(out, l)
						}
					}
				}
			}
		}
	}
	return out
}

func lineTexts(ls []topLine) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

func hlines(ls []topLine) []hline {
	out := make([]hline, 0, len(ls))
	for _, l := range ls {
		if l.text != "" {
			out = append(out, hline{l.text, l.bold})
		}
	}
	return out
}

func empty(b block) bool {
	if b.kind != paraBlock && b.kind != headerBlock {
		return false
	}
	for _, r := range b.runs {
		if r.image != nil || r.note != nil {
			return false
		}
	}
	return plain(b.runs) == ""
}

// recognise finds the header block (issuer, number, motto, place and
// date), the kind, title and addressees, and the closing block
// (recipients and signature) of a Decree 30 document, and returns what is
// between them and after them (an annex): the body. Pieces of the header
// it could not place are returned too.
func recognise(blocks []block) (d *Document, body []block, unplaced []string) {
	d = &Document{}
	blocks = unbox(blocks)
	for len(blocks) > 0 && empty(blocks[0]) {
		blocks = blocks[1:]
	}
	for len(blocks) > 0 && empty(blocks[len(blocks)-1]) {
		blocks = blocks[:len(blocks)-1]
	}

	// The header: a two-column table, or paragraphs whose columns are
	// laid out with tabs or spaces.
	var left, right []hline
	side := func(t topLine) {
		switch {
		case len(t.cols) >= 2:
			left = append(left, hline{t.cols[0], t.bold})
			for _, c := range t.cols[1:] {
				right = append(right, hline{c, t.bold})
			}
		case len(t.cols) == 1:
			switch classify(t.cols[0]) {
			case mottoLine, mottoSubLine, dateLine:
				right = append(right, hline{t.cols[0], t.bold})
			default:
				left = append(left, hline{t.cols[0], t.bold})
			}
		}
	}
	from := 0
	if len(blocks) > 0 && blocks[0].kind == tableBlock {
		l, r := cellLines(blocks[0], 0, false), cellLines(blocks[0], 1, true)
		for _, t := range append(append([]topLine(nil), l...), r...) {
			if isHeaderLine(t.text) {
				left, right, from = hlines(l), hlines(r), 1
				break
			}
		}
	}
	tops := blockLines(blocks, from, 80)
	used := 0
	if from == 1 {
		// A date, a number or a "V/v" written under the table.
		for used < len(tops) && !tops[used].image && (isHeaderLine(tops[used].text) || tops[used].text == "" || separator(tops[used].text) || stars(tops[used].text)) {
			side(tops[used])
			used++
		}
	} else {
		last, number := -1, false
		for i := 0; i < min(len(tops), 16); i++ {
			t := tops[i]
			if t.image || number && kindLine(t.text) {
				// The kind ends the header.
				break
			}
			if isHeaderLine(t.text) || last >= 0 && headAboutRe.MatchString(t.text) {
				last = i
				number = number || numberRe.MatchString(t.text) || partyNumRe.MatchString(t.text)
			}
		}
		for i := 0; i <= last; i++ {
			side(tops[i])
		}
		used = last + 1
	}
	unplaced = d.readHeader(left, right)

	skip := func() {
		for used < len(tops) && !tops[used].image && (tops[used].text == "" || separator(tops[used].text) || stars(tops[used].text) || markRe.MatchString(tops[used].text)) {
			used++
		}
	}
	// continuation takes the lines that go on a "V/v" trích yếu: they
	// start in lower case.
	continuation := func() {
		for used < len(tops) {
			t := tops[used]
			short := words(t.text) <= 14 && !strings.HasSuffix(t.text, ".") && !strings.HasSuffix(t.text, ":")
			if t.image || t.text == "" || !(startsLower(t.text) || short) || upper(t.text) || words(t.text) > 30 ||
				addresseesRe.MatchString(t.text) || numbered(t.text) || bodyStartRe.MatchString(t.text) {
				return
			}
			d.Title = strings.TrimSpace(d.Title + " " + t.text)
			used++
		}
	}
	if d.Title != "" {
		// "V/v …" under the number: a letter (công văn), which prints no
		// kind, unless a kind follows ("THÔNG BÁO" over its "V/v").
		continuation()
		skip()
		d.Kind = "CÔNG VĂN"
		if used < len(tops) && !tops[used].image && kindLine(tops[used].text) && !addresseesRe.MatchString(tops[used].text) && words(tops[used].text) <= 4 {
			d.Kind = tops[used].text
			used++
		}
	}
	skip()

	// The kind and the title, bold, possibly over several lines.
	if d.Kind == "" && used < len(tops) && !tops[used].image && kindLine(tops[used].text) {
		d.Kind = tops[used].text
		used++
		skip()
		if used < len(tops) && aboutRe.MatchString(tops[used].text) {
			// "THÔNG BÁO" / "V/v …"
			d.Title = strings.TrimSpace(aboutRe.ReplaceAllString(tops[used].text, ""))
			used++
			continuation()
		} else {
			var title []string
			for used < len(tops) && len(title) < 6 {
				t := tops[used]
				// The title is bold; a title in capitals right under the kind
				// (as the Party prints it) may be in regular type.
				capsTitle := len(title) == 0 && upper(t.text) && words(t.text) <= 25 && !authorityLine(t.text)
				if t.image || t.text == "" || !(t.bold || capsTitle) || numbered(t.text) || isHeaderLine(t.text) || separator(t.text) || stars(t.text) || addresseesRe.MatchString(t.text) ||
					bodyStartRe.MatchString(t.text) || words(t.text) > 60 {
					break
				}
				// A decision's authority ("ỦY BAN NHÂN DÂN TỈNH …") follows
				// its title; it belongs to the body.
				if len(title) > 0 && upper(t.text) && (!upper(strings.Join(title, " ")) || authorityLine(t.text)) {
					break
				}
				title = append(title, t.text)
				used++
			}
			d.Title = strings.Join(title, " ")
		}
	}
	skip()

	// "Kính gửi:", of a letter or a submission.
	if used < len(tops) && !tops[used].image && addresseesRe.MatchString(tops[used].text) {
		if d.Kind == "" && d.header {
			d.Kind = "CÔNG VĂN"
		}
		if rest := recipient(addresseesRe.ReplaceAllString(tops[used].text, "")); rest != "" {
			d.Addressees = append(d.Addressees, rest)
		}
		used++
		for used < len(tops) {
			t := tops[used]
			if t.image || t.text == "" || words(t.text) > 30 || !(bulletRe.MatchString(t.text) || len(d.Addressees) == 0) {
				break
			}
			d.Addressees = append(d.Addressees, recipient(t.text))
			used++
		}
	}

	// "Kính gửi:" in a table of its own: the label left, the addressees right.
	next := from
	if len(tops) > 0 {
		next = tops[len(tops)-1].block + 1
	}
	if used >= len(tops) && next < len(blocks) && blocks[next].kind == tableBlock && len(d.Addressees) == 0 {
		all := true
		for _, row := range blocks[next].rows {
			label := ""
			if len(row) > 0 {
				label = strings.Join(lineTexts(cellLines(block{kind: tableBlock, rows: [][]cell{row}}, 0, false)), " ")
			}
			if !addresseesRe.MatchString(squeeze(label)) || strings.HasPrefix(headingKey(label), "ĐỒNG") {
				all = false
				continue
			}
			if rest := recipient(addresseesRe.ReplaceAllString(squeeze(label), "")); rest != "" {
				d.Addressees = append(d.Addressees, rest)
			}
			for _, l := range cellLines(block{kind: tableBlock, rows: [][]cell{row}}, 1, true) {
				if a := recipient(l.text); a != "" {
					d.Addressees = append(d.Addressees, a)
				}
			}
		}
		if len(d.Addressees) > 0 {
			if d.Kind == "" && d.header {
				d.Kind = "CÔNG VĂN"
			}
			if all {
				next++
			}
			return d, append(unplacedBlocks(unplaced), d.trimEndSignature(d.readClosing(blocks[next:]))...), unplaced
		}
	}

	// The body starts at the first line not used.
	switch {
	case used < len(tops):
		t := tops[used]
		body = append([]block(nil), blocks[t.block:]...)
		if t.line > 0 {
			b := body[0]
			b.kind = paraBlock
			b.runs = joinLines(lines(b.runs)[t.line:])
			body[0] = b
		}
	case len(tops) > 0:
		body = blocks[tops[len(tops)-1].block+1:]
	default:
		body = blocks[from:]
	}
	return d, append(unplacedBlocks(unplaced), d.trimEndSignature(d.readClosing(body))...), unplaced
}

// trimEndSignature drops from the end of body, an annex's end, a second
// copy of the document's signature block: the same signer's name under
// the same titles. The page prints the block once, in its foot.
func (d *Document) trimEndSignature(body []block) []block {
	if d.Signer == "" {
		return body
	}
	start := sigStart(body, len(body))
	for _, l := range texts(body[start:]) {
		if squeeze(l) == d.Signer {
			return body[:start]
		}
	}
	return body
}

// unplacedBlocks are the header's pieces that are none of its fields, as
// paragraphs: they stay on the page, at the top of the body.
func unplacedBlocks(unplaced []string) []block {
	var top []block
	for _, u := range unplaced {
		top = append(top, block{kind: paraBlock, runs: []run{{text: u}}})
	}
	return top
}

// bodyStartRe matches the words a body starts with, never a title's.
var bodyStartRe = regexp.MustCompile(`^(?:Căn cứ|Thực hiện|Theo|Ngày|Sau khi|Để|Nhằm|Trên cơ sở|Tiếp theo|Qua|Hiện nay|Trong)(?:[\s,:]|$)`)

// markRe matches the marks printed over a document's kind: its draft
// state, its urgency, its secrecy (Decree 30/2020/NĐ-CP, Art. 8).
var markRe = regexp.MustCompile(`(?i)^\(?\s*(?:DỰ\s*THẢO(?:\s*\d+)?|MẬT|TỐI\s*MẬT|TUYỆT\s*MẬT|KHẨN|THƯỢNG\s*KHẨN|HỎA\s*TỐC|HOẢ\s*TỐC)\s*\)?$`)

// unbox replaces each table that is only a box by what it holds: a table
// of one row of which one cell has anything in it, drawn round a mark such
// as "DỰ THẢO", or round a whole part of the document (a header table and
// its "Kính gửi" set in an outer table's cell).
func unbox(blocks []block) []block {
	var out []block
	for _, b := range blocks {
		if b.kind == tableBlock && len(b.rows) == 1 {
			var full []cell
			for _, c := range b.rows[0] {
				if !emptyCell(c) {
					full = append(full, c)
				}
			}
			if len(full) == 1 {
				out = append(out, unbox(full[0].blocks)...)
				continue
			}
		}
		out = append(out, b)
	}
	return out
}

func emptyCell(c cell) bool {
	for _, b := range c.blocks {
		if !empty(b) {
			return false
		}
	}
	return true
}

// startsLower tells whether s starts with a lower-case letter.
func startsLower(s string) bool {
	for _, r := range s {
		return r != []rune(strings.ToUpper(string(r)))[0]
	}
	return false
}

// authorities start the line that names who decides, under a decision's title.
var authorities = []string{"ỦY BAN NHÂN DÂN", "UBND", "CHỦ TỊCH", "GIÁM ĐỐC", "HỘI ĐỒNG", "BAN CHẤP HÀNH", "BAN THƯỜNG VỤ", "BỘ TRƯỞNG", "HIỆU TRƯỞNG", "TRƯỞNG BAN", "BÍ THƯ", "THƯỜNG TRỰC", "CHÁNH VĂN PHÒNG"}

func authorityLine(s string) bool {
	f := headingKey(s)
	for _, a := range authorities {
		if strings.HasPrefix(f, headingKey(a)) {
			return true
		}
	}
	return false
}

// readClosing finds the closing block, the last "Nơi nhận:" and the
// signature beside it, and returns the body without it: what stood before
// it and what follows it (an annex, a quy chế it issues).
func (d *Document) readClosing(body []block) []block {
	if len(body) == 0 {
		return body
	}
	// The closing block is the first "Nơi nhận:" that is not a form's
	// blank to fill in (an annex may hold sample letters, each with its
	// "(Ký, ghi rõ họ tên, đóng dấu)"); failing that, the last.
	type place struct{ block, line int }
	var found []place
	for i, b := range body {
		switch b.kind {
		case tableBlock:
			if labelled(cellLines(b, 0, false)) {
				found = append(found, place{i, 0})
			}
		case paraBlock, headerBlock:
			for li, l := range lines(b.runs) {
				// "Nơi nhận:" and a short item at most: a sentence about
				// recipients, in a guide to writing documents, is body.
				if c := l.cols(); len(c) > 0 && recipRe.MatchString(c[0]) && words(recipRe.ReplaceAllString(c[0], "")) <= 12 {
					found = append(found, place{i, li})
					break
				}
			}
		}
	}
	k, kLine := -1, 0
	if len(found) > 0 {
		k, kLine = found[len(found)-1].block, found[len(found)-1].line
		for _, f := range found {
			if !formBlank(body[f.block:min(len(body), f.block+8)]) {
				k, kLine = f.block, f.line
				break
			}
		}
	}
	if k < 0 {
		// No recipients: a table at the end with the signature on the
		// right, or a signature with its authority at the very end.
		if last := body[len(body)-1]; last.kind == tableBlock && d.readSignature(lineTexts(cellLines(last, 1, true))) {
			return body[:len(body)-1]
		}
		start := sigStart(body, len(body))
		if start < len(body) && hasAuthority(body[start:]) && d.readSignature(texts(body[start:])) {
			return body[:start]
		}
		return body
	}

	if b := body[k]; b.kind == tableBlock {
		d.readRecipients(lineTexts(cellLines(b, 0, false)))
		// The signer's name may stand under the table.
		sig := lineTexts(cellLines(b, 1, true))
		end := k + 1
		for end < len(body) && end < k+4 && body[end].kind == paraBlock && !d.hasName(sig) {
			ls := texts(body[end : end+1])
			ok := true
			for _, l := range ls {
				ok = ok && (l == "" || nameLike(stripDegree(l)))
			}
			if !ok {
				break
			}
			sig = append(sig, ls...)
			end++
		}
		if d.readSignature(sig) || d.readTitleOnly(sig) {
			return append(body[:k:k], body[end:]...)
		}
		return append(body[:k:k], body[k+1:]...)
	}

	// Paragraphs, their columns laid out with tabs, or not at all.
	var recips, sig []string
	take := func(cols []string) bool {
		switch {
		case len(cols) > 0 && isHeaderLine(strings.Join(cols, " ")):
			// The header of an annex, or of a form attached.
			return false
		case len(cols) == 0:
		case len(cols) >= 2:
			recips = append(recips, cols[0])
			sig = append(sig, cols[1:]...)
		case recipRe.MatchString(cols[0]) || bulletRe.MatchString(cols[0]) || strings.HasPrefix(headingKey(cols[0]), "LƯU"):
			l, r := splitClosing(cols[0])
			recips = append(recips, l)
			if r != "" {
				sig = append(sig, r)
			}
		case signatureLike(cols[0]):
			sig = append(sig, cols[0])
		default:
			return false
		}
		return true
	}
	before := body[:k:k]
	if kLine > 0 {
		b := body[k]
		b.runs = joinLines(lines(b.runs)[:kLine])
		before = append(before, b)
	}
	end := k + 1
	for _, l := range lines(body[k].runs)[kLine:] {
		take(l.cols())
	}
	for ; end < len(body); end++ {
		b := body[end]
		if b.kind == bulletBlock {
			for _, it := range b.items {
				recips = append(recips, "- "+plain(flatRuns(it)))
			}
			continue
		}
		if b.kind != paraBlock {
			break
		}
		ok := true
		for _, l := range lines(b.runs) {
			ok = ok && take(l.cols())
		}
		if !ok {
			break
		}
	}
	d.readRecipients(recips)
	if len(sig) > 0 && d.readSignature(sig) {
		return append(before, body[end:]...)
	}
	// The signature just before "Nơi nhận:".
	if start := sigStart(before, len(before)); start < len(before) && d.readSignature(texts(before[start:])) {
		before = before[:start]
	}
	return append(before, body[end:]...)
}

// blankRe matches the instructions of a form's signature block.
var blankRe = regexp.MustCompile(`(?i)\(\s*ký[^)]*(?:họ tên|đóng dấu)`)

// formBlank tells whether the closing block that starts bs is a sample to
// fill in: its signature is an instruction, not a title and a name.
func formBlank(bs []block) bool {
	var ls []string
	for _, b := range bs {
		if b.kind == tableBlock {
			ls = append(ls, lineTexts(cellLines(b, 1, true))...)
			break
		}
		ls = append(ls, texts([]block{b})...)
	}
	for _, l := range ls {
		if blankRe.MatchString(l) {
			return true
		}
	}
	return false
}

// labelled tells whether the first line of ls is "Nơi nhận:".
func labelled(ls []topLine) bool {
	for _, l := range ls {
		if t := squeeze(l.text); t != "" {
			return recipRe.MatchString(t)
		}
	}
	return false
}

// sigStart is the first of the paragraphs just before end that may all be
// lines of a signature block.
func sigStart(body []block, end int) int {
	start := end
	for start > 0 && end-start < 8 {
		b := body[start-1]
		if b.kind != paraBlock {
			break
		}
		ok := true
		for _, l := range lines(b.runs) {
			ok = ok && signatureLike(l.text())
		}
		if !ok {
			break
		}
		start--
	}
	for start < end && empty(body[start]) {
		start++
	}
	return start
}

func hasAuthority(bs []block) bool {
	for _, t := range texts(bs) {
		if authRe.MatchString(t) {
			return true
		}
	}
	return false
}

// texts is the lines of paragraphs, a column each where tabs laid them out.
func texts(bs []block) []string {
	var out []string
	for _, b := range bs {
		for _, l := range lines(b.runs) {
			if c := l.cols(); len(c) > 0 {
				out = append(out, c...)
			} else {
				out = append(out, "")
			}
		}
	}
	return out
}

func flatRuns(bs []block) []run {
	var out []run
	for _, b := range bs {
		if len(out) > 0 {
			out = append(out, run{text: " "})
		}
		out = append(out, b.runs...)
	}
	return out
}

// readRecipients reads the lines from "Nơi nhận:" on.
func (d *Document) readRecipients(ls []string) {
	seen := false
	for _, l := range ls {
		l = squeeze(l)
		if !seen {
			if recipRe.MatchString(l) {
				seen, d.recipientsLabel = true, true
				l = recipRe.ReplaceAllString(l, "")
			} else {
				continue
			}
		}
		if r := recipient(l); r != "" {
			d.Recipients = append(d.Recipients, r)
		}
	}
}
