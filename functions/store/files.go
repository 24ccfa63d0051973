package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The exporter's files: one snapshot per form and the exports handed to
// staff. Callers name them by form; the keys are this package's (see the
// package doc).

// Presigner signs download links; *s3.PresignClient is one.
type Presigner interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

func (s *Store) snapshotKey(form string) string {
	return s.cfg.Prefix + "snapshots/" + form + ".bin"
}

func (s *Store) exportPrefix(form string) string {
	return s.cfg.Prefix + "exports/" + form + "/"
}

// GetSnapshot opens form's snapshot; it returns ErrNotFound when there is
// none. The caller closes the body.
func (s *Store) GetSnapshot(ctx context.Context, form string) (io.ReadCloser, error) {
	key := s.snapshotKey(form)
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
	if Status(err) == http.StatusNotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", key, err)
	}
	return out.Body, nil
}

// PutSnapshot replaces form's snapshot with the size bytes of body. The
// body must be seekable (a file), as the SDK needs, so that a large
// snapshot is never held in memory.
func (s *Store) PutSnapshot(ctx context.Context, form string, body io.ReadSeeker, size int64) error {
	key := s.snapshotKey(form)
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               &s.cfg.Bucket,
		Key:                  &key,
		Body:                 body,
		ContentLength:        aws.Int64(size),
		ContentType:          aws.String("application/octet-stream"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return fmt.Errorf("store: put %s: %w", key, err)
	}
	return nil
}

// DeleteSnapshot deletes form's snapshot; deleting none is no error.
func (s *Store) DeleteSnapshot(ctx context.Context, form string) error {
	key := s.snapshotKey(form)
	return s.deleteKey(ctx, key)
}

// ExportFile is a file made for staff, on its way to the bucket.
type ExportFile struct {
	Name        string        // what staff see, e.g. "cau-hoi-2023-04-20.csv"
	ContentType string        // e.g. "text/csv; charset=utf-8"
	Body        io.ReadSeeker // seekable (a file): the SDK needs it, and it is never held in memory
	Size        int64
}

// PutExport stores file among form's exports and returns a presigned GET
// URL for it that lives for expiry and downloads it under file.Name. A
// random part in the key keeps concurrent exports apart and the key
// unguessable.
func (s *Store) PutExport(ctx context.Context, form string, file ExportFile, expiry time.Duration) (string, error) {
	if s.cfg.Presign == nil {
		return "", errors.New("store: no presign client configured (give Config.Presign, or an *s3.Client to New)")
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	ext := path.Ext(file.Name)
	key := s.exportPrefix(form) + strings.TrimSuffix(file.Name, ext) + "-" + hex.EncodeToString(rnd[:]) + ext
	disposition := `attachment; filename="` + file.Name + `"`
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket:               &s.cfg.Bucket,
		Key:                  &key,
		Body:                 file.Body,
		ContentLength:        aws.Int64(file.Size),
		ContentType:          &file.ContentType,
		ContentDisposition:   &disposition,
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	if err != nil {
		return "", fmt.Errorf("store: put %s: %w", key, err)
	}
	req, err := s.cfg.Presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     &s.cfg.Bucket,
		Key:                        &key,
		ResponseContentDisposition: &disposition,
		ResponseContentType:        &file.ContentType,
	}, s3.WithPresignExpires(expiry))
	if err != nil {
		return "", fmt.Errorf("store: presign %s: %w", key, err)
	}
	return req.URL, nil
}

// PurgeExports deletes the exports of form written before cutoff (all of
// them for a zero cutoff). It goes on past a failed delete and returns the
// first failure.
func (s *Store) PurgeExports(ctx context.Context, form string, cutoff time.Time) error {
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{
		Bucket: &s.cfg.Bucket, Prefix: aws.String(s.exportPrefix(form)),
	})
	var firstErr error
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("store: list exports of %s: %w", form, err)
		}
		for _, o := range page.Contents {
			if !cutoff.IsZero() && !aws.ToTime(o.LastModified).Before(cutoff) {
				continue
			}
			_, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: o.Key})
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("store: delete %s: %w", aws.ToString(o.Key), err)
			}
		}
	}
	return firstErr
}
