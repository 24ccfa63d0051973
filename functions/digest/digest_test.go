package digest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/content"
	"loa/functions/digest"
	"loa/functions/digest/smtptest"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// fixture is a store on the local S3 with a fake clock, the forms of the
// ward's content, and a real SMTP server.
type fixture struct {
	t    *testing.T
	mu   sync.Mutex
	now  time.Time
	st   *store.Store
	reg  *forms.Registry
	exp  *export.Exporter
	mail *smtptest.Server
	logs bytes.Buffer
	// personal is every value a resident typed: none may reach a digest.
	personal []string
}

func (fx *fixture) clock() time.Time {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	return fx.now
}

func (fx *fixture) set(t time.Time) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	fx.now = t
}

func at(s string) time.Time {
	t, err := vntext.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func newFixture(t *testing.T) *fixture {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{t: t, reg: reg, now: at("2023-04-10T08:00")}
	fx.st = s3test.New(t, s3test.Options{Config: store.Config{Now: fx.clock}}).Store
	if fx.exp, err = export.New(export.Config{Store: fx.st, Now: fx.clock}); err != nil {
		t.Fatal(err)
	}
	fx.mail = smtptest.Start(t)
	return fx
}

func (fx *fixture) digester(t *testing.T, o func(*digest.Config)) *digest.Digester {
	cfg := digest.Config{
		Forms: fx.reg, Records: fx.exp, Store: fx.st, Sender: digest.SMTP{Addr: fx.mail.Addr},
		From: "loa@phuong.example.vn", StaffURL: "https://loa.example.vn/quan-tri/", Now: fx.clock,
		Logger: slog.New(slog.NewJSONHandler(&fx.logs, nil)),
		Sleep:  func(context.Context, time.Duration) error { return nil },
	}
	if o != nil {
		o(&cfg)
	}
	d, err := digest.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// question stores a question sent at when; it returns its id.
func (fx *fixture) question(t *testing.T, when, topic string, i int) string {
	t.Helper()
	name, phone, email := fmt.Sprintf("Nguyễn Văn Hùng %d", i), fmt.Sprintf("09123456%02d", i), fmt.Sprintf("hung.nguyen%d@gmail.com", i)
	text := fmt.Sprintf("Phường có hỗ trợ học phí cao học cho thanh niên số %d không?", i)
	fx.personal = append(fx.personal, name, phone, email, text)
	f := fx.reg.Form("cau-hoi")
	sub, errs := f.Validate(url.Values{
		"ho_ten": {name}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {phone}, "email": {email},
		"linh_vuc": {topic}, "noi_dung": {text}, "dong_y": {"co"},
	}, at("2023-04-10T08:00"))
	if errs != nil {
		t.Fatal(errs)
	}
	fx.set(at(when))
	rc, err := fx.st.Save(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return rc.ID
}

func (fx *fixture) delegate(t *testing.T, when, group string, i int) {
	t.Helper()
	name, phone := fmt.Sprintf("Trần Thị Mai %d", i), fmt.Sprintf("09876543%02d", i)
	fx.personal = append(fx.personal, name, phone)
	sub, errs := fx.reg.Form("dai-bieu").Validate(url.Values{
		"chi_doan": {group}, "ho_ten": {name}, "chuc_vu": {"Bí thư"}, "nam_sinh": {"1999"}, "dien_thoai": {phone}, "dong_y": {"co"},
	}, at("2023-04-10T08:00"))
	if errs != nil {
		t.Fatal(errs)
	}
	fx.set(at(when))
	if _, err := fx.st.Save(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) answer(t *testing.T, id, status string) {
	t.Helper()
	f := fx.reg.Form("cau-hoi")
	found, err := fx.st.FindByID(context.Background(), f, id)
	if err != nil {
		t.Fatal(err)
	}
	text := "Phường hỗ trợ 50% học phí, liên hệ chị Lan 0243999888."
	fx.personal = append(fx.personal, text, "0243999888")
	if _, err := fx.st.SaveAnswer(context.Background(), f, found, 0, store.Answer{Status: status, Text: text, By: "Lê Văn Nam"}); err != nil {
		t.Fatal(err)
	}
}

func (fx *fixture) account(t *testing.T, id, email string, on bool) {
	t.Helper()
	ctx := context.Background()
	if _, err := fx.st.CreateAccount(ctx, store.Account{ID: id, Name: "Cán bộ " + id, Role: store.RoleAnswer, Hash: "$argon2id$x"}); err != nil {
		t.Fatal(err)
	}
	if email != "" {
		if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: id, Email: email, On: on, By: id}); err != nil {
			t.Fatal(err)
		}
	}
}

// event fills the store as a week of the dialogue would. The topics are
// the form's own (content/bieu-mau/cau-hoi.md).
func (fx *fixture) event(t *testing.T) {
	topics := fx.reg.Form("cau-hoi").TopicField().Options
	t1, t2, t3 := topics[0], topics[1], topics[2]
	q1 := fx.question(t, "2023-04-10T09:00", t1, 1) // late, not answered
	q2 := fx.question(t, "2023-04-11T09:00", t2, 2) // answered
	q3 := fx.question(t, "2023-04-11T10:00", t1, 3) // late, in progress
	fx.question(t, "2023-04-14T10:00", t2, 4)       // new
	fx.question(t, "2023-04-15T06:00", forms.Other, 5)
	fx.question(t, "2023-04-14T06:00", t3, 6) // 25 hours before: not new
	fx.answer(t, q2, store.StatusAnswered)
	fx.answer(t, q3, store.StatusInProgress)
	_ = q1
	for i := range 5 {
		fx.delegate(t, "2023-04-12T09:00", "Chi đoàn Tổ dân phố 3", 10+i)
	}
	fx.delegate(t, "2023-04-12T10:00", "Chi đoàn Tổ dân phố 1", 20)
	fx.delegate(t, "2023-04-14T12:00", "Chi đoàn Tổ dân phố 1", 21) // new
}

// TestDigestArrives: under a fake clock, the digest of 15/4/2023 at 07:00
// reaches a real SMTP server with the right counts, a link to the staff
// page and none of what residents typed; only accounts that asked get it,
// once a day.
func TestDigestArrives(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.account(t, "minh", "minh@phuong.example.vn", false) // asked not to
	fx.account(t, "hoa", "", false)                        // never set
	fx.event(t)
	fx.set(at("2023-04-15T07:00"))
	d := fx.digester(t, nil)
	rep, err := d.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 1 || rep.Failed != 0 || rep.Day != "2023-04-15" {
		t.Fatalf("report %+v, want one sent on 2023-04-15", rep)
	}
	mails := fx.mail.Mails()
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "lan@phuong.example.vn" || mails[0].From != "loa@phuong.example.vn" {
		t.Fatalf("mails %+v, want one to lan from loa@", mails)
	}
	h, subject, body, err := mails[0].Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := "Loa: tóm tắt ngày 15/04/2023 – 2 câu hỏi mới, 2 câu chờ trả lời quá 3 ngày"; subject != want {
		t.Errorf("subject %q, want %q", subject, want)
	}
	if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("To") != "<lan@phuong.example.vn>" {
		t.Errorf("headers %v", h)
	}
	topics := fx.reg.Form("cau-hoi").TopicField().Options
	for _, want := range []string{
		"Tóm tắt tình hình các biểu mẫu đến 07:00 ngày 15/04/2023 (giờ Việt Nam).",
		"- Mới trong 24 giờ qua: 2 câu hỏi.\n  Theo lĩnh vực:\n    " + topics[1] + ": 1\n    Khác: 1\n",
		"- Tổng số đã nhận: 6; chưa trả lời: 5.",
		"- Chờ trả lời quá 3 ngày: 2 câu hỏi.\n  Theo lĩnh vực:\n    " + topics[0] + ": 2\n",
		"- Đã đăng ký: 7 người (mới trong 24 giờ qua: 1); mỗi chi đoàn cử 5 người.",
		"- Đủ số: 1/8 chi đoàn.",
		"- Còn thiếu (7):\n    Chi đoàn Tổ dân phố 1: 2/5, thiếu 3\n    Chi đoàn Tổ dân phố 2: 0/5, thiếu 5\n",
		"HẠN SẮP TỚI (trong 7 ngày)\n- " + fx.reg.Form("dai-bieu").Title + ": hết hạn nhận lúc 00 giờ 00, ngày 18/04/2023 (còn 2 ngày).\n- " +
			fx.reg.Form("de-cu").Title + ": hết hạn nhận lúc 00 giờ 00, ngày 18/04/2023 (còn 2 ngày).\n- " +
			fx.reg.Form("cau-hoi").Title + ": hết hạn nhận lúc 00 giờ 00, ngày 20/04/2023 (còn 4 ngày).\n",
		"\nhttps://loa.example.vn/quan-tri/\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the body has no %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Tổ dân phố 3:") {
		t.Errorf("a full chi đoàn listed as missing:\n%s", body)
	}
	for _, p := range fx.personal {
		if bytes.Contains(mails[0].Data, []byte(p)) || strings.Contains(body, p) || strings.Contains(subject, p) {
			t.Errorf("the digest carries %q, which a resident or staff typed", p)
		}
	}
	// The same day again: nothing more. The next day: again.
	if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 0 || rep.Already != 1 {
		t.Errorf("second run of the day: %+v, %v; want nothing sent, one already", rep, err)
	}
	fx.set(at("2023-04-16T07:00"))
	if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 1 {
		t.Errorf("the next day: %+v, %v; want one sent", rep, err)
	}
	if n := len(fx.mail.Mails()); n != 2 {
		t.Errorf("%d mails in all, want 2", n)
	}
}

// TestDigestRetried: a server that refuses the first two tries gets the
// third; each failure is logged by account, never by address.
func TestDigestRetried(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.event(t)
	fx.set(at("2023-04-15T07:00"))
	var waits []time.Duration
	d := fx.digester(t, func(c *digest.Config) {
		c.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	})
	fx.mail.Refuse(2)
	rep, err := d.Run(context.Background())
	if err != nil || rep.Sent != 1 {
		t.Fatalf("report %+v, %v; want sent on the third try", rep, err)
	}
	if n := fx.mail.Tries(); n != 3 {
		t.Errorf("%d tries, want 3", n)
	}
	if len(waits) != 2 || waits[1] != 2*waits[0] {
		t.Errorf("waits %v, want two, the second twice the first", waits)
	}
	logs := fx.logs.String()
	if n := strings.Count(logs, `"msg":"digest: send failed"`); n != 2 {
		t.Errorf("%d failures logged, want 2:\n%s", n, logs)
	}
	if !strings.Contains(logs, `"account":"lan"`) || strings.Contains(logs, "@") {
		t.Errorf("the log names no account, or holds an address:\n%s", logs)
	}
}

// TestDigestRefused: a server that refuses every try leaves the day's
// digest unsent and unmarked, and says so; the next run sends it.
func TestDigestRefused(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.event(t)
	fx.set(at("2023-04-15T07:00"))
	d := fx.digester(t, nil)
	fx.mail.RefuseAll()
	rep, err := d.Run(context.Background())
	if err == nil || rep.Failed != 1 || rep.Sent != 0 {
		t.Fatalf("report %+v, %v; want one failed and an error", rep, err)
	}
	if strings.Contains(err.Error(), "@") || strings.Contains(fx.logs.String(), "@") {
		t.Errorf("an address in the error or the log: %v\n%s", err, fx.logs.String())
	}
	if !strings.Contains(fx.logs.String(), `"level":"ERROR","msg":"digest"`) {
		t.Errorf("no error logged for the run:\n%s", fx.logs.String())
	}
	if sent, err := fx.st.DigestSent(context.Background(), "2023-04-15", "lan"); err != nil || sent {
		t.Errorf("marked sent after every try failed: %v, %v", sent, err)
	}
	// A server gone altogether: the same.
	down := fx.digester(t, func(c *digest.Config) { c.Sender = digest.SMTP{Addr: "127.0.0.1:1"} })
	if rep, err := down.Run(context.Background()); err == nil || rep.Failed != 1 {
		t.Errorf("no server: %+v, %v", rep, err)
	}
	fx.mail = smtptest.Start(t)
	d = fx.digester(t, nil)
	if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 1 {
		t.Errorf("after the server came back: %+v, %v", rep, err)
	}
}

// TestDigestAllowed: on AWS only the addresses listed (verified in SES)
// may get mail; an account with another address is skipped and logged.
func TestDigestAllowed(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.account(t, "minh", "minh@elsewhere.example.com", true)
	fx.set(at("2023-04-15T07:00"))
	d := fx.digester(t, func(c *digest.Config) { c.Allowed = []string{"Lan@Phuong.Example.VN"} })
	rep, err := d.Run(context.Background())
	if err != nil || rep.Sent != 1 || rep.Skipped != 1 {
		t.Fatalf("report %+v, %v; want one sent, one skipped", rep, err)
	}
	if m := fx.mail.Mails(); len(m) != 1 || m[0].To[0] != "lan@phuong.example.vn" {
		t.Errorf("mails %+v", m)
	}
	if !strings.Contains(fx.logs.String(), `"account":"minh"`) || strings.Contains(fx.logs.String(), "elsewhere") {
		t.Errorf("the skipped account is not logged by id, or its address is:\n%s", fx.logs.String())
	}
}

func TestRedact(t *testing.T) {
	err := digest.Redact(fmt.Errorf("smtp: 550 5.1.1 <lan@phuong.vn>: no such user (lan.nguyen@gmail.com)"))
	if strings.Contains(err.Error(), "@") || !strings.Contains(err.Error(), "550 5.1.1") {
		t.Errorf("Redact: %v", err)
	}
}

// TestSchedule: serve's daily loop waits for the hour, runs, waits a day;
// a failed run is made again after Retry, at most Runs times a day.
func TestSchedule(t *testing.T) {
	var mu sync.Mutex
	now := at("2023-04-15T06:30")
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	waits := make(chan time.Duration)
	fire := make(chan time.Time)
	runs := make(chan int, 10)
	fail := 2
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		digest.Schedule{Hour: 7, Now: clock, Retry: 10 * time.Minute, Runs: 3,
			After: func(d time.Duration) <-chan time.Time { waits <- d; return fire },
		}.Loop(ctx, func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			runs <- 1
			if fail > 0 {
				fail--
				return fmt.Errorf("refused")
			}
			return nil
		})
	}()
	step := func(want time.Duration, advance time.Duration) {
		t.Helper()
		if got := <-waits; got != want {
			t.Fatalf("waits %v, want %v", got, want)
		}
		mu.Lock()
		now = now.Add(advance)
		mu.Unlock()
		fire <- now
	}
	step(30*time.Minute, 30*time.Minute) // 06:30 → 07:00
	step(10*time.Minute, 10*time.Minute) // failed: again at 07:10
	step(10*time.Minute, 10*time.Minute) // failed again: 07:20
	step(24*time.Hour-20*time.Minute, 24*time.Hour-20*time.Minute)
	// The next day's run at 07:00 succeeds: wait a day.
	if got := <-waits; got != 24*time.Hour {
		t.Fatalf("after the next day's run: waits %v, want 24h", got)
	}
	if n := len(runs); n != 4 {
		t.Errorf("%d runs, want 4 (3 on the first day, 1 on the next)", n)
	}
	cancel()
	<-done
}

