package forms_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"loa/functions/forms"
	"loa/site"
)

// FuzzDecode feeds arbitrary bodies (form-urlencoded, JSON, multipart with
// files) through decoding and validation of every form and checks what
// must always hold: no panic, every error is one of the declared ones, and
// an accepted submission is clean (valid UTF-8, NFC, trimmed, within its
// length, options from the list, phone in normal form, a file named by its
// content) and stable (validating what was stored accepts it unchanged).
func FuzzDecode(f *testing.F) {
	reg, err := loadForFuzz()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("application/x-www-form-urlencoded", valid().Encode())
	f.Add("application/x-www-form-urlencoded", "ho_ten=Nguye%CC%82%CC%83n&dien_thoai=%2B84+912.345.678&chi_doan=Kh%C3%A1c&linh_vuc=Kh%C3%A1c&noi_dung=a&dong_y=1")
	f.Add("application/json", `{"ho_ten":"An","dien_thoai":"0912345678","chi_doan":"Khác","linh_vuc":"Khác","noi_dung":"x","dong_y":"co"}`)
	f.Add("application/json", `{"chi_doan":"Chi đoàn Tổ dân phố 1","ho_ten":"B","chuc_vu":"Bí thư","nam_sinh":"2000","dien_thoai":"0387654321","dong_y":"co"}`)
	f.Add("application/x-www-form-urlencoded", "ho_ten=%FF&ho_ten=a")
	f.Add("text/plain", "")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"ho_ten\"\r\n\r\nAn\r\n"+
		"--b\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n--b--\r\n")
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"tep\"; filename=\"\"\r\n\r\n\r\n--b--\r\n")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		raw, files, err := forms.DecodeRequest(contentType, []byte(body))
		if err != nil {
			if !isErr(err, forms.ErrMalformed) && !isErr(err, forms.ErrInvalidUTF8) && !isErr(err, forms.ErrUnsupportedType) {
				t.Fatalf("undeclared error %v", err)
			}
			return
		}
		for k, vs := range raw {
			if !utf8.ValidString(k) || len(vs) != 1 || !utf8.ValidString(vs[0]) {
				t.Fatalf("decoded %q=%q", k, vs)
			}
		}
		for _, fm := range reg.Forms() {
			sub, errs := fm.ValidateFiles(raw, files, open)
			if sub == nil {
				if len(errs) == 0 {
					t.Fatal("rejected without a message")
				}
				for name, msg := range errs {
					if fm.Field(name) == nil || msg == "" {
						t.Fatalf("message %q for %q", msg, name)
					}
				}
				if _, err := fm.RenderHTML(forms.State{Now: open, Values: raw, Errors: errs}); err != nil {
					t.Fatal(err)
				}
				continue
			}
			again := url.Values{}
			for _, fl := range fm.Fields {
				v := sub.Values[fl.Name]
				if !utf8.ValidString(v) || !norm.NFC.IsNormalString(v) || strings.TrimSpace(v) != v {
					t.Fatalf("%s: %q is not clean", fl.Name, v)
				}
				if fl.MaxLen > 0 && utf8.RuneCountInString(v) > fl.MaxLen {
					t.Fatalf("%s: %d characters", fl.Name, utf8.RuneCountInString(v))
				}
				if v != "" && (fl.Kind == forms.KindSelect || fl.Kind == forms.KindRadio) && !contains(fl.Options, v) {
					t.Fatalf("%s: %q is not an option", fl.Name, v)
				}
				if v != "" && fl.Kind == forms.KindPhone {
					if p, ok := forms.NormalizePhone(v); !ok || p != v || strings.Trim(v, "0123456789") != "" {
						t.Fatalf("phone %q not in normal form", v)
					}
				}
				if fl.Kind == forms.KindFile {
					if file, ok := sub.Files[fl.Name]; ok != (v != "") || ok && forms.FileValue(file) != v {
						t.Fatalf("%s: stored %q for the file %v", fl.Name, v, ok)
					}
				}
				if fl.Kind == forms.KindConsent {
					if v != fm.Consent.Version {
						t.Fatalf("consent stored %q", v)
					}
					v = "co"
				}
				again.Set(fl.Name, v)
			}
			sub2, errs2 := fm.ValidateFiles(again, files, open)
			if errs2 != nil {
				t.Fatalf("stored values rejected: %v", errs2)
			}
			if sub2.Hash() != sub.Hash() {
				t.Fatalf("validation is not stable: %v → %v", sub.Values, sub2.Values)
			}
			if _, err := fm.MarshalCSV(sub.Record(open)); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func loadForFuzz() (*forms.Registry, error) {
	return forms.Load(contentFS(), site.FS())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
