package handler_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"

	"loa/functions/paperwork"
	"loa/functions/routes"
	"loa/functions/store"
)

type guestJSON struct {
	ID, Name, Role, Unit, Code string
	Present                    bool
}

func (e *env) guests() []guestJSON {
	e.t.Helper()
	a := e.do(accountRequest("GET", routes.Guests, "", staffSecret, nil))
	if a.code != 200 {
		e.t.Fatalf("guests: %d %s", a.code, a.body)
	}
	var ans struct{ Guests []guestJSON }
	json.Unmarshal([]byte(a.body), &ans)
	return ans.Guests
}

// A "quản lý" adds guests by name and role: each has a check-in code and
// an invitation among the delegates', is counted in "Khách mời", checks
// in by the code, is in the attendance CSV, and cannot be removed once
// they came; another is removed. Every one of these is an audit record
// that names the guest's id, never their name.
func TestGuests(t *testing.T) {
	e, names, _ := newStaffEnv(t)
	add := func(body any) answer {
		t.Helper()
		return e.do(accountRequest("POST", routes.Guests, "", staffSecret, body))
	}
	guest := map[string]string{"name": "Phạm Khách Quý", "role": "Phó Chủ tịch UBND phường", "unit": "UBND phường Bạch Sam"}
	a := add(guest)
	if a.code != http.StatusCreated || !strings.Contains(a.body, "MV-") {
		t.Fatalf("add a guest: %d %s", a.code, a.body)
	}
	// A double click: the same guest, told so, with the same code.
	again := add(map[string]string{"name": " phạm khách  quý", "role": "Phó Chủ tịch UBND phường", "unit": "UBND phường Bạch Sam"})
	if again.code != http.StatusOK || !strings.Contains(again.body, "đã có trong danh sách") {
		t.Errorf("the same guest again: %d %s", again.code, again.body)
	}
	if a := add(map[string]string{"name": "Không Chức Vụ"}); a.code != http.StatusUnprocessableEntity || !strings.Contains(a.body, "chức vụ") {
		t.Errorf("a guest without a role: %d %s", a.code, a.body)
	}
	if a := add(map[string]string{"name": strings.Repeat("Dài ", 30), "role": "Khách"}); a.code != http.StatusUnprocessableEntity {
		t.Errorf("a name of 120 characters: %d %s", a.code, a.body)
	}
	if a := e.do(accountRequest("POST", routes.Guests, "", staffSecret, "không phải JSON")); a.code != http.StatusBadRequest {
		t.Errorf("a malformed body: %d %s", a.code, a.body)
	}
	if a := add(map[string]string{"name": "Đỗ Sẽ Xóa", "role": "Cán bộ Văn phòng"}); a.code != http.StatusCreated {
		t.Fatalf("a second guest: %d %s", a.code, a.body)
	}
	// Added in one instant (the test's clock stands still): by name.
	list := e.guests()
	if len(list) != 2 || list[1].Name != guest["name"] || list[1].Unit != guest["unit"] || list[0].Name != "Đỗ Sẽ Xóa" || list[0].Code == list[1].Code {
		t.Fatalf("guests: %+v", list)
	}
	g, other := list[1], list[0]

	at := e.attendance()
	if at.Invited != 3 || at.Present != 0 || len(at.People) != 3 || at.People[1].Name != g.Name || at.People[2].Name != names[1] {
		t.Fatalf("attendance with two guests and one delegate: %+v", at)
	}
	if i := slices.IndexFunc(at.Groups, func(gr struct {
		Name           string
		Present, Total int
	}) bool {
		return gr.Name == "Khách mời"
	}); i < 0 || at.Groups[i].Total != 2 {
		t.Errorf("the counts have no row Khách mời of 2: %+v", at.Groups)
	}

	// The invitations: the guests first, each with their role, unit and
	// the QR code of their check-in code.
	a = e.do(staffRequest("GET", routes.Invitations, staffSecret, "198.51.100.22:4000"))
	var link struct{ URL string }
	json.Unmarshal([]byte(a.body), &link)
	if a.code != 200 {
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
	want, _ := paperwork.QR(g.Code)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "word/document.xml" {
			doc = string(data)
		}
		qr = qr || bytes.Equal(data, want)
	}
	if !qr || strings.Count(doc, "<w:sectPr") != 3 {
		t.Errorf("the invitations: QR of the guest's code %v, %d pages, want 3", qr, strings.Count(doc, "<w:sectPr"))
	}
	for _, s := range []string{g.Name, g.Role + " – " + g.Unit, g.Code, names[1]} {
		if !strings.Contains(doc, s) {
			t.Errorf("the invitations lack %q", s)
		}
	}
	if strings.Index(doc, g.Name) > strings.Index(doc, names[1]) {
		t.Error("the guests' invitations do not come first")
	}

	// The same as a PDF: the guest's page, read back by pdftotext.
	a = e.do(staffRequest("GET", routes.Invitations+"?dang=pdf", staffSecret, "198.51.100.22:4000"))
	var pdfLink struct{ URL, File string }
	json.Unmarshal([]byte(a.body), &pdfLink)
	if a.code != 200 || !strings.HasSuffix(pdfLink.File, ".pdf") {
		t.Fatalf("invitations as a PDF: %d %s", a.code, a.body)
	}
	res, err = http.Get(pdfLink.URL)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the PDF link gives %s %.20q", res.Header.Get("Content-Type"), pdf)
	}
	if !testing.Short() {
		text := pdfText(t, pdf)
		for _, s := range []string{g.Name, g.Code, names[1]} {
			if !strings.Contains(text, s) {
				t.Errorf("the PDF lacks %q", s)
			}
		}
	}
	if a := e.do(staffRequest("GET", routes.Invitations+"?dang=odt", staffSecret, "198.51.100.22:4000")); a.code != http.StatusBadRequest {
		t.Errorf("invitations as .odt: %d %s", a.code, a.body)
	}

	// At the door.
	if a := e.do(checkinRequest(`{"code":"` + strings.ToLower(g.Code) + `"}`)); a.code != 200 || !strings.Contains(a.body, g.Name) {
		t.Fatalf("the guest checks in: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"code":"` + g.Code + `"}`)); a.code != 409 {
		t.Errorf("the guest checks in again: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"name":"Người Vãng Lai","group":"Chi đoàn Tổ dân phố 9"}`)); a.code != 200 {
		t.Errorf("a walk-in: %d %s", a.code, a.body)
	}
	at = e.attendance()
	if at.Present != 2 {
		t.Errorf("attendance: %d present, want the guest and the walk-in", at.Present)
	}
	for _, gr := range at.Groups {
		if gr.Name == "Khách mời" && (gr.Present != 1 || gr.Total != 2) {
			t.Errorf("Khách mời: %d/%d, want 1/2", gr.Present, gr.Total)
		}
	}
	if list := e.guests(); !list[1].Present || list[0].Present {
		t.Errorf("guests after the check-in: %+v", list)
	}

	// The attendance for Excel.
	a = e.do(accountRequest("GET", routes.AttendanceCSV, "", staffSecret, nil))
	if a.code != 200 || !strings.HasPrefix(a.body, "\ufeff") || !strings.Contains(a.header.Get("Content-Disposition"), "diem-danh-") {
		t.Fatalf("attendance CSV: %d %v %.80q", a.code, a.header, a.body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 1+4 {
		t.Fatalf("attendance CSV: %d rows, %v, want a header and 4:\n%s", len(rows), err, a.body)
	}
	got := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[0]] = r
	}
	if r := got[g.Name]; r == nil || r[1] != g.Role || r[2] != g.Unit || r[3] != "Khách mời" || r[4] != g.Code || r[5] != "Đã đến" || r[6] == "" {
		t.Errorf("the guest's row: %q", r)
	}
	if r := got["Đỗ Sẽ Xóa"]; r == nil || r[5] != "Chưa đến" || r[6] != "" {
		t.Errorf("the absent guest's row: %q", r)
	}
	if r := got[names[1]]; r == nil || r[3] != "Đại biểu" || !strings.HasPrefix(r[4], "MV-") {
		t.Errorf("the delegate's row: %q", r)
	}
	if r := got["Người Vãng Lai"]; r == nil || r[3] != "Không có giấy mời" || r[5] != "Đã đến" {
		t.Errorf("the walk-in's row: %q", r)
	}
	if strings.Contains(a.body, "0987654321") {
		t.Error("the attendance holds a phone number")
	}

	// Removing: not one who came; the other, once.
	if a := e.do(accountRequest("DELETE", routes.Guests+"/"+g.ID, "", staffSecret, nil)); a.code != http.StatusConflict {
		t.Errorf("removing a guest who came: %d %s", a.code, a.body)
	}
	if a := e.do(accountRequest("DELETE", routes.Guests+"/"+other.ID, "", staffSecret, nil)); a.code != 200 {
		t.Errorf("removing a guest: %d %s", a.code, a.body)
	}
	if a := e.do(accountRequest("DELETE", routes.Guests+"/"+other.ID, "", staffSecret, nil)); a.code != 404 {
		t.Errorf("removing a removed guest: %d %s", a.code, a.body)
	}
	if a := e.do(checkinRequest(`{"code":"` + other.Code + `"}`)); a.code != 404 {
		t.Errorf("the removed guest's code at the door: %d %s", a.code, a.body)
	}
	if list := e.guests(); len(list) != 1 {
		t.Errorf("%d guests after one was removed, want 1", len(list))
	}

	// The log: each action, with the guest's id and no name.
	recs, _, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "guest-add"}, 0, 0)
	if err != nil || len(recs) != 6 {
		t.Fatalf("%d guest-add records, %v; want 6 (every request, refused too)", len(recs), err)
	}
	removed, _, _ := e.store.AuditLog(t.Context(), store.AuditFilter{Action: "guest-remove"}, 0, 0)
	ids := map[string]int{}
	for _, r := range removed {
		ids[r.ID+" "+r.Outcome]++
	}
	if ids[g.ID+" checked-in"] != 1 || ids[other.ID+" deleted"] != 1 || ids[other.ID+" not-found"] != 1 {
		t.Errorf("guest-remove records: %v", ids)
	}
	for _, k := range e.keys("loa/audit/") {
		for _, bad := range []string{g.Name, "Đỗ Sẽ Xóa", g.Unit} {
			if strings.Contains(e.object(k), bad) {
				t.Errorf("%s holds %q", k, bad)
			}
		}
	}
	for _, bad := range []string{g.Name, "Đỗ Sẽ Xóa", "Vãng Lai", g.Code} {
		if strings.Contains(e.logs.String(), bad) {
			t.Errorf("the log holds %q", bad)
		}
	}
}

