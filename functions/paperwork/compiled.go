package paperwork

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"loa/functions/docx"
	"loa/functions/vntext"
)

// A compiled document is how the office lays out what staff gathered from
// a form (the compiled questions, the commendation list): the header, the
// count per lĩnh vực and the total, then every item numbered under its
// lĩnh vực, then the closing block, left for the signer. Each document
// brings its own data: its words, its sections and how an item prints.

// compiledDoc is one compiled document's own data.
type compiledDoc struct {
	paper        Paper
	day          time.Time // the date in the header
	countHeading string    // the first part's heading: "SỐ LƯỢNG"
	total        string    // the total line, without its ending: "Tổng số: 3 người"
	unit         string    // what a section counts: "người"
	listHeading  string    // the second part's heading
	topics       []string  // each section's lĩnh vực
	counts       []int     // each section's number of items
	// items writes section i's items; n is the number of items before it.
	items func(d *docx.Doc, i, n int)
}

// Roman numerals for the parts of a report.
var roman = []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}

// compiled makes the document c describes.
func (o *Office) compiled(c compiledDoc) *docx.Doc {
	p := c.paper
	d := o.tmpl.New()
	o.header(d, p, c.day)
	if p.Intro != "" {
		d.Add(docx.P(docx.StyleBody, docx.Text(p.Intro)))
	}
	part := 0
	heading := func(text string) {
		d.Add(docx.P(docx.StyleHeading, docx.Text(roman[part]+". "+text)))
		part++
	}
	heading(c.countHeading)
	total := c.total
	if len(c.topics) > 0 {
		total += ", trong đó:"
	} else {
		total += "."
	}
	d.Add(docx.P(docx.StyleBody, docx.Text(total)))
	for i, t := range c.topics {
		end := ";"
		if i == len(c.topics)-1 {
			end = "."
		}
		d.Add(docx.P(docx.StyleBody, docx.Text("- "+t+": "+vntext.Number(c.counts[i])+" "+c.unit+end)))
	}
	if len(c.topics) > 0 {
		heading(c.listHeading)
	}
	n := 0
	for i, t := range c.topics {
		d.Add(docx.P(docx.StyleHeading, docx.Text(strconv.Itoa(i+1)+". "+t+" ("+vntext.Number(c.counts[i])+" "+c.unit+")")))
		c.items(d, i, n)
		n += c.counts[i]
	}
	if p.Ending != "" {
		d.Add(docx.P(docx.StyleBody, docx.Text(p.Ending)))
	}
	o.closing(d, p)
	return d
}

// inTopicOrder lists the sections of by (keyed by lĩnh vực) in the form's
// order of topics, then any other lĩnh vực by name.
func inTopicOrder[S any](topics []string, by map[string]*S) []S {
	var out []S
	for _, t := range topics {
		if s := by[t]; s != nil {
			out = append(out, *s)
			delete(by, t)
		}
	}
	rest := make([]string, 0, len(by))
	for t := range by {
		rest = append(rest, t)
	}
	slices.SortFunc(rest, func(a, b string) int {
		return cmp.Or(strings.Compare(vntext.Fold(a), vntext.Fold(b)), strings.Compare(a, b))
	})
	for _, t := range rest {
		out = append(out, *by[t])
	}
	return out
}
