package serve

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"loa/functions/routes"
	"loa/functions/staff"
)

// childEnv, when set, makes the test binary run `serve` with these
// arguments instead of the tests: the crash test's child process.
const childEnv = "LOA_SERVE_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		if err := Main(strings.Split(args, "\x1f")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is serve running in a process of its own.
type child struct {
	cmd *exec.Cmd
	url string
}

func startChild(t *testing.T, dir, secret string) *child {
	t.Helper()
	args := []string{"--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"),
		"--content", filepath.Join(dir, "content"), "--site", filepath.Join(dir, "site"), "--now", "2023-04-10T09:00+07:00", "--no-limits"}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, "\x1f"), EnvSecret+"="+secret)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd}
	t.Cleanup(func() { c.kill() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "Trang" && f[1] == "web" {
				found <- strings.TrimSuffix(f[2], "/")
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case c.url = <-found:
	case <-time.After(60 * time.Second):
		t.Fatalf("the child serve did not start: %s", stderr.String())
	}
	return c
}

func (c *child) kill() {
	if c.cmd.ProcessState == nil {
		c.cmd.Process.Signal(syscall.SIGKILL)
		c.cmd.Wait()
	}
}

// TestKilledMidStream kills serve with SIGKILL while distinct questions
// stream in from several clients, starts it again on the same data folder,
// and checks that every question it acknowledged is in the export.
func TestKilledMidStream(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "content", filepath.Join(dir, "content"))
	copyTree(t, "site", filepath.Join(dir, "site"))
	secret := staff.NewSecret()
	c := startChild(t, dir, secret)

	const senders, perSender = 4, 100 // a few hundred submissions in all
	var mu sync.Mutex
	var acked []string
	killAt := 150
	killed := make(chan struct{})
	var once sync.Once
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				body, _ := json.Marshal(map[string]string{
					"ho_ten": fmt.Sprintf("Người gửi %d-%d", s, i), "chi_doan": "Chi đoàn Tổ dân phố 1",
					"dien_thoai": "0912345678", "linh_vuc": "Khác", "noi_dung": fmt.Sprintf("Câu hỏi %d của người %d", i, s), "dong_y": "co",
				})
				req, _ := http.NewRequest("POST", c.url+"/api/forms/cau-hoi", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone: the rest were never acknowledged
				}
				var a struct {
					OK bool   `json:"ok"`
					ID string `json:"id"`
				}
				err = json.NewDecoder(resp.Body).Decode(&a)
				resp.Body.Close()
				if err == nil && resp.StatusCode == http.StatusOK && a.OK && a.ID != "" {
					mu.Lock()
					acked = append(acked, a.ID)
					n := len(acked)
					mu.Unlock()
					if n == killAt {
						once.Do(func() { c.kill(); close(killed) })
					}
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d questions acknowledged before the stream ended; the kill never came", len(acked))
	}
	if len(acked) < killAt {
		t.Fatalf("%d acknowledged", len(acked))
	}

	c = startChild(t, dir, secret)
	ids := exportedIDs(t, c.url, secret)
	missing := 0
	for _, id := range acked {
		if !ids[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged questions are not in the export after SIGKILL and restart", missing, len(acked))
	}
	t.Logf("%d acknowledged before and around the kill, %d in the export", len(acked), len(ids))
}

// exportedIDs downloads the questions' CSV through the staff route and
// returns the ids in its first column.
func exportedIDs(t *testing.T, base, secret string) map[string]bool {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/export/cau-hoi?format=csv", nil)
	req.Header.Set(routes.StaffHeader, secret)
	var link struct {
		URL string `json:"url"`
	}
	for try := 0; ; try++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(&link)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && err == nil {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || try == 30 {
			t.Fatalf("export: %d %v", resp.StatusCode, err)
		}
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("download: %d", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rows[1:] {
		ids[r[0]] = true
	}
	return ids
}
