package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"loa/functions/digest"
	"loa/functions/digest/smtptest"
	"loa/functions/service"
	"loa/functions/store"
)

// TestProvinceDigests: the schedule's one run sends each unit's digest to
// that unit's staff who asked for it, with the unit's own counts and staff
// page, nothing of another unit and nothing people typed; run again the
// same day, it sends nothing more.
func TestProvinceDigests(t *testing.T) {
	mail := smtptest.Start(t)
	pf := newProvinceFixture(t, service.Config{Units: exampleLister{}, Mail: digest.SMTP{Addr: mail.Addr}, MailFrom: "loa@hungyen.example.vn"})
	ctx := context.Background()
	qa := "Phường Bạch Sam có sân bóng cho thanh niên không?"
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 1", "Chuyển đổi số", qa)
	pf.ask(t, host(unitA), "/api/forms/cau-hoi", "Chi đoàn Tổ dân phố 2", "Chuyển đổi số", qa+" (2)")
	pf.ask(t, host(unitB), "/api/forms/cau-hoi", "Chi đoàn thôn Đông", "Đường giao thông nông thôn", "Xã có lớp tin học không?")
	to := map[string]string{unitA: "van-phong@bach-sam.example.vn", unitB: "van-phong@nghia-tru.example.vn"}
	for slug, addr := range to {
		u, err := pf.svc.Unit(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Store.SaveDigestSetting(ctx, store.DigestSetting{Account: "quan-tri", Email: addr, On: true}); err != nil {
			t.Fatal(err)
		}
	}

	rep, err := pf.svc.RunDigests(ctx)
	if err != nil || rep.Sent != 2 || rep.Units[unitA].Sent != 1 || rep.Units[unitB].Sent != 1 || len(rep.Units) != 3 {
		t.Fatalf("the province's digests: %+v %v, want one sent in each of two units, three units run", rep, err)
	}
	mails := mail.Wait(2, 10*time.Second)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want 2", len(mails))
	}
	for _, m := range mails {
		_, subject, body, err := m.Read()
		if err != nil {
			t.Fatal(err)
		}
		unit, other := unitA, unitB
		if m.To[0] == to[unitB] {
			unit, other = unitB, unitA
		}
		if len(m.To) != 1 || m.To[0] != to[unit] {
			t.Errorf("a digest to %v", m.To)
		}
		text := subject + "\n" + body
		if !strings.Contains(text, "://"+unit+".") || strings.Contains(text, other) {
			t.Errorf("%s's digest does not link its own staff page, or names %s:\n%s", unit, other, text)
		}
		for _, personal := range []string{qa, "Trần Thị Bình", "0912345678"} {
			if strings.Contains(text, personal) {
				t.Errorf("%s's digest carries %q", unit, personal)
			}
		}
	}
	for unit, want := range map[string]string{unitA: "Tổng số đã nhận: 2;", unitB: "Tổng số đã nhận: 1;"} {
		if text := mailText(t, mails, to[unit]); !strings.Contains(text, want) {
			t.Errorf("%s's digest does not say %q:\n%s", unit, want, text)
		}
	}

	rep, err = pf.svc.RunDigests(ctx)
	if err != nil || rep.Sent != 0 || rep.Already != 2 {
		t.Errorf("run again the same day: %+v %v, want nothing sent, 2 already", rep, err)
	}
	if n := len(mail.Mails()); n != 2 {
		t.Errorf("%d mails after the second run, want still 2", n)
	}

	// Without a sender, no digest runs.
	plain := newProvinceFixture(t, service.Config{})
	if _, err := plain.svc.RunDigests(ctx); err != service.ErrNoDigest {
		t.Errorf("a province without a sender: %v, want ErrNoDigest", err)
	}
}

func mailText(t *testing.T, mails []smtptest.Mail, to string) string {
	t.Helper()
	for _, m := range mails {
		if m.To[0] == to {
			_, subject, body, _ := m.Read()
			return subject + "\n" + body
		}
	}
	return ""
}
