package export

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"

	"loa/functions/forms"
	"loa/functions/internal/record"
	"loa/functions/store"
)

// A snapshot is one object per form in the store (store.GetSnapshot), holding the rows
// of a form's submissions as the last export (or count) read them, each
// with the key of the object it came from, in key order. It exists for
// speed: reading one stored submission costs a GetObject, and 100,000 of
// them take longer than an API request may last, while the snapshot is one
// sequential read.
//
// It is a cache, never the record. The store's objects are written once
// under a key made from their content, so a row read under a key stays
// true for as long as the key exists. An export therefore still lists
// every key, walks the listing and the snapshot side by side (both in key
// order, so memory does not grow with the number of rows), takes from the
// snapshot the rows whose keys are listed, reads only the keys the snapshot
// does not have, and drops the snapshot rows whose keys are gone (deleted
// on request, or expired). The rows it ends with are written, in the same
// order, as the next snapshot, which replaces the old one when anything
// changed. Two exports at once each write a snapshot that is right for the
// listing they saw; whichever lands last is used, and the next export
// corrects whatever it lacks.
//
// A snapshot that cannot be used (for another form, for other fields after
// a change of the form's declaration, cut short or damaged) is ignored with
// a warning, and the export reads every submission as if there were none.
// Deleting a submission rewrites the snapshot without its row (or deletes
// the snapshot when that fails), so that a deleted row does not outlive the
// deletion in a copy. (An export that listed the row before the deletion
// and saves its snapshot after it puts the row back in the snapshot, not
// in any later file; the next export drops it again, its key being gone.)
//
// The layout; the checksum covers everything before the trailer:
//
//	"LOA-SNAPSHOT 1\n"
//	form id, then the number of fields and each field name (strings)
//	rows: key, submission time (varint, Unix nanoseconds), id, one string per field
//	trailer: row count (8 bytes), CRC-32C of everything before it (4), "END\n"
//
// The header's strings and the rows are fields of package record (strings
// a uvarint length and the bytes); the trailer's integers are little-endian.
const snapshotMagic = "LOA-SNAPSHOT 1\n"

const snapshotTrailer = 16

// snapReader walks a downloaded snapshot row by row.
type snapReader struct {
	file    *os.File
	r       *record.Reader
	f       *forms.Form
	rank    map[string]int
	left    uint64 // rows not read yet
	cur     row
	curKey  string
	ok      bool // cur holds a row
	dropped int  // rows passed over: their keys are no longer listed
}

// loadSnapshot downloads f's snapshot to a temporary file and checks it.
// It returns nil, and no error, when there is no snapshot or it cannot be
// used; an error only when the store could not be read.
func (e *Exporter) loadSnapshot(ctx context.Context, f *forms.Form, rank map[string]int) (*snapReader, error) {
	body, err := e.cfg.Store.GetSnapshot(ctx, f.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	defer body.Close()
	file, err := os.CreateTemp(e.cfg.TempDir, "loa-snapshot-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if _, err := io.Copy(file, body); err != nil {
		removeTemp(file)
		return nil, fmt.Errorf("export: reading the snapshot of %s: %w", f.ID, err)
	}
	s, reason := openSnapshot(file, f, rank)
	if reason != "" {
		removeTemp(file)
		e.cfg.Logger.Warn("export: snapshot ignored; reading every submission", "form", f.ID, "reason", reason)
		return nil, nil
	}
	return s, nil
}

// openSnapshot checks the trailer, the checksum and the header of a
// snapshot in file, and positions a reader on its first row. A non-empty
// reason says why the snapshot cannot be used.
func openSnapshot(file *os.File, f *forms.Form, rank map[string]int) (*snapReader, string) {
	size, err := file.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err.Error()
	}
	if size < int64(len(snapshotMagic))+snapshotTrailer {
		return nil, "too short"
	}
	var tr [snapshotTrailer]byte
	if _, err := file.ReadAt(tr[:], size-snapshotTrailer); err != nil {
		return nil, err.Error()
	}
	if string(tr[12:]) != "END\n" {
		return nil, "no trailer: cut short"
	}
	body := size - snapshotTrailer
	crc := record.NewCRC()
	if _, err := io.Copy(crc, io.NewSectionReader(file, 0, body)); err != nil {
		return nil, err.Error()
	}
	if crc.Sum32() != binary.LittleEndian.Uint32(tr[8:12]) {
		return nil, "checksum mismatch"
	}
	br := bufio.NewReaderSize(io.NewSectionReader(file, 0, body), 64<<10)
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != snapshotMagic {
		return nil, "not a snapshot of this version"
	}
	r := record.NewReader(br)
	id := r.String()
	if r.Err() != nil {
		return nil, "header: " + r.Err().Error()
	}
	if id != f.ID {
		return nil, "snapshot of form " + id
	}
	n := r.Uvarint()
	if r.Err() != nil || n > 1<<10 {
		return nil, "header: field count"
	}
	names := make([]string, n)
	for i := range names {
		names[i] = r.String()
	}
	if r.Err() != nil {
		return nil, "header: " + r.Err().Error()
	}
	if !slices.Equal(names, fieldNames(f)) {
		return nil, "the form's fields have changed"
	}
	s := &snapReader{file: file, r: r, f: f, rank: rank, left: binary.LittleEndian.Uint64(tr[:8])}
	if err := s.advance(); err != nil {
		return nil, err.Error()
	}
	return s, ""
}

