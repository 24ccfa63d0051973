package localstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"loa/functions/internal/record"
)

// The journal file:
//
//	header  "LOAJRNL1"
//	record  u32 payload length | u32 CRC-32C of the payload | payload   (little endian)
//
// A payload starts with its operation byte, then its fields in the encoding
// of package record (strings are a uvarint length and their bytes, times
// varint Unix nanoseconds). A put's body is the rest of its payload.
const journalName = "objects.journal"

var journalMagic = []byte("LOAJRNL1")

const (
	opCreateBucket byte = 1 // bucket, time
	opDeleteBucket byte = 2 // bucket (empty or not: it was checked when written)
	opPut          byte = 3 // bucket, key, time, n, n × (name, value), body
	opDelete       byte = 4 // bucket, time, n, n × key

	recordHeader = 8
	// maxRecord bounds a record so that a corrupt length cannot make replay
	// allocate gigabytes; gofakes3 holds whole objects in memory anyway.
	maxRecord = 1 << 30
)

var (
	gmt       = time.FixedZone("GMT", 0) // what gofakes3's own clock uses
	errClosed = errors.New("localstore: journal closed")
)

// clock is the in-memory backend's time source. Every mutation pins it to
// the instant written in its journal record before applying it, so that the
// LastModified s3mem keeps (and lists) is the journal's, live and on replay.
// s3mem reads it only inside mutations, which run under journal.mu.
type clock struct{ pinned atomic.Int64 }

func (c *clock) pin(t time.Time) { c.pinned.Store(t.UnixNano()) }

func (c *clock) Now() time.Time {
	if n := c.pinned.Load(); n != 0 {
		return time.Unix(0, n).In(gmt)
	}
	return time.Now().In(gmt)
}

func (c *clock) Since(t time.Time) time.Duration { return time.Since(t) }

// journal is gofakes3's in-memory backend made durable: reads go straight to
// the embedded s3mem backend; every mutation is first appended to the
// journal file, then applied in memory, both under one mutex. That mutex
// makes conditional puts atomic with respect to the journal: the condition
// is checked against the state that the records before it produce, so replay
// reaches exactly the state that was acknowledged. Nothing is visible to a
// reader before its record is written.
//
// The embedded field is the gofakes3.Backend interface, not *s3mem.Backend,
// so the journal is not a gofakes3.VersionedBackend: versions (which s3mem
// numbers from a random seed) are not journaled, and gofakes3 answers
// NotImplemented to versioning requests, as it did for the s3afero backend.
type journal struct {
	gofakes3.Backend
	mem   *s3mem.Backend
	clock *clock

	dir  string       // the store's folder
	lock *flock.Flock // held while the journal is open

	mu   sync.Mutex
	f    *os.File
	size int64  // end of the last whole record
	buf  []byte // the record being written, reused
	err  error  // once set, every mutation fails with it
}

var _ gofakes3.Backend = (*journal)(nil)

// openJournal replays path (creating it if needed) into a new in-memory
// backend and returns the backend ready to append.
func openJournal(path string) (*journal, error) {
	c := &clock{}
	mem := s3mem.New(s3mem.WithTimeSource(c))
	j := &journal{Backend: mem, mem: mem, clock: c}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	l := newLive()
	size, err := j.replay(f, l)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("localstore: %s: %w", path, err)
	}
	if f, size, err = compact(f, path, size, l); err != nil {
		f.Close()
		return nil, fmt.Errorf("localstore: %s: %w", path, err)
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("localstore: %w", err)
	}
	j.f, j.size = f, size
	return j, nil
}

