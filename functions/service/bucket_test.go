package service_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/content"
	"loa/functions/s3test"
	"loa/functions/service"
	"loa/functions/store"
	"loa/site"
)

// counting counts the reads of content zips that reach S3.
type counting struct {
	store.API
	reads atomic.Int32
}

func (c *counting) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if strings.HasSuffix(aws.ToString(in.Key), "/content.zip") {
		c.reads.Add(1)
	}
	return c.API.GetObject(ctx, in, opts...)
}

// publishUnit writes a unit's share of its content (folder dir) to the
// bucket, as publish does.
func publishUnit(t *testing.T, fx *s3test.Fixture, prefix, slug, dir string) {
	t.Helper()
	fsys, err := content.Dir(dir)
	if err != nil {
		t.Fatal(err)
	}
	z, err := content.ZipShare(fsys)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(fx.Server.Client, store.Config{Bucket: s3test.Bucket, Prefix: prefix, Unit: slug})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutContent(context.Background(), z); err != nil {
		t.Fatal(err)
	}
}

// TestBucketUnits: on AWS a province's function reads each unit's forms
// from the bucket: a unit published after the function started is served
// without a new function; a changed chi đoàn list is enforced once the
// content is checked again (CheckEvery), and not read again before.
func TestBucketUnits(t *testing.T) {
	fx := s3test.New(t, s3test.Options{})
	api := &counting{API: fx.Server.Client}
	var mu sync.Mutex
	clock := provinceAt
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }

	units := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(units, os.DirFS(filepath.Join("..", "..", "don-vi"))); err != nil {
		t.Fatal(err)
	}
	publishUnit(t, fx, "loa", unitB, filepath.Join(units, unitB))
	svc, err := service.New(service.Config{
		S3: api, Bucket: s3test.Bucket, Prefix: "loa", Layouts: site.FS(), Now: now, NoLimits: true,
		Units: service.BucketUnits(api, s3test.Bucket, "loa", now), UnitHeader: "X-Loa-Unit",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	pf := &provinceFixture{fx: fx, svc: svc}
	topics := map[string]string{unitA: "Chuyển đổi số", unitB: "Đường giao thông nông thôn"}
	ask := func(slug, chiDoan string) int {
		code, _ := pf.do(t, "POST", "d1.cloudfront.example", "/api/forms/cau-hoi",
			provinceQuestionBody(chiDoan, topics[slug]), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json", "X-Loa-Unit": slug})
		return code
	}
	if code := ask(unitB, "Chi đoàn thôn Đông"); code != http.StatusOK {
		t.Fatalf("a question to a published unit: %d", code)
	}
	if code := ask(unitA, "Chi đoàn Tổ dân phố 1"); code != http.StatusNotFound {
		t.Errorf("a unit not yet published: %d, want 404", code)
	}
	reads := api.reads.Load()
	for range 5 {
		ask(unitB, "Chi đoàn thôn Đông")
	}
	if n := api.reads.Load() - reads; n != 0 {
		t.Errorf("%d reads of the content within CheckEvery, want 0", n)
	}

	// The unit adds a chi đoàn and publishes; the function enforces the
	// new list once it checks again.
	list := filepath.Join(units, unitB, "data", "chi-doan.yaml")
	b, _ := os.ReadFile(list)
	os.WriteFile(list, []byte(strings.Replace(string(b), "items:\n", "items:\n  - \"Chi đoàn thôn Mới\"\n", 1)), 0o644)
	publishUnit(t, fx, "loa", unitB, filepath.Join(units, unitB))
	publishUnit(t, fx, "loa", unitA, filepath.Join(units, unitA))
	if code := ask(unitB, "Chi đoàn thôn Mới"); code != http.StatusUnprocessableEntity {
		t.Errorf("the new chi đoàn before the check: %d, want 422", code)
	}
	advance(service.CheckEvery)
	if code := ask(unitB, "Chi đoàn thôn Mới"); code != http.StatusOK {
		t.Errorf("the new chi đoàn after the check: %d, want 200", code)
	}
	if code := ask(unitA, "Chi đoàn Tổ dân phố 1"); code != http.StatusOK {
		t.Errorf("a unit published after the function started: %d, want 200", code)
	}
	// An unchanged unit checked again is not read again: 304.
	reads = api.reads.Load()
	advance(service.CheckEvery)
	ask(unitB, "Chi đoàn thôn Mới")
	if n := api.reads.Load() - reads; n != 1 {
		t.Errorf("%d requests for an unchanged content, want 1 (answered 304)", n)
	}
	for _, k := range fx.Keys(t, "loa/") {
		if !strings.HasPrefix(k, "loa/"+unitA+"/") && !strings.HasPrefix(k, "loa/"+unitB+"/") {
			t.Errorf("key %s is under no unit", k)
		}
	}
}

func provinceQuestionBody(chiDoan, topic string) string {
	return url.Values{"ho_ten": {"Trần Thị Bình"}, "chi_doan": {chiDoan}, "dien_thoai": {"0912345678"},
		"linh_vuc": {topic}, "noi_dung": {"Câu hỏi"}, "dong_y": {"co"}}.Encode()
}
