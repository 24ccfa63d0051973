package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"loa/build/builder"
	"loa/content"
	"loa/functions/vntext"
	"loa/site"
)

// runBuild is "build": content → public/.
//
// The content is read from the folder on disk (./content, or --content), so
// that a page may have any file name a person saves. The layouts and assets
// are the embedded ones unless --layouts names a folder holding layouts/ and
// assets/; the forms on the pages are drawn with those layouts too.
func runBuild(args []string) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	contentDir := fl.String("content", "content", "content folder")
	layoutsDir := fl.String("layouts", "", "folder with layouts/ and assets/ to use instead of the embedded site/")
	out := fl.String("out", "public", "output folder, replaced only when the build succeeds")
	drafts := fl.Bool("drafts", false, "include drafts")
	future := fl.Bool("future", false, "include pages whose publishDate is in the future")
	expired := fl.Bool("expired", false, "include pages whose expiryDate has passed")
	baseURL := fl.String("baseURL", "", "absolute URL of the site (default: baseURL of site.yaml)")
	now := fl.String("now", "", "the time to build as of, e.g. 2023-04-10 or 2023-04-10T08:00:00+07:00 (default: now)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("build: unexpected argument %q", fl.Arg(0))
	}

	opts := builder.Options{
		Out: *out, Drafts: *drafts, Future: *future, Expired: *expired, BaseURL: *baseURL,
	}
	cfs, err := content.Dir(*contentDir)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	opts.Content, opts.ContentDir = cfs, *contentDir
	if *layoutsDir != "" {
		if opts.Site, err = site.Dir(*layoutsDir); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	if *now != "" {
		t, err := vntext.ParseTime(*now)
		if err != nil {
			return fmt.Errorf("build: --now: %w", err)
		}
		opts.Now = t
	}
	// The builder keeps only pages' metadata alive; a higher GC target
	// trades a few megabytes for less collector work on large sites.
	debug.SetGCPercent(400)
	res, err := builder.Build(opts)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	fmt.Printf("built %s: %s\n", opts.Out, res)
	return nil
}
