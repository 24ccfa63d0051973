package search

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// TextOfHTML returns the plain text of a rendered page's content (the
// Markdown's HTML, not the frame) and the text of its h2–h4 headings, as
// [Doc] wants them. Block elements end a word, so "<td>29</td><td>KH</td>"
// does not become one word.
func TextOfHTML(b []byte) (text string, headings []string) {
	z := html.NewTokenizer(bytes.NewReader(b))
	body := make([]byte, 0, len(b)/2)
	space := false // owed before the next word
	var head strings.Builder
	depth := 0 // inside a heading
	skip := 0  // inside script or style
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return string(body), headings
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			n := len(body)
			body = appendCollapsed(body, t, space)
			// A space is owed if t ends in one, or if it was owed and t
			// added nothing.
			last, _ := utf8.DecodeLastRuneInString(t)
			space = len(t) > 0 && unicode.IsSpace(last) || space && len(body) == n
			if depth > 0 {
				head.WriteString(t)
			}
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			start := tt == html.StartTagToken
			switch tag {
			case "script", "style":
				if start {
					skip++
				} else if skip > 0 {
					skip--
				}
			case "h2", "h3", "h4":
				if start {
					depth++
					head.Reset()
				} else if depth > 0 {
					depth--
					if h := strings.Join(strings.Fields(head.String()), " "); h != "" {
						headings = append(headings, h)
					}
				}
			}
			if !inline[tag] {
				space = true
			}
		}
	}
}

// inline are the elements that do not end a word.
var inline = map[string]bool{
	"a": true, "abbr": true, "b": true, "code": true, "em": true, "i": true, "mark": true,
	"small": true, "span": true, "strong": true, "sub": true, "sup": true, "time": true, "u": true,
}
