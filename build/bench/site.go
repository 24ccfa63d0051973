package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchSite builds generated corpora of Vietnamese pages with Loa and with
// Hugo, each as a child process, and compares wall time and peak resident
// memory (the child's Maxrss). Loa's output carries its search index, so
// it is also set against Hugo followed by Pagefind (what a Hugo site with
// search runs), and against the floor of any builder: cp -r of Loa's own
// output, the cost of creating its folders and files and nothing else.
func benchSite(args []string) error {
	fl := flag.NewFlagSet("site", flag.ContinueOnError)
	sizes := fl.String("pages", "1000,10000", "corpus sizes, comma-separated")
	runs := fl.Int("runs", 3, "builds per tool and size; the median is reported")
	hugo := fl.String("hugo", "hugo", "the Hugo binary")
	pagefind := fl.String("pagefind", "", "the Pagefind binary (default: the one npm installed in build/tools)")
	keep := fl.Bool("keep", false, "keep the corpora and outputs")
	if err := fl.Parse(args); err != nil {
		return err
	}
	hugoPath, err := exec.LookPath(*hugo)
	if err != nil {
		return fmt.Errorf("hugo is missing (Debian: apt-get install hugo): %w", err)
	}
	hv, _ := exec.Command(hugoPath, "version").Output()
	pf, err := pagefindBinary(*pagefind)
	if err != nil {
		return err
	}
	cp, err := exec.LookPath("cp")
	if err != nil {
		return err
	}

	dir, err := os.MkdirTemp("", "loa-bench-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("corpora and outputs kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	loa := filepath.Join(dir, "loa")
	build := exec.Command("go", "build", "-tags", "nodynamic", "-o", loa, "loa/build/cmd/site")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}

	fmt.Printf("site builder: Loa (build/cmd/site, as make site runs it, with its search index) vs %s", hv)
	fmt.Printf("%d CPUs, median of %d builds, the tools taking turns, each into a new output folder (none deleted until the end), after a sync\n\n", numCPU(), *runs)
	fmt.Printf("%7s  %-15s  %9s  %10s  %8s\n", "pages", "tool", "wall", "peak RSS", "kernel")
	var summary []string
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return fmt.Errorf("--pages: %q is not a number of pages", s)
		}
		src := filepath.Join(dir, "corpus-"+strconv.Itoa(n))
		if err := writeCorpus(src, n); err != nil {
			return err
		}
		// The tools take turns, round after round (Loa, the floor, Hugo,
		// Pagefind), so that a machine that slows down or speeds up
		// during the benchmark (other guests on its host, a file system
		// busy with an earlier cleanup) weighs on each tool alike. Each
		// run writes into a new folder of its own, named by size, tool and
		// round, so that no timed run follows the deletion of another's
		// output: on ext4 without a journal (as this benchmark's machines
		// mount it), a file created soon after a large deletion costs
		// several times the kernel time, as ext4 passes over the inodes
		// deleted recently.
		runDir := func(tool string, round int) string {
			return filepath.Join(dir, fmt.Sprintf("out-%d-%s-%d", n, tool, round))
		}
		var loaRuns, cpRuns, hugoRuns, pfRuns []measurement
		timed := func(runs *[]measurement, tool string, cmd *exec.Cmd) error {
			m, err := runOnce(cmd)
			if err != nil {
				return fmt.Errorf("%s, %d pages: %w", tool, n, err)
			}
			*runs = append(*runs, m.measurement)
			return nil
		}
		for round := 1; round <= *runs; round++ {
			out, hugoOut := runDir("loa", round), runDir("hugo", round)
			hugoCmd := exec.Command(hugoPath, "--source", src, "--destination", hugoOut, "--quiet", "--noBuildLock")
			hugoCmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(dir, "hugo-cache"))
			if err := timed(&loaRuns, "loa", exec.Command(loa, "--content", filepath.Join(src, "content"), "--out", out)); err != nil {
				return err
			}
			// The floor: copying Loa's output creates the same folders
			// and files with none of the work of making them.
			if err := timed(&cpRuns, "cp -r", exec.Command(cp, "-r", out, runDir("cp", round))); err != nil {
				return err
			}
			if err := timed(&hugoRuns, "hugo", hugoCmd); err != nil {
				return err
			}
			// Pagefind indexes the Hugo build of its round, as a Hugo
			// site with search runs it after every build.
			if err := timed(&pfRuns, "pagefind", exec.Command(pf, "--site", hugoOut, "--output-subdir", "pagefind", "--quiet")); err != nil {
				return err
			}
		}
		loaM, cpM, hugoM, pfM := medianOf(loaRuns), medianOf(cpRuns), medianOf(hugoRuns), medianOf(pfRuns)
		both := measurement{wall: hugoM.wall + pfM.wall, sys: hugoM.sys + pfM.sys, maxRSS: max(hugoM.maxRSS, pfM.maxRSS)}

		row := func(tool string, m measurement) {
			fmt.Printf("%7d  %-15s  %8.3fs  %7.1f MB  %7.3fs\n", n, tool, m.wall.Seconds(), m.rssMB(), m.sys.Seconds())
		}
		row("loa", loaM)
		row("cp -r (floor)", cpM)
		row("hugo", hugoM)
		row("pagefind", pfM)
		row("hugo+pagefind", both)
		wHugo, wBoth, wFloor := loaM.wall.Seconds()/hugoM.wall.Seconds(), loaM.wall.Seconds()/both.wall.Seconds(), loaM.wall.Seconds()/cpM.wall.Seconds()
		mHugo := loaM.rssMB() / hugoM.rssMB()
		// The kernel's time is what creating the files costs (and reading
		// them, for cp): the floor's share of a build.
		kFloor := loaM.sys.Seconds() / cpM.sys.Seconds()
		fmt.Printf("%7d  %-15s  %8.2fx  %9.2fx\n", n, "loa/hugo", wHugo, mHugo)
		fmt.Printf("%7d  %-15s  %8.2fx\n", n, "loa/hugo+pf", wBoth)
		fmt.Printf("%7d  %-15s  %8.2fx  %20.2fx\n", n, "loa/floor", wFloor, kFloor)

		line := fmt.Sprintf("%d pages: %.2f× Hugo's wall time (target ≤ 0.5: %s), %.2f× its peak memory (target ≤ 0.25: %s), %.2f× the cp -r floor (target ≤ 1.5: %s) and %.2f× its kernel time",
			n, wHugo, verdict(wHugo <= 0.5), mHugo, verdict(mHugo <= 0.25), wFloor, verdict(wFloor <= 1.5), kFloor)
		// Hugo and Pagefind together are a target at 10,000 pages, where
		// a site with search spends most of its time indexing.
		if n >= 10000 {
			line += fmt.Sprintf(", %.2f× Hugo + Pagefind (target ≤ 0.25: %s)", wBoth, verdict(wBoth <= 0.25))
		} else {
			line += fmt.Sprintf(", %.2f× Hugo + Pagefind", wBoth)
		}
		summary = append(summary, line)
	}
	fmt.Println()
	for _, s := range summary {
		fmt.Println(s)
	}
	return nil
}
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

