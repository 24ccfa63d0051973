package serve

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"loa/functions/routes"
	"loa/functions/upload/uploadtest"
)

// staffGet sends a staff request to s and decodes its JSON answer into v.
func staffGet(t *testing.T, s *Server, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.Header.Set(routes.StaffHeader, s.Secret)
	req.Header.Set("Accept", "application/json")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	return resp.StatusCode
}

// download fetches an export's presigned link (from serve's own S3 on
// 127.0.0.1) and returns its body.
func download(t *testing.T, link string) []byte {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("download: %d %s", resp.StatusCode, b)
	}
	return b
}

// exportCSV asks for form's CSV export and reads its rows.
func exportCSV(t *testing.T, s *Server, form string) [][]string {
	t.Helper()
	var link struct {
		URL string `json:"url"`
	}
	if code := staffGet(t, s, "/api/export/"+form+"?format=csv", &link); code != 200 {
		t.Fatalf("export %s: %d", form, code)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(download(t, link.URL), []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

type formStats struct {
	ID         string `json:"id"`
	Total      int    `json:"total"`
	TopicLabel string `json:"topic_label"`
	Topics     []struct {
		Name  string `json:"name"`
		Count int    `json:"count"`
	} `json:"topics"`
}

func statsOf(t *testing.T, s *Server, form string) formStats {
	t.Helper()
	var st struct {
		Forms []formStats `json:"forms"`
	}
	if code := staffGet(t, s, "/api/stats", &st); code != 200 {
		t.Fatalf("stats: %d", code)
	}
	for _, f := range st.Forms {
		if f.ID == form {
			return f
		}
	}
	t.Fatalf("stats have no form %s", form)
	return formStats{}
}

// TestNominationThroughServe: serve takes a nomination with a phone's
// photo as a browser without JavaScript sends it, and keeps the photo
// apart, without its metadata, as the Lambda does: the same handler.
func TestNominationThroughServe(t *testing.T) {
	s, _ := startCopy(t, Config{})
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range map[string]string{
		"chi_doan": "Chi đoàn Tổ dân phố 2", "nguoi_gui": "Đinh Thị Gửi", "dien_thoai": "0912 000 111",
		"ho_ten": "Võ Minh Tiêu Biểu", "nam_sinh": "1996", "linh_vuc": "Tình nguyện, vì cộng đồng",
		"thanh_tich": "Hiến máu 12 lần, tổ chức 30 buổi dọn rác ven sông.", "dong_y": "co",
	} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("tep", "IMG_0001.jpg")
	fw.Write(uploadtest.PhoneJPEG(120, 80, 6))
	mw.Close()
	resp, err := noRedirect.Post(s.URL+"/api/forms/de-cu", mw.FormDataContentType(), &b)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	code := nominationCode.FindString(string(body))
	if resp.StatusCode != 200 || code == "" {
		t.Fatalf("nomination: %d %s", resp.StatusCode, body)
	}
	if st := statsOf(t, s, "de-cu"); st.Total != 1 {
		t.Errorf("staff counts: %+v", st)
	}
	rows := exportCSV(t, s, "de-cu")
	if len(rows) != 2 || rows[0][9] != "Tệp kèm theo" || !strings.HasSuffix(rows[1][9], ".jpg") {
		t.Fatalf("export: %q", rows)
	}
	var link struct {
		URL string `json:"url"`
	}
	if c := staffGet(t, s, "/api/files/de-cu/"+rows[1][0]+"/tep", &link); c != 200 {
		t.Fatalf("file link: %d", c)
	}
	kept := download(t, link.URL)
	for _, leak := range uploadtest.Leaks() {
		if bytes.Contains(kept, leak) {
			t.Errorf("the kept photo holds %q", leak)
		}
	}
}

var nominationCode = regexp.MustCompile(`DC-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)
