package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"
)

// runMailbox is `go run ./build mailbox`: an SMTP server on this machine
// that keeps every message it is given as a .eml file, so that the daily
// digest can be tried without a mail server (serve --smtp 127.0.0.1:2525).
// It takes mail only from loopback, and delivers nothing anywhere.
func runMailbox(args []string) error {
	fl := flag.NewFlagSet("mailbox", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:2525", "address to take mail on (loopback only)")
	dir := fl.String("dir", filepath.Join(".data", "mail"), "folder the messages are written to, one .eml file each")
	if err := fl.Parse(args); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fmt.Errorf("mailbox: --addr %q: want a loopback address such as 127.0.0.1:2525", *addr)
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("mailbox: %w", err)
	}
	fmt.Printf("Hộp thư thử trên máy này: máy chủ SMTP %s, thư lưu ở %s\n", ln.Addr(), *dir)
	fmt.Printf("Chạy serve với: make serve SERVE_FLAGS='--smtp %s'. Ctrl+C để dừng.\n\n", ln.Addr())
	srv := newMailbox(*dir, os.Stdout)
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
		return fmt.Errorf("mailbox: %w", err)
	}
	return nil
}

// newMailbox is the server: each message becomes dir/<time>-<n>.eml, and
// its subject a line on out.
func newMailbox(dir string, out io.Writer) *smtp.Server {
	var mu sync.Mutex
	n := 0
	keep := func(data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		n++
		name := filepath.Join(dir, fmt.Sprintf("%s-%03d.eml", time.Now().Format("20060102-150405"), n))
		if err := os.WriteFile(name, data, 0o600); err != nil {
			return err
		}
		subject := "(không có tiêu đề)"
		if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
			if s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err == nil && s != "" {
				subject = s
			}
		}
		fmt.Fprintf(out, "Thư mới: %s\n  %s\n", subject, name)
		return nil
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailboxSession{keep: keep}, nil }))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	return srv
}

type mailboxSession struct{ keep func([]byte) error }

func (s *mailboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailboxSession) Reset()                               {}
func (s *mailboxSession) Logout() error                        { return nil }
func (s *mailboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.keep(b)
}
