package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
	"loa/functions/s3test"
	"loa/functions/store"
)

// put writes key straight to the server, as an older version of Loa or
// another client would have.
func (fx *fixture) put(t testing.TB, key string, body []byte) {
	t.Helper()
	if _, err := fx.Server.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(s3test.Bucket), Key: &key, Body: bytes.NewReader(body),
	}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// The public answers are no single object that grows: past the size at
// which the old index (answers/public/cau-hoi.json, read through a 1 MiB
// limit) broke every deletion, save and listing, all three still work.
func TestPublicPastOneMiB(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	var f *forms.Form
	var ids []string
	text := strings.Repeat("<", 10000) // 6 bytes each in JSON
	for i := range 20 {
		var rc store.Receipt
		f, rc = fx.question(t, fmt.Sprintf("Câu hỏi số %d?", i))
		found, err := fx.st.FindByID(ctx, f, rc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.st.SaveAnswer(ctx, f, found, 0, store.Answer{Status: store.StatusAnswered, Text: text, By: "Cán bộ", Public: true}); err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		ids = append(ids, rc.ID)
	}
	list, err := fx.st.PublicAnswers(ctx, f)
	if err != nil || len(list) != 20 {
		t.Fatalf("public answers: %d, %v", len(list), err)
	}
	_, never := fx.question(t, "Câu hỏi chưa công bố?")
	for _, id := range []string{never.ID, ids[3]} {
		if err := fx.st.Delete(ctx, f, id); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	if list, err := fx.st.PublicAnswers(ctx, f); err != nil || len(list) != 19 {
		t.Fatalf("after deletion: %d, %v", len(list), err)
	}
}

// A reader never truncates: an object over the limit is an error that
// names it.
func TestReadOverLimitNamesObject(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, rc := fx.question(t, "Câu hỏi?")
	found, err := fx.st.FindByID(ctx, f, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	key := "p/answers/cau-hoi/" + found.Hash + "/000001.json"
	fx.put(t, key, bytes.Repeat([]byte(" "), 1<<20+1))
	_, err = fx.st.PublicAnswers(ctx, f)
	if err == nil || !strings.Contains(err.Error(), key) {
		t.Fatalf("an object of 1 MiB + 1 byte read as %v, want an error naming %s", err, key)
	}
}

// A version written before versions carried their public entry is shown
// as it was published, and the old index, which nothing reads, goes with
// the next save.
func TestPublicFromOlderVersions(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, rc := fx.question(t, "Câu hỏi cũ?")
	found, err := fx.st.FindByID(ctx, f, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := json.Marshal(map[string]any{"version": 1, "status": "answered", "answer": "Trả lời cũ", "by": "Cán bộ", "public": true, "at": time.Now()})
	fx.put(t, "p/answers/cau-hoi/"+found.Hash+"/000001.json", old)
	fx.put(t, "p/answers/public/cau-hoi.json", []byte(`[{"id":"`+rc.ID+`","question":"Câu hỏi cũ?"}]`))
	list, err := fx.st.PublicAnswers(ctx, f)
	if err != nil || len(list) != 1 || list[0].Answer != "Trả lời cũ" || list[0].Question != "Câu hỏi cũ?" || list[0].ID != rc.ID {
		t.Fatalf("public %+v %v", list, err)
	}
	if _, err := fx.st.SaveAnswer(ctx, f, found, 1, store.Answer{Status: store.StatusAnswered, Text: "Trả lời mới", Public: false}); err != nil {
		t.Fatal(err)
	}
	if list, err := fx.st.PublicAnswers(ctx, f); err != nil || len(list) != 0 {
		t.Fatalf("after taking it off: %+v %v", list, err)
	}
	if keys := fx.keys("p/answers/public/"); len(keys) != 0 {
		t.Errorf("the old index is still there: %v", keys)
	}
}

// Staff's public wording is what is published; the asker's text stays
// in the row.
func TestPublicWording(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	f, rc := fx.question(t, "Tôi là Nguyễn Văn An, số 0912345678, hỏi về sân bóng?")
	found, _ := fx.st.FindByID(ctx, f, rc.ID)
	if _, err := fx.st.SaveAnswer(ctx, f, found, 0, store.Answer{Status: store.StatusAnswered, Text: "Có.", Public: true, Question: "Hỏi về sân bóng?"}); err != nil {
		t.Fatal(err)
	}
	list, err := fx.st.PublicAnswers(ctx, f)
	if err != nil || len(list) != 1 || list[0].Question != "Hỏi về sân bóng?" {
		t.Fatalf("public %+v %v", list, err)
	}
	rec, err := fx.st.Read(ctx, f, rc.Key)
	if err != nil || !strings.Contains(rec.Values["noi_dung"], "0912345678") {
		t.Errorf("the asker's text: %q %v", rec.Values["noi_dung"], err)
	}
}

// /hoi-dap/ at 5,000 published answers: the first listing reads each
// latest version once, the next ones only list.
func TestPublicAnswersAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 5,000 answered questions")
	}
	fx := newFixture(t)
	ctx := context.Background()
	f, _ := fx.question(t, "Câu hỏi đầu?")
	const n = 5000
	var g errgroup.Group
	g.SetLimit(16)
	for i := range n {
		g.Go(func() error {
			sub, errs := f.Validate(url.Values{
				"ho_ten": {"Người hỏi"}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912345678"},
				"linh_vuc": {"Khác"}, "noi_dung": {fmt.Sprintf("Câu hỏi số %d về việc làm của thanh niên trong phường?", i)}, "dong_y": {"co"}, "cong_bo": {"co"},
			}, open)
			if errs != nil {
				return fmt.Errorf("%v", errs)
			}
			rc, err := fx.st.Save(ctx, sub)
			if err != nil {
				return err
			}
			rec := sub.Record(time.Now())
			rec.ID = rc.ID
			a := store.Answer{Version: 1, Status: store.StatusAnswered, Text: strings.Repeat("Câu trả lời của phường. ", 20), Public: true, At: time.Now(), Decided: true}
			a.Shown = store.PublicEntryOf(f, rec, a)
			body, _ := json.Marshal(a)
			fx.put(t, "p/answers/cau-hoi/"+rc.Hash+"/000001.json", body)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	for _, round := range []string{"cold", "warm"} {
		start := time.Now()
		list, err := fx.st.PublicAnswers(ctx, f)
		took := time.Since(start)
		if err != nil || len(list) != n {
			t.Fatalf("%s: %d entries, %v", round, len(list), err)
		}
		t.Logf("%s listing of %d published answers: %v", round, n, took.Round(time.Millisecond))
		if limit := map[string]time.Duration{"cold": 30 * time.Second, "warm": 5 * time.Second}[round]; took > limit {
			t.Errorf("%s listing took %v, want under %v", round, took, limit)
		}
	}
}
