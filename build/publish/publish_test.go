package publish_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"loa/build/publish"
)

const bucket = "loa-site"

// fakeS3 serves an in-memory S3 on 127.0.0.1 and returns its endpoint and
// a real SDK client made the way the command makes it.
func fakeS3(t *testing.T) (string, *s3.Client) {
	endpoint, c, _ := fakeS3Recording(t)
	return endpoint, c
}

// fakeS3Recording is fakeS3 that also returns the Cache-Control header of
// the last PUT of each key, as it arrived on the wire: gofakes3 does not
// keep that header, and CloudFront depends on it.
func fakeS3Recording(t *testing.T) (string, *s3.Client, func(key string) string) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()), gofakes3.WithIntegrityCheck(true))
	var mu sync.Mutex
	cacheControl := map[string]string{}
	record := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			mu.Lock()
			cacheControl[strings.TrimPrefix(r.URL.Path, "/"+bucket+"/")] = r.Header.Get("Cache-Control")
			mu.Unlock()
		}
		faker.Server().ServeHTTP(w, r)
	})
	srv := httptest.NewServer(record)
	t.Cleanup(srv.Close)
	// The command signs with the environment's key; this server checks none.
	t.Setenv("AWS_ACCESS_KEY_ID", "publish-test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "publish-test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	client, err := publish.NewClient(context.Background(), "", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, client, func(key string) string {
		mu.Lock()
		defer mu.Unlock()
		return cacheControl[key]
	}
}

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Thông báo</title></feed>
`

// site writes a small built site and returns its folder.
func site(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"index.html":                    "<!DOCTYPE html><title>Phường</title>",
		"thong-bao/index.html":          "<!DOCTYPE html><title>Thông báo</title>",
		"thong-bao/hop-dan/index.html":  "<!DOCTYPE html><title>Họp dân</title>",
		"404.html":                      "<!DOCTYPE html><title>Không tìm thấy trang</title>",
		"atom.xml":                      atom,
		"sitemap.xml":                   `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>`,
		"robots.txt":                    "User-agent: *\nDisallow: /api/\n",
		"favicon.svg":                   `<svg xmlns="http://www.w3.org/2000/svg"></svg>`,
		"assets/site.0123456789ab.css":  "body{margin:0}",
		"assets/form.abcdef012345.js":   "'use strict';",
		"tai-lieu/ke-hoach.pdf":         "%PDF-1.4",
		".DS_Store":                     "junk",
		"thong-bao/.index.html.swp":     "junk",
		".git/config":                   "junk",
		"thong-bao/hop-dan/anh-hop.jpg": "\xff\xd8\xff",
	}
	for name, body := range files {
		write(t, dir, name, body)
	}
	return dir
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// objects lists the bucket: key → ETag.
func objects(t *testing.T, c *s3.Client) map[string]string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, o := range out.Contents {
		m[aws.ToString(o.Key)] = aws.ToString(o.ETag)
	}
	return m
}

func syncSite(t *testing.T, c publish.API, opt publish.Options) publish.Result {
	t.Helper()
	opt.Bucket = bucket
	res, err := publish.Sync(context.Background(), c, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func counts(r publish.Result) [3]int { return [3]int{r.Uploaded, r.Unchanged, r.Deleted} }

func TestSync(t *testing.T) {
	_, c, sentCacheControl := fakeS3Recording(t)
	dir := site(t)
	ctx := context.Background()

	// First sync: every file of the site, none of the dot files.
	res := syncSite(t, c, publish.Options{Dir: dir})
	if got := counts(res); got != [3]int{12, 0, 0} {
		t.Fatalf("first sync: uploaded, unchanged, deleted = %v, want [12 0 0]", got)
	}
	if res.Bytes == 0 {
		t.Error("first sync: 0 bytes counted")
	}
	for key := range objects(t, c) {
		if strings.Contains(key, "/.") || strings.HasPrefix(key, ".") {
			t.Errorf("dot file published: %s", key)
		}
	}
	headers := []struct{ key, contentType, cache string }{
		{"index.html", "text/html; charset=utf-8", "public, max-age=300"},
		{"thong-bao/hop-dan/index.html", "text/html; charset=utf-8", "public, max-age=300"},
		{"404.html", "text/html; charset=utf-8", "public, max-age=300"},
		{"atom.xml", "application/atom+xml; charset=utf-8", "public, max-age=300"},
		{"sitemap.xml", "application/xml; charset=utf-8", "public, max-age=300"},
		{"robots.txt", "text/plain; charset=utf-8", "public, max-age=300"},
		{"favicon.svg", "image/svg+xml", "public, max-age=86400"},
		{"assets/site.0123456789ab.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"},
		{"assets/form.abcdef012345.js", "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"},
		{"tai-lieu/ke-hoach.pdf", "application/pdf", "public, max-age=86400"},
		{"thong-bao/hop-dan/anh-hop.jpg", "image/jpeg", "public, max-age=86400"},
	}
	for _, h := range headers {
		out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(h.key)})
		if err != nil {
			t.Errorf("%s: %v", h.key, err)
			continue
		}
		if got := aws.ToString(out.ContentType); got != h.contentType {
			t.Errorf("%s: Content-Type %q, want %q", h.key, got, h.contentType)
		}
		if got := sentCacheControl(h.key); got != h.cache {
			t.Errorf("%s: Cache-Control %q, want %q", h.key, got, h.cache)
		}
		if len(out.Metadata[publish.MetaSHA256]) != 64 {
			t.Errorf("%s: metadata %v has no SHA-256", h.key, out.Metadata)
		}
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("thong-bao/index.html")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "<!DOCTYPE html><title>Thông báo</title>" {
		t.Errorf("thong-bao/index.html holds %q", body)
	}

	// Second sync of the same site: nothing to send.
	before := objects(t, c)
	if got := counts(syncSite(t, c, publish.Options{Dir: dir})); got != [3]int{0, 12, 0} {
		t.Fatalf("second sync: %v, want [0 12 0]", got)
	}
	if after := objects(t, c); !reflect.DeepEqual(before, after) {
		t.Errorf("second sync changed the bucket:\n%v\n%v", before, after)
	}

	// A changed page and a new one are sent; nothing else is.
	write(t, dir, "index.html", "<!DOCTYPE html><title>Phường – mới</title>")
	write(t, dir, "thong-bao/moi/index.html", "<!DOCTYPE html><title>Mới</title>")
	if got := counts(syncSite(t, c, publish.Options{Dir: dir})); got != [3]int{2, 11, 0} {
		t.Fatalf("after a change: %v, want [2 11 0]", got)
	}
	after := objects(t, c)
	if after["index.html"] == before["index.html"] {
		t.Error("index.html was not replaced")
	}
	if _, ok := after["thong-bao/moi/index.html"]; !ok {
		t.Error("the new page was not uploaded")
	}

	// A removed page (and a renamed asset) are deleted from the bucket.
	if err := os.RemoveAll(filepath.Join(dir, "thong-bao", "hop-dan")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "assets", "site.0123456789ab.css"), filepath.Join(dir, "assets", "site.ba9876543210.css")); err != nil {
		t.Fatal(err)
	}
	if got := counts(syncSite(t, c, publish.Options{Dir: dir})); got != [3]int{1, 10, 3} {
		t.Fatalf("after removals: %v, want [1 10 3]", got)
	}
	after = objects(t, c)
	for _, gone := range []string{"thong-bao/hop-dan/index.html", "thong-bao/hop-dan/anh-hop.jpg", "assets/site.0123456789ab.css"} {
		if _, ok := after[gone]; ok {
			t.Errorf("%s was not deleted", gone)
		}
	}
	if len(after) != 11 {
		t.Errorf("bucket holds %d objects, want 11: %v", len(after), after)
	}

	// --force sends everything again.
	if got := counts(syncSite(t, c, publish.Options{Dir: dir, Force: true})); got != [3]int{11, 0, 0} {
		t.Errorf("forced sync: %v, want [11 0 0]", got)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	_, c := fakeS3(t)
	dir := site(t)
	var log bytes.Buffer
	res := syncSite(t, c, publish.Options{Dir: dir, DryRun: true, Log: &log})
	if got := counts(res); got != [3]int{12, 0, 0} {
		t.Fatalf("dry run on an empty bucket: %v, want [12 0 0]", got)
	}
	if n := len(objects(t, c)); n != 0 {
		t.Fatalf("dry run wrote %d objects", n)
	}
	if !strings.Contains(log.String(), "+ index.html (text/html; charset=utf-8, public, max-age=300)") {
		t.Errorf("dry run log does not list index.html:\n%s", log.String())
	}
	if !strings.Contains(res.String(), "dry run") {
		t.Errorf("summary %q does not say it was a dry run", res)
	}

	syncSite(t, c, publish.Options{Dir: dir})
	before := objects(t, c)
	write(t, dir, "index.html", "changed")
	if err := os.Remove(filepath.Join(dir, "robots.txt")); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	res = syncSite(t, c, publish.Options{Dir: dir, DryRun: true, Log: &log})
	if got := counts(res); got != [3]int{1, 10, 1} {
		t.Fatalf("dry run with changes: %v, want [1 10 1]", got)
	}
	if after := objects(t, c); !reflect.DeepEqual(before, after) {
		t.Errorf("dry run changed the bucket:\n%v\n%v", before, after)
	}
	if !strings.Contains(log.String(), "- robots.txt") {
		t.Errorf("dry run log does not list the deletion:\n%s", log.String())
	}
}

func TestPrefixLeavesOtherKeysAlone(t *testing.T) {
	_, c := fakeS3(t)
	dir := site(t)
	ctx := context.Background()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("other/keep.txt"), Body: bytes.NewReader([]byte("keep")),
	}); err != nil {
		t.Fatal(err)
	}
	if got := counts(syncSite(t, c, publish.Options{Dir: dir, Prefix: "site"})); got != [3]int{12, 0, 0} {
		t.Fatalf("prefixed sync: %v", got)
	}
	keys := objects(t, c)
	if _, ok := keys["other/keep.txt"]; !ok {
		t.Error("a key outside the prefix was deleted")
	}
	if _, ok := keys["site/index.html"]; !ok {
		t.Errorf("site/index.html missing: %v", keys)
	}
}

// multipartETags makes every listed ETag look like a multipart upload's,
// which is not an MD5: the comparison must fall back to the SHA-256 kept in
// the object's metadata.
type multipartETags struct{ *s3.Client }

func (m multipartETags) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	out, err := m.Client.ListObjectsV2(ctx, in, opts...)
	if err == nil {
		for i := range out.Contents {
			out.Contents[i].ETag = aws.String(`"` + strings.Trim(aws.ToString(out.Contents[i].ETag), `"`) + `-2"`)
		}
	}
	return out, err
}

