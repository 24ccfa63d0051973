package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"golang.org/x/time/rate"

	"loa/build/internal/lambdadev"
	"loa/content"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/localstore"
	"loa/functions/service"
	"loa/functions/store"
	"loa/site"
)

const (
	formsBucket = "loa-bench"
	formsPrefix = "loa/"
)

// formsOpen is an instant while the forms are open (their dates are in 2023).
var formsOpen = time.Date(2023, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// benchForms measures the form handler the way the ward will load it on
// the last evening before a deadline: distinct questions from many clients
// at once, each acknowledged only once stored. The handler is served with
// net/http on 127.0.0.1, assembled by package service as on AWS (with its
// background work, keeping each saved row for the exports, as serve runs
// it), and stores through the real S3 client into the local store on disk
// (package localstore: gofakes3 made durable by its journal), as `make
// serve` does.
// Its peers, in the same run, are the same load with the local store in
// memory (the cost of the journal) and the handler alone on a store that
// keeps nothing (its own ceiling). It then builds the Lambda zip and times cold starts under the
// Lambda Runtime Interface Emulator.
func benchForms(args []string) error {
	// The service's process, as serve sets it.
	service.TuneCollector()
	fl := flag.NewFlagSet("forms", flag.ContinueOnError)
	n := fl.Int("n", 20000, "submissions to send")
	clients := fl.Int("c", 64, "concurrent clients")
	peers := fl.Bool("peers", true, "also run the load against the in-memory store and against no store")
	colds := fl.Int("cold", 5, "cold starts under the emulator; the median is reported (0: skip)")
	zipSize := fl.Bool("zip", true, "build the arm64 bootstrap zip and report its size")
	keep := fl.Bool("keep", false, "keep the on-disk store")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the on-disk run to this file")
	memProfile := fl.String("memprofile", "", "write an allocation profile of the on-disk run to this file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *n <= 0 || *clients <= 0 {
		return errors.New("-n and -c must be positive")
	}
	dir, err := os.MkdirTemp("", "loa-bench-forms-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("store kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		return err
	}

	fmt.Printf("form handler: %d distinct questions from %d concurrent clients, %d CPUs, %s\n\n",
		*n, *clients, runtime.NumCPU(), runtime.Version())
	fmt.Printf("%-22s %10s %9s %9s %9s %8s %8s %6s %9s\n", "store", "accepted/s", "p50", "p99", "max", "acked", "stored", "lost", "CPU/sub")
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 64 << 10
	}
	disk, err := loadRun(reg, filepath.Join(dir, "s3"), false, *n, *clients)
	pprof.StopCPUProfile()
	if err != nil {
		return fmt.Errorf("on-disk store: %w", err)
	}
	if *memProfile != "" {
		if err := writeAllocs(*memProfile); err != nil {
			return err
		}
	}
	disk.print("journal on disk")
	var mem, none loadResult
	if *peers {
		if mem, err = loadRun(reg, "", false, *n, *clients); err != nil {
			return fmt.Errorf("in-memory store: %w", err)
		}
		mem.print("in memory")
		if none, err = loadRun(reg, "", true, *n, *clients); err != nil {
			return fmt.Errorf("no store: %w", err)
		}
		none.print("none (handler only)")
		fmt.Printf("\non disk: %.2f× the in-memory store's rate, %.2f× the handler alone's; p99 %.2f× and %.2f×\n",
			disk.rate()/mem.rate(), disk.rate()/none.rate(),
			float64(disk.p99)/float64(mem.p99), float64(disk.p99)/float64(none.p99))
	}
	for code, c := range disk.others {
		fmt.Printf("on disk: %d answers with status %d\n", c, code)
	}

	var summary []string
	summary = append(summary,
		fmt.Sprintf("accepted/s %.0f: %.2f× the target of 2,500 (%s)", disk.rate(), disk.rate()/2500, verdict(disk.rate() >= 2500)),
		fmt.Sprintf("p99 %s: %.2f× the target of 50 ms (%s)", ms(disk.p99), float64(disk.p99)/float64(50*time.Millisecond), verdict(disk.p99 <= 50*time.Millisecond)),
		fmt.Sprintf("lost %d = %d acknowledged − %d stored (%s)", disk.lost(), disk.acked, disk.stored, verdict(disk.lost() == 0)))

	if *zipSize {
		size, err := bootstrapZip(dir)
		if err != nil {
			return err
		}
		mb := float64(size) / 1e6
		fmt.Printf("\nbootstrap.zip (linux/arm64, -tags lambda.norpc, stripped): %.2f MB\n", mb)
		summary = append(summary, fmt.Sprintf("bootstrap.zip %.2f MB: %.2f× the target of 10 MB (%s)", mb, mb/10, verdict(mb <= 10)))
	}
	if *colds > 0 {
		cold, warm, err := coldStarts(dir, *colds)
		if err != nil {
			return err
		}
		fmt.Printf("under the emulator, median of %d: start to first answer %s, a warm answer %s (%.1f×)\n",
			*colds, ms(cold), ms(warm), float64(cold)/float64(warm))
		summary = append(summary, fmt.Sprintf("cold start %s: %.2f× the target of 100 ms (%s)",
			ms(cold), float64(cold)/float64(100*time.Millisecond), verdict(cold <= 100*time.Millisecond)))
	}
	fmt.Println()
	for _, s := range summary {
		fmt.Println(s)
	}
	if disk.lost() != 0 {
		return fmt.Errorf("%d acknowledged submissions are not in the store", disk.lost())
	}
	return nil
}

