package export_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
)

// refresher starts a refresher on e's forms that neither waits nor rests,
// closed when the test ends.
func (e *env) refresher(cfg export.RefreshConfig) *export.Refresher {
	e.t.Helper()
	cfg.Forms = e.reg.Forms()
	if cfg.Quiet == 0 {
		cfg.Quiet = -1
	}
	if cfg.Rest == 0 {
		cfg.Rest = -1
	}
	r := e.ex.StartRefresher(cfg)
	e.t.Cleanup(r.Close)
	return r
}

func (e *env) settle(r *export.Refresher) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.Settle(ctx); err != nil {
		e.t.Fatalf("the refresher did not settle: %v", err)
	}
}

// told tells r of the receipts, as the service does after each save.
func (e *env) told(r *export.Refresher, rcs []store.Receipt) {
	for _, rc := range rcs {
		r.Saved(e.reg.Form("cau-hoi"), rc)
	}
}

// TestRefresherKeepsTheColdPathRare: with the refresher told of the saves,
// no staff export reads the submissions again. The one read of every
// object happens in the background when there is no snapshot; a
// submission this process saved is never read back, whether or not the
// refresher has run since; only what another process stored since the
// last refresh is read.
func TestRefresherKeepsTheColdPathRare(t *testing.T) {
	e := newEnv(t, nil)
	e.seedQuestions(30) // stored before anything ran: no snapshot yet

	// At start the refresher finds no snapshot and reads the 30 itself.
	var r *export.Refresher
	if n := e.reads(func() { r = e.refresher(export.RefreshConfig{}); e.settle(r) }); n != 30 {
		t.Errorf("the refresher's first run read %d submissions, want the 30 stored", n)
	}
	var first []byte
	if n := e.reads(func() { first = e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the first staff export read %d submissions, want 0", n)
	}

	// Submissions keep coming; the refresher folds them in without
	// reading them back, and an export reads none.
	for round := range 3 {
		rcs := e.addQuestions(4, "đợt "+string(rune('a'+round)))
		if n := e.reads(func() { e.told(r, rcs); e.settle(r) }); n != 0 {
			t.Errorf("round %d: the refresher read %d submissions, want 0: it was told their rows", round, n)
		}
		if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
			t.Errorf("round %d: the staff export read %d submissions, want 0", round, n)
		}
	}
	r.Close()

	// Saved while the refresher waits for a pause: the export takes them
	// from memory. Stored by another process (nobody told): read.
	slow := e.refresher(export.RefreshConfig{Quiet: time.Hour})
	e.told(slow, e.addQuestions(3, "chưa gộp"))
	e.addQuestions(2, "nơi khác")
	var got []byte
	if n := e.reads(func() { got = e.write("cau-hoi", report.CSV) }); n != 2 {
		t.Errorf("an export with 3 rows kept and 2 stored elsewhere read %d submissions, want 2", n)
	}
	if want := e.cold("cau-hoi", report.CSV); !bytes.Equal(got, want) {
		t.Error("the export through the snapshot and the kept rows differs from a cold export")
	}
	if len(parseCSV(t, got)) != 1+30+12+5 || bytes.Equal(first, got) {
		t.Errorf("%d lines, want a header and 47 rows", len(parseCSV(t, got)))
	}
}

// TestRefresherRebuildsALostSnapshot: a snapshot lost while the refresher
// ran (deleted, or left unusable) is rebuilt at the next save, before a
// staff click needs it; and one lost while nothing ran, when the
// refresher starts.
func TestRefresherRebuildsALostSnapshot(t *testing.T) {
	e := newEnv(t, nil)
	e.seedQuestions(12)
	r := e.refresher(export.RefreshConfig{})
	e.settle(r)

	e.dropSnapshot("cau-hoi")
	rcs := e.addQuestions(1, "mới")
	if n := e.reads(func() { e.told(r, rcs); e.settle(r) }); n != 12 {
		t.Errorf("the rebuild read %d submissions, want the 12 it was not told of", n)
	}
	if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the staff export after the rebuild read %d submissions, want 0", n)
	}

	r.Close()
	e.dropSnapshot("cau-hoi")
	if n := e.reads(func() { e.settle(e.refresher(export.RefreshConfig{})) }); n != 13 {
		t.Errorf("the refresher started on a lost snapshot read %d submissions, want 13", n)
	}
	if _, ok := e.snapshot("cau-hoi"); !ok {
		t.Error("no snapshot after the refresher's first run")
	}
}

