// Package export turns a form's stored submissions into one file for the
// office staff (CSV or XLSX), counts them for the staff page, and deletes one
// on a person's request.
//
// The store keeps one small object per submission, named by a hash, so the
// listing comes back in no useful order. An export therefore:
//
//  1. lists the form's submissions page by page through the store (S3
//     returns at most 1,000 keys a page; list.go), takes the rows the last
//     export already read from its snapshot (snapshot.go), and reads the
//     others back through the store (store.Read: GetObject, then gocsv), a
//     bounded number of requests in flight (scan.go); the next page is
//     listed while the readers work through the current one. With a
//     deadline on the context, reading stops in time to save what was
//     read, and the export answers [report.Incomplete];
//  2. sorts the rows by chi đoàn (for a form with a quota) and by the
//     submission time written inside each object, with an external merge
//     sort (sort.go): rows are kept in memory only up to about a megabyte,
//     then sorted and spilled to a temporary file as a run; the runs are
//     merged at the end. A ward's few hundred rows never touch the disk;
//  3. streams the merged rows into the file format (csv.go: gocsv;
//     xlsx.go: the excelize StreamWriter).
//
// Why not order by the listing's LastModified instead: it is the instant the
// object was written, not the submission time in the row (they differ by the
// request's duration and the clocks of two machines, and S3 keeps whole
// seconds), and the listing would still have to be held and sorted whole. The
// merge sort gives the exact order with memory bounded by the run size, at
// the cost of writing each row once more to a local temporary file.
//
// In a process that outlives its requests (serve), a Refresher
// (refresh.go) is told of every submission the process stores: it keeps
// the rows as written in memory, where every scan takes them from
// (recent.go), and folds them into the snapshot once the submissions
// pause. Staff clicks then read no submission back; the read of every
// object that a missing snapshot calls for happens in the refresher, in
// the background. The Lambda, frozen between invocations, has none: a
// schedule runs Fold (refresh.go) there instead, every few minutes, so
// that a staff export reads only what was stored since the last fold.
//
// Publish (publish.go) hands the result to the store as an export file and
// returns a presigned GET URL that expires within 15 minutes and names the
// download ("cau-hoi-2023-04-20.csv"). Stats (stats.go) counts for the staff
// page through the same scan. This package never builds a key of the
// bucket nor calls S3: the store does both.
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
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
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
	RunBytes    int              // rows kept in memory before a run is spilled (as row.size counts them); 0 means 1 MB
	Recent      int              // rows saved by this process kept until a snapshot holds them (Refresher); 0 means 50,000
	TempDir     string           // for spilled runs and files being uploaded; "" means os.TempDir()
	Expiry      time.Duration    // of download links; 0 means 10 minutes; at most MaxExpiry
	Now         func() time.Time // the service's instant: dates the files and links; may be fixed (LOA_NOW, serve --now)
	// Stopwatch measures time as it passes: the time left before the
	// context's deadline, which sets when reading stops (see scan). Never
	// Now's fixed instant. nil means time.Now.
	Stopwatch func() time.Time
	Logger    *slog.Logger // nil: slog.Default()
}

