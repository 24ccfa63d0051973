package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/export"
	"loa/functions/report"
	"loa/functions/store"
)

// countingAPI is the real S3 client, counting the submissions it reads.
// With a step, each read also moves the exporter's clock on by that much,
// as reads from a distant S3 would take that long. With a gate, listings
// wait for it to close; lists counts the listings begun, and listed
// keeps their prefixes.
type countingAPI struct {
	store.API
	n      atomic.Int64
	lists  atomic.Int64
	listed sync.Map     // prefix → true
	step   atomic.Int64 // nanoseconds
	clock  *fakeClock
	gate   atomic.Pointer[chan struct{}]
}

func (c *countingAPI) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	c.lists.Add(1)
	c.listed.Store(aws.ToString(in.Prefix), true)
	if g := c.gate.Load(); g != nil {
		<-*g
	}
	return c.API.ListObjectsV2(ctx, in, opts...)
}

func (c *countingAPI) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if strings.Contains(aws.ToString(in.Key), "/submissions/") {
		c.n.Add(1)
		c.clock.advance(time.Duration(c.step.Load()))
	}
	return c.API.GetObject(ctx, in, opts...)
}

// fakeClock is the exporter's Stopwatch: it moves only when told.
type fakeClock struct {
	mu sync.Mutex
	at time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

// reads runs fn and returns how many submissions it read from the store.
func (e *env) reads(fn func()) int64 {
	before := e.gets.n.Load()
	fn()
	return e.gets.n.Load() - before
}

func (e *env) snapshot(form string) ([]byte, bool) {
	e.t.Helper()
	body, err := e.st.GetSnapshot(context.Background(), form)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		e.t.Fatal(err)
	}
	return b, true
}

func (e *env) putSnapshot(form string, b []byte) {
	e.t.Helper()
	if err := e.st.PutSnapshot(context.Background(), form, bytes.NewReader(b), int64(len(b))); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) dropSnapshot(form string) {
	e.t.Helper()
	if err := e.st.DeleteSnapshot(context.Background(), form); err != nil {
		e.t.Fatal(err)
	}
}

// cold is the export of form with no snapshot to help it.
func (e *env) cold(form string, format report.Format) []byte {
	e.t.Helper()
	e.dropSnapshot(form)
	return e.write(form, format)
}

