// Package record is the one binary codec of Loa's own files: the local
// store's journal, the export's spilled sort runs and the export's snapshot.
//
// A record is a sequence of fields, each written with no tag or padding:
//
//	unsigned integer  uvarint (encoding/binary)
//	signed integer    varint; a time is its Unix nanoseconds as a varint
//	string            uvarint length, then the bytes
//
// What the fields are, and how many, is the business of the file format
// that uses them; so is framing (the journal puts a length and a CRC-32C
// in front of each record, the snapshot a CRC-32C trailer after them all).
// Checksum and NewCRC are that CRC, the Castagnoli polynomial, for both.
//
// The encoding is the one the journal and the snapshot were written with
// before this package existed: files written then still read.
package record

import (
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"time"
)

// MaxString bounds the length of a string field, so that a corrupt length
// cannot make a reader allocate gigabytes. No field of ours comes near it.
const MaxString = 16 << 20

// ErrCorrupt is the error of a field that cannot be right.
var ErrCorrupt = errors.New("record: corrupt field")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum is the CRC-32C of p.
func Checksum(p []byte) uint32 { return crc32.Checksum(p, castagnoli) }

// NewCRC returns a running CRC-32C, for a checksum of a whole stream.
func NewCRC() hash.Hash32 { return crc32.New(castagnoli) }

// Buffer builds records in memory; append to it freely between fields.
type Buffer []byte

// Uvarint appends an unsigned integer.
func (b *Buffer) Uvarint(v uint64) { *b = binary.AppendUvarint(*b, v) }

// Varint appends a signed integer.
func (b *Buffer) Varint(v int64) { *b = binary.AppendVarint(*b, v) }

// Time appends t as Unix nanoseconds.
func (b *Buffer) Time(t time.Time) { b.Varint(t.UnixNano()) }

// String appends s, its length first.
func (b *Buffer) String(s string) {
	b.Uvarint(uint64(len(s)))
	*b = append(*b, s...)
}

// Source is what a Reader reads from: a *bufio.Reader for a file, a
// *bytes.Reader for a record held in memory.
type Source interface {
	io.Reader
	io.ByteScanner
}

// Reader reads fields. The first error sticks: every later read returns
// the zero value, and Err says what went wrong. Running out of input in
// the middle of a field, or before a field, is io.ErrUnexpectedEOF; use
// More before the first field of a record to find the end of a stream.
type Reader struct {
	src Source
	err error
}

// NewReader reads fields from src.
func NewReader(src Source) *Reader { return &Reader{src: src} }

// Err is the first error met, nil if none.
func (r *Reader) Err() error { return r.err }

// More reports whether any input is left. A failure to read is kept in Err.
func (r *Reader) More() bool {
	if r.err != nil {
		return false
	}
	if _, err := r.src.ReadByte(); err != nil {
		if err != io.EOF {
			r.err = err
		}
		return false
	}
	if err := r.src.UnreadByte(); err != nil {
		r.err = err
		return false
	}
	return true
}

func (r *Reader) fail(err error) {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	r.err = err
}

// Uvarint reads an unsigned integer.
func (r *Reader) Uvarint() uint64 { return readInt(r, binary.ReadUvarint) }

// Varint reads a signed integer.
func (r *Reader) Varint() int64 { return readInt(r, binary.ReadVarint) }

func readInt[T uint64 | int64](r *Reader, read func(io.ByteReader) (T, error)) T {
	if r.err != nil {
		return 0
	}
	v, err := read(r.src)
	if err != nil {
		r.fail(err)
		return 0
	}
	return v
}

// Time reads Unix nanoseconds as a time in the local zone (time.Unix).
func (r *Reader) Time() time.Time {
	ns := r.Varint()
	if r.err != nil {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// String reads a string.
func (r *Reader) String() string {
	n := r.Uvarint()
	if r.err != nil {
		return ""
	}
	if n > MaxString {
		r.err = ErrCorrupt
		return ""
	}
	if held, ok := r.src.(interface{ Len() int }); ok && n > uint64(held.Len()) {
		r.err = io.ErrUnexpectedEOF // a record held whole, cut short
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.src, b); err != nil {
		r.fail(err)
		return ""
	}
	return string(b)
}
