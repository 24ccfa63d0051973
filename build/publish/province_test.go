package publish_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
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
	hosts := &memHosts{m: map[string]string{"cu.hungyen.example.vn": "phuong-cu"}}
	pub := func(p *province.Province, dry bool) publish.ProvinceResult {
		t.Helper()
		var log bytes.Buffer
		res, err := publish.PublishProvince(ctx, client, publish.ProvinceOptions{Province: p, Dir: out, Bucket: bucket,
			DataBucket: dataBucket, DataPrefix: "loa", DryRun: dry, Log: &log, Hosts: hosts})
		if err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		return res
	}

	p := build()
	if res := pub(p, true); res.Units != 3 || len(keys(t, client, bucket, "")) != 0 || len(keys(t, client, dataBucket, "")) != 0 {
		t.Fatalf("dry run: %v; it wrote objects", res)
	}
	if hosts.updates != 0 {
		t.Fatalf("dry run: the router's hosts were written: %v", hosts.m)
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
	// The router reads each host's unit: the units' hosts from unitURL,
	// the province's from baseURL; a host of no unit is taken out.
	want := map[string]string{"hungyen.example.vn": province.PageDir}
	for _, u := range p.Units {
		want[u.Slug+".hungyen.example.vn"] = u.Slug
	}
	if !maps.Equal(hosts.m, want) || hosts.updates != 1 || res.HostsPut != 4 || res.HostsDeleted != 1 {
		t.Errorf("the router's hosts: %v after %d updates (%v), want %v in one", hosts.m, hosts.updates, res, want)
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
	if _, ok := hosts.m[gone.Slug+".hungyen.example.vn"]; ok || len(hosts.m) != 3 {
		t.Errorf("the router still sends %s's host somewhere: %v", gone.Slug, hosts.m)
	}
	if ks := keys(t, client, bucket, gone.Slug+"/"); len(ks) != 0 {
		t.Errorf("%d files of %s left in the bucket", len(ks), gone.Slug)
	}
	if ks := keys(t, client, bucket, p.Units[0].Slug+"/"); len(ks) == 0 {
		t.Errorf("the other units went too")
	}
}

// memHosts stands in for CloudFront's key value store, which has no
// local server: a map with a version that every update must name.
type memHosts struct {
	m       map[string]string
	etag    int
	updates int
}

func (h *memHosts) List(context.Context) (map[string]string, string, error) {
	return maps.Clone(h.m), strconv.Itoa(h.etag), nil
}

func (h *memHosts) Update(_ context.Context, etag string, put map[string]string, del []string) error {
	if etag != strconv.Itoa(h.etag) {
		return errors.New("412: the store changed")
	}
	maps.Copy(h.m, put)
	for _, k := range del {
		delete(h.m, k)
	}
	h.etag++
	h.updates++
	return nil
}

// TestCLIHosts: the hosts are read and written with the AWS CLI's
// commands for the store, one update naming the version listed.
func TestCLIHosts(t *testing.T) {
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	script := "#!/bin/sh\nprintf '%s\\n' \"$@\" >> " + argsFile + "\necho --- >> " + argsFile + "\n" +
		"case \"$2\" in\n" +
		"describe-key-value-store) echo '{\"ETag\": \"E1\", \"ItemCount\": 2}' ;;\n" +
		"list-keys) echo '{\"Items\": [{\"Key\": \"a.example.vn\", \"Value\": \"a\"}, {\"Key\": \"old.example.vn\", \"Value\": \"old\"}]}' ;;\n" +
		"update-keys) echo '{\"ETag\": \"E2\"}' ;;\n" +
		"*) exit 2 ;;\nesac\n"
	bin := filepath.Join(dir, "aws")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	hs := publish.CLIHosts{ARN: "arn:aws:cloudfront::123456789012:key-value-store/k", AWS: bin}
	put, del, err := publish.SyncHosts(context.Background(), hs, map[string]string{"a.example.vn": "a", "b.example.vn": "b"}, false, nil)
	if err != nil || put != 1 || del != 1 {
		t.Fatalf("SyncHosts: %d put, %d deleted, %v", put, del, err)
	}
	b, _ := os.ReadFile(argsFile)
	calls := strings.Split(strings.TrimSuffix(string(b), "---\n"), "---\n")
	if len(calls) != 3 {
		t.Fatalf("aws called %d times:\n%s", len(calls), b)
	}
	update := strings.Fields(calls[2])
	want := []string{"cloudfront-keyvaluestore", "update-keys", "--if-match", "E1",
		"--puts", `[{"Key":"b.example.vn","Value":"b"}]`, "--deletes", `[{"Key":"old.example.vn"}]`,
		"--kvs-arn", hs.ARN, "--output", "json"}
	if !slices.Equal(update, want) {
		t.Errorf("update: aws %v\nwant     %v", update, want)
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
