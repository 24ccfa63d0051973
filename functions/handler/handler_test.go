package handler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/time/rate"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/site"
)

var open = time.Date(2023, 4, 5, 9, 0, 0, 0, time.UTC)

type env struct {
	t     *testing.T
	s3    *s3test.Fixture
	store *store.Store
	h     *handler.Handler
	reg   *forms.Registry
	logs  *bytes.Buffer
	mu    *sync.Mutex
}

func newEnv(t *testing.T, tweak func(*handler.Config)) *env {
	t.Helper()
	// The on-disk store, as `make serve` runs it, so that the concurrent
	// tests exercise its journaled conditional puts.
	fx := s3test.New(t, s3test.Options{Dir: t.TempDir(), Config: store.Config{Prefix: "loa/", Now: func() time.Time { return open }}})
	st := fx.Store
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	logs, mu := &bytes.Buffer{}, &sync.Mutex{}
	cfg := handler.Config{
		Forms:  reg,
		Store:  st,
		Now:    func() time.Time { return open },
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: logs, mu: mu}, nil)),
		Rate:   rate.Inf,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := handler.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, s3: fx, store: st, h: h, reg: reg, logs: logs, mu: mu}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// keys lists every object in the bucket.
func (e *env) keys(prefix string) []string {
	e.t.Helper()
	return e.s3.Keys(e.t, prefix)
}

type answer struct {
	code   int
	header http.Header
	body   string
	json   struct {
		OK      bool   `json:"ok"`
		ID      string `json:"id"`
		Message string `json:"message"`
		Errors  []struct {
			Field, ID, Message string
		} `json:"errors"`
	}
}

// object returns the stored bytes of key, read past the store.
func (e *env) object(key string) string {
	e.t.Helper()
	out, err := e.s3.Server.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s3test.Bucket), Key: &key})
	if err != nil {
		e.t.Fatal(err)
	}
	defer out.Body.Close()
	raw, err := io.ReadAll(out.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(raw)
}

func (e *env) do(req *http.Request) answer {
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	a := answer{code: rec.Code, header: rec.Header(), body: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &a.json); err != nil {
			e.t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
		}
	}
	return a
}

func postJSON(form string, v url.Values) *http.Request {
	m := map[string]string{}
	for k := range v {
		m[k] = v.Get(k)
	}
	b, _ := json.Marshal(m)
	r := httptest.NewRequest("POST", "/api/forms/"+form, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	return r
}

func postForm(form string, v url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/api/forms/"+form, strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func question(i int) url.Values {
	return url.Values{
		"ho_ten":     {fmt.Sprintf("Nguyễn Văn %d", i)},
		"chi_doan":   {"Chi đoàn Tổ dân phố 2"},
		"dien_thoai": {"0912 345 678"},
		"linh_vuc":   {"Khác"},
		"noi_dung":   {fmt.Sprintf("Câu hỏi số %d về việc làm?", i)},
		"dong_y":     {"co"},
	}
}

func delegate(i int) url.Values {
	return url.Values{
		"chi_doan":   {"Chi đoàn Tổ dân phố 1"},
		"ho_ten":     {fmt.Sprintf("Trần Thị %d", i)},
		"chuc_vu":    {"Đoàn viên"},
		"nam_sinh":   {"2000"},
		"dien_thoai": {fmt.Sprintf("09%08d", i)},
		"dong_y":     {"co"},
	}
}

func TestThousandDistinctConcurrent(t *testing.T) {
	e := newEnv(t, nil)
	const n = 1000
	var wg sync.WaitGroup
	codes := make([]int, n)
	ids := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := e.do(postJSON("cau-hoi", question(i)))
			codes[i], ids[i] = a.code, a.json.ID
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("submission %d: status %d", i, c)
		}
	}
	keys := e.keys("loa/submissions/cau-hoi/")
	if len(keys) != n {
		t.Fatalf("%d objects, want %d", len(keys), n)
	}
	f := e.reg.Form("cau-hoi")
	seen := map[string]bool{}
	for _, k := range keys {
		rec, err := e.store.Read(context.Background(), f, k)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(k, ".csv") || !strings.Contains(k, "/"+rec.ID) {
			t.Errorf("key %s does not carry id %s", k, rec.ID)
		}
		seen[rec.Values["noi_dung"]] = true
		if rec.Values["dong_y"] != "2023-04-01" || rec.Values["dien_thoai"] != "0912345678" {
			t.Errorf("row %+v", rec)
		}
	}
	for i := range n {
		if !seen[fmt.Sprintf("Câu hỏi số %d về việc làm?", i)] {
			t.Fatalf("question %d not stored", i)
		}
	}
}

