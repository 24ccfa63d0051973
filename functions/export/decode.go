package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"loa/functions/forms"
)

// rowDecoder reads a stored object (a header line and one row, written by
// gocsv through forms.MarshalCSV) straight into a row, with encoding/csv.
//
// It gives what store.Read and forms.UnmarshalCSV give, without their cost
// per object: gocsv's reflection and a map of values per row made decoding
// a tenth of an export's CPU. Columns are matched by header exactly as gocsv
// matches them (the header as is, trimmed, or without zero-width
// characters; a column that appears twice: the last one wins), so rows
// written before a field was added read back with it empty. The matching is
// worked out once per distinct header line, and every object of a form
// normally has the same one.
type rowDecoder struct {
	f     *forms.Form
	rank  map[string]int
	keys  []string // the header of each target: ColumnID, ColumnTime, then the fields'
	group int      // index of the quota field in f.Fields, -1 without one

	mu      sync.RWMutex
	layouts map[string][]int // header line → target of each CSV column (-1: none)
}

// Targets of a column: the id, the time, then field i at fieldTarget+i.
const (
	idTarget    = 0
	timeTarget  = 1
	fieldTarget = 2
)

func newRowDecoder(f *forms.Form) *rowDecoder {
	d := &rowDecoder{f: f, rank: groupRanks(f), keys: f.Columns(), group: -1, layouts: map[string][]int{}}
	if f.QuotaBy != "" {
		for i := range f.Fields {
			if f.Fields[i].Name == f.QuotaBy {
				d.group = i
				break
			}
		}
	}
	return d
}

// csvSource is a reusable input for a csv.Reader: csv.NewReader keeps a
// *bufio.Reader of the default size as it is, so only the small Reader
// itself is new per object.
type csvSource struct {
	br  *bufio.Reader
	src bytes.Reader
}

var csvSources = sync.Pool{New: func() any {
	s := &csvSource{}
	s.br = bufio.NewReaderSize(&s.src, 4096)
	return s
}}

// layout returns the target of each column of a header.
func (d *rowDecoder) layout(line []byte, header []string) []int {
	d.mu.RLock()
	l, ok := d.layouts[string(line)]
	d.mu.RUnlock()
	if ok {
		return l
	}
	l = make([]int, len(header))
	for j, h := range header {
		l[j] = -1
		for i, k := range d.keys {
			if h == k || strings.TrimSpace(h) == k || removeZeroWidth(h) == k {
				l[j] = i
				break
			}
		}
	}
	d.mu.Lock()
	if len(d.layouts) < 64 { // a bound against a store full of odd headers
		d.layouts[string(line)] = l
	}
	d.mu.Unlock()
	return l
}

func removeZeroWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200B', '\uFEFF', '\u200D', '\u200C':
			return -1
		}
		return r
	}, s)
}

var errRows = errors.New("not one row")

// decode reads body into r. The strings in r share one allocation per
// object (encoding/csv makes one string per record), and body may be
// reused as soon as decode returns.
func (d *rowDecoder) decode(body []byte, r *row) error {
	s := csvSources.Get().(*csvSource)
	defer csvSources.Put(s)
	s.src.Reset(body)
	s.br.Reset(&s.src)
	cr := csv.NewReader(s.br)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("reading CSV: %w", err)
	}
	line := body
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		line = body[:i]
	}
	var l []int
	if bytes.IndexByte(line, '"') < 0 {
		l = d.layout(line, header)
	} else {
		// A quoted header may span lines: match it without caching.
		l = (&rowDecoder{keys: d.keys, layouts: map[string][]int{}}).layout(nil, header)
	}
	rec, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errRows
		}
		return fmt.Errorf("reading CSV: %w", err)
	}
	if _, err := cr.Read(); err == nil {
		return errRows
	} else if !errors.Is(err, io.EOF) {
		return fmt.Errorf("reading CSV: %w", err)
	}

	var id, ts string
	r.vals = make([]string, len(d.f.Fields))
	for j, v := range rec {
		switch t := l[j]; {
		case t < 0:
		case t == idTarget:
			id = v
		case t == timeTarget:
			ts = v
		default:
			r.vals[t-fieldTarget] = v
		}
	}
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time", ts)
	}
	r.id, r.time = id, tm
	r.group, r.rank = "", 0
	if d.f.QuotaBy != "" {
		if d.group >= 0 {
			r.group = r.vals[d.group]
		}
		if n, ok := d.rank[r.group]; ok {
			r.rank = n
		} else {
			r.rank = len(d.rank)
		}
	}
	return nil
}