// TestRefresherKeepsBoundedRows: past its room the refresher keeps no
// more rows, and once half of it is taken it folds at once instead of
// waiting for a pause; what it could not keep is read. Once folded,
// nothing stays in memory: a deleted submission is neither kept nor
// exported.
func TestRefresherKeepsBoundedRows(t *testing.T) {
	e := newEnv(t, func(c *export.Config) { c.Recent = 5 })
	r := e.refresher(export.RefreshConfig{Quiet: time.Hour, MaxWait: time.Hour})
	rcs := e.addQuestions(8, "tràn")
	// The fold starts once two rows are kept; it lists the keys once all
	// eight are told, so that the test knows which were kept.
	gate := make(chan struct{})
	e.gets.gate.Store(&gate)
	if n := e.reads(func() { e.told(r, rcs); close(gate); e.settle(r) }); n != 3 {
		t.Errorf("the refresher read %d submissions, want the 3 past the room of 5", n)
	}
	e.gets.gate.Store(nil)
	if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the export read %d submissions, want 0", n)
	}

	// Kept, then deleted on request before any fold: gone from the file.
	more := e.addQuestions(2, "xoá")
	e.told(r, more)
	if err := e.ex.Delete(context.Background(), e.reg.Form("cau-hoi"), more[0].ID); err != nil {
		t.Fatal(err)
	}
	recs := parseCSV(t, e.write("cau-hoi", report.CSV))
	if len(recs) != 1+9 {
		t.Errorf("%d rows, want 9", len(recs)-1)
	}
	for _, row := range recs {
		if row[0] == more[0].ID {
			t.Error("a submission deleted while its row was kept is exported")
		}
	}
}

// TestRefresherGoesOnAfterItsBudget: a refresh bounded by Run that cannot
// read everything saves what it read and goes on at the next run, so a
// large rebuild is spread over several.
func TestRefresherGoesOnAfterItsBudget(t *testing.T) {
	logs := &records{}
	e := newEnv(t, func(c *export.Config) { c.Concurrency = 1; c.Logger = slog.New(logs) })
	e.seedQuestions(20)
	// Each read takes a minute of the exporter's stopwatch; a run reads
	// for 6 minutes: it stops after about 6 reads and saves them, and the
	// next run goes on from there.
	e.gets.step.Store(int64(time.Minute))
	var r *export.Refresher
	if n := e.reads(func() { r = e.refresher(export.RefreshConfig{Run: 6 * time.Minute}); e.settle(r) }); n != 20 {
		t.Errorf("the refresher read %d submissions in all, want each of the 20 once", n)
	}
	if runs := logs.count("export: snapshot refreshed"); runs < 3 {
		t.Errorf("%d runs read submissions, want at least 3 of at most 8 reads", runs)
	}
	e.gets.step.Store(0)
	if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the staff export read %d submissions, want 0", n)
	}
}

// TestRefresherWaitsForAPauseBeforeEachRefresh: a refresher that is busy
// with one form when a burst of submissions begins refreshes nothing more
// while the burst lasts (neither the next form nor the same one again),
// and catches up once it pauses.
func TestRefresherWaitsForAPauseBeforeEachRefresh(t *testing.T) {
	e := newEnv(t, nil)
	all := e.reg.Forms()
	if len(all) < 2 {
		t.Fatalf("the content declares %d forms; the test needs two", len(all))
	}
	gate := make(chan struct{})
	e.gets.gate.Store(&gate)
	r := e.refresher(export.RefreshConfig{Quiet: time.Second, MaxWait: time.Hour})
	// The first refresh comes after a second without saves; it waits at
	// the gate as it lists its form's keys.
	deadline := time.Now().Add(time.Minute)
	for e.gets.lists.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the refresher listed nothing in a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A burst begins while it lists: a question every 20 ms, never the
	// second of quiet the refresher waits for.
	e.told(r, e.addQuestions(1, "đợt đầu"))
	e.gets.gate.Store(nil)
	close(gate)
	for range 30 {
		e.told(r, e.addQuestions(1, "đợt"))
		time.Sleep(20 * time.Millisecond)
	}
	snapshots := func() (n int) {
		for _, f := range all {
			if _, ok := e.snapshot(f.ID); ok {
				n++
			}
		}
		return n
	}
	if n := snapshots(); n > 1 {
		t.Errorf("%d forms were refreshed during the burst, want at most the one under way when it began", n)
	}
	e.settle(r)
	if n := snapshots(); n != len(all) {
		t.Errorf("after the burst %d of %d forms have a snapshot, want all", n, len(all))
	}
	if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the staff export after the burst read %d submissions, want 0", n)
	}
}

// TestRefreshersShareTurns: refreshers that share Turns of one (a
// province's units) never refresh at once; each has its turn.
func TestRefreshersShareTurns(t *testing.T) {
	e := newEnv(t, nil)
	e.seedQuestions(3)
	gate := make(chan struct{})
	e.gets.gate.Store(&gate)
	turns := export.NewTurns(1)
	var rs []*export.Refresher
	for _, f := range e.reg.Forms() {
		r := e.ex.StartRefresher(export.RefreshConfig{Forms: []*forms.Form{f}, Quiet: -1, Rest: -1, Turns: turns})
		t.Cleanup(r.Close)
		rs = append(rs, r)
	}
	if len(rs) < 2 {
		t.Fatalf("the content declares %d forms; the test needs two", len(rs))
	}
	deadline := time.Now().Add(time.Minute)
	for e.gets.lists.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no refresher listed anything in a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// One refresher lists at the gate. Give the others time to begin,
	// which they must not.
	time.Sleep(100 * time.Millisecond)
	// A listing's prefix is loa/submissions/<form>/, or a part of it.
	listedForms := map[string]bool{}
	e.gets.listed.Range(func(k, _ any) bool {
		form, _, _ := strings.Cut(strings.TrimPrefix(k.(string), "loa/submissions/"), "/")
		listedForms[form] = true
		return true
	})
	if len(listedForms) != 1 {
		t.Errorf("forms listed at once: %v, want one", listedForms)
	}
	e.gets.gate.Store(nil)
	close(gate)
	for _, r := range rs {
		e.settle(r)
	}
	for _, f := range e.reg.Forms() {
		if _, ok := e.snapshot(f.ID); !ok {
			t.Errorf("form %s has no snapshot once the refreshers settled", f.ID)
		}
	}
}