func TestSameSubmissionTenTimes(t *testing.T) {
	for _, form := range []string{"cau-hoi", "dai-bieu"} {
		t.Run(form, func(t *testing.T) {
			e := newEnv(t, nil)
			v := question(7)
			if form == "dai-bieu" {
				v = delegate(7)
			}
			var wg sync.WaitGroup
			ids := make(chan string, 10)
			for range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a := e.do(postJSON(form, v))
					if a.code != http.StatusOK {
						t.Errorf("status %d: %s", a.code, a.body)
					}
					ids <- a.json.ID
				}()
			}
			wg.Wait()
			close(ids)
			first := <-ids
			for id := range ids {
				if id != first || id == "" {
					t.Errorf("ids differ: %q %q", first, id)
				}
			}
			if keys := e.keys("loa/submissions/"); len(keys) != 1 {
				t.Fatalf("%d objects: %v", len(keys), keys)
			}
			if form == "dai-bieu" {
				if slots := e.keys("loa/quota/"); len(slots) != 1 {
					t.Fatalf("one delegate holds %d slots: %v", len(slots), slots)
				}
			}
		})
	}
}

func TestQuotaTwentyConcurrent(t *testing.T) {
	e := newEnv(t, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	byCode := map[int]int{}
	var msgs []string
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := e.do(postJSON("dai-bieu", delegate(i)))
			mu.Lock()
			defer mu.Unlock()
			byCode[a.code]++
			if a.code == http.StatusConflict {
				msgs = append(msgs, a.json.Message)
			}
		}()
	}
	wg.Wait()
	if byCode[http.StatusOK] != 5 || byCode[http.StatusConflict] != 15 || len(byCode) != 2 {
		t.Fatalf("answers by status: %v, want 5×200 and 15×409", byCode)
	}
	for _, m := range msgs {
		if !strings.HasPrefix(m, "Chi đoàn Tổ dân phố 1 đã đăng ký đủ 5 đại biểu") {
			t.Fatalf("message %q", m)
		}
	}
	if keys := e.keys("loa/submissions/dai-bieu/"); len(keys) != 5 {
		t.Fatalf("%d rows stored", len(keys))
	}
	slots := e.keys("loa/quota/dai-bieu/chi-doan-to-dan-pho-1/")
	if len(slots) != 5 {
		t.Fatalf("slots %v", slots)
	}
	// Another chi đoàn still has its own five places.
	v := delegate(99)
	v.Set("chi_doan", "Chi đoàn Trường THCS")
	if a := e.do(postJSON("dai-bieu", v)); a.code != http.StatusOK {
		t.Fatalf("other chi đoàn: %d %s", a.code, a.body)
	}
}