// pdfText is the words of a PDF as poppler's pdftotext reads them.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is missing: install Debian's poppler-utils package (make tools)")
	}
	file := filepath.Join(t.TempDir(), "giay-moi.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
}

// One person's name written with characters the PDF's type has no room
// for (an emoji a resident typed in the delegate form, a guest's role in
// "bold" mathematical letters pasted from a social network) does not cost
// everyone their invitations: the PDF is made, with those characters
// written as their plain letters or left out, and the rest of each line
// kept.
func TestInvitationsPDFOddCharacters(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	v := delegate(1)
	v.Set("ho_ten", "Lò Thị Hoa 🌸")
	v.Set("email", "lo.thi.hoa@gmail.com")
	if a := e.do(postJSON("dai-bieu", v)); a.code != 200 {
		t.Fatalf("register: %d %s", a.code, a.body)
	}
	guest := map[string]string{"name": "Phạm Khách Quý", "role": "Chủ nhiệm CLB 𝐓𝐡𝐚𝐧𝐡 𝐧𝐢𝐞̂𝐧 🚀", "unit": "UBND phường Bạch Sam"}
	if a := e.do(accountRequest("POST", routes.Guests, "", staffSecret, guest)); a.code != http.StatusCreated {
		t.Fatalf("add a guest: %d %s", a.code, a.body)
	}
	a := e.do(staffRequest("GET", routes.Invitations+"?dang=pdf", staffSecret, "198.51.100.22:4000"))
	if a.code != http.StatusOK {
		t.Fatalf("invitations as a PDF with an emoji in a name: %d %s", a.code, a.body)
	}
	var link struct{ URL string }
	json.Unmarshal([]byte(a.body), &link)
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the link gives %.20q", pdf)
	}
	if testing.Short() {
		return
	}
	text := pdfText(t, pdf)
	for _, s := range []string{"Lò Thị Hoa", "Chủ nhiệm CLB Thanh niên – UBND phường Bạch Sam", "Phạm Khách Quý", "Vũ Đức Riêng Tư"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q:\n%s", s, text)
		}
	}
	// Names, roles and units only: never a phone or an email.
	for _, s := range []string{v.Get("dien_thoai"), "0987654321", "@gmail", "lo.thi.hoa"} {
		if strings.Contains(text, s) || bytes.Contains(pdf, []byte(s)) {
			t.Errorf("the PDF holds %q", s)
		}
	}
}

