package record_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"loa/functions/internal/record"
)

// field is one field of a test record: its kind and value.
type field struct {
	kind string // "u", "v", "s", "t"
	u    uint64
	v    int64
	s    string
	t    time.Time
}

func write(fields []field) []byte {
	var b record.Buffer
	for _, f := range fields {
		switch f.kind {
		case "u":
			b.Uvarint(f.u)
		case "v":
			b.Varint(f.v)
		case "s":
			b.String(f.s)
		case "t":
			b.Time(f.t)
		}
	}
	return b
}

func read(r *record.Reader, fields []field) []field {
	out := make([]field, len(fields))
	for i, f := range fields {
		out[i].kind = f.kind
		switch f.kind {
		case "u":
			out[i].u = r.Uvarint()
		case "v":
			out[i].v = r.Varint()
		case "s":
			out[i].s = r.String()
		case "t":
			out[i].t = r.Time()
		}
	}
	return out
}

func TestRoundTripAndBytes(t *testing.T) {
	at := time.Unix(1680000000, 5)
	for _, c := range []struct {
		name   string
		fields []field
		// want is the encoding the journal and snapshot have always had,
		// written out by hand: a change here breaks files on disk.
		want []byte
	}{
		{"empty string", []field{{kind: "s"}}, []byte{0}},
		{"small", []field{{kind: "u", u: 3}, {kind: "s", s: "ab"}}, []byte{3, 2, 'a', 'b'}},
		{"uvarint 300", []field{{kind: "u", u: 300}}, []byte{0xac, 0x02}},
		{"varint -1 and 1", []field{{kind: "v", v: -1}, {kind: "v", v: 1}}, []byte{1, 2}},
		{"vietnamese", []field{{kind: "s", s: "Chi đoàn"}}, append([]byte{10}, "Chi đoàn"...)},
		// Unix nanoseconds 1680000000000000005, zig-zag varint.
		{"time", []field{{kind: "t", t: at}}, []byte{0x8a, 0x80, 0xc0, 0xea, 0xaa, 0xc6, 0xc7, 0xd0, 0x2e}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := write(c.fields)
			if !bytes.Equal(got, c.want) {
				t.Fatalf("encoded % x, want % x", got, c.want)
			}
			for _, src := range []record.Source{bytes.NewReader(got), bufio.NewReader(bytes.NewReader(got))} {
				r := record.NewReader(src)
				back := read(r, c.fields)
				if r.Err() != nil {
					t.Fatalf("%T: %v", src, r.Err())
				}
				for i := range back {
					if back[i].u != c.fields[i].u || back[i].v != c.fields[i].v || back[i].s != c.fields[i].s || !back[i].t.Equal(c.fields[i].t) {
						t.Errorf("%T: field %d read back as %+v, want %+v", src, i, back[i], c.fields[i])
					}
				}
				if r.More() {
					t.Errorf("%T: input left after the record", src)
				}
			}
		})
	}
}

func TestBadInput(t *testing.T) {
	huge := record.Buffer{}
	huge.Uvarint(record.MaxString + 1)
	for _, c := range []struct {
		name string
		in   []byte
		want error
	}{
		{"nothing", nil, io.ErrUnexpectedEOF},
		{"length only", []byte{5}, io.ErrUnexpectedEOF},
		{"cut string", []byte{5, 'a', 'b'}, io.ErrUnexpectedEOF},
		{"cut varint", []byte{0x80}, io.ErrUnexpectedEOF},
		{"absurd length", huge, record.ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, src := range []record.Source{bytes.NewReader(c.in), bufio.NewReader(bytes.NewReader(c.in))} {
				r := record.NewReader(src)
				if s := r.String(); s != "" || !errors.Is(r.Err(), c.want) {
					t.Errorf("%T: %q, %v; want %v", src, s, r.Err(), c.want)
				}
				if r.Uvarint() != 0 || r.Err() == nil {
					t.Errorf("%T: the error did not stick", src)
				}
			}
		})
	}
}

func TestMore(t *testing.T) {
	r := record.NewReader(bufio.NewReader(strings.NewReader("\x01\x02")))
	var got []uint64
	for r.More() {
		got = append(got, r.Uvarint())
	}
	if r.Err() != nil || len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("read %v, %v", got, r.Err())
	}
}

func TestChecksum(t *testing.T) {
	// The CRC-32C check value of the standard test input.
	const want = 0xe3069283
	if got := record.Checksum([]byte("123456789")); got != want {
		t.Errorf("Checksum = %#x, want %#x", got, want)
	}
	h := record.NewCRC()
	h.Write([]byte("1234"))
	h.Write([]byte("56789"))
	if h.Sum32() != want {
		t.Errorf("NewCRC over two writes = %#x, want %#x", h.Sum32(), want)
	}
}
