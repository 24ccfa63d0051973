package serve

import (
	"context"
	"encoding/json"
	"io"
	"loa/functions/digest/smtptest"
	"loa/functions/handler"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"

	"loa/build/internal/browsertest"
	"loa/functions/routes"
	"loa/functions/vntext"
)

// inProvince is an instant when the example province's forms are open.
var inProvince = time.Date(2026, 12, 10, 9, 0, 0, 0, vntext.Location)

const (
	unitA = "phuong-bach-sam"
	unitB = "xa-nghia-tru"
)

// startProvince serves a copy of the example province (don-vi/) on a
// free port, with its data in a temporary folder.
func startProvince(t *testing.T, cfg Config) (*ProvinceServer, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "don-vi"))); err != nil {
		t.Fatal(err)
	}
	cfg.Province = dir
	if cfg.Data == "" {
		cfg.Data = filepath.Join(t.TempDir(), "data")
	}
	cfg.Addr, cfg.Now = "127.0.0.1:0", inProvince
	cfg.Logger = slog.New(slog.DiscardHandler)
	p, err := StartProvince(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, dir
}

// hostClient sends every *.localhost to this machine, as browsers do, so
// that requests carry a unit's host.
func hostClient() *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if h, port, err := net.SplitHostPort(addr); err == nil && (h == "localhost" || strings.HasSuffix(h, ".localhost")) {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return d.DialContext(ctx, network, addr)
		}},
	}
}

func call(t *testing.T, method, u, body string, h map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := hostClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func provinceQuestion(chiDoan, topic, text string) string {
	return url.Values{"ho_ten": {"Trần Thị Bình"}, "chi_doan": {chiDoan}, "dien_thoai": {"0912345678"},
		"linh_vuc": {topic}, "noi_dung": {text}, "dong_y": {"co"}}.Encode()
}

var asForm = map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}

