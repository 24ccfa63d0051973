package export

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"slices"
	"testing"
	"time"

	"loa/content"
	"loa/functions/forms"
	"loa/site"
)

// A snapshot written for a form reads back row for row, and only for the
// same form with the same fields.
func TestSnapshotRoundTripAndFields(t *testing.T) {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := reg.Form("dai-bieu")
	rank := groupRanks(f)
	w, err := newSnapWriter(t.TempDir(), f)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	keys := []string{"a/1.csv", "a/2.csv", "a/3.csv"}
	var rows []row
	for i, k := range keys {
		vals := make([]string, len(f.Fields))
		for j := range vals {
			vals[j] = f.Fields[j].Name + " – giá trị " + k
		}
		vals[slices.IndexFunc(f.Fields, func(fl forms.Field) bool { return fl.Name == f.QuotaBy })] = f.ChiDoan[len(f.ChiDoan)-1-i]
		r := finishRow(f, rank, row{time: time.Unix(1680000000+int64(i), 5), id: "id" + k, vals: vals})
		rows = append(rows, r)
		if err := w.add(k, &r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.finish(); err != nil {
		t.Fatal(err)
	}

	s, reason := openSnapshot(w.file, f, rank)
	if reason != "" {
		t.Fatalf("sound snapshot refused: %s", reason)
	}
	if _, ok, _ := s.take("a/0.csv"); ok {
		t.Error("a key before the first row was found")
	}
	if r, ok, err := s.take("a/2.csv"); err != nil || !ok || r.id != rows[1].id || !slices.Equal(r.vals, rows[1].vals) || !r.time.Equal(rows[1].time) || r.rank != rows[1].rank || r.group != rows[1].group {
		t.Errorf("take a/2.csv: %+v, %v, %v; want %+v", r, ok, err, rows[1])
	}
	if s.dropped != 1 {
		t.Errorf("%d rows dropped on the way to a/2.csv, want 1 (a/1.csv)", s.dropped)
	}
	if err := s.rest(); err != nil || s.dropped != 2 {
		t.Errorf("rest: %v, dropped %d, want 2", err, s.dropped)
	}

	changed := *f
	changed.Fields = slices.Clone(f.Fields)
	changed.Fields[0].Name += "_moi"
	if _, reason := openSnapshot(w.file, &changed, rank); reason != "the form's fields have changed" {
		t.Errorf("fields changed: reason %q", reason)
	}
	other := *f
	other.ID = "cau-hoi"
	if _, reason := openSnapshot(w.file, &other, rank); reason != "snapshot of form dai-bieu" {
		t.Errorf("another form: reason %q", reason)
	}
}

// A snapshot written byte by byte in the first snapshot format (built here
// with encoding/binary and hash/crc32, not with the code that writes
// snapshots now) still opens, so that existing buckets keep their snapshots.
func TestSnapshotOfTheFirstFormatOpens(t *testing.T) {
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := reg.Form("cau-hoi")
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	b := []byte("LOA-SNAPSHOT 1\n")
	b = str(b, f.ID)
	b = binary.AppendUvarint(b, uint64(len(f.Fields)))
	for _, fl := range f.Fields {
		b = str(b, fl.Name)
	}
	const key = "loa/submissions/cau-hoi/0123456789ab.csv"
	at := time.Date(2023, 4, 5, 9, 0, 0, 7, time.UTC)
	b = str(b, key)
	b = binary.AppendVarint(b, at.UnixNano())
	b = str(b, "0123456789ab")
	for _, fl := range f.Fields {
		b = str(b, "giá trị "+fl.Name)
	}
	sum := crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
	b = binary.LittleEndian.AppendUint64(b, 1)
	b = binary.LittleEndian.AppendUint32(b, sum)
	b = append(b, "END\n"...)
	file, err := os.CreateTemp(t.TempDir(), "snapshot-*")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if _, err := file.Write(b); err != nil {
		t.Fatal(err)
	}
	s, reason := openSnapshot(file, f, groupRanks(f))
	if reason != "" {
		t.Fatalf("refused: %s", reason)
	}
	r, ok, err := s.take(key)
	if err != nil || !ok || r.id != "0123456789ab" || !r.time.Equal(at) || r.vals[len(r.vals)-1] != "giá trị "+f.Fields[len(f.Fields)-1].Name {
		t.Fatalf("take: %+v, %v, %v", r, ok, err)
	}
	if err := s.rest(); err != nil || s.dropped != 0 {
		t.Errorf("rest: %v, %d dropped", err, s.dropped)
	}
}