// writeAllocs writes the allocations made so far and stops sampling, so
// that the peers' runs do not add to them.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = pprof.Lookup("allocs").WriteTo(f, 0)
	runtime.MemProfileRate = 0
	return err
}

type loadResult struct {
	wall          time.Duration
	acked, stored int
	p50, p99, max time.Duration
	others        map[int]int // non-2xx answers by status
	cpu           time.Duration
}

// cpuPerSub is the CPU time (user and system, of the whole process: load,
// handler and store) per acknowledged submission, in microseconds. Unlike
// the rate, it hardly moves when other work shares the machine.
func (r loadResult) cpuPerSub() float64 {
	if r.acked == 0 {
		return 0
	}
	return float64(r.cpu) / float64(time.Microsecond) / float64(r.acked)
}

// cpuTime is the CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (r loadResult) rate() float64 { return float64(r.acked) / r.wall.Seconds() }
func (r loadResult) lost() int     { return r.acked - r.stored }

func (r loadResult) print(name string) {
	stored := strconv.Itoa(r.stored)
	lost := strconv.Itoa(r.lost())
	if r.stored < 0 {
		stored, lost = "-", "-"
	}
	fmt.Printf("%-22s %10.0f %9s %9s %9s %8d %8s %6s %6.0f µs\n", name, r.rate(), ms(r.p50), ms(r.p99), ms(r.max), r.acked, stored, lost, r.cpuPerSub())
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
}

// discard is a store that keeps nothing: the handler's ceiling.
type discard struct{}

func (discard) Save(_ context.Context, sub *forms.Submission) (store.Receipt, error) {
	h := sub.Hash()
	return store.Receipt{Key: h, ID: h[:forms.IDLength]}, nil
}

