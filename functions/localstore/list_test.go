package localstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// listKeys lists prefix through the SDK's paginator, pages of size keys,
// starting after startAfter.
func listKeys(t *testing.T, c *s3.Client, prefix, startAfter string, size int32) []string {
	t.Helper()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(size)}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %q after %q: %v", prefix, startAfter, err)
		}
		if len(page.Contents) > int(size) {
			t.Fatalf("list %q: a page of %d keys, asked for %d", prefix, len(page.Contents), size)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// TestListingAPrefix lists prefixes of every kind, in pages of every size,
// from the server, and compares each with the keys filtered by hand: the
// walk that starts at the prefix and stops past it must list what a walk
// over the whole bucket lists.
func TestListingAPrefix(t *testing.T) {
	srv := start(t, "")
	defer srv.Close()
	var all []string
	for _, part := range []string{"a", "loa/answers/x/", "loa/submissions/cau-hoi/", "loa/submissions/dai-bieu/", "z"} {
		for i := range 40 {
			all = append(all, fmt.Sprintf("%s%x.csv", part, i*7919%4096))
		}
	}
	// Keys named exactly as a prefix that is listed, and one just before it.
	all = append(all, "loa/submissions/cau-hoi/3", "loa/submissions/cau-hoi/2~", "loa/answers/")
	for _, k := range all {
		if err := put(t, srv.Client, k, "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(all)
	prefixes := []string{"", "a", "loa/", "loa/answers/", "loa/submissions/cau-hoi/", "loa/submissions/cau-hoi/3",
		"loa/submissions/cau-hoi/f", "loa/submissions/dai-", "loa/zzz", "0", "zz", "loa/submissions/cau-hoi/30"}
	for _, prefix := range prefixes {
		for _, after := range []string{"", "loa/submissions/cau-hoi/7", "loa/answers/x/a"} {
			var want []string
			for _, k := range all {
				if strings.HasPrefix(k, prefix) && k > after {
					want = append(want, k)
				}
			}
			for _, size := range []int32{1, 3, 40, 1000} {
				if got := listKeys(t, srv.Client, prefix, after, size); !slices.Equal(got, want) {
					t.Errorf("list %q after %q, pages of %d: %d keys %q…, want %d %q…",
						prefix, after, size, len(got), first(got), len(want), first(want))
				}
			}
		}
	}
}

func first(keys []string) []string { return keys[:min(len(keys), 3)] }

// counting is a backend that counts the keys its listings hand over.
type counting struct {
	gofakes3.Backend
	keys atomic.Int64
}

func (c *counting) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	l, err := c.Backend.ListBucket(name, prefix, page)
	if l != nil {
		c.keys.Add(int64(len(l.Contents)))
	}
	return l, err
}

// TestListingAPrefixWalksOnlyIt: listing a prefix with three keys in a
// bucket of thousands takes a few keys from the backend, not the bucket.
func TestListingAPrefixWalksOnlyIt(t *testing.T) {
	mem := s3mem.New()
	if err := mem.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	for i := range 5000 {
		key := fmt.Sprintf("loa/submissions/cau-hoi/%04x.csv", i)
		if i < 3 {
			key = fmt.Sprintf("loa/answers/%d.json", i)
		}
		if _, err := mem.PutObject(bucket, key, nil, bytes.NewReader([]byte("x")), 1, nil); err != nil {
			t.Fatal(err)
		}
	}
	c := &counting{Backend: mem}
	r := ranged{c}
	for _, tc := range []struct {
		prefix string
		keys   int
	}{{"loa/answers/", 3}, {"loa/submissions/cau-hoi/0ff", 16}, {"loa/nothing/", 0}} {
		before := c.keys.Load()
		l, err := r.ListBucket(bucket, &gofakes3.Prefix{Prefix: tc.prefix, HasPrefix: true}, gofakes3.ListBucketPage{MaxKeys: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Contents) != tc.keys || l.IsTruncated {
			t.Errorf("%s: %d keys, truncated %v; want %d, false", tc.prefix, len(l.Contents), l.IsTruncated, tc.keys)
		}
		if walked := c.keys.Load() - before; walked > firstChunk {
			t.Errorf("%s: the backend handed over %d keys, want at most %d", tc.prefix, walked, firstChunk)
		}
	}
}
