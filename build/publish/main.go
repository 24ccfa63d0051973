package publish

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Main is the publish command: it parses args (without the command name),
// syncs, and prints one line per change and a summary on standard output.
//
//	publish --bucket NAME [--dir public] [--prefix P] [--dry-run] [--force]
//	        [--region R] [--endpoint URL]
func Main(ctx context.Context, args []string) error {
	return Run(ctx, args, os.Stdout, os.Stderr)
}

// Run is Main with its output streams given.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("publish", flag.ContinueOnError)
	fl.SetOutput(stderr)
	var (
		opt      Options
		region   string
		endpoint string
		quiet    bool
	)
	fl.StringVar(&opt.Bucket, "bucket", "", "the site bucket (the stack's SiteBucketName output)")
	fl.StringVar(&opt.Dir, "dir", "public", "the built site")
	fl.StringVar(&opt.Prefix, "prefix", "", "key prefix in the bucket")
	fl.BoolVar(&opt.DryRun, "dry-run", false, "list what would change, change nothing")
	fl.BoolVar(&opt.Force, "force", false, "upload every file even if unchanged (after the header rules changed)")
	fl.StringVar(&region, "region", "", "AWS region of the bucket (default: from the AWS configuration)")
	fl.StringVar(&endpoint, "endpoint", "", "S3 endpoint of a local store, e.g. http://127.0.0.1:9000 (path-style)")
	fl.BoolVar(&quiet, "quiet", false, "print only the summary")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: publish --bucket NAME [flags]\n\nSyncs the built site to an S3 bucket: changed files uploaded, removed files deleted.\n\nflags:")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("publish: unexpected argument %q", fl.Arg(0))
	}
	if opt.Bucket == "" {
		fl.Usage()
		return errors.New("publish: --bucket is required")
	}
	if !quiet {
		opt.Log = stdout
	}
	client, err := NewClient(ctx, region, endpoint)
	if err != nil {
		return err
	}
	res, err := Sync(ctx, client, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// NewClient returns an S3 client: for AWS, from the standard configuration
// chain (environment, profile, SSO, instance role); with an endpoint, for
// an S3-compatible store reached path-style.
//
// A custom HTTP client, when needed, is set on the S3 options rather than
// with config.WithHTTPClient: the latter fails when AWS_CA_BUNDLE is set.
func NewClient(ctx context.Context, region, endpoint string) (*s3.Client, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if endpoint != "" {
		// A local store accepts any key; do not go looking for real
		// credentials (or wait for an instance metadata service) for it.
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("loa-local", "loa-local-secret", "")))
		}
		if region == "" && os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
			opts = append(opts, config.WithRegion("us-east-1"))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("publish: AWS configuration: %w", err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint == "" {
			return
		}
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.HTTPClient = awshttp.NewBuildableClient()
		// Local stores may not understand streamed trailing checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}
