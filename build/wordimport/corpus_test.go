package wordimport

import (
	"fmt"
	stdhtml "html"
	"os"
	"os/exec"
	"path/filepath"

	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"loa/build/builder"
	"loa/functions/vntext"
)

// expected is what a person read in one file of testdata/corpus.
type expected struct {
	File   string `yaml:"file"`
	Source struct {
		Repo, Path, Commit string
	} `yaml:"source"`
	Converted  bool     `yaml:"converted"`
	Producer   string   `yaml:"producer"`
	Layout     string   `yaml:"layout"`
	Motto      string   `yaml:"motto"`
	Year       int      `yaml:"year"`
	Kind       string   `yaml:"kind"`
	Issuer     []string `yaml:"issuer"`
	Number     string   `yaml:"number"`
	Place      string   `yaml:"place"`
	Date       string   `yaml:"date"`
	Title      string   `yaml:"title"`
	Signature  []string `yaml:"signature"`
	Signer     string   `yaml:"signer"`
	Recipients []string `yaml:"recipients"`
	Addressees []string `yaml:"addressees"`
	Annex      bool     `yaml:"annex"`
	Notes      string   `yaml:"notes"`
}

// Targets of the corpus: the share of expected fields the import gets
// right, and the share of each document's words found in order on its page.
const (
	minFields = 0.95
	minWords  = 0.97
)