func TestSnapshotReadsOnlyNewSubmissions(t *testing.T) {
	e := newEnv(t, nil)
	e.seedQuestions(40)

	var first, second []byte
	if n := e.reads(func() { first = e.write("cau-hoi", report.CSV) }); n != 40 {
		t.Errorf("first export read %d submissions, want all 40", n)
	}
	if _, ok := e.snapshot("cau-hoi"); !ok {
		t.Fatal("the first export left no snapshot")
	}
	if n := e.reads(func() { second = e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("repeat export read %d submissions, want 0", n)
	}
	if !bytes.Equal(first, second) {
		t.Error("the repeat export differs from the first")
	}

	// Five more: only they are read, and the file is what a cold export gives.
	e.addQuestions(5, "sau")
	var third []byte
	if n := e.reads(func() { third = e.write("cau-hoi", report.CSV) }); n != 5 {
		t.Errorf("export after 5 new submissions read %d, want 5", n)
	}
	if got := len(parseCSV(t, third)) - 1; got != 45 {
		t.Errorf("%d rows, want 45", got)
	}
	if want := e.cold("cau-hoi", report.CSV); !bytes.Equal(third, want) {
		t.Error("the export through the snapshot differs from a cold export")
	}
	// The result tells how many rows were read afresh.
	e.addQuestions(2, "nữa")
	res, err := e.ex.Write(context.Background(), e.reg.Form("cau-hoi"), report.CSV, io.Discard, nil)
	if err != nil || res.Rows != 47 || res.Fresh != 2 {
		t.Errorf("export after 2 new: %+v, %v; want 47 rows, 2 fresh", res, err)
	}
	// Snapshots copy personal data: no temporary file outlives an export.
	if left, _ := os.ReadDir(e.tmp); len(left) != 0 {
		t.Errorf("%d temporary files left behind, e.g. %s", len(left), left[0].Name())
	}
	// Stats and the XLSX go through the same snapshot.
	if n := e.reads(func() {
		if _, err := e.ex.Stats(context.Background(), e.reg.Forms()); err != nil {
			t.Fatal(err)
		}
		e.write("cau-hoi", report.XLSX)
	}); n != 0 {
		t.Errorf("stats and XLSX read %d submissions, want 0", n)
	}
}

func TestSnapshotDropsWhatIsGone(t *testing.T) {
	e := newEnv(t, nil)
	all := e.seedQuestions(20)
	f := e.reg.Form("cau-hoi")
	e.write("cau-hoi", report.CSV)

	// Deleted on request: the row leaves the snapshot at once, and the
	// others stay in it.
	if snap, _ := e.snapshot("cau-hoi"); !bytes.Contains(snap, []byte(all[3].id)) {
		t.Fatal("test setup: the snapshot should hold the row")
	}
	if err := e.ex.Delete(context.Background(), f, all[3].id); err != nil {
		t.Fatal(err)
	}
	if snap, ok := e.snapshot("cau-hoi"); !ok || bytes.Contains(snap, []byte(all[3].id)) || !bytes.Contains(snap, []byte(all[4].id)) {
		t.Errorf("after a deletion the snapshot exists %v, holds the deleted row %v, holds another %v; want true, false, true",
			ok, bytes.Contains(snap, []byte(all[3].id)), bytes.Contains(snap, []byte(all[4].id)))
	}
	if n := e.reads(func() { e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("the export after a deletion read %d submissions, want 0", n)
	}

	// Gone by other means (a lifecycle rule): the next export drops the row
	// from the file and from the snapshot it writes.
	gone := all[7].id
	keys := e.fx.Keys(t, "loa/submissions/cau-hoi/"+gone)
	if len(keys) != 1 {
		t.Fatalf("finding %s: %d keys", gone, len(keys))
	}
	e.fx.Delete(t, keys[0])
	if snap, _ := e.snapshot("cau-hoi"); !bytes.Contains(snap, []byte(gone)) {
		t.Fatal("test setup: the snapshot should still hold the row")
	}
	var csv []byte
	if n := e.reads(func() { csv = e.write("cau-hoi", report.CSV) }); n != 0 {
		t.Errorf("read %d submissions, want 0", n)
	}
	recs := parseCSV(t, csv)
	if len(recs)-1 != 18 {
		t.Errorf("%d rows, want 18", len(recs)-1)
	}
	for _, r := range recs {
		if r[0] == gone || r[0] == all[3].id {
			t.Errorf("row %s is exported after its object went", r[0])
		}
	}
	if snap, _ := e.snapshot("cau-hoi"); bytes.Contains(snap, []byte(gone)) {
		t.Error("the rewritten snapshot still holds the row whose object went")
	}
}

func TestSnapshotDamagedIsIgnored(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, func(c *export.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	e.seedQuestions(15)
	want := e.write("cau-hoi", report.CSV)
	good, _ := e.snapshot("cau-hoi")
	e.save("dai-bieu", exportDay.AddDate(0, 0, -10), map[string]string{
		"ho_ten": "Trần Văn Bình", "nam_sinh": "2001", "chi_doan": e.reg.Form("dai-bieu").ChiDoan[0], "dong_y": "2023-04-01",
	})
	e.write("dai-bieu", report.CSV)
	delegates, _ := e.snapshot("dai-bieu")

	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x20
	for name, b := range map[string][]byte{
		"cut short":      good[:len(good)-7],
		"one bit off":    flipped,
		"empty":          {},
		"another form's": delegates,
		"not a snapshot": []byte("ho_ten,chi_doan\nA,B\n0123456789abcdef"),
	} {
		t.Run(name, func(t *testing.T) {
			logs.Reset()
			e.putSnapshot("cau-hoi", b)
			var got []byte
			if n := e.reads(func() { got = e.write("cau-hoi", report.CSV) }); n != 15 {
				t.Errorf("read %d submissions, want all 15", n)
			}
			if !bytes.Equal(got, want) {
				t.Error("the export differs from the one made with a sound snapshot")
			}
			if !strings.Contains(logs.String(), "snapshot ignored") {
				t.Errorf("no warning logged: %q", logs.String())
			}
			if now, _ := e.snapshot("cau-hoi"); !bytes.Equal(now, good) {
				t.Error("the damaged snapshot was not replaced by a sound one")
			}
		})
	}
}

// Exports running at once, while submissions arrive, each write a
// snapshot; whichever lands, the next export is complete and correct.
func TestSnapshotConcurrentExports(t *testing.T) {
	e := newEnv(t, func(c *export.Config) { c.PageSize = 3 })
	e.seedQuestions(30)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			var b bytes.Buffer
			_, err := e.ex.Write(context.Background(), e.reg.Form("cau-hoi"), report.CSV, &b, nil)
			errs <- err
		})
	}
	wg.Go(func() { e.addQuestions(12, "cùng lúc") })
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := e.write("cau-hoi", report.CSV)
	if n := len(parseCSV(t, got)) - 1; n != 42 {
		t.Errorf("%d rows, want 42", n)
	}
	if want := e.cold("cau-hoi", report.CSV); !bytes.Equal(got, want) {
		t.Error("the export through the snapshot differs from a cold export")
	}
}

