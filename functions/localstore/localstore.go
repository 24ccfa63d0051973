// Package localstore runs an S3-compatible server (gofakes3) on 127.0.0.1 so
// that local runs and tests speak S3 through the real aws-sdk-go-v2 client,
// exactly as on AWS.
//
// As S3 does, the server answers only requests signed (AWS Signature
// Version 4, sigv4.go) with its access key: Options.Credentials. A store
// folder keeps its key in dir/s3-credentials, readable by its owner only
// (DirCredentials), so that another process of the same user can reach
// the server of the process holding the folder, and nobody else can.
//
// Without a directory everything is in memory (tests). With one, the store
// is gofakes3's in-memory backend made durable by a journal, dir/objects.journal:
// every mutation (put, delete, bucket create and delete) is appended to it as
// one checksummed record before it is applied and answered, and Start
// replays the journal. It replaced gofakes3's on-disk backend (s3afero),
// which opened two files per object under one global lock and capped the
// form handler at a few hundred submissions a second.
//
// Durability: a record is handed to the kernel with write(2) before the
// request is answered, so an acknowledged write survives the process dying
// at any point (kill -9, panic); a record torn by such a death was never
// acknowledged and is dropped on replay. There is no fsync per write (the
// on-disk backend had none either): a power loss may lose the last seconds
// of writes. That is the trade for a local development store; on AWS, S3 is
// the durable store. Close does fsync.
//
// Three things that were slow through gofakes3 are done here instead: a
// listing of a prefix walks only the keys under it (list.go), a plain read
// of an object is answered from the backend without gofakes3's router
// (read.go), and a small object's body is answered in one write with its
// headers (answer.go).
//
// Memory: every object is held in memory, as in the in-memory backend, and
// a restart reads the whole journal. 100,000 objects of about a kilobyte (a
// form submission is less) make a 140 MB journal, take about 240 MB of heap
// and replay in about a second on two cores (BenchmarkReplay100k).
// Overwritten and deleted objects stay in the journal until it is next
// opened: a journal over 32 MB that is mostly such records is then
// rewritten with the live ones (compact.go). The form store writes each
// submission once; the export's snapshot is what gets rewritten.
package localstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"loa/functions/s3client"
)

// Server is a running local S3.
type Server struct {
	Endpoint    string          // e.g. "http://127.0.0.1:41234"
	Credentials aws.Credentials // the only access key the server answers
	Client      *s3.Client      // from NewClient, signing with Credentials
	srv         *http.Server
	done        chan error
	journal     *journal // nil in memory
	mu          sync.Mutex
	fresh       map[net.Conn]bool // connections that have not sent a request yet
}

// Options say how to start a local S3.
type Options struct {
	// Dir is the store folder; "" keeps everything in memory.
	Dir string
	// Buckets are created when they do not exist yet.
	Buckets []string
	// Credentials are the one access key the server accepts: every request
	// must be signed with it (sigv4.go). Required: a folder's is
	// DirCredentials, a throwaway server's NewCredentials.
	Credentials aws.Credentials
	// Now is the clock signatures are checked against; nil: time.Now.
	Now func() time.Time
	// Logger notes refused requests (never a key or a path); nil: none.
	Logger *slog.Logger
}

// Start serves S3 on a random port of 127.0.0.1 and creates the buckets
// that do not exist yet.
//
// One process at a time has a store folder open: Start locks it, and
// answers a *BusyError, with the holder's endpoint, while another process
// holds it. That process's server can be used instead (NewClient, with
// the folder's ReadCredentials).
func Start(o Options) (*Server, error) {
	if o.Credentials.AccessKeyID == "" || o.Credentials.SecretAccessKey == "" {
		return nil, errors.New("localstore: no access key: give Options.Credentials (DirCredentials or NewCredentials)")
	}
	dir, buckets := o.Dir, o.Buckets
	var backend gofakes3.Backend = s3mem.New()
	var j *journal
	if dir != "" {
		var err error
		if j, err = openDir(dir); err != nil {
			return nil, err
		}
		backend = j
	}
	fail := func(err error) (*Server, error) {
		if j != nil {
			j.Close()
		}
		return nil, err
	}
	for _, b := range buckets {
		ok, err := backend.BucketExists(b)
		if err != nil {
			return fail(fmt.Errorf("localstore: bucket %s: %w", b, err))
		}
		if !ok {
			if err := backend.CreateBucket(b); err != nil {
				return fail(fmt.Errorf("localstore: create bucket %s: %w", b, err))
			}
		}
	}
	faker := gofakes3.New(ranged{backend},
		gofakes3.WithLogger(gofakes3.DiscardLog()),
		gofakes3.WithIntegrityCheck(true),
	)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(fmt.Errorf("localstore: %w", err))
	}
	s := &Server{
		Endpoint:    "http://" + ln.Addr().String(),
		Credentials: o.Credentials,
		srv: &http.Server{
			Handler:           newVerifier(o.Credentials, o.Now, o.Logger, &plainReads{backend: backend, next: faker.Server()}),
			ReadHeaderTimeout: 10 * time.Second,
		},
		done:    make(chan error, 1),
		journal: j,
	}
	s.srv.ConnState = s.track
	go func() { s.done <- s.srv.Serve(ln) }()
	if s.Client, err = NewClient(s.Endpoint, o.Credentials); err != nil {
		s.Close()
		return nil, err
	}
	if j != nil {
		if err := j.publishEndpoint(s.Endpoint); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// track remembers the connections that have not sent a request yet. The
// SDK's transport opens spare connections to loopback that may never be
// used; Shutdown counts them as busy for 5 seconds.
func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		if s.fresh == nil {
			s.fresh = map[net.Conn]bool{}
		}
		s.fresh[c] = true
	} else {
		delete(s.fresh, c)
	}
}

// Close stops the server, then syncs and closes the journal.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.mu.Lock()
	for c := range s.fresh {
		c.Close() // no request in flight on it: nothing to wait for
	}
	s.mu.Unlock()
	err := s.srv.Shutdown(ctx)

	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if s.journal != nil {
		if jerr := s.journal.Close(); err == nil {
			err = jerr
		}
	}
	return err
}

// Env is the server's access key as the environment variables of the AWS
// SDKs, for a child process that reaches the server (the function's
// bootstrap, the export command with --endpoint).
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + s.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN=",
	}
}

// NewClient returns an S3 client for a local store's endpoint, signing with
// creds (package s3client has the rule).
func NewClient(endpoint string, creds aws.Credentials) (*s3.Client, error) {
	return s3client.New(context.Background(), s3client.Options{Endpoint: endpoint, Credentials: creds})
}
