package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"loa/build/internal/browsertest"
	"loa/build/internal/tooltest"
	"loa/functions/digest/smtptest"
	"loa/functions/routes"
	"loa/functions/vntext"
)

// lockedBuffer is a log that a server writes while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// stuckMail is a mail server that takes connections and never answers
// while it holds them; once let go, it drops every connection at once.
type stuckMail struct {
	ln    net.Listener
	mu    sync.Mutex
	held  []net.Conn
	drop  bool
	count int // connections taken
}

func startStuckMail(t *testing.T) *stuckMail {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &stuckMail{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			m.mu.Lock()
			m.count++
			if m.drop {
				c.Close()
			} else {
				m.held = append(m.held, c)
			}
			m.mu.Unlock()
		}
	}()
	t.Cleanup(func() { ln.Close(); m.letGo() })
	return m
}

func (m *stuckMail) taken() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

func (m *stuckMail) letGo() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.drop = true
	for _, c := range m.held {
		c.Close()
	}
	m.held = nil
}

// poll waits for cond, at most budget, checking every 50 ms.
func poll(budget time.Duration, cond func() bool) bool {
	for end := time.Now().Add(budget); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestDigest: a quản lý asks for the daily digest on the staff page (axe
// and the Nu Html Checker clean on what the page then shows); serve
// started past the hour sends the day's digest through a real SMTP server;
// it carries the counts and no personal data, and its link opens the
// staff page. A mail server that hangs, then refuses, holds up no
// submission, and each failed try is logged without the address.
func TestDigest(t *testing.T) {
	exe := browsertest.Chromium(t)
	tooltest.Drives(t, "Java (the Nu Html Checker)")
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run make tools", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatal("Java is missing (the Nu Html Checker needs it): run make tools")
	}
	mail := smtptest.Start(t)
	now := time.Date(2023, 4, 15, 8, 0, 0, 0, vntext.Location) // past 7 giờ: the day's digest is due
	srv, dir := startCopy(t, Config{SMTP: mail.Addr, Now: now})
	cfg := Config{
		Addr: "127.0.0.1:0", Data: filepath.Join(dir, "data"), ContentDir: filepath.Join(dir, "content"),
		SiteDir: filepath.Join(dir, "site"), Now: now,
	}
	secret := srv.Secret

	// A question that the digest will count, sent the hour before.
	var personal []string
	post := func(base string) int {
		n := len(personal) / 4
		p := []string{"Lê Thị Riêng " + strconv.Itoa(n), "098765432" + strconv.Itoa(n), "rieng.le" + strconv.Itoa(n) + "@gmail.com",
			"Phường có lớp tiếng Anh miễn phí không, lần " + strconv.Itoa(n) + "?"}
		personal = append(personal, p...)
		v := url.Values{"ho_ten": {p[0]}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {p[1]},
			"email": {p[2]}, "linh_vuc": {"Khác"}, "noi_dung": {p[3]}, "dong_y": {"co"}}
		req, _ := http.NewRequest("POST", base+routes.Forms+"cau-hoi", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(srv.URL); code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("question: %d", code)
	}

	// The staff page: sign in, ask for the digest.
	ctx := browsertest.Start(t, exe)
	browsertest.Do(t, ctx,
		chromedp.Navigate(srv.URL+routes.StaffPage),
		chromedp.WaitVisible(chromedp.ID("ma-quan-tri")),
		chromedp.SendKeys(chromedp.ID("ma-quan-tri"), secret),
		chromedp.Click(chromedp.CSS("[data-staff-login] button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("thu-email")),
	)
	browsertest.Do(t, ctx,
		chromedp.SendKeys(chromedp.ID("thu-email"), "van-phong@phuong.example.vn"),
		chromedp.Click(chromedp.ID("thu-nhan")),
		chromedp.Click(chromedp.CSS("[data-staff-digest] button[type=submit]")),
	)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("[data-staff-digest-said]").innerText.startsWith("Đã lưu")
		&& document.querySelector(".staff-digest tbody").innerText.includes("van-phong@phuong.example.vn")`,
		chromedp.WithPollingTimeout(browsertest.Deadline))); err != nil {
		t.Fatalf("the digest's setting was not saved: %v", err)
	}
	when, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".staff-digest p").innerText`))
	if err != nil || !strings.Contains(when, "lúc 7 giờ mỗi ngày") {
		t.Errorf("the section does not say when the digest is sent: %q, %v", when, err)
	}
	checkAxeIn(t, ctx, string(axe), "staff page with the digest's section")
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(".staff-digest"))); err == nil {
		os.WriteFile(filepath.Join(shotsDir, "quan-tri-thu-tom-tat.png"), png, 0o644)
	}
	// The page as built is checked by TestBrowser; here the section the
	// script adds, as the browser holds it, in a page of its own.
	section, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".staff-digest").outerHTML`))
	if err != nil {
		t.Fatal(err)
	}
	checkVNU(t, map[string]string{"thu-tom-tat.html": "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Thư tóm tắt</title></head><body><main>" +
		section + "</main></body></html>\n"})
	if n := mail.Tries(); n != 0 {
		t.Errorf("%d digests tried before anyone asked for one", n)
	}
	// "Gửi thử": the digest at once, to one's own address; its link opens
	// the staff page.
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("[data-staff-digest-now]")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("[data-staff-digest-said]").innerText.startsWith("Đã gửi thư tóm tắt")`,
		chromedp.WithPollingTimeout(browsertest.Deadline))); err != nil {
		t.Fatalf("the test digest was not reported sent: %v", err)
	}
	if m := mail.Wait(1, 10*time.Second); len(m) != 1 || m[0].To[0] != "van-phong@phuong.example.vn" {
		t.Fatalf("mails %+v, want the test digest", m)
	} else if _, _, body, err := m[0].Read(); err != nil || !strings.Contains(body, "\n"+srv.URL+routes.StaffPage+"\n") {
		t.Errorf("the test digest has no link to %s: %v\n%s", srv.URL+routes.StaffPage, err, body)
	} else if resp, page := get(t, srv.URL+routes.StaffPage); resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="ma-quan-tri"`) {
		t.Errorf("the test digest's link: %d, want the staff page", resp.StatusCode)
	}
	srv.Close()

	// A mail server that hangs: the digest, run at start, waits on it,
	// and a question sent meanwhile is stored all the same.
	stuck := startStuckMail(t)
	logs := &lockedBuffer{}
	c2 := cfg
	c2.SMTP, c2.Logger = stuck.ln.Addr().String(), slog.New(slog.NewJSONHandler(logs, nil))
	srv2, err := Start(c2)
	if err != nil {
		t.Fatal(err)
	}
	if !poll(30*time.Second, func() bool { return stuck.taken() == 1 }) {
		t.Fatalf("the digest never reached the mail server (%d connections)", stuck.taken())
	}
	if code := post(srv2.URL); code != http.StatusOK && code != http.StatusCreated {
		t.Errorf("a question while the mail server hangs: %d", code)
	}
	if stuck.taken() != 1 || strings.Contains(logs.String(), "send failed") {
		t.Fatalf("the mail server let go before the question was answered: %d connections\n%s", stuck.taken(), logs.String())
	}
	// Let go: every try is refused; three tries, each logged by account.
	stuck.letGo()
	if !poll(60*time.Second, func() bool { return strings.Contains(logs.String(), `"msg":"serve: daily digest"`) }) {
		t.Fatalf("the failed digest was not logged:\n%s", logs.String())
	}
	if n := strings.Count(logs.String(), `"msg":"digest: send failed"`); n != 3 {
		t.Errorf("%d failed tries logged, want 3:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), `"account":"quan-tri"`) || strings.Contains(logs.String(), "@") {
		t.Errorf("the log names no account, or holds an address:\n%s", logs.String())
	}
	srv2.Close()

	// The mail server is back: started again, serve sends the day's digest.
	c3 := cfg
	c3.SMTP, c3.Logger = mail.Addr, slog.New(slog.NewTextHandler(io.Discard, nil))
	srv3, err := Start(c3)
	if err != nil {
		t.Fatal(err)
	}
	defer srv3.Close()
	mails := mail.Wait(2, 30*time.Second)
	if len(mails) != 2 || mails[1].To[0] != "van-phong@phuong.example.vn" {
		t.Fatalf("mails %+v, want the day's digest to van-phong@ after the test one", mails)
	}
	mails = mails[1:]
	_, subject, body, err := mails[0].Read()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(subject, "Loa: tóm tắt ngày 15/04/2023 – 2 câu hỏi mới") {
		t.Errorf("subject %q, want the 15/04/2023 digest with the 2 questions sent that morning", subject)
	}
	if !strings.Contains(body, "- Tổng số đã nhận: 2; chưa trả lời: 2.") || !strings.Contains(body, "    Khác: 2\n") {
		t.Errorf("body:\n%s", body)
	}
	for _, p := range personal {
		if strings.Contains(string(mails[0].Data), p) || strings.Contains(body, p) {
			t.Errorf("the digest carries %q", p)
		}
	}
	link := srv3.URL + routes.StaffPage
	if !strings.Contains(body, "\n"+link+"\n") {
		t.Fatalf("the body has no link %s:\n%s", link, body)
	}
	resp, page2 := get(t, link)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page2, `id="ma-quan-tri"`) {
		t.Errorf("GET %s: %d, want the staff page", link, resp.StatusCode)
	}
}

// checkVNU runs the Nu Html Checker on pages (name → HTML); any error fails.
func checkVNU(t *testing.T, pages map[string]string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for name, html := range pages {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	cmd := exec.Command("java", append([]string{"-jar", vnuFile, "--errors-only", "--format", "json"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var out struct {
		Messages []struct {
			Type, Message, URL, Extract string
			LastLine                    int
		}
	}
	if jerr := json.Unmarshal(stderr.Bytes(), &out); jerr != nil {
		t.Fatalf("Nu Html Checker: %v: %s", err, stderr.String())
	}
	for _, m := range out.Messages {
		t.Errorf("%s:%d: %s: %s\n\t%s", filepath.Base(m.URL), m.LastLine, m.Type, m.Message, m.Extract)
	}
}
