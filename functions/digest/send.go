package digest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/emersion/go-smtp"
)

// SMTP sends through a mail server that takes mail from this machine
// without signing in (a relay on the office's network, or a local
// catcher while trying Loa out): `serve --smtp` and LOA_SMTP name it.
type SMTP struct {
	Addr string // host:port
	// Hello is the name given in EHLO; "" means "localhost".
	Hello string
}

// Send delivers msg to to, within ctx's deadline.
func (s SMTP) Send(ctx context.Context, from, to string, msg []byte) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	} else {
		conn.SetDeadline(time.Now().Add(time.Minute))
	}
	// Closing the connection is what ends a try the context gave up on.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c := smtp.NewClient(conn)
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	if err := c.SendMail(from, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	if err := c.Quit(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("smtp %s: %w", s.Addr, err)
	}
	return nil
}

// SESAPI is the part of *sesv2.Client that SES uses.
type SESAPI interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends through Amazon SES (API v2), as the Lambda function does: the
// message is sent as it is written (raw), from an identity verified in
// SES; in the SES sandbox only to verified addresses.
type SES struct {
	API SESAPI
}

// Send hands msg to SES.
func (s SES) Send(ctx context.Context, from, to string, msg []byte) error {
	_, err := s.API.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: &from,
		Destination:      &types.Destination{ToAddresses: []string{to}},
		Content:          &types.EmailContent{Raw: &types.RawMessage{Data: msg}},
	})
	if err != nil {
		return fmt.Errorf("ses: %w", err)
	}
	return nil
}
