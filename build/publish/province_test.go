package publish_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/build/province"
	"loa/build/publish"
	"loa/content"
	"loa/functions/vntext"
)

const dataBucket = "loa-data"

func keys(t *testing.T, c *s3.Client, b, prefix string) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	return ks
}

// TestPublishProvince: a built province goes to the site bucket unit by
// unit, each under its slug, the province page under _tinh/, and each
// unit's forms to the submissions bucket; publishing again after one unit
// changed syncs that unit alone; a unit taken out of the province is taken
// out of the bucket.
func TestPublishProvince(t *testing.T) {
	_, client := fakeS3(t)
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(dataBucket)}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "don-vi"))); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, vntext.Location)
	build := func() *province.Province {
		t.Helper()
		p, err := province.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := province.Build(p, province.Options{Out: out, Now: at}); err != nil || res.Err() != nil {
			t.Fatal(err, res.Err())
		}
		return p
	}
	pub := func(p *province.Province, dry bool) publish.ProvinceResult {
		t.Helper()
		var log bytes.Buffer
		res, err := publish.PublishProvince(ctx, client, publish.ProvinceOptions{Province: p, Dir: out, Bucket: bucket,
			DataBucket: dataBucket, DataPrefix: "loa", DryRun: dry, Log: &log})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		return res
	}

	p := build()
	if res := pub(p, true); res.Units != 3 || len(keys(t, client, bucket, "")) != 0 || len(keys(t, client, dataBucket, "")) != 0 {
		t.Fatalf("dry run: %v; it wrote objects", res)
	}
	res := pub(p, false)
	if res.Units != 3 || res.Unchanged != 0 || res.Sync.Uploaded == 0 {
		t.Fatalf("first publish: %v", res)
	}
	for _, u := range p.Units {
		if ks := keys(t, client, bucket, u.Slug+"/index.html"); len(ks) != 1 {
			t.Errorf("%s: no home page in the bucket", u.Slug)
		}
		got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(dataBucket), Key: aws.String("loa/" + u.Slug + "/content.zip")})
		if err != nil {
			t.Fatalf("%s's forms for the function: %v", u.Slug, err)
		}
		z, _ := io.ReadAll(got.Body)
		share, err := content.OpenZip(z, u.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(u.Dir, "data", "chi-doan.yaml")); !bytes.Equal(b, mustRead(t, share, "data/chi-doan.yaml")) {
			t.Errorf("%s: the chi đoàn list published for the function is not the unit's", u.Slug)
		}
	}
	if ks := keys(t, client, bucket, province.PageDir+"/index.html"); len(ks) != 1 {
		t.Error("no province page in the bucket")
	}
	for _, k := range keys(t, client, bucket, "") {
		if strings.Contains(k, ".loa-") {
			t.Errorf("%s published", k)
		}
	}

	if res := pub(p, false); res.Units != 0 || res.Unchanged != 3 || res.Sync.Uploaded != 0 {
		t.Errorf("publishing again: %v, want every unit unchanged", res)
	}

	one := p.Units[2]
	page := filepath.Join(one.Dir, "gioi-thieu.md")
	os.WriteFile(page, []byte("---\ntitle: \"Giới thiệu (mẫu)\"\n---\nĐã sửa: nội dung mẫu.\n"), 0o644)
	os.Chtimes(page, at.Add(time.Hour), at.Add(time.Hour))
	p = build()
	if res := pub(p, false); res.Units != 1 || res.Unchanged != 2 || res.Sync.Uploaded == 0 {
		t.Errorf("after one unit changed: %v, want it alone synced", res)
	}

	gone := p.Units[0]
	if err := os.RemoveAll(gone.Dir); err != nil {
		t.Fatal(err)
	}
	p = build()
	if res := pub(p, false); res.Removed != 1 {
		t.Errorf("a unit taken out: %v", res)
	}
	if ks := keys(t, client, bucket, gone.Slug+"/"); len(ks) != 0 {
		t.Errorf("%d files of %s left in the bucket", len(ks), gone.Slug)
	}
	if ks := keys(t, client, bucket, p.Units[0].Slug+"/"); len(ks) == 0 {
		t.Errorf("the other units went too")
	}
}

func mustRead(t *testing.T, fsys fs.FS, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
