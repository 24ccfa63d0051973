package wordimport

import (
	"strings"
)

// topLine is a line of one of the document's first (or last) paragraphs.
type topLine struct {
	text        string
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
			out = append(out, topLine{text: l.text(), bold: l.bold() || b.kind == headerBlock, image: img, block: bi, line: li})
		}
	}
	return out
}

// cellLines lists the lines of a table's column col (all columns from col
// on when rest is set), row by row.
func cellLines(b block, col int, rest bool) []string {
	var out []string
	for _, row := range b.rows {
		for c, ce := range row {
			if c != col && !(rest && c > col) {
				continue
			}
			for _, l := range blockLines(ce.blocks, 0, 1000) {
				out = append(out, l.text)
			}
			for _, cb := range ce.blocks {
				if cb.kind == bulletBlock || cb.kind == orderBlock {
					for _, it := range cb.items {
						for _, l := range blockLines(it, 0, 1000) {
							out = append(out, "- "+l.text)
						}
					}
				}
			}
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
// date), the kind and title, and the closing block (recipients and
// signature) of a Decree 30 document, and returns what is between them:
// the body. Lines of the header it could not place are returned too.
func recognise(blocks []block) (d *Document, body []block, unplaced []string) {
	d = &Document{}
	for len(blocks) > 0 && empty(blocks[0]) {
		blocks = blocks[1:]
	}
	for len(blocks) > 0 && empty(blocks[len(blocks)-1]) {
		blocks = blocks[:len(blocks)-1]
	}

	// The header: a two-column table, or paragraphs.
	var head []string
	from := 0
	if len(blocks) > 0 && blocks[0].kind == tableBlock {
		all := append(cellLines(blocks[0], 0, false), cellLines(blocks[0], 1, true)...)
		for _, l := range all {
			if isHeaderLine(l) {
				head, from = all, 1
				break
			}
		}
	}
	tops := blockLines(blocks, from, 60)
	used := 0
	if from == 1 {
		// A date or number written under the table.
		for used < len(tops) && !tops[used].image && (isHeaderLine(tops[used].text) || tops[used].text == "" || separator(tops[used].text)) {
			head = append(head, tops[used].text)
			used++
		}
	} else {
		last := -1
		for i := 0; i < min(len(tops), 14); i++ {
			if tops[i].image {
				break
			}
			if isHeaderLine(tops[i].text) {
				last = i
			}
		}
		for i := 0; i <= last; i++ {
			head = append(head, tops[i].text)
		}
		used = last + 1
	}
	unplaced = d.readHeader(head)

	// The kind and the title, bold, possibly over several lines.
	skip := func() {
		for used < len(tops) && !tops[used].image && (tops[used].text == "" || separator(tops[used].text)) {
			used++
		}
	}
	skip()
	if used < len(tops) && !tops[used].image && kindLine(tops[used].text) {
		d.Kind = tops[used].text
		used++
		skip()
		var title []string
		for used < len(tops) && len(title) < 6 {
			t := tops[used]
			if t.image || t.text == "" || !t.bold || numbered(t.text) || isHeaderLine(t.text) || separator(t.text) {
				break
			}
			title = append(title, t.text)
			used++
		}
		if len(title) > 0 {
			d.Title = strings.Join(title, " ")
			skip()
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
	return d, d.readClosing(body), unplaced
}

// readClosing finds the closing block at the end of body and returns the
// body without it.
func (d *Document) readClosing(body []block) []block {
	if len(body) == 0 {
		return body
	}
	// A two-column table: "Nơi nhận:" and its list on the left, the
	// signature on the right.
	if last := body[len(body)-1]; last.kind == tableBlock {
		left, right := cellLines(last, 0, false), cellLines(last, 1, true)
		label := false
		for _, l := range left {
			if l = squeeze(l); l != "" {
				label = recipRe.MatchString(l)
				break
			}
		}
		sig := d.readSignature(right)
		if label || sig {
			if label {
				d.readRecipients(left)
			}
			return body[:len(body)-1]
		}
	}

	// Paragraphs: the last "Nơi nhận:", its list, and the signature after
	// it or before it.
	k := -1
	for i := len(body) - 1; i >= max(0, len(body)-60); i-- {
		if b := body[i]; b.kind == paraBlock || b.kind == headerBlock {
			if recipRe.MatchString(plain(lines(b.runs)[0])) {
				k = i
				break
			}
		}
	}
	if k < 0 {
		// No recipients: a signature at the very end, with its authority.
		start := sigStart(body, len(body))
		if start < len(body) && hasAuthority(body[start:]) && d.readSignature(texts(body[start:])) {
			return body[:start]
		}
		return body
	}
	var recips []string
	ls := blockLines(body, k, 1000)
	i := 0
	for ; i < len(ls) && ls[i].block == k; i++ {
		recips = append(recips, ls[i].text)
	}
	end := k + 1
	// The list: items of Word's lists, or lines typed with "-".
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
		t := plain(b.runs)
		if t != "" && !bulletRe.MatchString(t) && !strings.HasPrefix(fold(t), "LƯU") {
			break
		}
		for _, l := range lines(b.runs) {
			recips = append(recips, l.text())
		}
	}
	d.readRecipients(recips)
	// The signature after the list, else just before "Nơi nhận:".
	sigEnd := end
	for sigEnd < len(body) && body[sigEnd].kind == paraBlock {
		sigEnd++
	}
	if end < sigEnd && d.readSignature(texts(body[end:sigEnd])) {
		return append(body[:k:k], body[sigEnd:]...)
	}
	if start := sigStart(body, k); start < k && d.readSignature(texts(body[start:k])) {
		return append(body[:start:start], body[end:]...)
	}
	return append(body[:k:k], body[end:]...)
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

// texts is the lines of paragraphs.
func texts(bs []block) []string {
	var out []string
	for _, b := range bs {
		for _, l := range lines(b.runs) {
			out = append(out, l.text())
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
