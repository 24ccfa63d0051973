package handler_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"loa/functions/paperwork"
)

func checkinRequest(body string) *http.Request {
	r := httptest.NewRequest("POST", "/api/checkin", strings.NewReader(body))
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Loa-Staff", staffSecret)
	r.RemoteAddr = "198.51.100.22:4000"
	return r
}

type attendanceJSON struct {
	Expected, Invited, Present int
	Groups                     []struct {
		Name           string
		Present, Total int
	}
	People []struct {
		Name, Group, Code string
		Present           bool
		WalkIn            bool `json:"walk_in"`
	}
}

func (e *env) attendance() attendanceJSON {
	e.t.Helper()
	a := e.do(staffRequest("GET", "/api/attendance", staffSecret, "198.51.100.22:4000"))
	if a.code != 200 {
		e.t.Fatalf("attendance: %d %s", a.code, a.body)
	}
	var at attendanceJSON
	json.Unmarshal([]byte(a.body), &at)
	return at
}

// A registered delegate's invitation carries their name and a QR code of
// their check-in code, which is not their receipt code; checking in by it
// marks them present once, a second time is refused politely, two at once
// count once, a resend of the first is told it was first, and a walk-in
// is counted.
func TestInvitationsAndCheckin(t *testing.T) {
	e, names, _ := newStaffEnv(t)
	v := delegate(1)
	if a := e.do(postJSON("dai-bieu", v)); a.code != 200 {
		t.Fatalf("register: %d %s", a.code, a.body)
	}
	var sent struct{ Code string }
	json.Unmarshal([]byte(e.do(postJSON("dai-bieu", v)).body), &sent)
	receipt := sent.Code
	at := e.attendance()
	if at.Invited != 2 || at.Present != 0 || at.Expected != 60 {
		t.Fatalf("attendance before: %+v", at)
	}
	code := ""
	for _, p := range at.People {
		if p.Name == v.Get("ho_ten") {
			code = p.Code
		}
	}
	if !strings.HasPrefix(code, "MV-") || strings.Contains(receipt, code[3:]) {
		t.Fatalf("check-in code %q (receipt %q)", code, receipt)
	}

	a := e.do(staffRequest("GET", "/api/invitations", staffSecret, "198.51.100.22:4000"))
	var link struct{ URL, File string }
	json.Unmarshal([]byte(a.body), &link)
	if a.code != 200 || !strings.HasPrefix(link.File, "giay-moi-") {
		t.Fatalf("invitations: %d %s", a.code, a.body)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	doc, qr := "", false
	want, _ := paperwork.QR(code)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "word/document.xml" {
			doc = string(data)
		}
		qr = qr || bytes.Equal(data, want)
	}
	if !strings.Contains(doc, v.Get("ho_ten")) || !strings.Contains(doc, names[1]) || !strings.Contains(doc, code) || !qr {
		t.Errorf("the invitations lack the delegate's name, code or QR code (qr %v)", qr)
	}
	if strings.Contains(doc, v.Get("dien_thoai")) {
		t.Error("an invitation holds a phone number")
	}

	// Two phones at once: one first, one refused.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() {
			codes[i] = e.do(checkinRequest(`{"code":"` + strings.ToLower(code) + `","try":"t` + string(rune('0'+i)) + `"}`)).code
		})
	}
	wg.Wait()
	if !(codes[0] == 200 && codes[1] == 409 || codes[0] == 409 && codes[1] == 200) {
		t.Errorf("two check-ins at once: %v, want one 200 and one 409", codes)
	}
	a = e.do(checkinRequest(`{"code":"` + code + `","try":"t9"}`))
	if a.code != 409 || !strings.Contains(a.body, "đã điểm danh lúc") {
		t.Errorf("a second check-in: %d %s", a.code, a.body)
	}
	first := "t0"
	if codes[1] == 200 {
		first = "t1"
	}
	if a := e.do(checkinRequest(`{"code":"` + code + `","try":"` + first + `"}`)); a.code != 200 {
		t.Errorf("a resend of the first check-in: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"code":"MV-2222-2222"}`)); a.code != 404 {
		t.Errorf("an unknown code: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"name":"Khách Vãng Lai","group":"Chi đoàn Tổ dân phố 4"}`)); a.code != 200 {
		t.Errorf("a walk-in: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"name":"khách vãng lai","group":"Chi đoàn Tổ dân phố 4"}`)); a.code != 409 {
		t.Errorf("the same walk-in again: %d %s", a.code, a.body)
	}
	at = e.attendance()
	if at.Present != 2 || len(at.People) != 3 {
		t.Errorf("attendance after: %+v", at)
	}
	for _, g := range at.Groups {
		if g.Name == v.Get("chi_doan") && (g.Present != 1 || g.Total != 2) {
			t.Errorf("group %s: %d/%d, want 1/2", g.Name, g.Present, g.Total)
		}
	}
	if strings.Contains(e.logs.String(), v.Get("ho_ten")) || strings.Contains(e.logs.String(), "Vãng Lai") || strings.Contains(e.logs.String(), code) {
		t.Error("the log holds a name or a check-in code")
	}
}