// SendNow: a staff member's check, to their saved address whether or not
// they asked for the daily digest; it marks nothing.
func TestSendNow(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", false)
	fx.account(t, "hoa", "", false)
	fx.account(t, "minh", "minh@elsewhere.example.com", true)
	fx.set(at("2023-04-15T07:00"))
	d := fx.digester(t, func(c *digest.Config) { c.Allowed = []string{"lan@phuong.example.vn"} })
	ctx := context.Background()
	if err := d.SendNow(ctx, "hoa"); !errors.Is(err, digest.ErrNoAddress) {
		t.Errorf("no address: %v", err)
	}
	if err := d.SendNow(ctx, "minh"); !errors.Is(err, digest.ErrNotAllowed) {
		t.Errorf("not allowed: %v", err)
	}
	if err := d.SendNow(ctx, "lan"); err != nil {
		t.Fatal(err)
	}
	if m := fx.mail.Mails(); len(m) != 1 || m[0].To[0] != "lan@phuong.example.vn" {
		t.Errorf("mails %+v", m)
	}
	if sent, err := fx.st.DigestSent(ctx, "2023-04-15", "lan"); err != nil || sent {
		t.Errorf("SendNow marked the day's digest sent: %v, %v", sent, err)
	}
}

// heldSender holds the first message handed to it until release is
// closed, and lets every later one through.
type heldSender struct {
	next    digest.Sender
	mu      sync.Mutex
	calls   int
	held    chan struct{} // closed once the first message is held
	release chan struct{}
}

