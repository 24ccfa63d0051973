package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/localstore"
	"loa/functions/service"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// benchExport stores N question submissions in a local S3 (localstore:
// gofakes3 on 127.0.0.1, through the real store and SDK), beside the form
// service as make serve runs it (package service, Background: told of
// each submission, it keeps the export's snapshot fresh), then runs the
// loa-export command as a child process for each format and reports its
// wall time and peak resident memory (the child's VmHWM):
//
//	cold     the first export once the N are stored and the service has
//	         caught up: what a staff click costs; every row from the
//	         snapshot the service kept
//	repeat   right after: the same
//	rebuild  the snapshot deleted first, so that every submission is read
//	         from its own object: the rare path (a snapshot lost, or a
//	         form whose fields changed), which serve takes in the
//	         background and the Lambda on a staff click
//	+1%      (CSV) after 1% more submissions stored by another process
//	         (nobody told the service): those read, the rest from the
//	         snapshot
//
// The child's report is checked for how many rows it read afresh. The
// child holds only the exporter: the S3 server and the service run in
// this process, as S3 is not in the function's memory on AWS either.
//
// Besides wall time it prints the CPU seconds of the exporter (the child)
// and of the S3 server (this process) during each export: the machine may
// be shared, and CPU time shows what the export costs when wall time is
// stretched by other work. The server shares the cores with the exporter,
// which it would not on AWS.
//
// The server keeps the objects in memory, without its journal: the local
// store on disk (package localstore) holds them in memory too, so the
// journal would only add the seeding's writes to the disk, not change what
// the exporter reads.
func benchExport(args []string) error {
	fl := flag.NewFlagSet("export", flag.ContinueOnError)
	sizes := fl.String("n", "10000,100000", "numbers of stored submissions, comma-separated, ascending")
	formats := fl.String("formats", "csv,xlsx", "formats to export")
	concurrency := fl.Int("concurrency", 64, "objects the exporter reads at once")
	keep := fl.Bool("keep", false, "keep the exported files")
	if err := fl.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loa-bench-export-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "loa-export")
	build := exec.Command("go", "build", "-o", bin, "loa/functions/cmd/loa-export")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	const bucket, prefix = "loa-bench", "loa/"
	srv, err := localstore.Start(localstore.Options{Buckets: []string{bucket}, Credentials: localstore.NewCredentials()})
	if err != nil {
		return err
	}
	defer srv.Close()
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		return err
	}
	f := reg.Form("cau-hoi")

	fmt.Printf("export: %d CPUs, local S3 on loopback, exporter as a child process, %d reads in flight\n", runtime.NumCPU(), *concurrency)
	fmt.Printf("cold: the first export, once the service (as make serve runs it) has caught up; repeat: right after;\n" +
		"rebuild: no snapshot, every submission is read (the rare path); +1%%: after 1%% more stored by another process\n\n")
	fmt.Printf("load average: %s\n", loadAverage())
	fmt.Printf("%8s  %-6s  %-7s  %9s  %10s  %10s  %7s  %s\n", "rows", "format", "run", "wall", "peak RSS", "file", "fresh", "CPU: exporter + S3 server")
	stored := 0
	type result struct{ wall, rss float64 }
	results := map[string]result{} // by "format run rows"
	var ns []int
	seed := func(to int, tell func(*forms.Form, store.Receipt)) error {
		start, cpu0 := time.Now(), selfCPU()
		if err := seedQuestions(srv, bucket, prefix, f, stored, to, tell); err != nil {
			return err
		}
		by := "the service told"
		if tell == nil {
			by = "by another process"
		}
		fmt.Printf("%8d  %-6s  %-7s  %8.2fs  (stored %d submissions, %s; CPU %.1fs)\n", to, "seed", "", time.Since(start).Seconds(), to-stored, by, (selfCPU() - cpu0).Seconds())
		stored = to
		return nil
	}
	// The service as serve assembles it, told of every submission seeded
	// through it (Background).
	svc, err := service.New(service.Config{
		S3: srv.Client, Bucket: bucket, Prefix: prefix, Content: content.FS, Layouts: site.FS(),
		Logger: slog.New(slog.DiscardHandler), Background: true,
	})
	if err != nil {
		return err
	}
	defer svc.Close()
	st := svc.Store
	dropSnapshot := func() error { return st.DeleteSnapshot(context.Background(), f.ID) }
	// caughtUp waits for the service's refresher to have folded every
	// submission it was told of into the snapshot.
	caughtUp := func() error {
		start, cpu0 := time.Now(), selfCPU()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		if err := svc.Refresher.Settle(ctx); err != nil {
			return fmt.Errorf("the service's snapshot refresher: %w", err)
		}
		fmt.Printf("%8d  %-6s  %-7s  %8.2fs  (the service caught up after the seeding; CPU %.1fs)\n", stored, "fold", "", time.Since(start).Seconds(), (selfCPU() - cpu0).Seconds())
		return nil
	}
	run := func(format, label string, wantFresh int) error {
		n := stored
		out := filepath.Join(dir, fmt.Sprintf("cau-hoi-%d-%s.%s", n, label, format))
		cmd := exec.Command(bin, "--endpoint", srv.Endpoint, "--bucket", bucket, "--prefix", prefix,
			"--format", format, "--out", out, "--concurrency", strconv.Itoa(*concurrency), "cau-hoi")
		cmd.Env = append(os.Environ(), srv.Env()...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		serverStart := selfCPU()
		if err := cmd.Start(); err != nil {
			return err
		}
		hwm := watchHWM(cmd.Process.Pid)
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("loa-export %s, %d rows: %v\n%s", format, n, err, stderr.String())
		}
		el := time.Since(start).Seconds()
		// The machine is shared: CPU seconds say what the export costs
		// when wall time is stretched by other work.
		serverCPU := (selfCPU() - serverStart).Seconds()
		childCPU := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		rss := float64(hwm()) / 1024
		fi, err := os.Stat(out)
		if err != nil {
			return err
		}
		// The report says how many rows were written, and how many came
		// from the snapshot rather than their own objects.
		report := stderr.String()
		if !strings.Contains(report, "Đã ghi "+vntext.Number(n)+" dòng") {
			return fmt.Errorf("loa-export %s, %d rows: unexpected report %q", format, n, report)
		}
		want := vntext.Number(n-wantFresh) + " dòng lấy từ bản tổng hợp lần trước, " + vntext.Number(wantFresh) + " dòng đọc mới"
		if wantFresh == n {
			want = ""
		}
		if got := strings.Contains(report, "bản tổng hợp"); got != (want != "") || !strings.Contains(report, want) {
			return fmt.Errorf("loa-export %s, %d rows, %s: want %d rows read afresh, report %q", format, n, label, wantFresh, report)
		}
		fmt.Printf("%8d  %-6s  %-7s  %8.2fs  %7.1f MB  %7.1f MB  %7d  %5.1fs + %4.1fs\n", n, format, label, el, rss, float64(fi.Size())/(1<<20), wantFresh, childCPU, serverCPU)
		results[fmt.Sprintf("%s %s %d", format, label, n)] = result{el, rss}
		if !*keep {
			os.Remove(out)
		}
		return nil
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= stored {
			return fmt.Errorf("-n: %q is not a number above %d", s, stored)
		}
		if err := seed(n, svc.Saved); err != nil {
			return err
		}
		if err := caughtUp(); err != nil {
			return err
		}
		ns = append(ns, n)
		for _, format := range strings.Split(*formats, ",") {
			if err := run(format, "cold", 0); err != nil {
				return err
			}
			if err := run(format, "repeat", 0); err != nil {
				return err
			}
			if err := dropSnapshot(); err != nil {
				return err
			}
			if err := run(format, "rebuild", n); err != nil {
				return err
			}
		}
		if err := seed(n+n/100, nil); err != nil {
			return err
		}
		if err := run("csv", "+1%", n/100); err != nil {
			return err
		}
	}
	if len(ns) >= 2 {
		lo, hi := ns[0], ns[len(ns)-1]
		at := func(label string, n int) result { return results[fmt.Sprintf("csv %s %d", label, n)] }
		cold, repeat, more, rebuild := at("cold", hi), at("repeat", hi), at("+1%", hi+hi/100), at("rebuild", hi)
		fmt.Printf("\nCSV, %d rows, target ≤ 10 s: cold %.2f s (%s), repeat %.2f s (%s), after 1%% more %.2f s (%s)\n",
			hi, cold.wall, metOrNot(cold.wall <= 10), repeat.wall, metOrNot(repeat.wall <= 10), more.wall, metOrNot(more.wall <= 10))
		fmt.Printf("CSV, %d rows, rebuild (no snapshot: every object read; serve does it in the background): %.2f s (%s)\n",
			hi, rebuild.wall, metOrNot(rebuild.wall <= 10))
		fmt.Printf("CSV peak memory, %d rows / %d rows: cold %.2f×, repeat %.2f×, rebuild %.2f× (target: about 1)\n",
			hi, lo, cold.rss/at("cold", lo).rss, repeat.rss/at("repeat", lo).rss, rebuild.rss/at("rebuild", lo).rss)
	}
	fmt.Printf("load average: %s\n", loadAverage())
	return nil
}

