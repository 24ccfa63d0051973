package service_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/content"
	"loa/functions/digest"
	"loa/functions/forms"
	"loa/functions/lambdahttp"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/s3test"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/upload/uploadtest"
	"loa/site"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	cfg, err := service.FromEnv(context.Background(), env(map[string]string{
		"LOA_BUCKET":            "loa-forms",
		"LOA_PREFIX":            "loa/",
		"LOA_CLIENT_IP_HEADER":  "CloudFront-Viewer-Address",
		"LOA_ORIGIN_SECRET":     "bí-mật",
		"LOA_NOW":               "2023-04-05T09:00:00+07:00",
		"LOA_S3_ENDPOINT":       "http://127.0.0.1:1",
		"AWS_ACCESS_KEY_ID":     "k",
		"AWS_SECRET_ACCESS_KEY": "s",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2023, 4, 5, 2, 0, 0, 0, time.UTC)
	if cfg.Bucket != "loa-forms" || cfg.Prefix != "loa/" || cfg.ClientIPHeader != "CloudFront-Viewer-Address" ||
		cfg.OriginSecret != "bí-mật" || cfg.Now == nil || !cfg.Now().Equal(want) || cfg.S3 == nil {
		t.Errorf("config = %+v", cfg)
	}

	prov, err := service.FromEnv(context.Background(), env(map[string]string{
		"LOA_BUCKET": "loa-forms", "LOA_PROVINCE": "true", "LOA_UNIT_HEADER": "X-Loa-Unit", "LOA_ORIGIN_SECRET": "bí-mật",
		"LOA_S3_ENDPOINT": "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s",
	}))
	if err != nil || prov.Units == nil || prov.UnitHeader != "X-Loa-Unit" {
		t.Errorf("a province's config: %+v %v", prov, err)
	}
	if cfg.Units != nil {
		t.Error("a ward's config has units")
	}

	for name, m := range map[string]map[string]string{
		"LOA_BUCKET": {},
		"LOA_NOW":    {"LOA_BUCKET": "b", "LOA_NOW": "5/4/2023"},
		// A probe had the function trust 9.9.9.9 this way.
		"LOA_ORIGIN_SECRET": {"LOA_BUCKET": "b", "LOA_CLIENT_IP_HEADER": "CloudFront-Viewer-Address"},
		// A mail server without a sender: the digest would go from nobody.
		"LOA_DIGEST_FROM": {"LOA_BUCKET": "b", "LOA_S3_ENDPOINT": "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID": "k",
			"AWS_SECRET_ACCESS_KEY": "s", "LOA_SMTP": "127.0.0.1:25"},
		// A unit named by whoever calls the function directly.
		"LOA_UNIT_HEADER": {"LOA_BUCKET": "b", "LOA_PROVINCE": "true", "LOA_UNIT_HEADER": "X-Loa-Unit"},
		"LOA_PROVINCE":    {"LOA_BUCKET": "b", "LOA_PROVINCE": "có"},
	} {
		if _, err := service.FromEnv(context.Background(), env(m)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v, want one naming %s", m, err, name)
		}
	}
}

// The daily digest's settings: through LOA_SMTP when it is set, else
// through SES once a sender is named; none without a sender.
func TestFromEnvDigest(t *testing.T) {
	base := map[string]string{"LOA_BUCKET": "b", "LOA_S3_ENDPOINT": "http://127.0.0.1:1", "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
	with := func(more map[string]string) service.Config {
		t.Helper()
		m := maps.Clone(base)
		maps.Copy(m, more)
		cfg, err := service.FromEnv(context.Background(), env(m))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	if cfg := with(nil); cfg.Mail != nil {
		t.Errorf("no sender, yet a mailer %T", cfg.Mail)
	}
	cfg := with(map[string]string{"LOA_DIGEST_FROM": "loa@phuong.vn", "LOA_SMTP": "127.0.0.1:2525",
		"LOA_DIGEST_RECIPIENTS": " lan@phuong.vn, minh@phuong.vn ,"})
	if cfg.Mail != (digest.SMTP{Addr: "127.0.0.1:2525"}) || cfg.MailFrom != "loa@phuong.vn" ||
		!slices.Equal(cfg.MailAllowed, []string{"lan@phuong.vn", "minh@phuong.vn"}) {
		t.Errorf("SMTP: %+v %q %q", cfg.Mail, cfg.MailFrom, cfg.MailAllowed)
	}
	if cfg := with(map[string]string{"LOA_DIGEST_FROM": "loa@phuong.vn", "AWS_REGION": "ap-southeast-1"}); cfg.Mail == nil {
		t.Error("a sender without LOA_SMTP: no SES mailer")
	} else if _, ok := cfg.Mail.(digest.SES); !ok {
		t.Errorf("a sender without LOA_SMTP: %T, want digest.SES", cfg.Mail)
	}
}

// fixture is a service on the test S3, at a fixed instant inside the
// forms' dates (the content's are in 2023), behind the Lambda adapter.
type fixture struct {
	fn     lambdahttp.Func
	secret string
}

var openAt = time.Date(2023, 4, 5, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))

func newFixture(t *testing.T, origin string) fixture {
	t.Helper()
	fx := s3test.New(t, s3test.Options{})
	secret := staff.NewSecret()
	hash, err := staff.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{
		S3: fx.Server.Client, Bucket: s3test.Bucket,
		Content: content.FS, Layouts: site.FS(),
		Now:             func() time.Time { return openAt },
		StaffSecretHash: hash, OriginSecret: origin, ClientIPHeader: "CloudFront-Viewer-Address",
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{fn: lambdahttp.Wrap(svc.Handler), secret: secret}
}

func (f fixture) invoke(t *testing.T, method, path, body string, headers map[string]string) events.APIGatewayV2HTTPResponse {
	t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", Headers: headers, Body: body}
	ev.RawPath, ev.RawQueryString, _ = strings.Cut(path, "?")
	ev.RequestContext.HTTP.Method = method
	ev.RequestContext.HTTP.Path = ev.RawPath
	ev.RequestContext.HTTP.SourceIP = "198.51.100.20"
	resp, err := f.fn(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestClockReachesStaffPage: under the Lambda adapter, with a fixed clock
// (LOA_NOW), the form accepts a question at that instant and the staff
// routes read the same instant: the counts are dated by it, the form is
// open, and the export's file is named for its day. Before there was one
// assembly, the Lambda's exporter read the real time.
func TestClockReachesStaffPage(t *testing.T) {
	f := newFixture(t, "")
	question := url.Values{
		"ho_ten": {"Nguyễn Văn An"}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
		"linh_vuc": {"Khác"}, "noi_dung": {"Phường có hỗ trợ học nghề cho thanh niên không?"}, "dong_y": {"co"},
	}
	form := map[string]string{"content-type": "application/x-www-form-urlencoded", "accept": "application/json"}
	if resp := f.invoke(t, "POST", "/api/forms/cau-hoi", question.Encode(), form); resp.StatusCode != http.StatusOK {
		t.Fatalf("question at the fixed instant: %d %s, want 200", resp.StatusCode, resp.Body)
	}

	staffHeaders := map[string]string{routes.StaffHeader: f.secret}
	resp := f.invoke(t, "GET", "/api/stats", "", staffHeaders)
	var stats report.Stats
	if err := json.Unmarshal([]byte(resp.Body), &stats); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stats: %d %s (%v)", resp.StatusCode, resp.Body, err)
	}
	if !stats.Generated.Equal(openAt) {
		t.Errorf("stats generated at %v, want the fixed instant %v", stats.Generated, openAt)
	}
	for _, fs := range stats.Forms {
		if !fs.Open {
			t.Errorf("stats: form %s closed, want open at the fixed instant", fs.ID)
		}
		if fs.ID == "cau-hoi" && fs.Total != 1 {
			t.Errorf("stats: cau-hoi has %d submissions, want 1", fs.Total)
		}
	}

	resp = f.invoke(t, "GET", "/api/export/cau-hoi?format=csv", "", staffHeaders)
	var link report.Link
	if err := json.Unmarshal([]byte(resp.Body), &link); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %s (%v)", resp.StatusCode, resp.Body, err)
	}
	if link.FileName != "cau-hoi-2023-04-05.csv" || link.Rows != 1 {
		t.Errorf("export %+v, want cau-hoi-2023-04-05.csv with 1 row", link)
	}
}

// TestOriginDoor: with an origin secret, a request that does not carry it
// (one sent to the API's own address, not through CloudFront) is refused
// before the handler sees it, whatever viewer address it claims; with it,
// the request goes through, without the secret's header.
func TestOriginDoor(t *testing.T) {
	const secret = "Jq3v8Yw1pZ0cX7rT5sN2mL4kH6gF9dB"
	f := newFixture(t, secret)
	for i, v := range []string{"", "doan-thu", secret[:len(secret)-1], secret + "x"} {
		hs := map[string]string{"cloudfront-viewer-address": "203.0.113.9:443"}
		if v != "" {
			hs["x-origin-verify"] = v
		}
		resp := f.invoke(t, "GET", "/api/stats", "", hs)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(resp.Body, "trang chính thức") {
			t.Errorf("request %d without the origin secret: %d %q, want 403", i, resp.StatusCode, resp.Body)
		}
	}
	// Through CloudFront, the header's name in any case: the handler
	// answers (401: no staff secret was sent).
	for _, name := range []string{"X-Origin-Verify", "x-origin-verify"} {
		if resp := f.invoke(t, "GET", "/api/stats", "", map[string]string{name: secret}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s with the secret: %d, want the handler's 401", name, resp.StatusCode)
		}
	}

	// The handler never sees the secret's header.
	var leaked bool
	h := service.Door(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get(routes.OriginHeader) != ""
	}), secret)
	r := httptest.NewRequest("GET", "/api/stats", nil)
	r.Header.Set(routes.OriginHeader, secret)
	h.ServeHTTP(httptest.NewRecorder(), r)
	if leaked {
		t.Error("the handler was given the origin secret's header")
	}
}

// TestRefusesBrokenForm: a mistake in a form's declaration stops the
// service before it takes any request, named at its file and line.
func TestRefusesBrokenForm(t *testing.T) {
	fx := s3test.New(t, s3test.Options{})
	files := fstest.MapFS{}
	if err := fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.FS, p)
		files[p] = &fstest.MapFile{Data: b}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	src := string(files["bieu-mau/dai-bieu.md"].Data)
	at := strings.Index(src, "      kind: radio")
	line := strings.Count(src[:at], "\n") + 1
	files["bieu-mau/dai-bieu.md"].Data = []byte(src[:at] + "      kind: chon" + src[at+len("      kind: radio"):])
	svc, err := service.New(service.Config{
		S3: fx.Server.Client, Bucket: s3test.Bucket, Content: files, ContentDir: "content", Layouts: site.FS(),
		Logger: slog.New(slog.DiscardHandler),
	})
	want := fmt.Sprintf(`content/bieu-mau/dai-bieu.md:%d: form.fields.chuc_vu.kind: "chon" không phải loại trường`, line)
	if svc != nil || err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("service with a broken form: %v, %v; want an error starting %s", svc, err, want)
	}

	// The commendation list naming a field the form lacks stops it too.
	files["bieu-mau/dai-bieu.md"].Data = []byte(src)
	office := string(files["data/van-phong.yaml"].Data)
	at = strings.Index(office, "deeds: thanh_tich")
	files["data/van-phong.yaml"].Data = []byte(strings.Replace(office, "deeds: thanh_tich", "deeds: thanh_tch", 1))
	_, err = service.New(service.Config{
		S3: fx.Server.Client, Bucket: s3test.Bucket, Content: files, ContentDir: "content", Layouts: site.FS(),
		Logger: slog.New(slog.DiscardHandler),
	})
	want = fmt.Sprintf(`content/data/van-phong.yaml:%d: commendation.deeds: "thanh_tch" không phải tên một trường văn bản của biểu mẫu de-cu`, strings.Count(office[:at], "\n")+1)
	if err == nil || err.Error() != want {
		t.Errorf("service with a broken commendation list: %v; want %s", err, want)
	}
}

