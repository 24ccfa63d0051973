package main

import (
	"context"
	"encoding/json"
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
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/localstore"
	"loa/functions/routes"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/site"
)

// provinceOpen is an instant while the example province's forms are open.
var provinceOpen = time.Date(2026, 12, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// namesUnit finds, in a row or in what staff were handed, the unit each
// question names ("… của phuong-thu-3: …").
var namesUnit = regexp.MustCompile(`của ([a-z0-9-]+):`)

// benchProvinceForms loads the form service of a province of many units
// at once, as the last evening before a province-wide deadline would: the
// one service assembled by package service (as on AWS, where one function
// serves every unit), on net/http at 127.0.0.1, storing through the real
// S3 client into the local store on disk (the journal of `make serve`).
// Each question goes to one unit, by its host (<unit>.localhost), and
// names that unit in its text. While the load runs, the staff of a few
// units list their questions and export them, again and again, and every
// row they are handed is checked for its unit. Afterwards every unit's
// stored questions are counted and read: none may be lost, none stored
// under another unit.
func benchProvinceForms(args []string) error {
	// The service's process, as serve sets it.
	service.TuneCollector()
	fl := flag.NewFlagSet("province-forms", flag.ContinueOnError)
	units := fl.Int("units", 104, "units in the province (Hưng Yên has 104)")
	n := fl.Int("n", 20000, "questions to send, spread over the units")
	clients := fl.Int("c", 64, "concurrent clients")
	watch := fl.Int("watch", 2, "units whose staff list and export while the load runs (0: none, to tell their cost; the isolation check is then missed)")
	dir := fl.String("province", "don-vi", "the example province whose units' forms the units take, in turn")
	keep := fl.Bool("keep", false, "keep the on-disk store")
	peer := fl.Bool("peer", true, "also run the same load on one ward's service, for the ratio")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the load to this file")
	heapProfile := fl.String("heapprofile", "", "write a profile of the memory held at the end of the load to this file")
	every := fl.Duration("staff-every", time.Second, "pause of each staff member between two rounds of list and export (a person clicking; 0: back to back)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *units <= 0 || *n <= 0 || *clients <= 0 || *watch < 0 || *watch > *units {
		return errors.New("-units, -n and -c must be positive, -watch between 0 and -units")
	}
	// The example units that have a question form lend it to the units,
	// in turn: each unit has its forms, chi đoàn and topics.
	var examples []string
	entries, err := os.ReadDir(*dir)
	if err != nil {
		return fmt.Errorf("%v (run from the repository, or give -province)", err)
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(*dir, e.Name(), "bieu-mau", "cau-hoi.md")); e.IsDir() && err == nil {
			examples = append(examples, filepath.Join(*dir, e.Name()))
		}
	}
	if len(examples) == 0 {
		return fmt.Errorf("%s: no unit with bieu-mau/cau-hoi.md", *dir)
	}
	slug := func(i int) string { return "phuong-thu-" + strconv.Itoa(i+1) }
	// Each unit's content opened once, as the function keeps it between
	// its checks of the bucket (service.BucketUnits).
	unitOf := map[string]service.Unit{}
	for i := range *units {
		d := examples[i%len(examples)]
		fsys, err := content.Dir(d)
		if err != nil {
			return err
		}
		unitOf[slug(i)] = service.Unit{Slug: slug(i), Content: fsys, ContentDir: d}
	}
	tmp, err := os.MkdirTemp("", "loa-bench-province-forms-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("store kept in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	s3srv, err := localstore.Start(localstore.Options{Dir: filepath.Join(tmp, "s3"), Buckets: []string{formsBucket}, Credentials: localstore.NewCredentials()})
	if err != nil {
		return err
	}
	defer s3srv.Close()
	svc, err := service.New(service.Config{
		S3: s3srv.Client, Bucket: formsBucket, Prefix: formsPrefix, Layouts: site.FS(),
		Units: service.UnitsFunc(func(ctx context.Context, s string) (service.Unit, error) {
			u, ok := unitOf[s]
			if !ok {
				return service.Unit{}, fmt.Errorf("%s: %w", s, service.ErrNoUnit)
			}
			return u, nil
		}),
		Now: func() time.Time { return provinceOpen }, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), NoLimits: true,
		// As serve runs a province: each unit keeps its exports fresh.
		Background: true,
	})
	if err != nil {
		return err
	}
	defer svc.Close()

	// Every unit assembled first, as a warm function has them.
	ctx := context.Background()
	type unitLoad struct {
		chiDoan, topics []string
		acked           atomic.Int64
	}
	load := make([]*unitLoad, *units)
	t0 := time.Now()
	for i := range *units {
		u, err := svc.Unit(ctx, slug(i))
		if err != nil {
			return err
		}
		f := u.Forms.Form("cau-hoi")
		load[i] = &unitLoad{chiDoan: f.Field("chi_doan").Options, topics: f.Field("linh_vuc").Options}
	}
	assembled := time.Since(t0)
	// A warm process has also checked each form's export snapshot once
	// (the refreshers do it after their first quiet pause); that check is
	// not part of the load.
	for i := range *units {
		u, _ := svc.Unit(ctx, slug(i))
		if err := u.Refresher.Settle(ctx); err != nil {
			return err
		}
	}
	secrets := make([]string, *watch)
	for k := range *watch {
		u, _ := svc.Unit(ctx, slug(k))
		secrets[k] = staff.NewSecret()
		hash, err := staff.HashSecret(secrets[k])
		if err != nil {
			return err
		}
		if _, err := u.Store.CreateAccount(ctx, store.Account{ID: "quan-tri", Name: "Quản trị", Role: store.RoleManager, Hash: hash}); err != nil {
			return err
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: svc.Handler, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	fmt.Printf("province forms: %d questions to %d units at once from %d clients, the staff of %d units listing and exporting meanwhile (a round every %s); %d CPUs, %s\n",
		*n, *units, *clients, *watch, *every, runtime.NumCPU(), runtime.Version())
	fmt.Printf("(%d units assembled in %s, their snapshots checked, before the clock starts, as a warm process has them)\n\n", *units, ms(assembled))

	// A staff member's reads: the staff routes with the unit's host, the
	// secret and the account; a download link as it is.
	hc := &http.Client{Timeout: time.Minute}
	staffGet := func(k int, rawURL string, staffRoute bool) (string, error) {
		r, _ := http.NewRequest("GET", rawURL, nil)
		if staffRoute {
			r.Host = slug(k) + ".localhost:" + port
			r.Header.Set(routes.StaffHeader, secrets[k])
			r.Header.Set(routes.AccountHeader, "quan-tri")
		}
		resp, err := hc.Do(r)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET %s: %d %s", r.URL.Path, resp.StatusCode, b)
		}
		return string(b), err
	}
	// Each of them signed in before the load, as a staff member at work
	// is: the first check of a secret is argon2id's (tens of milliseconds
	// and 19 MiB, on purpose), the later ones are not.
	for k := range *watch {
		if _, err := staffGet(k, "http://"+addr+routes.Questions, true); err != nil {
			return err
		}
	}

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
	var total atomic.Int64
	var loadDone atomic.Bool
	var next atomic.Int64
	lat := make([][]time.Duration, *clients)
	others := make([]map[int]int, *clients)
	errs := make(chan error, *clients+*watch)
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	for w := range *clients {
		others[w] = map[int]int{}
		wg.Go(func() {
			cl := &rawClient{addr: addr}
			defer cl.close()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				u := i % *units
				l := load[u]
				host := slug(u) + ".localhost:" + port
				q := [6]string{
					"Nguyễn Văn " + strconv.Itoa(i), l.chiDoan[i%len(l.chiDoan)], fmt.Sprintf("09%08d", i), l.topics[i%len(l.topics)],
					"Câu hỏi số " + strconv.Itoa(i) + " của " + slug(u) + ": xã, phường có hỗ trợ thanh niên học nghề không?", "co",
				}
				t := time.Now()
				code, err := cl.postTo(host, func(b []byte) []byte {
					for k, v := range q {
						if k > 0 {
							b = append(b, '&')
						}
						b = append(append(append(b, loadFields[k]...), '='), url.QueryEscape(v)...)
					}
					return b
				})
				if err != nil {
					errs <- err
					return
				}
				if code/100 == 2 {
					lat[w] = append(lat[w], time.Since(t))
					l.acked.Add(1)
					total.Add(1)
				} else {
					others[w][code]++
				}
			}
		})
	}

	// The staff's reads, meanwhile.
	type reads struct{ rounds, duringLoad, rows, foreign int }
	seen := make([]reads, *watch)
	var staffWG sync.WaitGroup
	for k := range *watch {
		staffWG.Go(func() {
			s := slug(k)
			get := func(rawURL string, staffRoute bool) (string, error) { return staffGet(k, rawURL, staffRoute) }
			check := func(body string) {
				for _, m := range namesUnit.FindAllStringSubmatch(body, -1) {
					seen[k].rows++
					if m[1] != s {
						seen[k].foreign++
					}
				}
			}
			for r := 0; r < 1000 && (r < 3 || !loadDone.Load()); r++ {
				before := total.Load()
				body, err := get("http://"+addr+routes.Questions, true)
				if err != nil {
					errs <- err
					return
				}
				check(body)
				body, err = get("http://"+addr+routes.Export+"cau-hoi?format=csv", true)
				var link struct {
					URL string `json:"url"`
				}
				if err == nil {
					err = json.Unmarshal([]byte(body), &link)
				}
				if err != nil {
					errs <- err
					return
				}
				if body, err = get(link.URL, false); err != nil {
					errs <- err
					return
				}
				check(body)
				seen[k].rounds++
				if total.Load() != before {
					seen[k].duringLoad++
				}
				if !loadDone.Load() {
					time.Sleep(*every)
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	pprof.StopCPUProfile()
	cpu := cpuTime() - cpu0
	if *heapProfile != "" {
		if err := writeHeld(*heapProfile); err != nil {
			return err
		}
	}
	loadDone.Store(true)
	staffWG.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	res := loadResult{wall: wall, cpu: cpu, others: map[int]int{}}
	var all []time.Duration
	for w := range *clients {
		all = append(all, lat[w]...)
		for code, c := range others[w] {
			res.others[code] += c
		}
	}
	res.acked = len(all)
	if len(all) > 0 {
		slices.Sort(all)
		res.p50, res.p99, res.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}

	// Every unit's questions: counted and read, each checked for its unit.
	var mu sync.Mutex
	wrong, stored := 0, 0
	var lostUnits []string
	var g errgroup.Group
	g.SetLimit(8)
	for i := range *units {
		g.Go(func() error {
			u, err := svc.Unit(ctx, slug(i))
			if err != nil {
				return err
			}
			f := u.Forms.Form("cau-hoi")
			count, bad := 0, 0
			for token := ""; ; {
				keys, nextToken, err := u.Store.ListKeys(ctx, "cau-hoi", token, 1000)
				if err != nil {
					return err
				}
				for _, key := range keys {
					rec, err := u.Store.Read(ctx, f, key)
					if err != nil {
						return err
					}
					if m := namesUnit.FindStringSubmatch(rec.Values["noi_dung"]); m == nil || m[1] != slug(i) {
						bad++
					}
					count++
				}
				if token = nextToken; token == "" {
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			stored += count
			wrong += bad
			if int64(count) < load[i].acked.Load() {
				lostUnits = append(lostUnits, slug(i))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	res.stored = stored

	fmt.Printf("%-22s %10s %9s %9s %9s %8s %8s %6s %9s\n", "store", "accepted/s", "p50", "p99", "max", "acked", "stored", "lost", "CPU/sub")
	res.print("journal on disk")
	for code, c := range res.others {
		fmt.Printf("%d answers with status %d\n", c, code)
	}
	fmt.Printf("stored under another unit than the one sent to: %d of %d\n\n", wrong, stored)
	foreign := 0
	for k := range *watch {
		r := seen[k]
		foreign += r.foreign
		fmt.Printf("staff of %s: %d rounds of list + export (%d while questions were being accepted), %d rows handed, %d of another unit\n",
			slug(k), r.rounds, r.duringLoad, r.rows, r.foreign)
	}
	during := 0
	for _, r := range seen {
		during += r.duringLoad
	}
	// The peer, in the same run: one ward's service under the same load,
	// on a store of its own. The machine is shared: the ratio says what
	// serving 104 units costs over serving one.
	// The province's background work (each unit's snapshots, refreshed
	// once the load pauses) must not run during the peer's load.
	svc.Close()
	if *peer {
		reg, err := forms.Load(content.FS, site.FS())
		if err != nil {
			return err
		}
		ward, err := loadRun(reg, filepath.Join(tmp, "ward"), false, *n, *clients)
		if err != nil {
			return fmt.Errorf("the ward alone: %w", err)
		}
		fmt.Printf("\n%-22s %10s %9s %9s %9s %8s %8s %6s %9s\n", "peer", "accepted/s", "p50", "p99", "max", "acked", "stored", "lost", "CPU/sub")
		ward.print("one ward, no staff")
		fmt.Printf("the province: %.2f× the ward's rate, p99 %.2f×, CPU per submission %.2f×\n",
			res.rate()/ward.rate(), float64(res.p99)/float64(ward.p99), res.cpuPerSub()/ward.cpuPerSub())
	}
	fmt.Println()
	fmt.Printf("accepted/s %.0f: %.2f× the target of 2,500 (%s)\n", res.rate(), res.rate()/2500, verdict(res.rate() >= 2500))
	fmt.Printf("p99 %s: %.2f× the target of 50 ms (%s)\n", ms(res.p99), float64(res.p99)/float64(50*time.Millisecond), verdict(res.p99 <= 50*time.Millisecond))
	fmt.Printf("lost %d = %d acknowledged − %d stored (%s)\n", res.lost(), res.acked, res.stored, verdict(res.lost() == 0 && len(lostUnits) == 0))
	fmt.Printf("stored under the wrong unit %d (%s)\n", wrong, verdict(wrong == 0))
	fmt.Printf("rows of another unit handed to staff %d, in %d reads made under load (%s)\n", foreign, during, verdict(foreign == 0 && during > 0))
	if res.lost() != 0 || len(lostUnits) != 0 || wrong != 0 || foreign != 0 {
		return fmt.Errorf("lost %d (units short: %v), %d stored under the wrong unit, %d rows of another unit handed to staff", res.lost(), lostUnits, wrong, foreign)
	}
	return nil
}

// writeHeld writes a profile of the memory the process holds, after a
// collection.
func writeHeld(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