// Exporter exports, counts and deletes submissions.
type Exporter struct {
	cfg    Config
	recent recent // rows saved by this process, told by a Refresher
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
		// With runs of 4 MB, an export of 100,000 rows peaked at 1.35
		// times the memory of one of 10,000 (84 against 62 MB); with 1 MB,
		// 1.16 times (59 against 51 MB), in the same time.
		cfg.RunBytes = 1 << 20
	}
	if cfg.Recent <= 0 {
		cfg.Recent = 50_000
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
	if cfg.Stopwatch == nil {
		cfg.Stopwatch = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Exporter{cfg: cfg, recent: recent{max: cfg.Recent}}, nil
}

// Result tells what an export wrote.
type Result struct {
	Rows int
	// Fresh is how many rows were read from their own objects; the others
	// came from the snapshot of the last export, or from memory (rows
	// this process saved, see Refresher).
	Fresh int
}

// Progress is told how many submissions have been read so far.
type Progress func(read int)

// answerCells are the values of the answer columns (forms.AnswerColumns).
func answerCells(a store.Answer) []string {
	if a.Version == 0 {
		return []string{store.StatusText(store.StatusReceived), "", "", ""}
	}
	return []string{store.StatusText(a.Status), a.Text, a.By, formatTime(a.At)}
}

// Records returns every stored row of f, in the order of their keys,
// read as an export reads them (through the snapshot).
func (e *Exporter) Records(ctx context.Context, f *forms.Form) ([]forms.Record, error) {
	var out []forms.Record
	_, err := e.scan(ctx, f, func(r row) error {
		vals := make(map[string]string, len(f.Fields))
		for i := range f.Fields {
			vals[f.Fields[i].Name] = r.vals[i]
		}
		out = append(out, forms.Record{ID: r.id, Time: r.time, Values: vals})
		return nil
	})
	return out, err
}

// Write streams the export of f in format to w.
func (e *Exporter) Write(ctx context.Context, f *forms.Form, format report.Format, w io.Writer, progress Progress) (Result, error) {
	var sink rowWriter // nil for the summary, which needs only the counts
	var err error
	switch {
	case format == report.Summary && f.QuotaBy != "":
	case format == report.CSV:
		sink, err = newCSVWriter(w, f)
	case format == report.XLSX:
		sink, err = newXLSXWriter(w, f, e.cfg.TempDir)
	default:
		return Result{}, ErrFormat
	}
	if err != nil {
		return Result{}, err
	}
	var sorted *sorter
	if sink != nil {
		defer sink.close()
		sorted = newSorter(e.cfg.TempDir, e.cfg.RunBytes)
		defer sorted.close()
	}

	counts := map[string]int{} // by group; only "" for a form without a quota
	n := 0
	fresh, err := e.scan(ctx, f, func(r row) error {
		counts[r.group]++
		n++
		if progress != nil && n%1000 == 0 {
			progress(n)
		}
		if sorted == nil {
			return nil
		}
		return sorted.add(r)
	})
	if err != nil {
		return Result{}, err
	}
	if progress != nil {
		progress(n)
	}
	res := Result{Rows: n, Fresh: fresh}
	var table *report.QuotaTable
	if f.QuotaBy != "" {
		table = quotaTable(f, counts)
	}
	if sink == nil {
		return res, writeSummaryCSV(w, table)
	}
	// Answers and check-ins are read after the rows, so that none is older
	// than its row, and never kept in the snapshot, so that no file shows a
	// stale one.
	var answers map[string]store.Answer
	if f.Answered() {
		if answers, err = e.cfg.Store.ListAnswers(ctx, f.ID); err != nil {
			return Result{}, fmt.Errorf("export: %w", err)
		}
	}
	var checkins map[string]store.Checkin
	if f.Invited() {
		if checkins, err = e.cfg.Store.Checkins(ctx); err != nil {
			return Result{}, fmt.Errorf("export: %w", err)
		}
	}
	write := sink.write
	if answers != nil || checkins != nil {
		write = func(r *row) error {
			r.vals = r.vals[:len(f.Fields):len(f.Fields)]
			if answers != nil {
				r.vals = append(r.vals, answerCells(answers[r.id])...)
			}
			if checkins != nil {
				code := e.cfg.Store.CheckinCode(f.ID, r.id)
				c, came := checkins[forms.NormalizeCode(code)]
				at := ""
				if came {
					at = formatTime(c.At)
				}
				r.vals = append(r.vals, code, at)
			}
			return sink.write(r)
		}
	}
	if err := sorted.each(write); err != nil {
		return Result{}, err
	}
	if err := sink.finish(table); err != nil {
		return Result{}, err
	}
	return res, nil
}
