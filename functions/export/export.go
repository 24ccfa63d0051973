// Package export turns a form's stored submissions into one file for the
// office staff (CSV or XLSX), counts them for the staff page, and deletes one
// on a person's request.
//
// The store keeps one small object per submission, named by a hash, so the
// listing comes back in no useful order. An export therefore:
//
//  1. lists the form's objects page by page (S3 returns at most 1,000 keys a
//     page), takes the rows the last export already read from its snapshot
//     (snapshot.go), and reads the others back through the store
//     (store.Read: GetObject, then gocsv), a bounded number of requests in
//     flight; the next page is listed while the readers work through the
//     current one. With a deadline on the context, reading stops in time
//     to save what was read, and the export answers [Incomplete];
//  2. sorts the rows by chi đoàn (for a form with a quota) and by the
//     submission time written inside each object, with an external merge
//     sort: rows are kept in memory only up to a few megabytes, then sorted
//     and spilled to a temporary file as a run; the runs are merged at the
//     end. A ward's few hundred rows never touch the disk;
//  3. streams the merged rows into the file format (gocsv for CSV, the
//     excelize StreamWriter for XLSX).
//
// Why not order by the listing's LastModified instead: it is the instant the
// object was written, not the submission time in the row (they differ by the
// request's duration and the clocks of two machines, and S3 keeps whole
// seconds), and the listing would still have to be held and sorted whole. The
// merge sort gives the exact order with memory bounded by the run size, at
// the cost of writing each row once more to a local temporary file.
//
// Publish hands the result to the store as an export file and returns a
// presigned GET URL that expires within 15 minutes and names the download
// ("cau-hoi-2023-04-20.csv").
//
// CSV follows RFC 4180 (CRLF, quotes as needed), starts with a UTF-8 BOM so
// that Excel reads the diacritics, and neutralises formula-like cells (see
// [Neutralize]). Phone numbers are written as the stored text, 0xxxxxxxxx: in
// a CSV nothing can mark a cell as text without changing its value, so the
// XLSX, where phone cells are typed text, is the file for Excel.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
	"loa/functions/vntext"
)

// ErrFormat is returned for a format the form does not offer.
var ErrFormat = errors.New("export: this form has no such format")

// MaxExpiry is the longest a download link may live.
const MaxExpiry = 15 * time.Minute

// Config says where the submissions are and how hard to work.
type Config struct {
	// Store holds the submissions, the snapshots and the exports (required).
	Store *store.Store

	Concurrency int              // objects read at once; 0 means 32
	PageSize    int32            // keys per listing page; 0 means 1,000 (the S3 maximum)
	RunBytes    int              // rows kept in memory before a run is spilled; 0 means 4 MB
	TempDir     string           // for spilled runs and files being uploaded; "" means os.TempDir()
	Expiry      time.Duration    // of download links; 0 means 10 minutes; at most MaxExpiry
	Now         func() time.Time // dates the files and links; may be a fixed preview instant
	// Clock measures the time left before the context's deadline, which
	// sets when reading stops (see scan); nil means time.Now.
	Clock  func() time.Time
	Logger *slog.Logger // nil: slog.Default()
}

// Exporter exports, counts and deletes submissions.
type Exporter struct {
	cfg Config
}

