package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"golang.org/x/sync/errgroup"
	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	"loa/build/builder"
	"loa/build/search"
	loacontent "loa/content"
	"loa/functions/vntext"
)

// searchQueries are typed the ways residents type: without marks, with
// them, in NFD, in capitals, and a page's number.
var searchQueries = []string{
	"dang ky", "đăng ký", "chuyen doi so", "chuyển đổi số", norm.NFD.String("chuyển đổi số"),
	"DOI THOAI", "doan vien", "to dan pho", "an ninh trat tu", "ho khau", "ve sinh moi truong",
	"tiếp dân", "so 1234",
}

// benchSearch builds the search index of a generated site with Loa and
// with Pagefind, each as a child process, then runs the same queries
// through both in headless Chromium under 4× CPU throttling, served with
// gzip, and compares build time, peak memory, size, the bytes of a first
// query and the time to results.
func benchSearch(args []string) error {
	fl := flag.NewFlagSet("search", flag.ContinueOnError)
	pages := fl.Int("pages", 10000, "corpus size")
	runs := fl.Int("runs", 3, "index builds per tool; the median is reported")
	pagefind := fl.String("pagefind", "", "the Pagefind binary (default: the one npm installed in build/tools)")
	keep := fl.Bool("keep", false, "keep the site")
	colds := fl.Int("cold", 5, "cold first queries, each in a fresh browser context; the median is reported")
	h1 := fl.Bool("http1", false, "serve the pages over plain HTTP/1.1 (six connections a host) instead of HTTP/2 over TLS, as CloudFront serves them")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *colds < 1 {
		return errors.New("-cold must be at least 1")
	}
	pf, err := pagefindBinary(*pagefind)
	if err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	browserExe, err := lookChromium()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loa-bench-search-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("site kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	src, pub := filepath.Join(dir, "corpus"), filepath.Join(dir, "site")
	if err := writeCorpus(src, *pages); err != nil {
		return err
	}
	words, err := writeHTMLSite(filepath.Join(src, "content"), pub)
	if err != nil {
		return err
	}
	if err := writePagefindPage(pub); err != nil {
		return err
	}

	loaM, err := measure(*runs, filepath.Join(pub, "assets", "search"), func() *exec.Cmd {
		return exec.Command(exe, "search-index", "--site", pub)
	})
	if err != nil {
		return fmt.Errorf("loa: %w", err)
	}
	pfM, err := measure(*runs, filepath.Join(pub, "pagefind"), func() *exec.Cmd {
		return exec.Command(pf, "--site", pub, "--output-subdir", "pagefind", "--quiet")
	})
	if err != nil {
		return fmt.Errorf("pagefind: %w", err)
	}
	loaSize, loaFiles := dirSize(filepath.Join(pub, "assets", "search"))
	pfSize, pfFiles := dirSize(filepath.Join(pub, "pagefind"))
	// The queries run on the results page the builder writes, over the
	// index it builds of the same pages (the text it takes from their
	// Markdown is their HTML's, word for word: see the builder's tests).
	if err := withBuiltSearch(filepath.Join(src, "content"), filepath.Join(dir, "built"), pub); err != nil {
		return err
	}

	// CloudFront answers over HTTP/2 (and 3): a browser asks for every
	// shard and fragment at once on one connection. Over HTTP/1.1 it opens
	// six a host and the rest wait their turn.
	srv := httptest.NewUnstartedServer(gzipFiles(pub))
	proto := "HTTP/1.1"
	if *h1 {
		srv.Start()
	} else {
		srv.EnableHTTP2 = true
		srv.StartTLS()
		proto = "HTTP/2 over TLS"
	}
	defer srv.Close()
	loaB, pfB, err := browse(browserExe, srv.URL, words, *colds)
	if err != nil {
		return err
	}

	fmt.Printf("search index: Loa vs Pagefind 1.6.0, %d pages, %d CPUs, median of %d builds; queries in Chromium, 4× CPU throttling, served over %s\n\n", *pages, numCPU(), *runs, proto)
	fmt.Printf("%-28s %12s %12s %8s\n", "", "loa", "pagefind", "ratio")
	row := func(name string, l, p float64, unit string) float64 {
		r := l / p
		fmt.Printf("%-28s %10.1f%-2s %10.1f%-2s %7.2fx\n", name, l, unit, p, unit, r)
		return r
	}
	wr := row("index build, wall", loaM.wall.Seconds(), pfM.wall.Seconds(), "s")
	row("index build, peak RSS", loaM.rssMB(), pfM.rssMB(), "MB")
	dr := row("index on disk", float64(loaSize)/1e6, float64(pfSize)/1e6, "MB")
	fmt.Printf("%-28s %12d %12d\n", "index files", loaFiles, pfFiles)
	br := row("first query, transferred", float64(loaB.firstBytes)/1e3, float64(pfB.firstBytes)/1e3, "KB")
	fmt.Printf("%-28s %12d %12d\n", "first query, requests", loaB.firstRequests, pfB.firstRequests)
	row("first query, to results", loaB.firstMS, pfB.firstMS, "ms")
	row("later queries, to results", loaB.medianMS, pfB.medianMS, "ms")
	coldAfter, coldCPU := medianRatio(loaB.coldAfterMS), medianRatio(loaB.coldCPUMS)
	fmt.Printf("%-28s %10.0fms %12s   median of %d cold, %.0f–%.0f ms\n", "cold: after shards arrive", coldAfter, "–", len(loaB.coldAfterMS), slices.Min(loaB.coldAfterMS), slices.Max(loaB.coldAfterMS))
	fmt.Printf("%-28s %10.0fms %12s\n", "of which on the CPU", coldCPU, "–")
	fmt.Printf("%-28s %10.0fms %12s\n", "later: after shards (max)", loaB.maxAfterMS, "–")
	fmt.Printf("%-28s %10.0fms %12s\n", "of which on the CPU (max)", loaB.maxCPUMS, "–")
	rr := row("recall on the query set", loaB.recall*100, pfB.recall*100, "%")
	fmt.Println("\nper query: expected pages (all words, folded), found by Loa, by Pagefind; Loa's ms to results, after the shards, on the CPU; Pagefind's ms")
	for i, q := range loaB.perQuery {
		l, p := loaB.perQueryMS[i], pfB.perQueryMS[i]
		fmt.Printf("  %-24q %6d %6d %6d %7.0f %5.0f %5.0f %7.0f\n", q.q, q.truth, q.loa, q.pf, l[0], l[1], l[2], p[0])
	}
	fmt.Println()
	fmt.Printf("index build time: %.2f× Pagefind's (target ≤ 0.5: %s)\n", wr, verdict(wr <= 0.5))
	fmt.Printf("index on disk: %.2f× Pagefind's (target ≤ 1: %s)\n", dr, verdict(dr <= 1))
	fmt.Printf("bytes for a first query: %.2f× Pagefind's (target ≤ 0.25: %s)\n", br, verdict(br <= 0.25))
	fmt.Printf("a cold query's results after the shards arrive, 4× throttled: %.0f ms, median of %d (target ≤ 300 ms: %s)\n", coldAfter, len(loaB.coldAfterMS), verdict(coldAfter <= 300))
	fmt.Printf("later queries' results after the shards arrive: at most %.0f ms (target ≤ 300 ms: %s)\n", loaB.maxAfterMS, verdict(loaB.maxAfterMS <= 300))
	fmt.Printf("recall: %.0f%% against Pagefind's %.0f%% (target ≥: %s)\n", loaB.recall*100, pfB.recall*100, verdict(rr >= 1 || loaB.recall >= pfB.recall))
	return nil
}

// searchIndex is the child process the benchmark times: it reads the
// site's pages as Pagefind does (their HTML), indexes them with a worker
// per CPU and writes the index (the results page is the builder's: see
// withBuiltSearch).
func searchIndex(args []string) error {
	fl := flag.NewFlagSet("search-index", flag.ContinueOnError)
	dir := fl.String("site", "", "the site folder")
	prof := fl.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var files []string
	err := filepath.WalkDir(*dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "index.html" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	x := search.New()
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, f := range files {
		g.Go(func() error { return indexPage(x, *dir, f) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	out, err := x.Write()
	if err != nil {
		return err
	}
	// Written by a worker per CPU, as Pagefind writes its own.
	to := filepath.Join(*dir, "assets", "search")
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	var w errgroup.Group
	w.SetLimit(runtime.GOMAXPROCS(0))
	for name, b := range out.Files {
		w.Go(func() error { return os.WriteFile(filepath.Join(to, name), b, 0o644) })
	}
	return w.Wait()
}

// withBuiltSearch builds the site of content with the builder into built,
// and puts its results page, its assets and its search index in pub in
// place of the index the timed child wrote.
func withBuiltSearch(content, built, pub string) error {
	cfs, err := loacontent.Dir(content)
	if err != nil {
		return err
	}
	if _, err := builder.Build(builder.Options{Content: cfs, ContentDir: "content", Out: built}); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(pub, "assets")); err != nil {
		return err
	}
	for _, d := range []string{"assets", "tim-kiem"} {
		if err := os.CopyFS(filepath.Join(pub, d), os.DirFS(filepath.Join(built, d))); err != nil {
			return err
		}
	}
	return nil
}

// indexPage reads one page of the generated site (see pageHTML).
func indexPage(x *search.Index, dir, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	main, ok := between(b, `<main data-pagefind-body>`, `</main>`)
	if !ok {
		return nil // not a content page
	}
	rel, _ := filepath.Rel(dir, filepath.Dir(file))
	rel = filepath.ToSlash(rel)
	title, _ := between(main, "<h1>", "</h1>")
	date, _ := between(main, `<time datetime="`, `"`)
	summary, _ := between(main, `<p class="summary">`, "</p>")
	body, _ := between(main, "<!--body-->", "<!--/body-->")
	text, heads := search.TextOfHTML(body)
	d := search.Doc{URL: "/" + rel + "/", Title: html.UnescapeString(string(title)), Summary: html.UnescapeString(string(summary)),
		Headings: heads, Body: text, Section: strings.Split(rel, "/")[0]}
	if t, err := time.Parse("2006-01-02", string(date)); err == nil {
		d.Date = t
	}
	return x.Add(d)
}

func between(b []byte, start, end string) ([]byte, bool) {
	_, rest, ok := bytes.Cut(b, []byte(start))
	if !ok {
		return nil, false
	}
	in, _, ok := bytes.Cut(rest, []byte(end))
	return in, ok
}

const pageHTML = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>%s</title></head>
<body><header><a href="/">Phường Bạch Sam</a></header>
<main data-pagefind-body><h1>%s</h1><p><time datetime="%s">%s</time></p><p class="summary">%s</p>
<!--body-->%s<!--/body--></main></body></html>
`

// writeHTMLSite renders the corpus's Markdown to plain HTML pages, the
// same input for both indexers, and returns each page's folded words, to
// tell which pages a query should find.
func writeHTMLSite(content, out string) (map[string]map[string]bool, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	words := map[string]map[string]bool{}
	err := filepath.WalkDir(content, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, rest, _ := strings.Cut(string(b), "---\n")
		front, body, ok := strings.Cut(rest, "\n---\n")
		if !ok {
			return fmt.Errorf("%s: no front matter", p)
		}
		var fm struct{ Title, Date, Summary string }
		if err := yaml.Unmarshal([]byte(front), &fm); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		var h bytes.Buffer
		if err := md.Convert([]byte(body), &h); err != nil {
			return err
		}
		rel, _ := filepath.Rel(content, strings.TrimSuffix(p, ".md"))
		u := "/" + filepath.ToSlash(rel) + "/"
		e := html.EscapeString
		page := fmt.Sprintf(pageHTML, e(fm.Title), e(fm.Title), fm.Date, fm.Date, e(fm.Summary), h.String())
		if err := writeFile(filepath.Join(out, rel, "index.html"), page); err != nil {
			return err
		}
		text, _ := search.TextOfHTML(h.Bytes())
		ws := map[string]bool{}
		for _, s := range []string{fm.Title, fm.Summary, text} {
			for _, w := range foldedWords(s) {
				ws[w] = true
			}
		}
		words[u] = ws
		return nil
	})
	return words, err
}

// foldedWords splits s as the index does, to count the expected pages.
func foldedWords(s string) []string {
	ws := strings.FieldsFunc(vntext.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for i, w := range ws {
		if t := strings.TrimLeft(w, "0"); t != "" && strings.Trim(w, "0123456789") == "" {
			ws[i] = t
		}
	}
	return ws
}

// The Pagefind page runs a query through Pagefind's JavaScript API and
// loads the data of the first 10 results, as Loa's page shows 10. Pagefind
// runs without its worker, whose requests DevTools would not show.
const pagefindPage = `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>Pagefind</title><script src="/pf/pf.js"></script></head><body><p>Pagefind</p></body></html>
`

const pagefindScript = `window.pfQuery = async function (q) {
  var t0 = performance.now();
  if (!window.pf) {
    window.pf = await import("/pagefind/pagefind.js");
    // On the page's thread: DevTools reports the requests of a page, not
    // of its workers, and the bytes are the same either way.
    await window.pf.options({ noWorker: true });
  }
  var r = await window.pf.search(q);
  var data = await Promise.all(r.results.slice(0, 10).map(function (x) { return x.data(); }));
  return { count: r.results.length, urls: data.map(function (d) { return d.url; }), ms: performance.now() - t0 };
};
`

func writePagefindPage(dir string) error {
	if err := writeFile(filepath.Join(dir, "pf", "index.html"), pagefindPage); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "pf", "pf.js"), pagefindScript)
}

func pagefindBinary(flagged string) (string, error) {
	if flagged != "" {
		return flagged, nil
	}
	m, _ := filepath.Glob("build/tools/node_modules/@pagefind/*/bin/pagefind*")
	for _, p := range m {
		if !strings.HasSuffix(p, ".sha256") {
			return filepath.Abs(p)
		}
	}
	return "", errors.New("pagefind is missing: run make tools (npm ci in build/tools), or give --pagefind")
}

func lookChromium() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("Chromium is missing: run make tools")
}

func dirSize(dir string) (int64, int) {
	var n int64
	files := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
				files++
			}
		}
		return nil
	})
	return n, files
}

// gzipFiles serves dir as a CDN would: gzip for every file that is not
// compressed already (Pagefind gzips its index files itself, and Loa its
// shards and fragments), those sent as they are. Each file is read once.
func gzipFiles(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		p := filepath.Join(dir, filepath.FromSlash(path(r.URL.Path)))
		b, err := os.ReadFile(p)
		if err != nil {
			files.ServeHTTP(w, r)
			return
		}
		switch filepath.Ext(p) {
		case ".js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		case ".json":
			w.Header().Set("Content-Type", "application/json")
		case ".txt":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		case ".html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		case ".css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
		default:
			w.Header().Set("Content-Type", "application/octet-stream")
		}
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
	})
}

func path(p string) string {
	if strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	return p
}

type browseResult struct {
	firstBytes, firstRequests int
	firstMS, medianMS         float64
	maxAfterMS, maxCPUMS      float64      // over the queries after the first
	coldAfterMS, coldCPUMS    []float64    // the first query, each time in a fresh browser
	perQueryMS                [][3]float64 // to results, after the shards, on the CPU
	recall                    float64
	perQuery                  []queryCount
}

type queryCount struct {
	q              string
	truth, loa, pf int
}

// browse runs the query set through both pages, each in a tab of its own
// with the CPU throttled 4×, and counts the bytes of each tab's first query
// from the DevTools network events.
func browse(exe, base string, words map[string]map[string]bool, colds int) (loa, pf browseResult, err error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The bench's server has a certificate of its own making.
		chromedp.Flag("ignore-certificate-errors", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		return loa, pf, fmt.Errorf("starting Chromium: %w", err)
	}
	truth := make([]int, len(searchQueries))
	truthSets := make([]map[string]bool, len(searchQueries))
	for i, q := range searchQueries {
		truthSets[i] = map[string]bool{}
		qw := foldedWords(q)
		for u, ws := range words {
			all := true
			for _, w := range qw {
				all = all && ws[w]
			}
			if all {
				truthSets[i][u] = true
			}
		}
		truth[i] = len(truthSets[i])
	}

	type answer struct {
		Count int
		URLs  []string
		MS    float64
		After float64
		CPU   float64
	}
	run := func(setup string, first func(ctx context.Context, q string) (answer, error), next func(ctx context.Context, q string) (answer, error), skip func(string) bool) (browseResult, []int, error) {
		var r browseResult
		ctx, cancel, err := throttledTab(bctx)
		defer cancel()
		if err != nil {
			return r, nil, err
		}
		ctx, cancelT := context.WithTimeout(ctx, 5*time.Minute)
		defer cancelT()
		var mu sync.Mutex
		urls := map[network.RequestID]string{}
		sizes := map[network.RequestID]float64{}
		if err := chromedp.Listen(ctx, func(ev any) {
			mu.Lock()
			defer mu.Unlock()
			switch e := ev.(type) {
			case *network.EventRequestWillBeSent:
				urls[e.RequestID] = e.Request.URL
			case *network.EventLoadingFinished:
				sizes[e.RequestID] += e.EncodedDataLength
			}
		}); err != nil {
			return r, nil, err
		}
		counts := make([]int, len(searchQueries))
		var times []float64
		found, want := 0, 0
		for i, q := range searchQueries {
			f := next
			if i == 0 {
				f = first
			}
			a, err := f(ctx, q)
			if err != nil {
				return r, nil, fmt.Errorf("%s: %q: %w", setup, q, err)
			}
			if i == 0 {
				time.Sleep(200 * time.Millisecond) // the last LoadingFinished events
				mu.Lock()
				for id, n := range sizes {
					if os.Getenv("LOA_BENCH_VERBOSE") != "" {
						fmt.Fprintf(os.Stderr, "%s %8.0f %s\n", setup, n, urls[id])
					}
					if !skip(urls[id]) {
						r.firstBytes += int(n)
						r.firstRequests++
					}
				}
				mu.Unlock()
				r.firstMS = a.MS
			} else {
				times = append(times, a.MS)
			}
			if i == 0 {
				r.coldAfterMS, r.coldCPUMS = append(r.coldAfterMS, a.After), append(r.coldCPUMS, a.CPU)
			} else {
				r.maxAfterMS = math.Max(r.maxAfterMS, a.After)
				r.maxCPUMS = math.Max(r.maxCPUMS, a.CPU)
			}
			r.perQueryMS = append(r.perQueryMS, [3]float64{a.MS, a.After, a.CPU})
			counts[i] = a.Count
			// Recall: the pages found that should be, estimated from the
			// count and the share of the shown results that are expected.
			ok := 0
			for _, u := range a.URLs {
				if truthSets[i][u] {
					ok++
				}
			}
			good := a.Count
			if len(a.URLs) > 0 {
				good = a.Count * ok / len(a.URLs)
			}
			found += min(good, truth[i])
			want += truth[i]
		}
		sort.Float64s(times)
		r.medianMS = times[len(times)/2]
		r.recall = float64(found) / float64(max(want, 1))
		return r, counts, nil
	}

	loaNext := func(ctx context.Context, q string) (answer, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[answer](fmt.Sprintf(`new Promise(done => {
			const root = document.querySelector("[data-search]"), input = document.getElementById("tk-q");
			root.dataset.state = "";
			input.value = %s;
			input.form.requestSubmit();
			const wait = () => root.dataset.state === "done" ? done({Count: +root.dataset.count,
				URLs: [...document.querySelectorAll("[data-results] h2 a")].map(a => a.getAttribute("href")),
				MS: +root.dataset.ms, After: +root.dataset.msAfter, CPU: +root.dataset.msCpu}) : setTimeout(wait, 5);
			wait();
		})`, jsString(q)), chromedp.EvalAwaitPromise))
	}
	loaFirst := func(ctx context.Context, q string) (answer, error) {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/tim-kiem/?q="+url.QueryEscape(q))); err != nil {
			return answer{}, err
		}
		// The poll may start in the context of the page left; try again.
		for try := 0; ; try++ {
			err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.querySelector("[data-search]").dataset.state === "done"`, chromedp.WithPollingTimeout(time.Minute)))
			if err == nil {
				break
			}
			if try == 5 {
				return answer{}, err
			}
			time.Sleep(100 * time.Millisecond)
		}
		return chromedp.Run(ctx, chromedp.Evaluate[answer](`(() => { const root = document.querySelector("[data-search]");
			return {Count: +root.dataset.count, URLs: [...document.querySelectorAll("[data-results] h2 a")].map(a => a.getAttribute("href")),
				MS: +root.dataset.ms, After: +root.dataset.msAfter, CPU: +root.dataset.msCpu}; })()`))
	}
	loa, loaCounts, err := run("loa", loaFirst, loaNext, func(u string) bool {
		return !strings.Contains(u, "/assets/search/") && !strings.Contains(u, "/assets/search.")
	})
	if err != nil {
		return loa, pf, err
	}
	// One cold query is one sample of a noisy figure (the throttled
	// renderer, the machine): the first query again, each time in a
	// browser context of its own, with nothing cached and nothing compiled.
	for range colds - 1 {
		ctx, cancel, err := throttledTab(bctx)
		var a answer
		if err == nil {
			a, err = loaFirst(ctx, searchQueries[0])
		}
		cancel()
		if err != nil {
			return loa, pf, fmt.Errorf("loa: a cold query: %w", err)
		}
		loa.coldAfterMS, loa.coldCPUMS = append(loa.coldAfterMS, a.After), append(loa.coldCPUMS, a.CPU)
	}

	pfQuery := func(ctx context.Context, q string) (answer, error) {
		return chromedp.Run(ctx, chromedp.Evaluate[answer](fmt.Sprintf(`pfQuery(%s).then(r => ({Count: r.count, URLs: r.urls, MS: r.ms}))`, jsString(q)), chromedp.EvalAwaitPromise))
	}
	pfFirst := func(ctx context.Context, q string) (answer, error) {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/pf/")); err != nil {
			return answer{}, err
		}
		return pfQuery(ctx, q)
	}
	pf, pfCounts, err := run("pagefind", pfFirst, pfQuery, func(u string) bool { return !strings.Contains(u, "/pagefind/") })
	if err != nil {
		return loa, pf, err
	}
	for i, q := range searchQueries {
		loa.perQuery = append(loa.perQuery, queryCount{q: q, truth: truth[i], loa: loaCounts[i], pf: pfCounts[i]})
	}
	return loa, pf, nil
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// throttledTab opens a tab in a browser context of its own (nothing cached,
// nothing compiled) with the CPU throttled 4×, as a cheap phone.
func throttledTab(bctx context.Context) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"))
	if err == nil {
		_, err = chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4})
	}
	return ctx, cancel, err
}
