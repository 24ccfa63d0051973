package search

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// A reader of the index's files, written from the format's description
// (shards.go), as search.js reads them: the tests check what the files
// say, not how Write made them.

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a gzip file: %v", err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func shardLines(t testing.TB, b []byte) []string {
	t.Helper()
	return strings.Split(strings.TrimSuffix(string(gunzip(t, b)), "\n"), "\n")
}

type readPosting struct{ doc, w int }

// readIndex is the index as files say it.
type readIndex struct {
	m           manifest
	spellings   map[string]map[string][]readPosting // key → spelling ("" for the key's own) → postings
	completions map[string][]string                 // prefix → keys
	shardOfLine map[string]int                      // key (or prefix~) → its shard
	frags       []fragment                          // by page number
}

func readOutput(t testing.TB, out *Output) *readIndex {
	t.Helper()
	r := &readIndex{spellings: map[string]map[string][]readPosting{}, completions: map[string][]string{}, shardOfLine: map[string]int{}}
	if err := json.Unmarshal(out.Files[out.Manifest], &r.m); err != nil {
		t.Fatal(err)
	}
	if r.m.Version != formatVersion {
		t.Fatalf("manifest version %d", r.m.Version)
	}
	for i, s := range r.m.Shards {
		b, ok := out.Files["t."+s[1]+".gz"]
		if !ok {
			t.Fatalf("shard %s is missing", s[1])
		}
		for _, l := range shardLines(t, b) {
			parts := strings.Split(l, "\t")
			key := parts[0]
			if _, dup := r.shardOfLine[key]; dup {
				t.Fatalf("key %q twice", key)
			}
			r.shardOfLine[key] = i
			if p, ok := strings.CutSuffix(key, completionMark); ok {
				r.completions[p] = parts[1:]
				continue
			}
			if len(parts)%2 != 1 {
				t.Fatalf("line %q: want the key and pairs of spelling and postings", l)
			}
			sp := map[string][]readPosting{}
			for j := 1; j < len(parts); j += 2 {
				sp[parts[j]] = readPostings(t, parts[j+1])
			}
			r.spellings[key] = sp
		}
	}
	// Each group's file is its fragments one after the other, each a
	// whole gzip file of the size the manifest gives.
	for g, grp := range r.m.Groups {
		name := "f." + grp[0] + ".bin"
		b, ok := out.Files[name]
		if !ok {
			t.Fatalf("fragments %s of pages %d- are missing", name, g*groupSize)
		}
		sizes := vlqNumbers(t, grp[1])
		if want := min(groupSize, r.m.Docs-g*groupSize); len(sizes) != want+1 {
			t.Fatalf("group %d: %d sizes, want the least and %d", g, len(sizes), want)
		}
		at := 0
		for i, n := range sizes[1:] {
			n = (sizes[0] + n) * fragmentUnit
			if at+n > len(b) {
				t.Fatalf("group %d: fragment %d ends at %d, past the file's %d bytes", g, i, at+n, len(b))
			}
			zr, err := gzip.NewReader(bytes.NewReader(b[at : at+n]))
			if err != nil {
				t.Fatalf("group %d, fragment %d: %v", g, i, err)
			}
			zr.Multistream(false)
			raw, err := io.ReadAll(zr)
			if err != nil {
				t.Fatalf("group %d, fragment %d: %v", g, i, err)
			}
			var f fragment
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			r.frags = append(r.frags, f)
			at += n
		}
		if at != len(b) {
			t.Fatalf("group %d: the sizes add up to %d, the file has %d bytes", g, at, len(b))
		}
	}
	if len(r.frags) != r.m.Docs {
		t.Fatalf("%d fragments for %d pages", len(r.frags), r.m.Docs)
	}
	return r
}

// vlqNumbers reads a run of base-64 VLQ numbers.
func vlqNumbers(t testing.TB, s string) []int {
	t.Helper()
	var nums []int
	n, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(vlqDigits, s[i])
		if d < 0 {
			t.Fatalf("numbers %q: %q is not a digit", s, s[i])
		}
		n += (d & 31) << shift
		if d&32 != 0 {
			shift += 5
			continue
		}
		nums = append(nums, n)
		n, shift = 0, 0
	}
	if shift != 0 {
		t.Fatalf("numbers %q: the last is cut", s)
	}
	return nums
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func readPostings(t testing.TB, s string) []readPosting {
	t.Helper()
	nums := vlqNumbers(t, s)
	var out []readPosting
	prev := -1
	for i := 0; i < len(nums); i++ {
		doc := prev + nums[i]>>2 + 1
		w := nums[i]&3 + 1
		if w == 4 {
			i++
			w = nums[i] + 4
		}
		out = append(out, readPosting{doc, w})
		prev = doc
	}
	return out
}

// pageOf is the page number of url.
func (r *readIndex) pageOf(t testing.TB, url string) int {
	t.Helper()
	for d, f := range r.frags {
		if f.URL == url {
			return d
		}
	}
	t.Fatalf("no fragment for %s", url)
	return -1
}

