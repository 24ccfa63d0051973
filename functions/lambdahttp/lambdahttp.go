// Package lambdahttp runs an http.Handler on AWS Lambda, behind a Function
// URL or an HTTP API (payload format 2.0, BUFFERED responses). [Wrap]
// turns events into requests and answers into responses, and nothing else:
// no configuration, no wiring, no clock. Package service assembles the
// handler the bootstrap command wraps.
package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Func is what lambda.Start runs.
type Func func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Wrap turns h into a Lambda function for payload 2.0 events (Function URL
// or HTTP API, BUFFERED responses).
//
// The request is what net/http would have handed h: payload 2.0 joins
// repeated headers with commas, as one value, and sends the cookies apart;
// a base64 body (isBase64Encoded) is decoded. Its context is the
// invocation's, deadline included. RemoteAddr is requestContext.http.sourceIp
// with port 0: behind CloudFront an edge server, the viewer being in a
// header that h reads when it is told to trust it.
//
// The answer carries Set-Cookie in its cookies, every other header joined
// with commas, and a body that is not UTF-8 in base64.
func Wrap(h http.Handler) Func {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		r, err := request(ctx, ev)
		if err != nil {
			// AWS sent something that is not an HTTP request: not the
			// client's fault, but nothing h could answer either.
			return events.APIGatewayV2HTTPResponse{
				StatusCode: http.StatusBadRequest,
				Headers:    map[string]string{"Content-Type": "text/plain; charset=utf-8"},
				Body:       "Yêu cầu không hợp lệ.\n",
			}, nil
		}
		w := &buffered{header: http.Header{}}
		h.ServeHTTP(w, r)
		return w.answer(), nil
	}
}

func request(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (*http.Request, error) {
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	uri := path
	if ev.RawQueryString != "" {
		uri += "?" + ev.RawQueryString
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, err
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return nil, err
		}
	}
	r, err := http.NewRequestWithContext(ctx, ev.RequestContext.HTTP.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.URL, r.RequestURI = u, uri
	for k, v := range ev.Headers {
		r.Header.Set(k, v)
	}
	if len(ev.Cookies) > 0 {
		r.Header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	r.Host = r.Header.Get("Host")
	if r.Host == "" {
		r.Host = ev.RequestContext.DomainName
	}
	if proto := ev.RequestContext.HTTP.Protocol; proto != "" {
		if major, minor, ok := http.ParseHTTPVersion(proto); ok {
			r.Proto, r.ProtoMajor, r.ProtoMinor = proto, major, minor
		}
	}
	if addr, err := netip.ParseAddr(ev.RequestContext.HTTP.SourceIP); err == nil {
		r.RemoteAddr = netip.AddrPortFrom(addr.Unmap(), 0).String()
	}
	return r, nil
}

// buffered is the http.ResponseWriter of one invocation.
type buffered struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *buffered) Header() http.Header { return b.header }

func (b *buffered) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *buffered) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

func (b *buffered) answer() events.APIGatewayV2HTTPResponse {
	b.WriteHeader(http.StatusOK)
	resp := events.APIGatewayV2HTTPResponse{StatusCode: b.status, Headers: map[string]string{}}
	if b.header.Get("Content-Type") == "" && b.body.Len() > 0 {
		b.header.Set("Content-Type", http.DetectContentType(b.body.Bytes()))
	}
	for k, v := range b.header {
		if k == "Set-Cookie" {
			resp.Cookies = v
			continue
		}
		resp.Headers[k] = strings.Join(v, ",")
	}
	if utf8.Valid(b.body.Bytes()) {
		resp.Body = b.body.String()
	} else {
		resp.Body, resp.IsBase64Encoded = base64.StdEncoding.EncodeToString(b.body.Bytes()), true
	}
	return resp
}