func TestBadInput(t *testing.T) {
	big := question(1)
	big.Set("noi_dung", strings.Repeat("x", handler.MaxBody))
	for _, tc := range []struct {
		name   string
		req    func() *http.Request
		code   int
		msg    string // in the message (JSON) or the page
		header [2]string
		tweak  func(*handler.Config)
	}{
		{name: "name missing", req: func() *http.Request { v := question(1); v.Del("ho_ten"); return postJSON("cau-hoi", v) },
			code: 422, msg: "Nhập họ và tên"},
		{name: "bad phone", req: func() *http.Request { v := question(1); v.Set("dien_thoai", "12345"); return postJSON("cau-hoi", v) },
			code: 422, msg: "Số điện thoại không đúng, ví dụ 0912 345 678"},
		{name: "no phone nor email", req: func() *http.Request { v := question(1); v.Del("dien_thoai"); return postJSON("cau-hoi", v) },
			code: 422, msg: "Nhập số điện thoại hoặc email để Văn phòng trả lời bạn"},
		{name: "year out of range", req: func() *http.Request { v := question(1); v.Set("nam_sinh", "1800"); return postJSON("cau-hoi", v) },
			code: 422, msg: "Năm sinh phải từ 1923 đến 2018"},
		{name: "option not declared", req: func() *http.Request {
			v := delegate(1)
			v.Set("chuc_vu", "Chủ tịch")
			return postJSON("dai-bieu", v)
		},
			code: 422, msg: "Chọn một chức vụ trong danh sách"},
		{name: "chi đoàn Khác not allowed for delegates", req: func() *http.Request { v := delegate(1); v.Set("chi_doan", "Khác"); return postJSON("dai-bieu", v) },
			code: 422, msg: "Chọn một chi đoàn trong danh sách"},
		{name: "question too long", req: func() *http.Request {
			v := question(1)
			v.Set("noi_dung", strings.Repeat("ư", 2001))
			return postJSON("cau-hoi", v)
		}, code: 422, msg: "Nội dung câu hỏi chỉ được tối đa 2.000 ký tự"},
		{name: "consent unticked", req: func() *http.Request { v := question(1); v.Del("dong_y"); return postJSON("cau-hoi", v) },
			code: 422, msg: "Đánh dấu vào ô đồng ý để gửi câu hỏi"},
		{name: "invalid UTF-8", req: func() *http.Request {
			r := postForm("cau-hoi", question(1))
			r.Body = io.NopCloser(strings.NewReader("ho_ten=%C3%28"))
			r.Header.Set("Accept", "application/json")
			return r
		}, code: 400, msg: "không phải văn bản UTF-8 hợp lệ"},
		{name: "malformed JSON", req: func() *http.Request {
			r := postJSON("cau-hoi", question(1))
			r.Body = io.NopCloser(strings.NewReader(`{"ho_ten": "An",`))
			return r
		}, code: 400, msg: "không đúng định dạng"},
		{name: "JSON number", req: func() *http.Request {
			r := postJSON("cau-hoi", question(1))
			r.Body = io.NopCloser(strings.NewReader(`{"nam_sinh": 1998}`))
			return r
		}, code: 400, msg: "không đúng định dạng"},
		{name: "body over 64 KB", req: func() *http.Request { return postJSON("cau-hoi", big) },
			code: 413, msg: "vượt quá 64 KB"},
		{name: "unknown form", req: func() *http.Request { return postJSON("hoi-dap", question(1)) },
			code: 404, msg: "Không có biểu mẫu nào ở địa chỉ này"},
		{name: "wrong method", req: func() *http.Request {
			r := httptest.NewRequest("GET", "/api/forms/cau-hoi", nil)
			r.Header.Set("Accept", "application/json")
			return r
		}, code: 405, msg: "chỉ nhận dữ liệu gửi bằng phương thức POST", header: [2]string{"Allow", "POST"}},
		{name: "unsupported content type", req: func() *http.Request {
			r := postJSON("cau-hoi", question(1))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, code: 415, msg: "application/x-www-form-urlencoded hoặc JSON"},
		{name: "closed form", req: func() *http.Request { return postJSON("cau-hoi", question(1)) },
			code: 410, msg: "đã hết hạn lúc 00 giờ 00, ngày 20/04/2023",
			tweak: func(c *handler.Config) {
				c.Now = func() time.Time { return time.Date(2023, 4, 19, 17, 0, 0, 0, time.UTC) }
			}},
		{name: "not yet open", req: func() *http.Request { return postJSON("cau-hoi", question(1)) },
			code: 403, msg: "nhận câu trả lời từ 00 giờ 00, ngày 01/04/2023",
			tweak: func(c *handler.Config) {
				c.Now = func() time.Time { return time.Date(2023, 3, 1, 0, 0, 0, 0, time.UTC) }
			}},
		{name: "rate limited", req: func() *http.Request {
			v := question(1)
			v.Del("ho_ten") // the first request (invalid) takes the only token
			return postJSON("cau-hoi", v)
		}, code: 429, msg: "gửi quá nhiều lần", header: [2]string{"Retry-After", "60"},
			tweak: func(c *handler.Config) {
				// The limiter's clock stands still: the wait is exactly one token's.
				at := time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC)
				c.Rate, c.Burst, c.Stopwatch = rate.Every(time.Minute), 1, func() time.Time { return at }
			}},
		{name: "store down", req: func() *http.Request { return postJSON("cau-hoi", question(1)) },
			code: 503, msg: "Gửi lại không tạo bản trùng", header: [2]string{"Retry-After", "10"},
			tweak: func(c *handler.Config) { c.Store = downStore(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.tweak)
			if tc.code == 429 {
				if a := e.do(tc.req()); a.code != 422 {
					t.Fatalf("first request: %d", a.code)
				}
			}
			a := e.do(tc.req())
			if a.code != tc.code {
				t.Fatalf("status %d, want %d: %s", a.code, tc.code, a.body)
			}
			all := a.json.Message
			for _, fe := range a.json.Errors {
				all += "|" + fe.Message
			}
			if !strings.Contains(all, tc.msg) {
				t.Errorf("answer %q lacks %q", all, tc.msg)
			}
			if tc.header[0] != "" {
				if got := a.header.Get(tc.header[0]); got != tc.header[1] {
					t.Errorf("%s: %q, want %q", tc.header[0], got, tc.header[1])
				}
			}
			if keys := e.keys(""); len(keys) != 0 {
				t.Errorf("stored %v", keys)
			}
		})
	}
}