// TestRefresherSettleAndClose: Settle answers at once when nothing is to be
// done, and an error once the refresher is closed; Saved never blocks.
func TestRefresherSettleAndClose(t *testing.T) {
	e := newEnv(t, nil)
	r := e.refresher(export.RefreshConfig{})
	e.settle(r)
	e.settle(r)
	r.Close()
	rcs := e.addQuestions(100, "sau khi đóng")
	e.told(r, rcs) // must not block on a loop that is gone
	r.Saved(nil, rcs[0])
	if err := r.Settle(context.Background()); err == nil {
		t.Error("Settle on a closed refresher answered nil, want an error")
	}
}

// records is a log handler that keeps the messages it is given.
type records struct {
	mu   sync.Mutex
	msgs []string
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *records) WithGroup(string) slog.Handler            { return h }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}

func (h *records) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, m := range h.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// TestFoldCutShortGoesOn: a fold whose deadline comes before it has read
// every submission saves what it read and answers Incomplete; one cut
// short by its context itself leaves the snapshot as it was; the next fold
// goes on from there and completes, each submission read once in all, and
// the staff export after it reads none and is the cold export's file.
func TestFoldCutShortGoesOn(t *testing.T) {
	e := newEnv(t, func(c *export.Config) { c.Concurrency = 2 })
	e.seedQuestions(40)
	f := e.reg.Form("cau-hoi")
	// Each read takes a minute of the exporter's stopwatch; the fold has
	// 40 minutes, two thirds of them to read: about 27 reads. The deadline
	// is 40 minutes of real time away too: the budget alone cuts.
	e.gets.step.Store(int64(time.Minute))
	fold := func(d time.Duration) (int, error) {
		ctx, cancel := context.WithDeadline(context.Background(), e.gets.clock.now().Add(d))
		defer cancel()
		return e.ex.Fold(ctx, f)
	}
	var first int64
	n := e.reads(func() {
		fresh, err := fold(40 * time.Minute)
		inc, ok := errors.AsType[*report.Incomplete](err)
		if !ok || inc.Form != "cau-hoi" || inc.Fresh != fresh || fresh == 0 || fresh >= 40 {
			t.Fatalf("a fold with time for part of 40 reads: %d read, %v; want Incomplete after some", fresh, err)
		}
		first = int64(fresh)
	})
	if n != first {
		t.Errorf("the cut fold read %d objects and says %d", n, first)
	}
	saved, ok := e.snapshot("cau-hoi")
	if !ok {
		t.Fatal("a fold cut short by its budget saved no snapshot")
	}

	// Questions keep coming; a fold whose context has already ended reads
	// nothing, saves nothing and keeps the snapshot.
	e.addQuestions(5, "giữa hai lần")
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if n := e.reads(func() {
		if _, err := e.ex.Fold(ended, f); !errors.Is(err, context.Canceled) {
			t.Errorf("a fold with an ended context: %v, want context.Canceled", err)
		}
	}); n != 0 {
		t.Errorf("a fold with an ended context read %d submissions", n)
	}
	if now, _ := e.snapshot("cau-hoi"); !bytes.Equal(now, saved) {
		t.Error("a fold with an ended context changed the snapshot")
	}

	// The next folds, with time enough, read the rest once and complete.
	e.gets.step.Store(0)
	rest := e.reads(func() {
		if _, err := fold(time.Hour); err != nil {
			t.Fatalf("the next fold: %v", err)
		}
	})
	if first+rest != 45 {
		t.Errorf("the folds read %d + %d submissions, want each of the 45 once", first, rest)
	}
	var got []byte
	if n := e.reads(func() { got = e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the staff export after the folds read %d submissions, want 0", n)
	}
	if n := e.reads(func() {
		if fresh, err := fold(time.Hour); fresh != 0 || err != nil {
			t.Errorf("a fold with nothing new: %d read, %v", fresh, err)
		}
	}); n != 0 {
		t.Errorf("a fold with nothing new read %d submissions", n)
	}
	if want := e.cold("cau-hoi", report.CSV); !bytes.Equal(got, want) || len(parseCSV(t, got)) != 1+45 {
		t.Errorf("the export after the folds (%d lines) differs from a cold export", len(parseCSV(t, got)))
	}
}
