package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
	fmt.Printf("%d CPUs, median of %d builds, each into a new output folder (none deleted until the end)\n\n", numCPU(), *runs)
	fmt.Printf("%7s  %-15s  %9s  %10s\n", "pages", "tool", "wall", "peak RSS")
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
		// Each tool writes into folders of its own, named by size, so that
		// no timed run follows the deletion of another's output.
		runDir := func(tool string) string { return filepath.Join(dir, fmt.Sprintf("out-%d-%s", n, tool)) }
		loaM, out, err := measureFresh(*runs, runDir("loa"), func(out string) *exec.Cmd {
			return exec.Command(loa, "--content", filepath.Join(src, "content"), "--out", out)
		})
		if err != nil {
			return fmt.Errorf("loa, %d pages: %w", n, err)
		}
		// The floor: copying Loa's output creates the same folders and
		// files with none of the work of making them.
		cpM, _, err := measureFresh(*runs, runDir("cp"), func(floor string) *exec.Cmd { return exec.Command(cp, "-r", out, floor) })
		if err != nil {
			return fmt.Errorf("cp -r, %d pages: %w", n, err)
		}
		hugoM, hugoOut, err := measureFresh(*runs, runDir("hugo"), func(hugoOut string) *exec.Cmd {
			cmd := exec.Command(hugoPath, "--source", src, "--destination", hugoOut, "--quiet", "--noBuildLock")
			cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(dir, "hugo-cache"))
			return cmd
		})
		if err != nil {
			return fmt.Errorf("hugo, %d pages: %w", n, err)
		}
		// Pagefind indexes the last of Hugo's builds, as a Hugo site with
		// search runs it after every build.
		pfM, _, err := measureFresh(*runs, "pagefind", func(sub string) *exec.Cmd {
			return exec.Command(pf, "--site", hugoOut, "--output-subdir", sub, "--quiet")
		})
		if err != nil {
			return fmt.Errorf("pagefind, %d pages: %w", n, err)
		}
		both := measurement{wall: hugoM.wall + pfM.wall, maxRSS: max(hugoM.maxRSS, pfM.maxRSS)}

		row := func(tool string, m measurement) {
			fmt.Printf("%7d  %-15s  %8.3fs  %7.1f MB\n", n, tool, m.wall.Seconds(), m.rssMB())
		}
		row("loa", loaM)
		row("cp -r (floor)", cpM)
		row("hugo", hugoM)
		row("pagefind", pfM)
		row("hugo+pagefind", both)
		wHugo, wBoth, wFloor := loaM.wall.Seconds()/hugoM.wall.Seconds(), loaM.wall.Seconds()/both.wall.Seconds(), loaM.wall.Seconds()/cpM.wall.Seconds()
		mHugo := loaM.rssMB() / hugoM.rssMB()
		fmt.Printf("%7d  %-15s  %8.2fx  %9.2fx\n", n, "loa/hugo", wHugo, mHugo)
		fmt.Printf("%7d  %-15s  %8.2fx\n", n, "loa/hugo+pf", wBoth)
		fmt.Printf("%7d  %-15s  %8.2fx\n", n, "loa/floor", wFloor)

		line := fmt.Sprintf("%d pages: %.2f× Hugo's wall time (target ≤ 0.5: %s), %.2f× its peak memory (target ≤ 0.25: %s), %.2f× the cp -r floor (target ≤ 1.5: %s)",
			n, wHugo, verdict(wHugo <= 0.5), mHugo, verdict(mHugo <= 0.25), wFloor, verdict(wFloor <= 1.5))
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
	maxRSS int64 // kilobytes
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

// measureFresh runs the command of mk runs times, each into a new folder
// beside base that it leaves in place, and returns the median wall time and
// peak memory and the last run's folder. Nothing is deleted between timed
// runs: on a file system without a journal (ext4 as this bench's machines
// mount it), ext4 passes over recently deleted inodes when it allocates new
// ones, so a run right after a large delete pays several times the kernel
// time for each file and folder it creates, and whichever tool ran next
// would pay for the previous one's cleanup.
func measureFresh(runs int, base string, mk func(out string) *exec.Cmd) (measurement, string, error) {
	var ms []measurement
	var out string
	for i := 0; i < runs; i++ {
		out = fmt.Sprintf("%s-%d", base, i+1)
		r, err := runOnce(mk(out))
		if err != nil {
			return measurement{}, "", err
		}
		ms = append(ms, r.measurement)
	}
	return medianOf(ms), out, nil
}

// medianOf is the median wall time and the median peak memory of ms.
func medianOf(ms []measurement) measurement {
	walls := make([]time.Duration, len(ms))
	rss := make([]int64, len(ms))
	for i, m := range ms {
		walls[i], rss[i] = m.wall, m.maxRSS
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	sort.Slice(rss, func(i, j int) bool { return rss[i] < rss[j] })
	return measurement{wall: walls[len(walls)/2], maxRSS: rss[len(rss)/2]}
}

func numCPU() int {
	out, err := exec.Command("nproc").Output()
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}
