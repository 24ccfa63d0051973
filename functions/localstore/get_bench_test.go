package localstore

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

var leanOpts = func(*s3.Options) {}

// BenchmarkGetObject is one read of a form-sized object through the SDK,
// over loopback, from the in-memory store: what an export without a
// snapshot pays for every submission, both sides counted.
func BenchmarkGetObject(b *testing.B) {
	srv, err := Start(opts(b, ""))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	body := bytes.Repeat([]byte("Nguyễn Văn A,0912345678,câu hỏi về việc làm; "), 12)
	const keys = 256
	for i := range keys {
		if _, err := srv.Client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("loa/submissions/cau-hoi/%064x.csv", i)),
			Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			out, err := srv.Client.GetObject(context.Background(), &s3.GetObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("loa/submissions/cau-hoi/%064x.csv", i%keys)),
			}, leanOpts)
			if err != nil {
				b.Error(err)
				return
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil || len(got) != len(body) {
				b.Errorf("read %d bytes, %v; want %d", len(got), err, len(body))
				return
			}
		}
	})
}
