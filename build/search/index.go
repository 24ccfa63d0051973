// Package search builds the site's search index: a set of static files that
// the results page (/tim-kiem/, site/assets/js/search.js) fetches piece by
// piece, so that a query downloads only the parts of the index it needs.
//
// The model, in one paragraph: every page is a [Doc]. Its title, number,
// kind, issuer, headings, summary and body are split into words (runs of
// letters and digits: "29/KH-UBND" is 29, kh, ubnd) and each word is
// indexed under its folded form (vntext.Fold: no marks, đ → d, lowercase), keeping
// apart the spellings met ("đăng", "đang", "dang" under "dang"), so that a
// query typed with marks ranks its exact spelling first. Two words side by
// side in one field are also indexed as a pair ("chuyen doi"), which ranks
// pages with the syllables of a word in order above pages that merely hold
// them. Each occurrence counts with the weight of its field (a word of the
// title counts ten times a word of the body).
//
// The files [Index.Write] returns, all named by a hash of their bytes so
// that they can be cached for good:
//
//	manifest.<h>.json  the only file every query needs: the number of pages,
//	                   where each shard starts, the page tables, the filters
//	t.<h>.txt          a shard: a run of the sorted index, one word a line
//	p<i>.<h>.json      a fragment: what the results list shows of one page,
//	                   the i-th of a group of 128 whose hash is h
//	c.<h>.txt          the section and kind of every page, fetched only when
//	                   a filter on them is chosen
//
// Pages are numbered in date order (then URL), so that a new announcement
// (the usual change) takes the next number and leaves the shards of every
// word it does not use unchanged. Shard boundaries are chosen by a hash of
// the word that starts them (content-defined chunking), not by a byte count
// from the start, so a shard that grows does not move its neighbours.
//
// Add is safe for concurrent use: the builder's page workers may each add
// their pages. Write may be called once all pages are added; the files it
// returns depend only on the pages, not on the order they were added in.
package search

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"loa/functions/vntext"
)

// Doc is one page to index. Body is plain text (no Markdown, no HTML); see
// [TextOfHTML] to get it from a rendered page.
type Doc struct {
	URL      string // site-relative, e.g. "/ke-hoach/doi-thoai-thanh-nien-2023/"
	Title    string
	Summary  string
	Headings []string
	Body     string
	Section  string // first folder of the page: "ke-hoach", "thong-bao", ...
	// SectionTitle is the section's name for readers, as its _index.md
	// gives it; for the sections the builder makes itself (see
	// SectionTitles) it may be left empty.
	SectionTitle string
	Kind         string // of an official document: "KẾ HOẠCH", "THÔNG BÁO", ...
	Number       string // of an official document: "29/KH-UBND"
	Issuer       string // of an official document
	Date         time.Time
}

// SectionTitles name the sections the builder makes itself, which have
// no _index.md: the register of documents and the forms' answers.
var SectionTitles = map[string]string{
	"van-ban": "Văn bản",
	"hoi-dap": "Hỏi đáp",
}

// Field weights: how much one occurrence of a word counts, by field.
const (
	weightTitle   = 10
	weightNumber  = 10
	weightKind    = 4
	weightIssuer  = 2
	weightHeading = 4
	weightSummary = 3
	weightBody    = 1
	maxWeight     = 1023 // a word's weight in one page is capped
)

// snippetBytes is how much of a page's body its fragment keeps, as the
// text the results list cuts its snippet from.
const snippetBytes = 2400

// groupSize is the number of pages per group of fragments.
const groupSize = 128

// DefaultShardSize is the size a shard aims at, in bytes before gzip.
const DefaultShardSize = 16 << 10

// Option changes how an Index is built.
type Option func(*Index)

// ShardSize sets the size, in bytes before compression, that shards aim
// at (DefaultShardSize when not set). Smaller shards mean fewer bytes per
// query and a longer manifest.
func ShardSize(n int) Option { return func(x *Index) { x.shardSize = max(n, 256) } }

// Index collects pages; Write turns them into files.
type Index struct {
	shardSize int

	mu   sync.Mutex // guards docs and urls
	docs []docInfo  // in the order added
	urls map[string]bool

	terms [termParts]termPart // by a hash of the key
}

type docInfo struct {
	url      string
	date     time.Time
	section  string
	kind     string // kind's key, see kindKey
	kindName string
	secName  string // the section's title
	fragment []byte
}

// term is the postings of one folded key, by spelling. Pairs of words have
// one spelling, "".
type term struct {
	vars []spelling
}

type spelling struct {
	exact string
	ps    []posting
}

// posting is a page (its number in the order added until Write renumbers)
// and the word's weight in it.
type posting struct {
	doc uint32
	w   uint32
}

