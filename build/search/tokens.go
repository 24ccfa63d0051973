package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// maxToken is the longest token indexed, in bytes; longer runs (a pasted
// hash, a long URL) are skipped rather than bloating the index.
const maxToken = 40

// A token is one word of a text: Exact is the word as written, in NFC and
// lowercase ("đăng"); Key is its folded form ("dang"): vntext.Fold, the
// form every word is indexed and looked up under. search.js folds queries
// the same way; the tests run one table through both. A run of digits loses
// its leading zeros, so "04/KH-UBND" and "4/KH-UBND" meet.
type token struct {
	Exact, Key string
}

// tokens splits s into words: runs of letters, marks and digits. Every other
// character separates, so "29/KH-UBND" is the three words 29, kh and ubnd,
// and a number is found whether it is typed with its slashes, in lowercase or
// with spaces.
func tokens(s string) []token {
	s = strings.ToLower(norm.NFC.String(s))
	out := make([]token, 0, len(s)/6+1)
	start := -1
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = appendToken(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = appendToken(out, s[start:])
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

func appendToken(out []token, w string) []token {
	if len(w) > maxToken {
		return out
	}
	w = trimZeros(w)
	k := foldWord(w)
	if k == "" { // marks alone
		return out
	}
	return append(out, token{Exact: w, Key: k})
}

// foldCache holds the folded form of the words met: a site's vocabulary
// is small, and folding (two normalisations) is the cost of indexing.
var foldCache sync.Map

// foldWord is vntext.Fold for one lowercase NFC word, cached; ASCII words fold to
// themselves.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	if k, ok := foldCache.Load(w); ok {
		return k.(string)
	}
	k := vntext.Fold(w)
	foldCache.Store(strings.Clone(w), k)
	return k
}

// trimZeros drops the leading zeros of an all-digit word, keeping one digit.
func trimZeros(w string) string {
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return w
		}
	}
	t := strings.TrimLeft(w, "0")
	if t == "" {
		return "0"
	}
	return t
}

// truncate cuts s to at most n bytes at a word boundary when it can.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > n*3/4 {
		cut = sp
	}
	return strings.TrimSpace(s[:cut]) + " …"
}
