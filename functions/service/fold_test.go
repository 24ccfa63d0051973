package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/content"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/s3test"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/site"
)

// TestFoldExportsSparesStaffClicks: a ward's service with no background
// (the Lambda's) folds every form's snapshot when told (the schedule): the
// fold reads the questions stored since the last, and the staff export
// after it reads none. A run whose time is already up folds nothing,
// reads nothing and is no error: the next run does it.
func TestFoldExportsSparesStaffClicks(t *testing.T) {
	fx := s3test.New(t, s3test.Options{})
	api := &countingS3{API: fx.Server.Client}
	secret := staff.NewSecret()
	hash, err := staff.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{
		S3: api, Presign: s3.NewPresignClient(fx.Server.Client), Bucket: s3test.Bucket, Content: content.FS, Layouts: site.FS(),
		Now: func() time.Time { return openAt }, StaffSecretHash: hash,
		Logger: slog.New(slog.DiscardHandler), NoLimits: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Accept", "application/json")
		} else {
			r.Header.Set(routes.StaffHeader, secret)
		}
		w := httptest.NewRecorder()
		svc.Handler.ServeHTTP(w, r)
		return w
	}
	ask := func(n int, tag string) {
		for i := range n {
			q := url.Values{
				"ho_ten": {fmt.Sprintf("Trần Thị Hoa %d", i)}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
				"linh_vuc": {"Khác"}, "noi_dung": {fmt.Sprintf("Câu hỏi %s số %d về sân chơi?", tag, i)}, "dong_y": {"co"},
			}
			if w := serve("POST", "/api/forms/cau-hoi", q.Encode()); w.Code != http.StatusOK {
				t.Fatalf("question %d: %d %s", i, w.Code, w.Body)
			}
		}
	}
	forms := len(svc.Forms.Forms())
	ctx := context.Background()

	ask(7, "đầu")
	before := api.reads.Load()
	rep, err := svc.FoldExports(ctx)
	if err != nil || rep.Forms != forms || rep.Fresh != 7 || rep.Cut != 0 || rep.Failed != 0 || rep.Units != nil {
		t.Fatalf("the fold: %+v %v, want %d forms folded and the 7 questions read", rep, err, forms)
	}
	if n := api.reads.Load() - before; n != 7 {
		t.Errorf("the fold read %d submissions, want the 7 stored", n)
	}

	// Stored after the fold, before a run whose time is already up: it
	// reads nothing and leaves every form to the next.
	ask(3, "sau")
	ended, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	before = api.reads.Load()
	if rep, err := svc.FoldExports(ended); err != nil || rep.Cut != forms || rep.Forms != 0 || rep.Fresh != 0 {
		t.Errorf("a fold whose time is up: %+v %v, want every form cut and no error", rep, err)
	}
	if rep, err := svc.FoldExports(ctx); err != nil || rep.Fresh != 3 || rep.Forms != forms {
		t.Errorf("the next fold: %+v %v, want the 3 new questions read", rep, err)
	}
	if n := api.reads.Load() - before; n != 3 {
		t.Errorf("the two folds read %d submissions, want the 3 new", n)
	}

	before = api.reads.Load()
	w := serve("GET", "/api/export/cau-hoi?format=csv", "")
	var link report.Link
	if err := json.Unmarshal(w.Body.Bytes(), &link); err != nil || w.Code != http.StatusOK || link.Rows != 10 {
		t.Fatalf("export: %d %s (%v), want 10 rows", w.Code, w.Body, err)
	}
	if n := api.reads.Load() - before; n != 0 {
		t.Errorf("the staff export after the fold read %d submissions, want 0", n)
	}
}

// brokenUnit lists the example province's units and one more whose
// content cannot be read.
type brokenUnit struct{ exampleLister }

const unitBroken = "xa-doan-hong" // listed between unitA and unitB

func (b brokenUnit) Unit(ctx context.Context, slug string) (service.Unit, error) {
	if slug == unitBroken {
		return service.Unit{}, errors.New("content.zip: not a zip file")
	}
	return b.exampleLister.Unit(ctx, slug)
}

func (b brokenUnit) Slugs(ctx context.Context) ([]string, error) {
	slugs, err := b.exampleLister.Slugs(ctx)
	return append(slugs, unitBroken), err
}

