package s3client

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// writes counts the writes to the connections a transport dials.
type writes struct{ n atomic.Int64 }

type countingConn struct {
	net.Conn
	w *writes
}

func (c countingConn) Write(b []byte) (int, error) {
	c.w.n.Add(1)
	return c.Conn.Write(b)
}

func (w *writes) transport() *http.Transport {
	var d net.Dialer
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, w}, nil
	}}
}

// opaque is a body net/http cannot tell is in memory, as the SDK's is.
type opaque struct{ io.Reader }

// TestSmallBodyInOneWrite: a put of a submission leaves in one write of
// the connection, headers and body together, and the server reads the
// body whole; a large body is left to stream. Without the wrapper net/http
// writes the headers first (the control, which shows what it saves).
func TestSmallBodyInOneWrite(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, string(b))
	}))
	defer srv.Close()
	small := strings.Repeat("Câu hỏi, ", 60)
	large := strings.Repeat("x", smallBody+1)
	for _, tc := range []struct {
		name   string
		wrap   bool
		body   string
		writes int64
	}{
		{"small, wrapped", true, small, 1},
		{"small, bare", false, small, 2},
		{"large, wrapped", true, large, -1}, // streamed: the headers, then the body in pieces
	} {
		var w writes
		var hc interface {
			Do(*http.Request) (*http.Response, error)
		} = &http.Client{Transport: w.transport()}
		if tc.wrap {
			hc = smallBodies{hc}
		}
		req, err := http.NewRequest("PUT", srv.URL+"/loa/submissions/x.csv", opaque{strings.NewReader(tc.body)})
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = int64(len(tc.body))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		if n := w.n.Load(); n != tc.writes && (tc.writes != -1 || n < 2) {
			t.Errorf("%s: %d writes, want %d (-1: more than one)", tc.name, n, tc.writes)
		}
		if len(got) == 0 || got[len(got)-1] != tc.body {
			t.Errorf("%s: the server read a body of %d bytes, want %d", tc.name, len(got[len(got)-1]), len(tc.body))
		}
	}
}
