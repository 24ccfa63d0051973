package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/forms"
)

// Reading back: listing, reading and deleting (on request) a form's
// submissions.

// ListKeys returns one page of the keys of form's submissions, at most limit
// (S3 caps a page at 1,000), and the token of the next page ("" at the end).
// S3 lists keys in ascending order.
func (s *Store) ListKeys(ctx context.Context, form, token string, limit int32) ([]string, string, error) {
	return s.ListKeysFrom(ctx, form, "", token, limit)
}

// HashDigits are the characters a submission's hash, and so the name of
// its object, starts with. Listing each of them apart (ListKeysFrom) and
// joining the lists in this order gives the whole listing, in order.
const HashDigits = "0123456789abcdef"

// ListKeysFrom is ListKeys for the submissions whose hash starts with
// start ("" for all), so that parts of a long listing can be listed at once.
func (s *Store) ListKeysFrom(ctx context.Context, form, start, token string, limit int32) ([]string, string, error) {
	in := &s3.ListObjectsV2Input{
		Bucket: &s.cfg.Bucket,
		Prefix: aws.String(s.submissionPrefix(form) + start),
	}
	if limit > 0 {
		in.MaxKeys = &limit
	}
	if token != "" {
		in.ContinuationToken = &token
	}
	out, err := s.api.ListObjectsV2(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("store: list %s: %w", form, err)
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		if k := aws.ToString(o.Key); strings.HasSuffix(k, ".csv") {
			keys = append(keys, k)
		}
	}
	next := ""
	if aws.ToBool(out.IsTruncated) {
		next = aws.ToString(out.NextContinuationToken)
	}
	return keys, next, nil
}

// ErrNotFound is returned by Read and Delete for a submission that does not
// exist, and by GetSnapshot for a form without a snapshot.
var ErrNotFound = errors.New("store: not found")

// maxObject bounds what is read of one stored object: a row is a few
// kilobytes at most (the form caps every field), a slot a key.
const maxObject = 1 << 20

// Read reads back the row stored under key.
func (s *Store) Read(ctx context.Context, f *forms.Form, key string) (forms.Record, error) {
	body, _, _, found, err := s.readSmallBytes(ctx, key)
	if err != nil {
		return forms.Record{}, err
	}
	if !found {
		return forms.Record{}, ErrNotFound
	}
	return Decode(f, key, body)
}

// Decode reads the row of a submission of f from its object's body, as
// Read does once it has the body; key names the object in errors.
func Decode(f *forms.Form, key string, body []byte) (forms.Record, error) {
	recs, err := f.UnmarshalCSV(body)
	if err != nil {
		return forms.Record{}, fmt.Errorf("store: %s: %w", key, err)
	}
	if len(recs) != 1 {
		return forms.Record{}, fmt.Errorf("store: %s: %d rows, want 1", key, len(recs))
	}
	return recs[0], nil
}

// Delete removes the submission with the given short id (staff, on a
// person's request): every version of its answer first (the latest
// version is what /hoi-dap/ shows of it, so it leaves the page with
// them), its marks and its files, then the row, then its quota slot. Nothing here reads an index. A
// failure part way leaves the row, so that deleting again finds it and
// finishes. The row goes before the slot: a crash after it leaves an
// orphan slot, which the next claim repairs; the other order could leave a
// row without a slot and let a sixth delegate in.
func (s *Store) Delete(ctx context.Context, f *forms.Form, id string) error {
	found, err := s.FindByID(ctx, f, id)
	if err != nil {
		return err
	}
	key, rec := s.SubmissionKey(f.ID, found.Hash), found.Record
	if err := s.dropLegacyIndex(ctx, f.ID); err != nil {
		return err
	}
	if err := s.deleteAnswers(ctx, f.ID, found.Hash); err != nil {
		return err
	}
	if err := s.deleteMarks(ctx, f.ID, found.Hash); err != nil {
		return err
	}
	if err := s.deleteFiles(ctx, f.ID, found.Hash); err != nil {
		return err
	}
	if _, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &key}); err != nil {
		return fmt.Errorf("store: delete %s: %w", key, err)
	}
	if f.QuotaBy == "" || f.Quota <= 0 || rec.Values[f.QuotaBy] == "" {
		return nil
	}
	prefix := s.slotPrefix(f.ID, rec.Values[f.QuotaBy])
	for n := 1; n <= f.Quota; n++ {
		sk := prefix + strconv.Itoa(n)
		holder, etag, _, found, err := s.readSmall(ctx, sk)
		if err != nil {
			return err
		}
		if found && holder == key {
			_, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &sk, IfMatch: &etag})
			if err != nil && Status(err) != http.StatusPreconditionFailed && Status(err) != http.StatusNotFound {
				return fmt.Errorf("store: free %s: %w", sk, err)
			}
		}
	}
	return nil
}
