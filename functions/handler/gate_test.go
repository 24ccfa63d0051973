package handler_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/store"
)

// heldSaver saves through the real store, but the first save waits until
// release is closed.
type heldSaver struct {
	st      *store.Store
	saves   atomic.Int32
	entered chan struct{}
	release chan struct{}
}

func (h *heldSaver) Save(ctx context.Context, sub *forms.Submission) (store.Receipt, error) {
	if h.saves.Add(1) == 1 {
		close(h.entered)
		<-h.release
	}
	return h.st.Save(ctx, sub)
}

// TestGateBoundsSubmissionsAtOnce: with one turn, a submission that comes
// while another is being saved waits; one whose time runs out while it
// waits is answered 503 with Retry-After, in Vietnamese, with what was
// typed kept on the page, and nothing of it is saved; once the first is
// done, the turn is free again.
func TestGateBoundsSubmissionsAtOnce(t *testing.T) {
	held := &heldSaver{entered: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, func(c *handler.Config) {
		c.Gate = handler.NewGate(1)
		held.st = c.Store.(*store.Store)
		c.Store = held
	})

	first := make(chan answer, 1)
	go func() { first <- e.do(postJSON("cau-hoi", question(1))) }()
	<-held.entered

	// Its wait ends at once: the only turn is taken.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, req := range []*http.Request{postJSON("cau-hoi", question(2)), postForm("cau-hoi", question(3))} {
		a := e.do(req.WithContext(ctx))
		if a.code != http.StatusServiceUnavailable {
			t.Fatalf("a submission with no turn: status %d, want 503: %s", a.code, a.body)
		}
		if a.header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		if !strings.Contains(a.body, "bấm gửi lại") {
			t.Errorf("the answer does not tell the person to send again: %s", a.body)
		}
	}
	// The page without JavaScript still holds what was typed.
	a := e.do(postForm("cau-hoi", question(4)).WithContext(ctx))
	if !strings.Contains(a.body, "Câu hỏi số 4 về việc làm?") {
		t.Errorf("the page sent back lost the question typed: %s", a.body)
	}
	if n := held.saves.Load(); n != 1 {
		t.Fatalf("%d saves while the turn was held, want 1", n)
	}

	close(held.release)
	if a := <-first; a.code != http.StatusOK {
		t.Fatalf("the submission that held the turn: status %d: %s", a.code, a.body)
	}
	if a := e.do(postJSON("cau-hoi", question(5))); a.code != http.StatusOK {
		t.Fatalf("after the turn came back: status %d: %s", a.code, a.body)
	}
	if got := len(e.keys("loa/submissions/cau-hoi/")); got != 2 {
		t.Errorf("%d questions stored, want 2 (the refused ones must leave nothing)", got)
	}
}

// slowSaver saves through the real store after a pause, or gives up with
// its context.
type slowSaver struct{ st *store.Store }

func (s slowSaver) Save(ctx context.Context, sub *forms.Submission) (store.Receipt, error) {
	select {
	case <-time.After(2 * time.Millisecond):
	case <-ctx.Done():
		return store.Receipt{}, ctx.Err()
	}
	return s.st.Save(ctx, sub)
}

// TestGateLosesNoTurn: 200 submissions at once through two turns, a third
// of them given up by their senders while they wait or save; afterwards
// both turns are free (a submission whose wait is already over still gets
// one, which only a free turn gives), and every one answered 200 is stored.
func TestGateLosesNoTurn(t *testing.T) {
	var st *store.Store
	e := newEnv(t, func(c *handler.Config) {
		c.Gate = handler.NewGate(2)
		st = c.Store.(*store.Store)
		c.Store = slowSaver{st: st}
	})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := range 200 {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if i%3 == 0 {
				go func() { time.Sleep(time.Duration(i%7) * time.Millisecond); cancel() }()
			}
			if a := e.do(postJSON("cau-hoi", question(100+i)).WithContext(ctx)); a.code == http.StatusOK {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 2 {
		// One at a time: each takes a turn and gives it back.
		if a := e.do(postJSON("cau-hoi", question(1000+i)).WithContext(done)); a.code == http.StatusServiceUnavailable && strings.Contains(a.body, "rất nhiều") {
			t.Fatalf("a turn was lost: a submission found none free after the others ended: %s", a.body)
		}
	}
	if got := len(e.keys("loa/submissions/cau-hoi/")); got < int(ok.Load()) {
		t.Errorf("%d stored, fewer than the %d answered 200", got, ok.Load())
	}
	if ok.Load() < 100 {
		t.Errorf("only %d of 200 answered 200: the senders who stayed should all be served", ok.Load())
	}
}