func TestChecksumWithoutMD5ETag(t *testing.T) {
	_, c := fakeS3(t)
	dir := site(t)
	api := multipartETags{c}
	syncSite(t, api, publish.Options{Dir: dir})
	if got := counts(syncSite(t, api, publish.Options{Dir: dir})); got != [3]int{0, 12, 0} {
		t.Fatalf("second sync with multipart ETags: %v, want [0 12 0]", got)
	}
	write(t, dir, "404.html", "changed")
	if got := counts(syncSite(t, api, publish.Options{Dir: dir})); got != [3]int{1, 11, 0} {
		t.Fatalf("changed file with multipart ETags: %v, want [1 11 0]", got)
	}
}

func TestEmptySiteIsRefused(t *testing.T) {
	_, c := fakeS3(t)
	dir := site(t)
	syncSite(t, c, publish.Options{Dir: dir})
	_, err := publish.Sync(context.Background(), c, publish.Options{Bucket: bucket, Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "make site") {
		t.Fatalf("empty folder: err = %v, want a refusal", err)
	}
	if n := len(objects(t, c)); n != 12 {
		t.Errorf("empty folder deleted objects: %d left", n)
	}
	if _, err := publish.Sync(context.Background(), c, publish.Options{Bucket: bucket, Dir: filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing folder: no error")
	}
}

func TestCommand(t *testing.T) {
	endpoint, c := fakeS3(t)
	dir := site(t)
	ctx := context.Background()
	var out, errs bytes.Buffer
	args := []string{"--bucket", bucket, "--dir", dir, "--endpoint", endpoint, "--dry-run"}
	if err := publish.Run(ctx, args, &out, &errs); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errs.String())
	}
	if n := len(objects(t, c)); n != 0 {
		t.Fatalf("--dry-run wrote %d objects", n)
	}
	last := lastLine(out.String())
	if !strings.HasPrefix(last, "publish: 12 uploaded, 0 unchanged, 0 deleted, ") || !strings.Contains(last, " ms (dry run") {
		t.Errorf("dry-run summary: %q", last)
	}

	out.Reset()
	if err := publish.Run(ctx, []string{"--bucket", bucket, "--dir", dir, "--endpoint", endpoint, "--quiet"}, &out, &errs); err != nil {
		t.Fatalf("sync: %v\n%s", err, errs.String())
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "publish: 12 uploaded") {
		t.Errorf("--quiet output: %q", out.String())
	}
	if n := len(objects(t, c)); n != 12 {
		t.Errorf("bucket holds %d objects, want 12", n)
	}

	if err := publish.Run(ctx, []string{"--dir", dir}, &out, &errs); err == nil {
		t.Error("no --bucket: no error")
	}
	if err := publish.Run(ctx, []string{"--bucket", bucket, "extra"}, &out, &errs); err == nil {
		t.Error("stray argument: no error")
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestHeaders(t *testing.T) {
	types := []struct{ name, data, want string }{
		{"a/index.html", "", "text/html; charset=utf-8"},
		{"assets/site.0123456789ab.css", "", "text/css; charset=utf-8"},
		{"assets/form.0123456789ab.js", "", "text/javascript; charset=utf-8"},
		{"thong-bao/atom.xml", atom, "application/atom+xml; charset=utf-8"},
		{"sitemap.xml", "<urlset/>", "application/xml; charset=utf-8"},
		{"favicon.svg", "", "image/svg+xml"},
		{"x.PNG", "", "image/png"},
		{"bao-cao.xlsx", "", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"no-extension", "", "application/octet-stream"},
	}
	for _, tc := range types {
		if got := publish.ContentType(tc.name, []byte(tc.data)); got != tc.want {
			t.Errorf("ContentType(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	caches := []struct{ name, want string }{
		{"assets/site.0123456789ab.css", publish.CacheImmutable},
		{"assets/img/logo.0123456789abcdef.png", publish.CacheImmutable},
		{"assets/logo.png", publish.CacheDay},             // no hash: may change under the same name
		{"other/site.0123456789ab.css", publish.CacheDay}, // hashed names are only made under assets/
		{"index.html", publish.CacheShort},
		{"atom.xml", publish.CacheShort},
		{"robots.txt", publish.CacheShort},
		{"favicon.svg", publish.CacheDay},
	}
	for _, tc := range caches {
		if got := publish.CacheControl(tc.name); got != tc.want {
			t.Errorf("CacheControl(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
