package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"loa/content"
	"loa/functions/store"
)

// How a unit's content reaches a province's one function: from the
// bucket. Publishing a unit writes its share of the content (site.yaml,
// bieu-mau/, data/) as one zip under the unit's prefix (store.PutContent);
// the function reads it on the unit's first request and asks again, with
// its ETag, once a CheckEvery has passed: a new deadline or chi đoàn list
// is enforced within a minute of publishing, and a new unit needs no new
// function. (Embedding the units in the binary, as a ward's content is,
// would mean a deployment of the function for every unit added and every
// deadline moved.) The function only reads these objects.

// CheckEvery is how long a unit's content is used before the bucket is
// asked whether it changed.
const CheckEvery = time.Minute

// maxUnknown bounds how many slugs that name no unit are remembered: a
// host is the viewer's to choose.
const maxUnknown = 1024

// BucketUnits finds a province's units in the bucket (see above); bucket
// and prefix are the store's, now the clock that times the checks.
func BucketUnits(api store.API, bucket, prefix string, now func() time.Time) Units {
	if now == nil {
		now = time.Now
	}
	return &bucketUnits{api: api, bucket: bucket, prefix: prefix, now: now, units: map[string]*bucketUnit{}}
}

type bucketUnits struct {
	api            store.API
	bucket, prefix string
	now            func() time.Time

	mu      sync.Mutex
	units   map[string]*bucketUnit
	unknown int
}

// bucketUnit is one unit's content as last read.
type bucketUnit struct {
	mu      sync.Mutex // held while asking the bucket
	unit    Unit
	etag    string
	missing bool
	checked time.Time
}

func (b *bucketUnits) Unit(ctx context.Context, slug string) (Unit, error) {
	if !ValidSlug(slug) {
		return Unit{}, fmt.Errorf("%q: %w", slug, ErrNoUnit)
	}
	b.mu.Lock()
	u := b.units[slug]
	if u == nil {
		u = &bucketUnit{}
		b.units[slug] = u
	}
	b.mu.Unlock()

	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.checked.IsZero() && b.now().Sub(u.checked) < CheckEvery {
		return u.result(slug)
	}
	st, err := store.New(b.api, store.Config{Bucket: b.bucket, Prefix: b.prefix, Unit: slug})
	if err != nil {
		return Unit{}, err
	}
	body, etag, err := st.GetContent(ctx, u.etag)
	switch {
	case errors.Is(err, store.ErrNotModified):
	case errors.Is(err, store.ErrNotFound):
		if !u.missing {
			b.unknownSlug(slug, true)
		}
		u.unit, u.etag, u.missing = Unit{}, "", true
	case err != nil:
		if u.unit.Content != nil {
			// The bucket did not answer: the content read last stands.
			return u.unit, nil
		}
		return Unit{}, err
	default:
		fsys, err := content.OpenZip(body, b.prefix+slug+"/content.zip")
		if err != nil {
			return Unit{}, err
		}
		if u.missing {
			b.unknownSlug(slug, false)
		}
		u.unit = Unit{Slug: slug, Content: fsys, ContentDir: slug, Version: etag}
		u.etag, u.missing = etag, false
	}
	u.checked = b.now()
	return u.result(slug)
}

// Slugs lists the units that have a folder in the bucket (the
// province's counts list them).
func (b *bucketUnits) Slugs(ctx context.Context) ([]string, error) {
	return store.ListUnits(ctx, b.api, b.bucket, b.prefix)
}

func (u *bucketUnit) result(slug string) (Unit, error) {
	if u.missing {
		return Unit{}, fmt.Errorf("%s: %w", slug, ErrNoUnit)
	}
	return u.unit, nil
}

// unknownSlug counts the slugs remembered as naming no unit (or one
// fewer, when one turns out to name one), and forgets a new one past
// maxUnknown: it then costs a read each time it is asked.
func (b *bucketUnits) unknownSlug(slug string, unknown bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case !unknown:
		b.unknown--
	case b.unknown >= maxUnknown:
		delete(b.units, slug)
	default:
		b.unknown++
	}
}
