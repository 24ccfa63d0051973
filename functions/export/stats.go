package export

import (
	"context"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/vntext"
)

// quotaTable lists every group of f's list in order, with its count, then
// the groups found in rows but not in the list (a renamed chi đoàn).
func quotaTable(f *forms.Form, counts map[string]int) *report.QuotaTable {
	t := &report.QuotaTable{Quota: f.Quota, None: []string{}}
	if fl := f.Field(f.QuotaBy); fl != nil {
		t.Label = fl.Label
	}
	for i, c := range counted(f.ChiDoan, counts) {
		g := report.GroupCount{Name: c.Name, Count: c.Count, Missing: max(f.Quota-c.Count, 0), Listed: i < len(f.ChiDoan)}
		if g.Listed && g.Count == 0 {
			t.None = append(t.None, g.Name)
		}
		if g.Listed && g.Count >= f.Quota {
			t.Full++
		}
		t.Groups = append(t.Groups, g)
	}
	return t
}

// Stats reads every submission of the given forms and counts them. Memory
// holds only the counters.
func (e *Exporter) Stats(ctx context.Context, list []*forms.Form) (*report.Stats, error) {
	now := e.cfg.Now()
	st := &report.Stats{Generated: now.In(vntext.Location), Forms: []report.FormStats{}}
	for _, f := range list {
		fs := report.FormStats{
			ID: f.ID, Title: f.Title, Opens: f.Opens, Closes: f.Closes, Open: f.IsOpen(now),
			Formats: report.Formats(f), Days: []report.Count{},
		}
		var topic *forms.Field
		topicAt := -1
		for i := range f.Fields {
			if f.Fields[i].Source == forms.SourceTopics {
				topic, topicAt = &f.Fields[i], i
				break
			}
		}
		topics, days, groups := map[string]int{}, map[string]int{}, map[string]int{}
		_, err := e.scan(ctx, f, func(r row) error {
			fs.Total++
			days[r.time.In(vntext.Location).Format("2006-01-02")]++
			if topic != nil {
				topics[r.vals[topicAt]]++
			}
			if f.QuotaBy != "" {
				groups[r.group]++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if topic != nil {
			fs.TopicLabel = topic.Label
			fs.Topics = counted(topic.Options, topics)
		}
		fs.Days = dayCounts(days)
		if f.QuotaBy != "" {
			fs.Quota = quotaTable(f, groups)
		}
		st.Forms = append(st.Forms, fs)
	}
	return st, nil
}

// counted lists names in order with their counts, then any other value seen
// (an option removed from content after people chose it), by name.
func counted(names []string, counts map[string]int) []report.Count {
	out := make([]report.Count, 0, len(names))
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
		out = append(out, report.Count{Name: n, Count: counts[n]})
	}
	var extra []string
	for n := range counts {
		if !known[n] {
			extra = append(extra, n)
		}
	}
	slices.Sort(extra)
	for _, n := range extra {
		out = append(out, report.Count{Name: n, Count: counts[n]})
	}
	return out
}

func dayCounts(days map[string]int) []report.Count {
	if len(days) == 0 {
		return []report.Count{}
	}
	keys := make([]string, 0, len(days))
	for d := range days {
		keys = append(keys, d)
	}
	slices.SortFunc(keys, strings.Compare)
	first, _ := time.ParseInLocation("2006-01-02", keys[0], vntext.Location)
	last, _ := time.ParseInLocation("2006-01-02", keys[len(keys)-1], vntext.Location)
	var out []report.Count
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		k := d.Format("2006-01-02")
		out = append(out, report.Count{Name: k, Count: days[k]})
	}
	return out
}
