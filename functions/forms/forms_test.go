package forms_test

import (
	"io/fs"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"loa/content"
	"loa/functions/forms"
	"loa/site"
)

// open is an instant when both forms of the shipped content take answers.
var open = time.Date(2023, 4, 5, 9, 0, 0, 0, time.UTC)

func load(t *testing.T) *forms.Registry {
	t.Helper()
	r, err := forms.Load(content.FS, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestLoadContent(t *testing.T) {
	r := load(t)
	var ids []string
	for _, f := range r.Forms() {
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, ","); got != "cau-hoi,dai-bieu,de-cu" {
		t.Fatalf("Forms() = %s, want cau-hoi,dai-bieu,de-cu", got)
	}
	q := r.Form("cau-hoi")
	if q.Closes.Format(time.RFC3339) != "2023-04-20T00:00:00+07:00" {
		t.Errorf("Closes = %s", q.Closes.Format(time.RFC3339))
	}
	if !q.IsOpen(open) || q.IsOpen(q.Closes) || !q.IsOpen(q.Closes.Add(-time.Nanosecond)) || q.IsOpen(q.Opens.Add(-time.Second)) {
		t.Error("IsOpen does not bound [Opens, Closes)")
	}
	topics := q.Field("linh_vuc").Options
	if len(topics) != 4 || topics[3] != forms.Other || !strings.HasPrefix(topics[0], "Công tác đoàn kết") {
		t.Errorf("topics = %q", topics)
	}
	d := r.Form("dai-bieu")
	if d.Quota != 5 || d.QuotaBy != "chi_doan" {
		t.Errorf("dai-bieu quota = %d by %q", d.Quota, d.QuotaBy)
	}
	if opts := d.Field("chi_doan").Options; len(opts) != 8 || opts[len(opts)-1] == forms.Other {
		t.Errorf("dai-bieu chi đoàn options = %q (no Khác: the quota counts by chi đoàn)", opts)
	}
	if !d.SampleList {
		t.Error("the shipped chi đoàn list is marked as a sample")
	}
	if r.Form("khong-co") != nil {
		t.Error("unknown id found")
	}
}

func contentWith(form string) fstest.MapFS {
	return fstest.MapFS{
		"bieu-mau/cau-hoi.md": {Data: []byte(form)},
		"data/chi-doan.yaml":  {Data: []byte("sample: false\nitems:\n  - \"Chi đoàn A\"\n  - \"Chi đoàn B\"\n")},
	}
}

const goodForm = `---
title: "Câu hỏi"
form:
  id: cau-hoi
  opens: 2023-04-01T00:00:00+07:00
  closes: 2023-04-20T00:00:00+07:00
  topics: ["Chủ đề một"]
  consent: {version: "v1", text: "Tôi đồng ý."}
  publishConsent: {version: "p1", text: "Tôi đồng ý công bố."}
  thanks: "Cảm ơn."
  action: "gửi câu hỏi"
  codePrefix: CH
  answered: noi_dung
  fields:
    - {name: ho_ten, label: "Họ và tên", kind: text, required: true, missing: "Nhập họ và tên"}
    - {name: linh_vuc, label: "Lĩnh vực", kind: radio, required: true, source: topics, other: true, missing: "Chọn lĩnh vực"}
    - {name: noi_dung, label: "Nội dung câu hỏi", kind: textarea, required: true, missing: "Nhập nội dung"}
    - {name: dong_y, label: "Đồng ý", kind: consent, required: true, missing: "Đánh dấu vào ô đồng ý"}
    - {name: cong_bo, label: "Đồng ý công bố", kind: publish}
---
Nội dung.
`

func TestLoadErrors(t *testing.T) {
	if _, err := forms.Load(contentWith(goodForm), site.FS()); err != nil {
		t.Fatalf("good form: %v", err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{"closes: 2023-04-20T00:00:00+07:00", `closes: "x"`,
			`bieu-mau/cau-hoi.md:6: form.closes: "x" không phải ngày giờ (cần dạng 2023-04-20T00:00:00+07:00)`},
		{"opens: 2023-04-01T00:00:00+07:00", "opens: 2023-04-01",
			`bieu-mau/cau-hoi.md:5: form.opens: "2023-04-01" không phải ngày giờ (cần dạng 2023-04-20T00:00:00+07:00)`},
		{"opens: 2023-04-01T00:00:00+07:00", "opens: 2023-05-01T00:00:00+07:00",
			`bieu-mau/cau-hoi.md:6: form.closes: "2023-04-20T00:00:00+07:00" phải sau giờ mở (opens) "2023-05-01T00:00:00+07:00"`},
		{"id: cau-hoi", "id: hoi-dap",
			`bieu-mau/cau-hoi.md:4: form.id: "hoi-dap" phải trùng tên tệp "cau-hoi" (đó là địa chỉ trang /bieu-mau/cau-hoi/)`},
		{`consent: {version: "v1", text: "Tôi đồng ý."}`, `consent: {text: "Tôi đồng ý."}`,
			"bieu-mau/cau-hoi.md:8: form.consent: cần cả version và text"},
		{`topics: ["Chủ đề một"]`, `topics: []`, `bieu-mau/cau-hoi.md:7: form.topics: missing (field "Lĩnh vực" lists them)`},
		{"thanks:", "quota: 3\n  thanks:", "bieu-mau/cau-hoi.md:10: form.quota: biểu mẫu này không giới hạn số suất"},
		{`publishConsent: {version: "p1", text: "Tôi đồng ý công bố."}`, `publishConsent: {version: "p1"}`,
			"bieu-mau/cau-hoi.md:9: form.publishConsent: cần cả version và text"},
	} {
		src := strings.Replace(goodForm, tc.from, tc.to, 1)
		_, err := forms.Load(contentWith(src), site.FS())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s → %s: error %v, want %s", tc.from, tc.to, err, tc.want)
		}
	}
	clash := contentWith(goodForm)
	clash["data/chi-doan.yaml"] = &fstest.MapFile{Data: []byte("items: [\"Chi đoàn Đông\", \"Chi Doan Dong\"]\n")}
	if _, err := forms.Load(clash, site.FS()); err == nil || !strings.Contains(err.Error(), "both become \"chi-doan-dong\"") {
		t.Errorf("chi đoàn names with one slug: %v", err)
	}
}

// valid is a question that passes; cases change one value.
func valid() url.Values {
	return url.Values{
		"ho_ten":     {"Nguyễn Văn An"},
		"nam_sinh":   {"1998"},
		"chi_doan":   {"Chi đoàn Tổ dân phố 1"},
		"dien_thoai": {"0912 345 678"},
		"email":      {""},
		"linh_vuc":   {forms.Other},
		"noi_dung":   {"Phường có hỗ trợ học thạc sĩ không?"},
		"dong_y":     {"co"},
	}
}

func TestValidate(t *testing.T) {
	f := load(t).Form("cau-hoi")
	for _, tc := range []struct {
		name  string
		key   string
		value string
		field string // field with the error, "" for none
		msg   string
		want  string // stored value when valid
	}{
		{"ok", "ho_ten", "  Nguyễn   Văn\tAn ", "", "", "Nguyễn Văn An"},
		{"nfd name", "ho_ten", "Nguye\u0302\u0303n", "", "", "Nguyễn"},
		{"name missing", "ho_ten", "   ", "ho_ten", "Nhập họ và tên", ""},
		{"name too long", "ho_ten", strings.Repeat("a", 101), "ho_ten", "Họ và tên chỉ được tối đa 100 ký tự", ""},
		{"year optional", "nam_sinh", "", "", "", ""},
		{"year letters", "nam_sinh", "199x", "nam_sinh", "Năm sinh phải là 4 chữ số, ví dụ 1998", ""},
		{"year too late", "nam_sinh", "2022", "nam_sinh", "Năm sinh phải từ 1923 đến 2018", ""},
		{"year too early", "nam_sinh", "1900", "nam_sinh", "Năm sinh phải từ 1923 đến 2018", ""},
		{"chi đoàn other", "chi_doan", "Khác", "", "", "Khác"},
		{"chi đoàn unknown", "chi_doan", "Chi đoàn Sao Hỏa", "chi_doan", "Chọn một chi đoàn trong danh sách", ""},
		{"chi đoàn missing", "chi_doan", "", "chi_doan", "Chọn chi đoàn của bạn", ""},
		{"phone +84", "dien_thoai", "+84 912.345-678", "", "", "0912345678"},
		{"phone dots", "dien_thoai", "0912.345.678", "", "", "0912345678"},
		{"phone short", "dien_thoai", "091234567", "dien_thoai", "Số điện thoại không đúng, ví dụ 0912 345 678", ""},
		{"phone letters", "dien_thoai", "0912abc678", "dien_thoai", "Số điện thoại không đúng, ví dụ 0912 345 678", ""},
		{"no way to answer", "dien_thoai", "", "dien_thoai", "Nhập số điện thoại hoặc email để Văn phòng trả lời bạn", ""},
		{"topic unknown", "linh_vuc", "Thể thao", "linh_vuc", "Chọn một lĩnh vực trong danh sách", ""},
		{"content too long", "noi_dung", strings.Repeat("ệ", 2001), "noi_dung", "Nội dung câu hỏi chỉ được tối đa 2.000 ký tự", ""},
		{"content at limit", "noi_dung", strings.Repeat("ệ", 2000), "", "", strings.Repeat("ệ", 2000)},
		{"content crlf", "noi_dung", "Dòng một  \r\nDòng hai", "", "", "Dòng một\nDòng hai"},
		{"consent unticked", "dong_y", "", "dong_y", "Đánh dấu vào ô đồng ý để gửi câu hỏi", ""},
		{"consent stores version", "dong_y", "co", "", "", "2023-04-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := valid()
			v.Set(tc.key, tc.value)
			sub, errs := f.Validate(v, open)
			if tc.field == "" {
				if errs != nil {
					t.Fatalf("errors %v", errs)
				}
				if got := sub.Values[tc.key]; got != tc.want {
					t.Fatalf("stored %q, want %q", got, tc.want)
				}
				return
			}
			if sub != nil || errs[tc.field] != tc.msg || len(errs) != 1 {
				t.Fatalf("errors %v, want only %s: %q", errs, tc.field, tc.msg)
			}
		})
	}
	// Email instead of a phone number.
	v := valid()
	v.Set("dien_thoai", "")
	v.Set("email", "An.Nguyen@Example.VN")
	sub, errs := f.Validate(v, open)
	if errs != nil || sub.Values["email"] != "An.Nguyen@example.vn" {
		t.Fatalf("email: %v %v", errs, sub)
	}
	v.Set("email", "an@@example")
	if _, errs := f.Validate(v, open); errs["email"] != "Email không đúng, ví dụ ten@example.com" {
		t.Fatalf("bad email: %v", errs)
	}
}

func TestHashIgnoresFormattingNotContent(t *testing.T) {
	f := load(t).Form("cau-hoi")
	a, _ := f.Validate(valid(), open)
	v := valid()
	v.Set("dien_thoai", "+84912345678")
	v.Set("ho_ten", " Nguye\u0302\u0303n  Văn An")
	b, errs := f.Validate(v, open)
	if errs != nil {
		t.Fatal(errs)
	}
	if a.Hash() != b.Hash() {
		t.Error("the same answer typed differently has two hashes")
	}
	v.Set("noi_dung", "Câu hỏi khác?")
	c, _ := f.Validate(v, open)
	if c.Hash() == a.Hash() {
		t.Error("different answers share a hash")
	}
	if len(a.ID()) != forms.IDLength || !strings.HasPrefix(a.Hash(), a.ID()) {
		t.Errorf("ID %q is not the start of the hash", a.ID())
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"0912345678":        "0912345678",
		"0912 345 678":      "0912345678",
		"091-234-5678":      "0912345678",
		"+84912345678":      "0912345678",
		"(+84) 912 345 678": "0912345678",
		"+84 0912 345 678":  "0912345678",
		"84912345678":       "0912345678",
		"0387.654.321":      "0387654321",
		"024 3825 1234":     "02438251234",
		"0112345678":        "",
		"+1 912 345 678":    "",
		"09123456789":       "",
		"0912+345678":       "",
		"":                  "",
	} {
		got, ok := forms.NormalizePhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	for _, tc := range []struct {
		ct, body string
		want     error
		name     string
	}{
		{"application/x-www-form-urlencoded", "ho_ten=An&dong_y=co", nil, "An"},
		{"application/x-www-form-urlencoded; charset=UTF-8", "ho_ten=%E1%BB%87", nil, "ệ"},
		{"application/json", `{"ho_ten":"An"}`, nil, "An"},
		{"application/json; charset=utf-8", `{"ho_ten":"An"} `, nil, "An"},
		{"application/x-www-form-urlencoded", "ho_ten=%FF", forms.ErrInvalidUTF8, ""},
		{"application/x-www-form-urlencoded", "ho_ten=\xff", forms.ErrInvalidUTF8, ""},
		{"application/json", "{\"ho_ten\":\"\xff\"}", forms.ErrInvalidUTF8, ""},
		{"application/x-www-form-urlencoded", "ho_ten=%zz", forms.ErrMalformed, ""},
		{"application/x-www-form-urlencoded", "ho_ten=a&ho_ten=b", forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":1}`, forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":"An","ho_ten":"Bình"}`, forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":"An","dong_y":"co","ho_ten":"An"}`, forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":{"a":"b"}}`, forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":"An"`, forms.ErrMalformed, ""},
		{"application/json", `{}`, nil, ""},
		{"application/json", `["An"]`, forms.ErrMalformed, ""},
		{"application/json", `{"ho_ten":"An"}{}`, forms.ErrMalformed, ""},
		{"application/json", `null`, forms.ErrMalformed, ""},
		{"text/plain", "ho_ten=An", forms.ErrUnsupportedType, ""},
		{"", "ho_ten=An", forms.ErrUnsupportedType, ""},
		{"application/x-www-form-urlencoded; charset=latin1", "ho_ten=An", forms.ErrUnsupportedType, ""},
	} {
		v, err := forms.DecodeBody(tc.ct, []byte(tc.body))
		if tc.want == nil && (err != nil || v.Get("ho_ten") != tc.name) {
			t.Errorf("%s %q: %v %v", tc.ct, tc.body, v, err)
		}
		if tc.want != nil && !isErr(err, tc.want) {
			t.Errorf("%s %q: error %v, want %v", tc.ct, tc.body, err, tc.want)
		}
	}
}

func isErr(err, target error) bool {
	for e := err; e != nil; {
		if e == target {
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

func TestCSVRoundTrip(t *testing.T) {
	f := load(t).Form("cau-hoi")
	v := valid()
	v.Set("noi_dung", "Có dấu phẩy, \"ngoặc kép\"\nvà xuống dòng")
	sub, errs := f.Validate(v, open)
	if errs != nil {
		t.Fatal(errs)
	}
	at := time.Date(2023, 4, 5, 2, 3, 4, 0, time.UTC)
	data, err := f.MarshalCSV(sub.Record(at))
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(data), "\n")
	if header != "Mã,Thời điểm gửi,Họ và tên,Năm sinh,Chi đoàn,Số điện thoại,Email,Lĩnh vực,Nội dung câu hỏi,Phiên bản thông báo đồng ý,Phiên bản đồng ý công bố" {
		t.Errorf("header = %s", header)
	}
	if !strings.Contains(string(data), ",2023-04-05T09:03:04+07:00,") {
		t.Errorf("time not in +07:00: %s", data)
	}
	recs, err := f.UnmarshalCSV(data)
	if err != nil || len(recs) != 1 {
		t.Fatalf("%v %v", recs, err)
	}
	for k, want := range sub.Values {
		if recs[0].Values[k] != want {
			t.Errorf("%s: %q, want %q", k, recs[0].Values[k], want)
		}
	}
	if recs[0].ID != sub.ID() || !recs[0].Time.Equal(at) {
		t.Errorf("id/time: %+v", recs[0])
	}
}

func TestRenderHTML(t *testing.T) {
	f := load(t).Form("dai-bieu")
	html, err := f.RenderHTML(forms.State{
		Now:    open,
		Values: url.Values{"ho_ten": {"Trần <Bình>"}, "chuc_vu": {"Bí thư"}, "ghi_chu": {"ghi chú cũ"}},
		Errors: map[string]string{"dien_thoai": "Nhập số điện thoại"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := string(html)
	for _, want := range []string{
		`action="/api/forms/dai-bieu"`,
		`<a href="#f-dien_thoai">Nhập số điện thoại</a>`,
		`value="Trần &lt;Bình&gt;"`,
		`value="Bí thư" checked`,
		`>ghi chú cũ</textarea>`,
		`Giới tính (không bắt buộc)`,
		`Email (không bắt buộc)`,
		`autocomplete="tel" inputmode="tel"`,
		`name="trang_web"`,
		`Hạn cuối: trước 00 giờ 00, ngày 18/04/2023.`,
		`aria-describedby="f-dien_thoai-hint f-dien_thoai-error" aria-invalid="true"`,
		`<input type="checkbox" id="f-dong_y" name="dong_y" value="co">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(s, "Họ và tên (không bắt buộc)") || strings.Contains(s, "Số điện thoại (không bắt buộc)") {
		t.Error("a required field is marked optional")
	}

	closed, err := f.RenderHTML(forms.State{Now: f.Closes})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(closed), "Biểu mẫu đã đóng") || !strings.Contains(string(closed), "00 giờ 00, ngày 18/04/2023") ||
		strings.Contains(string(closed), "<form") {
		t.Errorf("closed form: %s", closed)
	}
}

// TestDeclarationDrivesAll adds a field to a form's content and finds it in
// the HTML, the validation and the CSV.
func TestDeclarationDrivesAll(t *testing.T) {
	fsys := contentEdited(t, "bieu-mau/cau-hoi.md", "    - name: cong_bo\n", `    - name: nghe_nghiep
      label: "Nghề nghiệp"
      kind: text
      required: true
      maxLength: 80
      autocomplete: organization-title
      missing: "Nhập nghề nghiệp"
    - name: cong_bo
`)
	r, err := forms.Load(fsys, site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := r.Form("cau-hoi")
	html, err := f.RenderHTML(forms.State{Now: open})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<label class="form-label" for="f-nghe_nghiep">Nghề nghiệp</label>`) ||
		!strings.Contains(string(html), `name="nghe_nghiep" type="text" value="" maxlength="80" autocomplete="organization-title"`) {
		t.Errorf("HTML lacks the new field")
	}
	if _, errs := f.Validate(valid(), open); errs["nghe_nghiep"] != "Nhập nghề nghiệp" || len(errs) != 1 {
		t.Errorf("validation: %v", errs)
	}
	v := valid()
	v.Set("nghe_nghiep", "  Kỹ sư ")
	sub, errs := f.Validate(v, open)
	if errs != nil {
		t.Fatal(errs)
	}
	data, err := f.MarshalCSV(sub.Record(open))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Nội dung câu hỏi,Phiên bản thông báo đồng ý,Nghề nghiệp,Phiên bản đồng ý công bố\n") ||
		!strings.Contains(string(data), ",2023-04-01,Kỹ sư,") {
		t.Errorf("CSV lacks the new column: %s", data)
	}
	if base := load(t).Form("cau-hoi"); base.Field("nghe_nghiep") != nil {
		t.Error("changing a copy changed the shipped content")
	}
}

func contentFS() fs.FS { return content.FS }

// contentEdited is a copy of the shipped content with one replacement in
// one file.
func contentEdited(t testing.TB, file, from, to string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(content.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	src := string(m[file].Data)
	if !strings.Contains(src, from) {
		t.Fatalf("%s has no %q", file, from)
	}
	m[file].Data = []byte(strings.Replace(src, from, to, 1))
	return m
}

func TestReceiptCode(t *testing.T) {
	f := load(t).Form("cau-hoi")
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	code := f.ReceiptCode(hash)
	if len(code) != len("CH-7K3M-9Q2P") || !strings.HasPrefix(code, "CH-") || strings.ContainsAny(code[3:], "01OI") {
		t.Fatalf("code %q", code)
	}
	for _, typed := range []string{code, strings.ToLower(code), strings.ReplaceAll(code, "-", " ")} {
		prefix, hexd, ok := forms.ParseReceipt(typed)
		if !ok || prefix != "CH" || hexd != hash[:forms.ReceiptHexLen] {
			t.Errorf("ParseReceipt(%q) = %q %q %v", typed, prefix, hexd, ok)
		}
	}
	for _, bad := range []string{"", "CH-7K3M", "CH-7K3M-9Q2O", "C1-7K3M-9Q2P", "CH-7K3M-9Q2P-X"} {
		if _, _, ok := forms.ParseReceipt(bad); ok {
			t.Errorf("ParseReceipt(%q) accepted", bad)
		}
	}
	if p := load(t).Form("dai-bieu").ReceiptCode(hash); !strings.HasPrefix(p, "DB-") {
		t.Errorf("delegate code %q", p)
	}
	rec := forms.Record{Values: map[string]string{"dien_thoai": "0912345678", "email": "An@Example.vn"}}
	for typed, want := range map[string]bool{"5678": true, " 5678 ": true, "1234": false, "an@example.vn": true, "": false, "345678": false} {
		if got := f.MatchesContact(rec, typed); got != want {
			t.Errorf("MatchesContact(%q) = %v, want %v", typed, got, want)
		}
	}
}

// TestDeclarationErrors breaks the declaration of goodForm one way at a
// time: each mistake is told in Vietnamese at its file and line, and no
// form is loaded.
func TestDeclarationErrors(t *testing.T) {
	const name = `{name: ho_ten, label: "Họ và tên", kind: text, required: true, missing: "Nhập họ và tên"}`
	for _, tc := range []struct{ from, to, want string }{
		{"kind: text", "kind: tel", `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.kind: "tel" không phải loại trường; các loại: text, textarea, year, phone, email, select, radio, consent, publish, code`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: text, required: true}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten: trường bắt buộc cần missing`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: text, requried: true}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.requried: không có khóa này trong một trường`},
		{name, `{name: ho_ten, kind: text}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten: thiếu label`},
		{name, `{name: "Họ tên", label: "Họ và tên", kind: text}`, `bieu-mau/cau-hoi.md:15: form.fields.Họ tên: name "Họ tên" phải có chữ thường không dấu`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: text, maxLength: nhiều}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.maxLength: "nhiều" phải là một số nguyên`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: text, maxLength: 1000000}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.maxLength: 1000000 quá dài: tối đa 5000 ký tự, để câu trả lời dài nhất vẫn gửi được trong 64 KB`},
		{name, `{name: trang_web, label: "Trang web", kind: text}`, `bieu-mau/cau-hoi.md:15: form.fields.trang_web: tên "trang_web" đã dùng cho một trường khác hoặc là tên dành riêng`},
		{name, `{name: noi_dung, label: "Tên", kind: text}`, `bieu-mau/cau-hoi.md:17: form.fields.noi_dung: tên "noi_dung" đã dùng cho một trường khác`},
		{name, `{name: ho_ten, label: "Nội dung câu hỏi", kind: text}`, `bieu-mau/cau-hoi.md:17: form.fields.noi_dung: cột "Nội dung câu hỏi" trùng với một cột khác`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: radio}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten: trường chọn (radio) cần options (các lựa chọn) hoặc source`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: text, options: [a]}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten: options, source và other chỉ dùng cho trường chọn (select, radio)`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: select, source: to-dan-pho}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.source: "to-dan-pho" không phải nguồn lựa chọn`},
		{name, `{name: ho_ten, label: "Họ và tên", kind: select, options: [a, a]}`, `bieu-mau/cau-hoi.md:15: form.fields.ho_ten.options: lựa chọn "a" để trống hoặc lặp lại`},
		{"    - {name: dong_y", "    - {name: dong_y2, kind: text, label: x}\n    - {name: dong_z", ""}, // two fields, one consent: fine
		{`    - {name: dong_y, label: "Đồng ý", kind: consent, required: true, missing: "Đánh dấu vào ô đồng ý"}` + "\n", "", `bieu-mau/cau-hoi.md:15: form.fields: cần đúng một ô đồng ý xử lý dữ liệu cá nhân (kind: consent), đang có 0`},
		{`{name: cong_bo, label: "Đồng ý công bố", kind: publish}`, `{name: cong_bo, label: "Đồng ý công bố", kind: publish, required: true, missing: "x"}`, `bieu-mau/cau-hoi.md:19: form.fields.cong_bo: ô đồng ý công bố không được bắt buộc`},
		{"answered: noi_dung", "answered: noi_dug", `bieu-mau/cau-hoi.md:13: form.answered: "noi_dug" không phải tên một trường văn bản (text hoặc textarea) của biểu mẫu`},
		{"answered: noi_dung", "quotaBy: ho_ten", `bieu-mau/cau-hoi.md:13: form.quotaBy: "ho_ten" không phải tên một trường chọn trong danh sách`},
		{"codePrefix: CH", "codePrefix: C1", `bieu-mau/cau-hoi.md:12: form.codePrefix: "C1" phải là hai chữ in hoa không dấu`},
		{`  action: "gửi câu hỏi"` + "\n", "", `bieu-mau/cau-hoi.md:3: form.action: thiếu động từ của nút gửi`},
		{"  action:", "  acton: x\n  action:", `bieu-mau/cau-hoi.md:11: form.acton: không có khóa này trong khai báo biểu mẫu`},
		{"  fields:", "  fields: []\n  anyOf:", `bieu-mau/cau-hoi.md:14: form.fields: thiếu danh sách các trường`},
		{"  fields:", "  anyOf:\n    - {fields: [ho_ten, email], message: \"Nhập một trong hai\"}\n  fields:", `bieu-mau/cau-hoi.md:15: form.anyOf.fields: "email" không phải tên một trường của biểu mẫu`},
		{"  fields:", "  anyOf:\n    - {fields: [ho_ten, noi_dung]}\n  fields:", `bieu-mau/cau-hoi.md:15: form.anyOf: mỗi mục cần fields và message`},
	} {
		src := strings.Replace(goodForm, tc.from, tc.to, 1)
		if src == goodForm {
			t.Fatalf("%q is not in goodForm", tc.from)
		}
		_, err := forms.Load(contentWith(src), site.FS())
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s → %s: %v", tc.from, tc.to, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s → %s:\n got %v\nwant %s", tc.from, tc.to, err, tc.want)
		}
	}

	// Two forms may not share the start of their receipt codes.
	twin := contentWith(goodForm)
	twin["bieu-mau/de-cu.md"] = &fstest.MapFile{Data: []byte(strings.Replace(goodForm, "id: cau-hoi", "id: de-cu", 1))}
	if _, err := forms.Load(twin, site.FS()); err == nil || !strings.HasPrefix(err.Error(), `bieu-mau/de-cu.md:12: form.codePrefix: "CH" đã là tiền tố mã biên nhận của biểu mẫu bieu-mau/cau-hoi.md`) {
		t.Errorf("two forms with one code prefix: %v", err)
	}
	// A list of chi đoàn with registration codes needs a code input on a
	// form whose quota counts by chi đoàn.
	coded := contentEdited(t, "bieu-mau/dai-bieu.md", "    - name: ma_dang_ky\n", "    - name: ma_dang_ky_bo\n      column: x\n")
	coded["bieu-mau/dai-bieu.md"].Data = []byte(strings.Replace(string(coded["bieu-mau/dai-bieu.md"].Data), "kind: code", "kind: text", 1))
	hash, err := forms.HashCode("AAAA-BBBB-CCCC")
	if err != nil {
		t.Fatal(err)
	}
	coded["data/chi-doan.yaml"].Data = []byte("items:\n  - {name: \"Chi đoàn A\", code: \"" + hash + "\"}\n")
	if _, err := forms.Load(coded, site.FS()); err == nil || !strings.Contains(err.Error(), "cần một ô mã đăng ký (kind: code)") {
		t.Errorf("codes without a code input: %v", err)
	}
}
