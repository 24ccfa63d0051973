package search

import (
	"strings"
	"sync"
)

// vocab numbers what the index has met, so that a page's postings are a
// list of numbers and each word is normalised and folded once, not once per
// occurrence:
//
//   - a word as written ("Đăng", "ĐĂNG", "đăng" in NFD) → its spelling's term;
//   - a key (a folded word, "dang") → a key number;
//   - a term: one spelling of a key ("đăng" under "dang"), or a pair of
//     keys side by side ("dang" "ky").
//
// A page's workers look words up under a read lock, each page at once; only
// the words never met before take the write lock.
type vocab struct {
	mu     sync.RWMutex
	words  map[string]wordRef // as written → its spelling and key
	spells map[string]int32   // exact spelling → term
	keyIDs map[string]int32   // key → key number
	keys   []string           // by key number
	pairs  map[uint64]int32   // two key numbers → term
	terms  []termDesc         // by term number
}

// wordRef is a word as written: its spelling's term and its key; term is
// -1 for a word that is not indexed (see normWord).
type wordRef struct {
	term, key int32
}

// termDesc is a term: a spelling of key (exact is "" when it is the key
// itself), or the pair key, key2 (key2 is -1 for a spelling).
type termDesc struct {
	key, key2 int32
	exact     string
}

func newVocab() *vocab {
	return &vocab{
		words:  map[string]wordRef{},
		spells: map[string]int32{},
		keyIDs: map[string]int32{},
		pairs:  map[uint64]int32{},
	}
}

// lookupWords sets refs[i] to the ids of words[i].
func (v *vocab) lookupWords(words []string, refs []wordRef) {
	missing := false
	v.mu.RLock()
	for i, w := range words {
		r, ok := v.words[w]
		if !ok {
			r.key = -2 // not met yet
			missing = true
		}
		refs[i] = r
	}
	v.mu.RUnlock()
	if !missing {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, w := range words {
		if refs[i].key == -2 {
			refs[i] = v.addWord(w)
		}
	}
}

// addWord enters a word met for the first time; v.mu is held.
func (v *vocab) addWord(w string) wordRef {
	if r, ok := v.words[w]; ok { // met by another page meanwhile
		return r
	}
	r := wordRef{term: -1, key: -1}
	if exact, key, ok := normWord(w); ok {
		r.key = v.keyID(key)
		t, ok := v.spells[exact]
		if !ok {
			t = int32(len(v.terms))
			d := termDesc{key: r.key, key2: -1, exact: exact}
			if exact == key {
				d.exact = ""
			}
			v.terms = append(v.terms, d)
			v.spells[exact] = t
		}
		r.term = t
	}
	v.words[strings.Clone(w)] = r // w is part of a page's text, which the map must not keep
	return r
}

func (v *vocab) keyID(k string) int32 {
	id, ok := v.keyIDs[k]
	if !ok {
		id = int32(len(v.keys))
		v.keys = append(v.keys, k)
		v.keyIDs[k] = id
	}
	return id
}

func pairOf(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// lookupPairs replaces each pair of key numbers in ps by its term.
func (v *vocab) lookupPairs(ps []uint64, terms []int32) {
	missing := false
	v.mu.RLock()
	for i, p := range ps {
		t, ok := v.pairs[p]
		if !ok {
			t = -1
			missing = true
		}
		terms[i] = t
	}
	v.mu.RUnlock()
	if !missing {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for i, p := range ps {
		if terms[i] >= 0 {
			continue
		}
		t, ok := v.pairs[p]
		if !ok {
			t = int32(len(v.terms))
			v.terms = append(v.terms, termDesc{key: int32(p >> 32), key2: int32(uint32(p))})
			v.pairs[p] = t
		}
		terms[i] = t
	}
}
