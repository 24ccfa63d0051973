package export

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
)

// Refresher keeps the forms' snapshots fresh between requests, in a
// process that lives on between them (serve; never the Lambda, which is
// frozen once it has answered). Told of every submission this process
// stores (Saved), it keeps the row as written in memory, where every scan
// of the exporter takes it from (recent.go), and once the submissions
// pause it folds the rows into the form's snapshot with the scan an
// export runs. A staff click therefore reads no object this process
// wrote, whether or not the refresher has run since: only those written
// by another process since the last refresh (the Lambda, or a second
// serve on the same bucket). The path that reads every object (no
// snapshot, or one that cannot be used) is taken here, in the background,
// and not behind a click: every form is refreshed once when the refresher
// starts, so a snapshot lost while nothing ran is rebuilt before anyone
// asks, and a lost snapshot is rebuilt at the next save.
//
// It never competes hard with the forms it follows: before each refresh,
// when it has been told of saves since the last pause, it waits for a
// pause in the submissions (Quiet, at most MaxWait, and not once the kept
// rows fill half their room, the other half taking the saves during the
// fold); it refreshes one form at a time, each run reading
// objects for a while at most (Run: a rebuild of many objects goes on
// over several runs, as an export's budget allows, see scan), and after a
// run that took d it rests Rest×d before the next.
type Refresher struct {
	e     *Exporter
	cfg   RefreshConfig
	byID  map[string]*forms.Form
	saves atomic.Int64 // submissions told of, to tell a pause from a burst

	mu      sync.Mutex
	dirty   map[string]bool // forms with submissions not folded in yet
	running bool
	idle    chan struct{} // closed while nothing is dirty or running
	wake    chan struct{} // one pending wake-up of the loop
	full    chan struct{} // the kept rows fill half their room: stop waiting

	stop context.CancelFunc
	done chan struct{}
}

// RefreshConfig says what a Refresher follows and how gently.
type RefreshConfig struct {
	Forms []*forms.Form
	// Quiet is the pause in the submissions a refresh waits for, so that
	// a burst is folded in once. 0 means 2 seconds; negative, no wait.
	Quiet time.Duration
	// MaxWait bounds the wait for a pause. 0 means a minute.
	MaxWait time.Duration
	// Rest is how many times the length of a run the refresher waits
	// before the next. 0 means 2 (a third of the time at most); negative,
	// no rest.
	Rest float64
	// Run is how long one refresh reads objects: then it saves what it
	// read and goes on at the next run (scan's budget). It cuts nothing
	// short: listing the keys and moving the snapshot take what they take
	// on a busy machine. 0 means 20 seconds.
	Run time.Duration
	// Turns, when set, bounds the refreshes run at once by all the
	// refreshers that share it: a province's units, which would otherwise
	// all fold at the same pause after a burst. nil: no bound.
	Turns *Turns
}

// Turns bounds how many refreshes run at once across refreshers.
type Turns struct{ c chan struct{} }

// NewTurns lets n refreshes run at once (at least one).
func NewTurns(n int) *Turns { return &Turns{c: make(chan struct{}, max(n, 1))} }

