// Package lambdahttp runs the form handler on AWS Lambda, behind a Function
// URL or an HTTP API (payload format 2.0, BUFFERED responses).
//
// Everything the bootstrap command does lives here so that it can be tested
// without Lambda: [ConfigFromEnv] reads the configuration, [New] builds the
// S3 client, the store and the handler, and returns the function that
// lambda.Start runs. [Adapt] turns events into requests and responses into
// answers (adapt.go).
package lambdahttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/s3client"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// Config is what the function reads from its environment.
type Config struct {
	Bucket string // LOA_BUCKET, required
	Prefix string // LOA_PREFIX, e.g. "loa/"

	// ClientIPHeader (LOA_CLIENT_IP_HEADER) names a header set by a proxy in
	// front of the function that carries the client's address, as "ip" or
	// "ip:port" (CloudFront-Viewer-Address). Without it the client is the
	// event's requestContext.http.sourceIp, which behind CloudFront is an
	// edge server: every client would share one rate-limit bucket.
	ClientIPHeader string

	// OriginSecret (LOA_ORIGIN_SECRET) is the value CloudFront sends in
	// X-Origin-Verify; see [Door]. The stack generates it. Empty: no check
	// (local runs and tests), and ClientIPHeader is trusted as it is.
	OriginSecret string

	// S3Endpoint (LOA_S3_ENDPOINT) points the S3 client at an S3-compatible
	// server, path-style. Tests and local runs only; empty on AWS.
	S3Endpoint string

	// S3Credentials sign the requests to S3Endpoint: AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, read only with an
	// endpoint (on AWS the SDK's chain reads them, or the role's).
	S3Credentials aws.Credentials

	// Now (LOA_NOW, e.g. 2023-04-05T09:00+07:00) fixes the instant the forms' opening and
	// closing are checked against, to preview or test a form outside its
	// dates. Zero on AWS: the real clock. Submission times stay real.
	Now time.Time

	// StaffSecretHash (LOA_STAFF_SECRET_HASH) is the hash (argon2id or
	// bcrypt) of the staff secret that opens the export, stats and deletion
	// routes. Empty: those routes answer 401 to everyone.
	StaffSecretHash string
}

// ConfigFromEnv reads the configuration with getenv (os.Getenv).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Bucket:         strings.TrimSpace(getenv("LOA_BUCKET")),
		Prefix:         strings.TrimSpace(getenv("LOA_PREFIX")),
		ClientIPHeader: strings.TrimSpace(getenv("LOA_CLIENT_IP_HEADER")),
		OriginSecret:   strings.TrimSpace(getenv("LOA_ORIGIN_SECRET")),
		S3Endpoint:     strings.TrimSpace(getenv("LOA_S3_ENDPOINT")),

		StaffSecretHash: strings.TrimSpace(getenv("LOA_STAFF_SECRET_HASH")),
	}
	if cfg.S3Endpoint != "" {
		cfg.S3Credentials = aws.Credentials{
			AccessKeyID:     strings.TrimSpace(getenv("AWS_ACCESS_KEY_ID")),
			SecretAccessKey: strings.TrimSpace(getenv("AWS_SECRET_ACCESS_KEY")),
			SessionToken:    strings.TrimSpace(getenv("AWS_SESSION_TOKEN")),
			Source:          "LOA_S3_ENDPOINT",
		}
	}
	if cfg.Bucket == "" {
		return cfg, errors.New("LOA_BUCKET is not set: name the S3 bucket that keeps the submissions")
	}
	if v := strings.TrimSpace(getenv("LOA_NOW")); v != "" {
		t, err := vntext.ParseTime(v)
		if err != nil {
			return cfg, fmt.Errorf("LOA_NOW: %w", err)
		}
		cfg.Now = t
	}
	return cfg, nil
}

// Func is what lambda.Start runs.
type Func func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// New builds the handler from the environment and returns the function.
func New(ctx context.Context, getenv func(string) string, logger *slog.Logger) (Func, error) {
	cfg, err := ConfigFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	client, err := newS3(ctx, cfg)
	if err != nil {
		return nil, err
	}
	st, err := store.New(client, store.Config{Bucket: cfg.Bucket, Prefix: cfg.Prefix})
	if err != nil {
		return nil, err
	}
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		return nil, err
	}
	siteCfg, err := site.LoadConfig(content.FS, "content")
	if err != nil {
		return nil, err
	}
	exp, err := export.New(export.Config{Store: st})
	if err != nil {
		return nil, err
	}
	hc := handler.Config{
		Forms: reg, Store: st, Site: siteCfg, Logger: logger,
		Staff: exp, StaffSecretHash: cfg.StaffSecretHash,
	}
	if !cfg.Now.IsZero() {
		now := cfg.Now
		hc.Now = func() time.Time { return now }
		logger.Warn("LOA_NOW is set: form deadlines are checked against a fixed instant", slog.Time("now", now))
	}
	h, err := handler.New(hc)
	if err != nil {
		return nil, err
	}
	return Adapt(h, Door{OriginSecret: cfg.OriginSecret, IPHeader: cfg.ClientIPHeader}), nil
}

// newS3 builds the S3 client (package s3client has the rule): on AWS from
// the standard credential chain (the function's role), with LOA_S3_ENDPOINT
// from the AWS_* keys of the environment.
func newS3(ctx context.Context, cfg Config) (*s3.Client, error) {
	return s3client.New(ctx, s3client.Options{Endpoint: cfg.S3Endpoint, Credentials: cfg.S3Credentials})
}