func fieldNames(f *forms.Form) []string {
	names := make([]string, len(f.Fields))
	for i := range f.Fields {
		names[i] = f.Fields[i].Name
	}
	return names
}

// advance reads the next row into cur.
func (s *snapReader) advance() error {
	if s.left == 0 {
		s.ok = false
		if s.r.More() {
			return errors.New("snapshot: bytes after the last row")
		}
		if err := s.r.Err(); err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		return nil
	}
	s.left--
	key, at, id := s.r.String(), s.r.Time(), s.r.String()
	// Fresh values for every row: the caller keeps them.
	vals := make([]string, len(s.f.Fields))
	for i := range vals {
		vals[i] = s.r.String()
	}
	if err := s.r.Err(); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	s.curKey, s.cur, s.ok = key, finishRow(s.f, s.rank, row{time: at, id: id, vals: vals}), true
	return nil
}

// take returns the snapshot's row for key, if it has one. Keys must come
// in ascending order; the rows passed over on the way are counted as
// dropped. A nil reader has no rows.
func (s *snapReader) take(key string) (row, bool, error) {
	if s == nil {
		return row{}, false, nil
	}
	for s.ok && s.curKey < key {
		s.dropped++
		if err := s.advance(); err != nil {
			return row{}, false, err
		}
	}
	if !s.ok || s.curKey != key {
		return row{}, false, nil
	}
	r := s.cur
	if err := s.advance(); err != nil {
		return row{}, false, err
	}
	return r, true, nil
}

// each calls fn with every row not read yet, in order. A nil reader has
// none.
func (s *snapReader) each(fn func(key string, r *row) error) error {
	for s != nil && s.ok {
		if err := fn(s.curKey, &s.cur); err != nil {
			return err
		}
		if err := s.advance(); err != nil {
			return err
		}
	}
	return nil
}

// rest counts the rows left after the last listed key as dropped.
func (s *snapReader) rest() error {
	return s.each(func(string, *row) error {
		s.dropped++
		return nil
	})
}

func (s *snapReader) close() {
	if s != nil {
		removeTemp(s.file)
	}
}

// snapWriter writes the next snapshot to an unlinked temporary file.
type snapWriter struct {
	file *os.File
	w    *bufio.Writer
	crc  hash.Hash32
	rows uint64
	buf  record.Buffer
}