// watchHWM polls the child's VmHWM (peak resident memory of its own address
// space) until it exits, and returns a function giving the last value in KB.
// The child's Maxrss from wait4 would not do: Linux carries the parent's
// high-water mark into a child at exec, and this parent holds the S3 server
// with every object.
func watchHWM(pid int) func() int64 {
	var last atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		path := "/proc/" + strconv.Itoa(pid) + "/status"
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				return
			}
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
					if err == nil && kb > last.Load() {
						last.Store(kb)
					}
				}
			}
			if strings.Contains(string(b), "State:\tZ") {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return func() int64 {
		<-done
		return last.Load()
	}
}

// selfCPU is the CPU time this process (the S3 server, mostly) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// seedQuestions stores submissions from..to-1 through the store, in
// parallel, each with its own submission time over the form's 19 days,
// and tells tell (when not nil) of each, as the service tells its
// refresher of the handler's saves.
func seedQuestions(srv *localstore.Server, bucket, prefix string, f *forms.Form, from, to int, tell func(*forms.Form, store.Receipt)) error {
	base := f.Opens
	span := f.Closes.Sub(f.Opens)
	var next atomic.Int64
	next.Store(int64(from))
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 48 {
		// One store per worker, so that its clock returns this worker's current time.
		var now time.Time
		st, err := store.New(srv.Client, store.Config{Bucket: bucket, Prefix: prefix, Now: func() time.Time { return now }})
		if err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(uint64(w), uint64(from)))
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				now = base.Add(time.Duration(rng.Int64N(int64(span))))
				rc, err := st.Save(context.Background(), &forms.Submission{Form: f, Values: questionValues(f, i, rng)})
				if err == nil && tell != nil {
					tell(f, rc)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"}
	givenNames  = []string{"Văn An", "Thị Bình", "Minh Châu", "Đức Dũng", "Thu Hà", "Quốc Khánh", "Ngọc Lan", "Thanh Tùng", "Thị Mai", "Hữu Phước"}
	questions   = []string{
		"Phường có kế hoạch hỗ trợ thanh niên khởi nghiệp, vay vốn ưu đãi trong năm nay không? Thủ tục cần chuẩn bị những gì?",
		"Đề nghị phường mở thêm lớp kỹ năng số miễn phí cho thanh niên vào buổi tối để người đi làm có thể tham gia.",
		"Xin hỏi chính sách hỗ trợ học phí sau đại học cho thanh niên của phường được áp dụng với những ngành nào?",
		"Khu vực tổ dân phố còn thiếu sân chơi thể thao cho thanh niên; phường có dự kiến cải tạo bãi đất trống không?",
	}
)

func questionValues(f *forms.Form, i int, rng *rand.Rand) map[string]string {
	v := map[string]string{
		"ho_ten":   familyNames[rng.IntN(len(familyNames))] + " " + givenNames[rng.IntN(len(givenNames))],
		"nam_sinh": strconv.Itoa(1985 + rng.IntN(20)),
		"chi_doan": f.ChiDoan[rng.IntN(len(f.ChiDoan))],
		"linh_vuc": f.Topics[rng.IntN(len(f.Topics))],
		"noi_dung": questions[rng.IntN(len(questions))] + " (" + strconv.Itoa(i) + ")",
		"dong_y":   f.Consent.Version,
	}
	if rng.IntN(2) == 0 {
		v["dien_thoai"] = "09" + fmt.Sprintf("%08d", rng.IntN(100000000))
	} else {
		v["email"] = "thanhnien" + strconv.Itoa(i) + "@example.vn"
	}
	return v
}
