package localstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

type objectState struct {
	body, contentType, etag, consent string
	modified                         string
}

func state(t *testing.T, c *s3.Client) map[string]objectState {
	t.Helper()
	out := map[string]objectState{}
	for k, m := range list(t, c) {
		head, body := get(t, c, k)
		out[k] = objectState{body: body, contentType: aws.ToString(head.ContentType), etag: aws.ToString(head.ETag),
			consent: head.Metadata["consent"], modified: m.String()}
	}
	return out
}

// A journal mostly made of overwritten and deleted objects is rewritten
// with the live records when it is opened: smaller, the same state, and it
// goes on taking writes.
func TestCompaction(t *testing.T) {
	defer func(v int64) { compactAbove = v }(compactAbove)
	compactAbove = 1 << 20
	dir := t.TempDir()
	path := filepath.Join(dir, journalName)
	srv := start(t, dir)
	big := strings.Repeat("bản tổng hợp ", 8000) // about 120 KB
	for i := range 30 {
		if err := put(t, srv.Client, "snapshots/cau-hoi.bin", fmt.Sprintf("%d %s", i, big), nil); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		err := put(t, srv.Client, fmt.Sprintf("submissions/%02d.csv", i), fmt.Sprintf("hàng %d", i), func(in *s3.PutObjectInput) {
			in.ContentType = aws.String("text/csv; charset=utf-8")
			in.Metadata = map[string]string{"consent": fmt.Sprint("v", i)}
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"submissions/02.csv", "submissions/05.csv"} {
		if _, err := srv.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// A bucket made and dropped leaves nothing either.
	if _, err := srv.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("tam-thoi")}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String("tam-thoi")}); err != nil {
		t.Fatal(err)
	}
	before := state(t, srv.Client)
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	grown := fi.Size()
	if grown < 3<<20 {
		t.Fatalf("test setup: journal of %d bytes, want over 3 MB", grown)
	}

	srv = start(t, dir)
	fi, _ = os.Stat(path)
	if fi.Size() > grown/10 {
		t.Errorf("journal of %d bytes after compaction, was %d", fi.Size(), grown)
	}
	if _, err := os.Stat(filepath.Join(dir, compactTemp)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the temporary file is left: %v", err)
	}
	after := state(t, srv.Client)
	if len(after) != 9 || fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("state after compaction differs:\n%v\nbefore:\n%v", after, before)
	}
	out, err := srv.Client.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil || len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != bucket {
		t.Errorf("buckets after compaction: %v, %v", out, err)
	}
	// It goes on: a write after compaction survives another restart, and
	// a journal with little to drop is left as it is.
	if err := put(t, srv.Client, "submissions/10.csv", "hàng 10", nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	size := fi.Size()
	srv = start(t, dir)
	defer srv.Close()
	if fi, _ = os.Stat(path); fi.Size() != size {
		t.Errorf("a compact journal was rewritten: %d bytes, was %d", fi.Size(), size)
	}
	if got := state(t, srv.Client); len(got) != 10 || got["submissions/10.csv"].body != "hàng 10" {
		t.Errorf("after the next restart: %v", got)
	}
}
