package handler_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"testing"

	"loa/functions/forms"
	"loa/functions/store"
	"loa/functions/upload/uploadtest"
)

// nomination is a nomination that passes, without its file.
func nomination() url.Values {
	return url.Values{
		"chi_doan":   {"Chi đoàn Tổ dân phố 3"},
		"nguoi_gui":  {"Lê Thị Gửi"},
		"dien_thoai": {"0987 111 222"},
		"ho_ten":     {"Phạm Văn Tiêu Biểu"},
		"nam_sinh":   {"1997"},
		"linh_vuc":   {"Chuyển đổi số, sáng tạo"},
		"thanh_tich": {"Mở lớp dạy kỹ năng số miễn phí cho 120 người cao tuổi."},
		"dong_y":     {"co"},
	}
}

// postMultipart sends v and the file (as the browser names it, with the
// type the browser claims) the way a browser sends a form with a file;
// a nil file is an input left empty.
func postMultipart(t *testing.T, form string, v url.Values, field, filename, claimed string, file []byte, asJSON bool) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k := range v {
		mw.WriteField(k, v.Get(k))
	}
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="` + field + `"; filename="` + filename + `"`}
	h["Content-Type"] = []string{claimed}
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	mw.Close()
	r := httptest.NewRequest("POST", "/api/forms/"+form, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	if asJSON {
		r.Header.Set("Accept", "application/json")
	}
	return r
}

type codeAnswer struct {
	OK   bool   `json:"ok"`
	ID   string `json:"id"`
	Code string `json:"code"`
}

func TestNominationWithPhoto(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	photo := uploadtest.PhoneJPEG(96, 48, 8) // held turned: stored on its side
	req := postMultipart(t, "de-cu", nomination(), "tep", "IMG_2041 Phạm Văn Tiêu Biểu.jpg", "image/jpeg", photo, true)
	a := e.do(req)
	var ans codeAnswer
	json.Unmarshal([]byte(a.body), &ans)
	if a.code != 200 || !ans.OK || !strings.HasPrefix(ans.Code, "DC-") {
		t.Fatalf("nomination: %d %s", a.code, a.body)
	}
	rows, files := e.keys("loa/submissions/de-cu/"), e.keys("loa/uploads/de-cu/")
	if len(rows) != 1 || len(files) != 1 {
		t.Fatalf("stored rows %q and files %q, want one each", rows, files)
	}
	hash := strings.TrimSuffix(path.Base(rows[0]), ".csv")
	if files[0] != "loa/uploads/de-cu/"+hash+"/tep.jpg" {
		t.Errorf("file at %s, want under its submission's hash", files[0])
	}
	kept := []byte(e.object(files[0]))
	for _, leak := range uploadtest.Leaks() {
		if bytes.Contains(kept, leak) {
			t.Errorf("the kept photo holds %q", leak)
		}
	}
	if c, err := jpeg.DecodeConfig(bytes.NewReader(kept)); err != nil || c.Width != 48 || c.Height != 96 {
		t.Errorf("kept photo %d×%d (%v), want it upright, 48×96", c.Width, c.Height, err)
	}
	// The row names the file by its content; never by the sender's file name.
	row := e.object(rows[0])
	sum := sha256.Sum256(kept)
	if !strings.Contains(row, ","+hex.EncodeToString(sum[:8])+".jpg,") || strings.Contains(row, "IMG_2041") {
		t.Errorf("row %s does not name the kept file by its content", row)
	}
	if !strings.HasPrefix(row, "Mã,Thời điểm gửi,Chi đoàn đề cử,Họ và tên người gửi,Số điện thoại người gửi,Người được đề cử,Năm sinh,Lĩnh vực,Thành tích,Tệp kèm theo,Phiên bản thông báo đồng ý\n") {
		t.Errorf("row header: %s", row)
	}

	// Sent again (a double click, a retry): the same code, nothing more stored.
	a = e.do(postMultipart(t, "de-cu", nomination(), "tep", "anh.jpg", "image/jpeg", photo, true))
	var again codeAnswer
	json.Unmarshal([]byte(a.body), &again)
	if a.code != 200 || again.Code != ans.Code || len(e.keys("loa/submissions/de-cu/")) != 1 || len(e.keys("loa/uploads/de-cu/")) != 1 {
		t.Errorf("resend: %d %s; %d rows, %d files", a.code, a.body, len(e.keys("loa/submissions/de-cu/")), len(e.keys("loa/uploads/de-cu/")))
	}

	// Staff download the file under the form and the receipt code.
	a = e.do(staffRequest("GET", "/api/files/de-cu/"+ans.ID+"/tep", staffSecret, "198.51.100.7:5555"))
	var link struct {
		OK       bool   `json:"ok"`
		URL      string `json:"url"`
		FileName string `json:"file"`
	}
	if err := json.Unmarshal([]byte(a.body), &link); err != nil || a.code != 200 || !link.OK {
		t.Fatalf("file link: %d %s", a.code, a.body)
	}
	if link.FileName != "de-cu-"+ans.Code+".jpg" {
		t.Errorf("download named %q, want de-cu-%s.jpg", link.FileName, ans.Code)
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, kept) || !strings.Contains(resp.Header.Get("Content-Disposition"), link.FileName) {
		t.Errorf("download: %d, %d bytes (want %d), %q", resp.StatusCode, len(got), len(kept), resp.Header.Get("Content-Disposition"))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "image/jpeg" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download served as %q, %q; want image/jpeg as an attachment", ct, resp.Header.Get("Content-Disposition"))
	}
	// The link lives ten minutes, and that is signed: a longer life asked
	// of the same link is refused by the store.
	u, err := url.Parse(link.URL)
	if err != nil || u.Query().Get("X-Amz-Expires") != "600" {
		t.Fatalf("link %v lives %q seconds, want 600", err, u.Query().Get("X-Amz-Expires"))
	}
	q := u.Query()
	q.Set("X-Amz-Expires", "604800")
	u.RawQuery = q.Encode()
	if resp, err := http.Get(u.String()); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a link stretched to a week: %v %v, want 403", err, resp.StatusCode)
	} else {
		resp.Body.Close()
	}
	// Only a quản lý gets a link: a “trả lời” is refused, and without an
	// account nothing is told.
	lan := e.newAccount("lan", "Nguyễn Thị Lan", store.RoleAnswer)
	if a := e.do(accountRequest("GET", "/api/files/de-cu/"+ans.ID+"/tep", "lan", lan, nil)); a.code != http.StatusForbidden || strings.Contains(a.body, "http") {
		t.Errorf("file link for a “trả lời”: %d %s, want 403", a.code, a.body)
	}
	if a := e.do(accountRequest("GET", "/api/files/de-cu/"+ans.ID+"/tep", "lan", "sai-ma-dang-nhap", nil)); a.code != http.StatusUnauthorized || strings.Contains(a.body, "http") {
		t.Errorf("file link with a wrong secret: %d %s, want 401", a.code, a.body)
	}
	for _, p := range []string{"/api/files/de-cu/" + ans.ID + "/ho_ten", "/api/files/de-cu/" + ans.ID + "/khong", "/api/files/de-cu/000000000000/tep"} {
		if a := e.do(staffRequest("GET", p, staffSecret, "198.51.100.7:5555")); a.code != 404 {
			t.Errorf("%s: %d, want 404", p, a.code)
		}
	}

	// Deleted on request: the file goes with the row.
	if a := e.do(staffRequest("DELETE", "/api/submissions/de-cu/"+ans.ID, staffSecret, "198.51.100.7:5555")); a.code != 200 {
		t.Fatalf("delete: %d %s", a.code, a.body)
	}
	if rows, files := e.keys("loa/submissions/de-cu/"), e.keys("loa/uploads/de-cu/"); len(rows) != 0 || len(files) != 0 {
		t.Errorf("after deletion: rows %q, files %q", rows, files)
	}

	// Nothing the person typed or sent reaches the log.
	e.mu.Lock()
	logs := e.logs.String()
	e.mu.Unlock()
	for _, private := range []string{"Phạm Văn Tiêu Biểu", "Lê Thị Gửi", "0987", "IMG_2041", "kỹ năng số"} {
		if strings.Contains(logs, private) {
			t.Errorf("log holds %q", private)
		}
	}
}

func TestNominationFileChecks(t *testing.T) {
	e := newEnv(t, nil)
	f := e.reg.Form("de-cu")
	big := make([]byte, f.Field("tep").MaxSize+1)
	copy(big, uploadtest.PhoneJPEG(16, 16, 1))
	pdf := []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
	for _, tc := range []struct {
		name, filename, claimed string
		file                    []byte
		code                    int
		msg                     string // at the field, for a 422
		stored                  bool   // a file object is written
	}{
		{"text named .jpg", "anh.jpg", "image/jpeg", []byte("Đây là một tệp văn bản, không phải ảnh."), 422, "Chọn ảnh JPEG, PNG hoặc tài liệu PDF, Word (.docx)", false},
		{"a page named .png", "anh.png", "image/png", []byte("<!DOCTYPE html><script>alert(1)</script>"), 422, "Chọn ảnh JPEG, PNG hoặc tài liệu PDF, Word (.docx)", false},
		{"damaged photo", "anh.jpg", "image/jpeg", uploadtest.PhoneJPEG(64, 64, 1)[:400], 422, "Chọn ảnh JPEG, PNG hoặc tài liệu PDF, Word (.docx)", false},
		{"over the field's size", "anh.jpg", "image/jpeg", big, 422, "Tệp chỉ được tối đa 3 MB; hãy chọn ảnh nhỏ hơn hoặc chụp lại", false},
		{"a PDF named .jpg", "anh.jpg", "image/jpeg", pdf, 200, "", true},
		{"no file chosen", "", "application/octet-stream", nil, 200, "", false},
	} {
		before := len(e.keys("loa/uploads/"))
		v := nomination()
		v.Set("ho_ten", "Người "+tc.name) // each case its own submission
		a := e.do(postMultipart(t, "de-cu", v, "tep", tc.filename, tc.claimed, tc.file, true))
		if a.code != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.name, a.code, a.body, tc.code)
			continue
		}
		if tc.code == 422 && (len(a.json.Errors) != 1 || a.json.Errors[0].Field != "tep" || a.json.Errors[0].Message != tc.msg) {
			t.Errorf("%s: errors %+v, want %q at tep", tc.name, a.json.Errors, tc.msg)
		}
		if grew := len(e.keys("loa/uploads/")) > before; grew != tc.stored {
			t.Errorf("%s: a file stored: %v, want %v", tc.name, grew, tc.stored)
		}
	}
	// Files are kept by what they are: the PDF under .pdf.
	if ks := e.keys("loa/uploads/de-cu/"); len(ks) != 1 || !strings.HasSuffix(ks[0], "/tep.pdf") {
		t.Errorf("kept files %q, want one PDF", ks)
	}

	// Past the whole request's limit: 413, with the limit in the message.
	huge := make([]byte, f.MaxBody())
	a := e.do(postMultipart(t, "de-cu", nomination(), "tep", "anh.jpg", "image/jpeg", huge, true))
	if a.code != http.StatusRequestEntityTooLarge || !strings.Contains(a.json.Message, "Hãy chọn tệp nhỏ hơn") {
		t.Errorf("too large a request: %d %s", a.code, a.body)
	}
	// A form without files reads no more than before.
	if f := e.reg.Form("cau-hoi"); f.MaxBody() != forms.MaxBody || f.Multipart() {
		t.Errorf("cau-hoi reads %d bytes, multipart %v", f.MaxBody(), f.Multipart())
	}
	// Every form's largest request, once in base64 as the Lambda gets it,
	// fits in its 6 MB event with room for the headers.
	for _, f := range e.reg.Forms() {
		if b64 := (f.MaxBody() + 2) / 3 * 4; b64 > 6_000_000-64<<10 {
			t.Errorf("%s: %d bytes of body are %d in base64, over the Lambda's 6 MB", f.ID, f.MaxBody(), b64)
		}
	}

	// Without JavaScript: the page lists the error and asks for the file again.
	a = e.do(postMultipart(t, "de-cu", nomination(), "tep", "anh.jpg", "image/jpeg", []byte("không phải ảnh"), false))
	if a.code != 422 || !strings.Contains(a.body, "hãy chọn lại") || !strings.Contains(a.body, `enctype="multipart/form-data"`) ||
		!strings.Contains(a.body, `value="Phạm Văn Tiêu Biểu"`) {
		t.Errorf("page without JavaScript: %d\n%s", a.code, a.body)
	}
}

// TestCommendationList: a quản lý lists the nominations (never the
// sender), leaves one out, and downloads the list of the others in Word.
func TestCommendationList(t *testing.T) {
	e, _, _ := newStaffEnv(t)
	f := e.reg.Form("de-cu")
	ids := map[string]string{}
	for i, who := range []string{"Lâm Được Giữ", "Mai Bị Bỏ"} {
		v := nomination()
		v.Set("ho_ten", who)
		v.Set("nguoi_gui", "Người Gửi Số "+string(rune('A'+i)))
		sub, errs := f.Validate(v, open)
		if errs != nil {
			t.Fatal(errs)
		}
		rc, err := e.store.Save(context.Background(), sub)
		if err != nil {
			t.Fatal(err)
		}
		ids[who] = rc.ID
	}
	const addr = "198.51.100.7:5555"
	a := e.do(staffRequest("GET", "/api/commendation", staffSecret, addr))
	if a.code != 200 || !strings.Contains(a.body, "Lâm Được Giữ") || !strings.Contains(a.body, `"group":"Chi đoàn Tổ dân phố 3"`) {
		t.Fatalf("list: %d %s", a.code, a.body)
	}
	if strings.Contains(a.body, "Người Gửi") || strings.Contains(a.body, "0987111222") {
		t.Errorf("the list shows the sender: %s", a.body)
	}
	req := staffRequest("PUT", "/api/commendation/"+ids["Mai Bị Bỏ"], staffSecret, addr)
	req.Body = io.NopCloser(strings.NewReader(`{"out":true}`))
	if a := e.do(req); a.code != 200 || a.json.Message != "Đã để ra ngoài danh sách đề nghị khen thưởng." {
		t.Fatalf("leave out: %d %s", a.code, a.body)
	}
	req = staffRequest("PUT", "/api/commendation/000000000000", staffSecret, addr)
	req.Body = io.NopCloser(strings.NewReader(`{"out":true}`))
	if a := e.do(req); a.code != 404 {
		t.Errorf("an unknown nomination: %d", a.code)
	}
	var list struct {
		Kept  int `json:"kept"`
		Items []struct {
			Name string `json:"name"`
			Out  bool   `json:"out"`
		} `json:"items"`
	}
	a = e.do(staffRequest("GET", "/api/commendation", staffSecret, addr))
	if json.Unmarshal([]byte(a.body), &list); list.Kept != 1 || len(list.Items) != 2 {
		t.Errorf("after leaving one out: %s", a.body)
	}

	a = e.do(staffRequest("GET", "/api/commendation.docx", staffSecret, addr))
	var link struct {
		URL  string `json:"url"`
		File string `json:"file"`
		Rows int    `json:"rows"`
	}
	if json.Unmarshal([]byte(a.body), &link); a.code != 200 || link.Rows != 1 || link.File != "danh-sach-de-nghi-khen-thuong-2023-04-05.docx" {
		t.Fatalf("docx: %d %s", a.code, a.body)
	}
	resp, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the download is no .docx: %v", err)
	}
	var doc string
	for _, zf := range zr.File {
		if zf.Name == "word/document.xml" {
			rc, _ := zf.Open()
			x, _ := io.ReadAll(rc)
			rc.Close()
			doc = string(x)
		}
	}
	if !strings.Contains(doc, "Lâm Được Giữ") || strings.Contains(doc, "Mai Bị Bỏ") || strings.Contains(doc, "Người Gửi") || !strings.Contains(doc, "DANH SÁCH") {
		t.Errorf("the list's text: %.400s", doc)
	}
}

// TestNominationMultipartAttacks: bodies no browser sends are refused
// with a precise status and store nothing, and what a sender names a file
// (a path, control characters) or puts in it never reaches a key, a row or
// the log.
func TestNominationMultipartAttacks(t *testing.T) {
	e := newEnv(t, nil)
	const boundary = "XyZ0123456789"
	part := func(name, filename, body string) string {
		disp := `form-data; name="` + name + `"`
		if filename != "" {
			disp += `; filename="` + filename + `"`
		}
		return "--" + boundary + "\r\nContent-Disposition: " + disp + "\r\n\r\n" + body + "\r\n"
	}
	fields := func() string {
		var s strings.Builder
		v := nomination()
		for k := range v {
			s.WriteString(part(k, "", v.Get(k)))
		}
		return s.String()
	}
	pdf := "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
	end := "--" + boundary + "--\r\n"
	send := func(body string) answer {
		r := httptest.NewRequest("POST", "/api/forms/de-cu", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		r.Header.Set("Accept", "application/json")
		return e.do(r)
	}
	whole := fields() + part("tep", "a.pdf", pdf) + end
	for _, tc := range []struct {
		name string
		body string
		code int
	}{
		{"two file parts", fields() + part("tep", "a.pdf", pdf) + part("tep", "b.pdf", pdf) + end, 400},
		{"a field repeated", fields() + part("ho_ten", "", "Người Thứ Hai") + part("tep", "a.pdf", pdf) + end, 400},
		{"a file and a text under one name", fields() + part("tep", "", "chữ") + part("tep", "a.pdf", pdf) + end, 400},
		{"cut off in the file", whole[:len(whole)-len(end)-20], 400},
		{"no closing boundary", whole[:len(whole)-len(end)], 400},
		{"a part without a name", fields() + "--" + boundary + "\r\nContent-Disposition: form-data; filename=\"a.pdf\"\r\n\r\n" + pdf + "\r\n" + end, 400},
		{"more parts than any form has", fields() + manyParts(part, 120) + end, 400},
		// Not even read as a header (browsers escape only CR, LF and the
		// quote): refused whole, nothing kept. Rare, and the name is never kept.
		{"a control character in a file's name", fields() + part("tep", "a\x1b[31m.pdf", pdf) + end, 400},
		{"a file sent under a text field's name", strings.Replace(fields(), part("ho_ten", "", "Phạm Văn Tiêu Biểu"), part("ho_ten", "ho_ten.pdf", pdf), 1) + end, 422},
	} {
		a := send(tc.body)
		if a.code != tc.code {
			t.Errorf("%s: %d %s, want %d", tc.name, a.code, a.body, tc.code)
		}
		if ks := append(e.keys("loa/submissions/"), e.keys("loa/uploads/")...); len(ks) != 0 {
			t.Fatalf("%s: stored %q", tc.name, ks)
		}
	}

	// A file named as a path, with control characters and a line break as
	// a browser escapes it: stored under the submission's hash and the
	// field, by its content. (A raw line break ends the part's header: 400.)
	evil := "../../x%0D%0A IMG_evil\t.pdf"
	a := send(fields() + part("tep", evil, pdf+"%BÍ-MẬT-TRONG-TỆP\n") + end)
	if a.code != 200 {
		t.Fatalf("a file with a hostile name: %d %s", a.code, a.body)
	}
	keys := append(e.keys("loa/submissions/"), e.keys("loa/uploads/")...)
	if len(keys) != 2 {
		t.Fatalf("stored %q, want a row and a file", keys)
	}
	for _, k := range keys {
		if strings.Contains(k, "..") || strings.Contains(k, "evil") || !strings.HasPrefix(k, "loa/") {
			t.Errorf("key %q comes from the sender's file name", k)
		}
		if strings.HasPrefix(k, "loa/submissions/") && strings.Contains(e.object(k), "evil") {
			t.Errorf("row %s holds the sender's file name", e.object(k))
		}
	}
	e.mu.Lock()
	logs := e.logs.String()
	e.mu.Unlock()
	for _, private := range []string{"evil", "../", "BÍ-MẬT", "Phạm Văn Tiêu Biểu", "Người Thứ Hai"} {
		if strings.Contains(logs, private) {
			t.Errorf("log holds %q", private)
		}
	}
}

func manyParts(part func(name, filename, body string) string, n int) string {
	var s strings.Builder
	for i := range n {
		s.WriteString(part("x"+strconv.Itoa(i), "", "1"))
	}
	return s.String()
}