func (h *heldSender) Send(ctx context.Context, from, to string, msg []byte) error {
	h.mu.Lock()
	h.calls++
	first := h.calls == 1
	h.mu.Unlock()
	if first {
		close(h.held)
		<-h.release
	}
	return h.next.Send(ctx, from, to, msg)
}

// TestDigestRunsAtOnce: the schedule's event delivered twice at once
// (EventBridge delivers at least once, and Lambda runs the two side by
// side): while one run is sending an account's digest, the other does not
// send it too, and says so, so that the schedule runs it again; each
// account gets the day's digest once.
func TestDigestRunsAtOnce(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.account(t, "minh", "minh@phuong.example.vn", true)
	fx.set(at("2023-04-15T07:00"))
	hs := &heldSender{next: digest.SMTP{Addr: fx.mail.Addr}, held: make(chan struct{}), release: make(chan struct{})}
	d := fx.digester(t, func(c *digest.Config) { c.Sender = hs })
	type result struct {
		rep digest.Report
		err error
	}
	done := make(chan result, 2)
	run := func() { rep, err := d.Run(context.Background()); done <- result{rep, err} }
	go run()
	<-hs.held // the first run is sending lan's digest
	go run()
	other := <-done // the second run, while the first still holds lan's
	close(hs.release)
	first := <-done
	if other.rep.Sent != 1 || other.rep.Busy != 1 || !errors.Is(other.err, digest.ErrBusy) {
		t.Errorf("the run beside: %+v, %v; want minh's sent, lan's left to the other run, and ErrBusy", other.rep, other.err)
	}
	if first.err != nil || first.rep.Sent != 1 {
		t.Errorf("the first run: %+v, %v; want lan's sent", first.rep, first.err)
	}
	to := map[string]int{}
	for _, m := range fx.mail.Mails() {
		to[m.To[0]]++
	}
	if len(to) != 2 || to["lan@phuong.example.vn"] != 1 || to["minh@phuong.example.vn"] != 1 {
		t.Errorf("mails by address %v, want one each", to)
	}
	// The schedule runs the busy one again: nothing more to send.
	if rep, err := d.Run(context.Background()); err != nil || rep.Sent != 0 || rep.Already != 2 {
		t.Errorf("the run again: %+v, %v; want both already sent", rep, err)
	}
}

