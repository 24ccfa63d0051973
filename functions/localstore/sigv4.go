package localstore

// The local S3 server checks every request's AWS Signature Version 4, as S3
// does, so that only a holder of the store's access key (kept in the data
// folder, readable by its owner) can list, read or delete submissions.
//
// It is written here, not taken from a library: gofakes3 checks no
// signature, and no maintained Go package verifies SigV4 on the server. The
// cryptography is not: the request is signed again, from its own canonical
// parts, with the SDK's signer (aws/signer/v4, the code that signed it on
// the client), and the two signatures are compared in constant time. What
// this file adds is the S3 rules around it:
//
//   - Header auth (Authorization: AWS4-HMAC-SHA256 ...): the headers named in
//     SignedHeaders (host and x-amz-date among them, and
//     x-amz-content-sha256, which S3 requires), the query and the path as
//     sent. X-Amz-Date must be within 15 minutes of the server's clock. A
//     body hash in X-Amz-Content-Sha256 is checked against the body before
//     the request goes on; UNSIGNED-PAYLOAD is accepted; streaming (chunked)
//     payloads are refused, since their chunk signatures would go unchecked
//     (the SDK does not send them to a plain-http endpoint).
//   - Presigned URLs (X-Amz-Signature in the query): the same, with the
//     signature's parameters taken from the query and UNSIGNED-PAYLOAD, valid
//     from X-Amz-Date (15 minutes of skew allowed) for X-Amz-Expires seconds.
//
// Failures answer as S3 does, with its XML error: 403 AccessDenied (not
// signed, or expired), InvalidAccessKeyId, SignatureDoesNotMatch,
// RequestTimeTooSkewed; 400 for a malformed signature or a body that does
// not match its hash.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/johannesboyne/gofakes3"
)

const (
	sigAlgorithm    = "AWS4-HMAC-SHA256"
	sigService      = "s3"
	sigTerminator   = "aws4_request"
	amzDateFormat   = "20060102T150405Z"
	maxSkew         = 15 * time.Minute
	maxPresignAge   = 7 * 24 * time.Hour // S3's longest X-Amz-Expires
	unsignedPayload = "UNSIGNED-PAYLOAD"
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// verifier lets through only requests signed with creds.
type verifier struct {
	creds  aws.Credentials
	now    func() time.Time
	log    *slog.Logger
	signer *v4.Signer
	next   http.Handler
}

func newVerifier(creds aws.Credentials, now func() time.Time, log *slog.Logger, next http.Handler) *verifier {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &verifier{
		creds: creds, now: now, log: log, next: next,
		// As S3's client signs: the path is already escaped once.
		signer: v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }),
	}
}

// sigError is a refusal, answered as S3's XML error.
type sigError struct {
	status  int
	code    string
	message string
}

func (e *sigError) Error() string { return e.code + ": " + e.message }

