package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"loa/content"
	"loa/functions/forms"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/site"
)

var open = time.Date(2023, 4, 5, 9, 0, 0, 0, time.UTC)

// recording wraps the S3 client: it remembers every write and can fail the
// writes of keys with a given part, as a crash between two writes would.
type recording struct {
	store.API
	mu     sync.Mutex
	puts   []*s3.PutObjectInput
	failOn string
}

func (r *recording) PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	r.mu.Lock()
	r.puts = append(r.puts, in)
	fail := r.failOn != "" && strings.Contains(*in.Key, r.failOn)
	r.mu.Unlock()
	if fail {
		return nil, errors.New("simulated crash")
	}
	return r.API.PutObject(ctx, in, opts...)
}

type fixture struct {
	*s3test.Fixture
	t   *testing.T
	api *recording
	now time.Time
	st  *store.Store
	dai *forms.Form
}

func newFixture(t *testing.T) *fixture {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{t: t, now: time.Now(), dai: reg.Form("dai-bieu")}
	fx.Fixture = s3test.New(t, s3test.Options{
		Config: store.Config{Prefix: "p", Grace: 10 * time.Minute, Now: func() time.Time { return fx.now }},
		Wrap:   func(api store.API) store.API { fx.api = &recording{API: api}; return fx.api },
	})
	fx.st = fx.Store
	return fx
}

func (fx *fixture) keys(prefix string) []string { return fx.Keys(fx.t, prefix) }

func (fx *fixture) delegate(t *testing.T, i int) *forms.Submission {
	t.Helper()
	sub, errs := fx.dai.Validate(url.Values{
		"chi_doan": {"Chi đoàn Tổ dân phố 3"}, "ho_ten": {fmt.Sprintf("Đại biểu %d", i)}, "chuc_vu": {"Bí thư"},
		"nam_sinh": {"1999"}, "dien_thoai": {fmt.Sprintf("09%08d", i)}, "dong_y": {"co"},
	}, open)
	if errs != nil {
		t.Fatal(errs)
	}
	return sub
}

