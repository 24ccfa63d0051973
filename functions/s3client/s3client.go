// Package s3client makes every S3 client of Loa: the function's, the local
// store's (and so serve's, the benchmarks' and the tests'), the export
// command's and publish's. [New] is the only constructor.
//
// The rule, for AWS and for custom endpoints alike: the HTTP client is put
// into the aws.Config before the S3 client is made from it, and nothing
// replaces it afterwards. Neither config.WithHTTPClient (it fails when
// AWS_CA_BUNDLE is set) nor the HTTPClient field of the S3 options (it
// silently drops the bundle) is used.
//
//   - AWS (no endpoint): the standard configuration chain, from
//     config.LoadDefaultConfig (environment, profile, SSO, the function's
//     role). Its HTTP client already trusts AWS_CA_BUNDLE; it is only
//     given more idle connections (an export reads many objects at once).
//   - An endpoint (the local store, or another S3-compatible server): the
//     AWS configuration is not read at all. The caller gives the
//     credentials, the region is us-east-1 unless given, requests are
//     path-style, and checksums are computed only where S3 requires them
//     (not every S3-compatible server checks the SDK's default ones). For
//     an https endpoint the HTTP client is the same, and it trusts
//     AWS_CA_BUNDLE, when set, as the AWS path does; a plain-http endpoint
//     (the local store on 127.0.0.1) is reached through direct, which
//     writes each request and reads its answer on the caller's goroutine
//     (direct.go).
//
// Both send through that client by way of smallBodies, which hands a small
// request body to net/http as the bytes it is, so that a put goes out in
// one write (see smallBodies).
package s3client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Options say which S3 to reach.
type Options struct {
	// Endpoint is the URL of an S3-compatible server, e.g.
	// "http://127.0.0.1:9000". Empty: AWS.
	Endpoint string

	// Region of the bucket. Empty: from the AWS configuration on AWS,
	// us-east-1 with an endpoint.
	Region string

	// Credentials sign the requests to Endpoint; required with an
	// endpoint, and must be empty without one (AWS's come from its chain).
	Credentials aws.Credentials
}

// idleConns is how many idle connections the HTTP client keeps, in all
// and per host: enough for a burst of concurrent requests (an export reads
// 64 objects at once; a load test sends hundreds of submissions).
const idleConns = 512

// New returns the S3 client for o, following the package's rule.
func New(ctx context.Context, o Options) (*s3.Client, error) {
	if o.Endpoint == "" {
		return newAWS(ctx, o)
	}
	return newEndpoint(o)
}

func newAWS(ctx context.Context, o Options) (*s3.Client, error) {
	if o.Credentials != (aws.Credentials{}) {
		return nil, errors.New("s3client: credentials given without an endpoint: on AWS they come from the standard configuration chain")
	}
	var opts []func(*config.LoadOptions) error
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3client: AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("s3client: no AWS region: set AWS_REGION, or a region in the AWS profile")
	}
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		// WithTransportOptions keeps the options already set, the CA
		// bundle among them.
		cfg.HTTPClient = widen(bc)
	}
	return s3.NewFromConfig(cfg, sendSmallBodiesWhole), nil
}

func newEndpoint(o Options) (*s3.Client, error) {
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("s3client: endpoint %q is not an http:// or https:// URL with a host", o.Endpoint)
	}
	if o.Credentials.AccessKeyID == "" || o.Credentials.SecretAccessKey == "" {
		return nil, fmt.Errorf("s3client: endpoint %s: no credentials: give an access key ID and a secret access key", o.Endpoint)
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	bc := widen(awshttp.NewBuildableClient())
	if bundle := os.Getenv("AWS_CA_BUNDLE"); bundle != "" && u.Scheme == "https" {
		roots, err := caBundle(bundle)
		if err != nil {
			return nil, err
		}
		bc = bc.WithTransportOptions(func(t *http.Transport) {
			if t.TLSClientConfig == nil {
				t.TLSClientConfig = &tls.Config{}
			}
			t.TLSClientConfig.RootCAs = roots
		})
	}
	var client aws.HTTPClient = bc
	if u.Scheme == "http" {
		host := u.Host
		if u.Port() == "" {
			host = net.JoinHostPort(u.Hostname(), "80")
		}
		client = &http.Client{Transport: newDirect(host)}
	}
	creds := o.Credentials
	cfg := aws.Config{
		Region: region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return creds, nil
		}),
		HTTPClient:                 client,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		so.BaseEndpoint = aws.String(o.Endpoint)
		so.UsePathStyle = true
	}, sendSmallBodiesWhole), nil
}

// sendSmallBodiesWhole wraps the HTTP client the SDK has resolved (its
// timeouts applied) in smallBodies.
func sendSmallBodiesWhole(o *s3.Options) {
	o.HTTPClient = smallBodies{o.HTTPClient}
}

// smallBody is the largest body smallBodies holds in memory: a
// submission, a quota slot, an answer or an account is far below it; a
// snapshot or an export file, read from a temporary file, is above.
const smallBody = 64 << 10

// smallBodies gives net/http a request's body of a known, small length as
// an in-memory reader. net/http writes a request's headers out before a
// body it cannot tell is in memory, and the SDK's stream hides the
// store's bytes.Reader from it: every put of a submission went out in two
// writes, and the server woke up to each. In one write a put to the local
// store took 18% less CPU (both sides). Larger bodies stream as before.
type smallBodies struct {
	aws.HTTPClient
}

func (c smallBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength <= 0 || r.ContentLength > smallBody {
		return c.HTTPClient.Do(r)
	}
	b := make([]byte, r.ContentLength)
	_, err := io.ReadFull(r.Body, b)
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("s3client: reading the request body: %w", err)
	}
	r = r.WithContext(r.Context()) // the SDK's request is left as it was given
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.HTTPClient.Do(r)
}

// Unwrap is the HTTP client the SDK resolved.
func (c smallBodies) Unwrap() aws.HTTPClient { return c.HTTPClient }

func widen(bc *awshttp.BuildableClient) *awshttp.BuildableClient {
	return bc.WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = idleConns
		t.MaxIdleConnsPerHost = idleConns
	})
}

// caBundle reads the PEM certificates of AWS_CA_BUNDLE.
func caBundle(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("s3client: AWS_CA_BUNDLE: %w", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("s3client: AWS_CA_BUNDLE: %s holds no PEM certificate", path)
	}
	return roots, nil
}
