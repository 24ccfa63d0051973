package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
	"loa/functions/vntext"
)

// FileName is the name staff see for an export made at t, e.g.
// "cau-hoi-2023-04-20.csv" or "dai-bieu-tong-hop-2023-04-20.csv".
func FileName(form string, format report.Format, t time.Time) string {
	day := t.In(vntext.Location).Format("2006-01-02")
	switch format {
	case report.XLSX:
		return form + "-" + day + ".xlsx"
	case report.Summary:
		return form + "-tong-hop-" + day + ".csv"
	}
	return form + "-" + day + ".csv"
}

func contentType(format report.Format) string {
	if format == report.XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Publish exports f, hands the file to the store and returns a presigned
// link to it.
func (e *Exporter) Publish(ctx context.Context, f *forms.Form, format report.Format) (report.Link, error) {
	tmp, err := os.CreateTemp(e.cfg.TempDir, "loa-export-*")
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	defer removeTemp(tmp)
	res, err := e.Write(ctx, f, format, tmp, nil)
	if err != nil {
		return report.Link{}, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	now := e.cfg.Now()
	name := FileName(f.ID, format, now)
	url, err := e.cfg.Store.PutExport(ctx, f.ID, store.ExportFile{
		Name: name, ContentType: contentType(format), Body: tmp, Size: size,
	}, e.cfg.Expiry)
	if err != nil {
		return report.Link{}, fmt.Errorf("export: %w", err)
	}
	// Exports copy personal data: older ones go once their links are dead.
	// It is best effort: a leftover goes next time, and a bucket lifecycle
	// rule on exports/ is the backstop. Their age is S3's, in real time:
	// by the service's instant (serve --now, LOA_NOW ahead of today) the
	// file just written would be "old" and go before staff download it.
	if err := e.cfg.Store.PurgeExports(ctx, f.ID, e.cfg.Stopwatch().Add(-MaxExpiry)); err != nil {
		e.cfg.Logger.Warn("export: old exports not deleted; the next export tries again", "form", f.ID, "error", err)
	}
	return report.Link{URL: url, FileName: name, Expires: now.Add(e.cfg.Expiry), Rows: res.Rows}, nil
}

// Delete removes the submission of f with the given id and frees its quota
// slot (store.Delete), then deletes every stored export of f and takes the
// row out of the snapshot, since those still hold it. It returns store.ErrNotFound for an unknown id.
func (e *Exporter) Delete(ctx context.Context, f *forms.Form, id string) error {
	if err := e.cfg.Store.Delete(ctx, f, id); err != nil {
		return err
	}
	e.recent.dropID(f.ID, id)
	return errors.Join(e.cfg.Store.PurgeExports(ctx, f.ID, time.Time{}), e.forget(ctx, f, id))
}
