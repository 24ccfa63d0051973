package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"loa/functions/store"
)

// A guest is one object named by a keyed hash of who they are: added
// twice at once, it is stored once and both are told the same id; removed,
// it is gone, and added again it has the same check-in code; one who has
// checked in cannot be removed.
func TestGuests(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	g := store.Guest{Name: "Lê Văn Khách", Role: "Phó Chủ tịch UBND phường", Unit: "UBND phường Bạch Sam", By: "quan-tri"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	made, ids := 0, map[string]bool{}
	for range 6 {
		wg.Go(func() {
			got, created, err := fx.st.AddGuest(ctx, g)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if created {
				made++
			}
			ids[got.ID] = true
		})
	}
	wg.Wait()
	if made != 1 || len(ids) != 1 {
		t.Fatalf("six adds of one guest at once: %d stored, ids %v; want 1 and one id", made, ids)
	}
	// The same person typed with other spaces and capitals is the same
	// guest; another role is another.
	same, created, err := fx.st.AddGuest(ctx, store.Guest{Name: "  lê văn   KHÁCH ", Role: "Phó Chủ tịch UBND phường", Unit: "UBND phường Bạch Sam"})
	if err != nil || created || !ids[same.ID] || same.Name != g.Name {
		t.Errorf("the same guest retyped: %+v created %v %v", same, created, err)
	}
	other, created, err := fx.st.AddGuest(ctx, store.Guest{Name: "Trần Thị Mời", Role: "Bí thư Đoàn phường"})
	if err != nil || !created || ids[other.ID] || !store.ValidGuestID(other.ID) {
		t.Fatalf("another guest: %+v created %v %v", other, created, err)
	}
	if _, _, err := fx.st.AddGuest(ctx, store.Guest{Name: "Không Vai Trò"}); err == nil {
		t.Error("a guest without a role was stored")
	}
	list, err := fx.st.Guests(ctx)
	if err != nil || len(list) != 2 || list[0].Name != g.Name || list[1].Name != "Trần Thị Mời" || list[0].By != "quan-tri" {
		t.Fatalf("guests %+v %v, want the two in the order added", list, err)
	}
	if keys := fx.keys("p/guests/"); len(keys) != 2 {
		t.Errorf("keys %v", keys)
	}

	first := list[0]
	code := fx.st.CheckinCode(store.GuestCodes, first.ID)
	if err := fx.st.RemoveGuest(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if err := fx.st.RemoveGuest(ctx, first.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing a removed guest: %v, want ErrNotFound", err)
	}
	again, created, err := fx.st.AddGuest(ctx, g)
	if err != nil || !created || fx.st.CheckinCode(store.GuestCodes, again.ID) != code {
		t.Errorf("the guest added again: %+v %v %v, want the same check-in code %s", again, created, err, code)
	}

	if _, _, err := fx.st.CheckIn(ctx, store.Checkin{Code: code, Form: store.GuestCodes, ID: again.ID}); err != nil {
		t.Fatal(err)
	}
	if err := fx.st.RemoveGuest(ctx, again.ID); !errors.Is(err, store.ErrCheckedIn) {
		t.Errorf("removing a guest who came: %v, want ErrCheckedIn", err)
	}
	if err := fx.st.RemoveGuest(ctx, "../accounts/x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a malformed id: %v", err)
	}
	if list, _ := fx.st.Guests(ctx); len(list) != 2 {
		t.Errorf("%d guests at the end, want 2", len(list))
	}
}
