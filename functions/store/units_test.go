package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"loa/functions/s3test"
	"loa/functions/store"
)

// TestUnits: the stores of two units of a province share a bucket and
// nothing in it. A delegate saved by one, with its quota slot, and an
// account made by one, are neither listed, read, counted nor deleted by
// the other, and every key of a unit is under its prefix.
func TestUnits(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	unit := func(slug string) *store.Store {
		st, err := store.New(fx.Server.Client, store.Config{Bucket: s3test.Bucket, Prefix: "p", Unit: slug, Now: func() time.Time { return fx.now }})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	a, b := unit("phuong-bach-sam"), unit("xa-nghia-tru")
	sub := fx.delegate(t, 1)
	rc, err := a.Save(ctx, sub)
	if err != nil || rc.Duplicate {
		t.Fatalf("save in a: %+v %v", rc, err)
	}
	if _, err := a.CreateAccount(ctx, store.Account{ID: "quan-tri", Name: "Quản trị", Role: store.RoleManager, Hash: "h"}); err != nil {
		t.Fatal(err)
	}

	// The same answer sent to b is b's own, not a resend of a's.
	rb, err := b.Save(ctx, sub)
	if err != nil || rb.Duplicate {
		t.Errorf("the same answer in b: %+v %v, want a new submission of b", rb, err)
	}
	if keys, _, err := b.ListKeys(ctx, "dai-bieu", "", 100); err != nil || len(keys) != 1 || keys[0] == rc.Key {
		t.Errorf("b lists %v (%v), want its one submission", keys, err)
	}
	if _, _, err := b.GetAccount(ctx, "quan-tri"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("b reads a's account: %v", err)
	}
	if err := b.Delete(ctx, fx.dai, rc.ID); err != nil {
		t.Fatal(err)
	}
	if keys, _, _ := a.ListKeys(ctx, "dai-bieu", "", 100); len(keys) != 1 {
		t.Errorf("after b deleted the id in b, a has %v", keys)
	}
	for _, k := range fx.keys("p/") {
		if !strings.HasPrefix(k, "p/phuong-bach-sam/") && !strings.HasPrefix(k, "p/xa-nghia-tru/") {
			t.Errorf("key %s is under no unit", k)
		}
	}
	if n := len(fx.keys("p/phuong-bach-sam/quota/dai-bieu/")); n != 1 {
		t.Errorf("a holds %d quota slots, want 1", n)
	}
	for _, bad := range []string{"../xa", "Phuong", "a/b", "phường"} {
		if _, err := store.New(fx.Server.Client, store.Config{Bucket: s3test.Bucket, Unit: bad}); err == nil {
			t.Errorf("unit %q: no error", bad)
		}
	}
}

// TestContent: a unit's content zip is written whole and read back with
// its ETag; asked with that ETag, the store answers ErrNotModified
// without the body; a unit without one answers ErrNotFound.
func TestContent(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	st, err := store.New(fx.Server.Client, store.Config{Bucket: s3test.Bucket, Prefix: "p", Unit: "xa-nghia-tru"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.GetContent(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no content yet: %v", err)
	}
	if err := st.PutContent(ctx, []byte("PK zip 1")); err != nil {
		t.Fatal(err)
	}
	b, etag, err := st.GetContent(ctx, "")
	if err != nil || string(b) != "PK zip 1" || etag == "" {
		t.Fatalf("read %q %q %v", b, etag, err)
	}
	if b, _, err := st.GetContent(ctx, etag); !errors.Is(err, store.ErrNotModified) || b != nil {
		t.Errorf("unchanged: %q %v, want ErrNotModified", b, err)
	}
	if err := st.PutContent(ctx, []byte("PK zip 2")); err != nil {
		t.Fatal(err)
	}
	if b, etag2, err := st.GetContent(ctx, etag); err != nil || string(b) != "PK zip 2" || etag2 == etag {
		t.Errorf("changed: %q %q %v", b, etag2, err)
	}
	if keys := fx.keys("p/"); len(keys) != 1 || keys[0] != "p/xa-nghia-tru/content.zip" {
		t.Errorf("keys %v", keys)
	}
	if err := st.PutContent(ctx, make([]byte, store.MaxContent+1)); err == nil {
		t.Error("an oversized content zip was written")
	}
}
