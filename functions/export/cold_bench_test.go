package export_test

import (
	"context"
	"io"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/site"
)

// BenchmarkExportEveryObject exports 5,000 questions with no snapshot:
// every submission read from its own object through the SDK and the local
// store, the path a lost snapshot (or a Lambda's first export) takes. Its
// CPU profile covers both sides, the exporter and the server.
func BenchmarkExportEveryObject(b *testing.B) {
	const n = 5000
	f, fx, ex := seedBench(b, n)
	cpu0 := cpuTime()
	for b.Loop() {
		if err := fx.Store.DeleteSnapshot(context.Background(), f.ID); err != nil {
			b.Fatal(err)
		}
		res, err := ex.Write(context.Background(), f, report.CSV, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != n || res.Fresh != n {
			b.Fatalf("%d rows, %d read afresh, want %d and %d", res.Rows, res.Fresh, n, n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/row")
	// The machine may be shared: CPU time, both sides counted, says what
	// a row costs when wall time is stretched by other work.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/row")
}

// BenchmarkExportAfterFold is BenchmarkExportEveryObject's staff export
// once a fold (the Lambda's schedule) has read the 5,000 questions: the
// fold is not timed, the export that follows it is, and reads no object.
// Run the two together and compare.
func BenchmarkExportAfterFold(b *testing.B) {
	const n = 5000
	f, fx, ex := seedBench(b, n)
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		if err := fx.Store.DeleteSnapshot(context.Background(), f.ID); err != nil {
			b.Fatal(err)
		}
		if read, err := ex.Fold(context.Background(), f); err != nil || read != n {
			b.Fatalf("the fold read %d, %v; want %d", read, err, n)
		}
		cpu0 := cpuTime()
		b.StartTimer()
		res, err := ex.Write(context.Background(), f, report.CSV, io.Discard, nil)
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != n || res.Fresh != 0 {
			b.Fatalf("%d rows, %d read afresh, want %d and 0", res.Rows, res.Fresh, n)
		}
		cpu += cpuTime() - cpu0
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/row")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "cpu-µs/row")
}

// seedBench stores n questions through the local store, 16 at a time, and
// makes an exporter on it.
func seedBench(b *testing.B, n int) (*forms.Form, *s3test.Fixture, *export.Exporter) {
	b.Helper()
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		b.Fatal(err)
	}
	f := reg.Form("cau-hoi")
	fx := s3test.New(b, s3test.Options{Config: store.Config{Prefix: "loa/", Now: func() time.Time { return f.Opens.Add(time.Hour) }}})
	var wg sync.WaitGroup
	var next sync.Mutex
	i := 0
	for range 16 {
		wg.Go(func() {
			for {
				next.Lock()
				k := i
				i++
				next.Unlock()
				if k >= n {
					return
				}
				v := map[string]string{
					"ho_ten": "Nguyễn Văn " + strconv.Itoa(k), "nam_sinh": "1999", "chi_doan": f.ChiDoan[k%len(f.ChiDoan)],
					"linh_vuc": f.Topics[k%len(f.Topics)], "noi_dung": "Câu hỏi số " + strconv.Itoa(k) + " về việc làm cho thanh niên của phường.",
					"dien_thoai": "0912345678", "dong_y": f.Consent.Version,
				}
				if _, err := fx.Store.Save(context.Background(), &forms.Submission{Form: f, Values: v}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	ex, err := export.New(export.Config{Store: fx.Store, TempDir: b.TempDir(), Concurrency: 64})
	if err != nil {
		b.Fatal(err)
	}
	return f, fx, ex
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
