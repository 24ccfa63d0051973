package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/vntext"
)

// ProvinceLevel is the Unit of the province's own store: its accounts
// (RoleProvince) and their audit log, beside the units' stores. "_" is in
// no slug, so it names no unit; it is also the folder of the province page
// in the built province and the site bucket.
const ProvinceLevel = "_tinh"

// ListUnits lists the units that have a folder in the bucket under prefix
// (each unit's objects are under prefix + slug + "/"): their slugs, in
// order. It reads names only, one delimited listing, never an object.
func ListUnits(ctx context.Context, api API, bucket, prefix string) ([]string, error) {
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	var slugs []string
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(prefix), Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: list the units under %q: %w", prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			slug := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), prefix), "/")
			if slug != "" && vntext.Slug(slug) == slug {
				slugs = append(slugs, slug)
			}
		}
	}
	return slugs, nil
}