// downStore is a real store whose S3 endpoint has just closed.
func downStore(t *testing.T) handler.Saver {
	fx := s3test.New(t, s3test.Options{})
	fx.Close()
	return fx.Store
}

func TestHTMLWithoutJavaScript(t *testing.T) {
	e := newEnv(t, nil)
	v := question(3)
	v.Set("dien_thoai", "09")
	v.Set("noi_dung", "Dòng một\r\nDòng <hai> & \"ba\"")
	a := e.do(postForm("cau-hoi", v))
	if a.code != http.StatusUnprocessableEntity || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d %s", a.code, a.header.Get("Content-Type"))
	}
	for _, want := range []string{
		`<html lang="vi">`,
		`<a href="#f-dien_thoai">Số điện thoại không đúng, ví dụ 0912 345 678</a>`,
		`value="Nguyễn Văn 3"`,
		`value="09"`,
		"Dòng một\r\nDòng &lt;hai&gt; &amp; &#34;ba&#34;</textarea>",
		`<option value="Chi đoàn Tổ dân phố 2" selected>`,
		`value="Khác" checked`,
		`id="f-dong_y" name="dong_y" value="co" checked`,
		`<meta name="robots" content="noindex">`,
	} {
		if !strings.Contains(a.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if len(e.keys("")) != 0 {
		t.Fatal("stored an invalid answer")
	}

	v.Set("dien_thoai", "0912345678")
	a = e.do(postForm("cau-hoi", v))
	// Without JavaScript the answer is a page of the site with the
	// receipt code (a static thank-you page could not know it).
	code := regexp.MustCompile(`CH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`).FindString(a.body)
	if a.code != http.StatusOK || code == "" || !strings.Contains(a.body, handler.KeepCode) ||
		!strings.Contains(a.body, `href="/tra-cuu/?ma=`+code+`"`) || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status %d, code %q: %s", a.code, code, a.body)
	}
	keys := e.keys("loa/submissions/cau-hoi/")
	if len(keys) != 1 {
		t.Fatal("not stored")
	}
	// The code is the start of the submission's hash, and a resend gets it again.
	if _, digits, _ := forms.ParseReceipt(code); !strings.HasPrefix(keys[0], "loa/submissions/cau-hoi/"+digits) {
		t.Errorf("code %s does not name %s", code, keys[0])
	}
	if again := e.do(postForm("cau-hoi", v)); !strings.Contains(again.body, code) {
		t.Error("a resend got another code")
	}

	// Closed, without JavaScript: a page that shows the deadline.
	e2 := newEnv(t, func(c *handler.Config) {
		c.Now = func() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }
	})
	a = e2.do(postForm("cau-hoi", v))
	if a.code != http.StatusGone || !strings.Contains(a.body, "00 giờ 00, ngày 20/04/2023") || !strings.Contains(a.body, `lang="vi"`) {
		t.Fatalf("closed: %d %s", a.code, a.body)
	}
}