// replay applies every whole record of f and returns where the next record
// goes. A torn last record (the process died in the middle of its write)
// was never acknowledged: it is cut off. A bad record followed by good data
// is not a torn write, and replay refuses to guess.
func (j *journal) replay(f *os.File, l *live) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	end := st.Size()
	if end < int64(len(journalMagic)) {
		// New, or torn while writing the header: start afresh.
		if err := f.Truncate(0); err != nil {
			return 0, err
		}
		if _, err := f.WriteAt(journalMagic, 0); err != nil {
			return 0, err
		}
		return int64(len(journalMagic)), nil
	}
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, len(journalMagic))
	if _, err := io.ReadFull(r, head); err != nil {
		return 0, err
	}
	if !bytes.Equal(head, journalMagic) {
		return 0, errors.New("not a journal of this store")
	}
	off := int64(len(journalMagic))
	var payload []byte
	var hdr [recordHeader]byte
	for off < end {
		bad := ""
		n := int64(0)
		if end-off < recordHeader {
			bad = "short record header"
		} else if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return 0, err
		} else if n = int64(binary.LittleEndian.Uint32(hdr[0:])); n == 0 || n > maxRecord {
			bad = "bad record length"
		} else if off+recordHeader+n > end {
			bad = "record runs past the end"
		} else {
			if cap(payload) < int(n) {
				payload = make([]byte, n)
			}
			payload = payload[:n]
			if _, err := io.ReadFull(r, payload); err != nil {
				return 0, err
			}
			if record.Checksum(payload) != binary.LittleEndian.Uint32(hdr[4:]) {
				bad = "checksum mismatch"
			}
		}
		if bad != "" {
			if torn, err := isTornTail(f, off, n, end); err != nil {
				return 0, err
			} else if !torn {
				return 0, fmt.Errorf("corrupt record at offset %d (%s) followed by more data", off, bad)
			}
			if err := f.Truncate(off); err != nil {
				return 0, err
			}
			return off, nil
		}
		if err := j.apply(payload, span{off, recordHeader + n}, l); err != nil {
			return 0, fmt.Errorf("record at offset %d: %w", off, err)
		}
		off += recordHeader + n
	}
	return off, nil
}

// isTornTail tells whether the bad record at off (declared payload length
// n) is the unfinished last write: it reaches the end of the file, or only
// zeros follow it (a file extended but not yet filled).
func isTornTail(f *os.File, off, n, end int64) (bool, error) {
	if end-off < recordHeader || off+recordHeader+n >= end {
		return true, nil
	}
	buf := make([]byte, 64<<10)
	for at := off; at < end; {
		k, err := f.ReadAt(buf[:min(int64(len(buf)), end-at)], at)
		for _, b := range buf[:k] {
			if b != 0 {
				return false, nil
			}
		}
		at += int64(k)
		if err != nil && !(errors.Is(err, io.EOF) && at >= end) {
			return false, err
		}
	}
	return true, nil
}

// apply replays the record at sp, payload p, and notes in l what it
// leaves live.
func (j *journal) apply(p []byte, sp span, l *live) error {
	br := bytes.NewReader(p[1:])
	d := record.NewReader(br)
	switch p[0] {
	case opCreateBucket:
		name, at := d.String(), d.Time().In(gmt)
		if d.Err() != nil {
			return d.Err()
		}
		j.clock.pin(at)
		l.buckets[name], l.objects[name] = sp, map[string]span{}
		return j.mem.CreateBucket(name)
	case opDeleteBucket:
		name := d.String()
		if d.Err() != nil {
			return d.Err()
		}
		delete(l.buckets, name)
		delete(l.objects, name)
		return j.mem.ForceDeleteBucket(name)
	case opPut:
		bucket, key, at := d.String(), d.String(), d.Time().In(gmt)
		n := d.Uvarint()
		if d.Err() == nil && n > uint64(br.Len()) {
			return errors.New("bad metadata count")
		}
		meta := make(map[string]string, n)
		for range n {
			k, v := d.String(), d.String()
			meta[k] = v
		}
		if d.Err() != nil {
			return d.Err()
		}
		body := p[len(p)-br.Len():]
		j.clock.pin(at)
		if m := l.objects[bucket]; m != nil {
			m[key] = sp
		}
		_, err := j.mem.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil)
		return err
	case opDelete:
		bucket, at := d.String(), d.Time().In(gmt)
		n := d.Uvarint()
		if d.Err() == nil && n > uint64(br.Len()) {
			return errors.New("bad key count")
		}
		keys := make([]string, 0, n)
		for range n {
			keys = append(keys, d.String())
		}
		if d.Err() != nil {
			return d.Err()
		}
		j.clock.pin(at)
		for _, k := range keys {
			delete(l.objects[bucket], k)
		}
		_, err := j.mem.DeleteMulti(bucket, keys...)
		return err
	}
	return fmt.Errorf("unknown operation %d", p[0])
}

