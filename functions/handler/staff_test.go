package handler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/paperwork"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/staff"
)

const staffSecret = "thu-nghiem-bi-mat-2023"

var staffHash = sync.OnceValue(func() string {
	h, err := staff.HashSecret(staffSecret)
	if err != nil {
		panic(err)
	}
	return h
})

// newStaffEnv is newEnv with the staff routes configured, and one stored
// question and one delegate with names that must never leak.
func newStaffEnv(t *testing.T) (*env, []string, map[string]string) {
	t.Helper()
	return newStaffEnvWith(t, nil)
}

// newStaffEnvWith is newStaffEnv with more settings of the handler.
func newStaffEnvWith(t *testing.T, more func(*handler.Config)) (*env, []string, map[string]string) {
	t.Helper()
	var ex *export.Exporter
	e := newEnv(t, func(c *handler.Config) {
		if more != nil {
			more(c)
		}
		c.StaffSecretHash = staffHash()
		// The exporter needs the env's store, made inside newEnv: set below.
		c.Staff = &lateStaff{get: func() handler.StaffService { return ex }}
		office, err := paperwork.Load(content.FS, "content")
		if err != nil {
			t.Fatal(err)
		}
		c.Office = office
	})
	var err error
	ex, err = export.New(export.Config{
		Store: e.store, TempDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Hoàng Thị Bảo Mật", "Vũ Đức Riêng Tư"}
	ids := map[string]string{}
	q := e.reg.Form("cau-hoi")
	rc, err := e.store.Save(context.Background(), &forms.Submission{Form: q, Values: map[string]string{
		"ho_ten": names[0], "chi_doan": q.ChiDoan[0], "dien_thoai": "0912345678", "linh_vuc": q.Topics[0],
		"noi_dung": "Câu hỏi riêng", "dong_y": "2023-04-01",
	}})
	if err != nil {
		t.Fatal(err)
	}
	ids["cau-hoi"] = rc.ID
	d := e.reg.Form("dai-bieu")
	rc, err = e.store.Save(context.Background(), &forms.Submission{Form: d, Values: map[string]string{
		"chi_doan": d.ChiDoan[0], "ho_ten": names[1], "chuc_vu": "Bí thư", "nam_sinh": "1995",
		"dien_thoai": "0987654321", "dong_y": "2023-04-01",
	}})
	if err != nil {
		t.Fatal(err)
	}
	ids["dai-bieu"] = rc.ID
	return e, names, ids
}

// lateStaff lets the test build the exporter after the handler's store.
type lateStaff struct{ get func() handler.StaffService }

func (l *lateStaff) Stats(ctx context.Context, list []*forms.Form) (*report.Stats, error) {
	return l.get().Stats(ctx, list)
}
func (l *lateStaff) Publish(ctx context.Context, f *forms.Form, format report.Format) (report.Link, error) {
	return l.get().Publish(ctx, f, format)
}
func (l *lateStaff) Delete(ctx context.Context, f *forms.Form, id string) error {
	return l.get().Delete(ctx, f, id)
}
func (l *lateStaff) Records(ctx context.Context, f *forms.Form) ([]forms.Record, error) {
	return l.get().(handler.RecordReader).Records(ctx, f)
}

type staffRoute struct{ method, path string }

func staffRoutes(ids map[string]string) []staffRoute {
	return []staffRoute{
		{"GET", "/api/stats"},
		{"GET", "/api/export/cau-hoi?format=csv"},
		{"GET", "/api/export/cau-hoi?format=xlsx"},
		{"GET", "/api/export/dai-bieu?format=csv"},
		{"GET", "/api/export/dai-bieu?format=xlsx"},
		{"GET", "/api/export/dai-bieu?format=summary"},
		{"GET", "/api/export/khong-co"},
		{"DELETE", "/api/submissions/cau-hoi/" + ids["cau-hoi"]},
		{"DELETE", "/api/submissions/dai-bieu/" + ids["dai-bieu"]},
		{"GET", "/api/questions"},
		{"PUT", "/api/answers/cau-hoi/" + ids["cau-hoi"]},
		{"GET", "/api/compile"},
		{"GET", "/api/compile/cau-hoi?ten=1"},
		{"PUT", "/api/marks/cau-hoi/" + ids["cau-hoi"]},
		{"GET", "/api/invitations"},
		{"POST", "/api/checkin"},
		{"GET", "/api/attendance"},
		{"GET", "/api/attendance.csv"},
		{"GET", "/api/guests"},
		{"POST", "/api/guests"},
		{"DELETE", "/api/guests/0123456789ab"},
		{"GET", "/api/invitations?dang=pdf"},
		{"GET", "/api/digest"},
		{"PUT", "/api/digest/lan"},
		{"POST", "/api/digest-now"},
	}
}

func staffRequest(method, path, secret, addr string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("Accept", "application/json")
	if secret != "" {
		r.Header.Set(routes.StaffHeader, secret)
	}
	r.RemoteAddr = addr
	return r
}

func TestStaffRoutesRefuseWithoutSecret(t *testing.T) {
	e, names, ids := newStaffEnv(t)
	n := 0
	for _, secret := range []string{"", "sai-ma-quan-tri", staffSecret + " ", strings.ToUpper(staffSecret)} {
		for _, rt := range staffRoutes(ids) {
			n++
			// A new address each time: this test is about 401, not the rate limit.
			a := e.do(staffRequest(rt.method, rt.path, secret, fmt.Sprintf("192.0.2.%d:1234", n)))
			if a.code != http.StatusUnauthorized {
				t.Errorf("%s %s with secret %q: %d, want 401", rt.method, rt.path, secret, a.code)
			}
			for _, name := range names {
				if strings.Contains(a.body, name) {
					t.Errorf("%s %s with secret %q leaks %q", rt.method, rt.path, secret, name)
				}
			}
			if strings.Contains(a.body, "X-Amz") || strings.Contains(a.body, "\"total\"") {
				t.Errorf("%s %s with secret %q answers data: %s", rt.method, rt.path, secret, a.body)
			}
		}
	}
	// Nothing was deleted, nothing exported.
	if k := e.keys("loa/submissions/"); len(k) != 2 {
		t.Errorf("%d submissions left, want 2", len(k))
	}
	if k := e.keys("loa/exports/"); len(k) != 0 {
		t.Errorf("exports were written without the secret: %q", k)
	}
	for _, name := range names {
		if strings.Contains(e.logs.String(), name) {
			t.Errorf("log holds %q", name)
		}
	}
	if strings.Contains(e.logs.String(), "sai-ma-quan-tri") {
		t.Error("log holds a presented secret")
	}
}

func TestStaffRoutesWithSecret(t *testing.T) {
	e, names, ids := newStaffEnv(t)
	const addr = "198.51.100.7:5555"

	a := e.do(staffRequest("GET", "/api/stats", staffSecret, addr))
	if a.code != 200 {
		t.Fatalf("stats: %d %s", a.code, a.body)
	}
	var st report.Stats
	if err := json.Unmarshal([]byte(a.body), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Forms) != 3 || st.Forms[0].Total != 1 || st.Forms[1].Quota == nil || st.Forms[1].Quota.Groups[0].Count != 1 || st.Forms[2].ID != "de-cu" || st.Forms[2].Total != 0 {
		t.Errorf("stats: %s", a.body)
	}

	for _, c := range []struct{ form, format, file, name string }{
		{"cau-hoi", "csv", "cau-hoi-", names[0]},
		{"cau-hoi", "xlsx", "cau-hoi-", ""},
		{"dai-bieu", "summary", "dai-bieu-tong-hop-", "Chi đoàn Tổ dân phố 1"},
	} {
		a := e.do(staffRequest("GET", "/api/export/"+c.form+"?format="+c.format, staffSecret, addr))
		if a.code != 200 {
			t.Fatalf("export %s %s: %d %s", c.form, c.format, a.code, a.body)
		}
		var link struct {
			OK   bool   `json:"ok"`
			URL  string `json:"url"`
			File string `json:"file"`
			Rows int    `json:"rows"`
		}
		json.Unmarshal([]byte(a.body), &link)
		if !link.OK || !strings.HasPrefix(link.File, c.file) || link.Rows != 1 {
			t.Errorf("export %s %s: %s", c.form, c.format, a.body)
		}
		if strings.Contains(a.body, names[0]) || strings.Contains(a.body, names[1]) {
			t.Errorf("the export answer itself holds a name: %s", a.body)
		}
		res, err := http.Get(link.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || (c.name != "" && !strings.Contains(string(body), c.name)) {
			t.Errorf("download %s %s: %d, %d bytes", c.form, c.format, res.StatusCode, len(body))
		}
	}
	if a := e.do(staffRequest("GET", "/api/export/cau-hoi?format=summary", staffSecret, addr)); a.code != 400 {
		t.Errorf("summary of a form without quota: %d", a.code)
	}
	if a := e.do(staffRequest("GET", "/api/export/khong-co?format=csv", staffSecret, addr)); a.code != 404 {
		t.Errorf("unknown form: %d", a.code)
	}
	if a := e.do(staffRequest("POST", "/api/stats", staffSecret, addr)); a.code != 405 {
		t.Errorf("POST /api/stats: %d", a.code)
	}

	// Deletion: by id, once; logged without the person.
	a = e.do(staffRequest("DELETE", "/api/submissions/dai-bieu/"+ids["dai-bieu"], staffSecret, addr))
	if a.code != 200 || !a.json.OK {
		t.Fatalf("delete: %d %s", a.code, a.body)
	}
	if k := e.keys("loa/quota/dai-bieu/"); len(k) != 0 {
		t.Errorf("the quota slot was not freed: %q", k)
	}
	if k := e.keys("loa/exports/dai-bieu/"); len(k) != 0 {
		t.Errorf("exports holding the deleted row survive: %q", k)
	}
	a = e.do(staffRequest("DELETE", "/api/submissions/dai-bieu/"+ids["dai-bieu"], staffSecret, addr))
	if a.code != 404 {
		t.Errorf("second delete: %d", a.code)
	}
	a = e.do(staffRequest("GET", "/api/stats", staffSecret, addr))
	json.Unmarshal([]byte(a.body), &st)
	if st.Forms[1].Total != 0 {
		t.Errorf("stats after delete: %d delegates", st.Forms[1].Total)
	}

	logs := e.logs.String()
	var sawExport, sawDelete bool
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == "staff export" && rec["form"] == "cau-hoi" && rec["format"] == "csv" && rec["rows"] == 1.0 && rec["time"] != nil {
			sawExport = true
		}
		if rec["msg"] == "staff delete" && rec["form"] == "dai-bieu" && rec["id"] == ids["dai-bieu"] && rec["rows"] == 1.0 {
			sawDelete = true
		}
	}
	if !sawExport || !sawDelete {
		t.Errorf("download logged %v, deletion logged %v:\n%s", sawExport, sawDelete, logs)
	}
	for _, s := range append(names, staffSecret, "X-Amz", "0912345678") {
		if strings.Contains(logs, s) {
			t.Errorf("log holds %q", s)
		}
	}
}

func TestStaffFailuresRateLimited(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	const addr = "203.0.113.9:4000"
	for i := range 5 {
		if a := e.do(staffRequest("GET", "/api/stats", "doan-sai-"+strconv.Itoa(i), addr)); a.code != 401 {
			t.Fatalf("wrong secret %d: %d", i, a.code)
		}
	}
	a := e.do(staffRequest("GET", "/api/stats", "doan-sai-6", addr))
	if a.code != http.StatusTooManyRequests {
		t.Fatalf("sixth wrong secret: %d, want 429", a.code)
	}
	if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
	}
	// Blocked is blocked: the right secret from the same client waits too.
	if a := e.do(staffRequest("GET", "/api/stats", staffSecret, addr)); a.code != http.StatusTooManyRequests {
		t.Errorf("right secret while blocked: %d", a.code)
	}
	// Another client is not affected.
	if a := e.do(staffRequest("GET", "/api/stats", staffSecret, "203.0.113.10:4000")); a.code != 200 {
		t.Errorf("other client: %d", a.code)
	}
}

func TestStaffNotConfigured(t *testing.T) {
	e := newEnv(t, nil)
	if a := e.do(staffRequest("GET", "/api/stats", "bat-ky-ma-nao-day", "192.0.2.1:1")); a.code != 401 {
		t.Errorf("no hash configured: %d, want 401", a.code)
	}
	_, err := handler.New(handler.Config{Forms: e.reg, Store: e.store, StaffSecretHash: "plaintext-secret"})
	if err == nil || !strings.Contains(err.Error(), staff.EnvHash) {
		t.Errorf("a hash that is not one was accepted: %v", err)
	}
}

// partialStaff is a staff service whose every read runs out of time, as
// an export of very many submissions does within one request.
type partialStaff struct{ handler.StaffService }

func (partialStaff) Stats(ctx context.Context, list []*forms.Form) (*report.Stats, error) {
	return nil, &report.Incomplete{Form: list[0].ID, Fresh: 12345}
}
func (partialStaff) Publish(ctx context.Context, f *forms.Form, format report.Format) (report.Link, error) {
	return report.Link{}, fmt.Errorf("publish: %w", &report.Incomplete{Form: f.ID, Fresh: 12345})
}

// A request that ran out of time but kept its progress answers 503 with a
// short Retry-After and says so, for the staff page to send it again.
func TestStaffPartialAnswer(t *testing.T) {
	e := newEnv(t, func(c *handler.Config) {
		c.StaffSecretHash = staffHash()
		c.Staff = partialStaff{}
	})
	for i, path := range []string{"/api/stats", "/api/export/cau-hoi?format=xlsx"} {
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, staffRequest("GET", path, staffSecret, "192.0.2."+strconv.Itoa(40+i)+":5000"))
		var ans struct {
			Partial bool   `json:"partial"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
			t.Fatalf("%s: %v: %s", path, err, w.Body)
		}
		if w.Code != 503 || w.Header().Get("Retry-After") != "1" || !ans.Partial ||
			!strings.Contains(ans.Message, "đã đọc thêm 12.345 câu trả lời và đã lưu lại") {
			t.Errorf("%s: %d, Retry-After %q, %+v", path, w.Code, w.Header().Get("Retry-After"), ans)
		}
	}
	if !strings.Contains(e.logs.String(), `"outcome":"partial"`) {
		t.Errorf("partial answers not logged as such:\n%s", e.logs.String())
	}
}

// TestStaffGuessesAtOnce: wrong secrets sent all at once from one client
// are checked no more often than the limiter's burst; the rest are refused
// before the slow check. Thirty seconds later one more may be checked, and
// the right secret, once it is checked, gives its token back.
func TestStaffGuessesAtOnce(t *testing.T) {
	var mu sync.Mutex
	at := time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	step := func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
	e := newEnv(t, func(c *handler.Config) { c.StaffSecretHash, c.Stopwatch = staffHash(), clock })
	const addr = "203.0.113.50:4000"

	guess := func(n int) (checked, refused int) {
		var wg sync.WaitGroup
		codes := make([]int, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = e.do(staffRequest("GET", "/api/stats", "doan-sai-"+strconv.Itoa(i), addr)).code
			}()
		}
		wg.Wait()
		for i, c := range codes {
			switch c {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
				refused++
			default:
				t.Fatalf("guess %d: %d", i, c)
			}
		}
		return checked, refused
	}
	if checked, refused := guess(40); checked != 5 || refused != 35 {
		t.Errorf("40 guesses at once: %d checked, %d refused; want 5 and 35 (the burst)", checked, refused)
	}
	step(30 * time.Second)
	if checked, refused := guess(100); checked != 1 || refused != 99 {
		t.Errorf("100 guesses 30 s later: %d checked, %d refused; want 1 and 99", checked, refused)
	}

	// The right secret passes and costs nothing: after it, the client can
	// still make as many checks as before.
	step(60 * time.Second) // two tokens
	for i := range 5 {
		if a := e.do(staffRequest("GET", "/api/stats", staffSecret, addr)); a.code == http.StatusUnauthorized || a.code == http.StatusTooManyRequests {
			t.Fatalf("right secret %d: %d", i, a.code)
		}
	}
	if checked, _ := guess(3); checked != 2 {
		t.Errorf("after five right secrets, %d wrong ones checked, want the 2 tokens left", checked)
	}
}

// Every staff route that reads a JSON body bounds it and says which
// limit was passed: a body past it answers 413 (as the forms do), one
// that is not JSON 400, and neither stores anything.
func TestStaffBodiesBounded(t *testing.T) {
	e, _, ids := newStaffEnv(t)
	e.newAccount("lan", "Nguyễn Thị Lan", "tra-loi")
	big := `{"name":"` + strings.Repeat("a", handler.MaxBody) + `"}`
	before := len(e.keys("loa/")) - len(e.keys("loa/audit/"))
	for _, rt := range []staffRoute{
		{"POST", routes.Guests},
		{"POST", routes.Checkin},
		{"PUT", routes.Digest + "/lan"},
		{"POST", routes.Accounts},
		{"PUT", routes.Answers + "cau-hoi/" + ids["cau-hoi"]},
		{"PUT", routes.Marks + "cau-hoi/" + ids["cau-hoi"]},
	} {
		for _, c := range []struct {
			body string
			code int
		}{{big, http.StatusRequestEntityTooLarge}, {"{không phải JSON", http.StatusBadRequest}} {
			r := staffRequest(rt.method, rt.path, staffSecret, "198.51.100.7:5000")
			r.Body = io.NopCloser(strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/json")
			a := e.do(r)
			if a.code != c.code || a.json.Message == "" {
				t.Errorf("%s %s with %d bytes: %d %.200s, want %d with a message", rt.method, rt.path, len(c.body), a.code, a.body, c.code)
			}
		}
	}
	if after := len(e.keys("loa/")) - len(e.keys("loa/audit/")); after != before {
		t.Errorf("refused bodies changed the store: %d objects, then %d", before, after)
	}
}
