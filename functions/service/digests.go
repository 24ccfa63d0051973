package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"loa/functions/digest"
	"loa/functions/store"
)

// ErrNoDigest is RunDigests' error when no mail sender is configured.
var ErrNoDigest = errors.New("service: no digest sender is configured (LOA_DIGEST_FROM)")

// DigestReport is what a run of the daily digests did: for a ward, its
// one digest; for a province, every unit's, summed, and each unit's.
type DigestReport struct {
	digest.Report
	Units map[string]digest.Report `json:",omitempty"` // a province's, by unit
}

// RunDigests sends the day's digest to every account that asked for it:
// a ward's (Service.Digest), or each unit's of a province in turn, each
// from its own accounts, counts and staff page (a unit's digest is its
// service's, which New assembles with the unit). A unit whose digest fails
// does not stop the others; the error names the units that failed (never
// an address: digest.Redact), and running again sends only what was not
// sent.
func (s *Service) RunDigests(ctx context.Context) (DigestReport, error) {
	if s.province == nil {
		if s.Digest == nil {
			return DigestReport{}, ErrNoDigest
		}
		rep, err := s.Digest.Run(ctx)
		return DigestReport{Report: rep}, err
	}
	p := s.province
	if p.cfg.Mail == nil {
		return DigestReport{}, ErrNoDigest
	}
	slugs, err := p.slugs(ctx)
	if err != nil {
		return DigestReport{}, err
	}
	out := DigestReport{Units: map[string]digest.Report{}}
	var errs []error
	for _, slug := range slugs {
		svc, err := p.unit(ctx, slug)
		if err == nil && svc.Digest == nil {
			err = ErrNoDigest
		}
		var rep digest.Report
		if err == nil {
			rep, err = svc.Digest.Run(ctx)
		}
		if err != nil {
			err = digest.Redact(err)
			p.cfg.Logger.Error("digest: a unit's digest failed; the others go on", slog.String("unit", slug), slog.String("error", err.Error()))
			errs = append(errs, fmt.Errorf("unit %s: %w", slug, err))
		}
		out.Units[slug] = rep
		if out.Day == "" {
			out.Day = rep.Day
		}
		out.Sent += rep.Sent
		out.Already += rep.Already
		out.Skipped += rep.Skipped
		out.Failed += rep.Failed
		out.Busy += rep.Busy
	}
	return out, errors.Join(errs...)
}

// slugs lists the province's units: its Units' list, or the bucket's.
func (p *province) slugs(ctx context.Context) ([]string, error) {
	var slugs []string
	var err error
	if lister, ok := p.cfg.Units.(Lister); ok {
		slugs, err = lister.Slugs(ctx)
	} else {
		slugs, err = store.ListUnits(ctx, p.cfg.S3, p.cfg.Bucket, p.cfg.Prefix)
	}
	slices.Sort(slugs)
	return slugs, err
}
