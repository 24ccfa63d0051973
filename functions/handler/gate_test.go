package handler_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

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