// loadRun serves the service on 127.0.0.1, backed by the local store in dir (""
// in memory) or by no store, sends n distinct questions from c clients,
// and counts what was stored. stored is -1 without a store.
func loadRun(reg *forms.Registry, dir string, noStore bool, n, c int) (loadResult, error) {
	res := loadResult{others: map[int]int{}, stored: -1}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	var h http.Handler
	var st *store.Store
	if noStore {
		// The peer: the handler alone, on a store that keeps nothing, so
		// the only run not assembled as the Lambda and serve are.
		hh, err := handler.New(handler.Config{
			Forms: reg, Store: discard{}, Logger: logger, Rate: rate.Inf,
			Now: func() time.Time { return formsOpen },
		})
		if err != nil {
			return res, err
		}
		h = hh
	} else {
		s3srv, err := localstore.Start(localstore.Options{Dir: dir, Buckets: []string{formsBucket}, Credentials: localstore.NewCredentials()})
		if err != nil {
			return res, err
		}
		defer s3srv.Close()
		// Background, as serve runs it: the service keeps each row it
		// saves for the exports' snapshot.
		svc, err := service.New(service.Config{
			S3: s3srv.Client, Bucket: formsBucket, Prefix: formsPrefix,
			Content: content.FS, Layouts: site.FS(),
			Now: func() time.Time { return formsOpen }, Logger: logger, NoLimits: true, Background: true,
		})
		if err != nil {
			return res, err
		}
		defer svc.Close()
		h, st = svc.Handler, svc.Store
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	var next atomic.Int64
	lat := make([][]time.Duration, c)
	others := make([]map[int]int, c)
	errs := make(chan error, c)
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			others[w] = map[int]int{}
			cl := &rawClient{addr: addr}
			defer cl.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				code, err := cl.post(i)
				if err != nil {
					errs <- err
					return
				}
				d := time.Since(t0)
				if code/100 == 2 {
					lat[w] = append(lat[w], d)
				} else {
					others[w][code]++
				}
			}
		}()
	}
	wg.Wait()
	res.wall = time.Since(start)
	res.cpu = cpuTime() - cpu0
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	var all []time.Duration
	for w := range c {
		all = append(all, lat[w]...)
		for code, k := range others[w] {
			res.others[code] += k
		}
	}
	res.acked = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		res.p50, res.p99, res.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	if st != nil {
		if res.stored, err = countStored(st, "cau-hoi"); err != nil {
			return res, err
		}
	}
	return res, nil
}

// rawClient is one load-generating client: one keep-alive HTTP/1.1
// connection written and read by its own goroutine. The load generator
// shares the machine with what it measures, so it spends as little as it
// can: no transport goroutines (http.Transport runs two per connection), the
// request written from one reused buffer; each answer is still parsed whole
// by net/http (status, headers, body) before it counts.
type rawClient struct {
	addr string
	conn net.Conn
	r    *bufio.Reader
	buf  []byte
}

// post sends the i-th question and returns the answer's status.
func (c *rawClient) post(i int) (int, error) {
	return c.postTo(c.addr, func(b []byte) []byte { return appendQuestion(b, i) })
}

// postTo sends the form-encoded body that appendBody appends to the
// question form, with host as its Host, and returns the answer's status.
func (c *rawClient) postTo(host string, appendBody func([]byte) []byte) (int, error) {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return 0, err
		}
		c.conn, c.r = conn, bufio.NewReaderSize(conn, 4096)
	}
	c.buf = appendBody(c.buf[:0])
	body := len(c.buf)
	c.buf = append(c.buf, "POST /api/forms/cau-hoi HTTP/1.1\r\nHost: "...)
	c.buf = append(c.buf, host...)
	c.buf = append(c.buf, "\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: "...)
	c.buf = strconv.AppendInt(c.buf, int64(body), 10)
	c.buf = append(c.buf, "\r\n\r\n"...)
	c.buf = append(c.buf, c.buf[:body]...)
	if err := c.conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return 0, err
	}
	if _, err := c.conn.Write(c.buf[body:]); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, nil
}

func (c *rawClient) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// appendQuestion appends question(i), form-encoded, to b.
func appendQuestion(b []byte, i int) []byte {
	for k, val := range loadQuestion(i) {
		if k > 0 {
			b = append(b, '&')
		}
		b = append(b, loadFields[k]...)
		b = append(b, '=')
		b = append(b, url.QueryEscape(val)...)
	}
	return b
}

// countStored counts a form's objects with the store's own listing.
func countStored(st *store.Store, form string) (int, error) {
	count, token := 0, ""
	for {
		keys, next, err := st.ListKeys(context.Background(), form, token, 1000)
		if err != nil {
			return 0, err
		}
		count += len(keys)
		if next == "" {
			return count, nil
		}
		token = next
	}
}

