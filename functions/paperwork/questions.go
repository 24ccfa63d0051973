package paperwork

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"loa/functions/docx"
	"loa/functions/vntext"
)

// Question is one asked question, as the compilation needs it. No phone
// number or email ever comes here.
type Question struct {
	ID    string // the submission's short id
	Time  time.Time
	Topic string // its lĩnh vực
	Text  string
	Group string // the asker's chi đoàn
	Name  string // the asker's name, shown only when staff ask for names
}

// Choice is staff's mark on a question: left out, or merged into the
// question with id Into.
type Choice struct {
	Out  bool
	Into string
}

// Entry is one question of the compilation, with everyone who asked it:
// the first asker's question, then those merged into it, oldest first.
type Entry struct {
	Question
	Askers []Question
}

// Section is a lĩnh vực and its entries, oldest first.
type Section struct {
	Topic   string
	Entries []Entry
}

// Compile groups the questions staff kept by lĩnh vực, in the form's order
// of topics (then any other topic a question carries, by name), and folds
// merged questions into the entry they were merged into. A question merged
// into one that is left out (or into one merged elsewhere, followed to its
// end) goes where that one goes.
func Compile(topics []string, qs []Question, choices map[string]Choice) []Section {
	byID := make(map[string]Question, len(qs))
	for _, q := range qs {
		byID[q.ID] = q
	}
	// root follows Into to the entry a question ends in; "" for none.
	root := func(id string) string {
		for range len(qs) + 1 {
			c := choices[id]
			if c.Into == "" || c.Into == id {
				return id
			}
			if _, ok := byID[c.Into]; !ok {
				return id // merged into a question since deleted: stands alone
			}
			id = c.Into
		}
		return "" // a loop of merges: left out until staff untangle it
	}
	entries := map[string]*Entry{}
	var order []string
	sorted := slices.Clone(qs)
	slices.SortStableFunc(sorted, func(a, b Question) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID))
	})
	for _, q := range sorted {
		r := root(q.ID)
		if r == "" || choices[r].Out {
			continue
		}
		e := entries[r]
		if e == nil {
			e = &Entry{Question: byID[r]}
			entries[r] = e
			order = append(order, r)
		}
		e.Askers = append(e.Askers, q)
	}
	sections := map[string]*Section{}
	for _, id := range order {
		e := entries[id]
		// The entry's own asker first, then the others by time.
		slices.SortStableFunc(e.Askers, func(a, b Question) int {
			switch {
			case a.ID == id:
				return -1
			case b.ID == id:
				return 1
			}
			return 0
		})
		s := sections[e.Topic]
		if s == nil {
			s = &Section{Topic: e.Topic}
			sections[e.Topic] = s
		}
		s.Entries = append(s.Entries, *e)
	}
	return inTopicOrder(topics, sections)
}

// Pair is two questions that read alike, Score between 0 and 1.
type Pair struct {
	A, B  string
	Score float64
}

// SimilarThreshold is the least score of a pair worth showing.
const SimilarThreshold = 0.5

// Similar finds questions that read alike, so that staff see likely
// duplicates side by side: each question's words are folded (marks, đ → d,
// case: "ky nang so" is "kỹ năng số") and the pairs of neighbouring words
// compared (the Sørensen–Dice coefficient of the two sets of pairs; a
// Vietnamese word is a syllable, and pairs of them carry the meaning that
// single syllables share with everything). Pairs at or over
// SimilarThreshold are returned, the closest first, at most max. Questions
// already merged together are not paired again.
func Similar(qs []Question, choices map[string]Choice, max int) []Pair {
	type shingled struct {
		id  string
		set map[string]bool
	}
	var all []shingled
	for _, q := range qs {
		if choices[q.ID].Out {
			continue
		}
		all = append(all, shingled{q.ID, shingles(q.Text)})
	}
	rootOf := func(id string) string {
		for range 64 {
			c := choices[id]
			if c.Into == "" {
				break
			}
			id = c.Into
		}
		return id
	}
	var pairs []Pair
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			a, b := all[i], all[j]
			if len(a.set) == 0 || len(b.set) == 0 || rootOf(a.id) == rootOf(b.id) {
				continue
			}
			common := 0
			small, large := a.set, b.set
			if len(small) > len(large) {
				small, large = large, small
			}
			for s := range small {
				if large[s] {
					common++
				}
			}
			score := 2 * float64(common) / float64(len(a.set)+len(b.set))
			if score >= SimilarThreshold {
				pairs = append(pairs, Pair{A: a.id, B: b.id, Score: score})
			}
		}
	}
	slices.SortStableFunc(pairs, func(x, y Pair) int { return cmp.Compare(y.Score, x.Score) })
	if max > 0 && len(pairs) > max {
		pairs = pairs[:max]
	}
	return pairs
}