// New returns an empty index.
func New(opts ...Option) *Index {
	x := &Index{shardSize: DefaultShardSize, urls: map[string]bool{}}
	for _, o := range opts {
		o(x)
	}
	return x
}

// fragment is what the results list shows of a page, kept short: one file
// per page, fetched only when the page is among the results shown.
type fragment struct {
	URL     string `json:"u"`
	Title   string `json:"t"`
	Kind    string `json:"k,omitempty"`
	Number  string `json:"n,omitempty"`
	Section string `json:"s,omitempty"`
	Date    string `json:"d,omitempty"` // 2006-01-02, in Vietnam
	Summary string `json:"m,omitempty"`
	Text    string `json:"x,omitempty"` // the start of the body, to cut snippets from
}

// Add indexes one page. It is safe for concurrent use. A page without a
// URL, or with the URL of a page already added, is an error.
func (x *Index) Add(d Doc) error {
	if d.URL == "" {
		return fmt.Errorf("search: page %q has no URL", d.Title)
	}
	exact := map[string]uint32{}    // words as written → weight
	pairs := map[[2]string]uint32{} // folded pairs of words side by side → weight
	field := func(s string, w uint32, maxPairs int) {
		toks := tokens(s)
		for i, t := range toks {
			exact[t.Exact] += w
			if i > 0 && i <= maxPairs {
				pairs[[2]string{toks[i-1].Key, t.Key}] += w
			}
		}
	}
	all := math.MaxInt
	field(d.Title, weightTitle, all)
	field(d.Number, weightNumber, all)
	field(d.Kind, weightKind, all)
	field(d.Issuer, weightIssuer, all)
	for _, h := range d.Headings {
		field(h, weightHeading, all)
	}
	field(d.Summary, weightSummary, all)
	// Pairs rank words of several syllables ("chuyển đổi số"): those of a
	// body's first bodyPairs words, where what a page is about is said;
	// the rest of a long body still counts word by word.
	field(d.Body, weightBody, bodyPairs)

	kind := sentenceCase(vntext.Normalize(d.Kind))
	sectionTitle := d.SectionTitle
	if sectionTitle == "" {
		sectionTitle = SectionTitles[d.Section]
	}
	f := fragment{
		URL:     d.URL,
		Title:   vntext.Normalize(d.Title),
		Kind:    kind,
		Number:  strings.TrimSpace(d.Number),
		Section: sectionTitle,
		Summary: vntext.Normalize(d.Summary),
		Text:    truncate(strings.Join(strings.Fields(vntext.Normalize(truncate(d.Body, 2*snippetBytes))), " "), snippetBytes),
	}
	if !d.Date.IsZero() {
		f.Date = d.Date.In(vntext.Location).Format("2006-01-02")
	}
	frag, err := marshal(f)
	if err != nil {
		return fmt.Errorf("search: %s: %w", d.URL, err)
	}

	x.mu.Lock()
	if x.urls[d.URL] {
		x.mu.Unlock()
		return fmt.Errorf("search: %s is added twice", d.URL)
	}
	x.urls[d.URL] = true
	seq := uint32(len(x.docs))
	x.docs = append(x.docs, docInfo{url: d.URL, date: d.Date, section: d.Section, secName: sectionTitle, kind: kindKey(kind), kindName: kind, fragment: frag})
	x.mu.Unlock()

	// The postings go to the parts of the term table, each under its own
	// lock, so that workers adding pages at once seldom wait for each other.
	var byPart [termParts][]entry
	for i := range byPart {
		byPart[i] = make([]entry, 0, (len(exact)+len(pairs))/termParts+4)
	}
	for e, w := range exact {
		k := foldWord(e)
		if e == k {
			e = ""
		}
		byPart[part(k)] = append(byPart[part(k)], entry{k, e, posting{seq, min(w, maxWeight)}})
	}
	for kp, w := range pairs {
		k := kp[0] + " " + kp[1]
		byPart[part(k)] = append(byPart[part(k)], entry{k, "", posting{seq, min(w, maxWeight)}})
	}
	for i := range byPart {
		if len(byPart[i]) == 0 {
			continue
		}
		tp := &x.terms[i]
		tp.mu.Lock()
		if tp.m == nil {
			tp.m = map[string]*term{}
		}
		for _, e := range byPart[i] {
			t := tp.m[e.key]
			if t == nil {
				t = &term{}
				tp.m[e.key] = t
			}
			t.add(e.exact, e.p)
		}
		tp.mu.Unlock()
	}
	return nil
}

// bodyPairs is how many words of a body are indexed in pairs too.
const bodyPairs = 400

// termParts is the number of parts of the term table.
const termParts = 32

type termPart struct {
	mu sync.Mutex
	m  map[string]*term
}

type entry struct {
	key, exact string
	p          posting
}

func part(k string) int { return int(keyHash(k) % termParts) }

