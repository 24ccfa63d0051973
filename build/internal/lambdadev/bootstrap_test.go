package lambdadev_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"loa/build/internal/lambdadev"
	"loa/build/internal/tooltest"
	"loa/content"
	"loa/functions/digest/smtptest"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/s3test"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/site"
)

const (
	bucket = s3test.Bucket
	prefix = "loa/"
	// An instant while both forms are open; the content's dates are in 2023.
	openNow = "2023-04-05T09:00:00+07:00"
	// originSecret is what CloudFront sends in X-Origin-Verify; formEvent
	// adds it, as CloudFront does to every request it forwards.
	originSecret = "vT9qX2mK7pL4wZ8nR3cY6hB1"
)

// TestUnderEmulator runs the compiled bootstrap under AWS's Lambda Runtime
// Interface Emulator, fed payload 2.0 events as a Function URL sends them,
// writing to an S3-compatible server on loopback.
func TestUnderEmulator(t *testing.T) {
	tooltest.Drives(t, "the Lambda Runtime Interface Emulator")
	rie, err := lambdadev.FindRIE()
	if err != nil {
		t.Fatal(err) // never skip in the full run: the deployed path must be tested
	}
	ctx := context.Background()
	bin, err := lambdadev.Build(ctx, t.TempDir(), runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	fx := s3test.New(t, s3test.Options{Config: store.Config{Prefix: prefix}})
	s3srv, st := fx.Server, fx.Store
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}

	secret := staff.NewSecret()
	secretHash, err := staff.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	mail := smtptest.Start(t)
	// The bootstrap reaches the store through a proxy that counts the
	// submissions it reads back.
	s3 := newCountingProxy(t, s3srv.Endpoint)
	em, err := lambdadev.Start(rie, bin, append([]string{
		// The daily digest through a real SMTP server in place of SES.
		"LOA_DIGEST_FROM=loa@phuong.example.vn",
		"LOA_DIGEST_RECIPIENTS=lan@phuong.example.vn",
		"LOA_SMTP=" + mail.Addr,
		"LOA_STAFF_SECRET_HASH=" + secretHash,
		"LOA_BUCKET=" + bucket,
		"LOA_PREFIX=" + prefix,
		"LOA_S3_ENDPOINT=" + s3.URL,
		"LOA_NOW=" + openNow,
		"LOA_ORIGIN_SECRET=" + originSecret,
		"LOA_CLIENT_IP_HEADER=CloudFront-Viewer-Address",
		"AWS_REGION=us-east-1",
		// Nothing from this machine's AWS setup may leak in.
		"AWS_PROFILE=", "AWS_CONFIG_FILE=" + home + "/config", "AWS_SHARED_CREDENTIALS_FILE=" + home + "/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
	}, s3srv.Env()...)) // the key of the fixture's server
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(em.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("emulator output:\n%s", em.Output())
		}
	})

	stored := func(form string) []string {
		t.Helper()
		keys, _, err := st.ListKeys(ctx, form, "", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	invoke := func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
		t.Helper()
		resp, err := em.Invoke(ctx, ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	// first sends the first submission of form: the answer must be the
	// thank-you page with the receipt code, and exactly one object be stored.
	first := func(t *testing.T, form string, v url.Values) forms.Record {
		t.Helper()
		resp := invoke(formEvent(form, v.Encode(), false, nil))
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, handler.KeepCode) || !receipt.MatchString(resp.Body) {
			t.Fatalf("answer %d %v, want 200 and the thank-you page with the code", resp.StatusCode, resp.Headers)
		}
		keys := stored(form)
		if len(keys) != 1 {
			t.Fatalf("stored %v, want one object", keys)
		}
		rec, err := st.Read(ctx, reg.Form(form), keys[0])
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}

	question := url.Values{
		"ho_ten":     {"  Nguyễn Văn An "},
		"chi_doan":   {"Chi đoàn Tổ dân phố 2"},
		"dien_thoai": {"+84 912.345.678"},
		"linh_vuc":   {"Khác"},
		"noi_dung":   {"Phường có hỗ trợ học nghề cho thanh niên không?"},
		"dong_y":     {"co"},
	}

	t.Run("form-urlencoded", func(t *testing.T) {
		rec := first(t, "cau-hoi", question)
		for field, want := range map[string]string{
			"ho_ten": "Nguyễn Văn An", "chi_doan": "Chi đoàn Tổ dân phố 2",
			"dien_thoai": "0912345678", "dong_y": "2023-04-01",
		} {
			if got := rec.Values[field]; got != want {
				t.Errorf("stored %s = %q, want %q", field, got, want)
			}
		}
	})

	t.Run("base64", func(t *testing.T) {
		q := cloneValues(question)
		q.Set("ho_ten", "Lê Thị Bích")
		body := base64.StdEncoding.EncodeToString([]byte(q.Encode()))
		resp := invoke(formEvent("cau-hoi", body, true, nil))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %d %q, want 200", resp.StatusCode, resp.Body)
		}
		found := false
		for _, k := range stored("cau-hoi") {
			rec, err := st.Read(ctx, reg.Form("cau-hoi"), k)
			if err != nil {
				t.Fatal(err)
			}
			found = found || rec.Values["ho_ten"] == "Lê Thị Bích"
		}
		if !found {
			t.Error("the base64-encoded submission was not stored with its name decoded")
		}
	})

	t.Run("resend", func(t *testing.T) {
		before := len(stored("cau-hoi"))
		resp := invoke(formEvent("cau-hoi", question.Encode(), false, nil))
		if resp.StatusCode != http.StatusOK || len(stored("cau-hoi")) != before {
			t.Errorf("resend: answer %d, %d objects, want 200 and still %d", resp.StatusCode, len(stored("cau-hoi")), before)
		}
	})

	t.Run("json", func(t *testing.T) {
		q := map[string]string{}
		for k := range question {
			q[k] = question.Get(k)
		}
		q["ho_ten"] = "Phạm Minh Đức"
		body, _ := json.Marshal(q)
		resp := invoke(formEvent("cau-hoi", string(body), false, map[string]string{
			"content-type": "application/json",
			"accept":       "application/json",
		}))
		var ans struct {
			OK bool   `json:"ok"`
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &ans); err != nil {
			t.Fatalf("answer %d %q: %v", resp.StatusCode, resp.Body, err)
		}
		if resp.StatusCode != http.StatusOK || !ans.OK || len(ans.ID) != forms.IDLength ||
			!strings.HasPrefix(resp.Headers["Content-Type"], "application/json") {
			t.Errorf("answer %d %v %q, want 200 JSON with an id", resp.StatusCode, resp.Headers, resp.Body)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		before := len(stored("cau-hoi"))
		q := cloneValues(question)
		q.Del("ho_ten")
		q.Set("dien_thoai", "12345")
		resp := invoke(formEvent("cau-hoi", q.Encode(), false, map[string]string{"accept": "application/json"}))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("answer %d %q, want 422", resp.StatusCode, resp.Body)
		}
		for _, msg := range []string{"Nhập họ và tên", "Số điện thoại không đúng"} {
			if !strings.Contains(resp.Body, msg) {
				t.Errorf("answer %q lacks %q", resp.Body, msg)
			}
		}
		if n := len(stored("cau-hoi")); n != before {
			t.Errorf("%d objects after an invalid submission, want %d", n, before)
		}

		// Without JavaScript: the form again, in Vietnamese, with what was typed.
		resp = invoke(formEvent("cau-hoi", q.Encode(), false, nil))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(resp.Body, "Nhập họ và tên") ||
			!strings.Contains(resp.Body, "Phường có hỗ trợ học nghề") {
			t.Errorf("answer %d, want 422 and a page with the errors and the typed question", resp.StatusCode)
		}
	})

	t.Run("delegate", func(t *testing.T) {
		d := url.Values{
			"chi_doan":   {"Chi đoàn Tổ dân phố 3"},
			"ho_ten":     {"Trần Thị Hoa"},
			"chuc_vu":    {"Bí thư"},
			"nam_sinh":   {"1998"},
			"dien_thoai": {"0987 654 321"},
			"dong_y":     {"co"},
		}
		rec := first(t, "dai-bieu", d)
		if rec.Values["chuc_vu"] != "Bí thư" || rec.Values["chi_doan"] != "Chi đoàn Tổ dân phố 3" {
			t.Errorf("stored %v", rec.Values)
		}
	})

	t.Run("origin door", func(t *testing.T) {
		before := len(stored("cau-hoi"))
		bad := cloneValues(question)
		bad.Del("noi_dung") // invalid: 422 when let in, nothing stored
		// Straight to the API's own address, each posing as a new viewer:
		// refused before the handler, so no per-client limit is passed by.
		for i := range 100 {
			ev := formEvent("cau-hoi", question.Encode(), false, map[string]string{
				"cloudfront-viewer-address": "198.51.100." + strconv.Itoa(i) + ":443",
			})
			delete(ev.Headers, "x-origin-verify")
			if i%2 == 1 {
				ev.Headers["x-origin-verify"] = "doan-mo"
			}
			if resp := invoke(ev); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("post %d without the origin secret: %d, want 403", i, resp.StatusCode)
			}
		}
		if n := len(stored("cau-hoi")); n != before {
			t.Fatalf("%d questions stored by requests without the origin secret", n-before)
		}
		// Through CloudFront, the viewer is the client: one viewer runs out
		// of tokens (a burst of 30, one a second), another is not touched.
		limited := false
		for i := 0; i < 60 && !limited; i++ {
			resp := invoke(formEvent("cau-hoi", bad.Encode(), false, map[string]string{"cloudfront-viewer-address": "192.0.2.1:50000", "accept": "application/json"}))
			switch resp.StatusCode {
			case http.StatusTooManyRequests:
				limited = true
			case http.StatusUnprocessableEntity:
			default:
				t.Fatalf("viewer 192.0.2.1, post %d: %d", i, resp.StatusCode)
			}
		}
		if !limited {
			t.Fatal("60 posts from one viewer, none limited")
		}
		if resp := invoke(formEvent("cau-hoi", bad.Encode(), false, map[string]string{"cloudfront-viewer-address": "192.0.2.2:50000", "accept": "application/json"})); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("another viewer after the first was limited: %d, want 422", resp.StatusCode)
		}
	})

	t.Run("staff stats", func(t *testing.T) {
		ev := formEvent("cau-hoi", "", false, map[string]string{"accept": "application/json"})
		ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = "/api/stats", "/api/stats", http.MethodGet
		delete(ev.Headers, "content-type")
		if resp := invoke(ev); resp.StatusCode != http.StatusUnauthorized || strings.Contains(resp.Body, "Nguyễn") {
			t.Fatalf("without the secret: %d %s, want 401 and no rows", resp.StatusCode, resp.Body)
		}
		ev.Headers["x-loa-staff"] = secret
		resp := invoke(ev)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("with the secret: %d %s, want 200", resp.StatusCode, resp.Body)
		}
		// Three questions (form-urlencoded, base64, json; the resend
		// landed on the first) and one delegate were stored above.
		var stats struct {
			Forms []struct {
				ID    string `json:"id"`
				Total int    `json:"total"`
			} `json:"forms"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &stats); err != nil {
			t.Fatalf("stats %s: %v", resp.Body, err)
		}
		totals := map[string]int{}
		for _, f := range stats.Forms {
			totals[f.ID] = f.Total
		}
		// Every form of the content is counted, the nominations (none sent) too.
		if want := map[string]int{"cau-hoi": 3, "dai-bieu": 1, "de-cu": 0}; !maps.Equal(totals, want) {
			t.Errorf("stats totals %v, want %v (%s)", totals, want, resp.Body)
		}
	})

	// The daily schedule's event, to the same binary: the digest of the
	// service's day reaches the mail server once, with the counts and
	// without what people typed.
	t.Run("daily digest", func(t *testing.T) {
		if _, err := st.CreateAccount(ctx, store.Account{ID: "lan", Name: "Lan", Role: store.RoleAnswer, Hash: secretHash}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SaveDigestSetting(ctx, store.DigestSetting{Account: "lan", Email: "lan@phuong.example.vn", On: true}); err != nil {
			t.Fatal(err)
		}
		schedule := map[string]any{
			"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event", "source": "aws.events",
			"account": "123456789012", "time": "2023-04-05T00:00:00Z", "region": "ap-southeast-1",
			"resources": []string{"arn:aws:events:ap-southeast-1:123456789012:rule/loa-digest"}, "detail": map[string]any{},
		}
		out, err := em.InvokeRaw(ctx, schedule)
		if err != nil || !strings.Contains(string(out), `"Sent":1`) {
			t.Fatalf("scheduled event: %s, %v; want one sent", out, err)
		}
		mails := mail.Mails()
		if len(mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mails))
		}
		_, subject, body, err := mails[0].Read()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(subject, "Loa: tóm tắt ngày 05/04/2023") {
			t.Errorf("subject %q", subject)
		}
		total := fmt.Sprintf("- Tổng số đã nhận: %d;", len(stored("cau-hoi")))
		if !strings.Contains(body, total) || !strings.Contains(body, "https://loa.example.vn/quan-tri/") {
			t.Errorf("the body has no %q or no link to the staff page:\n%s", total, body)
		}
		for _, p := range []string{"Nguyễn Văn An", "0912345678", question.Get("noi_dung")} {
			if strings.Contains(string(mails[0].Data), p) || strings.Contains(body, p) {
				t.Errorf("the digest carries %q", p)
			}
		}
		if out, err := em.InvokeRaw(ctx, schedule); err != nil || !strings.Contains(string(out), `"Already":1`) || len(mail.Mails()) != 1 {
			t.Errorf("the schedule again the same day: %s, %v, %d mails; want none more", out, err, len(mail.Mails()))
		}
	})

	t.Run("hoi-dap", func(t *testing.T) {
		q := cloneValues(question)
		q.Set("ho_ten", "Đỗ Thị Công Bố")
		q.Set("noi_dung", "Phường có sân bóng cho thanh niên không?")
		q.Set("cong_bo", "co")
		resp := invoke(formEvent("cau-hoi", q.Encode(), false, map[string]string{"accept": "application/json"}))
		var sent struct{ Code, ID string }
		if err := json.Unmarshal([]byte(resp.Body), &sent); err != nil || !receipt.MatchString(sent.Code) {
			t.Fatalf("submit: %d %s", resp.StatusCode, resp.Body)
		}
		get := func(path, query string, headers map[string]string) events.APIGatewayV2HTTPResponse {
			ev := formEvent("", "", false, headers)
			ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = path, path, http.MethodGet
			ev.RawQueryString = query
			delete(ev.Headers, "content-type")
			return invoke(ev)
		}
		// A lookup is a POST: the digits stay out of the address.
		post := func(path, body string, headers map[string]string) events.APIGatewayV2HTTPResponse {
			ev := formEvent("", body, false, headers)
			ev.RawPath, ev.RequestContext.HTTP.Path = path, path
			return invoke(ev)
		}
		lookup := func() (int, map[string]any) {
			resp := post("/api/tra-cuu", url.Values{"ma": {sent.Code}, "so": {"5678"}}.Encode(), map[string]string{"accept": "application/json"})
			var m map[string]any
			json.Unmarshal([]byte(resp.Body), &m)
			return resp.StatusCode, m
		}
		if code, m := lookup(); code != 200 || m["status"] != "received" {
			t.Fatalf("lookup: %d %v", code, m)
		}
		if resp := post("/api/tra-cuu", url.Values{"ma": {sent.Code}, "so": {"0000"}}.Encode(), map[string]string{"accept": "application/json"}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("wrong digits: %d", resp.StatusCode)
		}
		ev := formEvent("", `{"answer":"Có, ở công viên phường.","by":"Văn phòng","status":"answered","public":true,"base":0}`, false,
			map[string]string{"accept": "application/json", "content-type": "application/json", "x-loa-staff": secret})
		path := "/api/answers/cau-hoi/" + sent.ID
		ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = path, path, http.MethodPut
		if resp := invoke(ev); resp.StatusCode != http.StatusOK {
			t.Fatalf("answer: %d %s", resp.StatusCode, resp.Body)
		}
		if code, m := lookup(); code != 200 || m["status"] != "answered" || m["answer"] != "Có, ở công viên phường." {
			t.Errorf("lookup after the answer: %d %v", code, m)
		}
		list := get("/api/questions", "q=san+bong", map[string]string{"accept": "application/json", "x-loa-staff": secret})
		if list.StatusCode != 200 || !strings.Contains(list.Body, sent.ID) {
			t.Errorf("questions: %d %s", list.StatusCode, list.Body)
		}
		// As CloudFront forwards /hoi-dap/.
		page := get("/api/hoi-dap", "", nil)
		if page.StatusCode != 200 || !strings.Contains(page.Body, "Có, ở công viên phường.") || strings.Contains(page.Body, "Đỗ Thị Công Bố") {
			t.Errorf("/hoi-dap/: %d", page.StatusCode)
		}
	})

	// The fold schedule's event: the questions stored since the last fold
	// are read once, by the fold, and the staff export after it reads no
	// submission; one stored after the fold is the only one it reads.
	t.Run("export fold", func(t *testing.T) {
		for i := range 12 {
			q := cloneValues(question)
			q.Set("ho_ten", fmt.Sprintf("Vũ Thị Lan %d", i))
			q.Set("noi_dung", fmt.Sprintf("Câu hỏi số %d về nhà văn hóa tổ dân phố?", i))
			resp := invoke(formEvent("cau-hoi", q.Encode(), false, map[string]string{
				"accept": "application/json", "cloudfront-viewer-address": "198.51.100.77:443",
			}))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("question %d: %d %s", i, resp.StatusCode, resp.Body)
			}
		}
		before := s3.reads.Load()
		out, err := em.InvokeRaw(ctx, map[string]string{"loa": "fold"})
		var rep struct{ Forms, Fresh, Cut, Failed int }
		if err != nil || json.Unmarshal(out, &rep) != nil {
			t.Fatalf("fold event: %s, %v", out, err)
		}
		read := s3.reads.Load() - before
		if rep.Fresh < 12 || int64(rep.Fresh) != read || rep.Forms != len(reg.Forms()) || rep.Cut != 0 || rep.Failed != 0 {
			t.Fatalf("fold event: %s, %d submissions read; want every form folded and the 12 new questions among those read", out, read)
		}
		export := func() int {
			t.Helper()
			ev := formEvent("cau-hoi", "", false, map[string]string{"accept": "application/json", "x-loa-staff": secret})
			path := "/api/export/cau-hoi"
			ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = path, path, http.MethodGet
			ev.RawQueryString = "format=csv"
			delete(ev.Headers, "content-type")
			resp := invoke(ev)
			var link struct{ Rows int }
			if err := json.Unmarshal([]byte(resp.Body), &link); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("export: %d %s", resp.StatusCode, resp.Body)
			}
			return link.Rows
		}
		before = s3.reads.Load()
		if rows, want := export(), len(stored("cau-hoi")); rows != want {
			t.Errorf("the export after the fold has %d rows, want %d", rows, want)
		}
		if n := s3.reads.Load() - before; n != 0 {
			t.Errorf("the staff export after the fold read %d submissions, want 0", n)
		}
		q := cloneValues(question)
		q.Set("ho_ten", "Vũ Thị Lan sau")
		if resp := invoke(formEvent("cau-hoi", q.Encode(), false, map[string]string{"cloudfront-viewer-address": "198.51.100.77:443"})); resp.StatusCode != http.StatusOK {
			t.Fatalf("a question after the fold: %d", resp.StatusCode)
		}
		before = s3.reads.Load()
		export()
		if n := s3.reads.Load() - before; n != 1 {
			t.Errorf("the export after one more question read %d submissions, want that 1", n)
		}
		if out, err := em.InvokeRaw(ctx, map[string]string{"loa": "gap"}); err != nil || !strings.Contains(string(out), "errorMessage") {
			t.Errorf("an event of an unknown schedule: %s, %v; want it refused", out, err)
		}
	})

	// The function's log lines name forms and keys, never a person.
	out := em.Output()
	if !strings.Contains(out, `"msg":"export: snapshots folded"`) {
		t.Errorf("no log line of the fold in:\n%s", out)
	}
	if !strings.Contains(out, `"form":"cau-hoi"`) {
		t.Errorf("no JSON log line for the submissions in:\n%s", out)
	}
	for _, personal := range []string{"Nguyễn Văn An", "0912345678", "Trần Thị Hoa", "Đỗ Thị Công Bố", "công viên", "Vũ Thị Lan", "nhà văn hóa"} {
		if strings.Contains(out, personal) {
			t.Errorf("the logs contain %q", personal)
		}
	}
}

// formEvent is a payload 2.0 event as a Function URL sends it: lower-case
// header names, the client in requestContext.http.sourceIp.
func formEvent(form, body string, b64 bool, headers map[string]string) events.APIGatewayV2HTTPRequest {
	h := map[string]string{
		"content-type":    "application/x-www-form-urlencoded",
		"accept":          "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
		"host":            "abc123.lambda-url.ap-southeast-1.on.aws",
		"x-origin-verify": originSecret,
	}
	for k, v := range headers {
		h[k] = v
	}
	path := "/api/forms/" + form
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: path,
		Headers: h, Body: body, IsBase64Encoded: b64,
	}
	ev.RequestContext.DomainName = h["host"]
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = path
	ev.RequestContext.HTTP.Protocol = "HTTP/1.1"
	ev.RequestContext.HTTP.SourceIP = "203.0.113.9"
	return ev
}

var receipt = regexp.MustCompile(`(CH|DB)-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// countingProxy stands between the bootstrap and the local S3 on
// 127.0.0.1, passing every request on as it came (the host it was signed
// for included), and counts the submissions read through it.
type countingProxy struct {
	URL   string
	reads atomic.Int64
}

func newCountingProxy(t *testing.T, endpoint string) *countingProxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // the host the request was signed for
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/submissions/") {
			p.reads.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}
