package builder

import (
	"os"
	"path/filepath"

	"loa/content"
	"strings"
	"testing"
)

// TestSectionFromContent: a ward adds a section, a top-level page and a
// menu entry by writing content only (an _index.md, a page, a line of
// site.yaml), and gets the section's list page, feed, home-page block,
// search filter, sitemap entry and menu entry.
func TestSectionFromContent(t *testing.T) {
	out := mustBuild(t, `-- content/site.yaml --
title: "Phường Thử"
baseURL: "https://thu.example.vn/"
menu:
  - { name: "Trang chủ", url: "/" }
  - { name: "Tin tức", url: "/tin-tuc/" }
  - { name: "Giới thiệu", url: "/gioi-thieu/" }
-- content/tin-tuc/_index.md --
---
title: "Tin tức"
description: "Tin hoạt động của phường."
weight: 5
---
Tin do **Văn phòng** phường đăng.
-- content/tin-tuc/ra-quan-mua-he-xanh.md --
---
title: "Ra quân Mùa hè xanh"
date: 2023-04-05
---
Sáng nay, đoàn viên phường ra quân dọn vệ sinh.
-- content/gioi-thieu.md --
---
title: "Giới thiệu phường"
---
Phường có năm tổ dân phố.
`, Options{})

	list := read(t, out, "tin-tuc/index.html")
	for _, want := range []string{"<h1>Tin tức", "Tin hoạt động của phường.", "<strong>Văn phòng</strong>", `href="/tin-tuc/ra-quan-mua-he-xanh/"`, `href="/tin-tuc/atom.xml"`} {
		if !strings.Contains(list, want) {
			t.Errorf("/tin-tuc/ lacks %s", want)
		}
	}
	if feed := read(t, out, "tin-tuc/atom.xml"); !strings.Contains(feed, "Ra quân Mùa hè xanh") {
		t.Error("the section's feed lacks its page")
	}
	if feed := read(t, out, "atom.xml"); !strings.Contains(feed, "Ra quân Mùa hè xanh") {
		t.Error("the site's feed lacks the section's page")
	}
	home := read(t, out, "index.html")
	for _, want := range []string{`<a href="/tin-tuc/"`, "Ra quân Mùa hè xanh", `href="/gioi-thieu/"`} {
		if !strings.Contains(home, want) {
			t.Errorf("the home page lacks %s", want)
		}
	}
	if page := read(t, out, "gioi-thieu/index.html"); !strings.Contains(page, "Phường có năm tổ dân phố.") {
		t.Error("the top-level page is not at /gioi-thieu/")
	}
	if search := read(t, out, strings.TrimPrefix(SearchPath, "/")+"index.html"); !strings.Contains(search, `<option value="tin-tuc">Tin tức</option>`) {
		t.Error("the search page has no filter for the section")
	}
	if sm := read(t, out, "sitemap.xml"); !strings.Contains(sm, "https://thu.example.vn/tin-tuc/</loc>") || !strings.Contains(sm, "https://thu.example.vn/gioi-thieu/</loc>") {
		t.Error("the sitemap lacks the section or the top-level page")
	}
}

// TestUndatedSection: a section that says its pages are not dated takes
// pages without a date, and has no feed and no place on the home page.
func TestUndatedSection(t *testing.T) {
	out := mustBuild(t, siteYAML+`-- content/thu-tuc/_index.md --
---
title: "Thủ tục hành chính"
dated: false
---
-- content/thu-tuc/dang-ky-khai-sinh.md --
---
title: "Đăng ký khai sinh"
---
Nộp hồ sơ trên Cổng dịch vụ công quốc gia.
`, Options{})
	if list := read(t, out, "thu-tuc/index.html"); !strings.Contains(list, `href="/thu-tuc/dang-ky-khai-sinh/"`) || strings.Contains(list, "atom.xml\">Theo dõi") {
		t.Error("the undated section's list is wrong")
	}
	if strings.Contains(read(t, out, "index.html"), `<a href="/thu-tuc/"`) {
		t.Error("an undated section is on the home page")
	}
}

