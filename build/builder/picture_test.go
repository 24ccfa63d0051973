package builder

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"loa/build/images/imagetest"
)

// TestBundleWithPhotos: a bundle with a PDF, a DOCX and two phone photos,
// one taken sideways (EXIF Orientation 6) and both carrying the GPS
// position of whoever took them.
func TestBundleWithPhotos(t *testing.T) {
	dir := t.TempDir()
	sideways := imagetest.JPEG(imagetest.Photo(1200, 900, 1), 90, imagetest.EXIF(6))
	upright := imagetest.JPEG(imagetest.Photo(1000, 750, 2), 90, imagetest.EXIF(1))
	if !bytes.Contains(sideways, imagetest.GPSBytes(imagetest.Latitude)) {
		t.Fatal("the test photo carries no GPS position: the test would prove nothing")
	}
	writeTree(t, dir, map[string]string{
		"content/site.yaml":           "title: \"Phường Thử\"\nbaseURL: \"https://thu.example.vn/\"\n",
		"content/thong-bao/_index.md": "---\ntitle: \"Thông báo\"\n---\n",
		"content/thong-bao/ra-quan/index.md": `---
title: "Ra quân làm sạch đường làng"
date: 2023-04-03
image: "Ảnh chụp 1.jpg"
attachments:
  - { file: ke-hoach.pdf, title: "Kế hoạch có chữ ký" }
  - { file: danh-sach.docx, title: "Danh sách tham gia" }
---
Sáng chủ nhật, đoàn viên ra quân.

![Đoàn viên dọn rác ở ngõ 3](<Ảnh chụp 1.jpg>)

Và một ảnh nữa:

![Thùng rác mới đặt ở đầu ngõ](IMG_0002.JPG)
`,
		"content/thong-bao/ra-quan/ke-hoach.pdf":   pdf(40_000),
		"content/thong-bao/ra-quan/danh-sach.docx": "PK\x03\x04" + strings.Repeat("d", 9_000),
		"content/thong-bao/ra-quan/Ảnh chụp 1.jpg": string(sideways),
		"content/thong-bao/ra-quan/IMG_0002.JPG":   string(upright),
	})
	out := filepath.Join(dir, "public")
	res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: out, Now: now, ImageCache: filepath.Join(dir, "cache")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	page := read(t, out, "thong-bao/ra-quan/index.html")
	contains(t, "the page", page,
		`(PDF, 40 KB)`, `(Văn bản Word, 9 KB)`,
		`alt="Đoàn viên dọn rác ở ngõ 3"`, `alt="Thùng rác mới đặt ở đầu ngõ"`,
		`<meta property="og:image" content="https://thu.example.vn/thong-bao/ra-quan/`)

	imgs := regexp.MustCompile(`<img src="([^"]+)" srcset="([^"]+)" sizes="[^"]+" width="(\d+)" height="(\d+)" alt="([^"]*)"( loading="lazy")? decoding="async">`).FindAllStringSubmatch(page, -1)
	if len(imgs) != 2 {
		t.Fatalf("%d processed images in the page, want 2:\n%s", len(imgs), page)
	}
	// The sideways photo is drawn upright: 900 wide, 1200 high at most.
	if imgs[0][3] != "900" || imgs[0][4] != "1200" {
		t.Errorf("the sideways photo is %s×%s, want 900×1200 (turned upright)", imgs[0][3], imgs[0][4])
	}
	if imgs[0][6] != "" || imgs[1][6] == "" {
		t.Error("want the first image fetched at once and the second lazily")
	}
	// srcset: the photo fits in squares of 480 and 960 and, as 1600 would
	// enlarge it, its own 1200 high: never enlarged.
	if want := regexp.MustCompile(`^/thong-bao/ra-quan/anh-chup-1\.[0-9a-f]+\.360\.jpg 360w, /thong-bao/ra-quan/anh-chup-1\.[0-9a-f]+\.720\.jpg 720w, /thong-bao/ra-quan/anh-chup-1\.[0-9a-f]+\.900\.jpg 900w$`); !want.MatchString(imgs[0][2]) {
		t.Errorf("srcset %q: want 360w, 720w and 900w (its own width) only", imgs[0][2])
	}
	// A lossy WebP at each width, offered first.
	if n := len(regexp.MustCompile(`<picture><source type="image/webp" srcset="[^"]+\.360\.webp 360w, [^"]+\.720\.webp 720w, [^"]+\.900\.webp 900w" sizes="[^"]+"><img `).FindAllString(page, -1)); n != 1 {
		t.Errorf("%d pictures offer the sideways photo's WebP at 360w, 720w and 900w, want 1:\n%s", n, page)
	}
	// Every published image: decodes, has the size it claims, and carries
	// no metadata (no APP1 segment, no GPS bytes, no camera make).
	files, _ := filepath.Glob(filepath.Join(out, "thong-bao", "ra-quan", "*"))
	var published []string
	for _, f := range files {
		b, _ := os.ReadFile(f)
		switch filepath.Ext(f) {
		case ".jpg", ".png", ".webp":
			published = append(published, filepath.Base(f))
			if bytes.Contains(b, []byte{0xFF, 0xE1}) && bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, imagetest.GPSBytes(imagetest.Latitude)) || bytes.Contains(b, []byte("Loa Phone")) {
				t.Errorf("%s carries metadata of the source", filepath.Base(f))
			}
			if filepath.Ext(f) == ".jpg" {
				cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
				} else if strings.HasPrefix(filepath.Base(f), "anh-chup-1.") && cfg.Width > cfg.Height {
					t.Errorf("%s is %d×%d: not upright", filepath.Base(f), cfg.Width, cfg.Height)
				}
				if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
					t.Errorf("%s does not decode: %v", filepath.Base(f), err)
				}
			}
		case ".JPG":
			t.Errorf("the source %s was published", filepath.Base(f))
		}
	}
	if exists(out, "thong-bao/ra-quan/Ảnh chụp 1.jpg") || exists(out, "thong-bao/ra-quan/IMG_0002.JPG") {
		t.Error("a source photo, with its GPS position, was published")
	}
	if len(published) < 4 {
		t.Errorf("published images %v, want two widths of each photo at least", published)
	}
	// The list shows the page's image.
	contains(t, "the list", read(t, out, "thong-bao/index.html"),
		`<picture><source type="image/webp" srcset="/thong-bao/ra-quan/anh-chup-1.`, `<img class="thumb" src="/thong-bao/ra-quan/anh-chup-1.`)

	// A second build with a warm cache publishes the same files.
	out2 := filepath.Join(dir, "public2")
	if _, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: out2, Now: now, ImageCache: filepath.Join(dir, "cache")}); err != nil {
		t.Fatal(err)
	}
	if read(t, out2, "thong-bao/ra-quan/index.html") != page {
		t.Error("a warm build wrote another page")
	}
}

