package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"loa/build/builder"
	"loa/functions/vntext"
)

// benchReload measures what `serve` does after an edit: one page of a
// generated site rebuilt in place, against a full build of the same site
// (its peer). Two edits are timed: a body edit (the page alone is written)
// and a title edit (the page, then lists, feeds, home page and sitemap from
// the metadata in memory).
func benchReload(args []string) error {
	fl := flag.NewFlagSet("reload", flag.ContinueOnError)
	pages := fl.Int("pages", 10000, "corpus size")
	runs := fl.Int("runs", 15, "rebuilds per kind of edit; the median is reported")
	target := fl.Duration("target", 50*time.Millisecond, "the most a one-page rebuild may take")
	if err := fl.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "loa-bench-reload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeCorpus(dir, *pages); err != nil {
		return err
	}
	opts := builder.Options{
		Content: os.DirFS(filepath.Join(dir, "content")),
		Out:     filepath.Join(dir, "public"),
		Now:     time.Date(2026, 1, 1, 0, 0, 0, 0, vntext.Location),
	}
	// The full build that serve starts with is the peer.
	s, res, err := builder.Open(opts)
	if err != nil {
		return err
	}
	full := res.Duration

	// The page in the middle of the corpus; every run writes a new text,
	// so that nothing could be skipped as unchanged.
	name := fmt.Sprintf("ke-hoach/trang-%05d.md", *pages/2&^1)
	file := filepath.Join(dir, "content", filepath.FromSlash(name))
	orig, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	edit := func(f func(string) string) func(int) (time.Duration, error) {
		return func(i int) (time.Duration, error) {
			if err := os.WriteFile(file, []byte(f(string(orig))+fmt.Sprintf("\nĐoạn sửa lần %d.\n", i)), 0o644); err != nil {
				return 0, err
			}
			start := time.Now()
			if _, err := s.Rebuild([]string{name}); err != nil {
				return 0, err
			}
			return time.Since(start), nil
		}
	}
	body, err := median(*runs, edit(func(s string) string { return s }))
	if err != nil {
		return fmt.Errorf("body edit: %w", err)
	}
	n := 0
	title, err := median(*runs, edit(func(s string) string {
		n++
		return strings.Replace(s, "title: \"", fmt.Sprintf("title: \"(sửa %d) ", n), 1)
	}))
	if err != nil {
		return fmt.Errorf("title edit: %w", err)
	}

	// The search index, which serve writes right after the page is back
	// on screen: reported, not held to the target.
	index, err := median(3, func(int) (time.Duration, error) {
		start := time.Now()
		_, err := s.UpdateSearch()
		return time.Since(start), err
	})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}

	fmt.Printf("live reload: one page of a %d-page site rebuilt in place, median of %d\n\n", *pages, *runs)
	fmt.Printf("%-28s  %9s  %8s\n", "", "wall", "vs full")
	fmt.Printf("%-28s  %7.1fms  %7s\n", "full build (peer)", msf(full), "1")
	fmt.Printf("%-28s  %7.1fms  %7.3fx\n", "body edit: the page", msf(body), msf(body)/msf(full))
	fmt.Printf("%-28s  %7.1fms  %7.3fx\n", "title edit: page and lists", msf(title), msf(title)/msf(full))
	fmt.Printf("%-28s  %7.1fms  %7.3fx  (after the reload)\n", "then the search index", msf(index), msf(index)/msf(full))
	fmt.Printf("\none-page rebuild: %.1f ms (body), %.1f ms (title) — target ≤ %v: %s\n",
		msf(body), msf(title), *target, verdict(body <= *target && title <= *target))
	return nil
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median runs f runs times and returns the median of what it measured.
func median(runs int, f func(i int) (time.Duration, error)) (time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < runs; i++ {
		d, err := f(i)
		if err != nil {
			return 0, err
		}
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], nil
}
