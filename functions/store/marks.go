package store

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
)

// Staff's choices for the compiled questions ("Tổng hợp câu hỏi"): for
// each question, whether it goes in and whether it is merged into another
// entry. Like answers, a question's marks are versions, each written once;
// the latest wins. A mark is a setting, not a text anyone typed, so a save
// that loses a race is simply written as the next version.
//
//	{prefix}marks/{form}/{hash}/{NNNNNN}.json

// Mark is one version of staff's choice for a question.
type Mark struct {
	Version int `json:"version"`
	// Out leaves the question out of the compilation (a duplicate, off
	// topic); by default every question goes in.
	Out bool `json:"out,omitempty"`
	// Into is the short id of the question this one is merged into: it is
	// not listed on its own, and that entry counts its asker.
	Into string    `json:"into,omitempty"`
	At   time.Time `json:"at"`
}

func (s *Store) markPrefix(form, hash string) string {
	return s.cfg.Prefix + "marks/" + form + "/" + hash + "/"
}

// SaveMark stores m as the newest version of the marks of the submission
// found of f, and returns it as stored.
func (s *Store) SaveMark(ctx context.Context, f *forms.Form, found Found, m Mark) (Mark, error) {
	if !isHex(found.Hash) {
		return Mark{}, ErrNotFound
	}
	ok, err := s.exists(ctx, s.SubmissionKey(f.ID, found.Hash))
	if err != nil {
		return Mark{}, err
	}
	if !ok {
		return Mark{}, ErrNotFound
	}
	prefix := s.markPrefix(f.ID, found.Hash)
	for attempt := 0; attempt < 8; attempt++ {
		latest, err := s.latestVersion(ctx, prefix)
		if err != nil {
			return Mark{}, err
		}
		m.Version, m.At = latest+1, s.cfg.Now()
		body, err := json.Marshal(m)
		if err != nil {
			return Mark{}, err
		}
		created, err := s.create(ctx, fmt.Sprintf("%s%06d.json", prefix, m.Version), body, "application/json")
		if err != nil {
			return Mark{}, err
		}
		if created {
			return m, nil
		}
	}
	return Mark{}, fmt.Errorf("store: marks of %s: too many saves at once", found.Hash)
}

// latestVersion is the highest version number under prefix, 0 for none.
func (s *Store) latestVersion(ctx context.Context, prefix string) (int, error) {
	keys, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, k := range keys {
		if n, ok := versionOf(strings.TrimPrefix(k, prefix)); ok && n > latest {
			latest = n
		}
	}
	return latest, nil
}

// ListMarks returns the latest marks of every marked submission of form,
// by short id.
func (s *Store) ListMarks(ctx context.Context, form string) (map[string]Mark, error) {
	prefix := s.cfg.Prefix + "marks/" + form + "/"
	keys, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return nil, err
	}
	latest := map[string]int{}
	for _, k := range keys {
		hash, name, ok := strings.Cut(strings.TrimPrefix(k, prefix), "/")
		if !ok || len(hash) < forms.IDLength {
			continue
		}
		if n, ok := versionOf(name); ok && n > latest[hash] {
			latest[hash] = n
		}
	}
	type read struct {
		id string
		m  Mark
	}
	out := make(chan read, len(latest))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for hash, n := range latest {
		g.Go(func() error {
			key := fmt.Sprintf("%s%s/%06d.json", prefix, hash, n)
			body, _, _, found, err := s.readSmall(gctx, key)
			if err != nil || !found {
				return err
			}
			var m Mark
			if err := json.Unmarshal([]byte(body), &m); err != nil {
				return fmt.Errorf("store: %s: %w", key, err)
			}
			out <- read{hash[:forms.IDLength], m}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	close(out)
	marks := make(map[string]Mark, len(latest))
	for r := range out {
		marks[r.id] = r.m
	}
	return marks, nil
}

// deleteMarks deletes every version of a submission's marks.
func (s *Store) deleteMarks(ctx context.Context, form, hash string) error {
	keys, err := s.keysUnder(ctx, s.markPrefix(form, hash))
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &k}); err != nil && Status(err) != http.StatusNotFound {
			return fmt.Errorf("store: delete %s: %w", k, err)
		}
	}
	return nil
}