func TestBadImage(t *testing.T) {
	for name, data := range map[string]string{
		"not an image": "đây không phải ảnh",
		"truncated":    string(imagetest.JPEG(imagetest.Photo(400, 300, 3), 80, nil)[:900]),
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := buildTxtar(t, siteYAML+"-- content/thong-bao/a/index.md --\n---\ntitle: A\ndate: 2023-04-02\n---\n![Ảnh](anh.jpg)\n-- content/thong-bao/a/anh.jpg --\n"+data, Options{ImageCache: filepath.Join(dir, "cache")})
			if err == nil || !strings.HasPrefix(err.Error(), "content/thong-bao/a/anh.jpg: ") {
				t.Errorf("error %v: want one naming content/thong-bao/a/anh.jpg", err)
			}
		})
	}
	_, err := buildTxtar(t, siteYAML+"-- content/thong-bao/a/index.md --\n---\ntitle: A\ndate: 2023-04-02\n---\nĐoạn.\n\n![Ảnh](khong-co.jpg)\n", Options{})
	if want := `content/thong-bao/a/index.md:7: không có tệp "khong-co.jpg"`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestImageWithoutAlt(t *testing.T) {
	img := string(imagetest.JPEG(imagetest.Photo(300, 200, 4), 80, nil))
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"content/site.yaml":               "title: \"Phường Thử\"\n",
		"content/thong-bao/a/index.md":    "---\ntitle: A\ndate: 2023-04-02\n---\n![](anh.jpg)\n\n![ ](hoa-van.jpg)\n",
		"content/thong-bao/a/anh.jpg":     img,
		"content/thong-bao/a/hoa-van.jpg": img,
	})
	res, err := Build(Options{Content: os.DirFS(filepath.Join(dir, "content")), ContentDir: "content", Out: filepath.Join(dir, "public"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.HasPrefix(res.Warnings[0], "content/thong-bao/a/index.md:5: ảnh anh.jpg chưa có lời mô tả") {
		t.Errorf("warnings %q: want one for anh.jpg (hoa-van.jpg is marked as decoration)", res.Warnings)
	}
}
