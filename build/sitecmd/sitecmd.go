// Package sitecmd is the site builder's command line: its flags, and what
// it prints. Two commands run it: "build" of Loa's whole command line
// (go run ./build build), and the builder's own command, build/cmd/site,
// which `make site` runs. That one links the builder alone, none of the
// forms service, the AWS SDK or the spreadsheet writer, so that it starts
// in a millisecond and its memory is the build's: a build of a thousand
// pages peaks at about 46 MB in it, 59 MB in the whole command line, whose
// packages' initialisation and code pages take 13 MB before a file is read.
package sitecmd

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"loa/build/builder"
	"loa/build/province"
	"loa/content"
	"loa/functions/vntext"
	"loa/site"
)

// Main runs the site builder with the command line args (flags only):
// content → public/.
//
// The content is read from the folder on disk (./content, or --content), so
// that a page may have any file name a person saves. The layouts and assets
// are the embedded ones unless --layouts names a folder holding layouts/ and
// assets/; the forms on the pages are drawn with those layouts too.
func Main(args []string) error {
	fl := flag.NewFlagSet("build", flag.ContinueOnError)
	contentDir := fl.String("content", "content", "content folder")
	layoutsDir := fl.String("layouts", "", "folder with layouts/ and assets/ to use instead of the embedded site/")
	out := fl.String("out", "public", "output folder, replaced only when the build succeeds")
	drafts := fl.Bool("drafts", false, "include drafts")
	future := fl.Bool("future", false, "include pages whose publishDate is in the future")
	expired := fl.Bool("expired", false, "include pages whose expiryDate has passed")
	baseURL := fl.String("baseURL", "", "absolute URL of the site (default: baseURL of site.yaml)")
	now := fl.String("now", "", "the time to build as of, e.g. 2023-04-10 or 2023-04-10T08:00:00+07:00 (default: now)")
	provinceDir := fl.String("province", "", "a province folder (tinh.yaml and one content folder per unit) to build instead of --content")
	force := fl.Bool("force", false, "with --province: build every unit, even those whose inputs did not change")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the build to this file (for go tool pprof)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("build: unexpected argument %q", fl.Arg(0))
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("build: --cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return fmt.Errorf("build: --cpuprofile: %w", err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	var at time.Time
	if *now != "" {
		t, err := vntext.ParseTime(*now)
		if err != nil {
			return fmt.Errorf("build: --now: %w", err)
		}
		at = t
	}
	if *provinceDir != "" {
		if *baseURL != "" {
			return errors.New("build: --baseURL names one site; a province's addresses are in its tinh.yaml (unitURL)")
		}
		opts := province.Options{Out: *out, Drafts: *drafts, Future: *future, Expired: *expired, Now: at, Force: *force}
		if *layoutsDir != "" {
			var err error
			if opts.Site, err = site.Dir(*layoutsDir); err != nil {
				return fmt.Errorf("build: %w", err)
			}
		}
		return buildProvince(*provinceDir, opts)
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
	opts.Now = at
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

// buildProvince builds every unit of the province in dir, and its page.
// A unit that fails is named with its file and line, the others are
// built all the same, and the command then fails.
func buildProvince(dir string, opts province.Options) error {
	p, err := province.Load(dir)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	res, err := province.Build(p, opts)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for _, u := range res.Units {
		switch {
		case u.Err != nil:
			fmt.Printf("  %-28s lỗi\n", u.Unit.Slug)
		case u.Skipped:
			fmt.Printf("  %-28s không đổi\n", u.Unit.Slug)
		default:
			fmt.Printf("  %-28s %s\n", u.Unit.Slug, u.Build)
			for _, w := range u.Build.Warnings {
				fmt.Fprintf(os.Stderr, "warning: %s: %s\n", u.Unit.Slug, w)
			}
		}
	}
	fmt.Printf("built %s: %s\n", opts.Out, res)
	if err := res.Err(); err != nil {
		return fmt.Errorf("build: %d/%d đơn vị không dựng được:\n%w", res.Failed(), len(res.Units), err)
	}
	return nil
}