// TestNominationThroughLambda: a nomination with a photo, as the HTTP API
// hands it to the function (payload 2.0, the multipart body in base64), is
// stored; the largest body the form takes still fits the Lambda's 6 MB
// event once in base64.
func TestNominationThroughLambda(t *testing.T) {
	f := newFixture(t, "")
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{
		"chi_doan": "Chi đoàn Tổ dân phố 5", "nguoi_gui": "Ngô Gửi", "dien_thoai": "0912 222 333", "ho_ten": "Hà Tiêu Biểu",
		"nam_sinh": "1999", "linh_vuc": "Khác", "thanh_tich": "Dạy bơi miễn phí cho 50 em nhỏ.", "dong_y": "co",
	} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("tep", "anh.jpg")
	fw.Write(uploadtest.PhoneJPEG(64, 64, 1))
	mw.Close()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "$default", RawPath: "/api/forms/de-cu",
		Headers: map[string]string{"content-type": mw.FormDataContentType(), "accept": "application/json"},
		Body:    base64.StdEncoding.EncodeToString(b.Bytes()), IsBase64Encoded: true}
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.SourceIP = "POST", ev.RawPath, "198.51.100.20"
	resp, err := f.fn(context.Background(), ev)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, `"code":"DC-`) {
		t.Fatalf("nomination through the Lambda: %d %s (%v)", resp.StatusCode, resp.Body, err)
	}

	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	ev.Body = base64.StdEncoding.EncodeToString(make([]byte, reg.Form("de-cu").MaxBody()))
	event, _ := json.Marshal(ev)
	if len(event) > 6_000_000-64<<10 {
		t.Errorf("the largest nomination makes an event of %d bytes: the Lambda takes 6 MB", len(event))
	}
}

