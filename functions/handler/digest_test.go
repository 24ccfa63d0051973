package handler_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/functions/digest"
	"loa/functions/handler"
	"loa/functions/routes"
	"loa/functions/store"
)

// The daily digest's settings: a person sets their own, a quản lý anyone's,
// a trả lời nobody else's; a bad address is refused and changes nothing;
// each save is one audit record that holds no address.
func TestDigestSettings(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	lan := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	minh := e.newAccount("minh", "Trần Văn Minh", store.RoleManager)
	e.newAccount("hoa", "Phạm Thị Hoa", store.RoleAnswer)
	put := func(id, as, secret string, body any) answer {
		return e.do(accountRequest("PUT", routes.Digest+"/"+id, as, secret, body))
	}
	if a := put("lan", "lan", lan, map[string]any{"email": "lan@phuong.example.vn", "on": true}); a.code != http.StatusOK {
		t.Fatalf("own setting: %d %s", a.code, a.body)
	}
	if a := put("hoa", "lan", lan, map[string]any{"email": "lan@phuong.example.vn", "on": true}); a.code != http.StatusForbidden {
		t.Errorf("a trả lời sets another's: %d, want 403", a.code)
	}
	if a := put("hoa", "minh", minh, map[string]any{"email": "hoa@phuong.example.vn", "on": true}); a.code != http.StatusOK {
		t.Errorf("a quản lý sets another's: %d %s", a.code, a.body)
	}
	if a := put("khong-co", "minh", minh, map[string]any{"email": "x@phuong.example.vn", "on": true}); a.code != http.StatusNotFound {
		t.Errorf("no such account: %d, want 404", a.code)
	}
	before := e.keys("loa/digest/")
	for _, bad := range []map[string]any{
		{"email": "Lan <lan@phuong.example.vn>", "on": true},
		{"email": "lan@phuong.example.vn, x@y.vn", "on": true},
		{"email": "", "on": true},
		{"email": "không phải email", "on": false},
	} {
		a := put("lan", "lan", lan, bad)
		if a.code != http.StatusUnprocessableEntity || !strings.Contains(a.body, "email") {
			t.Errorf("%v: %d %s, want 422 with a message", bad, a.code, a.body)
		}
	}
	if a := e.do(accountRequest("PUT", routes.Digest+"/lan", "lan", lan, nil)); a.code != http.StatusBadRequest {
		t.Errorf("no body: %d, want 400", a.code)
	}
	if after := e.keys("loa/digest/"); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Errorf("refused saves changed the store: %v → %v", before, after)
	}

	// GET: one's own; a quản lý sees everyone's.
	var own struct {
		Own struct {
			Account, Email string
			On             bool
		}
		Accounts []struct {
			Account, Email string
			On             bool
		}
	}
	a := e.do(accountRequest("GET", routes.Digest, "lan", lan, nil))
	json.Unmarshal([]byte(a.body), &own)
	if a.code != http.StatusOK || own.Own.Account != "lan" || own.Own.Email != "lan@phuong.example.vn" || !own.Own.On || own.Accounts != nil {
		t.Errorf("lan's GET: %d %s", a.code, a.body)
	}
	a = e.do(accountRequest("GET", routes.Digest, "minh", minh, nil))
	json.Unmarshal([]byte(a.body), &own)
	on := map[string]bool{}
	for _, x := range own.Accounts {
		on[x.Account] = x.On
	}
	if a.code != http.StatusOK || len(own.Accounts) != 3 || !on["lan"] || !on["hoa"] || on["minh"] {
		t.Errorf("minh's GET: %d %s", a.code, a.body)
	}
	// Turning it off keeps the address.
	if a := put("lan", "lan", lan, map[string]any{"email": "lan@phuong.example.vn", "on": false}); a.code != http.StatusOK {
		t.Fatalf("off: %d %s", a.code, a.body)
	}
	if d, err := e.store.DigestSetting(t.Context(), "lan"); err != nil || d.On || d.Email != "lan@phuong.example.vn" || d.By != "lan" {
		t.Errorf("after off: %+v, %v", d, err)
	}
	_, total, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "digest-setting"}, 0, 0)
	if err != nil || total != 10 {
		t.Errorf("digest-setting records: %d, %v; want 10 (every request that signed in)", total, err)
	}
	for _, k := range e.keys("loa/audit/") {
		if strings.Contains(e.object(k), "@") {
			t.Errorf("%s holds an address", k)
		}
	}
}

