package handler_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"loa/functions/routes"
	"loa/functions/store"
)

// accountRequest is a staff request signed in as account id.
func accountRequest(method, path, id, secret string, body any) *http.Request {
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	r := httptest.NewRequest(method, path, bytes.NewReader(b))
	r.Header.Set("Accept", "application/json")
	r.Header.Set(routes.StaffHeader, secret)
	if id != "" {
		r.Header.Set(routes.AccountHeader, id)
	}
	r.RemoteAddr = "198.51.100.7:5000"
	return r
}

// newAccount makes an account through the staff route, signed in with the
// shared secret, and returns its secret.
func (e *env) newAccount(id, name, role string) string {
	e.t.Helper()
	a := e.do(accountRequest("POST", routes.Accounts, "", staffSecret, map[string]string{"id": id, "name": name, "role": role}))
	if a.code != http.StatusCreated {
		e.t.Fatalf("create account %s: %d %s", id, a.code, a.body)
	}
	var made struct{ Secret string }
	json.Unmarshal([]byte(a.body), &made)
	if made.Secret == "" {
		e.t.Fatalf("create account %s: no secret in %s", id, a.body)
	}
	return made.Secret
}

func TestAccountRoles(t *testing.T) {
	e, _, ids := newStaffEnv(t)
	secret := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	for _, rt := range []staffRoute{
		{"GET", "/api/export/cau-hoi?format=csv"},
		{"DELETE", "/api/submissions/cau-hoi/" + ids["cau-hoi"]},
		{"GET", "/api/compile/cau-hoi"},
		{"GET", "/api/invitations"},
		{"POST", routes.Accounts},
		{"GET", routes.AuditCSV},
		{"GET", routes.Guests},
		{"POST", routes.Guests},
		{"DELETE", routes.Guests + "/0123456789ab"},
		{"GET", routes.AttendanceCSV},
	} {
		if a := e.do(accountRequest(rt.method, rt.path, "lan", secret, nil)); a.code != http.StatusForbidden {
			t.Errorf("%s %s as a “trả lời”: %d, want 403", rt.method, rt.path, a.code)
		}
	}
	if k := e.keys("loa/submissions/cau-hoi/"); len(k) != 1 {
		t.Errorf("the question was deleted by a “trả lời”: %q", k)
	}
	for _, path := range []string{"/api/stats", "/api/questions", "/api/attendance", routes.SignIn, routes.Audit} {
		if a := e.do(accountRequest("GET", path, "lan", secret, nil)); a.code != http.StatusOK {
			t.Errorf("GET %s as a “trả lời”: %d %s", path, a.code, a.body)
		}
	}
	a := e.do(accountRequest("GET", routes.SignIn, "lan", secret, nil))
	if !strings.Contains(a.body, `"name":"Nguyễn Thị Lan"`) || !strings.Contains(a.body, `"role":"tra-loi"`) {
		t.Errorf("sign-in: %s", a.body)
	}
	// A manager account may.
	boss := e.newAccount("minh", "Trần Văn Minh", store.RoleManager)
	if a := e.do(accountRequest("GET", "/api/export/cau-hoi?format=csv", "minh", boss, nil)); a.code != http.StatusOK {
		t.Errorf("export as a “quản lý”: %d %s", a.code, a.body)
	}
	// Another account's secret is not this one's.
	if a := e.do(accountRequest("GET", "/api/stats", "minh", secret, nil)); a.code != http.StatusUnauthorized {
		t.Errorf("minh with lan's secret: %d, want 401", a.code)
	}
}

func TestAccountRemovedAtOnce(t *testing.T) {
	e, _, ids := newStaffEnv(t)
	secret := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	if a := e.do(accountRequest("GET", "/api/stats", "lan", secret, nil)); a.code != http.StatusOK {
		t.Fatalf("before removal: %d", a.code)
	}
	if a := e.do(accountRequest("DELETE", routes.Accounts+"/lan", "", staffSecret, nil)); a.code != http.StatusOK {
		t.Fatalf("remove: %d %s", a.code, a.body)
	}
	for i, rt := range staffRoutes(ids) {
		r := accountRequest(rt.method, rt.path, "lan", secret, map[string]any{"email": "lan@phuong.example.vn", "on": true})
		r.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", i+1) // about 401, not the rate limit
		if a := e.do(r); a.code != http.StatusUnauthorized {
			t.Errorf("%s %s after removal: %d, want 401", rt.method, rt.path, a.code)
		}
	}
	if k := e.keys("loa/digest/"); len(k) != 0 {
		t.Errorf("a removed account saved a digest address: %q", k)
	}
}

