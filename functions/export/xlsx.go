package export

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/vntext"
)

// Sheet names (at most 31 characters, no []:*?/\).
const (
	SheetRows    = "Câu trả lời"
	SheetSummary = "Tổng hợp"
)

// xlsxWriter streams rows into a workbook with excelize's StreamWriter,
// which keeps only a buffer in memory and moves the sheet to a temporary
// file as it grows. Every value is a string cell with the text format "@"
// (a formula is only ever written on purpose), so that Excel keeps
// 0912345678 as typed and shows "=1+1" as text; unlike the CSV, which a
// spreadsheet parses, it needs no quote to guard such a value.
type xlsxWriter struct {
	out    io.Writer
	file   *excelize.File
	sw     *excelize.StreamWriter
	f      *forms.Form
	next   int // the next row number
	text   int // style: text "@"
	date   int // style: the time column
	header int // style: bold
	cells  []any
}

func newXLSXWriter(w io.Writer, f *forms.Form, tmpDir string) (*xlsxWriter, error) {
	file := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	x := &xlsxWriter{out: w, file: file, f: f, next: 2}
	if err := x.start(); err != nil {
		file.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

func (x *xlsxWriter) start() error {
	if err := x.file.SetSheetName("Sheet1", SheetRows); err != nil {
		return err
	}
	var err error
	if x.header, err = x.file.NewStyle(headerStyle()); err != nil {
		return err
	}
	if x.text, err = x.file.NewStyle(&excelize.Style{NumFmt: 49}); err != nil {
		return err
	}
	layout := "yyyy-mm-dd hh:mm:ss" // the same text as the CSV's TimeLayout
	if x.date, err = x.file.NewStyle(&excelize.Style{CustomNumFmt: &layout}); err != nil {
		return err
	}
	if x.sw, err = x.file.NewStreamWriter(SheetRows); err != nil {
		return err
	}
	// Widths and panes must come before the first row.
	cols := x.f.ExportColumns()
	for i, w := range columnWidths(x.f) {
		if err := x.sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := x.sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: x.header, Value: c}
	}
	x.cells = make([]any, len(cols))
	return x.sw.SetRow("A1", head)
}

func headerStyle() *excelize.Style {
	return &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
		Border:    []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}},
	}
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}
}

// columnWidths sizes each column from its header and the longest value the
// declaration allows, within reason: the rows are streamed, so their real
// lengths are not known when the widths must be written.
func columnWidths(f *forms.Form) []float64 {
	ws := []float64{float64(forms.IDLength + 2), float64(len(TimeLayout) + 2)}
	for i := range f.Fields {
		fl := &f.Fields[i]
		w := 18.0
		switch fl.Kind {
		case forms.KindYear:
			w = 10
		case forms.KindPhone:
			w = 15
		case forms.KindEmail:
			w = 30
		case forms.KindTextArea:
			w = 70
		case forms.KindConsent:
			w = 14
		case forms.KindSelect, forms.KindRadio:
			for _, o := range fl.Options {
				w = max(w, float64(utf8.RuneCountInString(o))+2)
			}
		default:
			if fl.MaxLen > 0 {
				w = max(w, min(float64(fl.MaxLen)/3, 32))
			}
		}
		w = max(w, float64(utf8.RuneCountInString(fl.ColumnName()))+2)
		ws = append(ws, min(w, 70))
	}
	if f.Answered() {
		ws = append(ws, 14, 70, 22, float64(len(TimeLayout)+2))
	}
	return ws
}

// excelTime is t on Vietnam's wall clock: a spreadsheet date has no zone,
// and excelize counts from an instant, so the wall clock is passed as UTC.
func excelTime(t time.Time) time.Time {
	l := t.In(vntext.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

func (x *xlsxWriter) write(r *row) error {
	x.cells[0] = excelize.Cell{StyleID: x.text, Value: r.id}
	x.cells[1] = excelize.Cell{StyleID: x.date, Value: excelTime(r.time)}
	// Every value is a text cell with the text format "@": a spreadsheet
	// never reads a text cell as a formula, so the XLSX needs no guard and
	// shows what was typed ("=1+1", "-2"), where the CSV must add a quote.
	for i, s := range r.vals {
		x.cells[i+2] = excelize.Cell{StyleID: x.text, Value: lineBreaks(s)}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	x.next++
	return x.sw.SetRow(cell, x.cells)
}

func (x *xlsxWriter) finish(t *report.QuotaTable) error {
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if t != nil {
		if err := x.summarySheet(t); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	if err := x.file.Write(x.out); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

// summarySheet writes the quota table: per chi đoàn, registered of the
// quota, then the list of chi đoàn with nobody registered.
func (x *xlsxWriter) summarySheet(t *report.QuotaTable) error {
	if _, err := x.file.NewSheet(SheetSummary); err != nil {
		return err
	}
	sw, err := x.file.NewStreamWriter(SheetSummary)
	if err != nil {
		return err
	}
	for i, w := range []float64{36, 12, 16, 12, 34} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	label := t.Label
	if label == "" {
		label = "Nhóm"
	}
	head := []any{}
	for _, h := range []string{label, "Đã đăng ký", "Số lượng tối đa", "Còn thiếu", "Ghi chú"} {
		head = append(head, excelize.Cell{StyleID: x.header, Value: h})
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	n := 2
	for _, g := range t.Groups {
		if err := sw.SetRow(fmt.Sprintf("A%d", n), []any{Neutralize(g.Name, false), g.Count, t.Quota, g.Missing, g.Note()}); err != nil {
			return err
		}
		n++
	}
	n++
	title := fmt.Sprintf("Chi đoàn chưa có đại biểu: %d", len(t.None))
	if err := sw.SetRow(fmt.Sprintf("A%d", n), []any{excelize.Cell{StyleID: x.header, Value: title}}); err != nil {
		return err
	}
	for _, g := range t.None {
		n++
		if err := sw.SetRow(fmt.Sprintf("A%d", n), []any{Neutralize(g, false)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

func (x *xlsxWriter) close() { x.file.Close() }
