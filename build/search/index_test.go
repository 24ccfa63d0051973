package search

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// foldCases is the folding table: Go's Fold and search.js's fold must give
// the same answer for every row (the browser test runs it through both).
func foldCases() [][2]string {
	cases := [][2]string{
		{"Đăng ký tạm trú", "dang ky tam tru"},
		{norm.NFD.String("Đăng ký tạm trú"), "dang ky tam tru"},
		{"ĐĂNG KÝ TẠM TRÚ", "dang ky tam tru"},
		{"đ Đ", "d d"},
		{"Chuyển đổi số", "chuyen doi so"},
		{norm.NFD.String("CHUYỂN ĐỔI SỐ"), "chuyen doi so"},
		{"Đối thoại thanh niên", "doi thoai thanh nien"},
		{"Đấu giá đất", "dau gia dat"},
		{"Nghị định 42/2022/NĐ-CP", "nghi dinh 42/2022/nd-cp"},
		{"29/KH-UBND", "29/kh-ubnd"},
		{"hòa hoà HÒA", "hoa hoa hoa"}, // old and new placement of the tone
		{"Thủy Thuỷ", "thuy thuy"},
		{"dang ky", "dang ky"},
	}
	vowels := []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"}
	plain := []string{"a", "a", "a", "e", "e", "i", "o", "o", "o", "u", "u", "y"}
	tones := []string{"", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"} // huyền sắc hỏi ngã nặng
	for i, v := range vowels {
		for _, t := range tones {
			nfc := norm.NFC.String(v + t)
			cases = append(cases,
				[2]string{nfc, plain[i]},
				[2]string{norm.NFD.String(nfc), plain[i]},
				[2]string{strings.ToUpper(nfc), plain[i]},
				[2]string{norm.NFD.String(strings.ToUpper(nfc)), plain[i]})
		}
	}
	return cases
}

func TestFold(t *testing.T) {
	for _, c := range foldCases() {
		if got := vntext.Fold(c[0]); got != c[1] {
			t.Errorf("Fold(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

// tokenCases are split into words by Go and by search.js alike.
var tokenCases = []string{
	"29/KH-UBND", "29/kh-ubnd", "29 KH UBND", "04/TB-UBND ngày 05/02/2024",
	"Đăng ký tạm trú", norm.NFD.String("Đăng ký tạm trú"), "ĐĂNG KÝ", "Nghị định 42/2022/NĐ-CP",
	"6.000 đồng/người/tháng", "“dang ky” — (tam tru)!", "000 007 100",
}

func keys(s string) []string {
	var out []string
	for _, t := range tokens(s) {
		out = append(out, t.Key)
	}
	return out
}

func TestTokens(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"29/KH-UBND", "29 kh ubnd"},
		{"29 kh ubnd", "29 kh ubnd"},
		{"04/TB-UBND", "4 tb ubnd"},
		{"000", "0"},
		{norm.NFD.String("Đăng ký"), "dang ky"},
		{"6.000 đồng", "6 0 dong"},
	} {
		if got := strings.Join(keys(c.in), " "); got != c.want {
			t.Errorf("tokens(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if tk := tokens(norm.NFD.String("Đăng")); tk[0].Exact != "đăng" || tk[0].Exact == tk[0].Key {
		t.Errorf("the exact spelling of NFD Đăng is %q, want NFC đăng", tk[0].Exact)
	}
}

func build(t testing.TB, docs []Doc, opts ...Option) *Output {
	t.Helper()
	out, err := added(t, docs, opts...).Write()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// added is an index of docs, not written yet.
func added(t testing.TB, docs []Doc, opts ...Option) *Index {
	t.Helper()
	x := New(opts...)
	for _, d := range docs {
		if err := x.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	return x
}

// TestDeterministic: two builds give the same bytes, whatever the order
// and the concurrency of Add.
func TestDeterministic(t *testing.T) {
	docs := append(fillerDocs(300), wardDocs...)
	a := build(t, docs, ShardSize(2048))

	shuffled := slices.Clone(docs)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	x := New(ShardSize(2048))
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() {
			for i := w; i < len(shuffled); i += 4 {
				if err := x.Add(shuffled[i]); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	b, err := x.Write()
	if err != nil {
		t.Fatal(err)
	}
	if a.Manifest != b.Manifest || !maps.EqualFunc(a.Files, b.Files, bytes.Equal) {
		t.Fatalf("two builds differ: %d and %d files, manifests %s and %s", len(a.Files), len(b.Files), a.Manifest, b.Manifest)
	}
	shards := 0
	for name := range a.Files {
		if strings.HasPrefix(name, "t.") {
			shards++
		}
	}
	if shards < 10 {
		t.Errorf("%d shards, want many at 2 KB each", shards)
	}
}

// TestIncremental: a new page (the newest) rewrites only the shards of its
// words (or of a completion line of a prefix of them), the fragments of the
// newest group and the files every page is in (manifest, combos).
func TestIncremental(t *testing.T) {
	docs := append(fillerDocs(300), wardDocs...)
	before := build(t, docs, ShardSize(2048))
	extra := Doc{URL: "/thong-bao/moi/", Section: "thong-bao", Date: day("2025-01-01"),
		Title: "Thông báo lịch phát thẻ bảo hiểm y tế", Body: "Phát thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi."}
	after := build(t, append(docs, extra), ShardSize(2048))

	newKeys := map[string]bool{}
	for _, s := range []string{extra.Title, extra.Body} {
		ks := keys(s)
		for i, k := range ks {
			newKeys[k] = true
			if i > 0 {
				newKeys[pairMark+ks[i-1]+" "+k] = true
			}
		}
	}
	mine := func(k string) bool {
		if p, ok := strings.CutSuffix(k, completionMark); ok {
			for nk := range newKeys {
				if strings.HasPrefix(nk, p) {
					return true
				}
			}
			return false
		}
		return newKeys[k]
	}
	// A boundary moves only before a key whose line grew: the shard before
	// it may be rewritten with none of the new keys, cut off from the next
	// shard, which has one.
	type shardFile struct {
		start, name  string
		holds, fresh bool
	}
	var shards []shardFile
	for name, b := range after.Files {
		if !strings.HasPrefix(name, "t.") {
			continue
		}
		f := shardFile{name: name}
		for i, line := range shardLines(t, b) {
			k, _, _ := strings.Cut(line, "\t")
			if i == 0 {
				f.start = k
			}
			f.holds = f.holds || mine(k)
		}
		_, kept := before.Files[name]
		f.fresh = !kept
		shards = append(shards, f)
	}
	slices.SortFunc(shards, func(a, b shardFile) int { return strings.Compare(a.start, b.start) })
	var changed, touched, cutOff int
	for i, f := range shards {
		if f.holds {
			touched++
		}
		if !f.fresh {
			continue
		}
		changed++
		if !f.holds {
			if i+1 < len(shards) && shards[i+1].fresh && shards[i+1].holds {
				cutOff++
			} else {
				t.Errorf("shard %s changed but holds no word of the new page", f.name)
			}
		}
	}
	t.Logf("%d of %d shards rewritten (%d hold words of the new page, %d cut off from one that does)", changed, len(shards), touched, cutOff)
	if changed == 0 {
		t.Error("no shard rewritten for the new page")
	}
	var others []string
	frags := 0
	for name := range after.Files {
		if _, ok := before.Files[name]; ok {
			continue
		}
		if strings.HasPrefix(name, "f.") && strings.HasSuffix(name, ".bin") {
			frags++
		} else if !strings.HasPrefix(name, "t.") {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	if len(others) != 2 || !strings.HasPrefix(others[0], "c.") || !strings.HasPrefix(others[1], "manifest.") {
		t.Errorf("files other than shards and fragments rewritten: %v, want the combos and the manifest", others)
	}
	if frags != 1 {
		t.Errorf("%d groups of fragments renamed, want the newest alone", frags)
	}
}

func TestAddErrors(t *testing.T) {
	x := New()
	if err := x.Add(Doc{Title: "Không có địa chỉ"}); err == nil || !strings.Contains(err.Error(), "no URL") {
		t.Errorf("a page without URL: %v", err)
	}
	if err := x.Add(wardDocs[0]); err != nil {
		t.Fatal(err)
	}
	if err := x.Add(wardDocs[0]); err == nil || !strings.Contains(err.Error(), wardDocs[0].URL) {
		t.Errorf("a page added twice: %v", err)
	}
	if _, err := New().Write(); err == nil {
		t.Error("an empty index is written without error")
	}
}

func TestFilters(t *testing.T) {
	out := build(t, wardDocs)
	var kinds []string
	for _, k := range out.Kinds {
		kinds = append(kinds, k.Value+"="+k.Name)
	}
	if got := strings.Join(kinds, " "); got != "ke-hoach=Kế hoạch quyet-dinh=Quyết định thong-bao=Thông báo" {
		t.Errorf("kinds: %s", got)
	}
	if !slices.Equal(out.Years, []int{2024, 2023}) {
		t.Errorf("years: %v", out.Years)
	}
	if len(out.Sections) != 3 || out.Sections[2] != (Facet{"van-ban", "Văn bản"}) {
		t.Errorf("sections: %v", out.Sections)
	}
	pd := out.PageData("/assets/search")
	if pd.Index != "/assets/search/"+out.Manifest {
		t.Errorf("page data index %q", pd.Index)
	}
}

func TestTextOfHTML(t *testing.T) {
	text, heads := TextOfHTML([]byte(`<p>Số <strong>29</strong>/KH</p><h2 id="a">I. Mục <em>đích</em></h2><table><tr><td>1</td><td>Họp</td></tr></table><script>x()</script>`))
	if text != "Số 29/KH I. Mục đích 1 Họp" {
		t.Errorf("text %q", text)
	}
	if !slices.Equal(heads, []string{"I. Mục đích"}) {
		t.Errorf("headings %q", heads)
	}
}

// TestFragmentText: a fragment keeps its page's body and printed lines as
// one line of NFC text, whatever form the page was written in.
func TestFragmentText(t *testing.T) {
	long := strings.Repeat("đăng ký tạm trú ", 2000) // 40 KB
	cases := []struct {
		name, body string
		printed    []string
		want       string
	}{
		{"nfc", "Đăng ký  tạm\ttrú\n\ncho người lao động", nil, "Đăng ký tạm trú cho người lao động"},
		{"nfd", norm.NFD.String("Hướng dẫn đăng ký"), nil, "Hướng dẫn đăng ký"},
		{"printed", "  Nội dung.  ", []string{"TM. ỦY BAN NHÂN DÂN", norm.NFD.String("CHỦ TỊCH"), "", "Nguyễn Văn A"}, "Nội dung. TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Nguyễn Văn A"},
		{"marks-alone", "Kho\u0302ng co\u0301 gi\u0300", nil, "Không có gì"},
		{"punctuation", "Giá 10.000 ₫ – “miễn phí” …", nil, "Giá 10.000 ₫ – “miễn phí” …"},
		{"ohm", "10 \u2126", nil, "10 \u03a9"}, // a singleton NFC replaces
		{"not-utf8", "đăng \x91ký", nil, "đăng \x91ký"},
	}
	for _, c := range cases {
		if got := fragmentText(c.body, false, c.printed); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	got := fragmentText(long, false, []string{"Nơi nhận"})
	if len(got) > textBytes+len(" …") || !strings.HasSuffix(got, " …") || !strings.HasPrefix(got, "đăng ký tạm trú đăng") {
		t.Errorf("a 40 KB body keeps %d bytes, ending %q; want at most %d, cut at a word", len(got), got[max(0, len(got)-20):], textBytes)
	}
	if !norm.NFC.IsNormalString(got) || strings.Contains(got, "  ") {
		t.Errorf("a long body's text is not NFC with single spaces")
	}

	// A body the builder says is one line in NFC already is taken as it
	// is: the fragment is the same as when it is read again, cut (a
	// space at the cut included) or not.
	for _, c := range append(cases, struct {
		name, body string
		printed    []string
		want       string
	}{"long", strings.TrimSpace(long), []string{"Nơi nhận"}, ""}) {
		if c.body != strings.Join(strings.Fields(c.body), " ") || !norm.NFC.IsNormalString(c.body) {
			continue
		}
		if plain, read := fragmentText(c.body, true, c.printed), fragmentText(c.body, false, c.printed); plain != read {
			t.Errorf("%s, one line in NFC already: %q, read again %q", c.name, plain, read)
		}
	}
	odd := strings.Repeat("ab ", textBytes*2/3) // the cut at 2×textBytes falls after a space
	if plain, read := fragmentText(strings.TrimSpace(odd), true, []string{"Nơi nhận"}), fragmentText(odd, false, []string{"Nơi nhận"}); plain != read {
		t.Errorf("a body cut after a space: %q…, read again %q…", plain[len(plain)-20:], read[len(read)-20:])
	}
}

// TestPublishedShardsNotMadeAgain: a new index written to a folder that
// holds the last one's files hands back, as nil, exactly the shards and
// groups of fragments that folder holds (their names are hashes of what
// they hold), with the bytes of every other file; and it lists in its
// manifest the same files as an index that knows nothing of the folder.
func TestPublishedShardsNotMadeAgain(t *testing.T) {
	docs := append(fillerDocs(300), wardDocs...)
	before := build(t, docs, ShardSize(2048))
	extra := Doc{URL: "/thong-bao/moi/", Section: "thong-bao", Date: day("2025-01-01"),
		Title: "Thông báo lịch tiêm chủng", Body: "Tiêm chủng cho trẻ em dưới 6 tuổi tại trạm y tế."}
	full := build(t, append(docs, extra), ShardSize(2048))

	x := New(ShardSize(2048))
	for _, d := range append(docs, extra) {
		if err := x.Add(d); err != nil {
			t.Fatal(err)
		}
	}
	asked := 0
	x.SetPublished(func(name string) bool { asked++; _, ok := before.Files[name]; return ok })
	out, err := x.Write()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != len(full.Files) || out.Manifest != full.Manifest {
		t.Fatalf("%d files and manifest %s, want %d and %s as without SetPublished", len(out.Files), out.Manifest, len(full.Files), full.Manifest)
	}
	kept, made := 0, 0
	for name, want := range full.Files {
		got, ok := out.Files[name]
		_, published := before.Files[name]
		switch {
		case !ok:
			t.Errorf("%s missing", name)
		case (strings.HasPrefix(name, "t.") || strings.HasPrefix(name, "f.")) && published:
			if got != nil {
				t.Errorf("%s is published already, but came back with %d bytes", name, len(got))
			}
			kept++
		case got == nil || !bytes.Equal(got, want):
			t.Errorf("%s: %d bytes, want the %d a build without SetPublished writes", name, len(got), len(want))
		case strings.HasPrefix(name, "t.") || strings.HasPrefix(name, "f."):
			made++
		}
	}
	if kept == 0 || made == 0 || asked == 0 {
		t.Errorf("%d shards and groups kept, %d made (%d asked): the edit should change some and leave others", kept, made, asked)
	}
}

// TestIsWordRune: the ranges isWordRune takes without Unicode's tables are
// letters and marks, as the tables say.
func TestIsWordRune(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		want := unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
		if isWordRune(r) != want {
			t.Errorf("isWordRune(U+%04X) = %v, Unicode's tables say %v", r, !want, want)
		}
	}
}

// TestPadGzip: a fragment padded to a multiple of fragmentUnit bytes is
// still a gzip file of the same text, whatever the size it had: every
// remainder is met, those too small for an extra field among them.
func TestPadGzip(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	seen := map[int]bool{}
	for n := 0; len(seen) < fragmentUnit && n < 20000; n++ {
		text := make([]byte, n)
		for i := range text {
			text[i] = "aăâbcdđeêghiklmnoôơpqrstuưvxy "[rnd.IntN(30)]
		}
		z := compress(&fragmentWriters, text)
		seen[len(z)%fragmentUnit] = true
		p := padGzip(z)
		if len(p)%fragmentUnit != 0 || len(p) < len(z) || len(p) >= len(z)+fragmentUnit+6 {
			t.Fatalf("%d bytes padded to %d, want the next multiple of %d with room for the field", len(z), len(p), fragmentUnit)
		}
		br := bytes.NewReader(p)
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatalf("%d bytes padded to %d: %v", len(z), len(p), err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, text) {
			t.Fatalf("%d bytes padded to %d read back as %d bytes (%v), want %d", len(z), len(p), len(got), err, len(text))
		}
		if br.Len() != 0 {
			t.Fatalf("%d bytes padded to %d: %d bytes left after the gzip file", len(z), len(p), br.Len())
		}
	}
	if len(seen) < fragmentUnit {
		t.Errorf("only %d of the %d remainders met", len(seen), fragmentUnit)
	}
}

// TestWriteFinal: an index written for good gives the files Write gives,
// lets go of every page's term list, and refuses to take or write more.
func TestWriteFinal(t *testing.T) {
	docs := append(fillerDocs(300), wardDocs...)
	want := build(t, docs, ShardSize(2048))
	x := added(t, docs, ShardSize(2048))
	got, err := x.WriteFinal()
	if err != nil {
		t.Fatal(err)
	}
	if got.Manifest != want.Manifest || len(got.Files) != len(want.Files) {
		t.Fatalf("manifest %s and %d files, want %s and %d as Write writes", got.Manifest, len(got.Files), want.Manifest, len(want.Files))
	}
	for name, b := range want.Files {
		if !bytes.Equal(got.Files[name], b) {
			t.Errorf("%s differs from what Write writes", name)
		}
	}
	for _, d := range x.docs {
		if d.post != nil {
			t.Fatalf("%s: its term list is kept after WriteFinal", d.url)
		}
	}
	if x.last != nil {
		t.Error("the inverted index is kept after WriteFinal")
	}
	if _, err := x.Write(); !errors.Is(err, errWrittenFinal) {
		t.Errorf("Write after WriteFinal: %v, want %v", err, errWrittenFinal)
	}
	if _, err := x.WriteFinal(); !errors.Is(err, errWrittenFinal) {
		t.Errorf("WriteFinal twice: %v, want %v", err, errWrittenFinal)
	}
	if err := x.Put(wardDocs[0]); !errors.Is(err, errWrittenFinal) {
		t.Errorf("Put after WriteFinal: %v, want %v", err, errWrittenFinal)
	}
}

// TestCompressShard: a shard is the smaller of its two encodings, and
// reads back as the lines it holds; both encodings win somewhere (a small
// index's shards, with words that repeat, and a larger one's, mostly
// numbers).
func TestCompressShard(t *testing.T) {
	wins := map[string]int{}
	for _, n := range []int{60, 3000} {
		x := added(t, fillerDocs(n), ShardSize(4096))
		for _, s := range x.shards(x.pageOrder()) {
			h, st := compress(&huffmanWriters, s.data), compress(&statelessWriters, s.data)
			z := compressShard(s.data)
			if len(z) != min(len(h), len(st)) {
				t.Fatalf("shard %s: %d bytes, want the smaller of %d (Huffman) and %d (stateless)", s.name, len(z), len(h), len(st))
			}
			if got := gunzip(t, z); !bytes.Equal(got, s.data) {
				t.Fatalf("shard %s does not read back as its lines", s.name)
			}
			if len(h) <= len(st) {
				wins["huffman"]++
			} else {
				wins["stateless"]++
			}
		}
	}
	if wins["huffman"] == 0 || wins["stateless"] == 0 {
		t.Errorf("wins %v: want each encoding to be the smaller for some shard", wins)
	}
}

// TestFragmentJSON: a fragment's JSON is the bytes encoding/json writes
// (without HTML escaping), for text of every kind: quotes, backslashes,
// every control character, U+2028 and U+2029, invalid UTF-8, Vietnamese
// in NFC and NFD, and empty fields left out.
func TestFragmentJSON(t *testing.T) {
	pieces := []string{"a", "Đăng ký", norm.NFD.String("tạm trú"), `"`, `\`, "<b>&", "“…”–", "\u2028", "\u2029", "\xe2\x80", "\xff", "\xe1\xba", "\U0001F600", " ", "/"}
	for c := 0; c < 0x20; c++ {
		pieces = append(pieces, string(rune(c)))
	}
	pieces = append(pieces, "\x7f")
	rnd := rand.New(rand.NewPCG(3, 4))
	text := func() string {
		var sb strings.Builder
		for range rnd.IntN(12) {
			sb.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		return sb.String()
	}
	for i := range 5000 {
		f := fragment{URL: text(), Title: text(), Kind: text(), Number: text(), Section: text(), Date: text(), Summary: text(), Text: text()}
		if i%7 == 0 {
			f.Kind, f.Number, f.Section, f.Date, f.Summary, f.Text = "", "", "", "", "", ""
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
		if got := f.appendJSON(nil); !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
			t.Fatalf("%+q:\n got %s\nwant %s", f, got, want.Bytes())
		}
	}
}
