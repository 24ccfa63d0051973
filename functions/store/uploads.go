package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/forms"
)

// Files sent with a submission (a nomination's photo or document), each
// its own object beside the row, written once before it:
//
//	{prefix}uploads/{form}/{hash}/{field}.{ext}
//
// The hash is the submission's, so a resend lands on the same keys, the
// files of one submission are found (and deleted with it) under one prefix,
// and the same photo sent in two submissions is two objects that go each
// with its own row. The row holds the file's name (forms.FileValue), which
// carries its extension. A submission whose row fails takes its files
// back (dropFiles), so no file outlives the row it belongs to.

func (s *Store) uploadPrefix(form, hash string) string {
	return s.cfg.Prefix + "uploads/" + form + "/" + hash + "/"
}

func (s *Store) uploadKey(form, hash, field, value string) string {
	return s.uploadPrefix(form, hash) + field + path.Ext(value)
}

// saveFiles writes the files of sub, each once (a 412 is a resend's file,
// already there), before its row is.
func (s *Store) saveFiles(ctx context.Context, sub *forms.Submission, hash string) error {
	for _, fl := range sub.Form.Fields {
		file, ok := sub.Files[fl.Name]
		if !ok {
			continue
		}
		key := s.uploadKey(sub.Form.ID, hash, fl.Name, sub.Values[fl.Name])
		if _, err := s.create(ctx, key, file.Data, file.Type.MediaType); err != nil {
			return err
		}
	}
	return nil
}

// dropFiles undoes saveFiles after the submission failed with err before
// its row was written, and returns err: a file with no row is personal
// data that no one can list, export or delete on request. The files stay
// when the row is there after all (a resend of the same submission wrote
// it meanwhile) or cannot be looked at; the person is told to send again,
// which writes the files and the row anew. The deletion gets its own few
// seconds, as the request's time may be what ran out.
func (s *Store) dropFiles(ctx context.Context, sub *forms.Submission, key, hash string, err error) error {
	if len(sub.Files) == 0 {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if exists, herr := s.exists(ctx, key); herr != nil || exists {
		return err
	}
	if derr := s.deleteFiles(ctx, sub.Form.ID, hash); derr != nil {
		return errors.Join(err, derr)
	}
	return err
}

// deleteFiles deletes the files of the submission with the given hash.
func (s *Store) deleteFiles(ctx context.Context, form, hash string) error {
	keys, err := s.keysUnder(ctx, s.uploadPrefix(form, hash))
	if err != nil {
		return err
	}
	for _, key := range keys {
		_, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
		if err != nil && Status(err) != http.StatusNotFound {
			return fmt.Errorf("store: delete %s: %w", key, err)
		}
	}
	return nil
}

// FileLink returns a presigned GET URL, living for expiry, of the file
// that field holds in the submission found, downloaded as name (e.g.
// "de-cu-DC-7K3M-9Q2P.jpg"). ErrNotFound: the row names no file there, or
// the file is gone.
func (s *Store) FileLink(ctx context.Context, f *forms.Form, found Found, field, name string, expiry time.Duration) (string, error) {
	fl := f.Field(field)
	value := found.Record.Values[field]
	if fl == nil || fl.Kind != forms.KindFile || value == "" {
		return "", ErrNotFound
	}
	if s.cfg.Presign == nil {
		return "", errors.New("store: no presign client configured (give Config.Presign, or an *s3.Client to New)")
	}
	key := s.uploadKey(f.ID, found.Hash, field, value)
	out, err := s.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
	switch Status(err) {
	case 0:
	case http.StatusNotFound:
		return "", ErrNotFound
	default:
		return "", fmt.Errorf("store: head %s: %w", key, err)
	}
	disposition := `attachment; filename="` + name + `"`
	req, err := s.cfg.Presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket:                     &s.cfg.Bucket,
		Key:                        &key,
		ResponseContentDisposition: &disposition,
		ResponseContentType:        out.ContentType,
	}, s3.WithPresignExpires(expiry))
	if err != nil {
		return "", fmt.Errorf("store: presign %s: %w", key, err)
	}
	return req.URL, nil
}
