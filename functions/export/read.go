package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"loa/functions/store"
)

// maxObject bounds what is read of one stored submission: a row is a few
// kilobytes at most (the form caps every field), so anything larger is not
// ours to hold in memory.
const maxObject = 1 << 20

// objectReader fetches the body of one stored object into buf. It returns
// store.ErrNotFound for an object that is gone (deleted between the listing
// and the read).
type objectReader interface {
	read(ctx context.Context, key string, buf *bytes.Buffer) error
}

// sdkReader reads with the SDK's GetObject, with its retries, region
// redirects, clock-skew correction and typed errors.
type sdkReader struct {
	api    store.API
	bucket string
}

func (r *sdkReader) read(ctx context.Context, key string, buf *bytes.Buffer) error {
	out, err := r.api.GetObject(ctx, &s3.GetObjectInput{Bucket: &r.bucket, Key: &key})
	if isNotFound(err) {
		return store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("export: get %s: %w", key, err)
	}
	defer out.Body.Close()
	if _, err := buf.ReadFrom(io.LimitReader(out.Body, maxObject)); err != nil {
		return fmt.Errorf("export: get %s: %w", key, err)
	}
	return nil
}

// isNotFound reports a 404 from S3, as the store reads it.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey":
			return true
		}
	}
	return false
}

// newObjectReader returns the reader an export uses: the SDK's GetObject.
func newObjectReader(api store.API, bucket string) objectReader {
	return &sdkReader{api: api, bucket: bucket}
}

// bufPool holds the buffers objects are read into: each is needed only
// until its row is decoded, and an export reads one per submission.
var bufPool = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 4<<10)) }}
