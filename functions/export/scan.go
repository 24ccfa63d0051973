package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
)

// scan calls fn with every stored submission of f, on one goroutine, in
// the order of their keys, and writes what it saw as the next snapshot
// when that differs from the last (see snapshot.go). fn may keep the row.
//
// It is a pipeline of four stages, each on its own goroutines:
//
//	list     the form's keys, in order (list.go)
//	join     walks the keys and the old snapshot side by side: a row the
//	         snapshot has is ready at once, any other key goes to a reader;
//	         every key goes, in order, onto the queue
//	read     Concurrency readers, each reading one submission at a time
//	collect  takes the queue in order, waiting for each read, and hands
//	         the rows to the next snapshot and to fn
//
// Reads finish out of order; the queue, in key order, puts them back in
// order. Its length bounds how far the readers may run ahead of a slow
// read, and with it the memory. The stages run in one errgroup, whose
// first failure stops them all. The readers are a fixed number of stages
// rather than one task per key under SetLimit: a task per key would need
// the same queue to put the rows back in key order, and one goroutine per
// submission for nothing.
//
// With a deadline on ctx, reading stops once the budget is spent (see
// budget): the rows read so far are saved and scan answers
// *report.Incomplete, so that the next try goes on from there.
func (e *Exporter) scan(ctx context.Context, f *forms.Form, fn func(row) error) (fresh int, err error) {
	return e.scanWithin(ctx, f, fn, e.budget(ctx))
}

// scanWithin is scan, reading until spent says the budget is spent.
func (e *Exporter) scanWithin(ctx context.Context, f *forms.Form, fn func(row) error, spent func() bool) (fresh int, err error) {
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

	g, gctx := errgroup.WithContext(ctx)
	keys := make(chan string, 2*int(e.cfg.PageSize))
	listCtx, stopListing := context.WithCancel(gctx)
	defer stopListing()
	g.Go(func() error { return e.listAll(listCtx, f, keys) })

	queue := make(chan *pending, 4*e.cfg.Concurrency)
	work := make(chan *pending, e.cfg.Concurrency)
	cut := make(chan bool, 1) // the joiner's outcome: it stopped at the budget
	g.Go(func() error {
		stopped, err := join(gctx, old, e.recent.body, keys, queue, work, spent)
		stopListing() // nothing more is taken from the listing
		cut <- stopped
		return err
	})
	for range e.cfg.Concurrency {
		g.Go(func() error {
			e.read(gctx, f, rank, work)
			return nil
		})
	}
	var read int
	var kept []string
	g.Go(func() (err error) {
		read, fresh, kept, err = collect(gctx, queue, next, fn)
		return err
	})
	if err := g.Wait(); err != nil {
		return 0, err
	}
	if err := context.Cause(ctx); err != nil {
		return 0, err // the caller's context ended first
	}
	// Every stage has ended: the old snapshot is this goroutine's again.
	stopped := <-cut
	if stopped {
		// Keep the old rows not reached yet too (their keys all come after
		// those read), so that the next try goes on from here.
		if err := old.each(next.add); err != nil {
			return 0, fmt.Errorf("export: %w", err)
		}
	}
	if (old == nil || read > 0 || old.dropped > 0) && e.saveSnapshot(ctx, f, next) {
		e.recent.drop(kept) // the snapshot holds them now
	}
	if stopped {
		return fresh, &report.Incomplete{Form: f.ID, Fresh: fresh}
	}
	return fresh, nil
}

// budget says when reading must stop. With a deadline on ctx (a Lambda's,
// or an HTTP request's) that is once two thirds of the time left are
// spent, leaving the rest to sort, write and upload the file and to save
// what was read; without one, never. Time is read from Config.Stopwatch.
func (e *Exporter) budget(ctx context.Context) func() bool {
	dl, ok := ctx.Deadline()
	if !ok {
		return func() bool { return false }
	}
	now := e.cfg.Stopwatch()
	return e.readFor(dl.Sub(now) * 2 / 3)
}

// readFor is a budget spent once d has passed on Config.Stopwatch.
func (e *Exporter) readFor(d time.Duration) func() bool {
	stopAt := e.cfg.Stopwatch().Add(d)
	return func() bool { return e.cfg.Stopwatch().After(stopAt) }
}

// pending is one key on its way through scan.
type pending struct {
	key   string
	row   row
	body  []byte // the body as this process saved it (recent), decoded instead of read
	found bool   // false: the object was gone when read
	err   error
	done  chan struct{} // closed once read; nil for a row from the snapshot
}

// join takes the keys in order: a row that old has is ready at once, any
// other key is also handed to the readers (work), with its body when kept
// has it. Every key goes onto the queue, in order. Once spent says so, it
// stops before the next key that needs a read and reports the cut. It
// closes queue and work when done.
func join(ctx context.Context, old *snapReader, kept func(key string) ([]byte, bool), keys <-chan string, queue, work chan<- *pending, spent func() bool) (cut bool, err error) {
	defer close(queue)
	defer close(work)
	for k := range keys {
		p := &pending{key: k}
		r, ok, err := old.take(k)
		switch {
		case err != nil:
			return false, fmt.Errorf("export: %w", err)
		case ok:
			p.row, p.found = r, true
		default:
			p.body, _ = kept(k)
			if p.body == nil && spent() {
				return true, nil
			}
			p.done = make(chan struct{})
		}
		if !send(ctx, queue, p) || p.done != nil && !send(ctx, work, p) {
			return false, nil // stopped: the failure is someone else's
		}
	}
	if err := old.rest(); err != nil {
		return false, fmt.Errorf("export: %w", err)
	}
	return false, nil
}

// read reads the submissions handed to it until work is closed.
func (e *Exporter) read(ctx context.Context, f *forms.Form, rank map[string]int, work <-chan *pending) {
	for p := range work {
		var rec forms.Record
		var err error
		if p.body != nil {
			rec, err = store.Decode(f, p.key, p.body)
		} else {
			rec, err = e.cfg.Store.Read(ctx, f, p.key)
		}
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
}

// collect takes the queue in order, waiting for each read, and adds every
// row found to next and hands it to fn. It returns how many keys were read
// (found or not, from their objects or from memory), how many rows were
// read from their objects, the keys of the rows taken from memory, and
// the first failure. It stops, without failing, when ctx ends: the
// failure is another stage's, or the caller's.
func collect(ctx context.Context, queue <-chan *pending, next *snapWriter, fn func(row) error) (read, fresh int, kept []string, err error) {
	for p := range queue {
		if p.done != nil {
			read++
			select {
			case <-p.done:
			case <-ctx.Done():
				return read, fresh, kept, nil
			}
		}
		if p.err != nil {
			return read, fresh, kept, p.err
		}
		if !p.found {
			continue
		}
		if err := next.add(p.key, &p.row); err != nil {
			return read, fresh, kept, err
		}
		switch {
		case p.body != nil:
			kept = append(kept, p.key)
		case p.done != nil:
			fresh++
		}
		if err := fn(p.row); err != nil {
			return read, fresh, kept, err
		}
	}
	return read, fresh, kept, nil
}

// send sends v on ch unless ctx ends first; it reports whether it sent.
func send[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}
