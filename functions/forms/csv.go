package forms

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/gocarina/gocsv"

	"loa/functions/vntext"
)

// The two columns every row starts with.
const (
	ColumnID   = "Mã"
	ColumnTime = "Thời điểm gửi"
)

// Record is one stored row: the submission id, when it was accepted, and the
// values of the declared fields by name.
type Record struct {
	ID     string
	Time   time.Time
	Values map[string]string
}

// Hash identifies a submission by its content: SHA-256 of the form id and
// every normalised field, in declaration order, each length-prefixed so that
// no two different submissions share an encoding. The time is left out on
// purpose: a resent or double-clicked answer has the same hash.
func (s *Submission) Hash() string { return s.KeyedHash(nil) }

// KeyedHash is Hash keyed: HMAC-SHA256 under key of the same encoding, so
// that nobody without the key can tell from a receipt code, an id in a
// log or an object's name whether a guessed text is the one sent. A
// resend has the same keyed hash, as it has the same hash. A nil key is
// Hash.
func (s *Submission) KeyedHash(key []byte) string {
	h := sha256.New()
	if key != nil {
		h = hmac.New(sha256.New, key)
	}
	write := func(x string) {
		h.Write([]byte(strconv.Itoa(len(x))))
		h.Write([]byte{':'})
		h.Write([]byte(x))
	}
	write(s.Form.ID)
	for _, fl := range s.Form.Fields {
		write(fl.Name)
		write(s.Values[fl.Name])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// IDLength is the length of a submission id: the start of its hash, short
// enough to read over the phone, long enough not to collide in a ward.
const IDLength = 12

// ID is the short submission id derived from Hash.
func (s *Submission) ID() string { return s.Hash()[:IDLength] }

// Record returns the row of s accepted at t.
func (s *Submission) Record(t time.Time) Record {
	return Record{ID: s.ID(), Time: t, Values: s.Values}
}

// Columns returns the CSV headers in order.
func (f *Form) Columns() []string {
	cols := []string{ColumnID, ColumnTime}
	for i := range f.Fields {
		cols = append(cols, f.Fields[i].ColumnName())
	}
	return cols
}

// AnswerColumns end the exports of a form that staff answer (Answered):
// the status, the answer, who answered and when. They are joined from the
// answers when the file is made, never stored in the row, which is
// written once.
var AnswerColumns = []string{"Trạng thái", "Câu trả lời", "Người trả lời", "Thời điểm trả lời"}

// AttendanceColumns end the exports of a form whose people are invited
// (it has places by chi đoàn, QuotaBy): their check-in code, as printed on
// the invitation, and when they checked in, blank for who has not come.
// Joined from the check-ins when the file is made.
var AttendanceColumns = []string{"Mã điểm danh", "Đã đến lúc"}

// Invited tells whether the people of f get invitations and check in.
func (f *Form) Invited() bool { return f.QuotaBy != "" }

// ExportColumns are the headers of the form's exports: Columns, then
// AnswerColumns for a form that staff answer, AttendanceColumns for a
// form whose people are invited.
func (f *Form) ExportColumns() []string {
	cols := f.Columns()
	if f.Answered() {
		cols = append(cols, AnswerColumns...)
	}
	if f.Invited() {
		cols = append(cols, AttendanceColumns...)
	}
	return cols
}

// ExportRowType is RowType for ExportColumns.
func (f *Form) ExportRowType() reflect.Type { return f.exportRow }

// newRowType builds a struct type with one string field per column and a
// `csv:"header"` tag on each, so that gocsv writes and reads the rows of a
// form whose columns are only known from its declaration. A form's fields
// are fixed once it is loaded, so resolve builds its type once.
func newRowType(cols []string) reflect.Type {
	fields := make([]reflect.StructField, len(cols))
	for i, col := range cols {
		fields[i] = reflect.StructField{
			Name: "C" + strconv.Itoa(i),
			Type: reflect.TypeFor[string](),
			Tag:  reflect.StructTag(`csv:"` + col + `"`),
		}
	}
	return reflect.StructOf(fields)
}

// RowType is the struct type of one CSV row of f (newRowType): gocsv
// writes and reads a slice of it, the header from its tags.
func (f *Form) RowType() reflect.Type { return f.row }

// MarshalCSV writes a header line and one line per record with gocsv.
func (f *Form) MarshalCSV(recs ...Record) ([]byte, error) {
	t := f.row
	rows := reflect.MakeSlice(reflect.SliceOf(t), len(recs), len(recs))
	for i, r := range recs {
		row := rows.Index(i)
		row.Field(0).SetString(r.ID)
		row.Field(1).SetString(r.Time.In(vntext.Location).Format(time.RFC3339))
		for j := range f.Fields {
			row.Field(j + 2).SetString(r.Values[f.Fields[j].Name])
		}
	}
	return gocsv.MarshalBytes(rows.Interface())
}

// UnmarshalCSV reads rows written by MarshalCSV. Columns are matched by
// header (the first of a repeated name counts), so rows written before a
// field was added read back with it empty. It reads with encoding/csv, not
// gocsv: every export without a snapshot reads each stored row back, and
// gocsv's reflection over the form's row type took most of that reading's
// time in the exporter.
func (f *Form) UnmarshalCSV(data []byte) ([]Record, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("forms: %s: reading CSV: %w", f.ID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("forms: %s: reading CSV: no header line", f.ID)
	}
	at := make(map[string]int, len(rows[0]))
	for i, h := range rows[0] {
		if _, ok := at[h]; !ok {
			at[h] = i
		}
	}
	col := func(name string) int {
		if i, ok := at[name]; ok {
			return i
		}
		return -1
	}
	idCol, timeCol := col(ColumnID), col(ColumnTime)
	cols := make([]int, len(f.Fields))
	for j := range f.Fields {
		cols[j] = col(f.Fields[j].ColumnName())
	}
	cell := func(row []string, i int) string {
		if i < 0 {
			return ""
		}
		return row[i]
	}
	recs := make([]Record, len(rows)-1)
	for i, row := range rows[1:] {
		ts, err := time.Parse(time.RFC3339, cell(row, timeCol))
		if err != nil {
			return nil, fmt.Errorf("forms: %s: row %d: %q is not an RFC 3339 time", f.ID, i+1, cell(row, timeCol))
		}
		vals := make(map[string]string, len(f.Fields))
		for j := range f.Fields {
			vals[f.Fields[j].Name] = cell(row, cols[j])
		}
		recs[i] = Record{ID: cell(row, idCol), Time: ts, Values: vals}
	}
	return recs, nil
}
