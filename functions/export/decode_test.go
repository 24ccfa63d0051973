package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"loa/content"
	"loa/functions/forms"
)

// TestDecodeMatchesStore checks the decoder against the store's own reading
// (forms.UnmarshalCSV through gocsv) on rows full of awkward text, on an
// object written before a field existed, and on one with a stray column.
func TestDecodeMatchesStore(t *testing.T) {
	reg, err := forms.Load(content.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range reg.Forms() {
		d := newRowDecoder(f)
		texts := []string{"", "Nguyễn Thị Mai", "a,b", `say "hi"`, "line\nbreak", "cr\r\nlf", "\r=x", "\t=x", " lead", "=1+1", "đ\u200b"}
		var bodies [][]byte
		for i, s := range texts {
			vals := map[string]string{}
			for j, fl := range f.Fields {
				vals[fl.Name] = texts[(i+j)%len(texts)]
			}
			if f.QuotaBy != "" && i%2 == 0 {
				vals[f.QuotaBy] = f.ChiDoan[i%len(f.ChiDoan)]
			}
			vals[f.Fields[0].Name] = s
			b, err := f.MarshalCSV(forms.Record{ID: "abcdef012345", Time: time.Date(2023, 4, 2, 7, i, 0, 0, time.UTC), Values: vals})
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, b)
		}
		// Written before the last field was declared, with a spaced and a
		// zero-width header, and with a column nobody declares.
		cols := f.Columns()
		old := strings.Join(cols[:len(cols)-1], ",") + "\nid1,2023-04-02T14:00:00+07:00" + strings.Repeat(",x", len(cols)-3) + "\n"
		odd := " " + cols[0] + " ,\u200b" + strings.Join(cols[1:], ",") + ",Khác\nid2,2023-04-02T14:00:00+07:00" + strings.Repeat(",y", len(cols)-2) + ",z\n"
		bodies = append(bodies, []byte(old), []byte(odd))
		for _, b := range bodies {
			recs, err := f.UnmarshalCSV(b)
			if err != nil || len(recs) != 1 {
				t.Fatalf("%s: store reading %q: %v", f.ID, b, err)
			}
			var r row
			if err := d.decode(b, &r); err != nil {
				t.Fatalf("%s: decode %q: %v", f.ID, b, err)
			}
			rec := recs[0]
			if r.id != rec.ID || !r.time.Equal(rec.Time) {
				t.Errorf("%s: %q: id/time %q %v, store %q %v", f.ID, b, r.id, r.time, rec.ID, rec.Time)
			}
			for i, fl := range f.Fields {
				if r.vals[i] != rec.Values[fl.Name] {
					t.Errorf("%s: %q: %s = %q, store %q", f.ID, b, fl.Name, r.vals[i], rec.Values[fl.Name])
				}
			}
			if f.QuotaBy != "" && r.group != rec.Values[f.QuotaBy] {
				t.Errorf("%s: group %q, store %q", f.ID, r.group, rec.Values[f.QuotaBy])
			}
		}
		for _, bad := range []string{"", strings.Join(cols, ",") + "\n", strings.Join(cols, ",") + "\na\n", string(bodies[0]) + string(bodies[0][bytes.IndexByte(bodies[0], '\n')+1:])} {
			if _, err := f.UnmarshalCSV([]byte(bad)); err == nil {
				if recs, _ := f.UnmarshalCSV([]byte(bad)); len(recs) == 1 {
					continue
				}
			}
			var r row
			if err := d.decode([]byte(bad), &r); err == nil {
				t.Errorf("%s: decode accepted %q", f.ID, bad)
			}
		}
	}
}
