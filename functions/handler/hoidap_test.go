package handler_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/routes"
	"loa/functions/store"
)

var codePattern = regexp.MustCompile(`CH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

// submitCode sends a question as the form script does and returns its
// receipt code and id.
func (e *env) submitCode(v url.Values) (code, id string) {
	e.t.Helper()
	a := e.do(postJSON("cau-hoi", v))
	var ans struct{ Code, ID, Keep string }
	if err := json.Unmarshal([]byte(a.body), &ans); err != nil || a.code != http.StatusOK || !codePattern.MatchString(ans.Code) || ans.Keep != handler.KeepCode {
		e.t.Fatalf("submit: %d %s", a.code, a.body)
	}
	return ans.Code, ans.ID
}

func lookupRequest(code, contact, addr string, asJSON bool) *http.Request {
	r := httptest.NewRequest("POST", "/api/tra-cuu", strings.NewReader(url.Values{"ma": {code}, "so": {contact}}.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if asJSON {
		r.Header.Set("Accept", "application/json")
	}
	r.RemoteAddr = addr
	return r
}

type lookupJSON struct {
	OK         bool       `json:"ok"`
	Code       string     `json:"code"`
	Status     string     `json:"status"`
	StatusText string     `json:"status_text"`
	Answer     string     `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
}

func (e *env) lookup(code, contact string) (int, lookupJSON) {
	e.t.Helper()
	a := e.do(lookupRequest(code, contact, "203.0.113.50:1000", true))
	var l lookupJSON
	json.Unmarshal([]byte(a.body), &l)
	return a.code, l
}

func answerRequest(id string, body map[string]any) *http.Request {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest("PUT", "/api/answers/cau-hoi/"+id, bytes.NewReader(b))
	r.Header.Set("Accept", "application/json")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(routes.StaffHeader, staffSecret)
	r.RemoteAddr = "198.51.100.20:4000"
	return r
}

