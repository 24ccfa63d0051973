package export_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/store"
	"loa/functions/vntext"
)

func TestPublishLinkAndDelete(t *testing.T) {
	e := newEnv(t, nil)
	all := e.seedQuestions(12)
	f := e.reg.Form("cau-hoi")
	link, err := e.ex.Publish(context.Background(), f, report.CSV)
	if err != nil {
		t.Fatal(err)
	}
	if link.FileName != "cau-hoi-2023-04-20.csv" || link.Rows != 12 {
		t.Errorf("link %+v", link)
	}
	u, err := url.Parse(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	exp, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || exp <= 0 || exp > 15*60 {
		t.Errorf("X-Amz-Expires %q: want at most 900 seconds", q.Get("X-Amz-Expires"))
	}
	if d := q.Get("response-content-disposition"); d != `attachment; filename="cau-hoi-2023-04-20.csv"` {
		t.Errorf("response-content-disposition %q", d)
	}
	if !strings.Contains(u.Path, "/loa/exports/cau-hoi/cau-hoi-2023-04-20-") {
		t.Errorf("export key %s is not under loa/exports/cau-hoi/", u.Path)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(parseCSV(t, body)) != 13 {
		t.Fatalf("download: %d, %d bytes", res.StatusCode, len(body))
	}

	// Delete one: the row goes, and so do the stored exports that hold it.
	gone := all[4]
	if err := e.ex.Delete(context.Background(), f, gone.id); err != nil {
		t.Fatal(err)
	}
	if err := e.ex.Delete(context.Background(), f, gone.id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v, want ErrNotFound", err)
	}
	recs := parseCSV(t, e.write("cau-hoi", report.CSV))
	if len(recs) != 12 {
		t.Errorf("%d rows after delete, want 11", len(recs)-1)
	}
	for _, r := range recs {
		if r[0] == gone.id {
			t.Error("deleted row still exported")
		}
	}
	if left := e.fx.Keys(t, "loa/exports/"); len(left) != 0 {
		t.Errorf("%d stored exports survive a deletion", len(left))
	}
}

func TestDeleteFreesSlot(t *testing.T) {
	e := newEnv(t, nil)
	f := e.reg.Form("dai-bieu")
	var ids []string
	for i := range 5 {
		rc := e.save("dai-bieu", time.Date(2023, 4, 3, 8, i, 0, 0, vntext.Location), map[string]string{
			"chi_doan": f.ChiDoan[3], "ho_ten": fmt.Sprintf("Lê Thị %d", i), "chuc_vu": "Đoàn viên",
			"nam_sinh": "1996", "dien_thoai": "0987000000", "dong_y": "2023-04-01",
		})
		ids = append(ids, rc.ID)
	}
	sixth := &forms.Submission{Form: f, Values: map[string]string{
		"chi_doan": f.ChiDoan[3], "ho_ten": "Phạm Văn Sáu", "chuc_vu": "Đoàn viên", "nam_sinh": "1996",
		"dien_thoai": "0987000006", "dong_y": "2023-04-01",
	}}
	var qe *store.QuotaError
	if _, err := e.st.Save(context.Background(), sixth); !errors.As(err, &qe) {
		t.Fatalf("sixth before delete: %v", err)
	}
	if err := e.ex.Delete(context.Background(), f, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Save(context.Background(), sixth); err != nil {
		t.Fatalf("the freed slot was not given to the next delegate: %v", err)
	}
	recs := parseCSV(t, e.write("dai-bieu", report.CSV))
	if len(recs) != 6 {
		t.Fatalf("%d rows, want 5", len(recs)-1)
	}
	for _, r := range recs[1:] {
		if r[0] == ids[2] {
			t.Error("deleted delegate still exported")
		}
	}
}

func TestStats(t *testing.T) {
	e := newEnv(t, nil)
	all := e.seedQuestions(20)
	fd := e.reg.Form("dai-bieu")
	e.save("dai-bieu", time.Date(2023, 4, 3, 8, 0, 0, 0, vntext.Location), map[string]string{
		"chi_doan": fd.ChiDoan[1], "ho_ten": "Đỗ Văn Một", "chuc_vu": "Bí thư", "nam_sinh": "1994",
		"dien_thoai": "0900000001", "dong_y": "2023-04-01",
	})
	st, err := e.ex.Stats(context.Background(), e.reg.Forms())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Forms) != 3 || st.Forms[2].ID != "de-cu" || st.Forms[2].Total != 0 {
		t.Fatalf("%d forms: %+v", len(st.Forms), st.Forms)
	}
	q := st.Forms[0]
	if q.ID != "cau-hoi" || q.Total != 20 {
		t.Fatalf("cau-hoi: %+v", q)
	}
	fq := e.reg.Form("cau-hoi")
	if q.TopicLabel != "Lĩnh vực" || len(q.Topics) != len(fq.Topics)+1 || q.Topics[len(q.Topics)-1].Name != forms.Other {
		t.Errorf("topics %+v", q.Topics)
	}
	sum := 0
	for i, tc := range q.Topics {
		sum += tc.Count
		if i < len(fq.Topics) && tc.Name != fq.Topics[i] {
			t.Errorf("topic %d is %q, want %q", i, tc.Name, fq.Topics[i])
		}
	}
	days := 0
	for _, d := range q.Days {
		days += d.Count
	}
	first := all[0].time.In(vntext.Location).Format("2006-01-02")
	if sum != 20 || days != 20 || q.Days[0].Name != first {
		t.Errorf("topics sum %d, days sum %d, first day %v (want %s)", sum, days, q.Days[0], first)
	}
	for i := 1; i < len(q.Days); i++ {
		a, _ := time.Parse("2006-01-02", q.Days[i-1].Name)
		b, _ := time.Parse("2006-01-02", q.Days[i].Name)
		if b.Sub(a) != 24*time.Hour {
			t.Errorf("days not contiguous: %s, %s", q.Days[i-1].Name, q.Days[i].Name)
		}
	}
	d := st.Forms[1]
	if d.Quota == nil || d.Total != 1 || d.Quota.Quota != 5 || d.Quota.Label != "Chi đoàn" {
		t.Fatalf("dai-bieu: %+v", d)
	}
	if d.Quota.Groups[1].Count != 1 || d.Quota.Groups[1].Missing != 4 || len(d.Quota.None) != len(fd.ChiDoan)-1 {
		t.Errorf("quota table %+v", d.Quota)
	}
	if slices.Contains(d.Quota.None, fd.ChiDoan[1]) {
		t.Error("a chi đoàn with a delegate is listed as having none")
	}
}
