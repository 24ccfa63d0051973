package builder

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"loa/build/search"
	"loa/functions/vntext"
)

// searchFragment is what the search index keeps of a page to show it in
// the results (see package search).
type searchFragment struct {
	URL     string `json:"u"`
	Title   string `json:"t"`
	Summary string `json:"m"`
	Text    string `json:"x"`
}

// searchFragments are the fragments of every page in the site in out.
func searchFragments(t testing.TB, out string) []searchFragment {
	t.Helper()
	dir := filepath.Join(out, "assets", "search")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var frags []searchFragment
	for _, f := range files {
		if !strings.HasPrefix(f.Name(), "f.") || !strings.HasSuffix(f.Name(), ".bin") {
			continue
		}
		// A group's fragments, one gzip file after the other: read as one
		// stream, the JSON of each in turn.
		dec := json.NewDecoder(bytes.NewReader(gunzipFile(t, filepath.Join(dir, f.Name()))))
		for dec.More() {
			var fr searchFragment
			if err := dec.Decode(&fr); err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			frags = append(frags, fr)
		}
	}
	return frags
}

func gunzipFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if b, err = io.ReadAll(r); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// searchIndexText is every file of the search index the site in out holds,
// its gzip files inflated, one after the other.
func searchIndexText(t testing.TB, out string) string {
	t.Helper()
	dir := filepath.Join(out, "assets", "search")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, f := range files {
		name := filepath.Join(dir, f.Name())
		var b []byte
		if strings.HasSuffix(f.Name(), ".gz") || strings.HasSuffix(f.Name(), ".bin") {
			b = gunzipFile(t, name)
		} else if b, err = os.ReadFile(name); err != nil {
			t.Fatal(err)
		}
		all.Write(b)
		all.WriteByte('\n')
	}
	return all.String()
}

// printedSite is an official document with every part of its header and
// closing blocks, a file and tags; a Party document; and a page with a
// date, a file and tags. Their words are rare ones, found nowhere else.
var printedSite = map[string]string{
	"content/site.yaml":              "title: \"Phường Thử\"\nbaseURL: \"https://thu.example.vn/\"\n",
	"content/data/loai-van-ban.yaml": "items:\n  - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\", slug: \"ke-hoach\" }\n  - { name: \"Nghị quyết\", heading: \"NGHỊ QUYẾT\", slug: \"nghi-quyet\" }\n",
	"content/ke-hoach/_index.md":     "---\ntitle: \"Kế hoạch\"\nkinds: [\"Kế hoạch\"]\n---\n",
	"content/thong-bao/_index.md":    "---\ntitle: \"Thông báo\"\nkinds: [\"Nghị quyết\"]\n---\n",
	"content/ke-hoach/phong-chay/index.md": `---
title: "Phòng cháy chữa cháy mùa khô"
date: 2023-03-01
summary: "Kiểm tra bình cứu hỏa từng hộ."
tags: ["cứu nạn", "hỏa hoạn"]
attachments:
  - { file: "danh-sach.pdf", title: "Danh sách hộ kinh doanh xăng dầu" }
document:
  kind: "Kế hoạch"
  issuer: ["UBND HUYỆN VĂN LÂM", "ỦY BAN NHÂN DÂN XÃ LẠC HỒNG"]
  number: "17/KH-UBND"
  place: "Lạc Hồng"
  issued: 2023-03-01
  effective: 2023-03-15
  addressees: ["Các thôn Ngọc Đà, Phù Ủng"]
  signature: ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
  signer: "Lã Thị Xuyến"
  recipients: ["Công an huyện Văn Lâm;", "Lưu: VT."]
---
## Nội dung

Diễn tập ở chợ Đống.
`,
	"content/ke-hoach/phong-chay/danh-sach.pdf": "%PDF-1.4\n%%EOF\n",
	"content/thong-bao/nghi-quyet-chi-bo.md": `---
title: "Nghị quyết chi bộ thôn Ngọc Đà"
date: 2023-04-02
summary: "Lãnh đạo mùa vụ."
document:
  kind: "Nghị quyết"
  issuer: ["ĐẢNG BỘ XÃ LẠC HỒNG", "CHI BỘ THÔN NGỌC ĐÀ"]
  motto: "ĐẢNG CỘNG SẢN VIỆT NAM"
  number: "05-NQ/CB"
  place: "Ngọc Đà"
  issued: 2023-04-02
  signature: ["T/M CHI BỘ", "BÍ THƯ"]
  signer: "Đỗ Văn Khuê"
---
Gieo mạ đúng khung lịch.
`,
	"content/thong-bao/tiem-chung/index.md": `---
title: "Lịch tiêm chủng tháng Tư"
date: 2023-04-09
tags: ["bạch hầu"]
attachments:
  - { file: "lich.pdf", title: "Lịch theo xóm Đìa" }
---
Trạm y tế tiêm vắc xin uốn ván.
`,
	"content/thong-bao/tiem-chung/lich.pdf": "%PDF-1.4\n%%EOF\n",
}

// TestEverythingPrintedIsSearchable: every word a page prints, its body,
// its header and closing blocks, its files' names, its tags and dates, is
// a word of the search index; but for the labels the layouts print on
// every page.
func TestEverythingPrintedIsSearchable(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, printedSite)
	out := filepath.Join(dir, "public")
	if _, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: out, Now: now}); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, l := range strings.Split(searchIndexText(t, out), "\n") {
		if k, _, ok := strings.Cut(l, "\t"); ok {
			keys[k] = true
		}
	}
	for page, says := range map[string]string{
		"ke-hoach/phong-chay/index.html":         "Lã Thị Xuyến",
		"thong-bao/nghi-quyet-chi-bo/index.html": "ĐẢNG CỘNG SẢN VIỆT NAM",
		"thong-bao/tiem-chung/index.html":        "Lịch theo xóm Đìa",
	} {
		printed := printedText(t, read(t, out, page))
		if !strings.Contains(printed, says) {
			t.Fatalf("%s: the text read is not the page's: %q", page, printed)
		}
		for _, w := range strings.FieldsFunc(vntext.Fold(printed), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if t := strings.TrimLeft(w, "0"); t != "" && strings.Trim(w, "0123456789") == "" {
				w = t
			}
			if !keys[w] {
				t.Errorf("%s prints %q, which the search index lacks", page, w)
			}
		}
	}
}

// printedText is the text of a page's article but for the layouts' labels:
// the print button, the names of the facts of a document, "Kính gửi:",
// "Nơi nhận:", the heading of the files and their kind and size, and the
// words before a number, a date or tags.
func printedText(t *testing.T, page string) string {
	t.Helper()
	_, article, ok := strings.Cut(page, "<article")
	if !ok {
		t.Fatal("no article")
	}
	article, _, _ = strings.Cut(article, "</article>")
	labels := regexp.MustCompile(`(?s)<button.*?</button>|<dt>.*?</dt>|<span class="(doc-to-label|file-meta)">.*?</span>|<p class="(recipients-label|scan-note)">.*?</p>|<h2 id="tep-dinh-kem">.*?</h2>|Số: |Ngày đăng: |Từ khóa: |Không ghi|Chưa có`)
	text, _ := search.TextOfHTML([]byte(labels.ReplaceAllString("<article"+article, " ")))
	return text
}
