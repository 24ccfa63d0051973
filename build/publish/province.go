package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/build/province"
	"loa/content"
	"loa/functions/store"
)

// A built province (build --province) is published unit by unit: each
// unit's folder to the site bucket under <slug>/, the province page's
// folder under _tinh/, where CloudFront looks for the host that asks; and
// each unit's share of its content (the forms' settings, content.Share)
// to the submissions bucket, where the province's function reads it
// (service.BucketUnits). A unit whose build is the one last published
// (its folder's stamp, .loa-inputs.json, matches .loa-published) is not
// looked at, so publishing after one unit changed costs one unit's sync.
// A unit taken out of the province is taken out of the site bucket.

// publishedFile, in a unit's built folder, is the stamp of the build last
// published from it.
const publishedFile = ".loa-published.json"
const stampFile = ".loa-inputs.json"

// ProvinceOptions say what to publish where.
type ProvinceOptions struct {
	Province *province.Province
	Dir      string // the built province; "public" when empty
	Bucket   string // the site bucket
	// DataBucket and DataPrefix are the submissions bucket, as the
	// function is configured (LOA_BUCKET, LOA_PREFIX).
	DataBucket, DataPrefix string
	DryRun, Force          bool
	Log                    io.Writer // one line per change; nil: none
	// Hosts is the key value store CloudFront's router reads each host's
	// unit from (hosts.go); nil: it is not written.
	Hosts HostStore
}

// ProvinceResult sums up a province's publishing.
type ProvinceResult struct {
	Units     int // units synced
	Unchanged int // units whose last build was already published
	Removed   int // units taken out of the bucket
	// HostsPut and HostsDeleted count the router's entries written and
	// removed.
	HostsPut, HostsDeleted int
	Sync                   Result
}

func (r ProvinceResult) String() string {
	s := fmt.Sprintf("publish: %d units synced, %d unchanged, %d removed; %d files uploaded, %d deleted, %d bytes, %d ms",
		r.Units, r.Unchanged, r.Removed, r.Sync.Uploaded, r.Sync.Deleted, r.Sync.Bytes, r.Sync.Elapsed.Milliseconds())
	if r.HostsPut+r.HostsDeleted > 0 {
		s += fmt.Sprintf("; router: %d hosts written, %d removed", r.HostsPut, r.HostsDeleted)
	}
	if r.Sync.DryRun {
		s += " (dry run: nothing changed)"
	}
	return s
}

// PublishProvince publishes a built province (see above). api reaches
// both buckets.
func PublishProvince(ctx context.Context, api store.API, opt ProvinceOptions) (ProvinceResult, error) {
	start := time.Now()
	var res ProvinceResult
	res.Sync.DryRun = opt.DryRun
	if opt.Dir == "" {
		opt.Dir = "public"
	}
	if opt.Bucket == "" || opt.DataBucket == "" {
		return res, errors.New("publish: a province needs the site bucket (--bucket) and the submissions bucket (--data-bucket)")
	}
	logf := func(format string, args ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format+"\n", args...)
		}
	}
	add := func(r Result) {
		res.Sync.Uploaded += r.Uploaded
		res.Sync.Unchanged += r.Unchanged
		res.Sync.Deleted += r.Deleted
		res.Sync.Bytes += r.Bytes
	}
	for _, u := range opt.Province.Units {
		dir := filepath.Join(opt.Dir, u.Slug)
		built, err := os.ReadFile(filepath.Join(dir, stampFile))
		if err != nil {
			return res, fmt.Errorf("publish: %s has not been built (%v): run make site PROVINCE=%s", u.Slug, err, opt.Province.Dir)
		}
		if last, err := os.ReadFile(filepath.Join(dir, publishedFile)); err == nil && bytes.Equal(last, built) && !opt.Force {
			res.Unchanged++
			continue
		}
		logf("đơn vị %s (%s):", u.Slug, u.Name)
		r, err := Sync(ctx, api, Options{Bucket: opt.Bucket, Dir: dir, Prefix: u.Slug + "/", DryRun: opt.DryRun, Force: opt.Force, Log: opt.Log})
		if err != nil {
			return res, err
		}
		add(r)
		if err := publishContent(ctx, api, u, opt); err != nil {
			return res, err
		}
		res.Units++
		if !opt.DryRun {
			if err := os.WriteFile(filepath.Join(dir, publishedFile), built, 0o644); err != nil {
				return res, err
			}
		}
	}
	r, err := Sync(ctx, api, Options{Bucket: opt.Bucket, Dir: filepath.Join(opt.Dir, province.PageDir), Prefix: province.PageDir + "/", DryRun: opt.DryRun, Force: opt.Force, Log: opt.Log})
	if err != nil {
		return res, err
	}
	add(r)
	removed, err := removeUnits(ctx, api, opt, logf)
	if err != nil {
		return res, err
	}
	res.Removed = removed
	if opt.Hosts != nil {
		// Last: a host is routed once its unit's site and forms are there.
		want, err := Hosts(opt.Province)
		if err != nil {
			return res, err
		}
		if res.HostsPut, res.HostsDeleted, err = SyncHosts(ctx, opt.Hosts, want, opt.DryRun, opt.Log); err != nil {
			return res, err
		}
	}
	res.Sync.Elapsed = time.Since(start)
	return res, nil
}