// Names typed at the office or at the door are cleaned as the forms clean
// theirs: a zero-width space, a right-to-left override, a control
// character, a name in NFD or with doubled spaces is the same person,
// never a second guest with a second code or a walk-in counted twice, and
// nothing invisible is stored to turn a printed name around.
func TestGuestsAndWalkInsOddUnicode(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	add := func(name string) answer {
		t.Helper()
		return e.do(accountRequest("POST", routes.Guests, "", staffSecret,
			map[string]string{"name": name, "role": "Phó Chủ tịch UBND phường", "unit": "UBND phường Bạch Sam"}))
	}
	if a := add("Phạm Khách Quý"); a.code != http.StatusCreated {
		t.Fatalf("add a guest: %d %s", a.code, a.body)
	}
	for _, same := range []string{"Phạm\u200b Khách Quý", "Phạm Khách\u200d Quý\u202c", "\u202ePhạm Khách Quý", "Phạm\tKhách\x07 Quý",
		norm.NFD.String("Phạm Khách Quý"), "Phạm\u00a0 Khách  Quý"} {
		if a := add(same); a.code != http.StatusOK || !strings.Contains(a.body, "đã có trong danh sách") {
			t.Errorf("%+q: %d %s, want the guest already there", same, a.code, a.body)
		}
	}
	if a := add("\u202eýuQ hcáhK mạhP\u202c Lê"); a.code != http.StatusCreated {
		t.Fatalf("another guest: %d %s", a.code, a.body)
	}
	list := e.guests()
	if len(list) != 2 {
		t.Fatalf("%d guests, want 2: %+v", len(list), list)
	}
	for _, g := range list {
		if strings.ContainsFunc(g.Name, func(r rune) bool { return r == '\u202e' || r == '\u202c' || r == '\u200b' || r < ' ' }) {
			t.Errorf("a guest's name is stored with an invisible character: %+q", g.Name)
		}
	}

	walkIn := func(name, group string) answer {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"name": name, "group": group})
		return e.do(checkinRequest(string(b)))
	}
	if a := walkIn("Lê Văn Tâm", "Chi đoàn Tổ dân phố 9"); a.code != http.StatusOK {
		t.Fatalf("a walk-in: %d %s", a.code, a.body)
	}
	for _, same := range [][2]string{{"Lê  Văn Tâm", "Chi đoàn Tổ dân phố 9"}, {"Lê Văn\u200b Tâm", "Chi đoàn  Tổ dân phố 9"},
		{"Lê Văn Tâm\x00", "Chi đoàn Tổ dân phố 9\u202c"}} {
		if a := walkIn(same[0], same[1]); a.code != http.StatusConflict {
			t.Errorf("the same walk-in as %+q: %d %s, want 409", same, a.code, a.body)
		}
	}
	at := e.attendance()
	walkIns := 0
	for _, p := range at.People {
		if p.WalkIn {
			walkIns++
			if p.Name != "Lê Văn Tâm" || p.Group != "Chi đoàn Tổ dân phố 9" {
				t.Errorf("the walk-in is stored as %+q, %+q", p.Name, p.Group)
			}
		}
	}
	if walkIns != 1 || at.Present != 1 {
		t.Errorf("%d walk-ins, %d present, want 1 and 1", walkIns, at.Present)
	}
}

