package store_test

import (
	"context"
	"sync"
	"testing"

	"loa/functions/store"
)

// Two phones check one code in at once: one object, one "first", and
// both are told the same time.
func TestCheckInOnce(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	code := fx.st.CheckinCode("dai-bieu", "0123456789ab")
	if code == fx.st.CheckinCode("dai-bieu", "0123456789ac") || len(code) != len("MV-7K3M-9Q2P") || code[:3] != "MV-" {
		t.Fatalf("check-in code %q", code)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	firsts := 0
	var ats []string
	for range 8 {
		wg.Go(func() {
			c, first, err := fx.st.CheckIn(ctx, store.Checkin{Code: code, Form: "dai-bieu", ID: "0123456789ab"})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if first {
				firsts++
			}
			ats = append(ats, c.At.String())
		})
	}
	wg.Wait()
	if firsts != 1 {
		t.Errorf("%d check-ins were first, want 1", firsts)
	}
	for _, at := range ats {
		if at != ats[0] {
			t.Errorf("check-ins were told different times: %q", ats)
			break
		}
	}
	all, err := fx.st.Checkins(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("check-ins: %v %v", all, err)
	}
}
