package builder

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// registerSite is 45 official documents, issued one every 16 days from
// 2022-01-01 (23 in 2022, 21 in 2023), and a 45th of 2023 whose day and
// month are blank; of three kinds written three ways; the newest in a
// bundle with its signed scan; and a page that is not a document.
func registerSite() string {
	var b strings.Builder
	b.WriteString(siteYAML)
	start := time.Date(2022, 1, 1, 0, 0, 0, 0, vntext.Location)
	kinds := []string{"QUYẾT ĐỊNH", "Kế hoạch", norm.NFD.String("công   văn")}
	for i := 0; i < 45; i++ {
		issued := start.AddDate(0, 0, 16*i)
		iss, date := issued.Format("2006-01-02"), issued.Format("2006-01-02")
		if i == 44 {
			iss, date = "2023", "2023-12-01"
		}
		section := []string{"thong-bao", "ke-hoach"}[i%2]
		name := fmt.Sprintf("content/%s/vb-%02d.md", section, i)
		extra := ""
		if i == 43 {
			name = fmt.Sprintf("content/%s/vb-%02d/index.md", section, i)
			extra = "  scan: \"qd ký.pdf\"\n  effective: \"2023-12-01\"\n"
		}
		fmt.Fprintf(&b, "-- %s --\n---\ntitle: \"Văn bản %02d\"\ndate: %s\nsummary: \"Trích yếu văn bản %02d\"\ndocument:\n  kind: %q\n  issuer: \"ỦY BAN NHÂN DÂN PHƯỜNG THỬ\"\n  number: \"%d/UBND\"\n  issued: %q\n%s---\nNội dung.\n",
			name, i, date, i, kinds[i%3], i, iss, extra)
	}
	b.WriteString("-- content/ke-hoach/vb-43/qd ký.pdf --\n" + pdf(2_000))
	b.WriteString("-- content/thong-bao/tin.md --\n---\ntitle: \"Tin thường\"\ndate: 2023-04-01\n---\nKhông phải văn bản.\n")
	return b.String()
}

// registerNow is after the newest of registerSite.
var registerNow = time.Date(2024, 6, 1, 9, 0, 0, 0, vntext.Location)

var rowRe = regexp.MustCompile(`<th scope="row" class="register-summary"><a href="/[a-z-]+/vb-(\d\d)/">`)

