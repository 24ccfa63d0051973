// Package smtptest is a real SMTP server on 127.0.0.1 for tests
// (github.com/emersion/go-smtp as the server): it keeps every message it
// accepts, can refuse a number of tries first, and counts every try, so
// that a test reads back what a mail client would have received.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"log"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one accepted message.
type Mail struct {
	From string
	To   []string
	Data []byte // as received: headers, blank line, body (CRLF)
}

// Server is a running SMTP server.
type Server struct {
	Addr string // 127.0.0.1:port

	mu       sync.Mutex
	mails    []Mail
	tries    int // DATA commands and refused RCPTs seen
	refuse   int // tries still to refuse
	always   bool
	arrived  chan struct{}
	listener net.Listener
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), arrived: make(chan struct{}, 1000), listener: ln}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	srv.MaxMessageBytes = 1 << 20
	// A client that hangs up on a refusal is no error of the server's.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("smtptest: %v", err)
		}
	})
	return s
}

// Refuse makes the next n tries fail with a temporary error (451).
func (s *Server) Refuse(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = n
}

// RefuseAll makes every try fail, as a server that is down for mail would.
func (s *Server) RefuseAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always = true
}

// Mails returns the messages accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Tries is how many messages were offered, refused or not.
func (s *Server) Tries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tries
}

// Wait waits for n messages in all, at most d; it returns those there are.
func (s *Server) Wait(n int, d time.Duration) []Mail {
	deadline := time.After(d)
	for {
		if m := s.Mails(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Mails()
		}
	}
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.always || x.s.refuse > 0 {
		// Refused at RCPT, quoting the address as real servers do: the
		// sender must not log it.
		x.s.tries++
		if x.s.refuse > 0 {
			x.s.refuse--
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "<" + to + ">: try again later"}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.tries++
	x.s.mails = append(x.s.mails, Mail{From: x.from, To: x.to, Data: bytes.Clone(b)})
	x.s.mu.Unlock()
	x.s.arrived <- struct{}{}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// Read parses m as a mail client would: its headers, its subject decoded
// (RFC 2047) and its body decoded (quoted-printable or as it is).
func (m Mail) Read() (header mail.Header, subject, body string, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, "", "", err
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return nil, "", "", err
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, "", "", err
	}
	return msg.Header, subject, strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
