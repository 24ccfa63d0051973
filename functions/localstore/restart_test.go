package localstore

import (
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// A write-once object (the form store's If-None-Match: * create) is still
// there after a restart, and a resend of it is still refused with 412: the
// store answers "already stored" after a restart as before it.
func TestConditionalCreateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv := start(t, dir)
	once := func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") }
	const key, body = "loa/submissions/dai-bieu/0123abcd.csv", "Mã,Họ và tên\r\n0123abcd,Đại biểu\r\n"
	if err := put(t, srv.Client, key, body, once); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = start(t, dir)
	defer srv.Close()
	if _, got := get(t, srv.Client, key); got != body {
		t.Errorf("after restart the object holds %q, want %q", got, body)
	}
	if err := put(t, srv.Client, key, body, once); status(err) != http.StatusPreconditionFailed {
		t.Errorf("resend after restart: %v, want 412", err)
	}
}

// A journal written byte by byte in the format of the first journals
// (built here with encoding/binary and hash/crc32, not with the code that
// writes journals now) still opens.
func TestJournalOfTheFirstFormatOpens(t *testing.T) {
	at := time.Date(2023, 4, 5, 9, 0, 0, 0, time.UTC)
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	frame := func(j, p []byte) []byte {
		j = binary.LittleEndian.AppendUint32(j, uint32(len(p)))
		j = binary.LittleEndian.AppendUint32(j, crc32.Checksum(p, crc32.MakeTable(crc32.Castagnoli)))
		return append(j, p...)
	}
	j := []byte("LOAJRNL1")
	j = frame(j, binary.AppendVarint(str([]byte{1}, bucket), at.UnixNano())) // create bucket
	put := str([]byte{3}, bucket)
	put = str(put, "a/b.csv")
	put = binary.AppendVarint(put, at.Add(time.Minute).UnixNano())
	put = binary.AppendUvarint(put, 1)
	put = str(str(put, "Content-Type"), "text/csv")
	j = frame(j, append(put, "x,y\r\n"...))
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, journalName), j, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := start(t, dir)
	defer srv.Close()
	out, body := get(t, srv.Client, "a/b.csv")
	if body != "x,y\r\n" || aws.ToString(out.ContentType) != "text/csv" {
		t.Errorf("object %q, %s", body, aws.ToString(out.ContentType))
	}
	if mod := list(t, srv.Client)["a/b.csv"]; !mod.Equal(at.Add(time.Minute)) {
		t.Errorf("listed as modified %v, want %v (the journal's time)", mod, at.Add(time.Minute))
	}
}
