// Package localstore runs an S3-compatible server (gofakes3) on 127.0.0.1 so
// that local runs and tests speak S3 through the real aws-sdk-go-v2 client,
// exactly as on AWS.
//
// With a directory, objects live in files under dir/buckets/{bucket}/ (the
// s3afero backend) and survive restarts; gofakes3's own metadata goes to
// dir/meta/. Without one, everything is in memory (tests).
package localstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a running local S3.
type Server struct {
	Endpoint string     // e.g. "http://127.0.0.1:41234"
	Client   *s3.Client // path-style, static credentials, region us-east-1
	srv      *http.Server
	done     chan error
}

// Start serves S3 on a random port of 127.0.0.1 and creates the buckets
// that do not exist yet. dir "" keeps everything in memory.
func Start(dir string, buckets ...string) (*Server, error) {
	backend, err := newBackend(dir)
	if err != nil {
		return nil, err
	}
	for _, b := range buckets {
		ok, err := backend.BucketExists(b)
		if err != nil {
			return nil, fmt.Errorf("localstore: bucket %s: %w", b, err)
		}
		if !ok {
			if err := backend.CreateBucket(b); err != nil {
				return nil, fmt.Errorf("localstore: create bucket %s: %w", b, err)
			}
		}
	}
	faker := gofakes3.New(backend,
		gofakes3.WithLogger(gofakes3.DiscardLog()),
		gofakes3.WithIntegrityCheck(true),
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	s := &Server{
		Endpoint: "http://" + ln.Addr().String(),
		srv:      &http.Server{Handler: faker.Server(), ReadHeaderTimeout: 10 * time.Second},
		done:     make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	s.Client = NewClient(s.Endpoint)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// NewClient returns an S3 client for a local endpoint. The HTTP client is
// set on the S3 options (not through config.WithHTTPClient, which fails when
// AWS_CA_BUNDLE is set) and keeps enough idle connections for a burst of
// concurrent requests to loopback.
func NewClient(endpoint string) *s3.Client {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns = 512
		t.MaxIdleConnsPerHost = 512
	})
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("loa-local", "loa-local-secret", ""),
		HTTPClient:                 httpClient,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

func newBackend(dir string) (gofakes3.Backend, error) {
	if dir == "" {
		return s3mem.New(), nil
	}
	for _, sub := range []string{"buckets", "meta"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("localstore: %w", err)
		}
	}
	data, err := s3afero.FsPath(filepath.Join(dir, "buckets"), 0)
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	meta, err := s3afero.FsPath(filepath.Join(dir, "meta"), 0)
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	b, err := s3afero.MultiBucket(data, s3afero.MultiWithMetaFs(meta))
	if err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	return b, nil
}
