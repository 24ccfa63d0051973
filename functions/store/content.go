package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A province's function serves units added after it was deployed: each
// unit's share of its content that the form service enforces (site.yaml,
// bieu-mau/, data/: content.Share) is one zip in the bucket, under the
// unit's prefix, written whole by publish and read by the function:
//
//	{prefix}{unit}/content.zip
//
// One object, so that a reader sees the old settings or the new ones,
// never a mix of the two.

// MaxContent is the largest content zip the store writes or reads.
const MaxContent = 8 << 20

// ErrNotModified is GetContent's answer when the content still has the
// ETag the caller holds.
var ErrNotModified = errors.New("store: not modified")

func (s *Store) contentKey() string { return s.cfg.Prefix + "content.zip" }

// PutContent replaces the unit's content zip.
func (s *Store) PutContent(ctx context.Context, zip []byte) error {
	if len(zip) > MaxContent {
		return fmt.Errorf("store: content of %d bytes; at most %d", len(zip), MaxContent)
	}
	key := s.contentKey()
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               &s.cfg.Bucket,
		Key:                  &key,
		Body:                 bytes.NewReader(zip),
		ContentLength:        aws.Int64(int64(len(zip))),
		ContentType:          aws.String("application/zip"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	return nil
}

// GetContent reads the unit's content zip and its ETag. Given the ETag of
// the copy the caller holds, it answers ErrNotModified while the content
// is unchanged, without reading it; ErrNotFound when there is none.
func (s *Store) GetContent(ctx context.Context, etag string) ([]byte, string, error) {
	key := s.contentKey()
	in := &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &key}
	if etag != "" {
		in.IfNoneMatch = &etag
	}
	out, err := s.api.GetObject(ctx, in)
	switch Status(err) {
	case 0:
	case http.StatusNotModified:
		return nil, etag, ErrNotModified
	case http.StatusNotFound:
		return nil, "", ErrNotFound
	default:
		return nil, "", fmt.Errorf("store: get %s: %w", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, MaxContent+1))
	if err != nil {
		return nil, "", fmt.Errorf("store: get %s: %w", key, err)
	}
	if len(b) > MaxContent {
		return nil, "", fmt.Errorf("store: %s is larger than %d bytes", key, MaxContent)
	}
	return b, aws.ToString(out.ETag), nil
}
