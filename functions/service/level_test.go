package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa/functions/routes"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
)

// exampleLister is the example province's units, listed as serve and the
// bucket list them.
type exampleLister struct{}

func (exampleLister) Unit(ctx context.Context, slug string) (service.Unit, error) {
	return exampleUnits(ctx, slug)
}

func (exampleLister) Slugs(context.Context) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join("..", "..", "don-vi"))
	var slugs []string
	for _, e := range entries {
		if e.IsDir() {
			slugs = append(slugs, e.Name())
		}
	}
	return slugs, err
}

// TestProvinceCounts: a province account, kept at the province level,
// sees how many submissions each unit has of each form, and nothing that
// people typed; it reads no unit's rows, and no unit's staff reads the
// province's counts.
func TestProvinceCounts(t *testing.T) {
	pf := newProvinceFixture(t, service.Config{UnitHeader: "X-Loa-Unit"})
	// A province whose units are listed (serve, the bucket); the fixture's
	// own service lists none, and counts the units found in the bucket.
	ctx := context.Background()
	names := []string{"Trần Thị Bình"}
	qa := "Phường Bạch Sam có sân bóng cho thanh niên không?"
	qb := "Xã Nghĩa Trụ có lớp tin học miễn phí không?"
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 1", "Chuyển đổi số", qa)
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 2", "Chuyển đổi số", qa+" (2)")
	pf.ask(t, host(unitB), "/api/forms/cau-hoi", "Chi đoàn thôn Đông", "Đường giao thông nông thôn", qb)

	lvl := pf.svc.ProvinceStore()
	if lvl == nil {
		t.Fatal("a province's service has no province store")
	}
	secret := staff.NewSecret()
	hash, err := staff.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lvl.CreateAccount(ctx, store.Account{ID: "so-noi-vu", Name: "Sở Nội vụ", Role: store.RoleProvince, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	// The kinds stay apart: a unit keeps no province account, the
	// province no unit's.
	u, _ := pf.svc.Unit(ctx, unitA)
	if _, err := u.Store.CreateAccount(ctx, store.Account{ID: "tinh-gia", Name: "Giả", Role: store.RoleProvince, Hash: hash}); err == nil {
		t.Error("a unit's store took a province account")
	}
	if _, err := lvl.CreateAccount(ctx, store.Account{ID: "quan-ly-gia", Name: "Giả", Role: store.RoleManager, Hash: hash}); err == nil {
		t.Error("the province's store took a unit's manager")
	}
	if keys := pf.fx.Keys(t, store.ProvinceLevel+"/accounts/"); len(keys) != 1 {
		t.Errorf("province accounts %v, want one under %s/accounts/", keys, store.ProvinceLevel)
	}

	prov := map[string]string{routes.StaffHeader: secret, routes.AccountHeader: "so-noi-vu"}
	ways := []struct {
		name, host, path string
		h                map[string]string
	}{
		{"CloudFront's header", "abc.execute-api.example", routes.ProvinceCounts, map[string]string{"X-Loa-Unit": store.ProvinceLevel}},
		{"the province's host", "localhost:8080", routes.ProvinceCounts, nil},
		{"the province's path", "127.0.0.1:8080", "/" + store.ProvinceLevel + routes.ProvinceCounts, nil},
	}
	for _, way := range ways {
		h := map[string]string{}
		for k, v := range prov {
			h[k] = v
		}
		for k, v := range way.h {
			h[k] = v
		}
		code, body := pf.do(t, "GET", way.host, way.path, "", h)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", way.name, code, body)
		}
		for _, personal := range append(names, qa, qb, "0912345678", "5678", "Chi đoàn") {
			if strings.Contains(body, personal) {
				t.Errorf("%s: the counts carry %q: %s", way.name, personal, body)
			}
		}
		checkKeys(t, body)
		var c service.ProvinceCounts
		if err := json.Unmarshal([]byte(body), &c); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, u := range c.Units {
			got[u.Unit] = u.Total
			if u.Name == "" || u.Error != "" {
				t.Errorf("%s: unit %+v", way.name, u)
			}
		}
		if got[unitA] != 2 || got[unitB] != 1 || c.Total != 3 {
			t.Errorf("%s: counts %v (total %d), want %s 2, %s 1, 3 in all", way.name, got, c.Total, unitA, unitB)
		}
	}

	// With a list of the units, a unit with nothing yet is counted too.
	listed := newProvinceFixture(t, service.Config{Units: exampleLister{}})
	llvl := listed.svc.ProvinceStore()
	if _, err := llvl.CreateAccount(ctx, store.Account{ID: "so-noi-vu", Name: "Sở Nội vụ", Role: store.RoleProvince, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	code, body := listed.do(t, "GET", "localhost:8080", routes.ProvinceCounts, "", prov)
	if code != http.StatusOK || !strings.Contains(body, `"unit":"phuong-duong-hao"`) || !strings.Contains(body, `"count":0`) {
		t.Errorf("a listed province: %d %s, want phuong-duong-hao counted, with 0", code, body)
	}

	// Every read is an audit record at the province level.
	recs, _, err := lvl.AuditLog(ctx, store.AuditFilter{Who: "so-noi-vu"}, 0, 0)
	if err != nil || len(recs) != len(ways) || recs[0].Action != "province-counts" || recs[0].Status != http.StatusOK {
		t.Errorf("the province's audit log: %+v %v, want %d reads", recs, err, len(ways))
	}

	// Who is refused.
	for _, c := range []struct {
		name string
		h    map[string]string
		want int
	}{
		{"no account", nil, http.StatusUnauthorized},
		{"a wrong secret", map[string]string{routes.StaffHeader: staff.NewSecret(), routes.AccountHeader: "so-noi-vu"}, http.StatusUnauthorized},
		{"a unit's account by its name", pf.staff(unitA, false), http.StatusUnauthorized},
		{"a unit's account, qualified", pf.staff(unitA, true), http.StatusForbidden},
	} {
		code, body := pf.do(t, "GET", "localhost:8080", routes.ProvinceCounts, "", c.h)
		if code != c.want || strings.Contains(body, `"units"`) {
			t.Errorf("%s: %d %s, want %d and no counts", c.name, code, body, c.want)
		}
	}

	// The province account reads no unit's rows: no unit knows it (401,
	// or 429 once the unit slows down wrong secrets), and named as the
	// province's it is another unit's account (403).
	for _, r := range []string{routes.Questions, routes.Export + "cau-hoi?format=csv", routes.Stats, routes.SignIn, routes.Audit, routes.Compile} {
		for _, acct := range []string{"so-noi-vu", "so-noi-vu@" + store.ProvinceLevel} {
			h := map[string]string{routes.StaffHeader: secret, routes.AccountHeader: acct}
			code, body := pf.do(t, "GET", host(unitA), r, "", h)
			refused := code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusTooManyRequests
			if !refused || strings.Contains(body, qa) || strings.Contains(body, names[0]) || strings.Contains(acct, "@") && code != http.StatusForbidden {
				t.Errorf("the province account as %s: GET %s on %s: %d %s, want it refused, 403 when qualified, and no row", acct, r, unitA, code, body)
			}
		}
	}
}

// checkKeys fails the test for a field of the counts that is not one of
// the few they may have: names of units and forms, counts, dates.
func checkKeys(t *testing.T, body string) {
	t.Helper()
	allowed := map[string]bool{"ok": true, "at": true, "units": true, "total": true, "unit": true, "name": true,
		"forms": true, "form": true, "title": true, "count": true, "open": true, "closes": true, "error": true}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !allowed[k] {
					t.Errorf("the counts have a field %q", k)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
}
