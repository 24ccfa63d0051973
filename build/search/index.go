// Package search builds the site's search index: a set of static files that
// the results page (/tim-kiem/, site/assets/js/search.js) fetches piece by
// piece, so that a query downloads only the parts of the index it needs.
//
// The model, in one paragraph: every page is a [Doc]. Its title, number,
// kind, issuer, headings, summary, body and the other lines it prints are
// split into words (runs of
// letters and digits: "29/KH-UBND" is 29, kh, ubnd) and each word is
// indexed under its folded form (vntext.Fold: no marks, đ → d, lowercase), keeping
// apart the spellings met ("đăng", "đang", "dang" under "dang"), so that a
// query typed with marks ranks its exact spelling first. Two words side by
// side in one field are also indexed as a pair ("+chuyen doi"), which ranks
// pages with the syllables of a word in order above pages that merely hold
// them, and lets a query typed halfway ("dang k") find the words that
// follow ("đăng ký"). Each occurrence counts with the weight of its field
// (a word of the title counts ten times a word of the body).
//
// The files [Index.Write] returns, all named by a hash of what they hold so
// that they can be cached for good:
//
//	manifest.<h>.json  the only file every query needs: the number of pages,
//	                   where each shard starts, the page groups, the filters
//	t.<h>.gz           a shard: a run of the sorted index, one key a line
//	                   (see shards.go for the lines)
//	f.<h>.bin          the fragments of a group of 128 pages, one after the
//	                   other: a fragment is what the results list shows of
//	                   one page, its text included, to cut a snippet around
//	                   the words found; search.js fetches one by an HTTP
//	                   range, from the sizes the manifest gives
//	c.<h>.txt          the section and kind of every page, fetched only when
//	                   a filter on them is chosen
//
// Shards and fragments are gzip files, as Pagefind writes its own: the
// index takes half the room on disk, and the server sends them as they are
// (search.js inflates them with the browser's DecompressionStream). Each
// fragment is a whole gzip file, padded in its header to a multiple of 64
// bytes so that the manifest can give its size in one or two characters.
// A group's fragments share a file because creating a file costs a disk
// far more than writing its bytes: one file per page made the index a
// third of the files of a built site. Its name ends in .bin, not .gz, so
// that no server sends it as gzip content encoding, which a range of it
// could not be.
//
// Pages are numbered in date order (then URL), so that a new announcement
// (the usual change) takes the next number and leaves the shards of every
// word it does not use unchanged. Shard boundaries are chosen by a hash of
// the key that starts them (content-defined chunking), not by a byte count
// from the start, so a shard that grows does not move its neighbours.
//
// Add and Put are safe for concurrent use: the builder's page workers add
// their pages as they render them. A page is kept as the list of its terms
// (numbered by a vocabulary, see vocab.go) and their weights; Write inverts
// those lists into postings. Write may be called again after pages are put:
// serve's rebuild of one page puts that page, and the next Write patches
// the lines of its terms into what the last left, and compresses only the
// shards that changed. The files depend only on the pages, not on the
// order they were added in.
package search

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	kgzip "github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
	"golang.org/x/text/unicode/norm"

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
	// BodyPlain says that Body is one line in NFC already: every run of
	// white space one space, none at either end, every character one
	// that vntext.NFCStable reports (the builder's page text says so when
	// it is). The fragment then takes it as it is, without reading it
	// again.
	BodyPlain bool
	// Printed are the other lines the page prints around its body: an
	// official document's header and signature blocks, the names of its
	// files, its tags, its date. They count as the body does, and a
	// snippet may be cut from them.
	Printed []string
	Section string // first folder of the page: "ke-hoach", "thong-bao", ...
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

// textBytes is how much of a page's body its fragment keeps, as the text
// the results list cuts its snippet from: the whole of almost every page.
const textBytes = 12 << 10

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
	v         *vocab

	mu    sync.Mutex // guards docs, byURL and zipped
	docs  []*docInfo // in the order added
	byURL map[string]int
	// zipped are the compressed shards of the last Write, by name: a
	// shard that did not change is not compressed again.
	zipped map[string][]byte
	// published tells whether the folder the index goes to holds a file
	// already (SetPublished); nil: it holds none.
	published func(name string) bool
	// final: the index is written for good (WriteFinal): each page's term
	// list is let go once inverted, and no page or write is taken after.
	final bool
	// last is what the last Write left for the next; changed are the
	// pages put again since (their term lists then), which the next Write
	// patches into it. nil when the next Write must invert every page.
	last    *written
	changed map[int][]uint64
}