// PutObject checks the conditions, writes the record, then stores the
// object in memory, all under j.mu.
func (j *journal) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	// Read the body before taking the lock: a slow client must not stall
	// every other write.
	body, err := gofakes3.ReadAll(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if meta == nil {
		meta = map[string]string{}
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.putLocked(bucket, key, meta, body, conditions, time.Now())
}

func (j *journal) putLocked(bucket, key string, meta map[string]string, body []byte, conditions *gofakes3.PutConditions, at time.Time) (gofakes3.PutObjectResult, error) {
	var res gofakes3.PutObjectResult
	if j.err != nil {
		return res, j.err
	}
	info := gofakes3.ConditionalObjectInfo{}
	old, err := j.mem.HeadObject(bucket, key)
	switch {
	case err == nil:
		old.Contents.Close()
		info.Exists, info.Hash = true, old.Hash
		// s3mem carries the old object's metadata over to the new one
		// (gofakes3.MergeMetadata); do it here so that the record holds
		// the metadata the object really ends up with.
		for k, v := range old.Metadata {
			if _, ok := meta[k]; !ok {
				meta[k] = v
			}
		}
	case !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey):
		return res, err // no such bucket, typically
	}
	if conditions != nil {
		if err := gofakes3.CheckPutConditions(conditions, &info); err != nil {
			return res, err
		}
	}
	if int64(len(body)) > maxRecord-1024 {
		return res, gofakes3.ErrorMessage(gofakes3.ErrNotImplemented, "object too large for the local journal")
	}
	e := j.begin(opPut)
	e.String(bucket)
	e.String(key)
	e.Time(at)
	e.Uvarint(uint64(len(meta)))
	for k, v := range meta {
		e.String(k)
		e.String(v)
	}
	*e = append(*e, body...)
	if err := j.commit(e); err != nil {
		return res, err
	}
	j.clock.pin(at)
	if res, err = j.mem.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		return res, j.diverged(err)
	}
	return res, nil
}

// CopyObject goes through j's own GetObject and PutObject, so the copy is
// journaled like any put.
func (j *journal) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(j, srcBucket, srcKey, dstBucket, dstKey, meta)
}

// DeleteObject journals the delete of an object that exists; deleting
// nothing changes nothing and writes nothing.
func (j *journal) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return gofakes3.ObjectDeleteResult{}, j.err
	}
	_, err := j.mem.HeadObject(bucket, key)
	if gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		return gofakes3.ObjectDeleteResult{}, nil
	}
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	if err := j.writeDelete(bucket, key); err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	res, err := j.mem.DeleteObject(bucket, key)
	if err != nil {
		return res, j.diverged(err)
	}
	return res, nil
}

// DeleteMulti journals the keys as one record: a torn write loses all or none.
func (j *journal) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return gofakes3.MultiDeleteResult{}, j.err
	}
	if ok, _ := j.mem.BucketExists(bucket); !ok {
		return gofakes3.MultiDeleteResult{}, gofakes3.BucketNotFound(bucket)
	}
	if err := j.writeDelete(bucket, keys...); err != nil {
		return gofakes3.MultiDeleteResult{}, err
	}
	res, err := j.mem.DeleteMulti(bucket, keys...)
	if err != nil {
		return res, j.diverged(err)
	}
	return res, nil
}