func (t *term) add(exact string, p posting) {
	for i := range t.vars {
		if t.vars[i].exact == exact {
			t.vars[i].ps = append(t.vars[i].ps, p)
			return
		}
	}
	t.vars = append(t.vars, spelling{exact: exact, ps: []posting{p}})
}

// Facet is one choice of a filter: the value sent in the query string and
// the name readers see.
type Facet struct {
	Value, Name string
}

// Output is the index as files.
type Output struct {
	// Files are the index's files by name; they are meant to be published
	// together in one folder, e.g. /assets/search/.
	Files map[string][]byte
	// Manifest is the name, in Files, of the file the results page is
	// given (search.js finds every other file from it).
	Manifest string
	// The choices of the results page's filters, as [PageData] lists them.
	Sections, Kinds []Facet
	Years           []int // newest first
}

// PageData is what layouts/search.html reads: the manifest's URL and the
// filters' choices. dir is the URL folder the files are published in, e.g.
// "/assets/search/".
func (o *Output) PageData(dir string) PageData {
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	return PageData{Index: dir + o.Manifest, Sections: o.Sections, Kinds: o.Kinds, Years: o.Years}
}

// PageData is the argument of the results page's layout (its .Search).
type PageData struct {
	Index           string // URL of the manifest
	Sections, Kinds []Facet
	Years           []int
}

// manifest is the one file every query reads; kept small.
type manifest struct {
	Version int         `json:"v"`
	Docs    int         `json:"n"`
	Shards  [][2]string `json:"t"` // [the shortest key that starts the shard, its hash]
	Groups  []string    `json:"d"` // hashes of the groups of fragments, 128 pages each
	Combos  [][2]string `json:"cs"`
	ComboW  int         `json:"cw"` // characters per page in the combo file
	ComboF  string      `json:"c"`  // hash of the combo file
	Years   [][2]int    `json:"y"`  // [year, number of its first page], oldest first
}

// Write returns the index's files. It does not change the index: more pages
// may be added and Write called again.
func (x *Index) Write() (*Output, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.docs) == 0 {
		return nil, errors.New("search: no pages to index")
	}
	n := len(x.docs)

	// Number the pages by date, then URL.
	order := make([]uint32, n)
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int {
		da, db := x.docs[a], x.docs[b]
		if c := da.date.Compare(db.date); c != 0 {
			return c
		}
		return strings.Compare(da.url, db.url)
	})
	id := make([]uint32, n)
	for rank, seq := range order {
		id[seq] = uint32(rank)
	}

	out := &Output{Files: map[string][]byte{}}
	m := manifest{Version: 1, Docs: n}

	// Shards.
	all := map[string]*term{}
	for i := range x.terms {
		x.terms[i].mu.Lock()
		defer x.terms[i].mu.Unlock()
		maps.Copy(all, x.terms[i].m)
	}
	keys := slices.Sorted(maps.Keys(all))
	lines := make([][]byte, len(keys))
	var ps []posting
	for i, k := range keys {
		vars := slices.Clone(all[k].vars)
		slices.SortFunc(vars, func(a, b spelling) int { return strings.Compare(a.exact, b.exact) })
		line := []byte(k)
		for _, v := range vars {
			ps = append(ps[:0], v.ps...)
			for j := range ps {
				ps[j].doc = id[ps[j].doc]
			}
			slices.SortFunc(ps, func(a, b posting) int { return int(a.doc) - int(b.doc) })
			line = append(line, '\t')
			line = append(line, v.exact...)
			line = append(line, '\t')
			prev := -1
			for _, p := range ps {
				line = appendVLQ(line, uint32(int(p.doc)-prev-1))
				line = appendVLQ(line, p.w-1)
				prev = int(p.doc)
			}
		}
		lines[i] = append(line, '\n')
	}
	for _, c := range chunk(keys, lines, x.shardSize) {
		var b []byte
		for _, l := range lines[c.from:c.to] {
			b = append(b, l...)
		}
		h := out.add("t", ".txt", b)
		start := ""
		if c.from > 0 {
			start = shortestStart(keys[c.from-1], keys[c.from])
		}
		m.Shards = append(m.Shards, [2]string{start, h})
	}

	// Fragments, by groups of 128 pages: a fragment is named by its place
	// in its group and a hash of the whole group, so search.js finds it
	// from the manifest alone (one request per result) and a change still
	// gives it a new name. A new page renames the fragments of the newest
	// group only.
	for g := 0; g < n; g += groupSize {
		end := min(g+groupSize, n)
		h := sha256.New()
		for _, seq := range order[g:end] {
			h.Write(x.docs[seq].fragment)
			h.Write([]byte{0})
		}
		gh := hex.EncodeToString(h.Sum(nil)[:5])
		for i, seq := range order[g:end] {
			out.Files["p"+strconv.Itoa(i)+"."+gh+".json"] = x.docs[seq].fragment
		}
		m.Groups = append(m.Groups, gh)
	}

	// Filters: sections and kinds by combination, years by page number.
	comboIdx := map[[2]string]int{}
	for _, seq := range order {
		comboIdx[[2]string{x.docs[seq].section, x.docs[seq].kind}] = 0
	}
	for c := range comboIdx {
		m.Combos = append(m.Combos, c)
	}
	slices.SortFunc(m.Combos, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	for i, c := range m.Combos {
		comboIdx[c] = i
	}
	m.ComboW = 1
	if len(m.Combos) > len(vlqDigits) {
		m.ComboW = 2
	}
	combos := make([]byte, 0, n*m.ComboW)
	for _, seq := range order {
		i := comboIdx[[2]string{x.docs[seq].section, x.docs[seq].kind}]
		if m.ComboW == 2 {
			combos = append(combos, vlqDigits[i/len(vlqDigits)%len(vlqDigits)])
		}
		combos = append(combos, vlqDigits[i%len(vlqDigits)])
	}
	m.ComboF = out.add("c", ".txt", combos)
	lastYear := -1
	for rank, seq := range order {
		d := x.docs[seq].date
		if d.IsZero() {
			continue
		}
		if y := d.In(vntext.Location).Year(); y != lastYear {
			m.Years = append(m.Years, [2]int{y, rank})
			lastYear = y
		}
	}

	mb, err := marshal(m)
	if err != nil {
		return nil, fmt.Errorf("search: manifest: %w", err)
	}
	out.Manifest = "manifest." + hash(mb) + ".json"
	out.Files[out.Manifest] = mb

	// The filters' choices for the page.
	secs, kinds := map[string]string{}, map[string]string{}
	for _, seq := range order {
		d := x.docs[seq]
		secs[d.section] = d.secName
		if d.kind != "" {
			kinds[d.kind] = d.kindName
		}
	}
	for s, name := range secs {
		if s == "" {
			continue
		}
		if name == "" {
			name = s
		}
		out.Sections = append(out.Sections, Facet{Value: s, Name: name})
	}
	slices.SortFunc(out.Sections, func(a, b Facet) int { return strings.Compare(a.Value, b.Value) })
	for k, name := range kinds {
		out.Kinds = append(out.Kinds, Facet{Value: k, Name: name})
	}
	slices.SortFunc(out.Kinds, func(a, b Facet) int { return strings.Compare(a.Value, b.Value) })
	for i := len(m.Years) - 1; i >= 0; i-- {
		out.Years = append(out.Years, m.Years[i][0])
	}
	return out, nil
}

