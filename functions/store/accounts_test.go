package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"loa/functions/store"
)

func TestAccounts(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	a := store.Account{ID: "lan", Name: "Nguyễn Thị Lan", Role: store.RoleAnswer, Hash: "$argon2id$x"}
	if _, err := fx.st.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.CreateAccount(ctx, a); !errors.Is(err, store.ErrAccountExists) {
		t.Fatalf("second create: %v, want ErrAccountExists", err)
	}
	got, etag, err := fx.st.GetAccount(ctx, "lan")
	if err != nil || got.Name != a.Name || etag == "" {
		t.Fatalf("GetAccount = %+v, %q, %v", got, etag, err)
	}
	list, err := fx.st.Accounts(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("Accounts = %v, %v", list, err)
	}
	if err := fx.st.DeleteAccount(ctx, "lan"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fx.st.GetAccount(ctx, "lan"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if err := fx.st.DeleteAccount(ctx, "lan"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestAuditLog(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for i, r := range []store.AuditRecord{
		{Who: "lan", Action: "answer", ID: "abc"},
		{Who: "minh", Action: "export", Form: "cau-hoi"},
		{Who: "lan", Action: "delete", ID: "def"},
	} {
		r.Status = 200 + i
		fx.now = fx.now.Add(time.Second)
		if _, err := fx.st.Audit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	all, total, err := fx.st.AuditLog(ctx, store.AuditFilter{}, 0, 0)
	if err != nil || total != 3 || len(all) != 3 {
		t.Fatalf("all: %d of %d, %v", len(all), total, err)
	}
	lan, total, err := fx.st.AuditLog(ctx, store.AuditFilter{Who: "lan"}, 0, 1)
	if err != nil || total != 2 || len(lan) != 1 || lan[0].Action != "delete" {
		t.Fatalf("lan, first page: %+v of %d, %v (want the newest, delete)", lan, total, err)
	}
	del, total, _ := fx.st.AuditLog(ctx, store.AuditFilter{Action: "export"}, 0, 20)
	if total != 1 || del[0].Who != "minh" {
		t.Fatalf("export: %+v", del)
	}
}
