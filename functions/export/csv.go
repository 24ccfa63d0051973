package export

import (
	"bufio"
	"encoding/csv"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/gocarina/gocsv"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/vntext"
)

// BOM starts every CSV: without it Excel reads UTF-8 as the legacy code page
// and the diacritics come out garbled.
const BOM = "\ufeff"

// TimeLayout is how the submission time is written: Vietnam's time, a form
// that sorts as text and that Excel reads as a date.
const TimeLayout = "2006-01-02 15:04:05"

// Neutralize makes a cell inert for spreadsheets (OWASP "CSV injection"): a
// value starting with = + - @, a tab, CR or LF is prefixed with a single
// quote, so that no spreadsheet runs it as a formula.
//
// A phone cell holding only a "+" and digits is left alone: it is a phone
// number, not a payload, and "+84 912 345 678" must not be changed. The
// store keeps phones as 0xxxxxxxxx anyway, so in practice no phone starts
// with a trigger character at all.
func Neutralize(v string, phone bool) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		if phone && isPhone(v) {
			return v
		}
		return "'" + v
	}
	return v
}

// cell is the CSV text of a stored value: its line breaks as lineBreaks
// makes them, then neutralised.
func cell(v string, phone bool) string {
	return Neutralize(lineBreaks(v), phone)
}

// lineBreaks turns CR LF and lone CRs into LF: the CSV writer turns LF into
// CR LF (and would drop a lone CR), and a spreadsheet cell breaks at LF.
func lineBreaks(v string) string {
	if strings.IndexByte(v, '\r') >= 0 {
		v = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
	}
	return v
}

func isPhone(v string) bool {
	digits := 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '+' && i == 0:
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '.':
		default:
			return false
		}
	}
	return digits >= 6
}

// rowWriter is a file format being written: rows in order, then the end.
type rowWriter interface {
	write(r *row) error
	finish(t *report.QuotaTable) error
	close()
}

// csvWriter writes rows with gocsv in batches of a struct type built from
// the form's columns, so that memory does not grow with the export.
type csvWriter struct {
	bw    *bufio.Writer
	out   *gocsv.SafeCSVWriter
	f     *forms.Form
	phone []bool
	batch reflect.Value // []struct{C0 string `csv:"Mã"`; …}
	n     int
}

const csvBatch = 256

func newCSVWriter(w io.Writer, f *forms.Form) (*csvWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(BOM); err != nil {
		return nil, err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true // RFC 4180
	c := &csvWriter{bw: bw, out: gocsv.NewSafeCSVWriter(cw), f: f, phone: phoneColumns(f)}
	t := f.ExportRowType()
	c.batch = reflect.MakeSlice(reflect.SliceOf(t), csvBatch, csvBatch)
	// The header line, from the same struct tags as the rows.
	if err := gocsv.MarshalCSV(reflect.MakeSlice(reflect.SliceOf(t), 0, 0).Interface(), c.out); err != nil {
		return nil, err
	}
	return c, nil
}

// phoneColumns says which of the values of an exported row (the fields,
// then the answer columns) are phone numbers.
func phoneColumns(f *forms.Form) []bool {
	p := make([]bool, len(f.ExportColumns())-2)
	for i := range f.Fields {
		p[i] = f.Fields[i].Kind == forms.KindPhone
	}
	return p
}

func formatTime(t time.Time) string { return t.In(vntext.Location).Format(TimeLayout) }

func (c *csvWriter) write(r *row) error {
	v := c.batch.Index(c.n)
	v.Field(0).SetString(r.id)
	v.Field(1).SetString(formatTime(r.time))
	for i, s := range r.vals {
		v.Field(i + 2).SetString(cell(s, c.phone[i]))
	}
	c.n++
	if c.n == csvBatch {
		return c.flush()
	}
	return nil
}

func (c *csvWriter) flush() error {
	if c.n == 0 {
		return nil
	}
	err := gocsv.MarshalCSVWithoutHeaders(c.batch.Slice(0, c.n).Interface(), c.out)
	c.n = 0
	return err
}

func (c *csvWriter) finish(*report.QuotaTable) error {
	if err := c.flush(); err != nil {
		return err
	}
	return c.bw.Flush()
}

func (c *csvWriter) close() {}

// summaryRow is one line of the per chi đoàn summary.
type summaryRow struct {
	Group   string `csv:"Chi đoàn"`
	Count   int    `csv:"Đã đăng ký"`
	Quota   int    `csv:"Số lượng tối đa"`
	Missing int    `csv:"Còn thiếu"`
	Note    string `csv:"Ghi chú"`
}

func writeSummaryCSV(w io.Writer, t *report.QuotaTable) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(BOM)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	rows := make([]summaryRow, 0, len(t.Groups))
	for _, g := range t.Groups {
		rows = append(rows, summaryRow{
			Group: Neutralize(g.Name, false), Count: g.Count, Quota: t.Quota, Missing: g.Missing, Note: g.Note(),
		})
	}
	if err := gocsv.MarshalCSV(rows, gocsv.NewSafeCSVWriter(cw)); err != nil {
		return err
	}
	return bw.Flush()
}