// rows returns the numbers of the documents a register page lists, in order.
func rows(page string) []string {
	var out []string
	for _, m := range rowRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func seq(from, to int) []string {
	var out []string
	for i := from; ; {
		out = append(out, fmt.Sprintf("%02d", i))
		if i == to {
			return out
		}
		if from < to {
			i++
		} else {
			i--
		}
	}
}

func TestRegister(t *testing.T) {
	out := mustBuild(t, registerSite(), Options{Now: registerNow})

	// Newest issued first; "2023" alone comes after every day of 2023.
	want := append(append(seq(43, 23), "44"), seq(22, 0)...)
	p1, p2, p3 := read(t, out, "van-ban/index.html"), read(t, out, "van-ban/trang/2/index.html"), read(t, out, "van-ban/trang/3/index.html")
	for i, tc := range []struct {
		page string
		want []string
	}{{p1, want[:20]}, {p2, want[20:40]}, {p3, want[40:]}} {
		if got := rows(tc.page); !slices.Equal(got, tc.want) {
			t.Errorf("page %d of the register lists %v, want %v", i+1, got, tc.want)
		}
	}
	if exists(out, "van-ban/trang/4/index.html") {
		t.Error("a fourth register page for 45 documents")
	}
	contains(t, "register page 1", p1,
		"<h1>Văn bản</h1>", `<caption>Văn bản, mới ban hành trước (trang 1/3)</caption>`,
		`<th scope="col">Số/ký hiệu</th>`, `<th scope="col">Ngày ban hành</th>`, `<th scope="col">Trích yếu</th>`,
		`<th scope="col">Cơ quan ban hành</th>`, `<th scope="col">Loại văn bản</th>`, `<th scope="col">Ngày hiệu lực</th>`,
		`<th scope="col">Tệp tải về</th>`,
		`<a href="/van-ban/trang/2/" rel="next">Trang sau →</a>`, "Trang 1/3",
		// The row of the newest: its number, dates, body, kind and scan.
		`<span class="blanks">43/UBND</span>`, `<time datetime="2023-11-20">20/11/2023</time>`,
		`<a href="/ke-hoach/vb-43/">Trích yếu văn bản 43</a>`, "ỦY BAN NHÂN DÂN PHƯỜNG THỬ",
		`<a href="/van-ban/quyet-dinh/">Quyết định</a>`, `<time datetime="2023-12-01">01/12/2023</time>`,
		`<a href="/ke-hoach/vb-43/qd-ky.pdf" download>Bản chụp văn bản có chữ ký, đóng dấu</a> <span class="file-meta">(PDF, 2 KB)</span>`,
		`<a href="/van-ban/cong-van/">Công văn</a>`, `<a href="/van-ban/ke-hoach/">Kế hoạch</a>`, "Chưa có",
		// The bar of links: every kind with documents, in the list's order, and every year.
		`<li><a href="/van-ban/" aria-current="page">Tất cả</a></li>
<li><a href="/van-ban/quyet-dinh/">Quyết định</a></li>
<li><a href="/van-ban/ke-hoach/">Kế hoạch</a></li>
<li><a href="/van-ban/cong-van/">Công văn</a></li>
</ul>`,
		`<li><a href="/van-ban/2023/">2023</a></li>
<li><a href="/van-ban/2022/">2022</a></li>`)
	if strings.Contains(p1, "Giấy mời") || strings.Contains(p1, "Tin thường") {
		t.Error("the register lists a kind without documents, or a page that is not a document")
	}
	if strings.Count(p1, "<tr>") != 21 {
		t.Errorf("page 1 has %d rows, want a header and 20", strings.Count(p1, "<tr>"))
	}
	contains(t, "register page 2", p2, `<a href="/van-ban/" rel="prev">← Trang trước</a>`, `<a href="/van-ban/trang/3/" rel="next">Trang sau →</a>`,
		`<time datetime="2023">Năm 2023</time>`, "<title>Văn bản – trang 2 – Phường Thử</title>", `<span class="page-no">(trang 2/3)</span>`)
	contains(t, "register page 3", p3, `<a href="/van-ban/trang/2/" rel="prev">← Trang trước</a>`)
	if strings.Contains(p3, "Trang sau") {
		t.Error("the last register page links to a next page")
	}
	contains(t, "van-ban/trang/1", read(t, out, "van-ban/trang/1/index.html"), `url=https://thu.example.vn/van-ban/`)

	// By kind: "QUYẾT ĐỊNH" (0, 3, ... 42), "Kế hoạch" and "công văn" (NFD,
	// two spaces) are kinds of the list.
	qd := read(t, out, "van-ban/quyet-dinh/index.html")
	if got, want := rows(qd), []string{"42", "39", "36", "33", "30", "27", "24", "21", "18", "15", "12", "09", "06", "03", "00"}; !slices.Equal(got, want) {
		t.Errorf("Quyết định lists %v, want %v", got, want)
	}
	contains(t, "kind page", qd, "<h1>Văn bản: Quyết định</h1>", `<a href="/van-ban/quyet-dinh/" aria-current="page">Quyết định</a>`,
		`<link rel="canonical" href="https://thu.example.vn/van-ban/quyet-dinh/">`)
	if got := rows(read(t, out, "van-ban/cong-van/index.html")); len(got) != 15 || got[0] != "41" || got[7] != "44" {
		t.Errorf("Công văn lists %v, want 15: 41 first, 44 after the last day of 2023", got)
	}
	if exists(out, "van-ban/giay-moi/index.html") {
		t.Error("a page for a kind without documents")
	}

	// By year: 2023 has 22 documents, two pages.
	y1, y2 := read(t, out, "van-ban/2023/index.html"), read(t, out, "van-ban/2023/trang/2/index.html")
	if got := append(rows(y1), rows(y2)...); !slices.Equal(got, append(seq(43, 23), "44")) {
		t.Errorf("2023 lists %v", got)
	}
	contains(t, "year page", y1, "<h1>Văn bản năm 2023</h1>", `<a href="/van-ban/2023/" aria-current="page">2023</a>`, `<a href="/van-ban/2023/trang/2/" rel="next">`)
	if got := rows(read(t, out, "van-ban/2022/index.html")); !slices.Equal(got, seq(22, 3)) {
		t.Errorf("2022 lists %v", got)
	}

	contains(t, "sitemap", read(t, out, "sitemap.xml"),
		"<loc>https://thu.example.vn/van-ban/</loc>", "<loc>https://thu.example.vn/van-ban/cong-van/</loc>", "<loc>https://thu.example.vn/van-ban/2022/</loc>")

	// The document's page: the same facts in a box under its head.
	doc := read(t, out, "ke-hoach/vb-43/index.html")
	contains(t, "document box", doc,
		`<section class="doc-info" aria-label="Thông tin văn bản">`,
		`<div><dt>Số/ký hiệu</dt><dd><span class="blanks">43/UBND</span></dd></div>`,
		`<div><dt>Ngày ban hành</dt><dd><time datetime="2023-11-20">20/11/2023</time></dd></div>`,
		`<div><dt>Trích yếu</dt><dd>Trích yếu văn bản 43</dd></div>`,
		`<div><dt>Cơ quan ban hành</dt><dd>ỦY BAN NHÂN DÂN PHƯỜNG THỬ</dd></div>`,
		`<div><dt>Loại văn bản</dt><dd><a href="/van-ban/ke-hoach/">Kế hoạch</a></dd></div>`,
		`<div><dt>Ngày hiệu lực</dt><dd><time datetime="2023-12-01">01/12/2023</time></dd></div>`,
		`<dd><ul class="doc-files"><li><a href="/ke-hoach/vb-43/qd-ky.pdf" download>`,
		`<span class="doc-kind">KẾ HOẠCH</span>`)
	if i, j := strings.Index(doc, `class="doc-title"`), strings.Index(doc, `class="doc-info"`); i < 0 || j < i || j > strings.Index(doc, `class="prose doc-body"`) {
		t.Error("the box is not between the document's title and its body")
	}
	contains(t, "document without its date of effect", read(t, out, "thong-bao/vb-00/index.html"),
		`<div><dt>Ngày hiệu lực</dt><dd>Không ghi</dd></div>`, `<div><dt>Tệp tải về</dt><dd>Chưa có</dd></div>`,
		`<span class="doc-kind">QUYẾT ĐỊNH</span>`)
	if strings.Contains(read(t, out, "thong-bao/tin/index.html"), "doc-info") {
		t.Error("a page that is not a document has the box")
	}
}

func TestRegisterURLs(t *testing.T) {
	doc := "---\ntitle: \"A\"\ndate: 2023-01-01\nsummary: \"S\"\ndocument: { kind: \"Kế hoạch\", issuer: \"UBND\", issued: \"2023-01-01\" }\n---\n"
	for _, tc := range []struct{ file, url string }{
		{"van-ban.md", "/van-ban/"},
		{"van-ban/ke-hoach.md", "/van-ban/ke-hoach/"},
		{"van-ban/2023.md", "/van-ban/2023/"},
	} {
		_, err := buildTxtar(t, siteYAML+"-- content/ke-hoach/a.md --\n"+doc+"-- content/"+tc.file+" --\n---\ntitle: \"B\"\n---\n", Options{})
		want := "content/" + tc.file + ": địa chỉ " + tc.url + " trùng với địa chỉ của sổ văn bản"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %s", tc.file, err, want)
		}
	}
}

