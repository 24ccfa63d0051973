package paperwork

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"loa/content"
	"loa/functions/docx"
	"loa/functions/forms"
	"loa/functions/vntext"
)

// The commendation list ("Danh sách đề nghị khen thưởng"): the nominees
// that staff keep from a form of nominations, grouped by lĩnh vực,
// numbered, each with their year of birth, chi đoàn and what they did,
// laid out as the compiled questions are, from the same reference
// document. Which form, and which of its fields are the nominee's name,
// year of birth and deeds, is content (data/van-phong.yaml,
// "commendation:"); the lĩnh vực is the form's topics field, the chi đoàn
// its field whose options are the list of chi đoàn.

// Commendation is the list's settings: its Paper, the form it is made
// from, and the names of that form's fields it prints.
type Commendation struct {
	Paper `yaml:",inline"`
	Form  string `yaml:"form"`
	Name  string `yaml:"name"`  // the nominee's name
	Born  string `yaml:"born"`  // their year of birth; "" for none
	Deeds string `yaml:"deeds"` // what they did
}

// Nominee is one nomination as the list needs it: never the sender's
// name or phone number.
type Nominee struct {
	ID    string
	Time  time.Time
	Topic string // the lĩnh vực
	Name  string
	Born  string
	Group string // the chi đoàn that nominates
	Deeds string
}

// NomineeSection is a lĩnh vực and the nominees kept in it, oldest first.
type NomineeSection struct {
	Topic    string
	Nominees []Nominee
}

// CommendationForm returns the form the commendation list is made from,
// checked against the settings: nil when the settings name none. An error
// names data/van-phong.yaml's line of the setting that does not fit.
func (o *Office) CommendationForm(reg *forms.Registry) (*forms.Form, error) {
	c := o.Commend
	if c.Form == "" {
		return nil, nil
	}
	bad := func(key, format string, args ...any) error {
		line := o.lines["commendation."+key]
		if line == 0 {
			line = o.lines["commendation"]
		}
		return &content.FileError{File: o.file, Line: line, Msg: "commendation." + key + ": " + fmt.Sprintf(format, args...)}
	}
	f := reg.Form(c.Form)
	if f == nil {
		var ids []string
		for _, x := range reg.Forms() {
			ids = append(ids, x.ID)
		}
		return nil, bad("form", "không có biểu mẫu %q trong content/bieu-mau (các biểu mẫu: %s)", c.Form, strings.Join(ids, ", "))
	}
	for _, k := range []struct{ key, name string }{{"name", c.Name}, {"born", c.Born}, {"deeds", c.Deeds}} {
		if k.name == "" && k.key != "born" {
			return nil, bad(k.key, "cần tên một trường của biểu mẫu %s", f.ID)
		}
		if fl := f.Field(k.name); k.name != "" && (fl == nil || fl.Kind == forms.KindFile || fl.Kind == forms.KindConsent) {
			return nil, bad(k.key, "%q không phải tên một trường văn bản của biểu mẫu %s", k.name, f.ID)
		}
	}
	return f, nil
}

// Nominees takes from the rows of the commendation's form f what the list
// may show.
func (o *Office) Nominees(f *forms.Form, recs []forms.Record) []Nominee {
	c := o.Commend
	var topic, group string
	if tf := f.TopicField(); tf != nil {
		topic = tf.Name
	}
	for _, fl := range f.Fields {
		if fl.Source == forms.SourceChiDoan {
			group = fl.Name
			break
		}
	}
	out := make([]Nominee, 0, len(recs))
	for _, r := range recs {
		n := Nominee{ID: r.ID, Time: r.Time, Name: r.Values[c.Name], Deeds: r.Values[c.Deeds]}
		if c.Born != "" {
			n.Born = r.Values[c.Born]
		}
		if topic != "" {
			n.Topic = r.Values[topic]
		}
		if group != "" {
			n.Group = r.Values[group]
		}
		out = append(out, n)
	}
	return out
}

// CompileNominees groups the nominees staff kept (not Out in choices) by
// lĩnh vực, in the form's order of topics, then any other by name; each
// section oldest first.
func CompileNominees(topics []string, ns []Nominee, choices map[string]Choice) []NomineeSection {
	sorted := slices.Clone(ns)
	slices.SortStableFunc(sorted, func(a, b Nominee) int {
		return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.ID, b.ID))
	})
	by := map[string]*NomineeSection{}
	for _, n := range sorted {
		if choices[n.ID].Out {
			continue
		}
		s := by[n.Topic]
		if s == nil {
			s = &NomineeSection{Topic: n.Topic}
			by[n.Topic] = s
		}
		s.Nominees = append(s.Nominees, n)
	}
	return inTopicOrder(topics, by)
}

// CommendationList makes the list: the header, the count per lĩnh vực and
// the total, then every nominee numbered under their lĩnh vực (name in
// bold, year of birth and chi đoàn, then what they did), then the closing
// block, left for the signer. day dates it.
func (o *Office) CommendationList(sections []NomineeSection, day time.Time) *docx.Doc {
	total := 0
	c := compiledDoc{paper: o.Commend.Paper, day: day, countHeading: "SỐ LƯỢNG", unit: "người",
		listHeading: "DANH SÁCH THEO LĨNH VỰC"}
	for _, s := range sections {
		total += len(s.Nominees)
		c.topics = append(c.topics, s.Topic)
		c.counts = append(c.counts, len(s.Nominees))
	}
	c.total = "Tổng số: " + vntext.Number(total) + " người"
	c.items = func(d *docx.Doc, i, n int) {
		for _, x := range sections[i].Nominees {
			n++
			var about []string
			if x.Born != "" {
				about = append(about, "sinh năm "+x.Born)
			}
			if x.Group != "" {
				about = append(about, x.Group)
			}
			runs := []docx.Run{docx.Bold(strconv.Itoa(n) + ". " + x.Name)}
			if len(about) > 0 {
				runs = append(runs, docx.Text(", "+strings.Join(about, ", ")))
			}
			d.Add(docx.P(docx.StyleItem, runs...))
			for _, para := range strings.Split(x.Deeds, "\n") {
				if para = strings.TrimSpace(para); para != "" {
					d.Add(docx.P(docx.StyleBody, docx.Text(para)))
				}
			}
		}
	}
	return o.compiled(c)
}