// shardOf is search.js's lookup: the last shard that starts at or before k.
func (r *readIndex) shardOf(k string) int {
	i := 0
	for j, s := range r.m.Shards {
		if s[0] <= k {
			i = j
		}
	}
	return i
}

// expected computes, from the pages alone, every key's spellings with their
// pages and weights, as the format's description says the index holds them.
func expected(docs []Doc) map[string]map[string]map[string]int {
	want := map[string]map[string]map[string]int{} // key → spelling → URL → weight
	put := func(k, sp, url string, w int) {
		if want[k] == nil {
			want[k] = map[string]map[string]int{}
		}
		if want[k][sp] == nil {
			want[k][sp] = map[string]int{}
		}
		want[k][sp][url] = min(want[k][sp][url]+w, maxWeight)
	}
	for _, d := range docs {
		type testField struct {
			s        string
			w, pairs int
		}
		all := math.MaxInt
		fields := []testField{{d.Title, weightTitle, all}, {d.Number, weightNumber, all}, {d.Kind, weightKind, all}, {d.Issuer, weightIssuer, all}}
		for _, h := range d.Headings {
			fields = append(fields, testField{h, weightHeading, all})
		}
		fields = append(fields, testField{d.Summary, weightSummary, all}, testField{d.Body, weightBody, bodyPairs})
		for _, l := range d.Printed {
			fields = append(fields, testField{l, weightBody, all})
		}
		for _, f := range fields {
			toks := tokens(f.s)
			for i, tk := range toks {
				sp := tk.Exact
				if sp == tk.Key {
					sp = ""
				}
				put(tk.Key, sp, d.URL, f.w)
				if i > 0 && i <= f.pairs && toks[i-1].Key != tk.Key {
					put(pairMark+toks[i-1].Key+" "+tk.Key, "", d.URL, f.w)
				}
			}
		}
	}
	return want
}

// TestPostings: every key of the pages is in the shard search.js looks it
// up in, with each spelling's pages and weights, and nothing else is.
func TestPostings(t *testing.T) {
	docs := append(fillerDocs(200), wardDocs...)
	docs = append(docs, Doc{URL: "/thong-bao/nhieu/", Title: "Hà Hà đăng đăng", Body: strings.Repeat("đăng ký ", 1200),
		Printed: []string{"KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lã Thị Xuyến"}})
	r := readOutput(t, build(t, docs, ShardSize(1024)))
	want := expected(docs)
	for k, sps := range want {
		got, ok := r.spellings[k]
		if !ok {
			t.Errorf("key %q is missing", k)
			continue
		}
		if s := r.shardOf(k); s != r.shardOfLine[k] {
			t.Errorf("key %q is in shard %d, search.js looks in %d", k, r.shardOfLine[k], s)
		}
		for sp, pages := range sps {
			var w []readPosting
			for url, weight := range pages {
				w = append(w, readPosting{r.pageOf(t, url), weight})
			}
			slices.SortFunc(w, func(a, b readPosting) int { return a.doc - b.doc })
			if !slices.Equal(got[sp], w) {
				t.Errorf("%q spelt %q: postings %v, want %v", k, sp, got[sp], w)
			}
		}
		if len(got) != len(sps) {
			t.Errorf("%q: %d spellings, want %d", k, len(got), len(sps))
		}
	}
	if len(r.spellings) != len(want) {
		t.Errorf("%d keys, want %d", len(r.spellings), len(want))
	}
	if _, ok := r.spellings[pairMark+"ha ha"]; ok {
		t.Error("a pair of one word twice is indexed")
	}
	d := r.pageOf(t, "/thong-bao/nhieu/")
	if i := slices.IndexFunc(r.spellings["dang"]["đăng"], func(p readPosting) bool { return p.doc == d }); i < 0 {
		t.Error("the page with đăng 1,200 times is not under đăng")
	} else if w := r.spellings["dang"]["đăng"][i].w; w != maxWeight {
		t.Errorf("đăng 1,200 times and in the title weighs %d, want the cap %d", w, maxWeight)
	}
}

