package report_test

import (
	"testing"

	"loa/functions/report"
)

func TestParseFormat(t *testing.T) {
	for _, c := range []struct {
		in   string
		want report.Format
		ok   bool
	}{
		{"", report.CSV, true},
		{"csv", report.CSV, true},
		{" XLSX ", report.XLSX, true},
		{"summary", report.Summary, true},
		{"pdf", "", false},
	} {
		got, err := report.ParseFormat(c.in)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