func refuse(status int, code, format string, args ...any) *sigError {
	return &sigError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

func (v *verifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var err *sigError
	switch {
	case strings.Contains(r.URL.RawQuery, "X-Amz-Signature") && r.URL.Query().Has("X-Amz-Signature"):
		err = v.checkPresigned(r)
	case r.Header.Get("Authorization") != "":
		err = v.checkHeader(r)
	default:
		err = refuse(http.StatusForbidden, "AccessDenied", "the local store answers only requests signed with its access key (kept in the data folder, %s)", CredentialsName)
	}
	if err != nil {
		v.log.Info("localstore: request refused", "method", r.Method, "status", err.status, "code", err.code, "reason", err.message)
		writeError(w, r, err)
		return
	}
	v.next.ServeHTTP(smallAnswers{w}, r)
}

// sigParams are a signature's parts, from the Authorization header or the
// query of a presigned URL.
type sigParams struct {
	accessKey, region string
	signedHeaders     []string
	signature         string
	at                time.Time
}

// parseCredential reads "AKID/20240102/us-east-1/s3/aws4_request" and the
// X-Amz-Date it must agree with.
func parseCredential(p *sigParams, credential, amzDate string, malformed string) *sigError {
	parts := strings.Split(credential, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" {
		return refuse(http.StatusBadRequest, malformed, "the credential %q is not KEY/DATE/REGION/s3/aws4_request", credential)
	}
	if parts[3] != sigService || parts[4] != sigTerminator {
		return refuse(http.StatusBadRequest, malformed, "the credential's scope must end in /%s/%s", sigService, sigTerminator)
	}
	at, err := time.Parse(amzDateFormat, amzDate)
	if err != nil {
		return refuse(http.StatusForbidden, "AccessDenied", "X-Amz-Date %q is not of the form 20060102T150405Z", amzDate)
	}
	if parts[1] != amzDate[:8] {
		return refuse(http.StatusBadRequest, malformed, "the credential's date %s is not X-Amz-Date's day", parts[1])
	}
	p.accessKey, p.region, p.at = parts[0], parts[2], at
	return nil
}

func (v *verifier) checkKey(p *sigParams) *sigError {
	if subtle.ConstantTimeCompare([]byte(p.accessKey), []byte(v.creds.AccessKeyID)) != 1 {
		return refuse(http.StatusForbidden, "InvalidAccessKeyId", "the access key is not the local store's (see %s in the data folder)", CredentialsName)
	}
	return nil
}

// checkHeader checks a request signed in its Authorization header.
func (v *verifier) checkHeader(r *http.Request) *sigError {
	const malformed = "AuthorizationHeaderMalformed"
	auth := r.Header.Get("Authorization")
	alg, rest, _ := strings.Cut(auth, " ")
	if alg != sigAlgorithm {
		return refuse(http.StatusBadRequest, "InvalidRequest", "only %s signatures are accepted", sigAlgorithm)
	}
	fields := map[string]string{}
	for f := range strings.SplitSeq(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return refuse(http.StatusBadRequest, malformed, "the Authorization header is not Credential=..., SignedHeaders=..., Signature=...")
		}
		fields[k] = val
	}
	if fields["Credential"] == "" || fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return refuse(http.StatusBadRequest, malformed, "the Authorization header lacks Credential, SignedHeaders or Signature")
	}
	var p sigParams
	if err := parseCredential(&p, fields["Credential"], r.Header.Get("X-Amz-Date"), malformed); err != nil {
		return err
	}
	if err := v.checkKey(&p); err != nil {
		return err
	}
	p.signedHeaders = strings.Split(fields["SignedHeaders"], ";")
	p.signature = fields["Signature"]
	if skew := v.now().Sub(p.at); skew > maxSkew || skew < -maxSkew {
		return refuse(http.StatusForbidden, "RequestTimeTooSkewed", "X-Amz-Date %s is more than %v from the server's time", p.at.Format(time.RFC3339), maxSkew)
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case payload == "":
		return refuse(http.StatusBadRequest, "InvalidRequest", "missing required header for this request: x-amz-content-sha256")
	case !slices.Contains(p.signedHeaders, "x-amz-content-sha256"):
		return refuse(http.StatusForbidden, "AccessDenied", "x-amz-content-sha256 must be signed")
	case strings.HasPrefix(payload, "STREAMING-"):
		return refuse(http.StatusNotImplemented, "NotImplemented", "the local store does not accept streaming (chunked) uploads")
	}

	if err := v.checkSignature(r, &p, payload, false); err != nil {
		return err
	}
	if payload != unsignedPayload {
		return checkBody(r, payload)
	}
	return nil
}

// checkBody reads the body and compares its hash with the signed one: the
// request goes on with the body read, or not at all. The local store keeps
// every object in memory anyway.
func checkBody(r *http.Request, want string) *sigError {
	if want == emptySHA256 && r.ContentLength == 0 {
		return nil
	}
	// Read straight into one buffer of the declared size (ReadFrom needs
	// MinRead spare to see the end): io.Copy through a hashing
	// MultiWriter would take a 32 KB buffer per request, most of what a
	// form submission's request allocates here.
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return refuse(http.StatusBadRequest, "IncompleteBody", "reading the body: %v", err)
	}
	r.Body.Close()
	sum := sha256.Sum256(buf.Bytes())
	if got := hex.EncodeToString(sum[:]); subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return refuse(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "the body's SHA-256 is not the one given in x-amz-content-sha256")
	}
	r.Body = io.NopCloser(bytes.NewReader(buf.Bytes()))
	return nil
}

// checkPresigned checks a request signed in its query (a presigned URL).
func (v *verifier) checkPresigned(r *http.Request) *sigError {
	const malformed = "AuthorizationQueryParametersError"
	q := r.URL.Query()
	if alg := q.Get("X-Amz-Algorithm"); alg != sigAlgorithm {
		return refuse(http.StatusBadRequest, malformed, "X-Amz-Algorithm must be %s", sigAlgorithm)
	}
	var p sigParams
	if err := parseCredential(&p, q.Get("X-Amz-Credential"), q.Get("X-Amz-Date"), malformed); err != nil {
		return err
	}
	if err := v.checkKey(&p); err != nil {
		return err
	}
	p.signedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	p.signature = q.Get("X-Amz-Signature")
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs <= 0 || time.Duration(secs)*time.Second > maxPresignAge {
		return refuse(http.StatusBadRequest, malformed, "X-Amz-Expires must be a number of seconds from 1 to %d", int(maxPresignAge/time.Second))
	}
	now := v.now()
	if p.at.Sub(now) > maxSkew {
		return refuse(http.StatusForbidden, "AccessDenied", "the request is not valid yet (X-Amz-Date %s)", p.at.Format(time.RFC3339))
	}
	if now.After(p.at.Add(time.Duration(secs) * time.Second)) {
		return refuse(http.StatusForbidden, "AccessDenied", "the request has expired")
	}
	return v.checkSignature(r, &p, unsignedPayload, true)
}