// addQuestions stores n questions unlike any other (tag is in the text),
// one minute apart after the form opens.
func (e *env) addQuestions(n int, tag string) []store.Receipt {
	e.t.Helper()
	f := e.reg.Form("cau-hoi")
	var rcs []store.Receipt
	for i := range n {
		rcs = append(rcs, e.save("cau-hoi", f.Opens.Add(time.Duration(i+1)*time.Minute), map[string]string{
			"ho_ten": "Lê Văn Hùng", "nam_sinh": "2000", "chi_doan": f.ChiDoan[0],
			"email": "hung@example.vn", "linh_vuc": f.Topics[0], "dong_y": "2023-04-01",
			"noi_dung": fmt.Sprintf("Câu hỏi %s số %d", tag, i),
		}))
	}
	return rcs
}

// An export that runs out of time keeps what it read: each try goes on
// from the last, every submission is read once in all, and the file in the
// end is the one a single long export gives.
func TestIncompleteExportKeepsProgress(t *testing.T) {
	e := newEnv(t, func(c *export.Config) { c.Concurrency = 2 })
	e.seedQuestions(60)
	want := e.write("cau-hoi", report.CSV)
	e.dropSnapshot("cau-hoi")
	// Each read takes a minute of the exporter's clock and each try has an
	// hour, of which it reads for two thirds: a try reads about 40 of the
	// 60 (never all: a reader is at most a queue's length ahead of the
	// reads done), the next the rest. The context's deadline is an hour of
	// real time away too, so it never expires: the budget alone cuts.
	e.gets.step.Store(int64(time.Minute))
	f := e.reg.Form("cau-hoi")
	fresh, tries := 0, 0
	var got bytes.Buffer
	for {
		tries++
		if tries > 20 {
			t.Fatalf("not done after 20 tries; %d read", fresh)
		}
		ctx, cancel := context.WithDeadline(context.Background(), e.gets.clock.now().Add(time.Hour))
		got.Reset()
		res, err := e.ex.Write(ctx, f, report.CSV, &got, nil)
		cancel()
		if inc, ok := errors.AsType[*report.Incomplete](err); ok {
			if inc.Form != "cau-hoi" {
				t.Errorf("Incomplete.Form %q", inc.Form)
			}
			fresh += inc.Fresh
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		fresh += res.Fresh
		if res.Rows != 60 {
			t.Errorf("%d rows, want 60", res.Rows)
		}
		break
	}
	if tries < 2 {
		t.Errorf("done in %d try: the test needs a try that runs out of time", tries)
	}
	if fresh != 60 {
		t.Errorf("%d submissions read over %d tries, want each of the 60 once", fresh, tries)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Error("the export made in several tries differs from one made at once")
	}
}

// TestListingInOnePageOrInParts: the submissions of a form that fit in one
// page are listed with one request, and their answers with another; a
// longer listing is listed in parts, and either way the export holds every
// row, in the cold export's order.
func TestListingInOnePageOrInParts(t *testing.T) {
	for _, c := range []struct {
		name     string
		pageSize int32
		minLists int64
	}{
		{"one page", 1000, 1},
		{"in parts", 5, int64(len(store.HashDigits)) + 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *export.Config) { cfg.PageSize = c.pageSize })
			e.seedQuestions(40)
			before := e.gets.lists.Load()
			got := e.write("cau-hoi", report.CSV)
			lists := e.gets.lists.Load() - before
			if c.pageSize >= 40 && lists != 2 {
				t.Errorf("40 submissions, pages of %d: %d listings, want 2 (the submissions, their answers)", c.pageSize, lists)
			}
			if lists < c.minLists {
				t.Errorf("40 submissions, pages of %d: %d listings, want at least %d", c.pageSize, lists, c.minLists)
			}
			if n := len(parseCSV(t, got)) - 1; n != 40 {
				t.Errorf("%d rows, want 40", n)
			}
			if want := e.cold("cau-hoi", report.CSV); !bytes.Equal(got, want) {
				t.Error("the export differs from a cold export")
			}
		})
	}
}
