package wordimport

import (
	"regexp"
	"strings"
)

// markdownInline writes runs as Markdown: bold, italic, strike-through,
// code, links, images and hard line breaks; the text is escaped so that it
// reads back as the same text. inTable turns line breaks into spaces and
// escapes "|".
func (w *writer) markdownInline(runs []run, inTable bool) string {
	runs = merge(runs)
	var b strings.Builder
	for i := 0; i < len(runs); {
		r := runs[i]
		switch {
		case r.brk:
			if inTable {
				b.WriteByte(' ')
			} else if i+1 < len(runs) && b.Len() > 0 {
				b.WriteString("\\\n")
			}
			i++
			continue
		case r.image != nil:
			b.WriteString(w.image(r.image))
			i++
			continue
		case r.note != nil:
			b.WriteString(w.note(r.note))
			i++
			continue
		}
		// A link: the runs that share its target. Only a link a reader can
		// follow is kept: a web address, mail or phone. A link to a file
		// beside the document, to a place on its author's computer
		// (file:///C:/Users/…) or to a bookmark in Word leads nowhere on
		// the site; its text stays.
		if r.link != "" && !webLink(r.link) {
			for j := i; j < len(runs) && runs[j].link == r.link; j++ {
				runs[j].link = ""
			}
			r.link = ""
		}
		if r.link != "" {
			j := i
			for j < len(runs) && runs[j].link == r.link && !runs[j].brk && runs[j].image == nil && runs[j].note == nil {
				j++
			}
			text := styled(runs[i:j], inTable)
			if strings.TrimSpace(text) == "" {
				text = escape(r.link, inTable)
			}
			core := strings.TrimSpace(text)
			if strings.HasPrefix(text, " ") {
				b.WriteByte(' ')
			}
			b.WriteString("[" + core + "](" + linkTarget(r.link) + ")")
			if strings.HasSuffix(text, " ") {
				b.WriteByte(' ')
			}
			i = j
			continue
		}
		j := i
		for j < len(runs) && runs[j].link == "" && !runs[j].brk && runs[j].image == nil && runs[j].note == nil {
			j++
		}
		b.WriteString(styled(runs[i:j], inTable))
		i = j
	}
	return strings.TrimRight(b.String(), " \\\n")
}

// merge joins neighbouring text runs of one style and link, so that Word's
// many runs ("Ch", "ủ tịch") become one, and drops empty ones.
func merge(runs []run) []run {
	var out []run
	for _, r := range runs {
		if !r.brk && r.image == nil && r.note == nil {
			r.text = clean(r.text)
			if r.text == "" {
				continue
			}
			if strings.TrimSpace(r.text) == "" {
				r.style = style{} // a space has no style: it goes outside the marks
			}
			if n := len(out); n > 0 {
				last := &out[n-1]
				if !last.brk && last.image == nil && last.note == nil && last.link == r.link && last.style == r.style {
					last.text += r.text
					continue
				}
			}
		}
		out = append(out, r)
	}
	// A space between two runs of one style belongs to them.
	for i := 1; i+1 < len(out); i++ {
		if strings.TrimSpace(out[i].text) == "" && out[i].text != "" && out[i-1].style == out[i+1].style &&
			!out[i-1].brk && !out[i+1].brk && out[i-1].image == nil && out[i+1].image == nil && out[i-1].note == nil && out[i+1].note == nil &&
			out[i-1].link == out[i+1].link && out[i].link == out[i-1].link {
			out[i-1].text += out[i].text + out[i+1].text
			out = append(out[:i], out[i+2:]...)
			i--
		}
	}
	return out
}

// styled writes text runs with their marks, keeping the spaces at their
// edges outside the marks (CommonMark does not close "**a **").
func styled(runs []run, inTable bool) string {
	var b strings.Builder
	for _, r := range runs {
		t := r.text
		if r.style.code {
			b.WriteString(codeSpan(t))
			continue
		}
		core := strings.TrimSpace(t)
		if core == "" {
			b.WriteString(" ")
			continue
		}
		lead, trail := t[:strings.Index(t, core)], t[strings.Index(t, core)+len(core):]
		if lead != "" {
			b.WriteByte(' ')
		}
		open, closing := "", ""
		if r.style.strike {
			open, closing = "~~", "~~"
		}
		if r.style.italic {
			open, closing = open+"*", "*"+closing
		}
		if r.style.bold {
			open, closing = open+"**", "**"+closing
		}
		b.WriteString(open + escape(core, inTable) + closing)
		if trail != "" {
			b.WriteByte(' ')
		}
	}
	// One space between words; one kept at each edge, so that "a " + "b"
	// stays "a b" when the runs around a link are written apart.
	out, lead, trail := strings.Join(strings.Fields(b.String()), " "), "", ""
	if strings.HasPrefix(b.String(), " ") {
		lead = " "
	}
	if strings.HasSuffix(b.String(), " ") && out != "" {
		trail = " "
	}
	return lead + out + trail
}

var entity = regexp.MustCompile(`&(#?[0-9A-Za-z]+;)`)

// escape writes text so that Markdown shows it as it is.
func escape(s string, inTable bool) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '`', '[', ']', '<', '>', '~':
			b.WriteByte('\\')
		case '|':
			if inTable {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return entity.ReplaceAllString(b.String(), `\&$1`)
}

var blockStart = regexp.MustCompile(`^(\d{1,9})([.)])( |$)`)

// escapeStart escapes what would make a paragraph's first characters a
// list, heading or quote: "1. ", "- ", "+ ", "# ", "=".
func escapeStart(s string) string {
	if m := blockStart.FindStringSubmatchIndex(s); m != nil {
		return s[:m[3]] + "\\" + s[m[3]:]
	}
	for _, p := range []string{"-", "+", "#", "=", ">"} {
		if strings.HasPrefix(s, p) {
			return "\\" + s
		}
	}
	return s
}

func codeSpan(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// webLink tells whether u leads somewhere from a page of the site.
func webLink(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	for _, p := range []string{"http://", "https://", "mailto:", "tel:"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

func linkTarget(u string) string {
	if strings.ContainsAny(u, " ()<>") {
		return "<" + strings.NewReplacer("<", "%3C", ">", "%3E").Replace(u) + ">"
	}
	return u
}
