package store_test

import (
	"context"
	"errors"
	"testing"

	"loa/functions/store"
)

func TestDigestSettings(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for _, id := range []string{"lan", "minh"} {
		if _, err := fx.st.CreateAccount(ctx, store.Account{ID: id, Name: id, Role: store.RoleAnswer, Hash: "$argon2id$x"}); err != nil {
			t.Fatal(err)
		}
	}
	// Never saved: off, no address.
	if d, err := fx.st.DigestSetting(ctx, "lan"); err != nil || d.On || d.Email != "" || d.Account != "lan" {
		t.Fatalf("unsaved setting = %+v, %v", d, err)
	}
	if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: "lan", Email: "Lan <lan@phuong.vn>", On: true}); !errors.Is(err, store.ErrBadEmail) {
		t.Errorf("an address with a name: %v, want ErrBadEmail", err)
	}
	if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: "lan", On: true}); !errors.Is(err, store.ErrBadEmail) {
		t.Errorf("on without an address: %v, want ErrBadEmail", err)
	}
	if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: "nobody", Email: "a@b.vn", On: true}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no such account: %v, want ErrNotFound", err)
	}
	if n := len(fx.keys("p/digest/")); n != 0 {
		t.Fatalf("refused settings wrote %d objects", n)
	}
	if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: "lan", Email: "lan@Phuong.VN", On: true, By: "lan"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.SaveDigestSetting(ctx, store.DigestSetting{Account: "minh", Email: "minh@phuong.vn", On: false, By: "lan"}); err != nil {
		t.Fatal(err)
	}
	d, err := fx.st.DigestSetting(ctx, "lan")
	if err != nil || !d.On || d.Email != "lan@phuong.vn" || d.By != "lan" {
		t.Fatalf("setting = %+v, %v", d, err)
	}
	list, err := fx.st.DigestSettings(ctx)
	if err != nil || len(list) != 2 || list[0].Account != "lan" || list[1].Account != "minh" || list[1].On {
		t.Fatalf("settings = %+v, %v", list, err)
	}
	// Removing the account removes its address too.
	if err := fx.st.DeleteAccount(ctx, "lan"); err != nil {
		t.Fatal(err)
	}
	if keys := fx.keys("p/digest/accounts/lan"); len(keys) != 0 {
		t.Errorf("after removing the account: %v", keys)
	}
	list, err = fx.st.DigestSettings(ctx)
	if err != nil || len(list) != 1 || list[0].Account != "minh" {
		t.Fatalf("settings after removal = %+v, %v", list, err)
	}
}

func TestDigestSent(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	if sent, err := fx.st.DigestSent(ctx, "2023-04-10", "lan"); err != nil || sent {
		t.Fatalf("before: %v, %v", sent, err)
	}
	for range 2 {
		if err := fx.st.MarkDigestSent(ctx, "2023-04-10", "lan"); err != nil {
			t.Fatal(err)
		}
	}
	if sent, err := fx.st.DigestSent(ctx, "2023-04-10", "lan"); err != nil || !sent {
		t.Fatalf("after: %v, %v", sent, err)
	}
	if sent, err := fx.st.DigestSent(ctx, "2023-04-11", "lan"); err != nil || sent {
		t.Fatalf("the next day: %v, %v", sent, err)
	}
	if err := fx.st.MarkDigestSent(ctx, "10/4/2023", "lan"); err == nil {
		t.Error("a day not written YYYY-MM-DD was accepted")
	}
}

func TestCleanEmail(t *testing.T) {
	for in, want := range map[string]string{
		"":                    "",
		" lan@Phuong.Gov.VN ": "lan@phuong.gov.vn",
		"can-bo@localhost":    "can-bo@localhost",
	} {
		if got, err := store.CleanEmail(in); err != nil || got != want {
			t.Errorf("CleanEmail(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"lan", "lan@", "@phuong.vn", "a@b.vn, c@d.vn", "Lan <a@b.vn>", "a@b", "a b@c.vn", "a@b.vn\r\nBcc: x@y.vn"} {
		if got, err := store.CleanEmail(bad); !errors.Is(err, store.ErrBadEmail) {
			t.Errorf("CleanEmail(%q) = %q, %v; want ErrBadEmail", bad, got, err)
		}
	}
}