// TestCorpus imports every real document of testdata/corpus into one
// ward's content, builds the site, and compares each page with what a
// person read in the document: kind, number, issuer, place, date, title,
// signature, signer, recipients, addressees; the document's words (pandoc's
// plain text of the .docx) in order on the page; and no line of the
// signature block standing alone in the body. It prints the totals; a
// mismatch names the file and the field.
func TestCorpus(t *testing.T) {
	needPandoc(t)
	raw, err := os.ReadFile("testdata/corpus/corpus.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []expected
	if err := yaml.Unmarshal(raw, &corpus); err != nil {
		t.Fatal(err)
	}
	if len(corpus) < 30 {
		t.Fatalf("the corpus has %d documents, want at least 30", len(corpus))
	}
	dir := wardContent(t)
	results := make([]*Result, len(corpus))
	for i, e := range corpus {
		res, err := Import(Options{File: filepath.Join("testdata/corpus", e.File), Content: dir, Now: importDay,
			Slug: strings.TrimSuffix(e.File, ".docx")})
		if err != nil {
			t.Errorf("%s: import: %v", e.File, err)
			continue
		}
		results[i] = res
	}
	if t.Failed() {
		t.FailNow()
	}
	// Every page imported builds; some are dated after the test's today.
	out := buildSiteWith(t, dir, builder.Options{Now: buildDay, Future: true})

	var right, total int
	var wrong []string
	placed := map[string]int{}
	lowest, lowestFile, sumHave, sumAll := 1.0, "", 0, 0
	for i, e := range corpus {
		res := results[i]
		p := readPage(t, res.Page)
		rel, _ := filepath.Rel(dir, res.Dir)
		html := filepath.Join(out, rel, "index.html")

		fields := compareFields(e, p)
		for _, f := range fields {
			total++
			if f.ok {
				right++
			} else {
				wrong = append(wrong, fmt.Sprintf("%s: %s: got %q, want %q", e.File, f.name, f.got, f.want))
			}
		}

		// Where a document lands follows its kind, as the ward's sections
		// say: a decision, a letter or a directive is not a plan.
		placed[rel[:strings.IndexByte(rel, filepath.Separator)]]++
		if k := headingKey(p.Document.Kind); (k == "QUYẾT ĐỊNH" || k == "CÔNG VĂN" || k == "CHỈ THỊ") && !strings.HasPrefix(rel, "van-ban"+string(filepath.Separator)) {
			t.Errorf("%s: a %s imported into %s, want van-ban", e.File, p.Document.Kind, rel)
		}

		// Pandoc escapes characters that Markdown would read as marks: the
		// page's description (its summary, as lists and feeds show it) must
		// not show an escape or an entity.
		if m := metaDescription.FindStringSubmatch(readFile(t, html)); m == nil || entityOrEscape.MatchString(htmlUnescape(m[1])) {
			t.Errorf("%s: the page's description shows an escape or an entity: %q", e.File, m)
		}

		have, all := wordsInOrder(t, filepath.Join("testdata/corpus", e.File), seenText(t, html))
		if r := float64(have) / float64(all); r < lowest {
			lowest, lowestFile = r, e.File
		}
		sumHave, sumAll = sumHave+have, sumAll+all
		if float64(have) < minWords*float64(all) {
			t.Errorf("%s: %d of %d words (%.1f %%) of the document in order on its page, want %.0f %%", e.File, have, all, 100*float64(have)/float64(all), 100*minWords)
		}
		for _, l := range bodyLines(p.Body) {
			if l != "" && (l == squeeze(p.Document.Signer) || slices.Contains(p.Document.Signature, l) && authRe.MatchString(l)) {
				t.Errorf("%s: the signature's line %q stands in the body", e.File, l)
			}
		}
	}
	slices.Sort(wrong)
	for _, w := range wrong {
		t.Log(w)
	}
	t.Logf("corpus: %d documents, %d of %d fields right (%.1f %%)", len(corpus), right, total, 100*float64(right)/float64(total))
	t.Log(makeUp(corpus))
	t.Logf("sections: %v", placed)
	t.Logf("words of the bodies in order on their pages: %d of %d (%.1f %%); lowest %.1f %% (%s)", sumHave, sumAll, 100*float64(sumHave)/float64(sumAll), 100*lowest, lowestFile)
	if float64(right) < minFields*float64(total) {
		t.Errorf("%d of %d fields right (%.1f %%), want at least %.0f %%", right, total, 100*float64(right)/float64(total), 100*minFields)
	}
}

type fieldResult struct {
	name, got, want string
	ok              bool
}

var (
	metaDescription = regexp.MustCompile(`<meta name="description" content="([^"]*)"`)
	entityOrEscape  = regexp.MustCompile(`&[a-zA-Z]+;|&#\d+;|\\[!-/:-@\[-` + "`" + `{-~]`)
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// htmlUnescape is an attribute's text as a reader sees it.
func htmlUnescape(s string) string { return stdhtml.UnescapeString(s) }

var vvRe = regexp.MustCompile(`(?i)^\(?\s*(?:V/v|Về việc)\.?\s*:?\s*`)

// compareFields compares a page's front matter with what was read in its
// document. Text is compared with spaces squeezed and tone marks placed
// one way; numbers and the signature's lines also without spaces ("KT.CHỦ
// TỊCH" is "KT. CHỦ TỊCH"); the issuer's lines joined, as a name may be
// broken over lines either way.
func compareFields(e expected, p page) []fieldResult {
	d := p.Document
	norm := func(s string) string { return vntext.ClassicTones(squeeze(s)) }
	tight := func(s string) string { return strings.ReplaceAll(norm(s), " ", "") }
	list := func(ls []string, f func(string) string) string {
		var out []string
		for _, l := range ls {
			if l = f(recipient(l)); l != "" {
				out = append(out, l)
			}
		}
		return strings.Join(out, " | ")
	}
	title := func(s string) string {
		return strings.TrimRight(norm(vvRe.ReplaceAllString(squeeze(s), "")), ".")
	}
	motto := map[string]string{"state": "", "none": "", "party": partyMotto, "doan": youthMotto}
	var fs []fieldResult
	add := func(name, got, want string) {
		fs = append(fs, fieldResult{name, got, want, got == want})
	}
	if e.Kind == "" {
		// Not an official document: a plain page.
		add("kind", d.Kind, "")
		return fs
	}
	add("kind", norm(d.Kind), norm(e.Kind))
	add("motto", d.Motto, motto[e.Motto])
	add("issuer", norm(strings.Join(d.Issuer, " ")), norm(strings.Join(e.Issuer, " ")))
	add("number", tight(d.Number), tight(e.Number))
	add("place", norm(d.Place), norm(e.Place))
	add("date", d.Issued, e.Date)
	if e.Title == "" {
		// No trích yếu printed (a giấy mời may have none): right when the
		// import found none either, and named the page after its file.
		add("title", title(p.Title), title(strings.TrimSuffix(e.File, ".docx")))
	} else {
		add("title", title(p.Title), title(e.Title))
	}
	add("signature", list(d.Signature, tight), list(e.Signature, tight))
	add("signer", norm(d.Signer), norm(e.Signer))
	add("recipients", list(d.Recipients, norm), list(e.Recipients, norm))
	if len(e.Addressees) > 0 {
		add("addressees", list(d.Addressees, norm), list(e.Addressees, norm))
	}
	return fs
}

// wordsInOrder counts the words of the document, as pandoc writes it in
// plain text (its tables read cell by cell, testdata/corpus/cells.lua),
// that the page shows in the same order: the longest common subsequence
// of the two lists of words.
func wordsInOrder(t *testing.T, docx, page string) (have, all int) {
	t.Helper()
	txt, err := exec.Command("pandoc", "-f", "docx", "-t", "plain", "--wrap=none", "--lua-filter", "testdata/corpus/cells.lua", docx).Output()
	if err != nil {
		t.Fatalf("%s: pandoc: %v", docx, err)
	}
	want := wordsOf(clean(string(txt)))
	return commonInOrder(want, wordsOf(page)), len(want)
}

// commonInOrder is the length of the longest common subsequence of a and
// b, by Myers's algorithm ("An O(ND) difference algorithm", 1986): fast
// when the two differ little.
func commonInOrder(a, b []string) int {
	n, m := len(a), len(b)
	off := n + m
	v := make([]int, 2*off+2)
	for d := 0; d <= n+m; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[off+k] = x
			if x >= n && y >= m {
				return (n + m - d) / 2
			}
		}
	}
	return 0
}

func TestCommonInOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"a b c d", "a b c d", 4},
		{"a b c d", "x a y b c z", 3},
		{"a b c d", "d c b a", 1},
		{"", "a b", 0},
		{"a b c d e f", "a b x c e f y", 5},
	} {
		if got := commonInOrder(strings.Fields(tc.a), strings.Fields(tc.b)); got != tc.want {
			t.Errorf("commonInOrder(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// bodyLines is the text of each line of a page's Markdown, without its marks.
func bodyLines(md string) []string {
	var out []string
	for _, l := range strings.Split(md, "\n") {
		l = strings.Trim(strings.TrimSpace(l), "#*_-+> ")
		out = append(out, squeeze(l))
	}
	return out
}

// makeUp says what the corpus holds: kinds, producers, layouts, mottos,
// years, conversions.
func makeUp(corpus []expected) string {
	count := func(key func(e expected) string) string {
		m := map[string]int{}
		for _, e := range corpus {
			m[key(e)]++
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
		}
		return strings.Join(parts, ", ")
	}
	decade := func(e expected) string {
		if e.Year == 0 {
			return "không ghi"
		}
		return fmt.Sprintf("%d–%d", e.Year/5*5, e.Year/5*5+4)
	}
	return strings.Join([]string{
		"kinds: " + count(func(e expected) string { return strings.ToLower(e.Kind) }),
		"producers: " + count(func(e expected) string {
			if e.Converted {
				return "LibreOffice (from .doc)"
			}
			if e.Producer == "" {
				return "not recorded"
			}
			// "LibreOffice/24.2.7.2$Linux…", "WPS Office_11.2…": the program.
			return strings.TrimSpace(strings.FieldsFunc(e.Producer, func(r rune) bool { return r == '/' || r == '_' })[0])
		}),
		"headers: " + count(func(e expected) string { return e.Layout }),
		"mottos: " + count(func(e expected) string { return e.Motto }),
		"years: " + count(decade),
		"with an annex: " + count(func(e expected) string { return fmt.Sprint(e.Annex) }),
	}, "\n")
}
