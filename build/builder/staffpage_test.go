package builder

import (
	"bytes"
	"strings"
	"testing"

	"loa/site"
)

func TestRenderStaffPage(t *testing.T) {
	l, err := NewLayouts(site.FS())
	if err != nil {
		t.Fatal(err)
	}
	fr := l.Frame()
	var b bytes.Buffer
	if err := renderStaffPage(&b, l, site.Config{Title: "Phường Bạch Sam"}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<meta name="robots" content="noindex">`,
		`<title>Quản trị biểu mẫu – Phường Bạch Sam</title>`,
		`<label class="form-label" for="ma-quan-tri">Mã quản trị</label>`,
		`<label class="form-label" for="xoa-ma">Mã câu trả lời</label>`,
		`data-header="X-Loa-Staff"`,
		`<script src="` + fr.Script("staff.js") + `" defer></script>`,
		`role="status"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("staff page lacks %s", want)
		}
	}
	if strings.Contains(page, "form.js") {
		t.Error("staff page loads the form script")
	}
	if !strings.Contains(string(cssOf(t, fr)), ".staff-table") {
		t.Error("staff.css is not in the site's stylesheet")
	}
}

func cssOf(t *testing.T, fr *site.Frame) []byte {
	for _, a := range fr.Assets() {
		if a.Path == fr.Stylesheet() {
			return a.Data
		}
	}
	t.Fatal("no stylesheet")
	return nil
}