// The attendance CSV opens in Excel: a name, a role, a unit or a walk-in's
// chi đoàn that starts like a formula is written as text, as in the forms'
// exports.
func TestAttendanceCSVNoFormulas(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	payloads := map[string]string{"name": `=HYPERLINK("http://example.com/x","Bấm")`, "role": "+84 cán bộ", "unit": "@SUM(A1:A9)"}
	if a := e.do(accountRequest("POST", routes.Guests, "", staffSecret, payloads)); a.code != http.StatusCreated {
		t.Fatalf("add a guest: %d %s", a.code, a.body)
	}
	b, _ := json.Marshal(map[string]string{"name": "-2+3+cmd|' /C calc'!A0", "group": "=1+2"})
	if a := e.do(checkinRequest(string(b))); a.code != http.StatusOK {
		t.Fatalf("a walk-in: %d %s", a.code, a.body)
	}
	a := e.do(accountRequest("GET", routes.AttendanceCSV, "", staffSecret, nil))
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(a.body, "\ufeff"))).ReadAll()
	if a.code != 200 || err != nil {
		t.Fatalf("attendance CSV: %d %v", a.code, err)
	}
	cells := 0
	for _, r := range rows[1:] {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r\n", rune(c[0])) {
				t.Errorf("a cell Excel would run: %q in %q", c, r)
			}
			if strings.HasPrefix(c, "'") {
				cells++
			}
		}
	}
	if cells != 5 {
		t.Errorf("%d cells neutralised, want 5:\n%s", cells, a.body)
	}
}

