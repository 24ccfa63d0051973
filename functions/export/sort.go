package export

import (
	"bufio"
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/internal/record"
)

// row is one submission on its way to the file: the sort key and the
// values of the declared fields in declaration order.
type row struct {
	rank  int    // position of the group in the form's list; after the list for a group not in it
	group string // the quota field's value ("" for a form without a quota)
	time  time.Time
	id    string
	vals  []string
}

func (r *row) size() int {
	n := 64 + len(r.group) + len(r.id)
	for _, v := range r.vals {
		n += 16 + len(v)
	}
	return n
}

// compareRows orders by group (the chi đoàn list's order, then others by
// name), then by submission time, then by id so that equal times are stable.
func compareRows(a, b *row) int {
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	if c := strings.Compare(a.group, b.group); c != 0 {
		return c
	}
	if c := a.time.Compare(b.time); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

// toRow is the row of one stored submission: its fields in the
// declaration's order, and its group's place for a form with a quota.
func toRow(f *forms.Form, rank map[string]int, rec forms.Record) row {
	r := row{time: rec.Time, id: rec.ID, vals: make([]string, len(f.Fields))}
	for i := range f.Fields {
		r.vals[i] = rec.Values[f.Fields[i].Name]
	}
	return finishRow(f, rank, r)
}

// finishRow sets the group and its place from the row's values.
func finishRow(f *forms.Form, rank map[string]int, r row) row {
	if f.QuotaBy == "" {
		return r
	}
	for i := range f.Fields {
		if f.Fields[i].Name == f.QuotaBy {
			r.group = r.vals[i]
			break
		}
	}
	if n, ok := rank[r.group]; ok {
		r.rank = n
	} else {
		r.rank = len(rank)
	}
	return r
}

// groupRanks maps each group of a form with a quota to its place in the list.
func groupRanks(f *forms.Form) map[string]int {
	if f.QuotaBy == "" {
		return nil
	}
	m := make(map[string]int, len(f.ChiDoan))
	for i, g := range f.ChiDoan {
		m[g] = i
	}
	return m
}

// sorter is an external merge sort of rows. Rows collect in memory up to a
// byte budget; then they are sorted and appended to one temporary file as a
// run. each merges the runs. With fewer rows than the budget nothing is
// written to disk.
type sorter struct {
	dir    string
	budget int
	buf    []row
	bytes  int
	file   *os.File
	w      *bufio.Writer
	off    int64
	runs   []span
}

type span struct{ off, n int64 }

func newSorter(dir string, budget int) *sorter {
	return &sorter{dir: dir, budget: budget}
}

func (s *sorter) add(r row) error {
	s.buf = append(s.buf, r)
	s.bytes += r.size()
	if s.bytes >= s.budget {
		return s.spill()
	}
	return nil
}

func (s *sorter) sortBuf() {
	slices.SortFunc(s.buf, func(a, b row) int { return compareRows(&a, &b) })
}

func (s *sorter) spill() error {
	if len(s.buf) == 0 {
		return nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "loa-export-run-*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		s.file, s.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	s.sortBuf()
	cw := &countWriter{w: s.w}
	for i := range s.buf {
		if err := encodeRow(cw, &s.buf[i]); err != nil {
			return fmt.Errorf("export: spill: %w", err)
		}
	}
	s.runs = append(s.runs, span{off: s.off, n: cw.n})
	s.off += cw.n
	clear(s.buf) // let the strings go
	s.buf, s.bytes = s.buf[:0], 0
	return nil
}

// each calls fn with every row in order.
func (s *sorter) each(fn func(*row) error) error {
	if s.file == nil {
		s.sortBuf()
		for i := range s.buf {
			if err := fn(&s.buf[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := s.spill(); err != nil {
		return err
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("export: spill: %w", err)
	}
	s.buf = nil
	h := &runHeap{}
	for _, sp := range s.runs {
		rd := &runReader{r: record.NewReader(bufio.NewReaderSize(io.NewSectionReader(s.file, sp.off, sp.n), 16<<10))}
		ok, err := rd.next()
		if err != nil {
			return err
		}
		if ok {
			h.rs = append(h.rs, rd)
		}
	}
	heap.Init(h)
	for len(h.rs) > 0 {
		top := h.rs[0]
		if err := fn(&top.cur); err != nil {
			return err
		}
		ok, err := top.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

func (s *sorter) close() {
	if s.file != nil {
		removeTemp(s.file)
		s.file = nil
	}
}

type runReader struct {
	r   *record.Reader
	cur row
}

func (rr *runReader) next() (bool, error) {
	err := decodeRow(rr.r, &rr.cur)
	if errors.Is(err, io.EOF) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("export: reading a spilled run: %w", err)
	}
	return true, nil
}

type runHeap struct{ rs []*runReader }

func (h *runHeap) Len() int           { return len(h.rs) }
func (h *runHeap) Less(i, j int) bool { return compareRows(&h.rs[i].cur, &h.rs[j].cur) < 0 }
func (h *runHeap) Swap(i, j int)      { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *runHeap) Push(x any)         { h.rs = append(h.rs, x.(*runReader)) }
func (h *runHeap) Pop() any {
	x := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return x
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// The run format, in the fields of package record: rank, group, time, id,
// the number of values, the values. Only this package reads it, within one
// export.
func encodeRow(w io.Writer, r *row) error {
	var b record.Buffer
	b.Uvarint(uint64(r.rank))
	b.String(r.group)
	b.Time(r.time)
	b.String(r.id)
	b.Uvarint(uint64(len(r.vals)))
	for _, v := range r.vals {
		b.String(v)
	}
	_, err := w.Write(b)
	return err
}

// decodeRow reads the next row of a run into out; io.EOF at the end.
func decodeRow(rd *record.Reader, out *row) error {
	if !rd.More() {
		return cmp.Or(rd.Err(), io.EOF)
	}
	rank, group, at, id, n := rd.Uvarint(), rd.String(), rd.Time(), rd.String(), rd.Uvarint()
	if rd.Err() == nil && n > 1<<16 {
		return errors.New("corrupt run")
	}
	out.vals = slices.Grow(out.vals[:0], int(n))[:n]
	for i := range out.vals {
		out.vals[i] = rd.String()
	}
	out.rank, out.group, out.time, out.id = int(rank), group, at, id
	return rd.Err()
}

// removeTemp closes and deletes a temporary file: spilled runs, snapshots
// and files being uploaded hold personal data. (Deleting it while still
// open, so that it goes whatever happens, is not possible on Windows,
// where the IT person may run the export command.)
func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
