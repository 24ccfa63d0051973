package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"loa/functions/forms"
	"loa/functions/s3test"
	"loa/functions/store"
)

// tracing records the kind of every request, in order.
type tracing struct {
	store.API
	mu  sync.Mutex
	ops []string
}

func (c *tracing) add(op string) {
	c.mu.Lock()
	c.ops = append(c.ops, op)
	c.mu.Unlock()
}

func (c *tracing) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	c.add("get")
	return c.API.GetObject(ctx, in, o...)
}

func (c *tracing) HeadObject(ctx context.Context, in *s3.HeadObjectInput, o ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	c.add("head")
	return c.API.HeadObject(ctx, in, o...)
}

func (c *tracing) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, o ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	c.add("list")
	return c.API.ListObjectsV2(ctx, in, o...)
}

// A lookup makes the same requests, in the same order, for a code that
// names nothing, a known code with the wrong digits, a question waiting
// for its answer and an answered one: its time tells nothing.
func TestLookupSameReads(t *testing.T) {
	var tr *tracing
	fx := &fixture{t: t}
	fx.Fixture = s3test.New(t, s3test.Options{
		Config: store.Config{Prefix: "p"},
		Wrap:   func(api store.API) store.API { tr = &tracing{API: api}; return tr },
	})
	fx.st = fx.Store
	ctx := context.Background()
	f, waiting := fx.question(t, "Câu hỏi chờ trả lời?")
	_, answered := fx.question(t, "Câu hỏi đã trả lời?")
	found, _ := fx.st.FindByID(ctx, f, answered.ID)
	if _, err := fx.st.SaveAnswer(ctx, f, found, 0, store.Answer{Status: store.StatusAnswered, Text: "Có."}); err != nil {
		t.Fatal(err)
	}
	digits := func(rc store.Receipt) string {
		_, d, _ := forms.ParseReceipt(f.ReceiptCode(rc.Hash))
		return d
	}
	right := func(rec forms.Record) bool { return f.MatchesContact(rec, "5678") }
	wrong := func(rec forms.Record) bool { return f.MatchesContact(rec, "0000") }
	var want []string
	for _, tc := range []struct {
		name   string
		digits string
		match  func(forms.Record) bool
		ok     bool
	}{
		{"unknown code", strings.Repeat("7", forms.ReceiptHexLen), right, false},
		{"wrong digits", digits(waiting), wrong, false},
		{"waiting", digits(waiting), right, true},
		{"answered", digits(answered), right, true},
	} {
		tr.mu.Lock()
		tr.ops = nil
		tr.mu.Unlock()
		_, a, ok, err := fx.st.Lookup(ctx, f, tc.digits, tc.match)
		if err != nil || ok != tc.ok {
			t.Fatalf("%s: ok %v, %v", tc.name, ok, err)
		}
		if tc.name == "answered" && a.Text != "Có." {
			t.Errorf("answered: %+v", a)
		}
		if want == nil {
			want = tr.ops
		}
		if !slices.Equal(tr.ops, want) {
			t.Errorf("%s: requests %v, an unknown code's were %v", tc.name, tr.ops, want)
		}
	}
	t.Logf("every lookup: %v", want)
}
