package localstore

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// Compaction. The journal only grows: an object written again (the
// exporter's snapshot is rewritten whenever the rows change) or deleted
// leaves its old records behind. When the journal is opened and holds
// more than compactAbove bytes, at least twice what the live records
// take, it is rewritten with the live records alone: the last put of each
// object still there and the creation of each bucket still there, copied
// byte for byte (checksums included) in their original order, so that
// replaying the new file gives exactly the state the old one gave.
//
// The new journal is written beside the old one, synced, and renamed over
// it; a crash before the rename leaves the old journal and a temporary
// file that the next open deletes, a crash after it the new journal.
var compactAbove int64 = 32 << 20

const compactTemp = journalName + ".compact"

// span is where one record lies in the journal, header included.
type span struct{ off, n int64 }

// live follows, during replay (journal.apply), which records still matter.
type live struct {
	buckets map[string]span
	objects map[string]map[string]span // bucket, key
}

func newLive() *live {
	return &live{buckets: map[string]span{}, objects: map[string]map[string]span{}}
}

// spans lists the live records in journal order, and their total size.
func (l *live) spans() ([]span, int64) {
	var all []span
	var size int64
	for _, sp := range l.buckets {
		all = append(all, sp)
		size += sp.n
	}
	for _, m := range l.objects {
		for _, sp := range m {
			all = append(all, sp)
			size += sp.n
		}
	}
	slices.SortFunc(all, func(a, b span) int { return cmp.Compare(a.off, b.off) })
	return all, size
}

// compact rewrites the journal f at path (size bytes of whole records)
// with the live records alone, when that pays, and returns the file and
// size to go on with.
func compact(f *os.File, path string, size int64, l *live) (*os.File, int64, error) {
	tmp := filepath.Join(filepath.Dir(path), compactTemp)
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return f, size, err
	}
	spans, liveSize := l.spans()
	if size <= compactAbove || 2*(int64(len(journalMagic))+liveSize) > size {
		return f, size, nil
	}
	nf, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return f, size, err
	}
	fail := func(err error) (*os.File, int64, error) {
		nf.Close()
		os.Remove(tmp)
		return f, size, fmt.Errorf("compacting: %w", err)
	}
	if _, err := nf.Write(journalMagic); err != nil {
		return fail(err)
	}
	for _, sp := range spans {
		if _, err := io.Copy(nf, io.NewSectionReader(f, sp.off, sp.n)); err != nil {
			return fail(err)
		}
	}
	newSize, err := nf.Seek(0, io.SeekCurrent)
	if err != nil {
		return fail(err)
	}
	if err := nf.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // make the rename durable where the system allows it
		d.Close()
	}
	f.Close()
	return nf, newSize, nil
}