// TestProvinceFoldExports: the province's fold folds each unit's forms in
// turn; a unit that fails is named in the error and does not stop the
// units after it; the next fold reads nothing more.
func TestProvinceFoldExports(t *testing.T) {
	pf := newProvinceFixture(t, service.Config{Units: brokenUnit{}})
	ctx := context.Background()
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 1", "Chuyển đổi số", "Phường có lớp tin học không?")
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 2", "Chuyển đổi số", "Phường có wifi công cộng không?")
	pf.ask(t, host(unitB), "/api/forms/cau-hoi", "Chi đoàn thôn Đông", "Đường giao thông nông thôn", "Xã có làm đường mới không?")

	rep, err := pf.svc.FoldExports(ctx)
	if err == nil || !strings.Contains(err.Error(), unitBroken) || strings.Contains(err.Error(), unitB) {
		t.Errorf("the fold's error %v, want one naming %s alone", err, unitBroken)
	}
	if rep.Failed != 1 || rep.Units[unitBroken].Failed != 1 || rep.Fresh != 3 ||
		rep.Units[unitA].Fresh != 2 || rep.Units[unitB].Fresh != 1 || rep.Units[unitB].Forms == 0 || rep.Cut != 0 {
		t.Errorf("the province's fold: %+v, want %s's 2 and %s's 1 read, %s failed", rep, unitA, unitB, unitBroken)
	}
	again, _ := pf.svc.FoldExports(ctx)
	if again.Fresh != 0 || again.Forms != rep.Forms {
		t.Errorf("the fold again: %+v, want nothing read and the same %d forms up to date", again, rep.Forms)
	}
}

// cutAt lists the example province's units, recording the order they are
// asked for, and ends the fold's time when asked for the unit cut.
type cutAt struct {
	exampleLister
	cut    string
	end    context.CancelFunc
	mu     sync.Mutex
	asked  []string
	ending bool // end the time when cut is asked for
}

func (c *cutAt) Unit(ctx context.Context, slug string) (service.Unit, error) {
	c.mu.Lock()
	c.asked = append(c.asked, slug)
	if c.ending && slug == c.cut {
		c.end()
	}
	c.mu.Unlock()
	return c.exampleLister.Unit(ctx, slug)
}

func (c *cutAt) order() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.asked
	c.asked = nil
	return o
}

// TestProvinceFoldGoesOnWhereItStopped: a province's fold whose time runs
// out at a unit leaves that unit and the ones after it to the next run,
// which starts there and folds them, then the ones before; nothing is
// lost, and the run after folds from the first unit again.
func TestProvinceFoldGoesOnWhereItStopped(t *testing.T) {
	units := &cutAt{cut: unitB}
	pf := newProvinceFixture(t, service.Config{Units: units})
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 1", "Chuyển đổi số", "Phường có lớp tin học không?")
	pf.ask(t, host(unitB), "/api/forms/cau-hoi", "Chi đoàn thôn Đông", "Đường giao thông nông thôn", "Xã có làm đường mới không?")
	slugs, err := exampleLister{}.Slugs(context.Background())
	if err != nil || len(slugs) < 3 || !slices.IsSorted(slugs) || slugs[len(slugs)-1] != unitB {
		t.Fatalf("the example province's units %v: the test wants %s last of three or more", slugs, unitB)
	}
	units.order()

	ctx, cancel := context.WithCancel(context.Background())
	units.end, units.ending = cancel, true
	rep, err := pf.svc.FoldExports(ctx)
	units.ending = false
	if err != nil || rep.Units[unitA].Fresh != 1 || rep.Units[unitB].Cut == 0 || rep.Units[unitB].Fresh != 0 {
		t.Fatalf("a fold whose time ends at %s: %+v %v, want %s folded and %s cut, no error", unitB, rep, err, unitA, unitB)
	}
	if got := units.order(); !slices.Equal(got, slugs) {
		t.Errorf("the first fold asked for %v, want %v", got, slugs)
	}

	rep, err = pf.svc.FoldExports(context.Background())
	if err != nil || rep.Cut != 0 || rep.Fresh != 1 || rep.Units[unitB].Fresh != 1 {
		t.Errorf("the next fold: %+v %v, want %s's question read, nothing cut", rep, err, unitB)
	}
	want := append([]string{unitB}, slugs[:len(slugs)-1]...)
	if got := units.order(); !slices.Equal(got, want) {
		t.Errorf("the next fold asked for %v, want %v: starting where the last stopped", got, want)
	}
	if rep, _ := pf.svc.FoldExports(context.Background()); rep.Fresh != 0 || !slices.Equal(units.order(), slugs) {
		t.Errorf("a fold after a whole one: %+v, want nothing read, from the first unit", rep)
	}
}
