package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"loa/functions/s3test"
	"loa/functions/store"
)

// The keys of the exporter's files are those existing buckets hold.
func TestSnapshotAndExportKeys(t *testing.T) {
	fx := s3test.New(t, s3test.Options{Config: store.Config{Prefix: "loa"}})
	st, ctx := fx.Store, context.Background()
	if _, err := st.GetSnapshot(ctx, "cau-hoi"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no snapshot yet: %v, want ErrNotFound", err)
	}
	snap := []byte("LOA-SNAPSHOT 1\n…")
	if err := st.PutSnapshot(ctx, "cau-hoi", bytes.NewReader(snap), int64(len(snap))); err != nil {
		t.Fatal(err)
	}
	if k := fx.Keys(t, ""); len(k) != 1 || k[0] != "loa/snapshots/cau-hoi.bin" {
		t.Errorf("snapshot keys %q, want [loa/snapshots/cau-hoi.bin]", k)
	}
	body, err := st.GetSnapshot(ctx, "cau-hoi")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(got, snap) {
		t.Errorf("snapshot read back as %q", got)
	}
	if err := st.DeleteSnapshot(ctx, "cau-hoi"); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteSnapshot(ctx, "cau-hoi"); err != nil {
		t.Errorf("deleting no snapshot: %v", err)
	}

	csv := []byte("\ufeffMã\r\n")
	link, err := st.PutExport(ctx, "cau-hoi", store.ExportFile{
		Name: "cau-hoi-2023-04-20.csv", ContentType: "text/csv; charset=utf-8", Body: bytes.NewReader(csv), Size: int64(len(csv)),
	}, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	keys := fx.Keys(t, "loa/exports/")
	if len(keys) != 1 || !regexp.MustCompile(`^loa/exports/cau-hoi/cau-hoi-2023-04-20-[0-9a-f]{16}\.csv$`).MatchString(keys[0]) {
		t.Fatalf("export keys %q", keys)
	}
	u, _ := url.Parse(link)
	if u.Query().Get("X-Amz-Expires") != "300" || u.Query().Get("response-content-disposition") != `attachment; filename="cau-hoi-2023-04-20.csv"` {
		t.Errorf("link %s", link)
	}
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, csv) {
		t.Errorf("download: %d %q", res.StatusCode, got)
	}

	// A cutoff before the export keeps it; a zero one deletes every export.
	if err := st.PurgeExports(ctx, "cau-hoi", time.Now().Add(-time.Hour)); err != nil || len(fx.Keys(t, "loa/exports/")) != 1 {
		t.Errorf("purge of older exports: %v, left %q", err, fx.Keys(t, "loa/exports/"))
	}
	if err := st.PurgeExports(ctx, "cau-hoi", time.Time{}); err != nil || len(fx.Keys(t, "loa/exports/")) != 0 {
		t.Errorf("purge of all exports: %v, left %q", err, fx.Keys(t, "loa/exports/"))
	}
}