// shingles is the set of neighbouring word pairs of s, folded; a text of
// one word gives that word.
func shingles(s string) map[string]bool {
	words := strings.FieldsFunc(vntext.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	set := map[string]bool{}
	if len(words) == 1 {
		set[words[0]] = true
	}
	for i := 0; i+1 < len(words); i++ {
		set[words[i]+" "+words[i+1]] = true
	}
	return set
}

// QuestionsOptions are staff's choices for one compilation.
type QuestionsOptions struct {
	Names bool      // print the askers' names beside their chi đoàn
	Day   time.Time // the date in the header
}

// Questions makes the compiled questions: the header, the count per lĩnh
// vực and the total, then every entry numbered under its lĩnh vực with
// its chi đoàn (and names when asked), then the closing block, left for
// the signer.
func (o *Office) Questions(sections []Section, opt QuestionsOptions) *docx.Doc {
	entries, askers := 0, 0
	c := compiledDoc{paper: o.Compiled, day: opt.Day, countHeading: "SỐ LƯỢNG CÂU HỎI", unit: "câu hỏi",
		listHeading: "NỘI DUNG CÂU HỎI THEO LĨNH VỰC"}
	for _, s := range sections {
		entries += len(s.Entries)
		for _, e := range s.Entries {
			askers += len(e.Askers)
		}
		c.topics = append(c.topics, s.Topic)
		c.counts = append(c.counts, len(s.Entries))
	}
	c.total = "Tổng số: " + vntext.Number(entries) + " câu hỏi"
	if askers != entries {
		c.total += " (" + vntext.Number(askers) + " lượt hỏi; các câu hỏi trùng nhau được gộp làm một)"
	}
	c.items = func(d *docx.Doc, i, n int) {
		for _, e := range sections[i].Entries {
			n++
			text := strings.Join(strings.Fields(e.Text), " ")
			d.Add(docx.P(docx.StyleItem, docx.Bold("Câu "+strconv.Itoa(n)+". "), docx.Text(text)))
			d.Add(docx.P(docx.StyleNote, docx.Text(askersLine(e.Askers, opt.Names))))
		}
	}
	return o.compiled(c)
}

// askersLine is the line under an entry: who asked, by chi đoàn, with
// names when asked for. "(Chi đoàn Tổ dân phố 1)"; "(3 người hỏi: Chi
// đoàn Tổ dân phố 1 (2), Chi đoàn Tổ dân phố 3)"; "(Nguyễn Văn An, Chi
// đoàn Tổ dân phố 1)".
func askersLine(askers []Question, names bool) string {
	var parts []string
	if names {
		for _, a := range askers {
			parts = append(parts, strings.TrimSpace(a.Name+", "+a.Group))
		}
	} else {
		count := map[string]int{}
		for _, a := range askers {
			if count[a.Group] == 0 {
				parts = append(parts, a.Group)
			}
			count[a.Group]++
		}
		for i, g := range parts {
			if count[g] > 1 {
				parts[i] = g + " (" + strconv.Itoa(count[g]) + ")"
			}
		}
	}
	line := strings.Join(parts, "; ")
	if len(askers) > 1 {
		line = vntext.Number(len(askers)) + " người hỏi: " + line
	}
	return "(" + line + ")"
}