// The whole path: a code, its lookup (received), an answer, published
// only with the asker's consent, and the lookup showing the answer.
func TestLookupAnswerPublish(t *testing.T) {
	e, names, _ := newStaffEnv(t)
	withConsent := question(7)
	withConsent.Set("cong_bo", "co")
	code, id := e.submitCode(withConsent)
	without := question(8)
	codeNo, idNo := e.submitCode(without)

	// The publishing consent is stored with its notice's version.
	f := e.reg.Form("cau-hoi")
	found, err := e.store.FindByID(t.Context(), f, id)
	if err != nil || found.Record.Values["cong_bo"] != f.PublishConsent.Version || f.PublishConsent.Version == "" {
		t.Fatalf("consent to publish stored as %q, want %q (%v)", found.Record.Values["cong_bo"], f.PublishConsent.Version, err)
	}
	if other, _ := e.store.FindByID(t.Context(), f, idNo); other.Record.Values["cong_bo"] != "" {
		t.Errorf("no consent stored as %q", other.Record.Values["cong_bo"])
	}

	if st, l := e.lookup(code, "5678"); st != 200 || l.Status != store.StatusReceived || l.StatusText != "Đã nhận" || l.Answer != "" {
		t.Fatalf("lookup before an answer: %d %+v", st, l)
	}
	// Lowercase, without dashes, with the email instead: no email was given, so not found.
	if st, _ := e.lookup(strings.ToLower(strings.ReplaceAll(code, "-", "")), "5678"); st != 200 {
		t.Errorf("lookup of the code as typed loosely: %d", st)
	}

	for _, tc := range []struct {
		id   string
		text string
	}{{id, "Phường mở lớp kỹ năng số vào tháng 5."}, {idNo, "Câu trả lời riêng cho người không đồng ý."}} {
		a := e.do(answerRequest(tc.id, map[string]any{"answer": tc.text, "by": "Chị Lan", "status": "answered", "public": true, "base": 0}))
		if a.code != 200 {
			t.Fatalf("answer %s: %d %s", tc.id, a.code, a.body)
		}
	}
	if st, l := e.lookup(code, "5678"); st != 200 || l.Status != store.StatusAnswered || l.Answer != "Phường mở lớp kỹ năng số vào tháng 5." || l.AnsweredAt == nil {
		t.Fatalf("lookup after the answer: %d %+v", st, l)
	}
	if st, l := e.lookup(codeNo, "5678"); st != 200 || l.StatusText != "Đã trả lời" {
		t.Errorf("lookup of the other: %d %+v", st, l)
	}

	page := e.do(httptest.NewRequest("GET", "/hoi-dap/", nil))
	if page.code != 200 || !strings.Contains(page.body, "Phường mở lớp kỹ năng số vào tháng 5.") || !strings.Contains(page.body, "Câu hỏi số 7 về việc làm?") {
		t.Fatalf("/hoi-dap/: %d %s", page.code, page.body)
	}
	// Marked public by staff, but its asker did not agree: never shown.
	if strings.Contains(page.body, "Câu hỏi số 8") || strings.Contains(page.body, "Câu trả lời riêng") {
		t.Error("/hoi-dap/ shows a question whose asker did not consent")
	}
	for _, personal := range append(names, "Nguyễn Văn 7", "0912345678", "0912 345 678", "Chị Lan") {
		if strings.Contains(page.body, personal) {
			t.Errorf("/hoi-dap/ holds %q", personal)
		}
	}
	if cc := page.header.Get("Cache-Control"); !strings.Contains(cc, "s-maxage=60") {
		t.Errorf("/hoi-dap/ Cache-Control %q", cc)
	}

	// The staff list: 2 + 1 questions, filters and search.
	list := func(query string) (out struct {
		Total int
		Items []struct {
			ID, Status, Answer string
			Consent, Public    bool
			Version            int
		}
	}) {
		t.Helper()
		a := e.do(staffRequest("GET", "/api/questions?"+query, staffSecret, "198.51.100.20:4000"))
		if a.code != 200 {
			t.Fatalf("questions?%s: %d %s", query, a.code, a.body)
		}
		json.Unmarshal([]byte(a.body), &out)
		return out
	}
	if l := list(""); l.Total != 3 {
		t.Errorf("questions: %d, want 3", l.Total)
	}
	if l := list("trang_thai=answered"); l.Total != 2 {
		t.Errorf("answered: %d, want 2", l.Total)
	}
	if l := list("q=" + url.QueryEscape("cau hoi so 7")); l.Total != 1 || l.Items[0].ID != id || !l.Items[0].Consent || l.Items[0].Version != 1 {
		t.Errorf("search without marks: %+v", l)
	}
	if l := list("linh_vuc=" + url.QueryEscape(forms.Other)); l.Total != 2 {
		t.Errorf("topic filter: %d, want 2", l.Total)
	}

	// Deletion removes the answer and the public entry.
	if a := e.do(staffRequest("DELETE", "/api/submissions/cau-hoi/"+id, staffSecret, "198.51.100.20:4000")); a.code != 200 {
		t.Fatalf("delete: %d %s", a.code, a.body)
	}
	if page := e.do(httptest.NewRequest("GET", "/hoi-dap/", nil)); strings.Contains(page.body, "kỹ năng số") {
		t.Error("/hoi-dap/ still shows a deleted question")
	}
	if st, _ := e.lookup(code, "5678"); st != http.StatusNotFound {
		t.Errorf("lookup of a deleted question: %d", st)
	}
	if k := e.keys("loa/answers/cau-hoi/" + found.Hash); len(k) != 0 {
		t.Errorf("answers left: %v", k)
	}
	// The log says which answer changed, never the text or who wrote it.
	logs := e.logs.String()
	if !strings.Contains(logs, `"msg":"answer saved"`) || !strings.Contains(logs, `"version":1`) {
		t.Errorf("no log line for the answer:\n%s", logs)
	}
	// The phone's last digits as a value or in a query (not inside a
	// latency, where the same four digits turn up by chance).
	for _, personal := range []string{"Chị Lan", "kỹ năng số", "Nguyễn Văn 7", `"5678"`, "so=5678"} {
		if strings.Contains(logs, personal) {
			t.Errorf("the log holds %q", personal)
		}
	}
}