type docInfo struct {
	url      string
	date     time.Time
	section  string
	kind     string // kind's key, see kindKey
	kindName string
	secName  string // the section's title
	fragment []byte // gzip, padded (padGzip)
	fragHash [sha256.Size]byte
	// post are the page's terms and their weights, term<<16 | weight, by
	// term.
	post []uint64
}

// New returns an empty index.
func New(opts ...Option) *Index {
	x := &Index{shardSize: DefaultShardSize, v: newVocab(), byURL: map[string]int{}, changed: map[int][]uint64{}}
	for _, o := range opts {
		o(x)
	}
	return x
}

// fragment is what the results list shows of a page, kept short: fetched
// only when the page is among the results shown.
type fragment struct {
	URL     string `json:"u"`
	Title   string `json:"t"`
	Kind    string `json:"k,omitempty"`
	Number  string `json:"n,omitempty"`
	Section string `json:"s,omitempty"`
	Date    string `json:"d,omitempty"` // 2006-01-02, in Vietnam
	Summary string `json:"m,omitempty"`
	Text    string `json:"x,omitempty"` // the body, to cut snippets from
}

// appendJSON appends f as JSON, as encoding/json writes it without
// escaping HTML (TestFragmentJSON holds the two to the same bytes): a
// fragment is written for every page, and encoding/json's reflection and
// buffers took 2 % of a build's CPU.
func (f *fragment) appendJSON(b []byte) []byte {
	field := func(b []byte, name, v string, omitEmpty bool) []byte {
		if v == "" && omitEmpty {
			return b
		}
		if b[len(b)-1] != '{' {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
		return appendJSONString(b, v)
	}
	b = append(b, '{')
	b = field(b, "u", f.URL, false)
	b = field(b, "t", f.Title, false)
	b = field(b, "k", f.Kind, true)
	b = field(b, "n", f.Number, true)
	b = field(b, "s", f.Section, true)
	b = field(b, "d", f.Date, true)
	b = field(b, "m", f.Summary, true)
	b = field(b, "x", f.Text, true)
	return append(b, '}')
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it without HTML escaping: quotes, backslashes and control
// characters; U+2028 and U+2029 (which end a line in JavaScript before
// ES2019); each byte of invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Add indexes one page. It is safe for concurrent use. A page without a
// URL, or with the URL of a page already added, is an error.
func (x *Index) Add(d Doc) error { return x.add(d, false) }

// Put indexes one page in place of the page of the same URL, if any. It is
// safe for concurrent use.
func (x *Index) Put(d Doc) error { return x.add(d, true) }

func (x *Index) add(d Doc, replace bool) error {
	if d.URL == "" {
		return fmt.Errorf("search: page %q has no URL", d.Title)
	}
	info := &docInfo{url: d.URL, date: d.Date, section: d.Section, post: x.postings(&d)}
	info.kindName = sentenceCase(vntext.Normalize(d.Kind))
	info.kind = kindKey(info.kindName)
	info.secName = d.SectionTitle
	if info.secName == "" {
		info.secName = SectionTitles[d.Section]
	}
	f := fragment{
		URL:     d.URL,
		Title:   vntext.Normalize(d.Title),
		Kind:    info.kindName,
		Number:  strings.TrimSpace(d.Number),
		Section: info.secName,
		Summary: vntext.Normalize(d.Summary),
		Text:    fragmentText(d.Body, d.BodyPlain, d.Printed),
	}
	if !d.Date.IsZero() {
		f.Date = d.Date.In(vntext.Location).Format("2006-01-02")
	}
	// The JSON and the gzip are written into a worker's buffers; only
	// the gzip file is kept, at its size.
	bufs := fragmentBufs.Get().(*[2]bytes.Buffer)
	defer fragmentBufs.Put(bufs)
	raw, zipped := &bufs[0], &bufs[1]
	raw.Reset()
	raw.Write(f.appendJSON(raw.AvailableBuffer()))
	info.fragHash = sha256.Sum256(raw.Bytes())
	zipped.Reset()
	compressTo(zipped, &fragmentWriters, raw.Bytes())
	info.fragment = padGzip(zipped.Bytes())

	x.mu.Lock()
	defer x.mu.Unlock()
	if x.final {
		return errWrittenFinal
	}
	if i, ok := x.byURL[d.URL]; ok {
		if !replace {
			return fmt.Errorf("search: %s is added twice", d.URL)
		}
		if old := x.docs[i]; !old.date.Equal(info.date) {
			x.last = nil // a new date may move the page
		} else if _, ok := x.changed[i]; !ok && x.last != nil {
			x.changed[i] = old.post
		}
		x.docs[i] = info
		return nil
	}
	x.byURL[d.URL] = len(x.docs)
	x.docs = append(x.docs, info)
	x.last = nil
	return nil
}

// bodyPairs is how many words of a body are indexed in pairs too: those
// where what a page is about is said; the rest of a long body still counts
// word by word.
const bodyPairs = 400

// field is one field of a page, split into words.
type field struct {
	from, to int // its words, in the page's list
	w        uint64
	pairs    int // how many of its words start a pair
}

// postings lists the terms of d with their weights, as docInfo.post. Its
// working lists are a scratch's, reused from page to page; only the
// result, one entry a term, is allocated, at its size.
func (x *Index) postings(d *Doc) []uint64 {
	sc := scratches.Get().(*scratch)
	defer scratches.Put(sc)
	words, fields := sc.words[:0], sc.fields[:0]
	add := func(s string, w uint64, pairs int) {
		from := len(words)
		words = splitWords(words, s)
		fields = append(fields, field{from, len(words), w, pairs})
	}
	all := math.MaxInt
	add(d.Title, weightTitle, all)
	add(d.Number, weightNumber, all)
	add(d.Kind, weightKind, all)
	add(d.Issuer, weightIssuer, all)
	for _, h := range d.Headings {
		add(h, weightHeading, all)
	}
	add(d.Summary, weightSummary, all)
	add(d.Body, weightBody, bodyPairs)
	for _, l := range d.Printed {
		add(l, weightBody, all)
	}

	refs := slices.Grow(sc.refs[:0], len(words))[:len(words)]
	x.v.lookupWords(words, refs)
	post := slices.Grow(sc.post[:0], len(words))
	pairs, pairW := sc.pairs[:0], sc.pairW[:0] // two key numbers; their weights
	for _, f := range fields {
		n, prev := 0, int32(-1)
		for _, r := range refs[f.from:f.to] {
			if r.term < 0 {
				continue
			}
			post = append(post, uint64(r.term)<<16|f.w)
			// A pair of one key twice ("hà hà") is never looked up.
			if n > 0 && n <= f.pairs && r.key != prev {
				pairs = append(pairs, pairOf(prev, r.key))
				pairW = append(pairW, f.w)
			}
			prev = r.key
			n++
		}
	}
	terms := slices.Grow(sc.terms[:0], len(pairs))[:len(pairs)]
	x.v.lookupPairs(pairs, terms)
	for i, t := range terms {
		post = append(post, uint64(t)<<16|pairW[i])
	}
	// One entry a term, its weights summed.
	sc.stamp++
	out := post[:0]
	for _, e := range post {
		t := e >> 16
		if int(t) >= len(sc.seen) {
			sc.seen = slices.Grow(sc.seen, int(t)+1-len(sc.seen)+len(sc.seen)/2)
			sc.seen = sc.seen[:cap(sc.seen)]
		}
		if s := &sc.seen[t]; s.stamp == sc.stamp {
			o := &out[s.at]
			*o = *o&^0xffff | min(*o&0xffff+e&0xffff, maxWeight)
		} else {
			*s = seen{stamp: sc.stamp, at: int32(len(out))}
			out = append(out, e)
		}
	}
	// The words are parts of the page's text: the scratch must not keep
	// the text alive once the page is indexed.
	clear(words)
	sc.words, sc.fields, sc.refs, sc.post, sc.pairs, sc.pairW, sc.terms = words[:0], fields[:0], refs[:0], post[:0], pairs[:0], pairW[:0], terms[:0]
	return append(make([]uint64, 0, len(out)), out...)
}

// scratch is a page's working lists in postings, kept for the next page.
// seen tells, for each term, whether the page met it already and where its
// entry is, without a map: an entry counts for the page whose stamp it has.
type scratch struct {
	stamp uint32
	seen  []seen // by term

	words              []string
	fields             []field
	refs               []wordRef
	post, pairs, pairW []uint64
	terms              []int32
}

type seen struct {
	stamp uint32
	at    int32
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// Facet is one choice of a filter: the value sent in the query string and
// the name readers see.
type Facet struct {
	Value, Name string
}

// Output is the index as files.
type Output struct {
	// Files are the index's files by name; they are meant to be published
	// together in one folder, e.g. /assets/search/. A shard the folder
	// holds already (see [Index.SetPublished]) is named with nil bytes.
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
	Groups  [][2]string `json:"d"` // the groups of fragments, 128 pages each: [hash, sizes] (see fragmentSizes)
	Combos  [][2]string `json:"cs"`
	ComboW  int         `json:"cw"` // characters per page in the combo file
	ComboF  string      `json:"c"`  // hash of the combo file
	Years   [][2]int    `json:"y"`  // [year, number of its first page], oldest first
}

// formatVersion is the manifest's "v": search.js reads this format only.
const formatVersion = 3

// SetPublished tells the index which files the folder it is written to
// holds already. A shard is named by a hash of its bytes before
// compression, so one the folder holds is neither compressed nor handed
// back again: an update build after a page edit compresses the few shards
// the edit changed, not all of them.
func (x *Index) SetPublished(has func(name string) bool) {
	x.mu.Lock()
	x.published = has
	x.mu.Unlock()
}

// Write returns the index's files. It does not change the pages: more may
// be added or put and Write called again.
func (x *Index) Write() (*Output, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.final {
		return nil, errWrittenFinal
	}
	return x.write()
}

// WriteFinal is Write for an index that takes no more pages and is not
// written again (a build that ends with it, not serve): each page's term
// list is let go as soon as it is inverted, and nothing is kept for a
// next Write, so that the build's peak memory is that much lower. Add,
// Put and Write fail after it.
func (x *Index) WriteFinal() (*Output, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.final {
		return nil, errWrittenFinal
	}
	x.final, x.last = true, nil
	out, err := x.write()
	x.last, x.zipped = nil, nil
	return out, err
}

var errWrittenFinal = errors.New("search: the index is written for good already (WriteFinal)")

func (x *Index) write() (*Output, error) {
	if len(x.docs) == 0 {
		return nil, errors.New("search: no pages to index")
	}
	n := len(x.docs)
	order := x.pageOrder()

	out := &Output{Files: map[string][]byte{}}
	m := manifest{Version: formatVersion, Docs: n}

	shards := x.shards(order)
	zipped := make([][]byte, len(shards))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	kept := make([]bool, len(shards))
	for i, s := range shards {
		if z, ok := x.zipped[s.name]; ok {
			zipped[i] = z
			continue
		}
		if x.published != nil && x.published(shardFile(s.name)) {
			kept[i] = true
			continue
		}
		g.Go(func() error {
			zipped[i] = compressShard(s.data)
			return nil
		})
	}
	g.Wait()
	x.zipped = make(map[string][]byte, len(shards))
	for i, s := range shards {
		out.Files[shardFile(s.name)] = zipped[i]
		if !kept[i] {
			x.zipped[s.name] = zipped[i]
		}
		m.Shards = append(m.Shards, [2]string{s.start, s.name})
	}

	// Fragments, by groups of 128 pages: a group's file is named by a
	// hash of its fragments, so a change gives it a new name, and a new
	// page renames the newest group only.
	for g := 0; g < n; g += groupSize {
		end := min(g+groupSize, n)
		h := sha256.New()
		size := 0
		for _, seq := range order[g:end] {
			h.Write(x.docs[seq].fragHash[:])
			size += len(x.docs[seq].fragment)
		}
		gh := hex.EncodeToString(h.Sum(nil)[:5])
		m.Groups = append(m.Groups, [2]string{gh, fragmentSizes(x.docs, order[g:end])})
		name := groupFile(gh)
		if x.published != nil && x.published(name) {
			out.Files[name] = nil
			continue
		}
		// The pages' fragments then point into the file, so that their
		// bytes are held once.
		file := make([]byte, 0, size)
		for _, seq := range order[g:end] {
			d := x.docs[seq]
			at := len(file)
			file = append(file, d.fragment...)
			d.fragment = file[at:len(file):len(file)]
		}
		out.Files[name] = file
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
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// A page's fragment and a word's shard are gzip files, each compressed
// by the deflate that does its kind best (klauspost/compress's).
//
// Fragments are many and small (4 KB of text on average), where the
// standard library's deflate spends most of its time building Huffman
// tables: klauspost/compress at level 1 writes them 2.7 times as fast as
// the standard library at level 1, 0.3 % larger. Its level 2 makes them
// 2.3 % smaller than level 1, for 15 % more time and a hash table twice
// the size: a build of 1,000 pages, whose workers each compress with a
// writer of their own, took 4 % more CPU with it.
//
// Shards are lists of numbers in base-64 digits, where matches are few:
// the more pages, the fewer. Each is written twice, by Huffman coding
// alone and by klauspost's stateless deflate (matches within the block,
// no history to set up), and the smaller is kept. Against the standard
// library's level 1 (what shards had before), the shards of 1,000 pages
// came out 0.6 % smaller in 39 % of the time, and those of 10,000 pages
// 3.2 % smaller in 55 % of the time; the fast levels that keep a history
// wrote the latter 20 % larger.
var (
	fragmentWriters = sync.Pool{New: func() any {
		w, _ := kgzip.NewWriterLevel(nil, 1)
		return w
	}}
	huffmanWriters = sync.Pool{New: func() any {
		w, _ := kgzip.NewWriterLevel(nil, kgzip.HuffmanOnly)
		return w
	}}
	statelessWriters = sync.Pool{New: func() any {
		w, _ := kgzip.NewWriterLevel(nil, kgzip.StatelessCompression)
		return w
	}}
)

// compressShard returns b as a gzip file: the smaller of its Huffman
// coding and its stateless deflate.
func compressShard(b []byte) []byte {
	h, s := compress(&huffmanWriters, b), compress(&statelessWriters, b)
	if len(s) < len(h) {
		return s
	}
	return h
}

// gzipWriter is what both kinds of writers do.
type gzipWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// compress returns b as a gzip file, written by a writer from pool. Its
// header carries no name and no time, so the same bytes always compress
// alike.
func compress(pool *sync.Pool, b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/2 + 64)
	compressTo(&buf, pool, b)
	return buf.Bytes()
}

// compressTo writes b to buf as compress does.
func compressTo(buf *bytes.Buffer, pool *sync.Pool, b []byte) {
	w := pool.Get().(gzipWriter)
	w.Reset(buf)
	w.Write(b)
	w.Close()
	pool.Put(w)
}

// fragmentUnit is what a fragment's size is a multiple of.
const fragmentUnit = 64

// padGzip returns a copy of z, a gzip file with no optional header field,
// grown to a multiple of fragmentUnit bytes by an extra field (RFC 1952,
// 2.3.1.1: its subfield "Lp" holds zeros) that every gzip reader skips.
func padGzip(z []byte) []byte {
	const head, sub = 10, 6 // the fixed header; XLEN and a subfield's ID and LEN
	if len(z) < head || z[3] != 0 {
		panic("search: padGzip: not a plain gzip header")
	}
	pad := (fragmentUnit - len(z)%fragmentUnit) % fragmentUnit
	if pad == 0 {
		return bytes.Clone(z)
	}
	if pad < sub {
		pad += fragmentUnit
	}
	out := make([]byte, len(z)+pad)
	copy(out, z[:head])
	out[3] = 0x04 // FEXTRA
	k := pad - sub
	out[head], out[head+1] = byte(k+4), byte((k+4)>>8)
	out[head+2], out[head+3] = 'L', 'p'
	out[head+4], out[head+5] = byte(k), byte(k>>8)
	copy(out[head+pad:], z[head:])
	return out
}

// fragmentSizes are the sizes of the fragments of a group, for the
// manifest, in units of fragmentUnit bytes: the smallest, then how much
// larger than it each fragment is, in order, as base-64 VLQ digits (those
// of the shards); one digit each when the group's sizes lie within 2 KB.
func fragmentSizes(docs []*docInfo, group []int) string {
	least := math.MaxInt
	for _, seq := range group {
		least = min(least, len(docs[seq].fragment)/fragmentUnit)
	}
	b := appendVLQ(make([]byte, 0, len(group)+2), uint32(least))
	for _, seq := range group {
		b = appendVLQ(b, uint32(len(docs[seq].fragment)/fragmentUnit-least))
	}
	return string(b)
}

// fragmentBufs are the buffers a page's fragment is written in: its JSON
// and its gzip file.
var fragmentBufs = sync.Pool{New: func() any { return new([2]bytes.Buffer) }}

// fragmentText is the text a page's fragment keeps, to cut snippets
// from: its body, then the other lines it prints, every run of white space
// as one space, in NFC, cut at about textBytes. It reads each text once:
// the pass that collapses the spaces also tells whether NFC could change
// anything, which for text written in Vietnamese with its letters
// precomposed (the usual case) it cannot; and a body that is one line in
// NFC already (bodyPlain, the builder's page text) is copied as it is.
func fragmentText(body string, bodyPlain bool, printed []string) string {
	if len(body) > 2*textBytes {
		cut := 2 * textBytes
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut]
	}
	if bodyPlain && len(printed) == 0 {
		// The usual page: its text is its body, without a copy.
		return truncate(strings.TrimSuffix(body, " "), textBytes)
	}
	b := make([]byte, 0, min(len(body)+64, 2*textBytes))
	plain := true
	if bodyPlain {
		// One line already: only the cut above may have left a space at
		// its end.
		b = append(b, strings.TrimSuffix(body, " ")...)
	} else {
		b, plain = appendCollapsedNFC(b, body, false, true)
	}
	for _, l := range printed {
		if len(b) >= 2*textBytes {
			break
		}
		b, plain = appendCollapsedNFC(b, l, true, plain)
	}
	s := string(b)
	if !plain {
		s = norm.NFC.String(s)
	}
	return truncate(s, textBytes)
}

// collapseSpaces writes every run of white space in s as one space and
// trims both ends, as strings.Join(strings.Fields(s), " ") does.
func collapseSpaces(s string) string {
	return string(appendCollapsed(make([]byte, 0, len(s)), s, false))
}

// appendCollapsed appends s to b with every run of white space as one
// space, none at the start of b; space says that one is owed before the
// next word. A trailing space of b is the caller's to trim.
func appendCollapsed(b []byte, s string, space bool) []byte {
	b, _ = appendCollapsedNFC(b, s, space, true)
	return b
}

// appendCollapsedNFC is appendCollapsed, and also tells whether NFC
// leaves what s adds alone (see vntext.NFCStable), and plain what came
// before.
func appendCollapsedNFC(b []byte, s string, space, plain bool) ([]byte, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				space = true
				i++
				continue
			}
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		plain = plain && vntext.NFCStable(r)
		if vntext.IsSpace(r) {
			space = true
		} else {
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b, plain
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

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

// pageOrder is the pages (their places in x.docs) numbered by date, then
// URL.
func (x *Index) pageOrder() []int {
	order := make([]int, len(x.docs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		da, db := x.docs[a], x.docs[b]
		if c := da.date.Compare(db.date); c != 0 {
			return c
		}
		return strings.Compare(da.url, db.url)
	})
	return order
}

// groupFile is the file of the group of fragments whose hash is name.
func groupFile(name string) string { return "f." + name + ".bin" }

// shardFile is the file of the shard whose bytes hash to name.
func shardFile(name string) string { return "t." + name + ".gz" }