// Two accounts answer one question at once: the existing conflict
// handling, and each text keeps its account's name, never a typed one.
func TestAccountsAnswerConflict(t *testing.T) {
	e, _, ids := newStaffEnv(t)
	id := ids["cau-hoi"]
	who := map[string]string{"lan": "Nguyễn Thị Lan", "minh": "Trần Văn Minh"}
	secrets := map[string]string{}
	for acc, name := range who {
		secrets[acc] = e.newAccount(acc, name, store.RoleAnswer)
	}
	codes := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for acc := range who {
		wg.Go(func() {
			a := e.do(accountRequest("PUT", "/api/answers/cau-hoi/"+id, acc, secrets[acc],
				map[string]any{"answer": "Trả lời của " + acc, "by": "Tên gõ tay", "status": "answered", "base": 0}))
			mu.Lock()
			codes[acc] = a.code
			mu.Unlock()
		})
	}
	wg.Wait()
	if n := codes["lan"] + codes["minh"]; n != 200+409 {
		t.Fatalf("answers %v, want one 200 and one 409", codes)
	}
	f := e.reg.Form("cau-hoi")
	found, err := e.store.FindByID(t.Context(), f, id)
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := e.store.LatestAnswer(t.Context(), f.ID, found.Hash)
	kept, _ := e.store.Conflicts(t.Context(), f.ID, found.Hash)
	names := map[string]bool{latest.By: true}
	for _, k := range kept {
		names[k.By] = true
	}
	if !names[who["lan"]] || !names[who["minh"]] || names["Tên gõ tay"] {
		t.Errorf("answerers kept: %v, want both accounts' names", names)
	}
}

// Every staff action is one audit record, with who, what, the id and the
// address, and nothing of the submission.
func TestAuditOneRecordPerAction(t *testing.T) {
	e, names, ids := newStaffEnv(t)
	secret := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleManager)
	before := len(e.keys("loa/audit/"))
	if before != 1 {
		t.Fatalf("%d records after making one account, want 1", before)
	}
	routes := append(staffRoutes(ids),
		staffRoute{"GET", routes.SignIn}, staffRoute{"GET", routes.Accounts}, staffRoute{"GET", routes.Audit},
		staffRoute{"GET", routes.AuditCSV}, staffRoute{"DELETE", routes.Accounts + "/khong-co"})
	for i, rt := range routes {
		var body any
		if rt.method == "PUT" || rt.method == "POST" {
			body = map[string]any{"answer": "Đã trả lời", "status": "answered", "base": 0}
		}
		a := e.do(accountRequest(rt.method, rt.path, "lan", secret, body))
		keys := e.keys("loa/audit/")
		if len(keys) != before+i+1 {
			t.Fatalf("%s %s (%d): %d records, want %d", rt.method, rt.path, a.code, len(keys), before+i+1)
		}
	}
	recs, total, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "delete"}, 0, 0)
	if err != nil || total != 2 {
		t.Fatalf("delete records: %d, %v", total, err)
	}
	for _, r := range recs {
		if r.Who != "lan" || r.Name != "Nguyễn Thị Lan" || r.ID == "" || r.Client != "198.51.100.7" || r.At.IsZero() {
			t.Errorf("delete record %+v", r)
		}
	}
	for _, k := range e.keys("loa/audit/") {
		body := e.object(k)
		for _, bad := range append(names, "0912345678", "Câu hỏi riêng", secret, staffSecret) {
			if strings.Contains(body, bad) {
				t.Errorf("%s holds %q", k, bad)
			}
		}
	}
	// Refused requests are no action: nothing written.
	n := len(e.keys("loa/audit/"))
	e.do(accountRequest("GET", "/api/stats", "lan", "sai-ma-quan-tri", nil))
	if got := len(e.keys("loa/audit/")); got != n {
		t.Errorf("a wrong secret wrote %d records", got-n)
	}
}