// TestProvince: serve --province serves the province page at
// localhost and every unit at its own host, over one local store; a
// question sent to one unit is seen by that unit's staff only; each unit
// keeps its own first secret across restarts.
func TestProvince(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	p, _ := startProvince(t, Config{Data: data})
	root := "http://localhost:" + p.port

	code, page, _ := call(t, "GET", root+"/", "", nil)
	if code != http.StatusOK {
		t.Fatalf("province page: %d", code)
	}
	for _, u := range p.Province.Units {
		if !strings.Contains(page, `<a href="`+p.UnitURL(u.Slug)+`">`+u.Name+`</a>`) {
			t.Errorf("the province page does not link %s at %s", u.Name, p.UnitURL(u.Slug))
		}
		code, home, h := call(t, "GET", p.UnitURL(u.Slug), "", nil)
		if code != http.StatusOK || !strings.Contains(home, "<title>"+u.Name+"</title>") {
			t.Errorf("%s: %d, its home page does not carry its name", p.UnitURL(u.Slug), code)
		}
		if h.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: no security headers", p.UnitURL(u.Slug))
		}
	}
	if code, _, _ := call(t, "GET", p.UnitURL("phuong-khong-co"), "", nil); code != http.StatusNotFound {
		t.Errorf("a unit the province does not have: %d, want 404", code)
	}
	if code, _, h := call(t, "GET", root+"/"+unitB+"/gioi-thieu/", "", nil); code != http.StatusFound || h.Get("Location") != p.UnitURL(unitB)+"gioi-thieu/" {
		t.Errorf("a unit's page by path: %d to %q, want its host", code, h.Get("Location"))
	}

	// A question to unit A by its host, one to unit B by path.
	qa := "Phường có mở lớp tin học cho thanh niên không?"
	qb := "Xã có kế hoạch làm sân bóng cho thôn Nam không?"
	if code, body, _ := call(t, "POST", p.UnitURL(unitA)+"api/forms/cau-hoi", provinceQuestion("Chi đoàn Tổ dân phố 2", "Chuyển đổi số", qa), asForm); code != http.StatusOK {
		t.Fatalf("question to %s: %d %s", unitA, code, body)
	}
	if code, body, _ := call(t, "POST", root+"/"+unitB+"/api/forms/cau-hoi", provinceQuestion("Chi đoàn thôn Nam", "Học nghề, việc làm cho thanh niên nông thôn", qb), asForm); code != http.StatusOK {
		t.Fatalf("question to %s by path: %d %s", unitB, code, body)
	}

	staffOf := func(slug string) map[string]string {
		return map[string]string{routes.StaffHeader: p.Units[slug].Secret}
	}
	for _, c := range []struct{ unit, sees, not string }{{unitA, qa, qb}, {unitB, qb, qa}} {
		code, body, _ := call(t, "GET", p.UnitURL(c.unit)+"api/questions", "", staffOf(c.unit))
		if code != http.StatusOK || !strings.Contains(body, c.sees) || strings.Contains(body, c.not) {
			t.Errorf("%s's staff: %d %s; want %q and not %q", c.unit, code, body, c.sees, c.not)
		}
	}
	if p.Units[unitA].Secret == p.Units[unitB].Secret {
		t.Fatal("two units share a staff secret")
	}
	for _, h := range []map[string]string{
		staffOf(unitA),
		{routes.StaffHeader: p.Units[unitA].Secret, routes.AccountHeader: "quan-tri@" + unitA},
	} {
		code, body, _ := call(t, "GET", p.UnitURL(unitB)+"api/questions", "", h)
		if code != http.StatusUnauthorized && code != http.StatusForbidden || strings.Contains(body, qb) {
			t.Errorf("unit A's staff at unit B: %d %s", code, body)
		}
	}

	// The province's account sees the counts of every unit at the
	// province's host, and no question; it reads no unit's questions.
	prov := map[string]string{routes.StaffHeader: p.ProvinceSecret, routes.AccountHeader: ProvinceAccount}
	code, counts, _ := call(t, "GET", root+routes.ProvinceCounts, "", prov)
	if code != http.StatusOK || strings.Contains(counts, qa) || strings.Contains(counts, "Trần Thị Bình") {
		t.Errorf("the province's counts: %d %s", code, counts)
	}
	var c struct {
		Units []struct {
			Unit  string `json:"unit"`
			Total int    `json:"total"`
		} `json:"units"`
	}
	json.Unmarshal([]byte(counts), &c)
	if len(c.Units) != len(p.Province.Units) {
		t.Errorf("the province's counts list %d units, want %d: %s", len(c.Units), len(p.Province.Units), counts)
	}
	for _, u := range c.Units {
		if want := map[string]int{unitA: 1, unitB: 1}[u.Unit]; u.Total != want {
			t.Errorf("the province's counts: %s has %d, want %d", u.Unit, u.Total, want)
		}
	}
	if code, body, _ := call(t, "GET", p.UnitURL(unitA)+"api/questions", "", prov); code != http.StatusUnauthorized || strings.Contains(body, qa) {
		t.Errorf("the province's account at unit A's questions: %d %s, want 401", code, body)
	}

	// The objects: one store, each unit under its prefix.
	for _, slug := range []string{unitA, unitB} {
		n, err := countKeys(p, slug+"/submissions/cau-hoi/")
		if err != nil || n != 1 {
			t.Errorf("%s holds %d questions (%v), want 1", slug, n, err)
		}
	}

	secrets := map[string]string{}
	for slug, s := range p.Units {
		secrets[slug] = s.Secret
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	again, _ := startProvince(t, Config{Data: data})
	for slug, s := range again.Units {
		if s.Secret != secrets[slug] {
			t.Errorf("%s's staff secret changed across a restart", slug)
		}
	}
	code, body, _ := call(t, "GET", again.UnitURL(unitA)+"api/questions", "", map[string]string{routes.StaffHeader: secrets[unitA]})
	if code != http.StatusOK || !strings.Contains(body, qa) {
		t.Errorf("after a restart, unit A's question: %d %s", code, body)
	}

	if _, err := StartProvince(Config{Province: filepath.Join("..", "..", "don-vi"), Data: t.TempDir(), Addr: "127.0.0.1:0", Secret: "mot-ma-chung-cho-moi-don-vi"}); err == nil || !strings.Contains(err.Error(), EnvSecret) {
		t.Errorf("a shared staff secret for a province: %v", err)
	}
}

// countKeys counts the objects under prefix in the province's store.
func countKeys(p *ProvinceServer, prefix string) (int, error) {
	out, err := p.S3.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(Bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return 0, err
	}
	return len(out.Contents), nil
}