func TestHoneypot(t *testing.T) {
	e := newEnv(t, nil)
	v := question(1)
	v.Set(forms.HoneypotField, "http://spam.example")
	if a := e.do(postForm("cau-hoi", v)); a.code != http.StatusOK || !strings.Contains(a.body, handler.KeepCode) {
		t.Fatalf("status %d", a.code)
	}
	v.Del("ho_ten") // even an invalid bot answer looks accepted
	if a := e.do(postJSON("cau-hoi", v)); a.code != http.StatusOK || !a.json.OK {
		t.Fatalf("status %d %+v", a.code, a.json)
	}
	if keys := e.keys(""); len(keys) != 0 {
		t.Fatalf("honeypot stored %v", keys)
	}
}

func TestNFDStoredAsNFC(t *testing.T) {
	e := newEnv(t, nil)
	v := question(1)
	v.Set("ho_ten", " Nguye\u0302\u0303n Va\u0306n A\u0301nh ")
	v.Set("dien_thoai", "+84 912.345.678")
	a := e.do(postJSON("cau-hoi", v))
	if a.code != http.StatusOK {
		t.Fatal(a.body)
	}
	keys := e.keys("loa/submissions/cau-hoi/")
	if len(keys) != 1 {
		t.Fatal(keys)
	}
	raw := e.object(keys[0])
	if !strings.Contains(raw, ",Nguyễn Văn Ánh,") || strings.Contains(raw, "\u0302") {
		t.Errorf("row is not NFC: %q", raw)
	}
	if !strings.Contains(raw, ",0912345678,") {
		t.Errorf("phone not normalised: %q", raw)
	}
	// Typed in NFC it is the same answer: no second object.
	v.Set("ho_ten", "Nguyễn Văn Ánh")
	v.Set("dien_thoai", "0912345678")
	if a := e.do(postJSON("cau-hoi", v)); a.code != http.StatusOK {
		t.Fatal(a.body)
	}
	if len(e.keys("loa/submissions/")) != 1 {
		t.Error("NFC and NFD spellings stored twice")
	}

	// Invisible characters do not make another answer: zero-width spaces
	// and joiners, a byte order mark, bidi overrides and isolates.
	v.Set("ho_ten", "Nguy\u200bễn\u200d Văn\u2060 Ánh\ufeff")
	v.Set("noi_dung", "\u202eCâu hỏi\u202c số \u20661\u2069 về việc làm?")
	if a := e.do(postJSON("cau-hoi", v)); a.code != http.StatusOK {
		t.Fatal(a.body)
	}
	v.Set("noi_dung", "Câu hỏi số 1 về việc làm?")
	if a := e.do(postJSON("cau-hoi", v)); a.code != http.StatusOK {
		t.Fatal(a.body)
	}
	if keys := e.keys("loa/submissions/"); len(keys) != 1 {
		t.Errorf("%d objects, want 1: the answer with invisible characters is the one without them", len(keys))
	}
	for _, k := range e.keys("loa/submissions/") {
		if raw := e.object(k); strings.ContainsAny(raw, "\u200b\u200d\u2060\ufeff\u202e\u202c\u2066\u2069") {
			t.Errorf("stored with invisible characters: %q", raw)
		}
	}
}