func TestEveryWriteAsksForEncryption(t *testing.T) {
	fx := newFixture(t)
	for i := range 3 {
		if _, err := fx.st.Save(context.Background(), fx.delegate(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	// Slot claims try 1..N in order: 1 + 2 + 3 attempts, then 3 rows.
	if len(fx.api.puts) != 9 || len(fx.keys("p/quota/")) != 3 || len(fx.keys("p/submissions/")) != 3 {
		t.Fatalf("%d writes, %d slots, %d rows", len(fx.api.puts), len(fx.keys("p/quota/")), len(fx.keys("p/submissions/")))
	}
	for _, in := range fx.api.puts {
		if in.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToString(in.IfNoneMatch) != "*" {
			t.Errorf("%s: SSE %q, If-None-Match %q", *in.Key, in.ServerSideEncryption, aws.ToString(in.IfNoneMatch))
		}
		if !strings.HasPrefix(*in.Key, "p/submissions/dai-bieu/") && !strings.HasPrefix(*in.Key, "p/quota/dai-bieu/chi-doan-to-dan-pho-3/") {
			t.Errorf("key %s", *in.Key)
		}
	}
}

// A crash after the slot is claimed and before the row is written: the
// retry of the same answer finds its own slot and writes the row.
func TestCrashRetryRepairsItself(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	fx.api.failOn = "/submissions/"
	if _, err := fx.st.Save(ctx, fx.delegate(t, 1)); err == nil {
		t.Fatal("a failed write was acknowledged")
	}
	if slots := fx.keys("p/quota/"); len(slots) != 1 || len(fx.keys("p/submissions/")) != 0 {
		t.Fatalf("after the crash: slots %v", slots)
	}
	fx.api.failOn = ""
	rc, err := fx.st.Save(ctx, fx.delegate(t, 1))
	if err != nil || rc.Slot != 1 || rc.Duplicate {
		t.Fatalf("retry: %+v %v", rc, err)
	}
	if len(fx.keys("p/quota/")) != 1 || len(fx.keys("p/submissions/")) != 1 {
		t.Fatal("the retry took a second slot or wrote nothing")
	}
	rc, err = fx.st.Save(ctx, fx.delegate(t, 1))
	if err != nil || !rc.Duplicate {
		t.Fatalf("resend: %+v %v", rc, err)
	}
}

// An orphan slot (its owner died and never came back) blocks a place only
// for the grace period.
func TestOrphanSlotIsFreedAfterGrace(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	for i := range 4 {
		if _, err := fx.st.Save(ctx, fx.delegate(t, i)); err != nil {
			t.Fatal(err)
		}
	}
	fx.api.failOn = "/submissions/"
	if _, err := fx.st.Save(ctx, fx.delegate(t, 4)); err == nil {
		t.Fatal("crash acknowledged")
	}
	fx.api.failOn = ""

	var qe *store.QuotaError
	if _, err := fx.st.Save(ctx, fx.delegate(t, 5)); !errors.As(err, &qe) || qe.Quota != 5 {
		t.Fatalf("within grace: %v, want quota full", err)
	}
	if !strings.HasPrefix(qe.Message(), "Chi đoàn Tổ dân phố 3 đã đăng ký đủ 5 đại biểu") {
		t.Errorf("message %q", qe.Message())
	}

	fx.now = fx.now.Add(11 * time.Minute)
	rc, err := fx.st.Save(ctx, fx.delegate(t, 5))
	if err != nil || rc.Slot != 5 {
		t.Fatalf("after grace: %+v %v", rc, err)
	}
	if n := len(fx.keys("p/submissions/")); n != 5 {
		t.Fatalf("%d rows", n)
	}
	// Live rows are never taken over, however old.
	fx.now = fx.now.Add(time.Hour)
	if _, err := fx.st.Save(ctx, fx.delegate(t, 6)); !errors.As(err, &qe) {
		t.Fatalf("sixth delegate: %v", err)
	}
	// The dead owner comes back with a retry: its place is gone, and it is told so.
	if _, err := fx.st.Save(ctx, fx.delegate(t, 4)); !errors.As(err, &qe) {
		t.Fatalf("late retry: %v", err)
	}
	if n := len(fx.keys("p/submissions/")); n != 5 {
		t.Fatalf("%d rows after all", n)
	}
}

func TestListReadDelete(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		rc, err := fx.st.Save(ctx, fx.delegate(t, i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rc.ID)
	}
	var all []string
	token := ""
	pages := 0
	for {
		keys, next, err := fx.st.ListKeys(ctx, "dai-bieu", token, 2)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, keys...)
		pages++
		if next == "" {
			break
		}
		token = next
	}
	if len(all) != 5 || pages != 3 {
		t.Fatalf("%d keys in %d pages", len(all), pages)
	}
	rec, err := fx.st.Read(ctx, fx.dai, all[0])
	if err != nil || rec.Values["chi_doan"] != "Chi đoàn Tổ dân phố 3" || rec.Values["dong_y"] != "2023-04-01" {
		t.Fatalf("read: %+v %v", rec, err)
	}
	var qe *store.QuotaError
	if _, err := fx.st.Save(ctx, fx.delegate(t, 9)); !errors.As(err, &qe) {
		t.Fatalf("full: %v", err)
	}
	if err := fx.st.Delete(ctx, fx.dai, ids[2]); err != nil {
		t.Fatal(err)
	}
	if err := fx.st.Delete(ctx, fx.dai, ids[2]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if len(fx.keys("p/quota/")) != 4 {
		t.Fatal("slot not freed")
	}
	if rc, err := fx.st.Save(ctx, fx.delegate(t, 9)); err != nil || rc.Slot != 3 {
		t.Fatalf("freed place: %+v %v", rc, err)
	}
}

// A nomination whose row cannot be written leaves no file behind: a file
// with no row is personal data that no one can find, list or delete on
// request. The resend stores both.
func TestFailedRowLeavesNoFile(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	nominate := func() *forms.Submission {
		sub, errs := reg.Form("de-cu").ValidateFiles(url.Values{
			"chi_doan": {"Chi đoàn Tổ dân phố 3"}, "nguoi_gui": {"Lê Thị Gửi"}, "dien_thoai": {"0987111222"},
			"ho_ten": {"Phạm Văn Tiêu Biểu"}, "nam_sinh": {"1997"}, "linh_vuc": {"Chuyển đổi số, sáng tạo"},
			"thanh_tich": {"Mở lớp dạy kỹ năng số."}, "dong_y": {"co"},
		}, map[string][]byte{"tep": []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")}, open)
		if errs != nil {
			t.Fatal(errs)
		}
		return sub
	}
	fx.api.failOn = "/submissions/"
	if _, err := fx.st.Save(ctx, nominate()); err == nil {
		t.Fatal("a failed write was acknowledged")
	}
	if files := fx.keys("p/uploads/"); len(files) != 0 {
		t.Errorf("after the row failed, files are left: %q", files)
	}
	fx.api.failOn = ""
	if _, err := fx.st.Save(ctx, nominate()); err != nil {
		t.Fatal(err)
	}
	if rows, files := fx.keys("p/submissions/de-cu/"), fx.keys("p/uploads/de-cu/"); len(rows) != 1 || len(files) != 1 {
		t.Errorf("resend: rows %q, files %q", rows, files)
	}
}

// The receipt carries the object as written: decoded, it is the row that
// Read gives back; a resend writes nothing and carries nothing.
func TestReceiptBodyIsTheStoredRow(t *testing.T) {
	fx := newFixture(t)
	sub := fx.delegate(t, 7)
	rc, err := fx.st.Save(context.Background(), sub)
	if err != nil || rc.Duplicate || len(rc.Body) == 0 {
		t.Fatalf("save: %+v, %v; want a receipt with the body written", rc, err)
	}
	fromBody, err := store.Decode(fx.dai, rc.Key, rc.Body)
	if err != nil {
		t.Fatal(err)
	}
	read, err := fx.st.Read(context.Background(), fx.dai, rc.Key)
	if err != nil {
		t.Fatal(err)
	}
	if fromBody.ID != read.ID || !fromBody.Time.Equal(read.Time) || fmt.Sprint(fromBody.Values) != fmt.Sprint(read.Values) {
		t.Errorf("decoded from the receipt %+v, read back %+v", fromBody, read)
	}
	again, err := fx.st.Save(context.Background(), sub)
	if err != nil || !again.Duplicate || again.Body != nil {
		t.Errorf("resend: %+v, %v; want a duplicate without a body", again, err)
	}
	if _, err := store.Decode(fx.dai, rc.Key, []byte("Mã\n")); err == nil {
		t.Error("a body without a row decoded without an error")
	}
}
