package search

import (
	"strings"
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
	var out []token
	for _, w := range splitWords(nil, s) {
		if exact, key, ok := normWord(w); ok {
			out = append(out, token{Exact: exact, Key: key})
		}
	}
	return out
}

// splitWords appends to dst the words of s as written: runs of letters,
// marks and digits, in whatever case and normal form s has. A text is
// split before it is normalised: the index normalises each distinct word
// once (normWord, through its vocabulary), not every word of every page.
// Splitting first splits alike, since NFC never joins a letter to a
// character that is not one.
func splitWords(dst []string, s string) []string {
	start := -1
	for i := 0; i < len(s); {
		c := s[i]
		var in bool
		size := 1
		if c < utf8.RuneSelf {
			in = asciiWord[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			in = isWordRune(r)
		}
		if in {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			dst = append(dst, s[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, s[start:])
	}
	return dst
}

// asciiWord tells the ASCII bytes that are part of words.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

func isWordRune(r rune) bool {
	switch {
	case 0x1E00 <= r && r <= 0x1EFF: // Latin Extended Additional: ạ ả ấ … ỹ, all letters
		return true
	case 0x0100 <= r && r <= 0x024F: // Latin Extended-A and -B: ă đ ĩ ũ ơ ư …, all letters
		return true
	case 0x0300 <= r && r <= 0x036F: // combining marks, as NFD writes tones
		return true
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// normWord is a word as written (see splitWords) as the index keeps it:
// its exact spelling (NFC, lowercase, a number without its leading zeros)
// and its key (vntext.Fold of it). ok is false for a word that is not
// indexed: longer than maxToken, or marks alone.
func normWord(w string) (exact, key string, ok bool) {
	w = strings.ToLower(norm.NFC.String(w))
	if len(w) > maxToken {
		return "", "", false
	}
	w = trimZeros(w)
	key = w
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			key = vntext.Fold(w)
			break
		}
	}
	if key == "" {
		return "", "", false
	}
	return w, key, true
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
