package forms

import (
	"fmt"
	"strconv"
	"strings"
)

// Receipt codes let a person follow what became of a submission (Decree
// 42/2022/NĐ-CP, Art. 8): every accepted submission is told a short code
// such as CH-7K3M-9Q2P, to read aloud or copy, and looks it up at
// /tra-cuu/ with the last four digits of its phone number (or its email).
//
// The code is derived, never stored: the form's prefix (CH for questions,
// DB for delegates) and the first 40 bits (ReceiptHexLen hex digits) of the
// submission's hash, written as 8 symbols of the registration codes'
// alphabet (codes.go: no 0/O, no 1/I). A resend has the same hash and so
// the same code; the store finds the submission from the code by listing
// the keys that start with those hex digits.

// ReceiptHexLen is how many hex digits of the hash a receipt code carries.
const ReceiptHexLen = 10

// receiptSymbols is the length of a code's body: 40 bits, 5 per symbol.
const receiptSymbols = ReceiptHexLen * 4 / 5

func validCodePrefix(p string) bool {
	return len(p) == 2 && strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

// ReceiptCode is the code of the submission of f with the given hash (hex),
// e.g. "CH-7K3M-9Q2P"; "" when f has no prefix or the hash is too short.
func (f *Form) ReceiptCode(hash string) string {
	if f.CodePrefix == "" || len(hash) < ReceiptHexLen {
		return ""
	}
	bits, err := strconv.ParseUint(hash[:ReceiptHexLen], 16, 64)
	if err != nil {
		return ""
	}
	return FormatCode(f.CodePrefix, bits)
}

// FormatCode writes the low 40 bits of bits as a code of the receipt
// codes' shape after prefix: "CH-7K3M-9Q2P".
func FormatCode(prefix string, bits uint64) string {
	var b strings.Builder
	b.WriteString(prefix)
	for i := receiptSymbols - 1; i >= 0; i-- {
		if (receiptSymbols-1-i)%4 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[bits>>(5*uint(i))&31])
	}
	return b.String()
}

// ParseReceipt reads a receipt code as people type it (any case, dashes
// and spaces anywhere) and returns its prefix and the hex digits of the
// hash it names. ok is false for anything that is not a code.
func ParseReceipt(code string) (prefix, hexDigits string, ok bool) {
	c := NormalizeCode(code)
	if len(c) != 2+receiptSymbols || !validCodePrefix(c[:2]) {
		return "", "", false
	}
	var bits uint64
	for i := 2; i < len(c); i++ {
		v := strings.IndexByte(codeAlphabet, c[i])
		if v < 0 {
			return "", "", false
		}
		bits = bits<<5 | uint64(v)
	}
	return c[:2], fmt.Sprintf("%0*x", ReceiptHexLen, bits), true
}

// FormByCodePrefix returns the form whose receipt codes start with prefix,
// or nil.
func (r *Registry) FormByCodePrefix(prefix string) *Form {
	for _, f := range r.list {
		if f.CodePrefix != "" && f.CodePrefix == prefix {
			return f
		}
	}
	return nil
}

// Answered reports whether staff answer the submissions of f (it names a
// Question field).
func (f *Form) Answered() bool { return f.Question != "" && f.Field(f.Question) != nil }

// FieldOfKind returns the first field of kind k, or nil.
func (f *Form) FieldOfKind(k Kind) *Field {
	for i := range f.Fields {
		if f.Fields[i].Kind == k {
			return &f.Fields[i]
		}
	}
	return nil
}

// TopicField returns the field whose options are the form's topics, or nil.
func (f *Form) TopicField() *Field {
	for i := range f.Fields {
		if f.Fields[i].Source == SourceTopics {
			return &f.Fields[i]
		}
	}
	return nil
}

// Published reports whether the person who sent rec agreed to publish it:
// the form asks (KindPublish) and the row holds the notice's version.
func (f *Form) Published(rec Record) bool {
	fl := f.FieldOfKind(KindPublish)
	return fl != nil && rec.Values[fl.Name] != ""
}

// MatchesContact reports whether typed is the last four digits of the
// phone number of rec, or its email address (any case). Lookups ask for
// it beside the receipt code.
func (f *Form) MatchesContact(rec Record, typed string) bool {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return false
	}
	for i := range f.Fields {
		fl := &f.Fields[i]
		v := rec.Values[fl.Name]
		if v == "" {
			continue
		}
		switch fl.Kind {
		case KindPhone:
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, typed)
			if len(digits) == 4 && len(typed) <= 8 && strings.HasSuffix(v, digits) {
				return true
			}
		case KindEmail:
			if strings.EqualFold(v, typed) {
				return true
			}
		}
	}
	return false
}