func TestLogsHaveNoPersonalData(t *testing.T) {
	e := newEnv(t, nil)
	v := question(1)
	v.Set("ho_ten", "Lê Thị Riêng Tư")
	v.Set("email", "rieng.tu@example.vn")
	e.do(postJSON("cau-hoi", v))
	v.Set("dien_thoai", "abc")
	e.do(postJSON("cau-hoi", v))
	e.mu.Lock()
	logs := e.logs.String()
	e.mu.Unlock()
	for _, secret := range []string{"Riêng Tư", "rieng.tu", "0912345678", "912 345", "Câu hỏi số"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q: %s", secret, logs)
		}
	}
	keys := e.keys("loa/submissions/")
	if len(keys) != 1 || !strings.Contains(logs, `"key":"`+keys[0]+`"`) || !strings.Contains(logs, `"form":"cau-hoi"`) ||
		!strings.Contains(logs, `"status":200`) || !strings.Contains(logs, `"status":422`) || !strings.Contains(logs, `"latency"`) {
		t.Errorf("logs lack form, key, status or latency: %s", logs)
	}
}

// TestDelegatePlacesNotSquatted: one address cannot take the places of a
// whole ward. Past its small bucket of registrations it is refused (429,
// what was typed kept), and another address still registers.
func TestDelegatePlacesNotSquatted(t *testing.T) {
	at := time.Date(2023, 4, 10, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, func(c *handler.Config) {
		c.Rate, c.Burst = 1000, 1000 // the general limit is not what is tested
		c.Stopwatch = func() time.Time { return at }
	})
	byCode := map[int]int{}
	var msg string
	for i, cd := range e.reg.Form("dai-bieu").ChiDoan {
		for j := range 5 {
			v := delegate(i*10 + j)
			v.Set("chi_doan", cd)
			r := postJSON("dai-bieu", v)
			r.RemoteAddr = "198.51.100.66:5000"
			a := e.do(r)
			byCode[a.code]++
			if a.code == http.StatusTooManyRequests {
				msg = a.json.Message
			}
		}
	}
	if byCode[http.StatusOK] != 10 || byCode[http.StatusTooManyRequests] != 30 {
		t.Errorf("40 registrations from one address: %v, want 10×200 and 30×429", byCode)
	}
	if !strings.Contains(msg, "Đoàn phường") || !strings.Contains(msg, "phút") {
		t.Errorf("message %q does not say how long to wait and whom to ask", msg)
	}
	if n := len(e.keys("loa/submissions/dai-bieu/")); n != 10 {
		t.Errorf("%d delegates stored, want 10", n)
	}
	v := delegate(999)
	v.Set("chi_doan", "Chi đoàn Trường THCS")
	r := postJSON("dai-bieu", v)
	r.RemoteAddr = "198.51.100.67:5000"
	if a := e.do(r); a.code != http.StatusOK {
		t.Errorf("another address: %d %s", a.code, a.body)
	}
	// Questions are not counted against the places.
	q := postJSON("cau-hoi", question(7))
	q.RemoteAddr = "198.51.100.66:5000"
	if a := e.do(q); a.code != http.StatusOK {
		t.Errorf("a question from the same address: %d", a.code)
	}
}

// withCodes is the ward's content with a registration code for Chi đoàn Tổ
// dân phố 1: the registry the handler gets, and the code.
func withCodes(t *testing.T) (*forms.Registry, string) {
	t.Helper()
	code := forms.NewCode()
	hash, err := forms.HashCode(code)
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	err = fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.FS, p)
		if p == "data/chi-doan.yaml" {
			b = []byte(strings.Replace(string(b), `  - "Chi đoàn Tổ dân phố 1"`, "  - name: \"Chi đoàn Tổ dân phố 1\"\n    code: \""+hash+"\"", 1))
		}
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := forms.Load(fsys, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	return reg, code
}

