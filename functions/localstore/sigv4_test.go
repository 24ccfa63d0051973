package localstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// signedServer is an in-memory server whose signature clock runs shift
// ahead of the real one.
func signedServer(t *testing.T) (*Server, *atomic.Int64) {
	t.Helper()
	var shift atomic.Int64
	o := opts(t, "")
	o.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	srv, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, &shift
}

// send sends r with a plain HTTP client and returns the status and the
// code of S3's XML error, if any.
func send(t *testing.T, r *http.Request) (int, string, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e struct{ Code string }
	xml.Unmarshal(b, &e)
	return resp.StatusCode, e.Code, string(b)
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// sign makes a request signed as the SDK signs it, with creds at at.
func sign(t *testing.T, creds aws.Credentials, method, u, body string, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Content-Sha256", sha(body))
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(context.Background(), creds, r, sha(body), "s3", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return r
}

func apiCode(err error) string {
	if ae, ok := errors.AsType[interface {
		error
		ErrorCode() string
	}](err); ok {
		return ae.ErrorCode()
	}
	return ""
}

// The audit's request: anyone on the machine listing the submissions
// without a key.
func TestUnsignedRequestIsRefused(t *testing.T) {
	srv, _ := signedServer(t)
	if err := put(t, srv.Client, "submissions/cau-hoi/a.csv", "Nguyễn Văn An", nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/" + bucket + "?list-type=2&prefix=submissions/"},
		{http.MethodGet, "/" + bucket + "/submissions/cau-hoi/a.csv"},
		{http.MethodDelete, "/" + bucket + "/submissions/cau-hoi/a.csv"},
		{http.MethodGet, "/"},
	} {
		r, _ := http.NewRequest(tc.method, srv.Endpoint+tc.path, nil)
		status, code, body := send(t, r)
		if status != http.StatusForbidden || code != "AccessDenied" {
			t.Errorf("unsigned %s %s: %d %s, want 403 AccessDenied", tc.method, tc.path, status, code)
		}
		if strings.Contains(body, "Nguyễn") {
			t.Errorf("unsigned %s %s: the answer shows the data", tc.method, tc.path)
		}
	}
	r, _ := http.NewRequest(http.MethodHead, srv.Endpoint+"/"+bucket+"/submissions/cau-hoi/a.csv", nil)
	if status, _, _ := send(t, r); status != http.StatusForbidden {
		t.Errorf("unsigned HEAD: %d, want 403", status)
	}
	if _, body := get(t, srv.Client, "submissions/cau-hoi/a.csv"); body != "Nguyễn Văn An" {
		t.Errorf("the unsigned DELETE changed the object: %q", body)
	}
}

func TestWrongKeyIsRefused(t *testing.T) {
	srv, _ := signedServer(t)
	for name, tc := range map[string]struct {
		creds aws.Credentials
		code  string
	}{
		"wrong secret":     {aws.Credentials{AccessKeyID: srv.Credentials.AccessKeyID, SecretAccessKey: "not-the-secret"}, "SignatureDoesNotMatch"},
		"wrong access key": {aws.Credentials{AccessKeyID: "AKIDOTHER", SecretAccessKey: srv.Credentials.SecretAccessKey}, "InvalidAccessKeyId"},
		"another store's":  {NewCredentials(), "InvalidAccessKeyId"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := NewClient(srv.Endpoint, tc.creds)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
			if status(err) != http.StatusForbidden || apiCode(err) != tc.code {
				t.Errorf("list: %v, want 403 %s", err, tc.code)
			}
			if err := put(t, c, "a.csv", "x", nil); status(err) != http.StatusForbidden {
				t.Errorf("put: %v, want 403", err)
			}
		})
	}
}

func TestTamperedRequestIsRefused(t *testing.T) {
	srv, _ := signedServer(t)
	now := time.Now()
	listing := srv.Endpoint + "/" + bucket + "?list-type=2&prefix=submissions%2F"
	obj := srv.Endpoint + "/" + bucket + "/submissions/a.csv"

	// The signing itself is right: untouched, the requests pass.
	if status, code, _ := send(t, sign(t, srv.Credentials, http.MethodGet, listing, "", now)); status != http.StatusOK {
		t.Fatalf("signed list: %d %s, want 200", status, code)
	}
	if status, code, _ := send(t, sign(t, srv.Credentials, http.MethodPut, obj, "hàng một", now)); status != http.StatusOK {
		t.Fatalf("signed put: %d %s, want 200", status, code)
	}

	for name, tc := range map[string]struct {
		r      func() *http.Request
		status int
		code   string
	}{
		"query": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodGet, listing, "", now)
			r.URL.RawQuery = "list-type=2&prefix=quota%2F"
			return r
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		"path": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodGet, obj, "", now)
			r.URL.Path = "/" + bucket + "/submissions/b.csv"
			return r
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		"method": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodGet, obj, "", now)
			r.Method = http.MethodDelete
			return r
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		"body and its hash": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodPut, obj, "hàng một", now)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader("hàng hai")), int64(len("hàng hai"))
			r.Header.Set("X-Amz-Content-Sha256", sha("hàng hai"))
			return r
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		"body of the same length": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodPut, obj, "hàng một", now)
			r.Body = io.NopCloser(strings.NewReader("hàng mốt"))
			return r
		}, http.StatusBadRequest, "XAmzContentSHA256Mismatch"}, // as S3 answers
		"a signed header": {func() *http.Request {
			r := sign(t, srv.Credentials, http.MethodGet, listing, "", now)
			r.Header.Set("X-Amz-Date", now.Add(time.Minute).UTC().Format(amzDateFormat))
			return r
		}, http.StatusForbidden, "SignatureDoesNotMatch"},
		"payload hash not signed": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, listing, nil)
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			signer.SignHTTP(context.Background(), srv.Credentials, r, emptySHA256, "s3", "us-east-1", now)
			r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			return r
		}, http.StatusForbidden, "AccessDenied"},
		"stale date": {func() *http.Request {
			return sign(t, srv.Credentials, http.MethodGet, listing, "", now.Add(-16*time.Minute))
		}, http.StatusForbidden, "RequestTimeTooSkewed"},
		"future date": {func() *http.Request {
			return sign(t, srv.Credentials, http.MethodGet, listing, "", now.Add(16*time.Minute))
		}, http.StatusForbidden, "RequestTimeTooSkewed"},
		"streaming upload": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodPut, obj, strings.NewReader("5;chunk-signature=00\r\nhello\r\n0;chunk-signature=00\r\n\r\n"))
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
			r.Header.Set("X-Amz-Decoded-Content-Length", "5")
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			signer.SignHTTP(context.Background(), srv.Credentials, r, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", "us-east-1", now)
			return r
		}, http.StatusNotImplemented, "NotImplemented"},
		"malformed": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, listing, nil)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
			return r
		}, http.StatusBadRequest, "AuthorizationHeaderMalformed"},
	} {
		t.Run(name, func(t *testing.T) {
			if status, code, body := send(t, tc.r()); status != tc.status || code != tc.code {
				t.Errorf("%d %s, want %d %s\n%s", status, code, tc.status, tc.code, body)
			}
		})
	}
	if _, body := get(t, srv.Client, "submissions/a.csv"); body != "hàng một" {
		t.Errorf("a refused put changed the object: %q", body)
	}
	if keys := list(t, srv.Client); len(keys) != 1 {
		t.Errorf("the bucket holds %v, want only submissions/a.csv", keys)
	}
}