// add stores a file named by its stem and a hash of data, and returns the hash.
func (o *Output) add(stem, ext string, data []byte) string {
	h := hash(data)
	o.Files[stem+"."+h+ext] = data
	return h
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:5])
}

func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(strings.TrimSuffix(b.String(), "\n")), nil
}

// span is a run of keys, [from, to), that make one shard.
type span struct{ from, to int }

// chunk cuts the sorted keys into shards of about size bytes. A key whose
// line is large (a common word) gets a shard of its own; among the others
// a shard starts at every key whose hash is 0 modulo k, k chosen so that
// shards average size. The cut points hang on the keys alone, so adding a
// page moves no boundary unless it makes a word large.
func chunk(keys []string, lines [][]byte, size int) []span {
	big := size / 2
	var smallBytes, small int
	for _, l := range lines {
		if len(l) < big {
			smallBytes += len(l)
			small++
		}
	}
	k := uint32(1)
	if small > 0 && smallBytes > 0 {
		per := size * small / smallBytes // keys per shard
		if per > 1 {
			k = 1 << (bits.Len(uint(per)) - 1)
		}
	}
	var out []span
	from := 0
	for i := range keys {
		if i == 0 {
			continue
		}
		isBig, prevBig := len(lines[i]) >= big, len(lines[i-1]) >= big
		if isBig || prevBig || keyHash(keys[i])%k == 0 {
			out = append(out, span{from, i})
			from = i
		}
	}
	return append(out, span{from, len(keys)})
}

func keyHash(k string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(k))
	return h.Sum32()
}

// shortestStart returns the shortest prefix of key that sorts after prev,
// enough for search.js to tell which shard a key belongs to.
func shortestStart(prev, key string) string {
	for i := 1; i <= len(key); i++ {
		if key[:i] > prev {
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

// sentenceCase writes an official document's kind as readers see it in a
// list: "KẾ HOẠCH" → "Kế hoạch".
func sentenceCase(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToLower(s)
	r := []rune(s)
	r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	return string(r)
}

// kindKey is the value of a kind in the query string: its slug.
func kindKey(kind string) string { return vntext.Slug(kind) }
