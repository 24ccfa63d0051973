package s3client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server that counts the connections made
// to it.
func countingServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(c net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func directClient(srv *httptest.Server) (*http.Client, *direct) {
	d := newDirect(strings.TrimPrefix(srv.URL, "http://"))
	return &http.Client{Transport: d}, d
}

func do(t *testing.T, c *http.Client, method, url, body string, hdr ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Requests one after another share one connection, whatever their
// method, and each gets its own answer: a put's, a read's, a HEAD's
// (no body), an interim 100 Continue skipped.
func TestDirectReusesOneConnection(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Path", r.URL.Path)
		io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(b))
	})
	c, _ := directClient(srv)
	for i := range 50 {
		if code, body := do(t, c, "GET", srv.URL+"/a", ""); code != 200 || body != "GET /a " {
			t.Fatalf("GET %d: %d %q", i, code, body)
		}
		if code, body := do(t, c, "PUT", srv.URL+"/b", "câu hỏi"); code != 200 || body != "PUT /b câu hỏi" {
			t.Fatalf("PUT %d: %d %q", i, code, body)
		}
		if code, body := do(t, c, "HEAD", srv.URL+"/c", ""); code != 200 || body != "" {
			t.Fatalf("HEAD %d: %d %q", i, code, body)
		}
	}
	if code, body := do(t, c, "PUT", srv.URL+"/d", strings.Repeat("x", 100), "Expect", "100-continue"); code != 200 || body != "PUT /d "+strings.Repeat("x", 100) {
		t.Fatalf("PUT with Expect: %d %q", code, body)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("151 requests one after another made %d connections, want 1", n)
	}
}

// A kept connection that the server has closed meanwhile is not an error:
// the request goes again on a new connection, a put with its body.
func TestDirectRetriesAConnectionClosedWhileIdle(t *testing.T) {
	var served atomic.Int64
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	c, _ := directClient(srv)
	do(t, c, "GET", srv.URL+"/", "")
	srv.CloseClientConnections()
	time.Sleep(10 * time.Millisecond) // the close reaches the client's side
	req, _ := http.NewRequest("PUT", srv.URL+"/", strings.NewReader("hàng một"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("put after the server closed the idle connection: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hàng một" || conns.Load() != 2 || served.Load() != 2 {
		t.Errorf("answer %q over %d connections, %d served; want the body back, 2 connections, 2 served", b, conns.Load(), served.Load())
	}
}

// A request whose context ends while the server has not answered returns
// at once with the context's error, and its connection is not reused.
func TestDirectEndsWithItsContext(t *testing.T) {
	release := make(chan struct{})
	srv, conns := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "ok")
	})
	defer close(release)
	c, _ := directClient(srv)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/slow", nil)
	done := make(chan error, 1)
	go func() {
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled request: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a cancelled request did not return")
	}
	if code, body := do(t, c, "GET", srv.URL+"/fast", ""); code != 200 || body != "ok" {
		t.Errorf("after a cancelled request: %d %q", code, body)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("%d connections, want 2 (the cancelled one not reused)", n)
	}
}

// An answer closed before it is read whole leaves the connection ready
// for the next request.
func TestDirectAnswerClosedEarly(t *testing.T) {
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat(r.URL.Path, 5000))
	})
	c, _ := directClient(srv)
	for range 3 {
		resp, err := c.Get(srv.URL + "/ab")
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		io.ReadFull(resp.Body, buf)
		resp.Body.Close()
	}
	if code, body := do(t, c, "GET", srv.URL+"/c", ""); code != 200 || body != strings.Repeat("/c", 5000) {
		t.Errorf("after answers closed early: %d, %d bytes", code, len(body))
	}
}
