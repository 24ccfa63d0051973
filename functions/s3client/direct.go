package s3client

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// direct is the HTTP transport of a client of a plain-http endpoint (the
// local store on 127.0.0.1): HTTP/1.1 keep-alive connections, each request
// written and its answer read on the caller's goroutine. net/http's
// Transport runs two goroutines per connection and hands every request and
// answer across them; for the thousands of small requests of an export
// without a snapshot, or of a form under load, those hand-offs cost more
// CPU than the requests' bytes (BenchmarkGetObject in package localstore).
//
// What it does not do, as nothing it talks to needs it: TLS, proxies,
// HTTP/2, compression, connection limits. A request whose context ends
// has its connection's deadline moved to the past, which ends the read or
// write in progress; the connection is then closed, never reused.
type direct struct {
	addr   string // host:port
	dialer net.Dialer

	mu   sync.Mutex
	idle []*directConn
}

type directConn struct {
	c  net.Conn
	br *bufio.Reader
	bw *bufio.Writer
}

// bufSize holds a form's submission, its headers and its answer in one
// read or write.
const bufSize = 16 << 10

func newDirect(addr string) *direct {
	return &direct{addr: addr, dialer: net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}}
}

func (t *direct) get(ctx context.Context) (*directConn, bool, error) {
	t.mu.Lock()
	if n := len(t.idle); n > 0 {
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		return c, true, nil
	}
	t.mu.Unlock()
	c, err := t.dialer.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, false, err
	}
	return &directConn{c: c, br: bufio.NewReaderSize(c, bufSize), bw: bufio.NewWriterSize(c, bufSize)}, false, nil
}

func (t *direct) put(c *directConn) {
	t.mu.Lock()
	if len(t.idle) < idleConns {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.c.Close()
	}
}

// CloseIdleConnections closes the connections kept for reuse.
func (t *direct) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
}

func (t *direct) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, reused, err := t.roundTrip(req)
	// A kept connection the server has closed meanwhile fails before any
	// answer: the request is sent once more on a new one, when its body
	// can be sent again.
	if err != nil && reused && errors.Is(err, errNoAnswer) && req.Context().Err() == nil {
		if req.Body == nil || req.Body == http.NoBody || req.GetBody != nil {
			if req.GetBody != nil {
				body, gerr := req.GetBody()
				if gerr != nil {
					return nil, gerr
				}
				req = req.Clone(req.Context())
				req.Body = body
			}
			resp, _, err = t.roundTrip(req)
		}
	}
	return resp, err
}

// errNoAnswer marks a connection that ended before any byte of an answer.
var errNoAnswer = errors.New("s3client: the connection closed before an answer")

func (t *direct) roundTrip(req *http.Request) (*http.Response, bool, error) {
	ctx := req.Context()
	c, reused, err := t.get(ctx)
	if err != nil {
		return nil, false, err
	}
	stop := context.AfterFunc(ctx, func() { c.c.SetDeadline(time.Unix(1, 0)) })
	fail := func(err error) (*http.Response, bool, error) {
		stop()
		c.c.Close()
		if cerr := ctx.Err(); cerr != nil {
			err = cerr
		}
		return nil, reused, err
	}
	// A request not written whole, or not answered at all, was not
	// acted on: the server acts on a request once it has read it whole,
	// and answers every one it acts on.
	if err := req.Write(c.bw); err != nil {
		return fail(errors.Join(errNoAnswer, err))
	}
	if err := c.bw.Flush(); err != nil {
		return fail(errors.Join(errNoAnswer, err))
	}
	if _, err := c.br.Peek(1); err != nil {
		return fail(errors.Join(errNoAnswer, err))
	}
	var resp *http.Response
	for {
		if resp, err = http.ReadResponse(c.br, req); err != nil {
			return fail(err)
		}
		// An interim answer (100 Continue to a large put's Expect) is
		// followed by the real one.
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
	}
	resp.Body = &directBody{ReadCloser: resp.Body, t: t, c: c, stop: stop, keep: !resp.Close && !req.Close}
	return resp, reused, nil
}

// directBody gives its connection back for reuse when the answer is
// closed (net/http's body reads what is left of it first); an answer that
// failed, or whose request's context ended, closes its connection.
type directBody struct {
	io.ReadCloser
	t    *direct
	c    *directConn
	stop func() bool
	keep bool
	done bool
}

func (b *directBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.keep = false
	}
	return n, err
}

func (b *directBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	err := b.ReadCloser.Close()
	if b.stop() && b.keep && err == nil {
		b.t.put(b.c)
		return nil
	}
	b.c.c.Close()
	return err
}