// Guests are bounded: past store.MaxGuests a new guest is refused with a
// clear message (the invitations of so many would not be made in the
// function's time), and one already invited is still told so.
func TestGuestsBounded(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	for i := range store.MaxGuests {
		if _, created, err := e.store.AddGuest(t.Context(), store.Guest{Name: fmt.Sprintf("Khách %d", i), Role: "Đại diện"}); err != nil || !created {
			t.Fatalf("guest %d: %v, %v", i, created, err)
		}
	}
	before := len(e.keys("loa/guests/"))
	a := e.do(accountRequest("POST", routes.Guests, "", staffSecret, map[string]string{"name": "Một Khách Nữa", "role": "Đại diện"}))
	if a.code != http.StatusConflict || !strings.Contains(a.json.Message, fmt.Sprint(store.MaxGuests)) {
		t.Errorf("one guest too many: %d %s, want 409 saying the most", a.code, a.body)
	}
	if after := len(e.keys("loa/guests/")); after != before {
		t.Errorf("%d guests, then %d", before, after)
	}
	if a := e.do(accountRequest("POST", routes.Guests, "", staffSecret, map[string]string{"name": "Khách 7", "role": "Đại diện"})); a.code != http.StatusOK {
		t.Errorf("a guest already there, when full: %d %s", a.code, a.body)
	}
}

// Two staff add the same guest at the same instant (or one person's
// double click): one guest, one check-in code, and both are told so.
func TestGuestAddedTwiceAtOnce(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() {
			r := accountRequest("POST", routes.Guests, "", staffSecret, map[string]string{"name": "Phạm Khách Quý", "role": "Phó Chủ tịch UBND phường"})
			r.RemoteAddr = fmt.Sprintf("198.51.100.%d:5000", 10+i) // two offices: not the burst limit of one address
			codes[i] = e.do(r).code
		})
	}
	wg.Wait()
	created := 0
	for _, c := range codes {
		switch c {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("answers %v: want 201 once and 200 else", codes)
		}
	}
	if created != 1 || len(e.keys("loa/guests/")) != 1 {
		t.Errorf("answers %v, %d guests stored; want one created", codes, len(e.keys("loa/guests/")))
	}
}
