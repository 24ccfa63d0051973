// Package lambdahttp runs the form handler on AWS Lambda, behind a Function
// URL or an HTTP API (payload format 2.0, BUFFERED responses).
//
// Everything the bootstrap command does lives here so that it can be tested
// without Lambda: [ConfigFromEnv] reads the configuration, [New] builds the
// S3 client, the store and the handler, and returns the function that
// lambda.Start runs. Events become requests through aws-lambda-go-api-proxy
// (httpadapter.NewV2); [Adapt] adds the little that adapter leaves out (see
// fixRequest).
package lambdahttp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/store"
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

	// S3Endpoint (LOA_S3_ENDPOINT) points the S3 client at an S3-compatible
	// server, path-style. Tests and local runs only; empty on AWS.
	S3Endpoint string

	// Now (LOA_NOW, RFC 3339) fixes the instant the forms' opening and
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
		S3Endpoint:     strings.TrimSpace(getenv("LOA_S3_ENDPOINT")),

		StaffSecretHash: strings.TrimSpace(getenv("LOA_STAFF_SECRET_HASH")),
	}
	if cfg.Bucket == "" {
		return cfg, errors.New("LOA_BUCKET is not set: name the S3 bucket that keeps the submissions")
	}
	if v := strings.TrimSpace(getenv("LOA_NOW")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return cfg, fmt.Errorf("LOA_NOW: %q is not an RFC 3339 instant (want e.g. 2023-04-05T09:00:00+07:00)", v)
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
	reg, err := forms.Load(content.FS)
	if err != nil {
		return nil, err
	}
	siteCfg, err := site.LoadConfig(content.FS)
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
	return Adapt(h, cfg.ClientIPHeader), nil
}

// newS3 builds the S3 client from the standard credential chain (the
// function's role on AWS, AWS_* variables elsewhere).
//
// The HTTP client is left to LoadDefaultConfig: it honours AWS_CA_BUNDLE,
// which config.WithHTTPClient would break and a client of our own set on
// the S3 options would silently drop.
func newS3(ctx context.Context, cfg Config) (*s3.Client, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws config: %w", err)
	}
	if awsCfg.Region == "" {
		return nil, errors.New("AWS_REGION is not set")
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.S3Endpoint == "" {
			return
		}
		o.BaseEndpoint = aws.String(cfg.S3Endpoint)
		o.UsePathStyle = true
		// S3-compatible servers do not all check the SDK's default
		// checksums; ask for them only where S3 requires them.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// Adapt turns h into a Lambda function for payload 2.0 events. ipHeader is
// as in [Config.ClientIPHeader].
func Adapt(h http.Handler, ipHeader string) Func {
	return httpadapter.NewV2(fixRequest(h, ipHeader)).ProxyWithContext
}

// fixRequest repairs two things httpadapter.NewV2 (v0.16) hands over
// differently from net/http, before h sees the request. (It does decode
// base64 bodies, isBase64Encoded, itself.)
//
//   - Headers: payload 2.0 already joins repeated headers with commas, and
//     the adapter splits every value at its commas again, so that
//     "Accept: text/html, application/json" arrives as two values and
//     Header.Get sees only the first. They are joined back into one value,
//     as net/http would receive them. Cookies stay separate.
//   - Client address: the adapter puts requestContext.http.sourceIp in
//     RemoteAddr without a port. It is given one (":0"), and when ipHeader
//     is set and carries an address, that address replaces it: behind
//     CloudFront the source is an edge server, the viewer is in the header.
//     The handler then counts clients by RemoteAddr alone.
func fixRequest(h http.Handler, ipHeader string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range r.Header {
			if len(v) > 1 && k != "Cookie" {
				r.Header[k] = []string{strings.Join(v, ", ")}
			}
		}
		addr, ok := handler.ParseAddr(r.RemoteAddr)
		if ipHeader != "" {
			if a, found := handler.ParseAddr(r.Header.Get(ipHeader)); found {
				addr, ok = a, true
			}
		}
		if ok {
			r.RemoteAddr = netip.AddrPortFrom(addr, 0).String()
		}
		h.ServeHTTP(w, r)
	})
}