// New checks cfg and fills in the defaults.
func New(cfg Config) (*Exporter, error) {
	if cfg.Store == nil {
		return nil, errors.New("export: no store configured (Config.Store)")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 32
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 1000 {
		cfg.PageSize = 1000
	}
	if cfg.RunBytes <= 0 {
		cfg.RunBytes = 4 << 20
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = 10 * time.Minute
	}
	if cfg.Expiry > MaxExpiry {
		return nil, fmt.Errorf("export: link expiry %v is longer than %v", cfg.Expiry, MaxExpiry)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Exporter{cfg: cfg}, nil
}

// Result tells what an export wrote.
type Result struct {
	Rows int
	// Fresh is how many rows were read from their own objects; the others
	// came from the snapshot of the last export.
	Fresh int
}

// Progress is told how many submissions have been read so far.
type Progress func(read int)

// Write streams the export of f in format to w.
func (e *Exporter) Write(ctx context.Context, f *forms.Form, format report.Format, w io.Writer, progress Progress) (Result, error) {
	if format == report.Summary {
		if f.QuotaBy == "" {
			return Result{}, ErrFormat
		}
		counts := map[string]int{}
		n := 0
		fresh, err := e.scan(ctx, f, func(r row) error {
			counts[r.group]++
			n++
			if progress != nil && n%1000 == 0 {
				progress(n)
			}
			return nil
		})
		if err != nil {
			return Result{}, err
		}
		return Result{Rows: n, Fresh: fresh}, writeSummaryCSV(w, quotaTable(f, counts))
	}
	var sink rowWriter
	var err error
	switch format {
	case report.CSV:
		sink, err = newCSVWriter(w, f)
	case report.XLSX:
		sink, err = newXLSXWriter(w, f, e.cfg.TempDir)
	default:
		return Result{}, ErrFormat
	}
	if err != nil {
		return Result{}, err
	}
	defer sink.close()

	s := newSorter(e.cfg.TempDir, e.cfg.RunBytes)
	defer s.close()
	counts := map[string]int{}
	n := 0
	fresh, err := e.scan(ctx, f, func(r row) error {
		if f.QuotaBy != "" {
			counts[r.group]++
		}
		n++
		if progress != nil && n%1000 == 0 {
			progress(n)
		}
		return s.add(r)
	})
	if err != nil {
		return Result{}, err
	}
	if progress != nil {
		progress(n)
	}
	if err := s.each(sink.write); err != nil {
		return Result{}, err
	}
	var table *report.QuotaTable
	if f.QuotaBy != "" {
		table = quotaTable(f, counts)
	}
	if err := sink.finish(table); err != nil {
		return Result{}, err
	}
	return Result{Rows: n, Fresh: fresh}, nil
}

// scan calls fn with every stored submission of f, on one goroutine, in
// the order of their keys. It lists the keys page by page, takes the rows
// the snapshot already has from it, reads the others with at most
// Concurrency requests in flight, and writes what it saw as the next
// snapshot when that differs from the last (see snapshot.go). fn may keep
// the row.
//
// Reads finish out of order; a queue of pending reads, in key order, puts
// them back in order. Its length bounds how far the readers may run ahead
// of a slow read, and with it the memory.
func (e *Exporter) scan(ctx context.Context, f *forms.Form, fn func(row) error) (fresh int, err error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	rank := groupRanks(f)
	old, err := e.loadSnapshot(ctx, f, rank)
	if err != nil {
		return 0, err
	}
	defer old.close()
	next, err := newSnapWriter(e.cfg.TempDir, f)
	if err != nil {
		return 0, err
	}
	defer next.close()

	// The listing is split by the first digit of the hashes that name the
	// objects (store.HashDigits): a few parts are listed at once, each in
	// its own order, and joined in the digits' order, which is the order of
	// the whole listing. Against S3, where a page of 1,000 keys takes tens
	// of milliseconds to arrive, this keeps the listing from setting the
	// pace of an export that takes most rows from the snapshot.
	keys := make(chan string, 2*int(e.cfg.PageSize))
	listCtx, stopListing := context.WithCancel(ctx)
	defer stopListing()
	go e.listAll(listCtx, f, keys, cancel)

	// With a deadline (a Lambda's, or an HTTP request's), reading stops
	// once two thirds of the time left are spent, leaving the rest to
	// sort, write and upload the file and to save what was read.
	var stopAt time.Time
	if dl, ok := ctx.Deadline(); ok {
		now := e.cfg.Clock()
		stopAt = now.Add(dl.Sub(now) * 2 / 3)
	}
	cut := false // reading stopped at stopAt; written by the joiner

	// The joiner walks the listing and the snapshot side by side: a key the
	// snapshot has is ready at once, any other is handed to a reader.
	queue := make(chan *pending, 4*e.cfg.Concurrency)
	work := make(chan *pending, e.cfg.Concurrency)
	go func() {
		defer close(queue)
		defer close(work)
		for k := range keys {
			p := &pending{key: k}
			r, ok, err := old.take(k)
			if err != nil {
				cancel(fmt.Errorf("export: %w", err))
				return
			}
			if ok {
				p.row, p.found = r, true
			} else if !stopAt.IsZero() && e.cfg.Clock().After(stopAt) {
				cut = true
				stopListing()
				return
			} else {
				p.done = make(chan struct{})
			}
			select {
			case queue <- p:
			case <-ctx.Done():
				return
			}
			if p.done != nil {
				select {
				case work <- p:
				case <-ctx.Done():
					return
				}
			}
		}
		if err := old.rest(); err != nil {
			cancel(fmt.Errorf("export: %w", err))
		}
	}()
	var wg sync.WaitGroup
	for range e.cfg.Concurrency {
		wg.Go(func() {
			for p := range work {
				rec, err := e.cfg.Store.Read(ctx, f, p.key)
				switch {
				case errors.Is(err, store.ErrNotFound):
					// deleted between the listing and the read
				case err != nil:
					p.err = err
				default:
					p.row, p.found = toRow(f, rank, rec), true
				}
				close(p.done)
			}
		})
	}

	read := 0 // keys read from their objects, found or not
	for p := range queue {
		if ctx.Err() != nil {
			continue // drain, so that the joiner is not left blocked
		}
		if p.done != nil {
			read++
			select {
			case <-p.done:
			case <-ctx.Done():
				continue
			}
		}
		if p.err != nil {
			cancel(p.err)
			continue
		}
		if !p.found {
			continue
		}
		if err := next.add(p.key, &p.row); err != nil {
			cancel(err)
			continue
		}
		if p.done != nil {
			fresh++
		}
		if err := fn(p.row); err != nil {
			cancel(err)
		}
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0, context.Cause(ctx)
	}
	// The joiner has finished (it closed the queue): its counts are final
	// and the old snapshot is this goroutine's.
	if cut {
		// Keep the old rows not reached yet too (their keys all come after
		// those read), so that the next try goes on from here.
		if err := old.each(next.add); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if old == nil || read > 0 || old.dropped > 0 {
		e.saveSnapshot(ctx, f, next)
	}
	if cut {
		return fresh, &report.Incomplete{Form: f.ID, Fresh: fresh}
	}
	return fresh, nil
}

// listers is how many parts of a listing are listed at once.
const listers = 4

// listAll sends every key of f's submissions to keys, in order, then
// closes it. A failure cancels the export with fail. It stops early, without
// failing, when ctx ends.
func (e *Exporter) listAll(ctx context.Context, f *forms.Form, keys chan<- string, fail context.CancelCauseFunc) {
	defer close(keys)
	parts := make([]chan string, len(store.HashDigits))
	for i := range parts {
		parts[i] = make(chan string, int(e.cfg.PageSize))
	}
	// Parts start in order, so that the part being joined always has a
	// slot, whichever parts after it are waiting with full buffers.
	slots := make(chan struct{}, listers)
	go func() {
		for i := range parts {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-slots }()
				e.listPart(ctx, f, store.HashDigits[i:i+1], parts[i], fail)
			}()
		}
	}()
	for _, part := range parts {
		for {
			var k string
			var ok bool
			select {
			case k, ok = <-part:
			case <-ctx.Done():
				return
			}
			if !ok {
				break
			}
			select {
			case keys <- k:
			case <-ctx.Done():
				return
			}
		}
	}
}

// listPart sends the keys of f's submissions whose hash starts with start
// to out, in order, then closes it.
func (e *Exporter) listPart(ctx context.Context, f *forms.Form, start string, out chan<- string, fail context.CancelCauseFunc) {
	defer close(out)
	token := ""
	for {
		page, next, err := e.cfg.Store.ListKeysFrom(ctx, f.ID, start, token, e.cfg.PageSize)
		if err != nil {
			if ctx.Err() == nil {
				fail(err)
			}
			return
		}
		for _, k := range page {
			select {
			case out <- k:
			case <-ctx.Done():
				return
			}
		}
		if next == "" {
			return
		}
		token = next
	}
}

// pending is one key on its way through scan.
type pending struct {
	key   string
	row   row
	found bool // false: the object was gone when read
	err   error
	done  chan struct{} // closed once read; nil for a row from the snapshot
}

// FileName is the name staff see for an export made at t, e.g.
// "cau-hoi-2023-04-20.csv" or "dai-bieu-tong-hop-2023-04-20.csv".
func FileName(form string, format report.Format, t time.Time) string {
	day := t.In(vntext.Location).Format("2006-01-02")
	switch format {
	case report.XLSX:
		return form + "-" + day + ".xlsx"
	case report.Summary:
		return form + "-tong-hop-" + day + ".csv"
	}
	return form + "-" + day + ".csv"
}

func contentType(format report.Format) string {
	if format == report.XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Publish exports f, hands the file to the store and returns a presigned
// link to it.
func (e *Exporter) Publish(ctx context.Context, f *forms.Form, format report.Format) (report.Link, error) {
	tmp, err := os.CreateTemp(e.cfg.TempDir, "loa-export-*")
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	defer removeTemp(tmp)
	res, err := e.Write(ctx, f, format, tmp, nil)
	if err != nil {
		return report.Link{}, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	now := e.cfg.Now()
	name := FileName(f.ID, format, now)
	url, err := e.cfg.Store.PutExport(ctx, f.ID, store.ExportFile{
		Name: name, ContentType: contentType(format), Body: tmp, Size: size,
	}, e.cfg.Expiry)
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	// Exports copy personal data: older ones go once their links are dead.
	// It is best effort: a leftover goes next time, and a bucket lifecycle
	// rule on exports/ is the backstop.
	if err := e.cfg.Store.PurgeExports(ctx, f.ID, now.Add(-MaxExpiry)); err != nil {
		e.cfg.Logger.Warn("export: old exports not deleted; the next export tries again", "form", f.ID, "error", err)
	}
	return report.Link{URL: url, FileName: name, Expires: now.Add(e.cfg.Expiry), Rows: res.Rows}, nil
}

// Delete removes the submission of f with the given id and frees its quota
// slot (store.Delete), then deletes every stored export of f and takes the
// row out of the snapshot, since those still hold it. It returns store.ErrNotFound for an unknown id.
func (e *Exporter) Delete(ctx context.Context, f *forms.Form, id string) error {
	if err := e.cfg.Store.Delete(ctx, f, id); err != nil {
		return err
	}
	return errors.Join(e.cfg.Store.PurgeExports(ctx, f.ID, time.Time{}), e.forget(ctx, f, id))
}
