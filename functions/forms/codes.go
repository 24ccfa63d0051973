package forms

import (
	"crypto/rand"
	"strings"

	"loa/functions/staff"
)

// Registration codes keep a chi đoàn's delegate places for the chi đoàn.
// The Đoàn phường hands each chi đoàn a code (NewCode); data/chi-doan.yaml
// keeps only its argon2id hash, as `code:` beside the chi đoàn's name. A form
// with a quota by chi đoàn then asks for the code (CodeField) and accepts a
// registration for a chi đoàn that has one only with the right code. Chi
// đoàn without a code register as before; a list without any code asks for
// none. The form's content declares the input (kind: code: its label, hint
// and messages). The code opens the door and is never stored: it is kept
// apart from the form's fields, so it is in no row, hash or file.

// CodeField is the name the ward's forms give the registration code's
// input (kind: code in content).
const CodeField = "ma_dang_ky"

// codeAlphabet has the digits and capitals that are not misread for one
// another (no 0 and O, no 1 and I): 32 symbols, 5 bits each.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// codeLen symbols make 60 bits: with one try every three minutes per
// client (the registrations' rate limit), no one guesses one.
const codeLen = 12

// NewCode returns a fresh code, written in groups of four: 7K3M-9Q2P-X4TD.
func NewCode() string {
	var b [codeLen]byte
	rand.Read(b[:])
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)]) // 256 is a multiple of 32: no bias
	}
	return s.String()
}

// NormalizeCode reads a code as people type it: any case, with or without
// the dashes, spaces anywhere.
func NormalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// HashCode returns the hash of code that data/chi-doan.yaml keeps.
func HashCode(code string) (string, error) {
	return staff.HashSecret(NormalizeCode(code))
}

// RequiresCode reports whether the form asks for a registration code.
func (f *Form) RequiresCode() bool { return len(f.codes) > 0 }

// CodeInput is the registration code's input as content declares it
// (kind: code), or nil when the form asks for none.
func (f *Form) CodeInput() *Field {
	if !f.RequiresCode() {
		return nil
	}
	return f.code
}

// CheckCode returns "" when typed is the code of the chi đoàn group, or
// group has no code; otherwise the message to show: the code input's
// missing or invalid.
// A check costs an argon2id hash: the handler limits how often a client
// may ask.
func (f *Form) CheckCode(group, typed string) string {
	c, ok := f.codes[group]
	if !ok {
		return ""
	}
	typed = NormalizeCode(typed)
	if typed == "" {
		return f.code.Missing
	}
	if len(typed) != codeLen || !c.Check(typed) {
		return f.code.Invalid
	}
	return ""
}