// TestDigestClaimLapses: a run that died while sending (a Lambda past its
// time) leaves its claim; the account's digest is sent by a later run once
// the claim has lapsed, and not before.
func TestDigestClaimLapses(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	fx.set(at("2023-04-15T07:00"))
	ctx := context.Background()
	if ok, err := fx.st.ClaimDigest(ctx, "2023-04-15", "lan", fx.clock(), fx.clock().Add(2*time.Minute)); err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	d := fx.digester(t, nil)
	if rep, err := d.Run(ctx); !errors.Is(err, digest.ErrBusy) || rep.Sent != 0 || rep.Busy != 1 {
		t.Errorf("while the claim holds: %+v, %v; want busy", rep, err)
	}
	fx.set(at("2023-04-15T07:03"))
	if rep, err := d.Run(ctx); err != nil || rep.Sent != 1 {
		t.Errorf("after the claim lapsed: %+v, %v; want sent", rep, err)
	}
	if n := len(fx.mail.Mails()); n != 1 {
		t.Errorf("%d mails, want 1", n)
	}
	// A failed send gives its claim up: the next run tries at once.
	fx.account(t, "minh", "minh@phuong.example.vn", true)
	fx.mail.RefuseAll()
	if rep, err := d.Run(ctx); err == nil || rep.Failed != 1 {
		t.Fatalf("refused: %+v, %v", rep, err)
	}
	fx.mail = smtptest.Start(t)
	d = fx.digester(t, nil)
	if rep, err := d.Run(ctx); err != nil || rep.Sent != 1 || rep.Already != 1 {
		t.Errorf("after a failure, at once: %+v, %v; want minh's sent", rep, err)
	}
}

