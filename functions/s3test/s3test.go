// Package s3test is the one S3 fixture of Loa's tests: the local S3
// (localstore, gofakes3 on 127.0.0.1) spoken to with the real
// aws-sdk-go-v2 client, and a store on it. No mocks: a test that needs to
// count or fail requests wraps the client (Options.Wrap), and every request
// still goes over HTTP to the server.
package s3test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/localstore"
	"loa/functions/store"
)

// Bucket is the bucket the fixture creates.
const Bucket = "loa-test"

// Options says how to set a fixture up; the zero value is an in-memory
// server and a store without a prefix.
type Options struct {
	// Dir holds the on-disk store (the journal, as make serve runs it);
	// "" keeps everything in memory.
	Dir string
	// Config is the store's; its Bucket is set to Bucket.
	Config store.Config
	// Wrap, if set, sits between the store and the client: to count,
	// slow or fail requests.
	Wrap func(store.API) store.API
}

// Fixture is a running local S3 and a store on it.
type Fixture struct {
	Server *localstore.Server // Server.Client reaches the bucket past the store
	Store  *store.Store
	close  func() error
}

// New starts the server, closed when the test ends, and the store. The
// server asks for a key of its own, made here (Server.Credentials, and
// Server.Env for a child process).
func New(t testing.TB, o Options) *Fixture {
	t.Helper()
	srv, err := localstore.Start(localstore.Options{Dir: o.Dir, Buckets: []string{Bucket}, Credentials: localstore.NewCredentials()})
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	fx := &Fixture{Server: srv, close: sync.OnceValue(srv.Close)}
	t.Cleanup(func() { fx.close() })
	var api store.API = srv.Client
	if o.Wrap != nil {
		api = o.Wrap(api)
	}
	cfg := o.Config
	cfg.Bucket = Bucket
	if cfg.Presign == nil {
		cfg.Presign = s3.NewPresignClient(srv.Client) // a wrapped client is no *s3.Client
	}
	st, err := store.New(api, cfg)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	fx.Store = st
	return fx
}

// Close stops the server now, for a test of a store whose S3 is down.
func (f *Fixture) Close() error { return f.close() }

// Keys lists every key under prefix, straight from the server: for tests
// that check what the store left in the bucket.
func (f *Fixture) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(f.Server.Client, &s3.ListObjectsV2Input{Bucket: aws.String(Bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("s3test: list %s: %v", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// Delete deletes key straight from the server, as a lifecycle rule or
// another client would.
func (f *Fixture) Delete(t testing.TB, key string) {
	t.Helper()
	if _, err := f.Server.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(Bucket), Key: &key}); err != nil {
		t.Fatalf("s3test: delete %s: %v", key, err)
	}
}