func newSnapWriter(dir string, f *forms.Form) (*snapWriter, error) {
	file, err := os.CreateTemp(dir, "loa-snapshot-*")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	crc := record.NewCRC()
	w := &snapWriter{file: file, crc: crc, w: bufio.NewWriterSize(io.MultiWriter(file, crc), 64<<10)}
	b := record.Buffer(snapshotMagic)
	b.String(f.ID)
	b.Uvarint(uint64(len(f.Fields)))
	for _, name := range fieldNames(f) {
		b.String(name)
	}
	if _, err := w.w.Write(b); err != nil {
		w.close()
		return nil, fmt.Errorf("export: snapshot: %w", err)
	}
	return w, nil
}

func (w *snapWriter) add(key string, r *row) error {
	b := w.buf[:0]
	b.String(key)
	b.Time(r.time)
	b.String(r.id)
	for _, v := range r.vals {
		b.String(v)
	}
	w.buf = b
	w.rows++
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("export: snapshot: %w", err)
	}
	return nil
}

// finish writes the trailer and returns the snapshot's size.
func (w *snapWriter) finish() (int64, error) {
	if err := w.w.Flush(); err != nil {
		return 0, fmt.Errorf("export: snapshot: %w", err)
	}
	var tr [snapshotTrailer]byte
	binary.LittleEndian.PutUint64(tr[:8], w.rows)
	binary.LittleEndian.PutUint32(tr[8:12], w.crc.Sum32())
	copy(tr[12:], "END\n")
	if _, err := w.file.Write(tr[:]); err != nil {
		return 0, fmt.Errorf("export: snapshot: %w", err)
	}
	size, err := w.file.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, fmt.Errorf("export: snapshot: %w", err)
	}
	if _, err := w.file.Seek(0, io.SeekStart); err != nil {
		return 0, fmt.Errorf("export: snapshot: %w", err)
	}
	return size, nil
}

func (w *snapWriter) close() {
	if w != nil {
		removeTemp(w.file)
	}
}

// saveSnapshot uploads the snapshot w has written and reports whether it
// did. A failure costs only speed, so it is logged, not returned.
func (e *Exporter) saveSnapshot(ctx context.Context, f *forms.Form, w *snapWriter) bool {
	if err := e.putSnapshot(ctx, f, w); err != nil {
		e.cfg.Logger.Warn("export: snapshot not saved; the next export reads more", "form", f.ID, "error", err)
		return false
	}
	return true
}

func (e *Exporter) putSnapshot(ctx context.Context, f *forms.Form, w *snapWriter) error {
	size, err := w.finish()
	if err != nil {
		return err
	}
	return e.cfg.Store.PutSnapshot(ctx, f.ID, w.file, size)
}

// forget takes the row with the given id out of f's snapshot, so that a
// deleted submission leaves no copy behind while the next export still
// finds every other row ready. When the snapshot cannot be rewritten it is
// deleted.
func (e *Exporter) forget(ctx context.Context, f *forms.Form, id string) error {
	old, err := e.loadSnapshot(ctx, f, groupRanks(f))
	if err != nil || old == nil {
		return e.cfg.Store.DeleteSnapshot(ctx, f.ID)
	}
	defer old.close()
	if err := e.rewriteWithout(ctx, f, old, id); err != nil {
		e.cfg.Logger.Warn("export: snapshot not rewritten after a deletion; deleting it", "form", f.ID, "error", err)
		return e.cfg.Store.DeleteSnapshot(ctx, f.ID)
	}
	return nil
}

// rewriteWithout saves the rows of old but the one with the given id as
// f's snapshot; it leaves the snapshot as it is when that row is not in it.
func (e *Exporter) rewriteWithout(ctx context.Context, f *forms.Form, old *snapReader, id string) error {
	next, err := newSnapWriter(e.cfg.TempDir, f)
	if err != nil {
		return err
	}
	defer next.close()
	found := false
	err = old.each(func(key string, r *row) error {
		if r.id == id {
			found = true
			return nil
		}
		return next.add(key, r)
	})
	if err != nil || !found {
		return err
	}
	return e.putSnapshot(ctx, f, next)
}