// TestPut: a page put again replaces the page of its URL; the files are
// those of a build of the pages as they are now.
func TestPut(t *testing.T) {
	docs := append(fillerDocs(150), wardDocs...)
	x := New(ShardSize(2048))
	for _, d := range docs {
		if err := x.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := x.Write(); err != nil {
		t.Fatal(err)
	}
	edited := slices.Clone(docs)
	i := len(fillerDocs(150)) + 1
	edited[i].Title = "Thông báo tạm hoãn tiêm chủng mở rộng"
	edited[i].Summary = ""
	edited[i].Body = "Trạm y tế phường tạm hoãn buổi tiêm chủng."
	if err := x.Put(edited[i]); err != nil {
		t.Fatal(err)
	}
	got, err := x.Write()
	if err != nil {
		t.Fatal(err)
	}
	want := build(t, edited, ShardSize(2048))
	if got.Manifest != want.Manifest || !maps.EqualFunc(got.Files, want.Files, bytes.Equal) {
		t.Fatalf("after Put, %d files (manifest %s); a build of the edited pages: %d (manifest %s)", len(got.Files), got.Manifest, len(want.Files), want.Manifest)
	}
	r := readOutput(t, got)
	d := r.pageOf(t, docs[i].URL)
	for _, p := range r.spellings["tru"]["trú"] {
		if p.doc == d {
			t.Error("the page put again is still under trú, a word of its old text only")
		}
	}
	if sp := r.spellings["chung"]["chủng"]; len(sp) != 1 || r.frags[sp[0].doc].URL != docs[i].URL {
		t.Errorf("tiêm chủng, in the new text: %v", sp)
	}
	if err := x.Add(edited[i]); err == nil {
		t.Error("Add of a URL already there is not an error")
	}

	// More edits, written one after the other: a word no page had, a
	// page left without a word only it had, a page put twice between two
	// writes, and a new date, which moves the page.
	steps := []func(){
		func() { edited[3].Body += " Xuồng ba lá qua sông." },
		func() { edited[i].Title, edited[i].Body = "Thông báo", "Trạm y tế phường." },
		func() { edited[3].Body += " Chèo xuồng."; edited[7].Title = "Tổ dân phố họp" },
		func() { edited[5].Date = day("2025-06-01") },
		func() { edited[i].Body = "Tiêm chủng lại." },
	}
	for n, step := range steps {
		before := slices.Clone(edited)
		step()
		for j := range edited {
			if !reflect.DeepEqual(before[j], edited[j]) {
				if err := x.Put(edited[j]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n == 2 {
			if err := x.Put(edited[3]); err != nil { // twice
				t.Fatal(err)
			}
		}
		got, err := x.Write()
		if err != nil {
			t.Fatal(err)
		}
		want := build(t, edited, ShardSize(2048))
		if got.Manifest != want.Manifest || !maps.EqualFunc(got.Files, want.Files, bytes.Equal) {
			t.Fatalf("edit %d: the files differ from a build of the edited pages", n+1)
		}
	}
}

// TestCompletions: a prefix whose keys span more than maxPrefixShards
// shards has a completion line, where search.js looks for it, listing its
// most common keys; every other prefix is read from its shards.
func TestCompletions(t *testing.T) {
	docs := append(fillerDocs(300), wardDocs...)
	r := readOutput(t, build(t, docs, ShardSize(512)))
	var all []string
	for k := range r.spellings {
		all = append(all, k)
	}
	slices.Sort(all)
	df := func(k string) int {
		seen := map[int]bool{}
		for _, ps := range r.spellings[k] {
			for _, p := range ps {
				seen[p.doc] = true
			}
		}
		return len(seen)
	}
	lines := 0
	checked := map[string]bool{}
	for _, k := range all {
		for j := 1; j <= len(k); j++ {
			p := k[:j]
			if checked[p] || !askable(p) || j < len(k) && !utf8.RuneStart(k[j]) {
				continue
			}
			checked[p] = true
			span := r.shardOf(p+"\uffff") - r.shardOf(p) + 1
			comp, ok := r.completions[p]
			if span <= maxPrefixShards {
				if ok {
					t.Errorf("prefix %q spans %d shards and has a completion line", p, span)
				}
				continue
			}
			if !ok {
				t.Errorf("prefix %q spans %d shards and has no completion line", p, span)
				continue
			}
			if at := r.shardOfLine[p+completionMark]; at != r.shardOf(p+completionMark) {
				t.Errorf("the completions of %q are in shard %d, search.js looks in %d", p, at, r.shardOf(p+completionMark))
			}
			lines++
			var with []string
			for _, c := range all {
				if strings.HasPrefix(c, p) {
					with = append(with, c)
				}
			}
			if len(comp) != min(len(with), completions) {
				t.Errorf("prefix %q: %d completions of %d keys", p, len(comp), len(with))
			}
			least := math.MaxInt
			for _, c := range comp {
				if !strings.HasPrefix(c, p) {
					t.Errorf("prefix %q: completion %q", p, c)
				}
				least = min(least, df(c))
			}
			for _, c := range with {
				if !slices.Contains(comp, c) && df(c) >= 2*least {
					t.Errorf("prefix %q: %q (%d pages) is left out for a key of %d", p, c, df(c), least)
				}
			}
		}
	}
	for p := range r.completions {
		if checked[p] {
			continue
		}
		t.Errorf("completion line for %q, which search.js never asks for", p)
	}
	if lines < 3 {
		t.Errorf("%d completion lines, want some at 512 bytes a shard", lines)
	}
	t.Logf("%d shards, %d completion lines", len(r.m.Shards), lines)
	// "dang k" typed halfway: the pairs that follow "dang" with a k are
	// read from one or two shards, or listed.
	p := pairMark + "dang k"
	if span := r.shardOf(p+"\uffff") - r.shardOf(p) + 1; span > maxPrefixShards && !slices.Contains(r.completions[p], pairMark+"dang ky") {
		t.Errorf("dang k: %d shards and no completion to dang ky", span)
	}
}
