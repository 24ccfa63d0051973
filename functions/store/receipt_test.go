package store_test

import (
	"context"
	"net/url"
	"testing"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/site"
)

// Receipt codes and ids are an HMAC of the content under the server's
// key: the plain SHA-256 of a guessed text no longer names the
// submission, a resend still gets its code, and a submission stored before
// the key keeps its code (a resend finds it, and so does a lookup).
func TestReceiptCodesKeyed(t *testing.T) {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := reg.Form("cau-hoi")
	sub := func(text string) *forms.Submission {
		s, errs := f.Validate(url.Values{
			"ho_ten": {"Nguyễn Văn An"}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
			"linh_vuc": {"Khác"}, "noi_dung": {text}, "dong_y": {"co"},
		}, open)
		if errs != nil {
			t.Fatal(errs)
		}
		return s
	}
	ctx := context.Background()
	fx := s3test.New(t, s3test.Options{Config: store.Config{Prefix: "p"}})
	// Stored before there was a key.
	before, err := fx.Store.Save(ctx, sub("Câu hỏi cũ?"))
	if err != nil {
		t.Fatal(err)
	}
	keyed, err := store.New(fx.Server.Client, store.Config{Bucket: s3test.Bucket, Prefix: "p", ReceiptKey: []byte("khóa của máy chủ")})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := keyed.Save(ctx, sub("Câu hỏi mới?"))
	if err != nil {
		t.Fatal(err)
	}
	plain := sub("Câu hỏi mới?").Hash()
	if rc.Hash == plain || rc.ID == plain[:forms.IDLength] || f.ReceiptCode(rc.Hash) == f.ReceiptCode(plain) {
		t.Fatalf("the code is the unkeyed hash's: %s", f.ReceiptCode(rc.Hash))
	}
	again, err := keyed.Save(ctx, sub("Câu hỏi mới?"))
	if err != nil || !again.Duplicate || again.Hash != rc.Hash {
		t.Errorf("resend: %+v %v, want the same code", again, err)
	}
	rec, err := keyed.Read(ctx, f, rc.Key)
	if err != nil || rec.ID != rc.ID {
		t.Errorf("the row's id %q, want %q (%v)", rec.ID, rc.ID, err)
	}
	old, err := keyed.Save(ctx, sub("Câu hỏi cũ?"))
	if err != nil || !old.Duplicate || old.Hash != before.Hash {
		t.Errorf("resend of a submission stored before the key: %+v %v, want its old code %s", old, err, f.ReceiptCode(before.Hash))
	}
	match := func(r forms.Record) bool { return f.MatchesContact(r, "5678") }
	for _, h := range []string{before.Hash, rc.Hash} {
		_, digits, _ := forms.ParseReceipt(f.ReceiptCode(h))
		if _, _, ok, err := keyed.Lookup(ctx, f, digits, match); !ok || err != nil {
			t.Errorf("lookup of %s: %v %v", f.ReceiptCode(h), ok, err)
		}
	}
	if n := len(fx.Keys(t, "p/submissions/cau-hoi/")); n != 2 {
		t.Errorf("%d submissions stored, want 2", n)
	}
}
