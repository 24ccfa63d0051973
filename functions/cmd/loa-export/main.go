// Command loa-export exports one form's submissions (cau-hoi, dai-bieu) to
// a file, as the IT person's tool for the staff data:
//
//	loa-export [flags] <form>
//
// An export reads from S3 with the standard AWS credential chain (profile,
// environment, SSO), from an S3-compatible endpoint (--endpoint, signing with
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or from the local store
// folder of `make serve` (--local .data, signing with the access key kept in
// the folder, .data/s3-credentials). It writes the same file
// staff download from the staff page, and shows a progress line.
//
// The staff secret and its hash come from command loa-secret.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/localstore"
	"loa/functions/report"
	"loa/functions/s3client"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

func main() {
	err := run(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return // -h: the flags were printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loa-export:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fl := flag.NewFlagSet("loa-export", flag.ContinueOnError)
	format := fl.String("format", "csv", "csv, xlsx, or summary (per chi đoàn, forms with a quota)")
	out := fl.String("out", "", "output file (default: the download's name, e.g. cau-hoi-2023-04-20.csv)")
	bucket := fl.String("bucket", os.Getenv("LOA_BUCKET"), "the submissions bucket (default $LOA_BUCKET)")
	prefix := fl.String("prefix", os.Getenv("LOA_PREFIX"), "key prefix of the store (default $LOA_PREFIX)")
	endpoint := fl.String("endpoint", os.Getenv("LOA_S3_ENDPOINT"), "an S3-compatible endpoint on this machine instead of AWS (default $LOA_S3_ENDPOINT)")
	local := fl.String("local", "", "read the local store `folder` of make serve (e.g. .data) instead of S3")
	contentDir := fl.String("content", "", "content folder with the form settings (default: ./content if present, else the built-in copy)")
	concurrency := fl.Int("concurrency", 64, "objects read at once")
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: loa-export [flags] <form>\n\nflags:")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() != 1 {
		fl.Usage()
		return errors.New("name one form, e.g. cau-hoi")
	}
	fmtv, err := report.ParseFormat(*format)
	if err != nil {
		return err
	}

	cfs, _ := content.Forms("content")
	if *contentDir != "" {
		if cfs, err = content.Dir(*contentDir); err != nil {
			return err
		}
	}
	reg, err := forms.Load(cfs, site.FS())
	if err != nil {
		return err
	}
	f := reg.Form(fl.Arg(0))
	if f == nil {
		var ids []string
		for _, f := range reg.Forms() {
			ids = append(ids, f.ID)
		}
		return fmt.Errorf("no form %q (have: %s)", fl.Arg(0), strings.Join(ids, ", "))
	}

	// Every row read is short-lived garbage and the live heap is bounded by
	// the exporter's run budget: a higher GC target trades a few megabytes
	// for much less collector work.
	debug.SetGCPercent(400)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var api *s3.Client
	var stopLocal func() error
	switch {
	case *local != "":
		if *bucket == "" {
			*bucket = "loa"
		}
		if api, stopLocal, err = openLocal(*local, *bucket); err != nil {
			return err
		}
		defer stopLocal()
	case *endpoint != "":
		creds := aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
		if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
			return errors.New("--endpoint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the endpoint's key (for the local store of make serve, use --local .data)")
		}
		if api, err = localstore.NewClient(*endpoint, creds); err != nil {
			return err
		}
	default:
		if api, err = s3client.New(ctx, s3client.Options{}); err != nil {
			return err
		}
	}
	if *bucket == "" {
		return errors.New("no bucket: give --bucket or set LOA_BUCKET (or --local .data for the local store)")
	}
	st, err := store.New(api, store.Config{Bucket: *bucket, Prefix: *prefix})
	if err != nil {
		return err
	}
	ex, err := export.New(export.Config{Store: st, Concurrency: *concurrency})
	if err != nil {
		return err
	}

	name := *out
	if name == "" {
		name = export.FileName(f.ID, fmtv, time.Now())
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	start := time.Now()
	progress := func(n int) {
		fmt.Fprintf(os.Stderr, "\rĐã đọc %s câu trả lời (%.1f giây)…", vntext.Number(n), time.Since(start).Seconds())
	}
	res, err := ex.Write(ctx, f, fmtv, tmp, progress)
	if err != nil {
		tmp.Close()
		fmt.Fprintln(os.Stderr)
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\rĐã ghi %s dòng vào %s (%.1f giây).          \n", vntext.Number(res.Rows), name, time.Since(start).Seconds())
	if from := res.Rows - res.Fresh; from > 0 {
		fmt.Fprintf(os.Stderr, "%s dòng lấy từ bản tổng hợp lần trước, %s dòng đọc mới từ kho.\n", vntext.Number(from), vntext.Number(res.Fresh))
	}
	return nil
}

// openLocal opens the local store folder dir, with the access key kept in
// it (made here if the folder has none yet). While make serve has the folder
// open, the client goes through serve's S3 server, which asks for that key.
func openLocal(dir, bucket string) (*s3.Client, func() error, error) {
	noop := func() error { return nil }
	creds, err := localstore.DirCredentials(dir)
	if err != nil {
		return nil, noop, err
	}
	srv, err := localstore.Start(localstore.Options{Dir: dir, Buckets: []string{bucket}, Credentials: creds})
	if busy, ok := errors.AsType[*localstore.BusyError](err); ok && busy.Endpoint != "" {
		// make serve has the store open: go through its S3 server.
		fmt.Fprintf(os.Stderr, "Kho %s đang được make serve dùng: đọc qua máy chủ S3 của nó (%s).\n", dir, busy.Endpoint)
		c, err := localstore.NewClient(busy.Endpoint, creds)
		return c, noop, err
	}
	if err != nil {
		return nil, noop, err
	}
	return srv.Client, srv.Close, nil
}
