package store_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/store"
	"loa/site"
)

func (fx *fixture) question(t *testing.T, text string) (*forms.Form, store.Receipt) {
	t.Helper()
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := reg.Form("cau-hoi")
	sub, errs := f.Validate(url.Values{
		"ho_ten": {"Nguyễn Văn An"}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
		"linh_vuc": {"Khác"}, "noi_dung": {text}, "dong_y": {"co"}, "cong_bo": {"co"},
	}, open)
	if errs != nil {
		t.Fatal(errs)
	}
	rc, err := fx.st.Save(context.Background(), sub)
	if err != nil {
		t.Fatal(err)
	}
	return f, rc
}

func TestFindByCode(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, rc := fx.question(t, "Câu hỏi một?")
	hash := strings.TrimSuffix(rc.Key[strings.LastIndexByte(rc.Key, '/')+1:], ".csv")
	_, digits, ok := forms.ParseReceipt(f.ReceiptCode(hash))
	if !ok {
		t.Fatal("code does not parse")
	}
	found, err := fx.st.FindByCode(ctx, f, digits)
	if err != nil || len(found) != 1 || found[0].Hash != hash || found[0].Record.Values["noi_dung"] != "Câu hỏi một?" {
		t.Fatalf("FindByCode: %v %v", found, err)
	}
	if found, err := fx.st.FindByCode(ctx, f, "ffffffffff"); err != nil || len(found) != 0 {
		t.Errorf("unknown code: %v %v", found, err)
	}
}

// Two staff members save an answer to one question at once, both from
// version 0: one wins, the other gets a conflict, and both texts are kept.
func TestSaveAnswerConflict(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, rc := fx.question(t, "Câu hỏi hai?")
	hash := strings.TrimSuffix(rc.Key[strings.LastIndexByte(rc.Key, '/')+1:], ".csv")
	found, err := fx.st.FindByID(ctx, f, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, text := range []string{"Trả lời của chị Lan", "Trả lời của anh Minh"} {
		wg.Go(func() {
			_, errs[i] = fx.st.SaveAnswer(ctx, f, found, 0, store.Answer{Status: store.StatusAnswered, Text: text, By: "Cán bộ"})
		})
	}
	wg.Wait()
	var conflict *store.ConflictError
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.As(err, &conflict):
		default:
			t.Fatal(err)
		}
	}
	if won != 1 || conflict == nil || conflict.Latest != 1 {
		t.Fatalf("saves: %v, want one win and one conflict", errs)
	}
	latest, err := fx.st.LatestAnswer(ctx, f.ID, hash)
	if err != nil || latest.Version != 1 {
		t.Fatalf("latest %+v %v", latest, err)
	}
	kept, err := fx.st.Conflicts(ctx, f.ID, hash)
	if err != nil || len(kept) != 1 || kept[0].Text == latest.Text {
		t.Fatalf("conflict copies %+v %v", kept, err)
	}
	// A stale base is a conflict too; the latest base writes version 2.
	if _, err := fx.st.SaveAnswer(ctx, f, found, 0, store.Answer{Text: "cũ"}); !errors.As(err, &conflict) {
		t.Errorf("stale base: %v", err)
	}
	if a, err := fx.st.SaveAnswer(ctx, f, found, 1, store.Answer{Status: store.StatusAnswered, Text: "Bản mới"}); err != nil || a.Version != 2 {
		t.Errorf("second version: %+v %v", a, err)
	}
	all, err := fx.st.ListAnswers(ctx, f.ID)
	if err != nil || len(all) != 1 || all[rc.ID].Text != "Bản mới" {
		t.Errorf("ListAnswers %v %v", all, err)
	}

	// Published: the latest version carries its entry; deleting the
	// submission removes the answers and so the entry.
	if _, err := fx.st.SaveAnswer(ctx, f, found, 2, store.Answer{Status: store.StatusAnswered, Text: "Bản công bố", Public: true}); err != nil {
		t.Fatal(err)
	}
	if list, err := fx.st.PublicAnswers(ctx, f); err != nil || len(list) != 1 || list[0].Answer != "Bản công bố" || list[0].Question != "Câu hỏi hai?" {
		t.Fatalf("public %v %v", list, err)
	}
	if err := fx.st.Delete(ctx, f, rc.ID); err != nil {
		t.Fatal(err)
	}
	if keys := fx.keys("p/answers/cau-hoi/"); len(keys) != 0 {
		t.Errorf("answers left after deletion: %v", keys)
	}
	if list, err := fx.st.PublicAnswers(ctx, f); err != nil || len(list) != 0 {
		t.Errorf("public entry left after deletion: %v %v", list, err)
	}
	if _, err := fx.st.SaveAnswer(ctx, f, found, 3, store.Answer{Text: "sau khi xóa"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("answer to a deleted question: %v", err)
	}
}