// TestProvinceBrokenUnit: a unit whose page does not build is served as
// its error, naming the file and line; the other units are served; an
// edit that mends it builds it.
func TestProvinceBrokenUnit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "don-vi"))); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, unitB, "thong-bao", "hong.md")
	if err := os.WriteFile(bad, []byte("---\ntitle: \"Thông báo mẫu\"\ndate: 01/12/2026\n---\nBài mẫu.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := StartProvince(Config{Province: dir, Data: t.TempDir(), Addr: "127.0.0.1:0", Now: inProvince, Watch: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	code, body, _ := call(t, "GET", p.UnitURL(unitB), "", nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(body, filepath.ToSlash(bad)+":3:") {
		t.Errorf("the broken unit: %d %q, want 503 naming %s:3", code, body, bad)
	}
	if code, _, _ := call(t, "GET", p.UnitURL(unitA), "", nil); code != http.StatusOK {
		t.Errorf("a unit beside the broken one: %d", code)
	}
	// Its forms take answers still: they do not depend on a page.
	if code, body, _ := call(t, "POST", p.UnitURL(unitB)+"api/forms/cau-hoi", provinceQuestion("Chi đoàn thôn Nam", "Đường giao thông nông thôn", "Câu hỏi khi trang lỗi"), asForm); code != http.StatusOK {
		t.Errorf("a question to the broken unit: %d %s", code, body)
	}
	if err := os.WriteFile(bad, []byte("---\ntitle: \"Thông báo mẫu\"\ndate: 2026-12-01\n---\nBài mẫu đã sửa.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		code, body, _ := call(t, "GET", p.UnitURL(unitB)+"thong-bao/hong/", "", nil)
		if code == http.StatusOK && strings.Contains(body, "Bài mẫu đã sửa") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mended unit: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestProvinceBrowser: in Chromium, from the province page to a unit's
// own host, a question sent on its form; that unit's staff page counts
// it, another unit's does not.
func TestProvinceBrowser(t *testing.T) {
	exe := browsertest.Chromium(t)
	p, _ := startProvince(t, Config{})
	ctx := browsertest.Start(t, exe)
	do := func(actions ...chromedp.Action[chromedp.Void]) { t.Helper(); browsertest.Do(t, ctx, actions...) }
	eval := func(js string) string { t.Helper(); return browsertest.Eval[string](t, ctx, js) }

	do(chromedp.Navigate("http://localhost:"+p.port+"/"),
		chromedp.Click(chromedp.CSS(`a[href="`+p.UnitURL(unitB)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(".site-title")))
	if got := eval(`location.host + " " + document.querySelector(".site-title").innerText`); got != unitB+".localhost:"+p.port+" Xã Nghĩa Trụ" {
		t.Errorf("the province page's link led to %q", got)
	}

	text := "Xã có lớp dạy nghề sửa máy nông nghiệp không?"
	do(chromedp.Navigate(p.UnitURL(unitB)+"bieu-mau/cau-hoi/"), chromedp.WaitVisible(chromedp.ID("f-ho_ten")))
	do(fill(url.Values{"ho_ten": {"Lê Văn Cường"}, "chi_doan": {"Chi đoàn thôn Bắc"}, "dien_thoai": {"0987654321"},
		"linh_vuc": {"Sản xuất nông nghiệp, chuyển đổi cây trồng"}, "noi_dung": {text}, "dong_y": {"co"}})...)
	do(chromedp.Click(chromedp.CSS(`form[data-form="cau-hoi"] button[type=submit]`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`/CH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}/.test(document.body.innerText)`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("no receipt code after sending: %v", err)
	}

	totals := func(slug string) string {
		do(chromedp.Navigate(p.UnitURL(slug)+strings.TrimPrefix(routes.StaffPage, "/")), chromedp.WaitVisible(chromedp.ID("ma-quan-tri")),
			chromedp.SendKeys(chromedp.ID("ma-quan-tri"), p.Units[slug].Secret),
			chromedp.Click(chromedp.CSS("[data-staff-login] button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("[data-staff-board] .staff-form")))
		return eval(`[...document.querySelectorAll(".staff-total")].map(n => n.innerText).join(" | ")`)
	}
	if got := totals(unitB); !strings.HasPrefix(got, "1") {
		t.Errorf("%s's staff page counts %q, want the 1 question", unitB, got)
	}
	if got := totals(unitA); !strings.HasPrefix(got, "0") {
		t.Errorf("%s's staff page counts %q, want none of %s's questions", unitA, got, unitB)
	}
	var answer struct{ Items []json.RawMessage }
	code, body, _ := call(t, "GET", p.UnitURL(unitB)+"api/questions", "", map[string]string{routes.StaffHeader: p.Units[unitB].Secret})
	if json.Unmarshal([]byte(body), &answer); code != http.StatusOK || len(answer.Items) != 1 || !strings.Contains(body, text) {
		t.Errorf("%s's questions: %d %s", unitB, code, body)
	}
}

// TestProvinceDigest: serve --province sends each unit's daily digest
// from that unit's own accounts through the mail server, with that unit's
// counts and a link to its staff page on this preview; a unit whose staff
// asked for none gets none, and no digest carries personal data.
func TestProvinceDigest(t *testing.T) {
	mail := smtptest.Start(t)
	data := filepath.Join(t.TempDir(), "data")
	p, dir := startProvince(t, Config{Data: data, SMTP: mail.Addr})
	qa := "Phường có lớp học bơi miễn phí cho thiếu nhi trong hè không?"
	if code, body, _ := call(t, "POST", p.UnitURL(unitA)+"api/forms/cau-hoi", provinceQuestion("Chi đoàn Tổ dân phố 2", "Chuyển đổi số", qa), asForm); code != http.StatusOK {
		t.Fatalf("question to %s: %d %s", unitA, code, body)
	}
	if code, body, _ := call(t, "POST", p.UnitURL(unitB)+"api/forms/cau-hoi", provinceQuestion("Chi đoàn thôn Nam", "Học nghề, việc làm cho thanh niên nông thôn", "Xã có lớp nghề hàn không?"), asForm); code != http.StatusOK {
		t.Fatalf("question to %s: %d %s", unitB, code, body)
	}
	// Unit A's quản lý asks for the digest; unit B's staff do not.
	const to = "van-phong@bach-sam.example.vn"
	h := map[string]string{routes.StaffHeader: p.Units[unitA].Secret, routes.AccountHeader: handler.LegacyAccount,
		"Content-Type": "application/json", "Accept": "application/json"}
	if code, body, _ := call(t, "PUT", p.UnitURL(unitA)+strings.TrimPrefix(routes.Digest, "/")+"/"+handler.LegacyAccount, `{"email":"`+to+`","on":true}`, h); code != http.StatusOK {
		t.Fatalf("unit A's digest setting: %d %s", code, body)
	}
	if n := mail.Tries(); n != 0 {
		t.Fatalf("%d digests tried before anyone asked for one", n)
	}
	p.Close()

	// Started again past the hour (9 giờ), the day's digests go out.
	again, err := StartProvince(Config{Province: dir, Data: data, Addr: "127.0.0.1:0", Now: inProvince,
		SMTP: mail.Addr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	mails := mail.Wait(1, 30*time.Second)
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != to {
		t.Fatalf("mails %+v, want one digest, to %s", mails, to)
	}
	_, subject, body, err := mails[0].Read()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "- Tổng số đã nhận: 1; chưa trả lời: 1.") {
		t.Errorf("subject %q, body:\n%s\nwant unit A's one question (not unit B's too)", subject, body)
	}
	link := again.UnitURL(unitA) + strings.TrimPrefix(routes.StaffPage, "/")
	if !strings.Contains(body, "\n"+link+"\n") {
		t.Errorf("the digest does not link unit A's staff page %s:\n%s", link, body)
	}
	for _, personal := range []string{"Trần Thị Bình", "0912345678", qa} {
		if strings.Contains(string(mails[0].Data), personal) {
			t.Errorf("the digest carries %q", personal)
		}
	}
	// Nothing more: unit B asked for none, and unit A's is sent once a day.
	if m := mail.Wait(2, 2*time.Second); len(m) != 1 {
		t.Errorf("%d mails, want unit A's one", len(m))
	}
}