func TestDocumentErrors(t *testing.T) {
	const kinds = "Quyết định, Thông báo, Kế hoạch, Công văn, Giấy mời"
	tests := []struct {
		name, file, want string
	}{
		{"unknown kind", "---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  kind: \"KẾ HOẠCHH\"\n  issuer: UBND\n---\n",
			`content/ke-hoach/a.md:6: phần đầu trang: "document.kind" là "KẾ HOẠCHH", không có trong danh sách loại văn bản content/data/loai-van-ban.yaml (cần một trong: ` + kinds + `; hoặc thêm loại này vào danh sách đó)`},
		{"no kind", "---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  issuer: UBND\n---\n",
			`content/ke-hoach/a.md:5: phần đầu trang: văn bản cần "document.kind" (loại văn bản, một trong content/data/loai-van-ban.yaml: ` + kinds + `)`},
		{"no issuer", "---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  kind: Kế hoạch\n  number: \"   /KH-UBND\"\n---\n",
			`content/ke-hoach/a.md:5: phần đầu trang: văn bản cần "document.issuer", cơ quan ban hành in ở góc trên bên trái (ví dụ issuer: "ỦY BAN NHÂN DÂN PHƯỜNG BẠCH SAM")`},
		{"no summary", "---\ntitle: A\ndate: 2023-01-01\n\ndocument:\n  kind: Kế hoạch\n  issuer: UBND\n---\nĐoạn đầu không phải trích yếu.\n",
			`content/ke-hoach/a.md:5: phần đầu trang: văn bản cần "summary", trích yếu hiện trong sổ văn bản /van-ban/ (ví dụ summary: "Kế hoạch tổ chức ...")`},
		{"effective", "---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  kind: Kế hoạch\n  issuer: UBND\n  effective: \"sau 15 ngày\"\n---\n",
			`content/ke-hoach/a.md:8: phần đầu trang: "document.effective" không phải ngày (cần dạng 2023, 2023-04 hoặc 2023-04-05)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := buildTxtar(t, siteYAML+"-- content/ke-hoach/a.md --\n"+tt.file, Options{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n\t%v\nwant\n\t%s", err, tt.want)
			}
		})
	}

	// Blanks in the number and the dates are facts of the document.
	mustBuild(t, siteYAML+"-- content/ke-hoach/a.md --\n---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  kind: Kế hoạch\n  issuer: UBND\n  number: \"   /KH-UBND\"\n  issued: \"2023\"\n  effective:\n---\n", Options{})
}

func TestKindsFile(t *testing.T) {
	const doc = "-- content/ke-hoach/a.md --\n---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument:\n  kind: Kế hoạch\n  issuer: UBND\n---\n"
	const site = "-- content/site.yaml --\ntitle: \"Phường Thử\"\n"
	for _, tc := range []struct{ name, kinds, want string }{
		{"missing", "", `content/ke-hoach/a.md:6: phần đầu trang: "document.kind" là "Kế hoạch", mà danh sách loại văn bản content/data/loai-van-ban.yaml chưa có`},
		{"no slug", "items:\n  - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\" }\n", `content/data/loai-van-ban.yaml:2: loại văn bản cần đủ name, heading và slug`},
		{"bad slug", "items:\n  - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\", slug: \"Kế hoạch\" }\n", `content/data/loai-van-ban.yaml:2: slug "Kế hoạch" không dùng được làm địa chỉ trang`},
		{"year slug", "items:\n  - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\", slug: \"2023\" }\n", `content/data/loai-van-ban.yaml:2: slug "2023" không dùng được`},
		{"twice", "items:\n  - { name: \"Kế hoạch\", heading: \"KẾ HOẠCH\", slug: \"ke-hoach\" }\n  - { name: \"kế hoạch\", heading: \"KẾ HOẠCH 2\", slug: \"kh\" }\n",
			`content/data/loai-van-ban.yaml:3: "kế hoạch" trùng với loại văn bản ở dòng 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			archive := site + doc
			if tc.kinds != "" {
				archive += "-- content/data/loai-van-ban.yaml --\n" + tc.kinds
			}
			_, err := buildTxtar(t, archive, Options{})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error\n\t%v\nwant\n\t%s…", err, tc.want)
			}
		})
	}
	// A site without documents needs no list of kinds.
	mustBuild(t, site+"-- content/ke-hoach/a.md --\n---\ntitle: A\ndate: 2023-01-01\n---\n", Options{})
}