func TestSectionErrors(t *testing.T) {
	for _, tc := range []struct{ index, want string }{
		{"---\ndescription: x\n---\n", `content/tin-tuc/_index.md: phần đầu trang: mục thiếu "title"`},
		{"---\ntitle: T\ndated: có\n---\n", `content/tin-tuc/_index.md:3: phần đầu trang: "dated" phải là true (có) hoặc false (không)`},
		{"---\ntitle: T\nmenu: 3\n---\n", `content/tin-tuc/_index.md:3: phần đầu trang của mục: không có khóa "menu"`},
	} {
		_, err := buildTxtar(t, siteYAML+"-- content/tin-tuc/_index.md --\n"+tc.index, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %s", tc.index, err, tc.want)
		}
	}
	// A page of a dated section needs its date, in Vietnamese.
	_, err := buildTxtar(t, siteYAML+"-- content/ke-hoach/a.md --\n---\ntitle: A\n---\n", Options{})
	if err == nil || !strings.Contains(err.Error(), `content/ke-hoach/a.md: phần đầu trang: thiếu "date"`) {
		t.Errorf("undated page of a dated section: %v", err)
	}
}

// TestReservedAddresses: a page or an old address (alias) where the
// builder writes the staff page or a feed is refused, naming both.
func TestReservedAddresses(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"-- content/quan-tri.md --\n---\ntitle: Q\n---\n", "content/quan-tri.md: địa chỉ /quan-tri/ trùng với địa chỉ của trang quản trị"},
		{"-- content/ke-hoach/a.md --\n---\ntitle: A\ndate: 2023-01-01\naliases: [/atom.xml]\n---\n", "content/ke-hoach/a.md:4 (địa chỉ cũ): địa chỉ /atom.xml trùng với địa chỉ của tin mới (Atom) của trang"},
		{"-- content/thong-bao/a.md --\n---\ntitle: A\ndate: 2023-01-01\naliases: [/ke-hoach/atom.xml]\n---\n", "trùng với địa chỉ của tin mới (Atom) của mục content/ke-hoach/_index.md"},
	} {
		_, err := buildTxtar(t, siteYAML+tc.file, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %s", tc.file, err, tc.want)
		}
	}
}

// TestSectionKinds: a section's kinds are kinds of the ward's list, each
// taken by one section, and "*" by one at most.
func TestSectionKinds(t *testing.T) {
	for _, tc := range []struct{ index, want string }{
		{`kinds: ["Cong van"]`, `content/tin-tuc/_index.md: kinds: "Cong van" không có trong danh sách loại văn bản`},
		{`kinds: ["Kế hoạch"]`, `content/tin-tuc/_index.md: kinds: "Kế hoạch" đã thuộc mục content/ke-hoach/_index.md`},
	} {
		_, err := buildTxtar(t, siteYAML+"-- content/tin-tuc/_index.md --\n---\ntitle: T\nweight: 40\n"+tc.index+"\n---\n", Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %s", tc.index, err, tc.want)
		}
	}
	_, err := buildTxtar(t, siteYAML+"-- content/a/_index.md --\n---\ntitle: A\nkinds: [\"*\"]\n---\n-- content/b/_index.md --\n---\ntitle: B\nkinds: [\"*\"]\n---\n", Options{})
	if err == nil || !strings.Contains(err.Error(), `chỉ một mục nhận mọi loại còn lại`) {
		t.Errorf("two sections with \"*\": %v", err)
	}
}

// TestSectionLinkedOutside: a section folder that is a link to a folder
// outside the content is an error naming it, not a section left out.
func TestSectionLinkedOutside(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, archiveFiles(siteYAML))
	outside := filepath.Join(dir, "outside", "tin-tuc")
	writeTree(t, filepath.Join(dir, "outside"), map[string]string{"tin-tuc/_index.md": "---\ntitle: T\n---\n"})
	if err := os.Symlink(outside, filepath.Join(dir, "content", "tin-tuc")); err != nil {
		t.Fatal(err)
	}
	cfs, err := content.Dir(filepath.Join(dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(Options{Content: cfs, ContentDir: "content", Out: filepath.Join(dir, "public"), Now: now})
	if err == nil || !strings.Contains(err.Error(), "content/tin-tuc: là liên kết (symlink)") {
		t.Errorf("error %v, want the linked folder named", err)
	}
}