// countingS3 is the real client, counting the submissions read back.
type countingS3 struct {
	store.API
	reads atomic.Int64
}

func (c *countingS3) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if strings.Contains(aws.ToString(in.Key), "submissions/") {
		c.reads.Add(1)
	}
	return c.API.GetObject(ctx, in, opts...)
}

// TestBackgroundSparesStaffClicks: a service in a long-lived process
// (Background, as serve runs it) never reads back a submission it stored:
// a staff export right after the questions takes them from memory, the
// refresher folds them into the snapshot, and a service started on the
// same bucket later (serve restarted) finds them there. Only the
// refresher, in the background, reads what no snapshot holds.
func TestBackgroundSparesStaffClicks(t *testing.T) {
	fx := s3test.New(t, s3test.Options{})
	api := &countingS3{API: fx.Server.Client}
	secret := staff.NewSecret()
	hash, err := staff.HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	start := func() *service.Service {
		svc, err := service.New(service.Config{
			S3: api, Presign: s3.NewPresignClient(fx.Server.Client), Bucket: s3test.Bucket, Content: content.FS, Layouts: site.FS(),
			Now: func() time.Time { return openAt }, StaffSecretHash: hash,
			Logger: slog.New(slog.DiscardHandler), NoLimits: true, Background: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Close)
		return svc
	}
	serve := func(svc *service.Service, method, path, body string) *httptest.ResponseRecorder {
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
	export := func(svc *service.Service, want int) {
		t.Helper()
		w := serve(svc, "GET", "/api/export/cau-hoi?format=csv", "")
		var link report.Link
		if err := json.Unmarshal(w.Body.Bytes(), &link); err != nil || w.Code != http.StatusOK || link.Rows != want {
			t.Fatalf("export: %d %s (%v), want %d rows", w.Code, w.Body, err, want)
		}
	}

	svc := start()
	for i := range 25 {
		q := url.Values{
			"ho_ten": {fmt.Sprintf("Trần Thị Hoa %d", i)}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
			"linh_vuc": {"Khác"}, "noi_dung": {fmt.Sprintf("Câu hỏi số %d về sân chơi cho thiếu nhi?", i)}, "dong_y": {"co"},
		}
		if w := serve(svc, "POST", "/api/forms/cau-hoi", q.Encode()); w.Code != http.StatusOK {
			t.Fatalf("question %d: %d %s", i, w.Code, w.Body)
		}
	}
	before := api.reads.Load()
	export(svc, 25)
	if n := api.reads.Load() - before; n != 0 {
		t.Errorf("a staff export right after 25 questions read %d of them back, want 0", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := svc.Refresher.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := api.reads.Load() - before; n != 0 {
		t.Errorf("the refresher read %d questions back, want 0: they were saved here", n)
	}
	svc.Close()

	restarted := start()
	if err := restarted.Refresher.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	export(restarted, 25)
	if w := serve(restarted, "GET", "/api/stats", ""); w.Code != http.StatusOK {
		t.Fatalf("stats: %d %s", w.Code, w.Body)
	}
	if n := api.reads.Load() - before; n != 0 {
		t.Errorf("after a restart, the refresher, an export and the counts read %d questions, want 0", n)
	}
}
