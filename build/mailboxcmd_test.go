package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"loa/functions/digest"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestMailbox: the local mailbox keeps what the digest's SMTP sender hands
// it as a .eml file, and prints its subject.
func TestMailbox(t *testing.T) {
	dir := t.TempDir()
	var out syncBuffer
	srv := newMailbox(dir, &out)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	msg := "From: <loa@localhost>\r\nTo: <lan@localhost>\r\nSubject: =?utf-8?q?T=C3=B3m_t=E1=BA=AFt?=\r\n\r\nXin chào.\r\n"
	if err := (digest.SMTP{Addr: ln.Addr().String()}).Send(context.Background(), "loa@localhost", "lan@localhost", []byte(msg)); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	<-done
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("files %v, want one .eml", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "Xin chào.") || !strings.Contains(out.String(), "Thư mới: Tóm tắt") {
		t.Errorf("kept %q, printed %q", b, out.String())
	}
	if err := runMailbox([]string{"--addr", "192.0.2.1:2525", "--dir", dir}); err == nil {
		t.Error("a mailbox on an address that is not loopback was started")
	}
}
