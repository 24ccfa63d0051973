package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"
)

// benchProvince builds a province of many units (the corpus of bench site,
// one per unit, each with its own name) from scratch and after one page of
// one unit changed, against Hugo building the same sites one by one, as
// many at once as there are CPUs.
func benchProvince(args []string) error {
	fl := flag.NewFlagSet("province", flag.ContinueOnError)
	units := fl.Int("units", 104, "units in the province (Hưng Yên has 104)")
	pages := fl.Int("pages", 300, "pages per unit")
	hugo := fl.String("hugo", "hugo", "the Hugo binary")
	keep := fl.Bool("keep", false, "keep the corpora and outputs")
	if err := fl.Parse(args); err != nil {
		return err
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
	build := exec.Command("go", "build", "-tags", "nodynamic", "-o", loa, "loa/build")
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
	out := filepath.Join(dir, "out")
	scratch, err := runOnce(exec.Command(loa, "build", "--province", prov, "--out", out))
	if err != nil {
		return fmt.Errorf("loa: %w", err)
	}
	hugoM, err := hugoSites(hugoPath, sites, filepath.Join(dir, "hugo-out"), filepath.Join(dir, "hugo-cache"))
	if err != nil {
		return fmt.Errorf("hugo: %w", err)
	}

	// One page of one unit changes, as an editor saves it.
	page := filepath.Join(prov, fmt.Sprintf("phuong-thu-%d", *units/2+1), "thong-bao", "trang-00001.md")
	b, err := os.ReadFile(page)
	if err != nil {
		return err
	}
	if err := os.WriteFile(page, append(b, []byte("\nĐã sửa một câu.\n")...), 0o644); err != nil {
		return err
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(page, later, later)
	one, err := runOnce(exec.Command(loa, "build", "--province", prov, "--out", out))
	if err != nil {
		return fmt.Errorf("loa, one page changed: %w", err)
	}
	if !strings.Contains(one.stdout, "1 built, "+strconv.Itoa(*units-1)+" unchanged") {
		return fmt.Errorf("loa, one page changed: %s", one.stdout)
	}

	fmt.Printf("%-30s  %9s  %10s\n", "", "wall", "peak RSS")
	fmt.Printf("%-30s  %8.2fs  %7.1f MB\n", "loa, from scratch", scratch.wall.Seconds(), scratch.rssMB())
	fmt.Printf("%-30s  %8.2fs  %7.1f MB (the largest of its processes)\n", "hugo, each site", hugoM.wall.Seconds(), hugoM.rssMB())
	fmt.Printf("%-30s  %8.2fs  %7.1f MB\n", "loa, one page of one unit", one.wall.Seconds(), one.rssMB())
	wr := scratch.wall.Seconds() / hugoM.wall.Seconds()
	fmt.Printf("\nfrom scratch: Loa takes %.2f× Hugo's wall time (target ≤ 0.5: %s)\n", wr, verdict(wr <= 0.5))
	fmt.Printf("one page of one unit changed: %.2f s (target ≤ 1 s: %s)\n", one.wall.Seconds(), verdict(one.wall <= time.Second))
	return nil
}

type run struct {
	measurement
	stdout string
}

// runOnce runs cmd and returns its wall time, peak memory and output.
func runOnce(cmd *exec.Cmd) (run, error) {
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
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
	return r, nil
}

// hugoSites builds each site with Hugo, as many at once as there are
// CPUs, and returns the wall time of all and the peak memory of the
// largest process.
func hugoSites(hugo string, sites []string, out, cache string) (measurement, error) {
	var mu sync.Mutex
	var m measurement
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
