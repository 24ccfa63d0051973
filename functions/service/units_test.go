package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// provinceAt is inside the example province's forms' dates.
var provinceAt = time.Date(2026, 12, 10, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// exampleUnits finds the units of the repository's example province
// (don-vi/), read from disk as serve reads them.
func exampleUnits(ctx context.Context, slug string) (service.Unit, error) {
	dir := filepath.Join("..", "..", "don-vi", slug)
	if _, err := os.Stat(filepath.Join(dir, "site.yaml")); err != nil {
		return service.Unit{}, fmt.Errorf("%s: %w", slug, service.ErrNoUnit)
	}
	fsys, err := content.Dir(dir)
	if err != nil {
		return service.Unit{}, err
	}
	return service.Unit{Slug: slug, Content: fsys, ContentDir: dir}, nil
}

// provinceFixture is the form service of the example province on the
// test S3, with a staff account "quan-tri" in each of two units, each with
// its own secret.
type provinceFixture struct {
	fx      *s3test.Fixture
	svc     *service.Service
	secrets map[string]string
}

const (
	unitA = "phuong-bach-sam"
	unitB = "xa-nghia-tru"
)

func newProvinceFixture(t *testing.T, cfg service.Config) *provinceFixture {
	t.Helper()
	fx := s3test.New(t, s3test.Options{})
	cfg.S3, cfg.Bucket, cfg.Layouts = fx.Server.Client, s3test.Bucket, site.FS()
	if cfg.Units == nil {
		cfg.Units = service.UnitsFunc(exampleUnits)
	}
	cfg.Now = func() time.Time { return provinceAt }
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.NoLimits = true
	svc, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pf := &provinceFixture{fx: fx, svc: svc, secrets: map[string]string{}}
	for _, slug := range []string{unitA, unitB} {
		u, err := svc.Unit(context.Background(), slug)
		if err != nil {
			t.Fatal(err)
		}
		secret := staff.NewSecret()
		hash, err := staff.HashSecret(secret)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Store.CreateAccount(context.Background(), store.Account{ID: "quan-tri", Name: "Quản trị " + slug, Role: store.RoleManager, Hash: hash}); err != nil {
			t.Fatal(err)
		}
		pf.secrets[slug] = secret
	}
	return pf
}

// do sends a request to host (and path) and returns the status and body.
func (pf *provinceFixture) do(t *testing.T, method, host, path, body string, h map[string]string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Host = host
	r.RemoteAddr = "198.51.100.7:4000"
	for k, v := range h {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	pf.svc.Handler.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

func (pf *provinceFixture) staff(slug string, qualified bool) map[string]string {
	acct := "quan-tri"
	if qualified {
		acct += "@" + slug
	}
	return map[string]string{routes.StaffHeader: pf.secrets[slug], routes.AccountHeader: acct}
}

func host(slug string) string { return slug + ".localhost:8080" }

// ask sends a question to a unit by host and returns its id.
func (pf *provinceFixture) ask(t *testing.T, h, path, chiDoan, topic, text string) string {
	t.Helper()
	q := url.Values{"ho_ten": {"Trần Thị Bình"}, "chi_doan": {chiDoan}, "dien_thoai": {"0912345678"},
		"linh_vuc": {topic}, "noi_dung": {text}, "dong_y": {"co"}}
	code, body := pf.do(t, "POST", h, path, q.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
	var a struct {
		ID string `json:"id"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &a) != nil || a.ID == "" {
		t.Fatalf("question to %s%s: %d %s", h, path, code, body)
	}
	return a.ID
}

// staffRoutes reads functions/routes: the names of the routes whose
// comment says they are staff's.
func staffRoutes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "routes", "routes.go"), nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && vs.Comment != nil && strings.HasPrefix(strings.TrimSpace(vs.Comment.Text()), "staff:") {
			for _, id := range vs.Names {
				names = append(names, id.Name)
			}
		}
		return true
	})
	if len(names) < 10 {
		t.Fatalf("found %d staff routes in routes.go: %v", len(names), names)
	}
	return names
}

// TestProvinceIsolation: each unit keeps its own forms and data; a
// question sent to one unit is seen by that unit's staff only; and the
// staff of one unit, sending their own account and secret to another
// unit, are refused with 403 on every staff route (by host, by path and
// by CloudFront's unit header), see none of its data and change nothing.
func TestProvinceIsolation(t *testing.T) {
	pf := newProvinceFixture(t, service.Config{UnitHeader: "X-Loa-Unit"})
	qa := "Phường Bạch Sam có lớp học nghề buổi tối cho thanh niên không?"
	qb := "Xã Nghĩa Trụ bao giờ làm xong đường liên thôn?"
	idA := pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 1", "Chuyển đổi số", qa)
	// By path, as serve takes a unit for programs.
	idB := pf.ask(t, "127.0.0.1:8080", "/"+unitB+"/api/forms/cau-hoi", "Chi đoàn thôn Đông", "Đường giao thông nông thôn", qb)

	// Each unit's forms are its own: one's chi đoàn and topics are no
	// options of the other's, and one unit's form is not another's.
	bad := url.Values{"ho_ten": {"Trần Thị Bình"}, "chi_doan": {"Chi đoàn thôn Đông"}, "dien_thoai": {"0912345678"},
		"linh_vuc": {"Chuyển đổi số"}, "noi_dung": {"Câu hỏi"}, "dong_y": {"co"}}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
	if code, body := pf.do(t, "POST", host(unitA), "/api/forms/cau-hoi", bad.Encode(), form); code != http.StatusUnprocessableEntity || !strings.Contains(body, "chi_doan") {
		t.Errorf("unit B's chi đoàn sent to unit A: %d %s, want 422 on chi_doan", code, body)
	}
	if code, _ := pf.do(t, "POST", host("phuong-duong-hao"), "/api/forms/cau-hoi", bad.Encode(), form); code != http.StatusNotFound {
		t.Errorf("a form that phuong-duong-hao does not have: %d, want 404", code)
	}
	for _, h := range []string{host("phuong-khong-co"), "127.0.0.1:8080"} {
		code, body := pf.do(t, "POST", h, "/api/forms/cau-hoi", bad.Encode(), form)
		if code != http.StatusNotFound || !strings.Contains(body, "Không có xã, phường") {
			t.Errorf("%s: %d %s, want 404 naming no unit", h, code, body)
		}
	}

	// A question sent to one unit is seen by its staff only.
	for _, c := range []struct{ unit, sees, not string }{{unitA, qa, qb}, {unitB, qb, qa}} {
		code, body := pf.do(t, "GET", host(c.unit), routes.Questions, "", pf.staff(c.unit, false))
		if code != http.StatusOK || !strings.Contains(body, c.sees) || strings.Contains(body, c.not) {
			t.Errorf("%s's staff list %d %s: want %q and not %q", c.unit, code, body, c.sees, c.not)
		}
	}

	// Every staff route, with unit B's real submission where one is named.
	type call struct{ route, method, path, body string }
	calls := []call{
		{"SignIn", "GET", routes.SignIn, ""},
		{"Accounts", "GET", routes.Accounts, ""},
		{"Accounts", "POST", routes.Accounts, `{"id":"nguoi-la","name":"Người lạ","role":"quan-ly"}`},
		{"Accounts", "DELETE", routes.Accounts + "/quan-tri", ""},
		{"Audit", "GET", routes.Audit, ""},
		{"AuditCSV", "GET", routes.AuditCSV, ""},
		{"Stats", "GET", routes.Stats, ""},
		{"Export", "GET", routes.Export + "cau-hoi?format=csv", ""},
		{"Export", "GET", routes.Export + "cau-hoi?format=xlsx", ""},
		{"Submissions", "DELETE", routes.Submissions + "cau-hoi/" + idB, ""},
		{"Questions", "GET", routes.Questions, ""},
		{"Answers", "PUT", routes.Answers + "cau-hoi/" + idB, `{"status":"da-tra-loi","answer":"Trả lời giả mạo","public":true}`},
		{"Compile", "GET", routes.Compile, ""},
		{"Compile", "GET", routes.Compile + "/cau-hoi", ""},
		{"Marks", "PUT", routes.Marks + "cau-hoi/" + idB, `{"out":true}`},
		{"Files", "GET", routes.Files + "cau-hoi/" + idB + "/noi_dung", ""},
		{"Commendation", "GET", routes.Commendation, ""},
		{"Commendation", "PUT", routes.Commendation + "/" + idB, `{"out":true}`},
		{"CommendDocx", "GET", routes.CommendDocx, ""},
		{"Invitations", "GET", routes.Invitations, ""},
		{"Checkin", "POST", routes.Checkin, `{"name":"Người lạ","chi_doan":"Chi đoàn thôn Đông"}`},
		{"Invitations", "GET", routes.Invitations + "?dang=pdf", ""},
		{"Attendance", "GET", routes.Attendance, ""},
		{"AttendanceCSV", "GET", routes.AttendanceCSV, ""},
		{"Guests", "GET", routes.Guests, ""},
		{"Guests", "POST", routes.Guests, `{"name":"Người lạ","title":"Khách","org":"Cơ quan khác"}`},
		{"Guests", "DELETE", routes.Guests + "/khach-1", ""},
		{"Digest", "GET", routes.Digest, ""},
		{"Digest", "PUT", routes.Digest + "/quan-tri", `{"email":"nguoi-la@example.com","on":true}`},
		{"DigestNow", "POST", routes.DigestNow, ""},
	}
	var covered []string
	for _, c := range calls {
		covered = append(covered, c.route)
	}
	for _, r := range staffRoutes(t) {
		if !slices.Contains(covered, r) {
			t.Errorf("staff route routes.%s is not tried across units", r)
		}
	}

	before := pf.fx.Keys(t, unitB+"/")
	json := map[string]string{"Content-Type": "application/json"}
	for i, c := range calls {
		ways := []struct {
			name, host, path string
			extra            map[string]string
		}{
			{"by host", host(unitB), c.path, nil},
			{"by path", "127.0.0.1:8080", "/" + unitB + c.path, nil},
			{"by CloudFront's header", "abc.execute-api.example", c.path, map[string]string{"X-Loa-Unit": unitB}},
		}
		for _, way := range ways {
			h := pf.staff(unitA, true)
			for k, v := range json {
				h[k] = v
			}
			for k, v := range way.extra {
				h[k] = v
			}
			code, body := pf.do(t, c.method, way.host, way.path, c.body, h)
			if code != http.StatusForbidden || !strings.Contains(body, "đơn vị khác") {
				t.Errorf("%s %s %s as unit A's staff: %d %s, want 403", way.name, c.method, c.path, code, body)
			}
			if strings.Contains(body, qb) || strings.Contains(body, "Trần Thị Bình") {
				t.Errorf("%s %s %s as unit A's staff: unit B's data in %s", way.name, c.method, c.path, body)
			}
		}
		// Unit A's secret under unit B's account of the same name: B
		// does not know it. (A few tries: more are slowed down, 429, by
		// the limit on wrong secrets, which would then refuse B's staff
		// too for a while.)
		if i >= 3 {
			continue
		}
		h := pf.staff(unitA, false)
		h["Content-Type"] = "application/json"
		if code, body := pf.do(t, c.method, host(unitB), c.path, c.body, h); code != http.StatusUnauthorized {
			t.Errorf("%s %s with unit A's secret, unqualified: %d %s, want 401", c.method, c.path, code, body)
		}
	}
	if after := pf.fx.Keys(t, unitB+"/"); !slices.Equal(before, after) {
		t.Errorf("unit B's objects changed under unit A's staff:\nbefore %v\nafter  %v", before, after)
	}

	// The routes are real: unit B's own staff reach every read of them.
	for _, c := range calls {
		if c.method != "GET" {
			continue
		}
		h := pf.staff(unitB, true)
		if code, body := pf.do(t, c.method, host(unitB), c.path, "", h); code == http.StatusForbidden || code == http.StatusUnauthorized || code == http.StatusNotFound && strings.Contains(body, "Không có xã") {
			t.Errorf("unit B's own staff: GET %s: %d %s", c.path, code, body)
		}
	}
	if code, body := pf.do(t, "GET", host(unitA), routes.Questions, "", pf.staff(unitA, false)); code != http.StatusOK || !strings.Contains(body, idA) {
		t.Errorf("unit A after all that: %d %s", code, body)
	}
	if code, body := pf.do(t, "GET", host(unitB), routes.Questions, "", pf.staff(unitB, false)); code != http.StatusOK || !strings.Contains(body, idB) {
		t.Errorf("unit B after all that: %d %s", code, body)
	}
}

// TestProvinceRefusesSharedSecret: one staff secret for every unit would
// let each unit's staff into every other's data.
func TestProvinceRefusesSharedSecret(t *testing.T) {
	fx := s3test.New(t, s3test.Options{})
	hash, err := staff.HashSecret(staff.NewSecret())
	if err != nil {
		t.Fatal(err)
	}
	_, err = service.New(service.Config{S3: fx.Server.Client, Bucket: s3test.Bucket, Layouts: site.FS(),
		Units: service.UnitsFunc(exampleUnits), StaffSecretHash: hash})
	if err == nil || !strings.Contains(err.Error(), "LOA_STAFF_SECRET_HASH") {
		t.Errorf("a province with a shared staff secret: %v", err)
	}
}

// TestProvinceReassembles: a unit whose content changes (its version) is
// assembled again; one whose content is broken answers 503 and the
// others go on.
func TestProvinceReassembles(t *testing.T) {
	version := "1"
	broken := false
	fx := s3test.New(t, s3test.Options{})
	units := service.UnitsFunc(func(ctx context.Context, slug string) (service.Unit, error) {
		u, err := exampleUnits(ctx, slug)
		if err != nil {
			return u, err
		}
		u.Version = version
		if broken && slug == unitB {
			u.Content = os.DirFS(t.TempDir())
		}
		return u, nil
	})
	svc, err := service.New(service.Config{S3: fx.Server.Client, Bucket: s3test.Bucket, Layouts: site.FS(), Units: units,
		Now: func() time.Time { return provinceAt }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := svc.Unit(ctx, unitA)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := svc.Unit(ctx, unitA); again != first {
		t.Error("an unchanged unit was assembled again")
	}
	version = "2"
	if again, _ := svc.Unit(ctx, unitA); again == first {
		t.Error("a unit whose content changed was not assembled again")
	}
	broken = true
	if _, err := svc.Unit(ctx, unitB); err == nil || errors.Is(err, service.ErrNoUnit) {
		t.Errorf("a unit with no site.yaml: %v", err)
	}
	r := httptest.NewRequest("GET", routes.Stats, nil)
	r.Host = host(unitB)
	w := httptest.NewRecorder()
	svc.Handler.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("a broken unit: %d, want 503 with Retry-After", w.Code)
	}
	if _, err := svc.Unit(ctx, unitA); err != nil {
		t.Errorf("another unit beside a broken one: %v", err)
	}
	if _, err := svc.Unit(ctx, "../"+unitA); !errors.Is(err, service.ErrNoUnit) {
		t.Errorf("a slug with a path in it: %v", err)
	}
}