// take waits for a turn; it reports false when ctx ends first. A nil
// Turns has a turn for everyone.
func (t *Turns) take(ctx context.Context) bool {
	if t == nil {
		return true
	}
	select {
	case t.c <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (t *Turns) give() {
	if t != nil {
		<-t.c
	}
}

// StartRefresher starts keeping cfg.Forms' snapshots fresh until Close.
func (e *Exporter) StartRefresher(cfg RefreshConfig) *Refresher {
	if cfg.Quiet == 0 {
		cfg.Quiet = 2 * time.Second
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = time.Minute
	}
	if cfg.Rest == 0 {
		cfg.Rest = 2
	}
	if cfg.Run <= 0 {
		cfg.Run = 20 * time.Second
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &Refresher{
		e: e, cfg: cfg, byID: map[string]*forms.Form{}, dirty: map[string]bool{},
		idle: make(chan struct{}), wake: make(chan struct{}, 1), full: make(chan struct{}, 1),
		stop: stop, done: make(chan struct{}),
	}
	for _, f := range cfg.Forms {
		r.byID[f.ID] = f
		r.dirty[f.ID] = true // checked once at start
	}
	if len(r.dirty) == 0 {
		close(r.idle)
	}
	r.wake <- struct{}{}
	go r.loop(ctx)
	return r
}

// Saved tells the refresher that this process stored a submission of f
// (its receipt, with the body written): the row is kept for every scan,
// and folded into the snapshot at the next pause. It never blocks.
func (r *Refresher) Saved(f *forms.Form, rc store.Receipt) {
	if r == nil || f == nil || r.byID[f.ID] == nil || rc.Duplicate {
		return
	}
	if !r.e.recent.keep(f, rc) || r.e.recent.filling() {
		select {
		case r.full <- struct{}{}:
		default:
		}
	}
	r.saves.Add(1)
	r.mark(f.ID)
}

// mark notes that form needs a refresh, and wakes the loop.
func (r *Refresher) mark(form string) {
	r.mu.Lock()
	if !r.dirty[form] {
		if len(r.dirty) == 0 && !r.running {
			r.idle = make(chan struct{})
		}
		r.dirty[form] = true
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Settle waits until every submission the refresher was told of is in
// its form's snapshot and no refresh runs, or until ctx ends: for a
// benchmark or a test that measures the export a staff click makes once
// the background has caught up.
func (r *Refresher) Settle(ctx context.Context) error {
	closed := errors.New("export: the refresher is closed")
	select {
	case <-r.done:
		return closed
	default:
	}
	r.mu.Lock()
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-r.done:
		return closed
	}
}

// Close stops the refresher, cutting a running refresh short (it saves
// nothing then), and waits for it to end.
func (r *Refresher) Close() {
	if r == nil {
		return
	}
	r.stop()
	<-r.done
}

func (r *Refresher) loop(ctx context.Context) {
	defer close(r.done)
	// The saves told of when the last pause came; none yet, so the first
	// refresh waits for a pause as well: a process that has just started
	// (or a unit just assembled for its first request) is often about to
	// be busy.
	seen := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		}
		for {
			// Saves told of since the last pause: wait for the next one
			// before each refresh, not only before the first of a round.
			// Otherwise a refresher still busy with one form when a burst
			// began would go on folding form after form, and the same
			// form again, while the burst lasts.
			if r.saves.Load() != seen {
				var ok bool
				if seen, ok = r.quiet(ctx); !ok {
					return
				}
			}
			if !r.cfg.Turns.take(ctx) {
				return
			}
			f := r.next()
			if f == nil {
				r.cfg.Turns.give()
				break
			}
			start := r.e.cfg.Stopwatch()
			err := r.refresh(ctx, f)
			took := r.e.cfg.Stopwatch().Sub(start)
			r.cfg.Turns.give()
			if ctx.Err() != nil {
				return
			}
			rest := time.Duration(r.cfg.Rest * float64(took))
			if err != nil {
				var inc *report.Incomplete
				if !errors.As(err, &inc) {
					r.e.cfg.Logger.Warn("export: snapshot not refreshed; trying again later", "form", f.ID, "error", err)
					rest = max(rest, r.cfg.Run)
				}
				r.mark(f.ID) // not done: again after the rest
			}
			r.finish()
			if !pause(ctx, rest) {
				return
			}
		}
	}
}

// quiet waits for a pause in the submissions: Quiet without a save, at
// most MaxWait, and no longer once the kept rows fill half their room.
// It returns the saves told of when the pause came (all of them, when it
// stopped waiting for another reason), and whether ctx is still on.
func (r *Refresher) quiet(ctx context.Context) (int64, bool) {
	if r.cfg.Quiet <= 0 {
		return r.saves.Load(), ctx.Err() == nil
	}
	t := time.NewTimer(r.cfg.Quiet)
	defer t.Stop()
	for waited := time.Duration(0); waited < r.cfg.MaxWait && !r.e.recent.filling(); waited += r.cfg.Quiet {
		n := r.saves.Load()
		t.Reset(r.cfg.Quiet)
		select {
		case <-ctx.Done():
			return n, false
		case <-r.full:
			return r.saves.Load(), true
		case <-t.C:
		}
		if r.saves.Load() == n {
			return n, ctx.Err() == nil
		}
	}
	return r.saves.Load(), ctx.Err() == nil
}

// next takes a dirty form to refresh, nil when there is none.
func (r *Refresher) next() *forms.Form {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.cfg.Forms {
		if r.dirty[f.ID] {
			delete(r.dirty, f.ID)
			r.running = true
			return f
		}
	}
	return nil
}

// finish ends a run, and tells Settle when nothing is left.
func (r *Refresher) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.running = false
	if len(r.dirty) == 0 {
		select {
		case <-r.idle:
		default:
			close(r.idle)
		}
	}
}

// refresh folds f, reading objects for cfg.Run at most.
func (r *Refresher) refresh(ctx context.Context, f *forms.Form) error {
	fresh, err := r.e.foldWithin(ctx, f, r.e.readFor(r.cfg.Run))
	if fresh > 0 {
		r.e.cfg.Logger.Debug("export: snapshot refreshed", "form", f.ID, "fresh", fresh)
	}
	return err
}

// Fold brings f's snapshot up to date with the store, once, and returns
// how many submissions it read from their own objects: the scan of an
// export, keeping nothing but the snapshot it saves. It is the Refresher's
// work, for a process that has no background (the Lambda, run by a
// schedule): the staff export after it reads no submission stored before
// it.
//
// With a deadline on ctx, reading stops once two thirds of the time left
// are spent (as an export's, see scan): what was read is saved, and Fold
// answers *report.Incomplete, the next Fold going on from there. A fold
// cut short by ctx itself (its deadline passed while listing or saving)
// saves nothing and leaves the last snapshot as it was, which is as
// consistent as before; the next fold reads what this one read.
func (e *Exporter) Fold(ctx context.Context, f *forms.Form) (fresh int, err error) {
	return e.foldWithin(ctx, f, e.budget(ctx))
}

// foldWithin is Fold, reading until spent says the budget is spent.
func (e *Exporter) foldWithin(ctx context.Context, f *forms.Form, spent func() bool) (int, error) {
	return e.scanWithin(ctx, f, func(row) error { return nil }, spent)
}

// pause waits d, or until ctx ends; it reports whether ctx is still on.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
