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
	if got := strings.Join(ids, ","); got != "cau-hoi,dai-bieu" {
		t.Fatalf("Forms() = %s, want cau-hoi,dai-bieu", got)
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
---
Nội dung.
`

func TestLoadErrors(t *testing.T) {
	if _, err := forms.LoadWith(contentWith(goodForm), site.FS(), forms.Declarations()...); err != nil {
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
		_, err := forms.LoadWith(contentWith(src), site.FS(), forms.Declarations()...)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s → %s: error %v, want %s", tc.from, tc.to, err, tc.want)
		}
	}
	clash := contentWith(goodForm)
	clash["data/chi-doan.yaml"] = &fstest.MapFile{Data: []byte("items: [\"Chi đoàn Đông\", \"Chi Doan Dong\"]\n")}
	if _, err := forms.LoadWith(clash, site.FS(), forms.Declarations()...); err == nil || !strings.Contains(err.Error(), "both become \"chi-doan-dong\"") {
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

// TestDeclarationDrivesAll adds a field to a declaration and finds it in the
// HTML, the validation and the CSV.
func TestDeclarationDrivesAll(t *testing.T) {
	decls := forms.Declarations()
	for i := range decls {
		if decls[i].ID == "cau-hoi" {
			decls[i].Fields = append(decls[i].Fields[:len(decls[i].Fields)-1:len(decls[i].Fields)-1], forms.Field{
				Name: "nghe_nghiep", Label: "Nghề nghiệp", Kind: forms.KindText, Required: true, MaxLen: 80,
				Autocomplete: "organization-title", Missing: "Nhập nghề nghiệp",
			}, decls[i].Fields[len(decls[i].Fields)-1])
		}
	}
	r, err := forms.LoadWith(content.FS, site.FS(), decls...)
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
		t.Error("changing a copy changed the built-in declaration")
	}
}

func contentFS() fs.FS { return content.FS }

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