// TestRegistrationCodes: a chi đoàn with a code gets its places only with
// the code (403 otherwise, saying whom to ask); the code is never stored.
func TestRegistrationCodes(t *testing.T) {
	reg, code := withCodes(t)
	e := newEnv(t, func(c *handler.Config) { c.Forms = reg })
	for _, tc := range []struct {
		name, typed string
		code        int
		msg         string
	}{
		{"no code", "", http.StatusForbidden, "hỏi Bí thư chi đoàn hoặc Đoàn phường"},
		{"wrong code", "AAAA-BBBB-CCCC", http.StatusForbidden, "Mã đăng ký không đúng"},
		{"right code, typed loosely", strings.ToLower(strings.ReplaceAll(code, "-", " ")), http.StatusOK, ""},
	} {
		v := delegate(1)
		if tc.typed != "" {
			v.Set(forms.CodeField, tc.typed)
		}
		a := e.do(postJSON("dai-bieu", v))
		if a.code != tc.code || !strings.Contains(a.json.Message, tc.msg) {
			t.Errorf("%s: %d %q, want %d %q", tc.name, a.code, a.json.Message, tc.code, tc.msg)
		}
		if tc.code == http.StatusForbidden && (len(a.json.Errors) != 1 || a.json.Errors[0].Field != forms.CodeField) {
			t.Errorf("%s: errors %+v, want one at %s", tc.name, a.json.Errors, forms.CodeField)
		}
	}
	// Without JavaScript: the form again, the code's field marked, the rest kept.
	v := delegate(2)
	v.Set(forms.CodeField, "AAAA-BBBB-CCCC")
	r := postForm("dai-bieu", v)
	a := e.do(r)
	if a.code != http.StatusForbidden || !strings.Contains(a.body, `id="f-ma_dang_ky"`) || !strings.Contains(a.body, `value="Trần Thị 2"`) ||
		!strings.Contains(a.body, `<a href="#f-ma_dang_ky">`) || strings.Contains(a.body, "AAAA-BBBB-CCCC") {
		t.Errorf("HTML answer %d: want 403, the code's field in the summary, the name kept and the wrong code not shown back", a.code)
	}
	// A chi đoàn without a code registers as before.
	v = delegate(3)
	v.Set("chi_doan", "Chi đoàn Tổ dân phố 2")
	if a := e.do(postJSON("dai-bieu", v)); a.code != http.StatusOK {
		t.Errorf("chi đoàn without a code: %d %s", a.code, a.body)
	}
	keys := e.keys("loa/submissions/dai-bieu/")
	if len(keys) != 2 {
		t.Fatalf("%d stored, want 2", len(keys))
	}
	for _, k := range keys {
		if raw := e.object(k); strings.Contains(raw, forms.NormalizeCode(code)) || strings.Contains(strings.ToLower(raw), strings.ToLower(code)) || strings.Contains(raw, "Mã đăng ký") {
			t.Errorf("the code is stored: %q", raw)
		}
	}
	// The page asks for the code only when codes are configured.
	html, _ := reg.Form("dai-bieu").RenderHTML(forms.State{Now: open})
	plain, _ := e.reg.Form("dai-bieu").RenderHTML(forms.State{Now: open})
	if !strings.Contains(string(html), `name="ma_dang_ky"`) || strings.Contains(string(plain), `name="ma_dang_ky"`) {
		t.Error("the code's field: want it on the form with codes only")
	}
	q, _ := reg.Form("cau-hoi").RenderHTML(forms.State{Now: open})
	if strings.Contains(string(q), `name="ma_dang_ky"`) {
		t.Error("the question form asks for a registration code")
	}
}
