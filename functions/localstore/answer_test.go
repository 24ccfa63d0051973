package localstore

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// countingListener counts the writes to the connections it accepts.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countingConn{c, &l.writes}, nil
}

type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// ReadFrom is there as on a *net.TCPConn (which copies a reader that is
// no file or socket through its writes), so that net/http takes the path
// it takes on a real connection.
func (c countingConn) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{c}, r)
}

// TestSmallAnswerInOneWrite: an object's body answered as gofakes3
// answers it (Content-Length, then io.Copy from a reader net/http cannot
// see into) leaves with its headers in one write when it is small, and
// whole in every case. Without the wrapper a body past 512 bytes takes
// two writes (the control).
func TestSmallAnswerInOneWrite(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wrap   bool
		size   int
		writes int64 // -1: more than one
	}{
		{"submission, wrapped", true, 700, 1},
		{"submission, bare", false, 700, 2},
		{"snapshot, wrapped", true, 200 << 10, -1},
	} {
		body := strings.Repeat("ổ", tc.size/len("ổ"))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cl := &countingListener{Listener: ln}
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			io.Copy(w, struct{ io.Reader }{strings.NewReader(body)})
		})
		if tc.wrap {
			next := h
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next.ServeHTTP(smallAnswers{w}, r) })
		}
		srv := &http.Server{Handler: h}
		go srv.Serve(cl)
		resp, err := http.Get("http://" + ln.Addr().String() + "/b/k")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		srv.Close()
		if err != nil || string(got) != body {
			t.Errorf("%s: read %d bytes (%v), want the %d written", tc.name, len(got), err, len(body))
		}
		if n := cl.writes.Load(); n != tc.writes && (tc.writes != -1 || n < 2) {
			t.Errorf("%s: %d writes, want %d (-1: more than one)", tc.name, n, tc.writes)
		}
	}
}
