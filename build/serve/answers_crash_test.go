package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"loa/functions/routes"
	"loa/functions/staff"
)

// TestAnswersKilled saves and takes off answers from several staff at
// once, kills serve with SIGKILL part way, starts it again on the same
// data, and checks that /hoi-dap/ shows exactly the answers whose latest
// version is public, and that no acknowledged save is lost. Five rounds,
// a few dozen saves each, all to 127.0.0.1.
func TestAnswersKilled(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "content", filepath.Join(dir, "content"))
	copyTree(t, "site", filepath.Join(dir, "site"))
	secret := staff.NewSecret()
	c := startChild(t, dir, secret)

	const questions, workers, rounds = 16, 4, 5
	var ids []string
	for i := range questions {
		body, _ := json.Marshal(map[string]string{
			"ho_ten": fmt.Sprintf("Người hỏi %d", i), "chi_doan": "Chi đoàn Tổ dân phố 1", "dien_thoai": "0912345678",
			"linh_vuc": "Khác", "noi_dung": fmt.Sprintf("Câu hỏi số %d cho buổi đối thoại?", i), "dong_y": "co", "cong_bo": "co",
		})
		var a struct{ ID string }
		if code := sendJSON(t, c.url, "POST", "/api/forms/cau-hoi", "", body, &a); code != http.StatusOK || a.ID == "" {
			t.Fatalf("question %d: %d", i, code)
		}
		ids = append(ids, a.ID)
	}

	acked, lost, mismatched := 0, 0, 0
	for round := range rounds {
		latest := staffAnswers(t, c.url, secret)
		type ack struct {
			version int
			text    string
		}
		var mu sync.Mutex
		acks := map[string]ack{}
		killAt := 15 + rand.IntN(20)
		n := 0
		var once sync.Once
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				client := &http.Client{Timeout: 10 * time.Second}
				base := map[string]int{}
				for i := w; i < questions; i += workers {
					base[ids[i]] = latest[ids[i]].Version
				}
				for k := 0; k < 200; k++ {
					id := ids[w+workers*(k%(questions/workers))]
					text := fmt.Sprintf("Trả lời %s lần %d-%d", id, round, k)
					body, _ := json.Marshal(map[string]any{"answer": text, "by": "Cán bộ", "status": "answered", "public": rand.IntN(2) == 0, "base": base[id]})
					req, _ := http.NewRequest("PUT", c.url+routes.Answers+"cau-hoi/"+id, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Accept", "application/json")
					req.Header.Set(routes.StaffHeader, secret)
					resp, err := client.Do(req)
					if err != nil {
						return // serve is gone
					}
					var a struct {
						OK      bool
						Version int
					}
					err = json.NewDecoder(resp.Body).Decode(&a)
					resp.Body.Close()
					if err != nil || resp.StatusCode != http.StatusOK || !a.OK {
						return
					}
					base[id] = a.Version
					mu.Lock()
					acks[id] = ack{a.Version, text}
					n++
					kill := n == killAt
					mu.Unlock()
					if kill {
						once.Do(c.kill)
					}
				}
			})
		}
		wg.Wait()
		if n < killAt {
			t.Fatalf("round %d: %d saves acknowledged, the kill at %d never came", round, n, killAt)
		}
		acked += n

		c = startChild(t, dir, secret)
		after := staffAnswers(t, c.url, secret)
		for id, a := range acks {
			got := after[id]
			switch {
			case got.Version < a.version:
				lost++
				t.Errorf("round %d: %s: acknowledged version %d, the latest is %d", round, id, a.version, got.Version)
			case got.Version == a.version && got.Answer != a.text:
				mismatched++
				t.Errorf("round %d: %s: version %d holds %q, acknowledged %q", round, id, a.version, got.Answer, a.text)
			}
		}
		page := getPage(t, c.url+routes.PublicPage)
		shown := map[string][]string{}
		for _, m := range answerText.FindAllStringSubmatch(page, -1) {
			shown[m[1]] = append(shown[m[1]], m[0])
		}
		for _, id := range ids {
			want := ""
			if q := after[id]; q.Public && q.Status == "answered" {
				want = q.Answer
			}
			got := shown[id]
			if want == "" && len(got) > 0 || want != "" && (len(got) != 1 || got[0] != want) {
				mismatched++
				t.Errorf("round %d: %s: /hoi-dap/ shows %q, its latest version says %q", round, id, got, want)
			}
		}
	}
	t.Logf("%d rounds, %d acknowledged saves, %d lost, %d where /hoi-dap/ or the latest version disagreed", rounds, acked, lost, mismatched)
}

var answerText = regexp.MustCompile(`Trả lời ([0-9a-f]{12}) lần [0-9]+-[0-9]+`)

type staffAnswer struct {
	ID, Status, Answer string
	Public             bool
	Version            int
}

// staffAnswers reads the latest answer of every question through the
// staff list, by id.
func staffAnswers(t *testing.T, base, secret string) map[string]staffAnswer {
	t.Helper()
	out := map[string]staffAnswer{}
	for page := 1; ; page++ {
		var l struct {
			Pages int
			Items []staffAnswer
		}
		if code := sendJSON(t, base, "GET", fmt.Sprintf("%s?trang=%d", routes.Questions, page), secret, nil, &l); code != http.StatusOK {
			t.Fatalf("questions: %d", code)
		}
		for _, it := range l.Items {
			out[it.ID] = it
		}
		if page >= l.Pages {
			return out
		}
	}
}

// sendJSON sends a JSON request (with the staff secret when given) and
// decodes the answer into v; it returns the status.
func sendJSON(t *testing.T, base, method, path, secret string, body []byte, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if secret != "" {
		req.Header.Set(routes.StaffHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %d, %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode
}

func getPage(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", u, resp.StatusCode)
	}
	return string(b)
}