// question is the i-th distinct, valid question.
func question(i int) url.Values {
	v := url.Values{}
	for k, val := range loadQuestion(i) {
		v.Set(loadFields[k], val)
	}
	return v
}

// loadQuestion returns the values of question(i), in loadFields' order.
func loadQuestion(i int) [6]string {
	return [6]string{
		"Nguyễn Văn " + strconv.Itoa(i),
		"Chi đoàn Tổ dân phố " + strconv.Itoa(1+i%6),
		fmt.Sprintf("09%08d", i),
		"Khác",
		"Câu hỏi số " + strconv.Itoa(i) + ": phường có hỗ trợ thanh niên học nghề và tìm việc làm không?",
		"co",
	}
}

var loadFields = [6]string{"ho_ten", "chi_doan", "dien_thoai", "linh_vuc", "noi_dung", "dong_y"}

// bootstrapZip builds the zip that `make package` builds and returns its size.
func bootstrapZip(dir string) (int64, error) {
	out := filepath.Join(dir, lambdadev.Arch)
	bin, err := lambdadev.Build(context.Background(), out, lambdadev.Arch)
	if err != nil {
		return 0, err
	}
	zip := filepath.Join(out, "bootstrap.zip")
	if err := lambdadev.Zip(bin, zip); err != nil {
		return 0, err
	}
	st, err := os.Stat(zip)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// coldStarts starts the emulator with the bootstrap runs times and returns
// the median time from starting the emulator's process to the first answer
// of a submission (the emulator starts the bootstrap at that first invoke),
// and the median time of a second, warm, submission: its peer.
func coldStarts(dir string, runs int) (cold, warm time.Duration, err error) {
	rie, err := lambdadev.FindRIE()
	if err != nil {
		return 0, 0, err
	}
	bin, err := lambdadev.Build(context.Background(), filepath.Join(dir, "host"), runtime.GOARCH)
	if err != nil {
		return 0, 0, err
	}
	s3srv, err := localstore.Start(localstore.Options{Buckets: []string{formsBucket}, Credentials: localstore.NewCredentials()})
	if err != nil {
		return 0, 0, err
	}
	defer s3srv.Close()
	env := append([]string{
		"LOA_BUCKET=" + formsBucket, "LOA_PREFIX=" + formsPrefix,
		"LOA_S3_ENDPOINT=" + s3srv.Endpoint, "LOA_NOW=" + formsOpen.Format(time.RFC3339),
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
	}, s3srv.Env()...)
	event := func(i int) events.APIGatewayV2HTTPRequest {
		ev := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: "$default", RawPath: "/api/forms/cau-hoi",
			Headers: map[string]string{"content-type": "application/x-www-form-urlencoded", "accept": "application/json"},
			Body:    question(1_000_000 + i).Encode(),
		}
		ev.RequestContext.HTTP.Method = http.MethodPost
		ev.RequestContext.HTTP.Path = ev.RawPath
		ev.RequestContext.HTTP.SourceIP = "203.0.113.9"
		return ev
	}
	var colds, warms []time.Duration
	for i := range runs {
		em, err := lambdadev.Start(rie, bin, env)
		if err != nil {
			return 0, 0, err
		}
		resp, err := em.Invoke(context.Background(), event(2*i))
		c := time.Since(em.Started)
		var resp2 events.APIGatewayV2HTTPResponse
		t0 := time.Now()
		if err == nil {
			resp2, err = em.Invoke(context.Background(), event(2*i+1))
		}
		w := time.Since(t0)
		em.Close()
		if err != nil {
			return 0, 0, err
		}
		if resp.StatusCode != http.StatusOK || resp2.StatusCode != http.StatusOK {
			return 0, 0, fmt.Errorf("cold start: answers %d and %d, want 200\n%s", resp.StatusCode, resp2.StatusCode, em.Output())
		}
		colds, warms = append(colds, c), append(warms, w)
	}
	slices.Sort(colds)
	slices.Sort(warms)
	return colds[len(colds)/2], warms[len(warms)/2], nil
}
