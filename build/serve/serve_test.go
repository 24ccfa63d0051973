package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/text/unicode/norm"

	"loa/functions/localstore"
	"loa/functions/routes"
	"loa/functions/vntext"
	"loa/site"
)

// inForms is an instant when both forms of the seed content are open.
var inForms = time.Date(2023, 4, 10, 9, 0, 0, 0, vntext.Location)

// copyTree copies the folder src (relative to the repository root) to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	root := filepath.Join("..", "..", src)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startCopy starts serve on copies of content/ and site/ in a temporary
// folder, so that a test may edit them.
func startCopy(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	return startCopyWith(t, cfg, nil)
}

// startCopyWith is startCopy with more files in the copy (names relative to
// the copy's folder, e.g. "content/thong-bao/a/index.md").
func startCopyWith(t *testing.T, cfg Config, extra map[string][]byte) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "content", filepath.Join(dir, "content"))
	copyTree(t, "site", filepath.Join(dir, "site"))
	for name, data := range extra {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg.ContentDir, cfg.SiteDir = filepath.Join(dir, "content"), filepath.Join(dir, "site")
	if cfg.Data == "" {
		cfg.Data = filepath.Join(dir, "data")
	}
	cfg.Addr = "127.0.0.1:0"
	if cfg.Now.IsZero() {
		cfg.Now = inForms
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

var noRedirect = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestStaticLikeCloudFront(t *testing.T) {
	s, _ := startCopy(t, Config{Watch: true})
	os.WriteFile(filepath.Join(s.Out, ".tmp-123"), []byte("x"), 0o644)
	for _, tc := range []struct {
		path     string
		code     int
		location string
		body     string
	}{
		{"/", 200, "", "<html lang=\"vi\">"},
		{"/ke-hoach/doi-thoai-thanh-nien-2023/", 200, "", "ĐỐI THOẠI"},
		{"/ke-hoach/doi-thoai-thanh-nien-2023", 301, "/ke-hoach/doi-thoai-thanh-nien-2023/", ""},
		{"/ke-hoach?trang=2", 301, "/ke-hoach/?trang=2", ""},
		{"/khong-co/", 404, "", "Không tìm thấy trang"},
		{"/khong-co.html", 404, "", "Không tìm thấy trang"},
		{"/sitemap.xml", 200, "", "<urlset"},
		{"/favicon.svg", 200, "", "<svg"},
		{routes.StaffPage, 200, "", "Mã quản trị"},
		{site.LiveReloadScript, 200, "", "EventSource"},
		{"/.tmp-123", 404, "", "Không tìm thấy trang"},
	} {
		resp, body := get(t, s.URL+tc.path)
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s: %d, want %d", tc.path, resp.StatusCode, tc.code)
		}
		if loc := resp.Header.Get("Location"); loc != tc.location {
			t.Errorf("GET %s: Location %q, want %q", tc.path, loc, tc.location)
		}
		if !strings.Contains(body, tc.body) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.body)
		}
	}
	// Pages built for the preview link the reload script; the form
	// handler's answers (POST results) never do.
	_, home := get(t, s.URL+"/")
	if !strings.Contains(home, `<script src="`+site.LiveReloadScript+`" defer></script>`) {
		t.Error("the preview's home page does not link the reload script")
	}
	resp, err := noRedirect.PostForm(s.URL+"/api/forms/cau-hoi", url.Values{"ho_ten": {"A"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(string(b), site.LiveReloadScript) {
		t.Errorf("POST with errors: %d, reload script linked: %v", resp.StatusCode, strings.Contains(string(b), site.LiveReloadScript))
	}
}

// TestDataSurvivesRestart: the secret and the submissions are kept in the
// data folder; the secret from the environment wins.
func TestDataSurvivesRestart(t *testing.T) {
	data := t.TempDir()
	s, _ := startCopy(t, Config{Data: data})
	secret := s.Secret
	if len(secret) < 20 {
		t.Fatalf("secret %q is too short", secret)
	}
	if fi, err := os.Stat(filepath.Join(data, SecretFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file: %v, %v", fi, err)
	}
	resp, err := noRedirect.PostForm(s.URL+"/api/forms/cau-hoi", questionForm("Lưu qua lần khởi động lại"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %d, want 200 (the thank-you page with the code)", resp.StatusCode)
	}
	s.Close()

	s2, _ := startCopy(t, Config{Data: data})
	if s2.Secret != secret {
		t.Errorf("secret after restart %q, want %q", s2.Secret, secret)
	}
	if n := total(t, s2, secret, "cau-hoi"); n != 1 {
		t.Errorf("after restart: %d questions, want 1", n)
	}
	s2.Close()

	s3, _ := startCopy(t, Config{Data: data, Secret: "mot-ma-quan-tri-rieng"})
	if s3.Secret != "mot-ma-quan-tri-rieng" || total(t, s3, "mot-ma-quan-tri-rieng", "cau-hoi") != 1 {
		t.Error("the given secret was not used")
	}
}

// TestLocalStoreAsksForKey: the local S3 answers only requests signed with
// the key kept in the data folder, made on the first run and kept after.
func TestLocalStoreAsksForKey(t *testing.T) {
	data := t.TempDir()
	s, _ := startCopy(t, Config{Data: data})
	fi, err := os.Stat(filepath.Join(data, localstore.CredentialsName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, %v; want mode 0600", fi, err)
	}
	b, err := os.ReadFile(filepath.Join(data, "s3-endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	endpoint := strings.TrimSpace(string(b))
	if endpoint != s.S3.Endpoint {
		t.Fatalf("s3-endpoint holds %q, want %q", endpoint, s.S3.Endpoint)
	}
	resp, body := get(t, endpoint+"/"+Bucket+"?list-type=2&prefix=submissions/")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("unsigned list: %d %s, want 403 AccessDenied", resp.StatusCode, body)
	}
	creds, err := localstore.ReadCredentials(data)
	if err != nil {
		t.Fatal(err)
	}
	if creds != s.S3.Credentials {
		t.Error("the server does not use the folder's key")
	}
	// Another process (the export command) reaches the store with the
	// folder's key.
	c, err := localstore.NewClient(endpoint, creds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(Bucket)}); err != nil {
		t.Errorf("list with the folder's key: %v", err)
	}
	s.Close()

	s2, _ := startCopy(t, Config{Data: data})
	if s2.S3.Credentials != creds {
		t.Error("a restart made a new key")
	}
}

func questionForm(q string) url.Values {
	return url.Values{
		"ho_ten": {"Nguyễn Văn An"}, "chi_doan": {"Chi đoàn Tổ dân phố 1"}, "dien_thoai": {"0912345678"},
		"linh_vuc": {"Khác"}, "noi_dung": {q}, "dong_y": {"co"},
	}
}

// total asks the staff route for the number of submissions of form.
func total(t *testing.T, s *Server, secret, form string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+"/api/stats", nil)
	req.Header.Set(routes.StaffHeader, secret)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct {
		Forms []struct {
			ID    string `json:"id"`
			Total int    `json:"total"`
		} `json:"forms"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != 200 {
		t.Fatalf("stats: %d, %v", resp.StatusCode, err)
	}
	for _, f := range st.Forms {
		if f.ID == form {
			return f.Total
		}
	}
	return -1
}

// TestLiveReload: an edit of a page, then of the stylesheet, is built and
// announced to the open pages; a broken page is announced as an error.
func TestLiveReload(t *testing.T) {
	s, dir := startCopy(t, Config{Watch: true})
	resp, err := http.Get(s.URL + "/_loa/reload")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	events := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				events <- name + " " + strings.TrimPrefix(line, "data: ")
			}
		}
		close(events)
	}()
	next := func(want string) string {
		t.Helper()
		select {
		case ev := <-events:
			if !strings.HasPrefix(ev, want+" ") {
				t.Fatalf("event %q, want %s", ev, want)
			}
			return ev
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s event", want)
		}
		return ""
	}
	next("hello")

	page := filepath.Join(dir, "content", "thong-bao", "moi-gui-cau-hoi-doi-thoai-2023.md")
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(data string) {
		if err := os.WriteFile(page, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit(string(b) + "\nĐoạn thêm khi xem trước.\n")
	next("reload")
	if _, body := get(t, s.URL+"/thong-bao/moi-gui-cau-hoi-doi-thoai-2023/"); !strings.Contains(body, "Đoạn thêm khi xem trước.") {
		t.Error("the edit is not in the served page")
	}

	edit("---\ntitle: [\n---\n")
	if ev := next("build-error"); !strings.Contains(ev, "moi-gui-cau-hoi-doi-thoai-2023.md") {
		t.Errorf("error event %q does not name the file", ev)
	}
	edit(string(b))
	next("reload")

	css := filepath.Join(dir, "site", "assets", "css", "base.css")
	c, _ := os.ReadFile(css)
	os.WriteFile(css, append(c, "\n.xem-truoc { color: red; }\n"...), 0o644)
	next("reload")
	_, home := get(t, s.URL+"/")
	i := strings.Index(home, `<link rel="stylesheet" href="`)
	if i < 0 {
		t.Fatal("no stylesheet")
	}
	href := strings.SplitN(home[i+len(`<link rel="stylesheet" href="`):], `"`, 2)[0]
	if _, body := get(t, s.URL+href); !strings.Contains(body, ".xem-truoc") {
		t.Error("the stylesheet edit is not served")
	}

	// A page saved under a name as a Mac saves it (NFD, an en dash,
	// spaces) is picked up and served at the slug of its name.
	added := filepath.Join(dir, "content", "thong-bao", norm.NFD.String("Thông báo họp – tổ dân phố 3.md"))
	if err := os.WriteFile(added, []byte("---\ntitle: \"Họp tổ dân phố 3\"\ndate: 2023-04-03\n---\nMời bà con dự họp.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	next("reload")
	if resp, body := get(t, s.URL+"/thong-bao/thong-bao-hop-to-dan-pho-3/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Mời bà con dự họp.") {
		t.Errorf("the page added under an NFD name: %d, want 200 with its text", resp.StatusCode)
	}

	// The form is drawn with the layouts of site/, as edited.
	formLayout := filepath.Join(dir, "site", "layouts", "form.html")
	f, err := os.ReadFile(formLayout)
	if err != nil {
		t.Fatal(err)
	}
	marked := strings.Replace(string(f), `<form class="form"`, `<p class="dau-xem-truoc">Bản thử</p><form class="form"`, 1)
	if marked == string(f) {
		t.Fatal("layouts/form.html has no <form")
	}
	if err := os.WriteFile(formLayout, []byte(marked), 0o644); err != nil {
		t.Fatal(err)
	}
	next("reload")
	if _, body := get(t, s.URL+"/bieu-mau/cau-hoi/"); !strings.Contains(body, "dau-xem-truoc") {
		t.Error("the edit of layouts/form.html is not in the served form page")
	}
}
