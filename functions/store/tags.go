package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Retention in a province: every object of a unit is written with a tag
// that names its kind, TagKey=kind (loa-kind=submissions), taken from its
// key: the first part of the key under the unit's prefix, and
// "digest-sent" for the marks of digests sent. The bucket's lifecycle
// rules expire each kind by its tag in every unit at once (a rule's prefix
// cannot say "every unit's submissions/", and one rule per unit and kind
// would pass S3's 1,000 rules a bucket at about 90 units), and the
// function's role refuses a write whose tag is not its kind's
// (build/aws/province.yaml). A single ward's bucket expires by prefix and
// its objects carry no tag. A unit's content.zip, written by publish and
// never expired, carries none either.

// TagKey is the tag that names an object's kind.
const TagKey = "loa-kind"

// Kinds are the values of TagKey, one for each kind of object the store
// writes for a unit.
var Kinds = []string{
	"submissions", "quota", "snapshots", "exports", "answers", "marks", "checkins",
	"guests", "accounts", "audit", "digest", "digest-sent",
}

// KindOf is the kind of the key rel, relative to a unit's prefix
// ("submissions/cau-hoi/…" is "submissions"), or "" for a key of no kind.
func KindOf(rel string) string {
	first, rest, ok := strings.Cut(rel, "/")
	if !ok {
		return ""
	}
	if first == "digest" && strings.HasPrefix(rest, "sent/") {
		return "digest-sent"
	}
	for _, k := range Kinds {
		if k == first {
			return k
		}
	}
	return ""
}

// taggingAPI writes every object under prefix with the tag of its kind,
// whichever method of the store writes it.
type taggingAPI struct {
	API
	prefix string
}

func (t taggingAPI) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if in.Tagging == nil {
		if rel, ok := strings.CutPrefix(aws.ToString(in.Key), t.prefix); ok {
			if kind := KindOf(rel); kind != "" {
				tagged := *in
				tagged.Tagging = aws.String(TagKey + "=" + kind)
				in = &tagged
			}
		}
	}
	return t.API.PutObject(ctx, in, opts...)
}
