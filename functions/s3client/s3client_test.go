package s3client_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/s3client"
)

var creds = aws.Credentials{AccessKeyID: "test-key", SecretAccessKey: "test-secret"}

// isolate keeps this machine's AWS setup out of the test.
func isolate(t *testing.T) {
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_PROFILE": "", "AWS_CA_BUNDLE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
	} {
		t.Setenv(k, v)
	}
}

// tlsServer is an https S3 stand-in that answers every request with an
// empty bucket list, and the path of a PEM file with its certificate.
func tlsServer(t *testing.T) (*httptest.Server, string, *[]*http.Request) {
	var seen []*http.Request
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r)
		w.Header().Set("Content-Type", "application/xml")
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>`))
	}))
	t.Cleanup(srv.Close)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	return srv, bundle, &seen
}

func transport(t *testing.T, c *s3.Client) *http.Transport {
	t.Helper()
	hc := c.Options().HTTPClient
	if w, ok := hc.(interface{ Unwrap() aws.HTTPClient }); ok {
		hc = w.Unwrap() // smallBodies
	}
	bc, ok := hc.(*awshttp.BuildableClient)
	if !ok {
		t.Fatalf("HTTP client is %T, want *awshttp.BuildableClient under the small bodies' wrapper", hc)
	}
	return bc.GetTransport()
}

func TestEndpoint(t *testing.T) {
	isolate(t)
	srv, bundle, seen := tlsServer(t)
	t.Setenv("AWS_CA_BUNDLE", bundle)
	c, err := s3client.New(context.Background(), s3client.Options{Endpoint: srv.URL, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	o := c.Options()
	if o.Region != "us-east-1" || !o.UsePathStyle || aws.ToString(o.BaseEndpoint) != srv.URL ||
		o.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired {
		t.Errorf("options: region %q, path-style %v, endpoint %q, checksums %v; want us-east-1, true, %s, when required",
			o.Region, o.UsePathStyle, aws.ToString(o.BaseEndpoint), o.RequestChecksumCalculation, srv.URL)
	}
	if n := transport(t, c).MaxIdleConnsPerHost; n < 64 {
		t.Errorf("MaxIdleConnsPerHost = %d, want room for an export's 64 concurrent reads", n)
	}
	// The certificate is trusted only through AWS_CA_BUNDLE.
	if _, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets over https with AWS_CA_BUNDLE: %v", err)
	}
	if len(*seen) != 1 || !strings.Contains((*seen)[0].Header.Get("Authorization"), "Credential=test-key/") {
		t.Errorf("the server saw %d requests, want one signed with the given key", len(*seen))
	}

	// Without the bundle the server's certificate is not trusted.
	t.Setenv("AWS_CA_BUNDLE", "")
	c, err = s3client.New(context.Background(), s3client.Options{Endpoint: srv.URL, Credentials: creds})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{}); err == nil {
		t.Error("ListBuckets succeeded without AWS_CA_BUNDLE, want a certificate error")
	}
}

func TestAWSKeepsCABundle(t *testing.T) {
	isolate(t)
	_, bundle, _ := tlsServer(t)
	t.Setenv("AWS_CA_BUNDLE", bundle)
	t.Setenv("AWS_REGION", "ap-southeast-1")
	c, err := s3client.New(context.Background(), s3client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := transport(t, c)
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.RootCAs == nil {
		t.Error("the AWS client lost AWS_CA_BUNDLE's roots")
	}
	if tr.MaxIdleConnsPerHost < 64 {
		t.Errorf("MaxIdleConnsPerHost = %d, want room for an export's 64 concurrent reads", tr.MaxIdleConnsPerHost)
	}
	if c.Options().Region != "ap-southeast-1" || c.Options().BaseEndpoint != nil {
		t.Errorf("region %q, endpoint %v; want ap-southeast-1 and AWS's own", c.Options().Region, c.Options().BaseEndpoint)
	}
}

func TestErrors(t *testing.T) {
	isolate(t)
	for name, tc := range map[string]struct {
		o    s3client.Options
		want string
	}{
		"no region":            {s3client.Options{}, "AWS_REGION"},
		"credentials, no URL":  {s3client.Options{Region: "us-east-1", Credentials: creds}, "without an endpoint"},
		"endpoint, no secret":  {s3client.Options{Endpoint: "http://127.0.0.1:9000", Credentials: aws.Credentials{AccessKeyID: "k"}}, "no credentials"},
		"endpoint not a URL":   {s3client.Options{Endpoint: "127.0.0.1:9000", Credentials: creds}, "not an http:// or https:// URL"},
		"bundle is not a cert": {s3client.Options{Endpoint: "https://127.0.0.1:9000", Credentials: creds}, "no PEM certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			if name == "bundle is not a cert" {
				bad := filepath.Join(t.TempDir(), "ca.pem")
				os.WriteFile(bad, []byte("not a certificate"), 0o644)
				t.Setenv("AWS_CA_BUNDLE", bad)
			}
			_, err := s3client.New(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
