package publish

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/build/province"
	"loa/functions/s3client"
)

// Main is the publish command: it parses args (without the command name),
// syncs, and prints one line per change and a summary on standard output.
//
//	publish --bucket NAME [--dir public] [--prefix P] [--dry-run] [--force]
//	        [--region R] [--endpoint URL]
//	publish --province DIR --bucket NAME --data-bucket NAME [--data-prefix P] [--hosts ARN] [...]
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
		prov     ProvinceOptions
		provDir  string
	)
	fl.StringVar(&opt.Bucket, "bucket", "", "the site bucket (the stack's SiteBucketName output)")
	fl.StringVar(&opt.Dir, "dir", "public", "the built site")
	fl.StringVar(&opt.Prefix, "prefix", "", "key prefix in the bucket")
	fl.BoolVar(&opt.DryRun, "dry-run", false, "list what would change, change nothing")
	fl.BoolVar(&opt.Force, "force", false, "upload every file even if unchanged (after the header rules changed)")
	fl.StringVar(&region, "region", "", "AWS region of the bucket (default: from the AWS configuration)")
	fl.StringVar(&endpoint, "endpoint", "", "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (path-style, signed with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
	fl.BoolVar(&quiet, "quiet", false, "print only the summary")
	fl.StringVar(&provDir, "province", "", "publish a built province (build --province): each unit under <unit>/, the province page under _tinh/")
	fl.StringVar(&prov.DataBucket, "data-bucket", "", "with --province: the submissions bucket (the stack's SubmissionsBucketName), where the function reads each unit's forms")
	fl.StringVar(&prov.DataPrefix, "data-prefix", "", "with --province: the function's key prefix (the stack's KeyPrefix)")
	var hostsARN string
	fl.StringVar(&hostsARN, "hosts", "", "with --province: the ARN of the CloudFront KeyValueStore of hosts (the stack's UnitHostsArn), written through the AWS CLI")
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
	if provDir != "" {
		if opt.Prefix != "" {
			return errors.New("publish: --prefix with --province: each unit has its own prefix, its name")
		}
		if prov.Province, err = province.Load(provDir); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		prov.Dir, prov.Bucket, prov.DryRun, prov.Force, prov.Log = opt.Dir, opt.Bucket, opt.DryRun, opt.Force, opt.Log
		if hostsARN != "" {
			prov.Hosts = CLIHosts{ARN: hostsARN}
		}
		res, err := PublishProvince(ctx, client, prov)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, res)
		return nil
	}
	res, err := Sync(ctx, client, opt)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, res)
	return nil
}

// NewClient returns an S3 client (package s3client has the rule): for AWS,
// from the standard configuration chain (environment, profile, SSO,
// instance role); with an endpoint, for an S3-compatible store reached
// path-style, signed with the AWS_* keys of the environment.
func NewClient(ctx context.Context, region, endpoint string) (*s3.Client, error) {
	o := s3client.Options{Endpoint: endpoint, Region: region}
	if endpoint != "" {
		o.Credentials = aws.Credentials{AccessKeyID: os.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
		if o.Credentials.AccessKeyID == "" || o.Credentials.SecretAccessKey == "" {
			return nil, fmt.Errorf("publish: --endpoint %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to its key", endpoint)
		}
	}
	client, err := s3client.New(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return client, nil
}
