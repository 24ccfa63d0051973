package serve

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"loa/functions/routes"
	"loa/functions/staff"
)

// TestAuditKilledMidBurst kills serve with SIGKILL during a burst of staff
// actions from several clients, starts it again on the same data folder,
// and checks that every action it answered has its audit record: the
// record is stored before the answer leaves.
func TestAuditKilledMidBurst(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "content", filepath.Join(dir, "content"))
	copyTree(t, "site", filepath.Join(dir, "site"))
	secret := staff.NewSecret()
	c := startChild(t, dir, secret)

	const senders, perSender, killAt = 4, 60, 100
	var mu sync.Mutex
	var acked []string
	killed := make(chan struct{})
	var once sync.Once
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range perSender {
				// Removing an account that is not there: a quick staff
				// action whose record names the account acted on.
				id := fmt.Sprintf("thu-%d-%d", s, i)
				req, _ := http.NewRequest("DELETE", c.url+routes.Accounts+"/"+id, nil)
				req.Header.Set(routes.StaffHeader, secret)
				req.Header.Set("Accept", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusNotFound {
					continue // not answered as done
				}
				mu.Lock()
				acked = append(acked, id)
				n := len(acked)
				mu.Unlock()
				if n == killAt {
					once.Do(func() { c.kill(); close(killed) })
				}
			}
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("only %d actions answered before the burst ended; the kill never came", len(acked))
	}

	c = startChild(t, dir, secret)
	req, _ := http.NewRequest("GET", c.url+routes.AuditCSV+"?thao_tac=account-delete", nil)
	req.Header.Set(routes.StaffHeader, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("audit CSV: %d %s", resp.StatusCode, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]int{}
	for _, r := range rows[1:] {
		logged[r[6]]++ // Mã
	}
	missing := 0
	for _, id := range acked {
		if logged[id] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d answered staff actions have no audit record after SIGKILL and restart", missing, len(acked))
	}
	t.Logf("%d answered before and around the kill, %d records", len(acked), len(rows)-1)
}