func (j *journal) writeDelete(bucket string, keys ...string) error {
	at := time.Now()
	e := j.begin(opDelete)
	e.String(bucket)
	e.Time(at)
	e.Uvarint(uint64(len(keys)))
	for _, k := range keys {
		e.String(k)
	}
	if err := j.commit(e); err != nil {
		return err
	}
	j.clock.pin(at)
	return nil
}

// CreateBucket journals a new bucket.
func (j *journal) CreateBucket(name string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.createBucketLocked(name, time.Now())
}

func (j *journal) createBucketLocked(name string, at time.Time) error {
	if j.err != nil {
		return j.err
	}
	if ok, _ := j.mem.BucketExists(name); ok {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	e := j.begin(opCreateBucket)
	e.String(name)
	e.Time(at)
	if err := j.commit(e); err != nil {
		return err
	}
	j.clock.pin(at)
	if err := j.mem.CreateBucket(name); err != nil {
		return j.diverged(err)
	}
	return nil
}

// DeleteBucket journals the removal of an empty bucket.
func (j *journal) DeleteBucket(name string) error {
	return j.deleteBucket(name, false)
}

// ForceDeleteBucket journals the removal of a bucket and its objects.
func (j *journal) ForceDeleteBucket(name string) error {
	return j.deleteBucket(name, true)
}

func (j *journal) deleteBucket(name string, force bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if ok, _ := j.mem.BucketExists(name); !ok {
		return gofakes3.ErrNoSuchBucket
	}
	if !force {
		list, err := j.mem.ListBucket(name, nil, gofakes3.ListBucketPage{MaxKeys: 1})
		if err != nil {
			return err
		}
		if len(list.Contents) > 0 || len(list.CommonPrefixes) > 0 {
			return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
		}
	}
	e := j.begin(opDeleteBucket)
	e.String(name)
	if err := j.commit(e); err != nil {
		return err
	}
	if err := j.mem.ForceDeleteBucket(name); err != nil {
		return j.diverged(err)
	}
	return nil
}

// begin starts a record in j's reusable buffer, leaving room for its header.
func (j *journal) begin(op byte) *record.Buffer {
	b := record.Buffer(append(j.buf[:0], 0, 0, 0, 0, 0, 0, 0, 0, op))
	return &b
}

// commit writes the record with one write(2) before the caller changes
// memory and answers. A failed or short write is cut off again, so that
// the file never holds a bad record followed by good ones.
func (j *journal) commit(e *record.Buffer) error {
	b := *e
	p := b[recordHeader:]
	binary.LittleEndian.PutUint32(b[0:], uint32(len(p)))
	binary.LittleEndian.PutUint32(b[4:], record.Checksum(p))
	if cap(b) <= 1<<20 {
		j.buf = b // keep a buffer of ordinary size for the next record
	}
	if _, err := j.f.Write(b); err != nil {
		if terr := j.f.Truncate(j.size); terr != nil {
			j.err = fmt.Errorf("localstore: journal write failed and could not be undone: %w", errors.Join(err, terr))
			return j.err
		}
		if _, serr := j.f.Seek(j.size, io.SeekStart); serr != nil {
			j.err = fmt.Errorf("localstore: journal write failed and could not be undone: %w", errors.Join(err, serr))
			return j.err
		}
		return fmt.Errorf("localstore: journal: %w", err)
	}
	j.size += int64(len(b))
	return nil
}

// diverged is for a mutation that s3mem refused after its record was
// written (it checks nothing that was not checked before, so this is a
// bug): memory no longer matches the journal, so stop writing.
func (j *journal) diverged(err error) error {
	j.err = fmt.Errorf("localstore: memory and journal diverged: %w", err)
	return j.err
}

// Close flushes the journal to the disk and closes it.
func (j *journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f, j.err = nil, errClosed
	if j.lock != nil {
		os.Remove(filepath.Join(j.dir, endpointName))
		if uerr := j.lock.Unlock(); err == nil {
			err = uerr
		}
	}
	return err
}
