package export

import (
	"context"

	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
	"loa/functions/store"
)

// listers is how many parts of a listing are listed at once.
const listers = 4

// listAll sends every key of f's submissions to keys, in order, then
// closes it, and returns the first failure. It stops early, without
// failing, when ctx ends.
//
// A listing longer than a page is split by the first digit of the
// hashes that name the objects (store.HashDigits): a few parts are listed
// at once, each in its own order, and joined in the digits' order, which
// is the order of the whole listing. Against S3, where a page of 1,000 keys takes tens of
// milliseconds to arrive, this keeps the listing from setting the pace of
// an export that takes most rows from the snapshot.
func (e *Exporter) listAll(ctx context.Context, f *forms.Form, keys chan<- string) error {
	defer close(keys)
	// Most forms have fewer submissions than a page holds: their first
	// page is the whole listing, one request instead of one a part (a
	// staff click under load paid sixteen listings). Only a longer
	// listing, whose first page is then dropped, is split.
	page, next, err := e.cfg.Store.ListKeysFrom(ctx, f.ID, "", "", e.cfg.PageSize)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	if next == "" {
		for _, k := range page {
			if !send(ctx, keys, k) {
				return nil
			}
		}
		return nil
	}
	parts := make([]chan string, len(store.HashDigits))
	for i := range parts {
		parts[i] = make(chan string, int(e.cfg.PageSize))
	}
	// Parts start in order, so that the part being joined always has a
	// slot, whichever parts after it are waiting with full buffers. A part
	// that fails stops the others, and the joining below.
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(listers)
	started := make(chan struct{})
	go func() {
		defer close(started)
		for i := range parts {
			g.Go(func() error { return e.listPart(ctx, f, store.HashDigits[i:i+1], parts[i]) })
		}
	}()
	e.joinParts(ctx, parts, keys)
	<-started // every part started (each ends once ctx does), so Wait counts them all
	return g.Wait()
}

// joinParts sends the keys of parts to keys, part after part, until they
// are all closed or ctx ends.
func (e *Exporter) joinParts(ctx context.Context, parts []chan string, keys chan<- string) {
	for _, part := range parts {
		for {
			var k string
			var ok bool
			select {
			case k, ok = <-part:
			case <-ctx.Done():
				return
			}
			if !ok {
				break
			}
			if !send(ctx, keys, k) {
				return
			}
		}
	}
}

// listPart sends the keys of f's submissions whose hash starts with start
// to out, in order, then closes it. Its error is nil when ctx ended.
func (e *Exporter) listPart(ctx context.Context, f *forms.Form, start string, out chan<- string) error {
	defer close(out)
	token := ""
	for {
		page, next, err := e.cfg.Store.ListKeysFrom(ctx, f.ID, start, token, e.cfg.PageSize)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		for _, k := range page {
			if !send(ctx, out, k) {
				return nil
			}
		}
		if next == "" {
			return nil
		}
		token = next
	}
}