// publishContent writes the unit's share of its content for the function.
func publishContent(ctx context.Context, api store.API, u province.Unit, opt ProvinceOptions) error {
	fsys, err := content.Dir(u.Dir)
	if err != nil {
		return err
	}
	z, err := content.ZipShare(fsys)
	if err != nil {
		return fmt.Errorf("publish: %s: %w", u.Dir, err)
	}
	if opt.DryRun {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "+ biểu mẫu của %s, %d bytes, cho bộ xử lý biểu mẫu (s3://%s)\n", u.Slug, len(z), opt.DataBucket)
		}
		return nil
	}
	st, err := store.New(api, store.Config{Bucket: opt.DataBucket, Prefix: opt.DataPrefix, Unit: u.Slug})
	if err != nil {
		return err
	}
	if err := st.PutContent(ctx, z); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if opt.Log != nil {
		fmt.Fprintf(opt.Log, "+ biểu mẫu của %s, %d bytes, cho bộ xử lý biểu mẫu (s3://%s)\n", u.Slug, len(z), opt.DataBucket)
	}
	return nil
}

// removeUnits deletes from the site bucket the folders of units the
// province no longer has. (Their submissions stay where they are, until
// their retention ends: taking a unit out of the site is not deleting
// what its residents sent.)
func removeUnits(ctx context.Context, api store.API, opt ProvinceOptions, logf func(string, ...any)) (int, error) {
	var gone []string
	p := s3.NewListObjectsV2Paginator(api, &s3.ListObjectsV2Input{Bucket: &opt.Bucket, Delimiter: aws.String("/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("publish: list s3://%s: %w", opt.Bucket, err)
		}
		for _, cp := range page.CommonPrefixes {
			slug := strings.TrimSuffix(aws.ToString(cp.Prefix), "/")
			if _, ok := opt.Province.Unit(slug); !ok && slug != province.PageDir {
				gone = append(gone, slug)
			}
		}
	}
	slices.Sort(gone)
	for _, slug := range gone {
		keys, err := list(ctx, api, opt.Bucket, slug+"/")
		if err != nil {
			return 0, err
		}
		logf("đơn vị %s không còn trong tỉnh: xóa %d tệp", slug, len(keys))
		if opt.DryRun {
			continue
		}
		for key := range keys {
			if _, err := api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &opt.Bucket, Key: aws.String(key)}); err != nil {
				return 0, fmt.Errorf("publish: delete s3://%s/%s: %w", opt.Bucket, key, err)
			}
		}
	}
	return len(gone), nil
}
