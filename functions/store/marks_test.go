package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"loa/functions/store"
)

// Staff's marks for the compiled questions: the latest wins, saves at once
// are all kept as versions, and deleting the question deletes them.
func TestMarks(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, a := fx.question(t, "Phường có lớp kỹ năng số không?")
	_, b := fx.question(t, "phuong co lop ky nang so khong")
	fa, err := fx.st.FindByID(ctx, f, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := fx.st.FindByID(ctx, f, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := fx.st.SaveMark(ctx, f, fb, store.Mark{Into: a.ID}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := fx.st.SaveMark(ctx, f, fa, store.Mark{Out: true}); err != nil {
		t.Fatal(err)
	}
	m, err := fx.st.SaveMark(ctx, f, fa, store.Mark{})
	if err != nil || m.Version != 2 {
		t.Fatalf("second mark: %+v %v", m, err)
	}
	marks, err := fx.st.ListMarks(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := marks[b.ID]; got.Into != a.ID || got.Version != 4 {
		t.Errorf("marks of b: %+v, want into %s at version 4", got, a.ID)
	}
	if got := marks[a.ID]; got.Out || got.Version != 2 {
		t.Errorf("marks of a: %+v, want the latest (in) at version 2", got)
	}
	if err := fx.st.Delete(ctx, f, b.ID); err != nil {
		t.Fatal(err)
	}
	marks, err = fx.st.ListMarks(ctx, f.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := marks[b.ID]; ok {
		t.Error("a deleted question's marks are kept")
	}
	if _, err := fx.st.SaveMark(ctx, f, fb, store.Mark{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("mark of a deleted question: %v, want ErrNotFound", err)
	}
}