// checkSignature signs again, with the SDK's signer, a copy of r that holds
// only what the client signed (method, path and query as sent, and the
// headers it named), and compares the signatures in constant time.
func (v *verifier) checkSignature(r *http.Request, p *sigParams, payload string, presign bool) *sigError {
	if !slices.Contains(p.signedHeaders, "host") {
		return refuse(http.StatusForbidden, "AccessDenied", "the host header must be signed")
	}
	path, _, _ := strings.Cut(r.RequestURI, "?")
	if !strings.HasPrefix(path, "/") {
		path = r.URL.EscapedPath() // an absolute URI, or a request not read by a server
	}
	// Most requests (a form's object put or read) have no query, or the
	// SDK's one pair (x-id=GetObject), already as the signer writes it:
	// those are not parsed and encoded again.
	rawQuery := r.URL.RawQuery
	if presign || !canonicalPair(rawQuery) {
		query := r.URL.Query()
		if presign {
			// The signer sets these again from what it is given; the
			// signature goes where it is computed.
			for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
				query.Del(k)
			}
		}
		rawQuery = query.Encode()
	}
	cp := &http.Request{
		Method: r.Method,
		// Opaque keeps the path exactly as it came: the signer takes it as
		// the canonical URI.
		URL:    &url.URL{Scheme: "http", Host: r.Host, Opaque: path, RawQuery: rawQuery},
		Host:   r.Host,
		Header: http.Header{},
	}
	for _, h := range p.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			cp.ContentLength = r.ContentLength
		default:
			if vals := r.Header.Values(h); len(vals) > 0 {
				cp.Header[http.CanonicalHeaderKey(h)] = vals
			}
		}
	}
	creds := v.creds
	creds.SessionToken = "" // the local store has none; a sent one is a signed header like others
	ctx := context.Background()
	var signed, signature string
	if presign {
		uri, _, err := v.signer.PresignHTTP(ctx, creds, cp, payload, sigService, p.region, p.at,
			func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })
		if err != nil {
			return refuse(http.StatusInternalServerError, "InternalError", "signing: %v", err)
		}
		_, raw, _ := strings.Cut(uri, "?")
		q, _ := url.ParseQuery(raw)
		signed, signature = q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature")
	} else {
		if err := v.signer.SignHTTP(ctx, creds, cp, payload, sigService, p.region, p.at); err != nil {
			return refuse(http.StatusInternalServerError, "InternalError", "signing: %v", err)
		}
		for f := range strings.SplitSeq(strings.TrimPrefix(cp.Header.Get("Authorization"), sigAlgorithm+" "), ", ") {
			if k, val, _ := strings.Cut(f, "="); k == "SignedHeaders" {
				signed = val
			} else if k == "Signature" {
				signature = val
			}
		}
	}
	// A header the client signed but did not send, or one the signer
	// never signs, leaves the lists apart.
	if signed != strings.Join(p.signedHeaders, ";") {
		return refuse(http.StatusForbidden, "SignatureDoesNotMatch", "the signed headers %q cannot be reproduced from the request", strings.Join(p.signedHeaders, ";"))
	}
	if subtle.ConstantTimeCompare([]byte(signature), []byte(p.signature)) != 1 {
		return refuse(http.StatusForbidden, "SignatureDoesNotMatch", "the request signature does not match the one computed with the local store's key")
	}
	return nil
}

// canonicalPair reports whether q is empty or one key=value pair of
// unreserved characters: the query as the signer would encode it.
func canonicalPair(q string) bool {
	eq := 0
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '=':
			eq++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.', c == '~':
		default:
			return false
		}
	}
	return q == "" || eq == 1 && q[0] != '='
}

// writeError answers err as S3's XML error body (none for HEAD).
func writeError(w http.ResponseWriter, r *http.Request, err *sigError) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(err.status)
	if r.Method == http.MethodHead {
		return
	}
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(gofakes3.ErrorResponse{Code: gofakes3.ErrorCode(err.code), Message: err.message})
}