// "Gửi thử": the digest at once, to one's own address, or a clear answer
// why not; one audit record each.
func TestDigestNow(t *testing.T) {
	var asked []string
	fail := error(nil)
	e, _, _ := newStaffEnvWith(t, func(c *handler.Config) {
		c.DigestWhen = "lúc 7 giờ mỗi ngày"
		c.DigestNow = func(_ context.Context, account string) error { asked = append(asked, account); return fail }
	})
	lan := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	for _, tc := range []struct {
		err  error
		code int
	}{
		{nil, http.StatusOK},
		{digest.ErrNoAddress, http.StatusConflict},
		{digest.ErrNotAllowed, http.StatusForbidden},
		{errors.New("smtp 127.0.0.1:25: 451 <lan@phuong.example.vn>: try later"), http.StatusBadGateway},
	} {
		fail = tc.err
		a := e.do(accountRequest("POST", routes.DigestNow, "lan", lan, nil))
		if a.code != tc.code || strings.Contains(a.body, "@") {
			t.Errorf("%v: %d %s, want %d and no address", tc.err, a.code, a.body, tc.code)
		}
	}
	if len(asked) != 4 || asked[0] != "lan" {
		t.Errorf("asked for %v, want lan's four times", asked)
	}
	if a := e.do(accountRequest("GET", routes.DigestNow, "lan", lan, nil)); a.code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", a.code)
	}
	if _, total, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "digest-test"}, 0, 0); err != nil || total != 4 {
		t.Errorf("digest-test records: %d, %v; want 4", total, err)
	}
}

// "Gửi thử" sends mail each time (on AWS through SES, which counts every
// message against the account's quota and reputation): an account may
// ask a few times, then once in a while, and is told how long to wait; a
// try that sent nothing (no address saved) does not count, and another
// account is not held up.
func TestDigestNowLimited(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2023, 4, 15, 7, 0, 0, 0, time.UTC)
	sent := map[string]int{}
	e, _, _ := newStaffEnvWith(t, func(c *handler.Config) {
		c.DigestWhen = "lúc 7 giờ mỗi ngày"
		c.Stopwatch = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		c.DigestNow = func(_ context.Context, account string) error {
			if account == "hoa" {
				return digest.ErrNoAddress
			}
			sent[account]++
			return nil
		}
	})
	lan := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	minh := e.newAccount("minh", "Trần Văn Minh", store.RoleAnswer)
	hoa := e.newAccount("hoa", "Phạm Thị Hoa", store.RoleAnswer)
	try := func(id, secret string) answer {
		return e.do(accountRequest("POST", routes.DigestNow, id, secret, nil))
	}
	codes := []int{}
	for range 10 {
		codes = append(codes, try("lan", lan).code)
	}
	if sent["lan"] > 3 || codes[0] != http.StatusOK {
		t.Errorf("10 tries at once sent %d digests (answers %v), want at most 3", sent["lan"], codes)
	}
	a := try("lan", lan)
	if a.code != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" || !strings.Contains(a.json.Message, "phút") {
		t.Errorf("one more: %d %v %s, want 429 with Retry-After and a wait in minutes", a.code, a.header, a.body)
	}
	if a := try("minh", minh); a.code != http.StatusOK || sent["minh"] != 1 {
		t.Errorf("another account meanwhile: %d %s", a.code, a.body)
	}
	for range 5 {
		if a := try("hoa", hoa); a.code != http.StatusConflict {
			t.Errorf("no address saved: %d %s, want 409 each time", a.code, a.body)
		}
	}
	mu.Lock()
	now = now.Add(15 * time.Minute)
	mu.Unlock()
	if a := try("lan", lan); a.code != http.StatusOK {
		t.Errorf("a quarter of an hour later: %d %s", a.code, a.body)
	}
}

// An address typed with invisible characters (a zero-width space, a
// right-to-left override that shows it backwards on the staff page) is
// kept as the person meant it, cleaned by the forms' own rule for
// addresses: what the staff page shows is where the digest goes.
func TestDigestAddressCleaned(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	lan := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	for _, typed := range []string{"lan\u200b@phuong.example.vn", "l\u202ean@phuong.example.vn\u202c", "\ufefflan@Phuong.Example.VN "} {
		a := e.do(accountRequest("PUT", routes.Digest+"/lan", "lan", lan, map[string]any{"email": typed, "on": true}))
		if a.code != http.StatusOK {
			t.Errorf("%+q: %d %s", typed, a.code, a.body)
			continue
		}
		if d, err := e.store.DigestSetting(t.Context(), "lan"); err != nil || d.Email != "lan@phuong.example.vn" {
			t.Errorf("%+q is stored as %+q (%v), want lan@phuong.example.vn", typed, d.Email, err)
		}
	}
	for _, bad := range []string{"lan@phuong..example.vn", "lan@phuong", "lan\u200b@\u200b"} {
		if a := e.do(accountRequest("PUT", routes.Digest+"/lan", "lan", lan, map[string]any{"email": bad, "on": true})); a.code != http.StatusUnprocessableEntity {
			t.Errorf("%+q: %d %s, want 422", bad, a.code, a.body)
		}
	}
	// No address, kept or refused, reaches the log or the audit log.
	if strings.Contains(e.logs.String(), "@") {
		t.Errorf("the log holds an address:\n%s", e.logs.String())
	}
	for _, k := range e.keys("loa/audit/") {
		if strings.Contains(e.object(k), "@") {
			t.Errorf("%s holds an address", k)
		}
	}
}
