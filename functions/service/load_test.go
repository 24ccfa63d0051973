package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loa/content"
	"loa/functions/routes"
	"loa/functions/s3test"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/site"
)

// ofUnit finds, in what staff were handed, the unit each question names
// ("… của phuong-thu-3: …").
var ofUnit = regexp.MustCompile(`của ([a-z0-9-]+):`)

// TestProvinceIsolationUnderLoad: while questions pour into every unit of
// a province at once, the staff of two units list their questions and
// export them again and again, and never see a row of another unit; when
// the load is over, every acknowledged question is stored, under the unit
// it was sent to, and nowhere else. (Bounded: a fixed number of
// questions, and the staff's reads end with the load, between 3 and 200
// rounds each. build/bench province-forms does the same at 104 units.)
func TestProvinceIsolationUnderLoad(t *testing.T) {
	const units, perUnit, senders = 8, 40, 16
	examples := []string{unitA, unitB} // the example units with a question form
	slug := func(i int) string { return fmt.Sprintf("phuong-thu-%d", i+1) }
	dirOf := map[string]string{}
	for i := range units {
		dirOf[slug(i)] = filepath.Join("..", "..", "don-vi", examples[i%len(examples)])
	}
	fx := s3test.New(t, s3test.Options{})
	svc, err := service.New(service.Config{
		S3: fx.Server.Client, Bucket: s3test.Bucket, Prefix: "loa/", Layouts: site.FS(),
		Units: service.UnitsFunc(func(ctx context.Context, s string) (service.Unit, error) {
			dir, ok := dirOf[s]
			if !ok {
				return service.Unit{}, fmt.Errorf("%s: %w", s, service.ErrNoUnit)
			}
			fsys, err := content.Dir(dir)
			return service.Unit{Slug: s, Content: fsys, ContentDir: dir}, err
		}),
		Now: func() time.Time { return provinceAt }, Logger: slog.New(slog.DiscardHandler), NoLimits: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type unitLoad struct {
		chiDoan, topics []string
		acked           atomic.Int64
	}
	load := map[string]*unitLoad{}
	for i := range units {
		u, err := svc.Unit(ctx, slug(i))
		if err != nil {
			t.Fatal(err)
		}
		f := u.Forms.Form("cau-hoi")
		load[slug(i)] = &unitLoad{chiDoan: f.Field("chi_doan").Options, topics: f.Field("linh_vuc").Options}
	}
	watched := []string{slug(0), slug(1)}
	secrets := map[string]string{}
	for _, s := range watched {
		u, _ := svc.Unit(ctx, s)
		secrets[s] = staff.NewSecret()
		hash, err := staff.HashSecret(secrets[s])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Store.CreateAccount(ctx, store.Account{ID: "quan-tri", Name: "Quản trị", Role: store.RoleManager, Hash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(svc.Handler)
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	send := func(method, unit, path string, h map[string]string, body string) (int, string, error) {
		r, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		r.Host = unit + ".localhost" + port
		for k, v := range h {
			r.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}

	var loadDone atomic.Bool
	var total atomic.Int64
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make(chan error, senders+len(watched))
	for range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= units*perUnit {
					return
				}
				s := slug(i % units)
				l := load[s]
				q := url.Values{"ho_ten": {fmt.Sprintf("Nguyễn Văn %d", i)}, "chi_doan": {l.chiDoan[i%len(l.chiDoan)]},
					"dien_thoai": {fmt.Sprintf("09%08d", i)}, "linh_vuc": {l.topics[i%len(l.topics)]},
					"noi_dung": {fmt.Sprintf("Câu hỏi số %d của %s: thanh niên được hỗ trợ học nghề thế nào?", i, s)}, "dong_y": {"co"}}
				code, body, err := send("POST", s, "/api/forms/cau-hoi", map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}, q.Encode())
				if err != nil || code != http.StatusOK {
					errs <- fmt.Errorf("question %d to %s: %d %s %v", i, s, code, body, err)
					return
				}
				l.acked.Add(1)
				total.Add(1)
			}
		})
	}
	// The staff's reads: each counts the rows it was handed, the rows of
	// another unit among them, and whether questions were accepted while
	// it ran.
	type reads struct{ rounds, rows, foreign, duringLoad int }
	seen := make([]reads, len(watched))
	var staffWG sync.WaitGroup
	for k, s := range watched {
		staffWG.Go(func() {
			h := map[string]string{routes.StaffHeader: secrets[s], routes.AccountHeader: "quan-tri"}
			check := func(what, body string) {
				for _, m := range ofUnit.FindAllStringSubmatch(body, -1) {
					seen[k].rows++
					if m[1] != s {
						seen[k].foreign++
						errs <- fmt.Errorf("%s's staff were handed a row of %s in %s", s, m[1], what)
					}
				}
			}
			for r := 0; r < 200 && (r < 3 || !loadDone.Load()); r++ {
				before := total.Load()
				code, body, err := send("GET", s, routes.Questions, h, "")
				if err != nil || code != http.StatusOK {
					errs <- fmt.Errorf("%s's staff list: %d %s %v", s, code, body, err)
					return
				}
				check("the list", body)
				code, body, err = send("GET", s, routes.Export+"cau-hoi?format=csv", h, "")
				var link struct {
					URL string `json:"url"`
				}
				if err != nil || code != http.StatusOK || json.Unmarshal([]byte(body), &link) != nil || link.URL == "" {
					errs <- fmt.Errorf("%s's staff export: %d %s %v", s, code, body, err)
					return
				}
				resp, err := http.Get(link.URL)
				if err != nil {
					errs <- err
					return
				}
				csv, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(csv), "\ufeff") {
					errs <- fmt.Errorf("%s's staff download the export: %d %.200s", s, resp.StatusCode, csv)
					return
				}
				check("the export", string(csv))
				seen[k].rounds++
				if total.Load() != before {
					seen[k].duringLoad++
				}
			}
		})
	}
	wg.Wait()
	loadDone.Store(true)
	staffWG.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := total.Load(); got != units*perUnit {
		t.Fatalf("%d questions acknowledged, want %d", got, units*perUnit)
	}
	for k, s := range watched {
		r := seen[k]
		t.Logf("%s's staff: %d rounds (%d while questions were accepted), %d rows handed, %d of another unit", s, r.rounds, r.duringLoad, r.rows, r.foreign)
		if r.duringLoad == 0 || r.rows == 0 || r.foreign != 0 {
			t.Errorf("%s's staff: %+v, want reads while the load ran, rows, and none of another unit", s, r)
		}
	}

	// Every acknowledged question is stored under its unit, once, and
	// each stored row names the unit it is under.
	for i := range units {
		s := slug(i)
		u, _ := svc.Unit(ctx, s)
		f := u.Forms.Form("cau-hoi")
		var stored int
		for token := ""; ; {
			keys, nextToken, err := u.Store.ListKeys(ctx, "cau-hoi", token, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range keys {
				rec, err := u.Store.Read(ctx, f, k)
				if err != nil {
					t.Fatal(err)
				}
				if m := ofUnit.FindStringSubmatch(rec.Values["noi_dung"]); m == nil || m[1] != s {
					t.Errorf("%s holds %q", s, rec.Values["noi_dung"])
				}
				stored++
			}
			if token = nextToken; token == "" {
				break
			}
		}
		if acked := load[s].acked.Load(); int64(stored) != acked {
			t.Errorf("%s: %d acknowledged, %d stored", s, acked, stored)
		}
	}
}
