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
// the weight less one if it is below 3, else plus 3 and the weight less 4
// as a second number. Most postings of a common word are one character.
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

// shards inverts the pages' term lists into lines and cuts them into
// shards. order is the pages in page order.
func (x *Index) shards(order []int) []shard {
	x.v.mu.RLock()
	terms := slices.Clip(x.v.terms)
	keys := slices.Clip(x.v.keys)
	x.v.mu.RUnlock()

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
	}

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
		pairKeys[i] = pairMark + keys[terms[t].key] + " " + keys[terms[t].key2]
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

	buf := make([]byte, 0, len(pdoc)*2+len(terms)*12)
	lines := make([]line, 0, len(pairTerms)+len(wordTerms))
	posting := func(t int32) {
		prev := -1
		for i := start[t]; i < start[t+1]; i++ {
			d, w := int(pdoc[i]), uint32(pw[i])
			v := uint32(d-prev-1) << 2
			if w <= 3 {
				buf = appendVLQ(buf, v|(w-1))
			} else {
				buf = appendVLQ(appendVLQ(buf, v|3), w-4)
			}
			prev = d
		}
	}
	for _, i := range byKey {
		t := pairTerms[i]
		buf = append(buf, pairKeys[i]...)
		buf = append(buf, '\t', '\t')
		posting(t)
		buf = append(buf, '\n')
		lines = append(lines, line{key: pairKeys[i], end: len(buf), df: int(start[t+1] - start[t])})
	}
	for i := 0; i < len(wordTerms); {
		k := terms[wordTerms[i]].key
		buf = append(buf, keys[k]...)
		df := 0
		for ; i < len(wordTerms) && terms[wordTerms[i]].key == k; i++ {
			t := wordTerms[i]
			buf = append(buf, '\t')
			buf = append(buf, terms[t].exact...)
			buf = append(buf, '\t')
			posting(t)
			df += int(start[t+1] - start[t])
		}
		buf = append(buf, '\n')
		lines = append(lines, line{key: keys[k], end: len(buf), df: df})
	}

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
