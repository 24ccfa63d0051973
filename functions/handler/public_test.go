package handler_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Past 1 MiB of published answers (16 answers of 10,000 "<", 6 bytes each
// in JSON, reached the old index's read limit), deletion on request, every
// save and /hoi-dap/ still work.
func TestPublicPastOneMiBOverHTTP(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	var ids []string
	for i := range 20 {
		v := question(100 + i)
		v.Set("cong_bo", "co")
		_, id := e.submitCode(v)
		ids = append(ids, id)
		a := e.do(answerRequest(id, map[string]any{"answer": strings.Repeat("<", 10000), "by": "Chị Lan", "status": "answered", "public": true, "base": 0}))
		if a.code != http.StatusOK {
			t.Fatalf("save %d: %d %s", i, a.code, a.body)
		}
	}
	_, never := e.submitCode(question(200))
	for _, id := range []string{never, ids[0]} {
		if a := e.do(staffRequest("DELETE", "/api/submissions/cau-hoi/"+id, staffSecret, "198.51.100.20:4000")); a.code != http.StatusOK {
			t.Fatalf("delete %s: %d %s", id, a.code, a.body)
		}
	}
	a := e.do(answerRequest(ids[1], map[string]any{"answer": "Đã sửa", "by": "Chị Lan", "status": "answered", "public": true, "base": 1}))
	if a.code != http.StatusOK {
		t.Fatalf("a save past 1 MiB: %d %s", a.code, a.body)
	}
	page := e.do(httptest.NewRequest("GET", "/hoi-dap/", nil))
	if page.code != http.StatusOK || strings.Count(page.body, `class="hoidap-item"`) != 19 || !strings.Contains(page.body, "Đã sửa") {
		t.Fatalf("/hoi-dap/: %d, %d items", page.code, strings.Count(page.body, `class="hoidap-item"`))
	}
}

// Staff may publish a question in their own words (a name or phone number
// the asker wrote taken out): /hoi-dap/ shows those words, the staff list
// shows both, and the asker's text stays in the row that the export reads.
func TestPublicWordingOverHTTP(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	v := question(7)
	v.Set("cong_bo", "co")
	v.Set("noi_dung", "Em là Trần Thị Bích, số 0987654321, hỏi về sân bóng của phường?")
	_, id := e.submitCode(v)
	a := e.do(answerRequest(id, map[string]any{"answer": "Sân mở cửa từ tháng 5.", "by": "Chị Lan", "status": "answered", "public": true, "base": 0,
		"question": "Hỏi về sân bóng của phường?"}))
	if a.code != http.StatusOK {
		t.Fatalf("save: %d %s", a.code, a.body)
	}
	page := e.do(httptest.NewRequest("GET", "/hoi-dap/", nil))
	if !strings.Contains(page.body, "Hỏi về sân bóng của phường?") || strings.Contains(page.body, "Trần Thị Bích") || strings.Contains(page.body, "0987654321") {
		t.Fatalf("/hoi-dap/ does not show the public wording alone:\n%s", page.body)
	}
	list := e.do(staffRequest("GET", "/api/questions", staffSecret, "198.51.100.20:4000"))
	if !strings.Contains(list.body, `"public_question":"Hỏi về sân bóng của phường?"`) || !strings.Contains(list.body, "Trần Thị Bích") {
		t.Errorf("staff list: %s", list.body)
	}
	found, err := e.store.FindByID(t.Context(), e.reg.Form("cau-hoi"), id)
	if err != nil || !strings.Contains(found.Record.Values["noi_dung"], "Trần Thị Bích") {
		t.Errorf("the asker's text in the row: %q %v", found.Record.Values["noi_dung"], err)
	}
	if a := e.do(answerRequest(id, map[string]any{"answer": "x", "by": "Chị Lan", "status": "answered", "public": true, "base": 1,
		"question": strings.Repeat("a", 4001)})); a.code != http.StatusUnprocessableEntity {
		t.Errorf("a public wording of 4,001 characters: %d", a.code)
	}
}
