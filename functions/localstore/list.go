package localstore

import (
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// ranged is the backend with listings of a prefix that read only the keys
// under it. The in-memory backend (s3mem) walks its keys from the first
// of the bucket, or from the marker, to the last, testing each against the
// prefix: a page of a prefix with few keys (a form's answers, the staff
// accounts, the last page of one part of a form's submissions) costs a
// walk over every object in the bucket, and an export that lists a form's
// submissions in sixteen parts walked the bucket some thirty times. Here
// the walk starts at the prefix and stops at the first key past it.
//
// The embedded field is the gofakes3.Backend interface, so ranged is no
// gofakes3.VersionedBackend: versioning is not offered, in memory as on
// disk (see journal).
type ranged struct {
	gofakes3.Backend
}

// firstChunk is how many keys the first step of a walk asks for: a prefix
// with no key at all then costs that many, not a page.
const firstChunk = 64

// ListBucket lists a prefix without a delimiter by walking the whole
// bucket's keys in order from the prefix (or the marker, when it lies
// past the prefix's start), a few at a time, keeping those under the prefix
// and stopping at the first one past it. Other listings (with a delimiter,
// or of the whole bucket) are the backend's own.
func (b ranged) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil || !prefix.HasPrefix || prefix.Prefix == "" || prefix.HasDelimiter {
		return b.Backend.ListBucket(name, prefix, page)
	}
	p := prefix.Prefix
	from := page.Marker
	if from < p {
		// A marker of p itself passes over a key named exactly p: where
		// one exists (never in Loa's own layout), the backend lists.
		if _, err := b.Backend.HeadObject(name, p); err == nil {
			return b.Backend.ListBucket(name, prefix, page)
		} else if !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
			return nil, err
		}
		from = p
	}
	out := gofakes3.NewObjectList()
	want := page.MaxKeys // 0: no limit
	chunk := int64(firstChunk)
	for {
		ask := chunk
		if want > 0 {
			// One more than the page needs tells whether more follow.
			ask = min(ask, want-int64(len(out.Contents))+1)
		}
		step, err := b.Backend.ListBucket(name, nil, gofakes3.ListBucketPage{Marker: from, HasMarker: true, MaxKeys: ask})
		if err != nil {
			return nil, err
		}
		for _, c := range step.Contents {
			if !strings.HasPrefix(c.Key, p) {
				return out, nil
			}
			if want > 0 && int64(len(out.Contents)) == want {
				out.IsTruncated = true
				out.NextMarker = from
				return out, nil
			}
			out.Add(c)
			from = c.Key
		}
		if !step.IsTruncated {
			return out, nil
		}
		chunk = min(chunk*4, 1000)
	}
}