// A Youth Union document: its own motto, a two-level issuer, and a
// signature block of several lines printed as they are.
func TestDocumentHeaderAndSignatureLines(t *testing.T) {
	out := mustBuild(t, siteYAML+`-- content/ke-hoach/a.md --
---
title: "Tổ chức Tháng Thanh niên năm 2023"
date: 2023-03-01
summary: "Kế hoạch tổ chức Tháng Thanh niên năm 2023."
document:
  kind: "KẾ HOẠCH"
  motto: "Đoàn TNCS Hồ Chí Minh"
  issuer: ["BCH ĐOÀN THỊ XÃ MỸ HÀO", "BCH ĐOÀN PHƯỜNG BẠCH SAM"]
  number: "12-KH/ĐTN"
  addressees: ["Các chi đoàn trực thuộc"]
  signature: ["TM. BAN CHẤP HÀNH", "KT. BÍ THƯ", "PHÓ BÍ THƯ", "(Đã ký)"]
  signer: "Nguyễn Văn An"
---
Nội dung.
`, Options{})
	page := read(t, out, "ke-hoach/a/index.html")
	for _, want := range []string{
		`<p class="issuer-upper">BCH ĐOÀN THỊ XÃ MỸ HÀO</p>`,
		`<p class="issuer">BCH ĐOÀN PHƯỜNG BẠCH SAM</p>`,
		`<p class="motto motto-only">ĐOÀN TNCS HỒ CHÍ MINH</p>`,
		`<span class="doc-to-label">Kính gửi:</span> Các chi đoàn trực thuộc`,
		`<p class="sign-title">TM. BAN CHẤP HÀNH<br>KT. BÍ THƯ<br>PHÓ BÍ THƯ<br>(Đã ký)</p>`,
		`BCH ĐOÀN THỊ XÃ MỸ HÀO – BCH ĐOÀN PHƯỜNG BẠCH SAM`, // the register box
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(page, "CỘNG HÒA XÃ HỘI") {
		t.Error("a Youth Union document printed under the state motto")
	}

	// The older keys still read as the first lines of the block.
	out = mustBuild(t, siteYAML+`-- content/ke-hoach/a.md --
---
title: "A"
date: 2023-03-01
summary: "S"
document: { kind: "Kế hoạch", issuer: "UBND", onBehalf: "TM. ỦY BAN NHÂN DÂN", signerTitle: "CHỦ TỊCH" }
---
`, Options{})
	page = read(t, out, "ke-hoach/a/index.html")
	if !strings.Contains(page, `<p class="sign-title">TM. ỦY BAN NHÂN DÂN<br>CHỦ TỊCH</p>`) || !strings.Contains(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") {
		t.Error("onBehalf and signerTitle are not the signature's lines under the state motto")
	}

	for _, tc := range []struct{ doc, want string }{
		{`{ kind: "Kế hoạch", issuer: "UBND", onBehalf: "TM. UBND", signature: ["CHỦ TỊCH"] }`, `"document.onBehalf" và "document.signature" cùng ghi phần chữ ký`},
		{`{ kind: "Kế hoạch", issuer: "UBND", motto: "ĐỘC LẬP" }`, `"document.motto" là "ĐỘC LẬP", không phải quốc hiệu hay tiêu đề văn bản đã biết`},
	} {
		_, err := buildTxtar(t, siteYAML+"-- content/ke-hoach/a.md --\n---\ntitle: A\ndate: 2023-01-01\nsummary: S\ndocument: "+tc.doc+"\n---\n", Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "content/ke-hoach/a.md:5: ") {
			t.Errorf("document: %s: error %v, want content/ke-hoach/a.md:5: …%s", tc.doc, err, tc.want)
		}
	}
}

// TestDocumentPrintedIsSearchable: what a document's page prints around
// its body (place, addressees, the signature block, the recipients) is in
// the search index too.
func TestDocumentPrintedIsSearchable(t *testing.T) {
	out := mustBuild(t, siteYAML+`-- content/ke-hoach/a.md --
---
title: "A"
date: 2023-03-01
summary: "S"
document:
  kind: "Kế hoạch"
  issuer: "UBND"
  place: "Mỹ Hào"
  addressees: ["Các chi đoàn trực thuộc"]
  signature: ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
  signer: "Lã Thị Xuyến"
  recipients: ["Thường trực Đảng ủy;"]
---
Nội dung.
`, Options{})
	all := searchIndexText(t, out)
	// Terms start a line of the index, followed by a tab.
	for _, w := range []string{"xuyen", "hao", "thuoc", "pho", "tich", "uy"} {
		if !regexp.MustCompile(`(?m)^` + w + `\t`).MatchString(all) {
			t.Errorf("the index lacks %q", w)
		}
	}
}
