package localstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
)

const bucket = "loa-test"

// opts are the options of a test server on dir ("" in memory): a folder's
// access key is kept in it, as make serve keeps it.
func opts(t testing.TB, dir string) Options {
	t.Helper()
	o := Options{Dir: dir, Buckets: []string{bucket}, Credentials: NewCredentials()}
	if dir != "" {
		var err error
		if o.Credentials, err = DirCredentials(dir); err != nil {
			t.Fatal(err)
		}
	}
	return o
}

func start(t *testing.T, dir string) *Server {
	t.Helper()
	srv, err := Start(opts(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

func put(t *testing.T, c *s3.Client, key, body string, mod func(*s3.PutObjectInput)) error {
	t.Helper()
	in := &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          strings.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	if mod != nil {
		mod(in)
	}
	_, err := c.PutObject(context.Background(), in)
	return err
}

func get(t *testing.T, c *s3.Client, key string) (*s3.GetObjectOutput, string) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out, string(b)
}

func list(t *testing.T, c *s3.Client) map[string]time.Time {
	t.Helper()
	keys := map[string]time.Time{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(7)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys[aws.ToString(o.Key)] = aws.ToTime(o.LastModified)
		}
	}
	return keys
}

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Objects, their metadata and their LastModified (in the listing and in
// the object's own headers) are the same after a restart; deletes stay
// deleted.
func TestRestartKeepsObjectsAndMetadata(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, dir)
	for i := range 20 {
		if err := put(t, srv.Client, fmt.Sprintf("a/%02d.csv", i), fmt.Sprintf("row %d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	err := put(t, srv.Client, "meta.csv", "ten,năm\n", func(in *s3.PutObjectInput) {
		in.ContentType = aws.String("text/csv; charset=utf-8")
		in.Metadata = map[string]string{"consent": "v2"}
		in.IfNoneMatch = aws.String("*")
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("a/03.csv")}); err != nil {
		t.Fatal(err)
	}
	_, err = srv.Client.DeleteObjects(context.Background(), &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a/04.csv")}, {Key: aws.String("a/05.csv")}, {Key: aws.String("none")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	before := list(t, srv.Client)
	head, body := get(t, srv.Client, "meta.csv")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}

	srv = start(t, dir)
	defer srv.Close()
	after := list(t, srv.Client)
	if len(after) != 18 || len(before) != 18 {
		t.Fatalf("%d objects before, %d after, want 18", len(before), len(after))
	}
	for k, m := range before {
		if !after[k].Equal(m) {
			t.Errorf("%s: listed LastModified %v before, %v after", k, m, after[k])
		}
	}
	for _, k := range []string{"a/03.csv", "a/04.csv", "a/05.csv"} {
		if _, ok := after[k]; ok {
			t.Errorf("%s deleted, back after restart", k)
		}
	}
	head2, body2 := get(t, srv.Client, "meta.csv")
	if body2 != body || aws.ToString(head2.ContentType) != "text/csv; charset=utf-8" ||
		head2.Metadata["consent"] != "v2" || aws.ToString(head2.ETag) != aws.ToString(head.ETag) ||
		!aws.ToTime(head2.LastModified).Equal(aws.ToTime(head.LastModified)) {
		t.Fatalf("after restart: %q %q %v %s %v; before %q %v", body2, aws.ToString(head2.ContentType), head2.Metadata,
			aws.ToString(head2.ETag), head2.LastModified, body, head.LastModified)
	}
	// A conditional create of an object written before the restart fails.
	if err := put(t, srv.Client, "meta.csv", "x", func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }); status(err) != http.StatusPreconditionFailed {
		t.Fatalf("If-None-Match after restart: %v", err)
	}
}

// A record torn by a crash in the middle of its write was never
// acknowledged: it is dropped, and the store carries on after it.
func TestTornTailIsDropped(t *testing.T) {
	for _, tail := range []struct {
		name string
		cut  func(rec []byte) []byte
	}{
		{"header", func(rec []byte) []byte { return rec[:5] }},
		{"payload", func(rec []byte) []byte { return rec[:len(rec)-3] }},
		{"checksum", func(rec []byte) []byte { r := bytes.Clone(rec); r[len(r)-1] ^= 0xff; return r }},
		{"zeros", func(rec []byte) []byte { return make([]byte, 100) }},
	} {
		t.Run(tail.name, func(t *testing.T) {
			dir := t.TempDir()
			srv := start(t, dir)
			if err := put(t, srv.Client, "kept", "acknowledged", nil); err != nil {
				t.Fatal(err)
			}
			srv.Close()
			path := filepath.Join(dir, journalName)
			whole, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// The last record (the put of "kept") as a model of a torn one.
			last := lastRecord(t, whole)
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write(tail.cut(last))
			f.Close()

			srv = start(t, dir)
			if _, body := get(t, srv.Client, "kept"); body != "acknowledged" {
				t.Fatalf("body %q", body)
			}
			if err := put(t, srv.Client, "later", "after the tear", nil); err != nil {
				t.Fatal(err)
			}
			srv.Close()
			srv = start(t, dir)
			defer srv.Close()
			if keys := list(t, srv.Client); len(keys) != 2 {
				t.Fatalf("keys %v", keys)
			}
			if _, body := get(t, srv.Client, "later"); body != "after the tear" {
				t.Fatalf("body %q", body)
			}
		})
	}
}

// lastRecord returns the last whole record of a journal.
func lastRecord(t *testing.T, j []byte) []byte {
	t.Helper()
	off, last := len(journalMagic), []byte(nil)
	for off < len(j) {
		n := int(binary.LittleEndian.Uint32(j[off:]))
		last = j[off : off+recordHeader+n]
		off += recordHeader + n
	}
	return last
}

// A bad record followed by good ones is damage, not a torn write: Start
// refuses rather than silently dropping what follows.
func TestCorruptionInTheMiddleIsRefused(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, dir)
	for i := range 3 {
		if err := put(t, srv.Client, fmt.Sprint(i), "body", nil); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	path := filepath.Join(dir, journalName)
	b, _ := os.ReadFile(path)
	b[len(journalMagic)+recordHeader+2] ^= 0xff // inside the first record
	os.WriteFile(path, b, 0o600)
	if srv, err := Start(opts(t, dir)); err == nil {
		srv.Close()
		t.Fatal("started on a corrupt journal")
	}
}

// Conditional puts through the journal stay atomic: of many concurrent
// creates of one key exactly one wins, of many replacements of one ETag
// exactly one wins, and the restarted store holds the winners.
func TestConcurrentConditionalPuts(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, dir)
	const n = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[string][]int{}
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := put(t, srv.Client, "slot", fmt.Sprint("owner ", i), func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
			mu.Lock()
			defer mu.Unlock()
			switch status(err) {
			case 0:
				won["create"] = append(won["create"], i)
			case http.StatusPreconditionFailed, http.StatusConflict:
			default:
				t.Errorf("create %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if len(won["create"]) != 1 {
		t.Fatalf("%d creates won, want 1", len(won["create"]))
	}
	head, _ := get(t, srv.Client, "slot")
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := put(t, srv.Client, "slot", fmt.Sprint("taker ", i), func(in *s3.PutObjectInput) { in.IfMatch = head.ETag })
			mu.Lock()
			defer mu.Unlock()
			switch status(err) {
			case 0:
				won["take"] = append(won["take"], i)
			case http.StatusPreconditionFailed, http.StatusConflict:
			default:
				t.Errorf("take over %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if len(won["take"]) != 1 {
		t.Fatalf("%d take-overs won, want 1", len(won["take"]))
	}
	srv.Close()
	srv = start(t, dir)
	defer srv.Close()
	if _, body := get(t, srv.Client, "slot"); body != fmt.Sprint("taker ", won["take"][0]) {
		t.Fatalf("after restart the slot holds %q", body)
	}
}

func BenchmarkReplay100k(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, journalName)
	j, err := openJournal(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := j.CreateBucket(bucket); err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("Nguyễn Văn A,0912345678,câu hỏi về việc làm; "), 20) // ~1 KB
	for i := range 100_000 {
		meta := map[string]string{
			"Content-Type": "text/csv; charset=utf-8", "Last-Modified": time.Now().Format(http.TimeFormat),
			"X-Amz-Server-Side-Encryption": "AES256", "X-Amz-Date": "20230405T020000Z",
		}
		key := fmt.Sprintf("loa/submissions/cau-hoi/%064x.csv", i)
		if _, err := j.PutObject(bucket, key, meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			b.Fatal(err)
		}
	}
	j.Close()
	j = nil
	var heap uint64
	for b.Loop() {
		j, err := openJournal(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := j.HeadObject(bucket, fmt.Sprintf("loa/submissions/cau-hoi/%064x.csv", 99_999)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc // j is still live here
		j.Close()
		b.StartTimer()
	}
	st, _ := os.Stat(path)
	b.ReportMetric(float64(st.Size())/1e6, "journal-MB")
	b.ReportMetric(float64(heap)/1e6, "heap-MB")
}

var _ gofakes3.Backend = (*journal)(nil)

// BenchmarkPutObject is one conditional create of a form-sized object
// through the SDK, over loopback, into the on-disk store.
func BenchmarkPutObject(b *testing.B) {
	srv, err := Start(opts(b, b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	body := bytes.Repeat([]byte("Nguyễn Văn A,0912345678,câu hỏi về việc làm; "), 12)
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := srv.Client.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket:        aws.String(bucket),
				Key:           aws.String(fmt.Sprintf("loa/submissions/cau-hoi/%064x.csv", next.Add(1))),
				Body:          bytes.NewReader(body),
				ContentLength: aws.Int64(int64(len(body))),
				ContentType:   aws.String("text/csv; charset=utf-8"),
				IfNoneMatch:   aws.String("*"),
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// A second process cannot open a store folder in use (two writers would
// overwrite each other's records); it is told the holder's endpoint and can
// go through it. Closing frees the folder and withdraws the endpoint.
func TestOneProcessAtATime(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, dir)
	if err := put(t, srv.Client, "a.csv", "hàng một", nil); err != nil {
		t.Fatal(err)
	}
	second, err := Start(opts(t, dir))
	if err == nil {
		second.Close()
		t.Fatal("a second Start on the same folder succeeded")
	}
	busy, ok := errors.AsType[*BusyError](err)
	if !ok || busy.Endpoint != srv.Endpoint || busy.Dir != dir {
		t.Fatalf("second Start: %v (%#v), want a BusyError naming %s", err, busy, srv.Endpoint)
	}
	creds, err := ReadCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	holder, err := NewClient(busy.Endpoint, creds)
	if err != nil {
		t.Fatal(err)
	}
	if _, body := get(t, holder, "a.csv"); body != "hàng một" {
		t.Errorf("through the holder's endpoint: %q", body)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, endpointName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the endpoint file outlives the server: %v", err)
	}
	srv = start(t, dir)
	defer srv.Close()
	if _, body := get(t, srv.Client, "a.csv"); body != "hàng một" {
		t.Errorf("after reopening: %q", body)
	}
}