type measurement struct {
	wall   time.Duration
	sys    time.Duration // the kernel's CPU time for the process
	maxRSS int64         // kilobytes
}

func (m measurement) rssMB() float64 { return float64(m.maxRSS) / 1024 }

// measure runs the command of mk runs times, each into an empty out, and
// returns the median wall time and the median peak memory.
func measure(runs int, out string, mk func() *exec.Cmd) (measurement, error) {
	var ms []measurement
	for i := 0; i < runs; i++ {
		if err := os.RemoveAll(out); err != nil {
			return measurement{}, err
		}
		r, err := runOnce(mk())
		if err != nil {
			return measurement{}, err
		}
		ms = append(ms, r.measurement)
	}
	return medianOf(ms), nil
}

// medianOf is the median wall time, peak memory and kernel time of ms.
func medianOf(ms []measurement) measurement {
	walls := make([]time.Duration, len(ms))
	rss := make([]int64, len(ms))
	syss := make([]time.Duration, len(ms))
	for i, m := range ms {
		walls[i], rss[i], syss[i] = m.wall, m.maxRSS, m.sys
	}
	slices.Sort(walls)
	slices.Sort(rss)
	slices.Sort(syss)
	return measurement{wall: walls[len(walls)/2], maxRSS: rss[len(rss)/2], sys: syss[len(syss)/2]}
}

func numCPU() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}