// TestDigestDayBoundaries: the day of a digest and what is new are Vietnam's
// (UTC+7), whatever the zone of the clock: 00:00 UTC is 07:00 of the same
// day there, 17:00 UTC the next day's 00:00; a question sent the instant
// the last 24 hours began is not new, one sent at the instant of the run
// is.
func TestDigestDayBoundaries(t *testing.T) {
	fx := newFixture(t)
	fx.account(t, "lan", "lan@phuong.example.vn", true)
	topic := fx.reg.Form("cau-hoi").TopicField().Options[0]
	fx.question(t, "2023-04-14T07:00:00", topic, 1) // exactly 24 hours before: not new
	fx.question(t, "2023-04-14T07:00:01", topic, 2)
	fx.question(t, "2023-04-15T06:59:59", topic, 3)
	fx.question(t, "2023-04-15T07:00:00", topic, 4) // the instant of the run
	d := fx.digester(t, nil)
	ctx := context.Background()
	fx.set(time.Date(2023, 4, 15, 0, 0, 0, 0, time.UTC)) // 07:00 in Vietnam
	sum, err := d.Summarize(ctx, fx.clock())
	if err != nil {
		t.Fatal(err)
	}
	if q := sum.Questions[0]; q.New != 3 || q.Total != 4 {
		t.Errorf("at 00:00 UTC: %d new of %d, want 3 of 4", q.New, q.Total)
	}
	for _, c := range []struct {
		utc  time.Time
		day  string
		sent int
	}{
		{time.Date(2023, 4, 15, 0, 0, 0, 0, time.UTC), "2023-04-15", 1},
		{time.Date(2023, 4, 15, 16, 59, 59, 0, time.UTC), "2023-04-15", 0}, // 23:59:59 there: the same day, sent already
		{time.Date(2023, 4, 15, 17, 0, 0, 0, time.UTC), "2023-04-16", 1},   // 00:00 there: the next day
	} {
		fx.set(c.utc)
		rep, err := d.Run(ctx)
		if err != nil || rep.Day != c.day || rep.Sent != c.sent {
			t.Errorf("at %s: %+v, %v; want day %s, %d sent", c.utc.Format(time.RFC3339), rep, err, c.day, c.sent)
		}
	}
	_, subject, body, err := fx.mail.Mails()[0].Read()
	if err != nil || !strings.Contains(subject, "ngày 15/04/2023 – 3 câu hỏi mới") || !strings.Contains(body, "đến 07:00 ngày 15/04/2023") {
		t.Errorf("the first digest: %q\n%s", subject, body)
	}
}

// TestMessageRefusesHeaders: an address that would add a header is
// refused, and the refusal does not quote it (errors reach logs).
func TestMessageRefusesHeaders(t *testing.T) {
	sum := &digest.Summary{At: at("2023-04-15T07:00")}
	for _, to := range []string{"lan@phuong.example.vn\r\nBcc: ke.gian@example.com", "Lan <lan@phuong.example.vn>, minh@phuong.example.vn"} {
		msg, err := digest.Message(sum, "loa@phuong.example.vn", to)
		if err == nil || msg != nil {
			t.Errorf("%q: a message was written", to)
			continue
		}
		if strings.Contains(err.Error(), "@") {
			t.Errorf("the refusal quotes the address: %v", err)
		}
	}
}
