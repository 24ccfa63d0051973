// Package report is what the staff routes hand out, in plain data: the
// formats a form can be downloaded in, a published download link, the
// counts the staff page shows, and the error of an export whose time ran
// out.
//
// It sits between the exporter, which makes these, and the form handler,
// which serves them as JSON, so that the arrows point one way: the handler
// declares the service it calls (handler.StaffService) in these terms, the
// exporter implements it by returning them, and neither package imports
// the other. The wiring (package service) passes the exporter to
// the handler with no adapter.
package report

import (
	"fmt"
	"strings"
	"time"

	"loa/functions/forms"
)

// Format is a kind of export file.
type Format string

const (
	CSV     Format = "csv"
	XLSX    Format = "xlsx"
	Summary Format = "summary" // per chi đoàn: registered of the quota (forms with a quota)
)

// ParseFormat reads the "format" query value; "" means CSV.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(strings.TrimSpace(s))) {
	case "", CSV:
		return CSV, nil
	case XLSX:
		return XLSX, nil
	case Summary:
		return Summary, nil
	}
	return "", fmt.Errorf("report: format %q is not csv, xlsx or summary", s)
}

// Formats returns the formats f can be exported in.
func Formats(f *forms.Form) []Format {
	if f.QuotaBy != "" {
		return []Format{CSV, XLSX, Summary}
	}
	return []Format{CSV, XLSX}
}

// Link is a published export.
type Link struct {
	URL      string    `json:"url"`
	FileName string    `json:"file"`
	Expires  time.Time `json:"expires"`
	Rows     int       `json:"rows"`
}

// Incomplete is the error of an export or a count whose time ran out
// before it had read every submission. What it read is saved: trying again
// goes on from there, so a form with more submissions than one request can
// read is exported in a few tries.
type Incomplete struct {
	Form  string
	Fresh int // submissions read this time
}

func (e *Incomplete) Error() string {
	return fmt.Sprintf("export: %s: time ran out after reading %d submissions; they are saved, try again", e.Form, e.Fresh)
}
