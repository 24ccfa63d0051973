package lambdahttp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"loa/functions/handler"
)

// OriginHeader carries the origin secret: CloudFront adds it to every
// request it forwards to the function, and no viewer can see it.
const OriginHeader = "X-Origin-Verify"

// Door is what a request must show before the handler sees it.
type Door struct {
	// OriginSecret (LOA_ORIGIN_SECRET) is the value of [OriginHeader] on
	// the requests CloudFront forwards. A request without it did not come
	// through CloudFront (the API's own execute-api address is open to the
	// internet) and is answered 403 before any other work. Empty: every
	// request is let in, as in serve and the tests.
	OriginSecret string
	// IPHeader is as in [Config.ClientIPHeader]. With an OriginSecret it
	// is trusted only on a request that showed the secret: anyone can send
	// a CloudFront-Viewer-Address header to the API directly.
	IPHeader string
}

// Adapt turns h into a Lambda function for payload 2.0 events (Function URL
// or HTTP API, BUFFERED responses), behind the door d.
//
// The request is what net/http would have handed h: payload 2.0 joins
// repeated headers with commas, as one value, and sends the cookies apart;
// a base64 body (isBase64Encoded) is decoded. Its context is the
// invocation's, deadline included. The client address is
// requestContext.http.sourceIp with port 0, or, when ipHeader is set and
// carries an address, that address: behind CloudFront the source is an
// edge server, the viewer is in the header. The handler counts clients by
// RemoteAddr alone.
//
// The answer carries Set-Cookie in its cookies, every other header joined
// with commas, and a body that is not UTF-8 in base64.
func Adapt(h http.Handler, d Door) Func {
	var want [sha256.Size]byte
	if d.OriginSecret != "" {
		want = sha256.Sum256([]byte(d.OriginSecret))
	}
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if d.OriginSecret != "" {
			// Hashes of equal length, compared in constant time: neither
			// the value nor its length leaks through the time taken.
			got := sha256.Sum256([]byte(originValue(ev.Headers)))
			if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				return events.APIGatewayV2HTTPResponse{
					StatusCode: http.StatusForbidden,
					Headers:    map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
					Body:       `{"ok":false,"message":"Hãy gửi qua trang chính thức của phường."}` + "\n",
				}, nil
			}
		}
		r, err := request(ctx, ev, d.IPHeader)
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

// originValue is the origin header of a payload 2.0 event, whose header
// names may come in any case.
func originValue(headers map[string]string) string {
	for k, v := range headers {
		if strings.EqualFold(k, OriginHeader) {
			return v
		}
	}
	return ""
}

func request(ctx context.Context, ev events.APIGatewayV2HTTPRequest, ipHeader string) (*http.Request, error) {
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
		if strings.EqualFold(k, OriginHeader) {
			continue // the handler has no use for it, and must never echo or log it
		}
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
	addr, ok := handler.ParseAddr(ev.RequestContext.HTTP.SourceIP)
	if ipHeader != "" {
		if a, found := handler.ParseAddr(r.Header.Get(ipHeader)); found {
			addr, ok = a, true
		}
	}
	if ok {
		r.RemoteAddr = netip.AddrPortFrom(addr, 0).String()
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
