package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"loa/build/builder"
	"loa/content"
	"loa/functions/vntext"
)

// runBuild is "build": content → public/.
//
// The content comes from ./content when the command runs in a checkout (so
// that edits show up without recompiling), otherwise from the copy embedded
// in the binary; --content names another folder. The layouts and assets are
// the embedded ones unless --layouts names a folder holding layouts/ and assets/.
func runBuild(args []string) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	contentDir := fl.String("content", "", "content folder (default: ./content if present, else the embedded content)")
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
	switch {
	case *contentDir != "":
		opts.Content, opts.ContentDir = os.DirFS(*contentDir), *contentDir
	case isDir("content"):
		opts.Content, opts.ContentDir = os.DirFS("content"), "content"
	default:
		opts.Content, opts.ContentDir = content.FS, "content"
	}
	if *layoutsDir != "" {
		opts.Site = os.DirFS(*layoutsDir)
	}
	if *now != "" {
		t, err := parseNow(*now)
		if err != nil {
			return err
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
	fmt.Printf("built %s: %s\n", opts.Out, res)
	return nil
}

func isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

func parseNow(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, vntext.Location); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("build: --now %q is not a time (want 2023-04-10 or 2023-04-10T08:00:00+07:00)", s)
}
