package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// fourthForm is a form the program has never heard of: a page of content
// that declares it, and nothing else.
const fourthForm = `---
title: "Góp ý sinh hoạt hè"
date: 2023-04-02
summary: "Thanh niên góp ý cho chương trình sinh hoạt hè của phường."
form:
  id: gop-y
  opens: 2023-04-01T00:00:00+07:00
  closes: 2023-05-01T00:00:00+07:00
  topics: ["Thể thao", "Kỹ năng sống", "Tình nguyện"]
  consent:
    version: "gy-1"
    text: "Tôi đồng ý để phường dùng email và góp ý của tôi chỉ để chuẩn bị sinh hoạt hè."
  thanks: "Cảm ơn bạn đã góp ý."
  action: "gửi góp ý"
  codePrefix: GY
  fields:
    - name: email
      label: "Email"
      kind: email
      required: true
      maxLength: 254
      autocomplete: email
      missing: "Nhập email để phường hồi âm"
      invalid: "Email chưa đúng, ví dụ ten@example.com"
    - name: nhom_tuoi
      label: "Nhóm tuổi"
      kind: select
      required: true
      options: ["16–20", "21–25", "26–30"]
      missing: "Chọn nhóm tuổi"
      invalid: "Chọn một nhóm tuổi trong danh sách"
    - name: hoat_dong
      label: "Hoạt động muốn tham gia"
      column: "Hoạt động"
      kind: radio
      required: true
      source: topics
      missing: "Chọn một hoạt động"
      invalid: "Chọn một hoạt động trong danh sách"
    - name: gop_y
      label: "Góp ý"
      kind: textarea
      required: true
      maxLength: 300
      missing: "Viết góp ý của bạn"
      tooLong: "Góp ý chỉ được tối đa 300 ký tự"
    - name: dong_y
      label: "Đồng ý"
      column: "Phiên bản đồng ý"
      kind: consent
      required: true
      missing: "Đánh dấu vào ô đồng ý để gửi góp ý"
---

Mời đoàn viên, thanh niên góp ý cho sinh hoạt hè năm 2023.
`

// TestFourthFormFromContentOnly: a form declared in a content folder of
// its own, with no change to the program, is built as a page, takes
// answers checked by its declaration, and reaches the staff counts and the
// export with its own columns.
func TestFourthFormFromContentOnly(t *testing.T) {
	s, _ := startCopyWith(t, Config{}, map[string][]byte{"content/bieu-mau/gop-y.md": []byte(fourthForm)})

	resp, page := get(t, s.URL+"/bieu-mau/gop-y/")
	if resp.StatusCode != 200 {
		t.Fatalf("form page: %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<h1>Góp ý sinh hoạt hè</h1>`, `action="/api/forms/gop-y"`,
		`<option value="21–25">21–25</option>`, `value="Kỹ năng sống"`, `maxlength="300"`,
		`Tôi đồng ý để phường dùng email và góp ý của tôi`, `Gửi góp ý</button>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form page lacks %s", want)
		}
	}
	if _, list := get(t, s.URL+"/bieu-mau/"); !strings.Contains(list, `href="/bieu-mau/gop-y/"`) {
		t.Error("the forms section does not list the new form")
	}

	post := func(v url.Values) (int, map[string]any) {
		req, _ := http.NewRequest("POST", s.URL+"/api/forms/gop-y", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans map[string]any
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans
	}
	code, ans := post(url.Values{"email": {"khong-phai-email"}, "nhom_tuoi": {"31–35"}, "gop_y": {strings.Repeat("ý", 301)}})
	var msgs []string
	for _, e := range ans["errors"].([]any) {
		msgs = append(msgs, e.(map[string]any)["message"].(string))
	}
	want := []string{"Email chưa đúng, ví dụ ten@example.com", "Chọn một nhóm tuổi trong danh sách", "Chọn một hoạt động",
		"Góp ý chỉ được tối đa 300 ký tự", "Đánh dấu vào ô đồng ý để gửi góp ý"}
	if code != 422 || !slices.Equal(msgs, want) {
		t.Errorf("wrong answer: %d %q, want 422 %q", code, msgs, want)
	}
	if n := statsOf(t, s, "gop-y").Total; n != 0 {
		t.Fatalf("a refused answer was counted: %d", n)
	}

	good := url.Values{"email": {"An.Tran@Example.VN"}, "nhom_tuoi": {"21–25"}, "hoat_dong": {"Tình nguyện"},
		"gop_y": {"  Mở lớp bơi cho thiếu nhi  "}, "dong_y": {"co"}}
	code, ans = post(good)
	receipt, _ := ans["code"].(string)
	if code != 200 || !strings.HasPrefix(receipt, "GY-") || ans["message"] != "Cảm ơn bạn đã góp ý." {
		t.Fatalf("good answer: %d %v", code, ans)
	}

	st := statsOf(t, s, "gop-y")
	if st.Total != 1 || st.TopicLabel != "Hoạt động muốn tham gia" || len(st.Topics) != 3 || st.Topics[2].Name != "Tình nguyện" || st.Topics[2].Count != 1 {
		t.Errorf("staff counts: %+v", st)
	}
	rows := exportCSV(t, s, "gop-y")
	if len(rows) != 2 || !slices.Equal(rows[0], []string{"Mã", "Thời điểm gửi", "Email", "Nhóm tuổi", "Hoạt động", "Góp ý", "Phiên bản đồng ý"}) {
		t.Fatalf("export: %q", rows)
	}
	if got := rows[1][2:]; !slices.Equal(got, []string{"An.Tran@example.vn", "21–25", "Tình nguyện", "Mở lớp bơi cho thiếu nhi", "gy-1"}) {
		t.Errorf("export row %q", got)
	}
}
