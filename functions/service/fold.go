package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"loa/functions/report"
)

// FoldEvent names the fold in the constant input of the schedule that runs
// FoldExports on the Lambda, {"loa":"fold"} (the templates' ExportFold
// event): command bootstrap tells the event by it.
const FoldEvent = "fold"

// FoldReport is what a run of FoldExports did: counts only, never a row.
type FoldReport struct {
	Forms int // forms whose snapshot is now up to date
	Fresh int // submissions read from their own objects (and now in a snapshot)
	// Cut counts the forms left for the next run: their fold ran out of
	// time (what it read is saved), or the run's time was up before them
	// (a unit of a province not reached counts once).
	Cut    int
	Failed int                   // forms, or whole units, that could not be folded
	Units  map[string]FoldReport `json:",omitempty"` // a province's, by unit
}

func (r *FoldReport) add(o FoldReport) {
	r.Forms += o.Forms
	r.Fresh += o.Fresh
	r.Cut += o.Cut
	r.Failed += o.Failed
}

// FoldExports brings the export snapshot of every form up to date (see
// export.Exporter.Fold): a ward's, or each unit's of a province in turn,
// so that the staff exports after it read no submission stored before
// it. It is what a schedule runs on the Lambda, which has no background
// (Config.Background) to do it between requests.
//
// It is bounded by ctx's deadline: each form's fold stops reading in time
// to save what it read, and once the time is up the forms not reached are
// counted as Cut and left for the next run, which goes on from the
// snapshots. A province's next run starts at the first unit this one did
// not finish, so that a unit late in the list is not left behind by the
// ones before it. A form or a unit that fails does not stop the others;
// the error names them (never a row), and a run that was only cut short
// is no error.
func (s *Service) FoldExports(ctx context.Context) (FoldReport, error) {
	if s.province == nil {
		return s.fold(ctx)
	}
	p := s.province
	slugs, err := p.slugs(ctx)
	if err != nil {
		return FoldReport{}, err
	}
	p.mu.Lock()
	from := p.foldFrom
	p.mu.Unlock()
	if from != "" {
		// At that unit, or at the one after it when it is gone since.
		i, _ := slices.BinarySearch(slugs, from)
		slugs = slices.Concat(slugs[i:], slugs[:i])
	}
	out := FoldReport{Units: map[string]FoldReport{}}
	var errs []error
	next := ""
	defer func() {
		p.mu.Lock()
		p.foldFrom = next
		p.mu.Unlock()
	}()
	for _, slug := range slugs {
		if ctx.Err() != nil {
			// The time is up: the units not reached wait for the next run.
			out.Cut++
			out.Units[slug] = FoldReport{Cut: 1}
			if next == "" {
				next = slug
			}
			continue
		}
		var rep FoldReport
		svc, err := p.unit(ctx, slug)
		switch {
		case err == nil:
			rep, err = svc.fold(ctx)
		case ctx.Err() != nil:
			rep.Cut, err = 1, nil // the time ran out while it was assembled
		default:
			rep.Failed = 1
		}
		if err != nil {
			p.cfg.Logger.Error("export: a unit's snapshots not folded; the others go on", slog.String("unit", slug), slog.String("error", err.Error()))
			errs = append(errs, fmt.Errorf("unit %s: %w", slug, err))
		}
		out.Units[slug] = rep
		out.add(rep)
		if rep.Cut > 0 && next == "" {
			next = slug
		}
	}
	return out, errors.Join(errs...)
}

// fold folds every form of one ward's (or unit's) service.
func (s *Service) fold(ctx context.Context) (FoldReport, error) {
	var rep FoldReport
	var errs []error
	for _, f := range s.Forms.Forms() {
		if ctx.Err() != nil {
			rep.Cut++
			continue
		}
		fresh, err := s.exporter.Fold(ctx, f)
		rep.Fresh += fresh
		var inc *report.Incomplete
		switch {
		case errors.As(err, &inc):
			rep.Cut++ // what it read is saved
		case err != nil && ctx.Err() != nil:
			rep.Cut++ // the time ran out while listing or saving: nothing lost
		case err != nil:
			rep.Failed++
			s.logger.Warn("export: a form's snapshot not folded; the others go on", slog.String("form", f.ID), slog.String("error", err.Error()))
			errs = append(errs, fmt.Errorf("form %s: %w", f.ID, err))
		default:
			rep.Forms++
		}
	}
	return rep, errors.Join(errs...)
}