// The SDK, with the store's key, does all the store does.
func TestSignedClientWorks(t *testing.T) {
	srv, _ := signedServer(t)
	ctx := context.Background()
	const key = "submissions/dai-bieu/Thông báo + tổ 3.csv" // escaped in the path
	if err := put(t, srv.Client, key, "Mã,Họ và tên\r\n", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); err != nil {
		t.Fatal(err)
	}
	if err := put(t, srv.Client, key, "again", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); status(err) != http.StatusPreconditionFailed {
		t.Errorf("second conditional put: %v, want 412", err)
	}
	if err := put(t, srv.Client, "empty", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, srv.Client, key); body != "Mã,Họ và tên\r\n" {
		t.Errorf("get: %q", body)
	}
	if _, err := srv.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Errorf("head: %v", err)
	}
	out, err := srv.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("submissions/")})
	if err != nil || len(out.Contents) != 1 {
		t.Fatalf("list: %v, %d objects, want 1", err, len(out.Contents))
	}
	if _, err := srv.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		t.Errorf("delete: %v", err)
	}
	_, err = srv.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("empty")}}}})
	if err != nil {
		t.Errorf("delete objects: %v", err)
	}
	if keys := list(t, srv.Client); len(keys) != 0 {
		t.Errorf("left %v", keys)
	}
}

// A presigned GET (the export's download link, followed by a browser)
// works until it expires, on the server's clock.
func TestPresignedGet(t *testing.T) {
	srv, shift := signedServer(t)
	const key = "exports/cau-hoi 2023-04-20.csv"
	if err := put(t, srv.Client, key, "\ufeffHọ và tên\r\n", nil); err != nil {
		t.Fatal(err)
	}
	req, err := s3.NewPresignClient(srv.Client).PresignGetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		ResponseContentDisposition: aws.String(`attachment; filename="cau-hoi 2023-04-20.csv"`),
	}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	get := func() (int, string, string) {
		r, _ := http.NewRequest(http.MethodGet, req.URL, nil)
		r.Header.Set("User-Agent", "Mozilla/5.0") // a browser's headers are not signed
		r.Header.Set("Accept", "text/html")
		return send(t, r)
	}
	if status, code, body := get(); status != http.StatusOK || body != "\ufeffHọ và tên\r\n" {
		t.Fatalf("fresh link: %d %s %q, want 200 and the file", status, code, body)
	}
	shift.Store(int64(9 * time.Minute))
	if status, code, _ := get(); status != http.StatusOK {
		t.Errorf("after 9 of its 10 minutes: %d %s, want 200", status, code)
	}
	shift.Store(int64(11 * time.Minute))
	if status, code, _ := get(); status != http.StatusForbidden || code != "AccessDenied" {
		t.Errorf("after 11 minutes: %d %s, want 403 AccessDenied", status, code)
	}
	shift.Store(0)

	for name, edit := range map[string]func(string) string{
		"another key":     func(u string) string { return strings.Replace(u, "cau-hoi%202023", "dai-bieu%202023", 1) },
		"a longer expiry": func(u string) string { return strings.Replace(u, "X-Amz-Expires=600", "X-Amz-Expires=6000", 1) },
		"no signature":    func(u string) string { return u[:strings.Index(u, "&X-Amz-Signature=")] },
		"another secret": func(u string) string {
			sig := u[strings.Index(u, "X-Amz-Signature=")+len("X-Amz-Signature="):]
			return strings.Replace(u, sig, strings.Repeat("0", len(sig)), 1)
		},
	} {
		t.Run(name, func(t *testing.T) {
			u := edit(req.URL)
			if u == req.URL {
				t.Fatalf("the edit did not change %s", u)
			}
			r, _ := http.NewRequest(http.MethodGet, u, nil)
			if status, _, body := send(t, r); status != http.StatusForbidden {
				t.Errorf("%d, want 403\n%s", status, body)
			}
		})
	}
}