// 1,000 wrong pairs of code and digits: every answer is byte for byte the
// answer to a code that names nothing, and the limiter turns most away.
func TestLookupWrongPairsLookUnknown(t *testing.T) {
	now := time.Date(2023, 4, 6, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	e := newEnv(t, func(c *handler.Config) {
		c.Stopwatch = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	code, _ := e.submitCode(question(1))
	unknown := "CH-2222-2222"
	if code == unknown { // one chance in 2^40
		unknown = "CH-3333-3333"
	}
	ref := e.do(lookupRequest(unknown, "0000", "192.0.2.250:1", true))
	if ref.code != http.StatusNotFound {
		t.Fatalf("unknown code: %d %s", ref.code, ref.body)
	}
	same := func(a answer) bool {
		if a.body != ref.body || len(a.header) != len(ref.header) {
			return false
		}
		for k := range ref.header {
			if a.header.Get(k) != ref.header.Get(k) {
				return false
			}
		}
		return true
	}
	limited, notFound := 0, 0
	for i := range 1000 {
		// Ten clients, a minute apart each round of ten: the per-client
		// buckets refill; the code's bucket (10 an hour) does not.
		if i%10 == 0 {
			mu.Lock()
			now = now.Add(time.Minute)
			mu.Unlock()
		}
		a := e.do(lookupRequest(code, fmt.Sprintf("%04d", i%5000+1000*(i%2)), fmt.Sprintf("198.51.100.%d:2000", i%10), true))
		switch a.code {
		case http.StatusTooManyRequests:
			limited++
			if a.header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		case http.StatusNotFound:
			notFound++
			if !same(a) {
				t.Fatalf("try %d: the answer to a wrong pair differs from an unknown code's:\n%v %s\n%v %s", i, a.header, a.body, ref.header, ref.body)
			}
		default:
			t.Fatalf("try %d: %d %s", i, a.code, a.body)
		}
	}
	if limited < 900 || notFound == 0 {
		t.Errorf("%d limited, %d not found: the code's limit did not hold", limited, notFound)
	}
	// The same for pages without JavaScript: the lookup's page saying
	// nothing was found, as 200 (CloudFront would put its 404 page in the
	// place of a 404), the same bytes for every wrong pair.
	refHTML := e.do(lookupRequest("CH-3333-3333", "0000", "192.0.2.251:1", false))
	wrongHTML := e.do(lookupRequest("CH-4444-4444", "1111", "192.0.2.252:1", false))
	if refHTML.code != http.StatusOK || wrongHTML.code != http.StatusOK || refHTML.body != wrongHTML.body || !strings.Contains(refHTML.body, "Không tìm thấy câu hỏi nào") {
		t.Errorf("HTML not-found answers: %d and %d, want two identical 200 pages with the not-found message", refHTML.code, wrongHTML.code)
	}
	// One client alone: bursts of 5, then one a minute.
	n429 := 0
	for range 8 {
		if e.do(lookupRequest(unknown, "0000", "192.0.2.99:1", true)).code == http.StatusTooManyRequests {
			n429++
		}
	}
	if n429 != 3 {
		t.Errorf("8 lookups at once from one client: %d refused, want 3", n429)
	}
}

// Two staff members save an answer to one question at once: one 200, one
// 409 with the conflict message, and both texts are in the store.
func TestAnswerConflict(t *testing.T) {
	e, _, ids := newStaffEnv(t)
	id := ids["cau-hoi"]
	texts := []string{"Bản trả lời của chị Lan", "Bản trả lời của anh Minh"}
	codes := make([]answer, 2)
	var wg sync.WaitGroup
	for i := range texts {
		wg.Go(func() {
			codes[i] = e.do(answerRequest(id, map[string]any{"answer": texts[i], "by": "Cán bộ " + fmt.Sprint(i), "status": "answered", "base": 0}))
		})
	}
	wg.Wait()
	got := map[int]int{}
	for _, a := range codes {
		got[a.code]++
		if a.code == http.StatusConflict && !strings.Contains(a.json.Message, "Người khác vừa lưu câu trả lời cho câu hỏi này") {
			t.Errorf("409 message %q", a.json.Message)
		}
	}
	if got[200] != 1 || got[409] != 1 {
		t.Fatalf("answers %v, want one 200 and one 409", got)
	}
	f := e.reg.Form("cau-hoi")
	found, err := e.store.FindByID(t.Context(), f, id)
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := e.store.LatestAnswer(t.Context(), f.ID, found.Hash)
	kept, _ := e.store.Conflicts(t.Context(), f.ID, found.Hash)
	all := []string{latest.Text}
	for _, k := range kept {
		all = append(all, k.Text)
	}
	for _, want := range texts {
		if !strings.Contains(strings.Join(all, "|"), want) {
			t.Errorf("text %q lost: the store has %q", want, all)
		}
	}
	// Invalid saves change nothing.
	for _, body := range []map[string]any{
		{"answer": "x", "by": "", "status": "answered", "base": 1},
		{"answer": "", "by": "A", "status": "answered", "base": 1},
		{"answer": "x", "by": "A", "status": "xong", "base": 1},
	} {
		if a := e.do(answerRequest(id, body)); a.code != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d, want 422", body, a.code)
		}
	}
	if a := e.do(answerRequest("0123456789ab", map[string]any{"answer": "x", "by": "A", "status": "answered"})); a.code != http.StatusNotFound {
		t.Errorf("unknown question: %d", a.code)
	}
}
