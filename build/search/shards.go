package search

import (
	"math/bits"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// The shards hold the index's lines, sorted by key and cut into files of
// about shardSize bytes. A line is a key and, for each spelling of it met,
// the spelling and its postings:
//
//	dang\t\tAAC…\tđang\tBA…\tđăng\tAAAB…\n
//
// (the key's own spelling, "dang" written without marks, is the empty
// string). A pair of words side by side is one key, "+" and the two keys
// ("+dang ky"), with one spelling, "". The "+" sorts pairs ahead of every
// word, so the words that start alike, and the pairs that start alike, are
// next to each other, however many pairs a common word starts.
//
// Postings are the pages that hold the key, in page order, each a number in
// base-64 VLQ (see appendVLQ): the gap from the page before, times 4, plus
// the weight less one if the weight is 3 or less; else plus 3, and the
// weight less 4 as a second number. Most postings of a common word are one
// character.
//
// A query typed halfway ends in a prefix ("dang k"): search.js takes every
// key that starts with it from the shards that hold them. When those keys
// span more than maxPrefixShards shards, a completion line in the shard of
// its own key lists the most common of them instead:
//
//	k~\tke\tky\tkhi\t…\n
//
// "~" is in no key. Both sides find the shards of a prefix from the
// manifest's shard starts alone (prefixSpan), so they agree on when a
// completion line is there.
const (
	maxPrefixShards = 2
	completions     = 8
	pairMark        = "+"
	completionMark  = "~"
)

// shard is one shard file, before compression.
type shard struct {
	start string // the shortest key that starts it; "" for the first
	name  string // the hash of data
	data  []byte
}

// line is one line of the index: its key, where it ends in the buffer of
// lines, and the number of pages that hold the key.
type line struct {
	key string
	end int
	df  int
}

// written is what the last Write left for the next: the page order, the
// postings of every term as they were then (those of the terms changed
// since in patch), and the index's lines, each with its terms. A page put
// again with its date unchanged is patched into it, which rewrites the
// lines of its terms alone; a new page or a new date inverts every page's
// list again.
type written struct {
	order []int    // pages added, by page number
	rank  []uint32 // page numbers, by page added
	// The postings of term t, as page numbers and weights, are
	// pdoc[start[t]:start[t+1]] and pw[…], or patch[t] (page<<16 | weight).
	start []uint32
	pdoc  []uint32
	pw    []uint16
	patch map[int32][]uint64
	lines []line
	buf   []byte  // the lines, one after the other
	terms []int32 // the terms of line i: terms[termsAt[i]:termsAt[i+1]]
	at    []int32
}

// postingsOf returns the postings of term t, page<<16 | weight, by page.
func (w *written) postingsOf(t int32) []uint64 {
	if p, ok := w.patch[t]; ok {
		return p
	}
	if int(t)+1 >= len(w.start) {
		return nil
	}
	out := make([]uint64, 0, w.start[t+1]-w.start[t])
	for i := w.start[t]; i < w.start[t+1]; i++ {
		out = append(out, uint64(w.pdoc[i])<<16|uint64(w.pw[i]))
	}
	return out
}

// appendPostings writes the postings of term t (see the format above) and
// returns how many there are.
func (w *written) appendPostings(buf []byte, t int32) ([]byte, int) {
	prev := -1
	put := func(d int, wt uint32) {
		v := uint32(d-prev-1) << 2
		if wt <= 3 {
			buf = appendVLQ(buf, v|(wt-1))
		} else {
			buf = appendVLQ(appendVLQ(buf, v|3), wt-4)
		}
		prev = d
	}
	if p, ok := w.patch[t]; ok {
		for _, e := range p {
			put(int(e>>16), uint32(e&0xffff))
		}
		return buf, len(p)
	}
	if int(t)+1 >= len(w.start) {
		return buf, 0
	}
	for i := w.start[t]; i < w.start[t+1]; i++ {
		put(int(w.pdoc[i]), uint32(w.pw[i]))
	}
	return buf, int(w.start[t+1] - w.start[t])
}

// appendLine writes the line of key, whose spellings (or pair) are terms,
// to w.buf and w.lines; a spelling no page holds any more is left out, and
// so is the line if none is left.
func (w *written) appendLine(key string, terms []int32, desc []termDesc) {
	from, kept := len(w.buf), len(w.terms)
	w.buf = append(w.buf, key...)
	df := 0
	for _, t := range terms {
		at := len(w.buf)
		w.buf = append(w.buf, '\t')
		w.buf = append(w.buf, desc[t].exact...)
		w.buf = append(w.buf, '\t')
		var n int
		if w.buf, n = w.appendPostings(w.buf, t); n == 0 {
			w.buf = w.buf[:at]
			continue
		}
		w.terms = append(w.terms, t)
		df += n
	}
	if df == 0 {
		w.buf, w.terms = w.buf[:from], w.terms[:kept]
		return
	}
	w.buf = append(w.buf, '\n')
	w.lines = append(w.lines, line{key: key, end: len(w.buf), df: df})
	w.at = append(w.at, int32(len(w.terms)))
}

// lineOf returns the lines' bytes and terms of line i.
func (w *written) lineOf(i int) ([]byte, []int32) {
	from := 0
	if i > 0 {
		from = w.lines[i-1].end
	}
	return w.buf[from:w.lines[i].end], w.terms[w.at[i]:w.at[i+1]]
}

// shards brings the lines up to date and cuts them into shards. order is
// the pages in page order.
func (x *Index) shards(order []int) []shard {
	x.v.mu.RLock()
	terms := slices.Clip(x.v.terms)
	keys := slices.Clip(x.v.keys)
	x.v.mu.RUnlock()
	if w := x.last; w != nil && len(w.rank) == len(x.docs) {
		if len(x.changed) > 0 {
			x.last = x.patched(terms, keys)
		}
	} else {
		x.last = x.inverted(order, terms, keys)
	}
	clear(x.changed)
	return x.cut(x.last)
}

// inverted inverts every page's term list.
func (x *Index) inverted(order []int, terms []termDesc, keys []string) *written {
	w := &written{order: order, rank: make([]uint32, len(order)), patch: map[int32][]uint64{}, at: []int32{0}}
	for r, seq := range order {
		w.rank[seq] = uint32(r)
	}
	// Postings by term, each in page order: counted, then placed.
	start := make([]uint32, len(terms)+1)
	for _, d := range x.docs {
		for _, e := range d.post {
			start[e>>16+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	pdoc := make([]uint32, start[len(terms)])
	pw := make([]uint16, len(pdoc))
	next := slices.Clone(start[:len(terms)])
	for rank, seq := range order {
		for _, e := range x.docs[seq].post {
			t := e >> 16
			i := next[t]
			pdoc[i], pw[i] = uint32(rank), uint16(e)
			next[t]++
		}
		if x.final {
			x.docs[seq].post = nil
		}
	}
	w.start, w.pdoc, w.pw = start, pdoc, pw

	// The keys: pairs, then words with their spellings.
	var pairTerms, wordTerms []int32
	for t, d := range terms {
		if start[t+1] == start[t] {
			continue // a term of pages since put again
		}
		if d.key2 >= 0 {
			pairTerms = append(pairTerms, int32(t))
		} else {
			wordTerms = append(wordTerms, int32(t))
		}
	}
	pairKeys := make([]string, len(pairTerms))
	for i, t := range pairTerms {
		pairKeys[i] = keyOf(terms[t], keys)
	}
	byKey := make([]int, len(pairTerms))
	for i := range byKey {
		byKey[i] = i
	}
	slices.SortFunc(byKey, func(a, b int) int { return strings.Compare(pairKeys[a], pairKeys[b]) })
	slices.SortFunc(wordTerms, func(a, b int32) int {
		if c := strings.Compare(keys[terms[a].key], keys[terms[b].key]); c != 0 {
			return c
		}
		return strings.Compare(terms[a].exact, terms[b].exact)
	})

	w.buf = make([]byte, 0, len(pdoc)*2+len(terms)*12)
	w.lines = make([]line, 0, len(pairTerms)+len(wordTerms))
	w.terms = make([]int32, 0, len(pairTerms)+len(wordTerms))
	for _, i := range byKey {
		w.appendLine(pairKeys[i], pairTerms[i:i+1], terms)
	}
	for i := 0; i < len(wordTerms); {
		k := terms[wordTerms[i]].key
		j := i
		for j < len(wordTerms) && terms[wordTerms[j]].key == k {
			j++
		}
		w.appendLine(keys[k], wordTerms[i:j], terms)
		i = j
	}
	return w
}

// keyOf is the key of term d's line.
func keyOf(d termDesc, keys []string) string {
	if d.key2 >= 0 {
		return pairMark + keys[d.key] + " " + keys[d.key2]
	}
	return keys[d.key]
}

// patched is the last Write's lines with the pages put since: the
// postings of their old and new terms, and the lines of those terms'
// keys, are made again; every other line is copied.
func (x *Index) patched(terms []termDesc, keys []string) *written {
	old := x.last
	w := &written{order: old.order, rank: old.rank, start: old.start, pdoc: old.pdoc, pw: old.pw, patch: old.patch, at: []int32{0}}
	dirty := map[string][]int32{} // key → its terms changed
	for seq, was := range x.changed {
		r := uint64(old.rank[seq])
		now := x.docs[seq].post
		both := make(map[uint64]uint64, len(was)+len(now)) // term → new weight, 0 if none
		for _, e := range was {
			both[e>>16] = 0
		}
		for _, e := range now {
			both[e>>16] = e & 0xffff
		}
		for t, wt := range both {
			ps := slices.Clone(old.postingsOf(int32(t)))
			i, found := slices.BinarySearchFunc(ps, r, func(e, r uint64) int { return int(e>>16) - int(r) })
			switch {
			case found && wt == 0:
				ps = slices.Delete(ps, i, i+1)
			case found:
				ps[i] = r<<16 | wt
			case wt != 0:
				ps = slices.Insert(ps, i, r<<16|wt)
			}
			w.patch[int32(t)] = ps
			k := keyOf(terms[t], keys)
			if !slices.Contains(dirty[k], int32(t)) {
				dirty[k] = append(dirty[k], int32(t))
			}
		}
	}
	// The keys new since, in order.
	var fresh []string
	for k := range dirty {
		if _, ok := slices.BinarySearchFunc(old.lines, k, func(l line, k string) int { return strings.Compare(l.key, k) }); !ok {
			fresh = append(fresh, k)
		}
	}
	slices.Sort(fresh)
	byExact := func(a, b int32) int { return strings.Compare(terms[a].exact, terms[b].exact) }
	w.buf = make([]byte, 0, len(old.buf)+len(old.buf)/64)
	w.lines = make([]line, 0, len(old.lines)+len(fresh))
	w.terms = make([]int32, 0, len(old.terms)+len(fresh))
	i, j := 0, 0
	for i < len(old.lines) || j < len(fresh) {
		if j < len(fresh) && (i == len(old.lines) || fresh[j] < old.lines[i].key) {
			ts := slices.SortedFunc(slices.Values(dirty[fresh[j]]), byExact)
			w.appendLine(fresh[j], ts, terms)
			j++
			continue
		}
		l := old.lines[i]
		b, ts := old.lineOf(i)
		i++
		if d, ok := dirty[l.key]; ok {
			all := slices.Clone(ts)
			for _, t := range d {
				if !slices.Contains(all, t) {
					all = append(all, t)
				}
			}
			slices.SortFunc(all, byExact)
			w.appendLine(l.key, all, terms)
			continue
		}
		w.buf = append(w.buf, b...)
		w.lines = append(w.lines, line{key: l.key, end: len(w.buf), df: l.df})
		w.terms = append(w.terms, ts...)
		w.at = append(w.at, int32(len(w.terms)))
	}
	return w
}

// cut cuts the lines into shards, with their completion lines.
func (x *Index) cut(w *written) []shard {
	lines, buf := w.lines, w.buf
	spans := chunk(lines, x.shardSize)
	starts := make([]string, len(spans))
	for i, c := range spans {
		if c.from > 0 {
			starts[i] = shortestStart(lines[c.from-1].key, lines[c.from].key)
		}
	}
	extra := completionLines(lines, starts)
	out := make([]shard, len(spans))
	for i, c := range spans {
		from := 0
		if c.from > 0 {
			from = lines[c.from-1].end
		}
		data := buf[from:lines[c.to-1].end]
		if e := extra[i]; len(e) > 0 {
			data = append(slices.Clip(data), e...)
		}
		out[i] = shard{start: starts[i], name: hash(data), data: data}
	}
	return out
}

// completionLines returns, by shard, the completion lines it holds: one
// for each prefix whose keys span more than maxPrefixShards shards.
func completionLines(lines []line, starts []string) map[int][]byte {
	out := map[int][]byte{}
	seen := map[string]bool{}
	for i := 1; i+1 < len(starts); i++ {
		common := commonPrefix(starts[i], starts[i+1])
		for j := 1; j <= len(common); j++ {
			if j < len(common) && !utf8.RuneStart(common[j]) {
				continue
			}
			p := common[:j]
			if seen[p] || !askable(p) {
				continue
			}
			seen[p] = true
			if from, to := prefixSpan(starts, p); to-from+1 <= maxPrefixShards {
				continue
			}
			at := shardOf(starts, p+completionMark)
			b := append(out[at], p+completionMark...)
			for _, k := range topCompletions(lines, p) {
				b = append(append(b, '\t'), k...)
			}
			out[at] = append(b, '\n')
		}
	}
	return out
}

// askable tells the prefixes search.js may look up: a word's, or a pair's
// whose second word is begun ("+dang k").
func askable(p string) bool {
	if !strings.HasPrefix(p, pairMark) {
		return true
	}
	sp := strings.IndexByte(p, ' ')
	return sp > 1 && sp < len(p)-1
}

// topCompletions are the keys that start with p, the most common first:
// by the binary order of magnitude of their number of pages, then
// alphabetically, so that one new page seldom changes the list.
func topCompletions(lines []line, p string) []string {
	from := sort.Search(len(lines), func(i int) bool { return lines[i].key >= p })
	to := from
	for to < len(lines) && strings.HasPrefix(lines[to].key, p) {
		to++
	}
	cands := slices.Clone(lines[from:to])
	slices.SortStableFunc(cands, func(a, b line) int { return bits.Len(uint(b.df)) - bits.Len(uint(a.df)) })
	var out []string
	for _, c := range cands[:min(len(cands), completions)] {
		out = append(out, c.key)
	}
	return out
}

// shardOf is the shard whose keys include k: the last that starts at or
// before it.
func shardOf(starts []string, k string) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > k }) - 1
}

// prefixSpan is the first and last shard that may hold keys starting with p.
func prefixSpan(starts []string, p string) (from, to int) {
	return shardOf(starts, p), shardOf(starts, p+"\uffff")
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}

// span is a run of lines, [from, to), that make one shard.
type span struct{ from, to int }

// chunk cuts the sorted lines into shards of about size bytes. A key whose
// line is large (a common word) gets a shard of its own; before each other
// key a shard starts with a chance of its line's size in size (rounded up
// to a power of two, so that a line growing a little seldom changes it),
// drawn from a hash of the key. Shards average between size/2 and size
// bytes, whatever the sizes of the lines, and the cut points hang on the
// keys alone: adding a page moves no boundary but before a key of its own.
func chunk(lines []line, size int) []span {
	big := size / 2
	lineSize := func(i int) int {
		if i == 0 {
			return lines[0].end
		}
		return lines[i].end - lines[i-1].end
	}
	var out []span
	from := 0
	for i := 1; i < len(lines); i++ {
		l := lineSize(i)
		isBig, prevBig := l >= big, lineSize(i-1) >= big
		chance := uint64(1) << bits.Len(uint(l)) // in size
		if isBig || prevBig || uint64(keyHash(lines[i].key))*uint64(size) < chance<<32 {
			out = append(out, span{from, i})
			from = i
		}
	}
	return append(out, span{from, len(lines)})
}

// keyHash is FNV-1a of k, its bits mixed (MurmurHash3's finaliser) so
// that keys alike but for their last character ("1001", "1002") are
// spread over the whole range.
func keyHash(k string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// shortestStart returns the shortest prefix of key that sorts after prev,
// enough for search.js to tell which shard a key belongs to; it ends at a
// character's end, so that the manifest can write it.
func shortestStart(prev, key string) string {
	for i := 1; i <= len(key); i++ {
		if (i == len(key) || utf8.RuneStart(key[i])) && key[:i] > prev {
			return key[:i]
		}
	}
	return key
}

// vlqDigits are the digits of the numbers in shards: base 64, five bits of
// value and a continuation bit each (as source maps write them).
const vlqDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func appendVLQ(b []byte, v uint32) []byte {
	for {
		d := v & 31
		v >>= 5
		if v != 0 {
			d |= 32
		}
		b = append(b, vlqDigits[d])
		if v == 0 {
			return b
		}
	}
}
