package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// benchProvince builds a province of many units (the corpus of bench site,
// one per unit, each with its own name) from scratch, against Hugo
// building the same sites one by one, as many at once as there are CPUs;
// then it edits one page of one unit, a few times, each time in another
// unit, and builds again. Every build from scratch goes into a folder of
// its own that nothing was deleted from (the corpora and outputs are
// deleted at the end only): on ext4, files created right after many were
// deleted cost several times the kernel time. With -rounds above 1, Loa
// and Hugo take turns going first. Each figure is printed with its CPU
// time (user and system, that of every process) and the load average, for
// the machine is shared.
func benchProvince(args []string) error {
	fl := flag.NewFlagSet("province", flag.ContinueOnError)
	units := fl.Int("units", 104, "units in the province (Hưng Yên has 104)")
	pages := fl.Int("pages", 300, "pages per unit")
	rounds := fl.Int("rounds", 3, "builds from scratch of each, Loa and Hugo taking turns to go first; the median ratio is reported")
	edits := fl.Int("edits", 5, "one-page edits, each in another unit, each built and timed")
	hugo := fl.String("hugo", "hugo", "the Hugo binary")
	keep := fl.Bool("keep", false, "keep the corpora and outputs")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *units < 1 || *rounds < 1 || *edits < 1 {
		return errors.New("-units, -rounds and -edits must be at least 1")
	}
	hugoPath, err := exec.LookPath(*hugo)
	if err != nil {
		return fmt.Errorf("hugo is missing (Debian: apt-get install hugo): %w", err)
	}
	hv, _ := exec.Command(hugoPath, "version").Output()
	dir, err := os.MkdirTemp("", "loa-bench-province-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	loa := filepath.Join(dir, "loa")
	build := exec.Command("go", "build", "-tags", "nodynamic", "-o", loa, "loa/build/cmd/site")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	// One corpus, written once; each unit is a copy with its own name.
	corpus := filepath.Join(dir, "corpus")
	if err := writeCorpus(corpus, *pages); err != nil {
		return err
	}
	prov := filepath.Join(dir, "tinh")
	if err := writeFile(filepath.Join(prov, "tinh.yaml"), "title: \"Tỉnh Thử\"\nunitURL: \"https://{don-vi}.tinh-thu.example.vn/\"\n"); err != nil {
		return err
	}
	sites := make([]string, *units)
	title := regexp.MustCompile(`(?m)^title: .*$`)
	for i := range sites {
		name := fmt.Sprintf("Phường Thử %d", i+1)
		slug := fmt.Sprintf("phuong-thu-%d", i+1)
		sites[i] = filepath.Join(dir, "hugo", slug)
		if err := os.CopyFS(sites[i], os.DirFS(corpus)); err != nil {
			return err
		}
		yml := filepath.Join(sites[i], "content", "site.yaml")
		b, err := os.ReadFile(yml)
		if err != nil {
			return err
		}
		if err := os.WriteFile(yml, title.ReplaceAll(b, []byte("title: \""+name+"\"")), 0o644); err != nil {
			return err
		}
		if err := os.CopyFS(filepath.Join(prov, slug), os.DirFS(filepath.Join(sites[i], "content"))); err != nil {
			return err
		}
	}

	fmt.Printf("province build: Loa vs %s", hv)
	fmt.Printf("%d CPUs; %d units of %d pages (%d pages, a tenth of them documents)\n\n", numCPU(), *units, *pages, *units**pages)
	fmt.Printf("%-34s  %9s  %9s  %10s  %s\n", "", "wall", "CPU", "peak RSS", "load average (1, 5, 15 min) before")
	line := func(what string, r run, load, note string) {
		fmt.Printf("%-34s  %8.2fs  %8.2fs  %7.1f MB  %s%s\n", what, r.wall.Seconds(), r.cpu.Seconds(), r.rssMB(), load, note)
	}
	out := filepath.Join(dir, "out")
	var ratios, cpuRatios []float64
	var scratchPeak int64 // kilobytes
	for r := range *rounds {
		loaOut, hugoOut, hugoCache := out, filepath.Join(dir, "hugo-out"), filepath.Join(dir, "hugo-cache")
		if r > 0 {
			loaOut += strconv.Itoa(r + 1)
			hugoOut += strconv.Itoa(r + 1)
			hugoCache += strconv.Itoa(r + 1)
		}
		var scratch, hugoM run
		var loaLoad, hugoLoad string
		runLoa := func() error {
			loaLoad = loadAverage()
			scratch, err = runOnce(exec.Command(loa, "--province", prov, "--out", loaOut))
			if err != nil {
				return fmt.Errorf("loa: %w", err)
			}
			if want := fmt.Sprintf("%d built, 0 unchanged, 0 failed", *units); !strings.Contains(scratch.stdout, want) {
				return fmt.Errorf("loa from scratch: %s", lastLine(scratch.stdout))
			}
			return nil
		}
		runHugo := func() error {
			hugoLoad = loadAverage()
			hugoM, err = hugoSites(hugoPath, sites, hugoOut, hugoCache)
			if err != nil {
				return fmt.Errorf("hugo: %w", err)
			}
			return nil
		}
		first, second := runLoa, runHugo
		if r%2 == 1 {
			first, second = runHugo, runLoa
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
		round := ""
		if *rounds > 1 {
			round = fmt.Sprintf(" (%d)", r+1)
		}
		line("loa, from scratch"+round, scratch, loaLoad, "")
		line("hugo, each site"+round, hugoM, hugoLoad, " (peak: the largest of its processes)")
		scratchPeak = max(scratchPeak, scratch.maxRSS)
		ratios = append(ratios, scratch.wall.Seconds()/hugoM.wall.Seconds())
		cpuRatios = append(cpuRatios, scratch.cpu.Seconds()/hugoM.cpu.Seconds())
	}

	// Nothing changed: every unit is told unchanged.
	load := loadAverage()
	none, err := runOnce(exec.Command(loa, "--province", prov, "--out", out))
	if err != nil {
		return fmt.Errorf("loa, nothing changed: %w", err)
	}
	if want := fmt.Sprintf("0 built, %d unchanged", *units); !strings.Contains(none.stdout, want) {
		return fmt.Errorf("loa, nothing changed: %s", lastLine(none.stdout))
	}
	line("loa, nothing changed", none, load, "")

	// One page of one unit changes, as an editor saves it, each time in
	// another unit.
	var ones []run
	for e := range *edits {
		unit := (*units/2+e*max(1, *units/(*edits)))%*units + 1
		page := filepath.Join(prov, fmt.Sprintf("phuong-thu-%d", unit), "thong-bao", "trang-00001.md")
		b, err := os.ReadFile(page)
		if err != nil {
			return err
		}
		if err := os.WriteFile(page, append(b, []byte("\nĐã sửa một câu.\n")...), 0o644); err != nil {
			return err
		}
		load := loadAverage()
		one, err := runOnce(exec.Command(loa, "--province", prov, "--out", out))
		if err != nil {
			return fmt.Errorf("loa, one page changed: %w", err)
		}
		if want := "1 built, " + strconv.Itoa(*units-1) + " unchanged"; !strings.Contains(one.stdout, want) {
			return fmt.Errorf("loa, one page of phuong-thu-%d changed: %s", unit, lastLine(one.stdout))
		}
		line(fmt.Sprintf("loa, one page of phuong-thu-%d", unit), one, load, "")
		ones = append(ones, one)
	}
	slices.SortFunc(ones, func(a, b run) int { return int(a.wall - b.wall) })
	oneMedian := ones[len(ones)/2]

	wr, cr := medianRatio(ratios), medianRatio(cpuRatios)
	fmt.Printf("\nfrom scratch: Loa takes %.2f× Hugo's wall time (target ≤ 0.5: %s), %.2f× its CPU time; the median of %d rounds\n", wr, verdict(wr <= 0.5), cr, len(ratios))
	fmt.Printf("one page of one unit changed: %.2f s, the median of %d (target ≤ 1 s: %s); %.2f s of CPU\n",
		oneMedian.wall.Seconds(), len(ones), verdict(oneMedian.wall <= time.Second), oneMedian.cpu.Seconds())
	fmt.Printf("peak memory of Loa: %.1f MB from scratch, %.1f MB after one page changed\n", float64(scratchPeak)/1024, float64(ones[len(ones)-1].maxRSS)/1024)
	return nil
}

type run struct {
	measurement
	cpu    time.Duration // user and system
	stdout string
}

// runOnce runs cmd and returns its wall time, peak memory and output.
//
// It first has the kernel write back every file written so far (sync,
// untimed): otherwise the writeback of the previous run's output (a
// thousand files or more) would run on the same two cores during this one,
// and a tool would pay for the tool before it. Each run's own writeback
// then falls after it, for every tool alike.
func runOnce(cmd *exec.Cmd) (run, error) {
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	syscall.Sync()
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return run{}, fmt.Errorf("%v: %s", err, stderr.String())
	}
	r := run{stdout: stdout.String()}
	r.wall = time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return run{}, errors.New("no resource usage on this system")
	}
	r.maxRSS = ru.Maxrss
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	r.sys = cmd.ProcessState.SystemTime()
	return r, nil
}

// lastLine is the last line of a command's output, its summary.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndex(s, "\n")+1:]
}

// medianRatio is the median of xs (of an even number, the mean of the
// middle two); xs is left as it was.
func medianRatio(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 0 {
		return (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return s[len(s)/2]
}

// hugoSites builds each site with Hugo, as many at once as there are
// CPUs, and returns the wall time of all, their CPU time and the peak
// memory of the largest process.
func hugoSites(hugo string, sites []string, out, cache string) (run, error) {
	var mu sync.Mutex
	var m run
	var g errgroup.Group
	g.SetLimit(max(1, numCPU()))
	start := time.Now()
	for _, s := range sites {
		g.Go(func() error {
			cmd := exec.Command(hugo, "--source", s, "--destination", filepath.Join(out, filepath.Base(s)), "--quiet", "--noBuildLock")
			cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+cache)
			r, err := runOnce(cmd)
			if err != nil {
				return err
			}
			mu.Lock()
			m.maxRSS = max(m.maxRSS, r.maxRSS)
			m.cpu += r.cpu
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return m, err
	}
	m.wall = time.Since(start)
	return m, nil
}
