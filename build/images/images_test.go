package images

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	_ "golang.org/x/image/webp"

	"loa/build/images/imagetest"
	"loa/functions/upload"
)

// writePhoto writes a w×h test photo as a JPEG with a phone's EXIF
// (orientation o, GPS position) and a red square in its stored top-left
// corner, and returns its path.
func writePhoto(t testing.TB, dir, name string, w, h, o int, seed uint64) string {
	t.Helper()
	img := imagetest.Photo(w, h, seed)
	draw.Draw(img, image.Rect(0, 0, w/12, w/12), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, imagetest.JPEG(img, 90, imagetest.EXIF(o)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func newProcessor(t testing.TB, opts Options) *Processor {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(t.TempDir(), "cache")
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeFile(t *testing.T, path string) (image.Image, string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, format, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img, format
}

func isRed(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xc000 && g < 0x4000 && b < 0x4000
}

func TestPhotoUprightStrippedAndScaled(t *testing.T) {
	dir := t.TempDir()
	src := writePhoto(t, dir, "anh-hop.jpg", 1200, 900, 6, 1)
	raw, _ := os.ReadFile(src)
	for _, needle := range [][]byte{[]byte("Exif"), imagetest.GPSBytes(imagetest.Latitude)} {
		if !bytes.Contains(raw, needle) {
			t.Fatalf("the test photo lacks %q: the test proves nothing", needle)
		}
	}

	p := newProcessor(t, Options{Widths: []int{300, 600, 1600}})
	res, err := p.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	// Turned 90° clockwise: 900 wide, 1200 high. Each variant fits in a
	// square of 300, 600 and, as 1600 would enlarge it, its own 1200.
	if res.Width != 900 || res.Height != 1200 {
		t.Errorf("largest variant is %d×%d, want 900×1200", res.Width, res.Height)
	}
	size := map[string]int64{}
	var widths []int
	for _, v := range res.Variants {
		if v.Format == JPEG {
			widths = append(widths, v.Width)
		}
		size[fmt.Sprint(v.Format, v.Width)] = v.Size
	}
	if fmt.Sprint(widths) != "[225 450 900]" {
		t.Errorf("JPEG widths %v, want [225 450 900]", widths)
	}
	for _, w := range widths {
		if wp, j := size[fmt.Sprint(WebP, w)], size[fmt.Sprint(JPEG, w)]; wp == 0 || wp >= j {
			t.Errorf("%d px: WebP of %d bytes beside a JPEG of %d, want a lossy WebP smaller than the JPEG", w, wp, j)
		}
	}
	if !strings.HasPrefix(res.Fallback, "anh-hop.") || !strings.HasSuffix(res.Fallback, ".900.jpg") {
		t.Errorf("fallback %q, want anh-hop.<hash>.900.jpg", res.Fallback)
	}

	out := t.TempDir()
	if err := res.Publish(out); err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Variants {
		data, err := os.ReadFile(filepath.Join(out, v.Name))
		if err != nil {
			t.Fatal(err)
		}
		for _, needle := range [][]byte{[]byte("Exif"), []byte("LoaPhone"),
			imagetest.GPSBytes(imagetest.Latitude), imagetest.GPSBytes(imagetest.Longitude)} {
			if bytes.Contains(data, needle) {
				t.Errorf("%s carries %q from the source's metadata", v.Name, needle)
			}
		}
		switch v.Format {
		case JPEG:
			if bytes.Contains(data, []byte{0xFF, 0xE1}) {
				t.Errorf("%s has an APP1 (EXIF or XMP) segment", v.Name)
			}
		case WebP:
			for _, c := range webpChunks(t, data) {
				if c != "VP8 " && c != "VP8L" {
					t.Errorf("%s has a %q chunk, want the image alone", v.Name, c)
				}
			}
		}
		img, format := decodeFile(t, filepath.Join(out, v.Name))
		if format != v.Format || img.Bounds().Dx() != v.Width || img.Bounds().Dy() != v.Height {
			t.Errorf("%s decodes as a %d×%d %s, want %d×%d %s", v.Name,
				img.Bounds().Dx(), img.Bounds().Dy(), format, v.Width, v.Height, v.Format)
		}
		// The stored top-left corner is the upright top-right one.
		m := v.Width / 40
		if !isRed(img.At(v.Width-1-m, m)) || isRed(img.At(m, m)) || isRed(img.At(m, v.Height-1-m)) {
			t.Errorf("%s: the red corner is not at the top right: not upright", v.Name)
		}
	}
}

// webpChunks returns the FourCCs of a WebP file's chunks.
func webpChunks(t *testing.T, data []byte) []string {
	t.Helper()
	if len(data) < 12 || string(data[:4]) != "RIFF" || string(data[8:12]) != "WEBP" {
		t.Fatalf("not a WebP file: % x", data[:min(len(data), 12)])
	}
	var out []string
	for i := 12; i+8 <= len(data); {
		out = append(out, string(data[i:i+4]))
		n := int(binary.LittleEndian.Uint32(data[i+4:]))
		i += 8 + n + n%2
	}
	return out
}

func TestOrientAllEight(t *testing.T) {
	// A 3×2 image with a marked top-left and top-right pixel.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	tl, tr := color.RGBA{1, 0, 0, 255}, color.RGBA{2, 0, 0, 255}
	src.Set(0, 0, tl)
	src.Set(2, 0, tr)
	corner := func(img *image.RGBA, c color.RGBA) string {
		b := img.Bounds()
		for name, p := range map[string]image.Point{"TL": {0, 0}, "TR": {b.Dx() - 1, 0},
			"BL": {0, b.Dy() - 1}, "BR": {b.Dx() - 1, b.Dy() - 1}} {
			if img.RGBAAt(p.X, p.Y) == c {
				return name
			}
		}
		return "none"
	}
	// Where the stored top-left and top-right pixels must end up, as the
	// EXIF specification describes each value.
	want := map[int][2]string{
		1: {"TL", "TR"}, 2: {"TR", "TL"}, 3: {"BR", "BL"}, 4: {"BL", "BR"},
		5: {"TL", "BL"}, 6: {"TR", "BR"}, 7: {"BR", "TR"}, 8: {"BL", "TL"},
	}
	for o := 1; o <= 8; o++ {
		app1 := imagetest.EXIF(o)
		jpg := imagetest.JPEG(src, 90, app1)
		if got := upload.Orientation(jpg); got != o {
			t.Errorf("orientation read as %d, want %d", got, o)
		}
		up := orient(src, o)
		w, h := 3, 2
		if transposed(o) {
			w, h = 2, 3
		}
		if up.Bounds().Dx() != w || up.Bounds().Dy() != h {
			t.Errorf("orientation %d: %v, want %d×%d", o, up.Bounds().Size(), w, h)
		}
		if got := [2]string{corner(up, tl), corner(up, tr)}; got != want[o] {
			t.Errorf("orientation %d: top-left, top-right went to %v, want %v", o, got, want[o])
		}
	}
	if got := upload.Orientation(imagetest.JPEG(src, 90, imagetest.EXIF(0))); got != 1 {
		t.Errorf("no Orientation tag read as %d, want 1", got)
	}
	if got := upload.Orientation(imagetest.JPEG(src, 90, []byte("Exif\x00\x00MM\x00*garbage"))); got != 1 {
		t.Errorf("a damaged EXIF read as %d, want 1", got)
	}
}

func TestWidthsNeverEnlarge(t *testing.T) {
	dir := t.TempDir()
	p := newProcessor(t, Options{})
	for _, tc := range []struct {
		w, h int
		want string
	}{
		{300, 200, "[300]"},      // narrower than every width: its own
		{1000, 750, "[480 960]"}, // 1600 dropped
		{2000, 1500, "[480 960 1600]"},
		{1500, 2000, "[360 720 1200]"}, // portrait: 480, 960 and 1600 high
		{750, 1000, "[360 720]"},
	} {
		src := writePhoto(t, dir, fmt.Sprintf("p%d.jpg", tc.w), tc.w, tc.h, 1, uint64(tc.w))
		res, err := p.Process(src)
		if err != nil {
			t.Fatal(err)
		}
		var ws []int
		for _, v := range res.Variants {
			if v.Format == JPEG {
				ws = append(ws, v.Width)
				if w, h := fit(tc.w, tc.h, max(v.Width, v.Height)); v.Width != w || v.Height != h {
					t.Errorf("%d×%d source: a %d×%d variant, want %d×%d", tc.w, tc.h, v.Width, v.Height, w, h)
				}
			}
		}
		if fmt.Sprint(ws) != tc.want {
			t.Errorf("%d px source: widths %v, want %s", tc.w, ws, tc.want)
		}
	}
}

func TestSrcset(t *testing.T) {
	r := &Result{Variants: []Variant{
		{Width: 480, Format: JPEG, Name: "a.1.480.jpg"},
		{Width: 960, Format: JPEG, Name: "a.2.960.jpg"},
		{Width: 480, Format: WebP, Name: "a.3.480.webp"},
		{Width: 960, Format: WebP, Name: "a.4.960.webp"},
	}}
	if got, want := r.Srcset(WebP, "/tin/"), "/tin/a.3.480.webp 480w, /tin/a.4.960.webp 960w"; got != want {
		t.Errorf("Srcset = %q, want %q", got, want)
	}
	if got := r.Srcset(PNG, ""); got != "" {
		t.Errorf("Srcset of a missing format = %q, want empty", got)
	}
}

func TestCacheHitDoesNotDecode(t *testing.T) {
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	src := writePhoto(t, dir, "a.jpg", 1000, 750, 1, 2)
	first := newProcessor(t, Options{CacheDir: cache})
	r1, err := first.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	// A new build: a new Processor on the same cache.
	second := newProcessor(t, Options{CacheDir: cache})
	r2, err := second.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := second.decodes.Load(); n != 0 {
		t.Errorf("warm cache: %d decodes, want 0", n)
	}
	if fmt.Sprint(r1) != fmt.Sprint(r2) {
		t.Errorf("warm result differs:\n%v\n%v", r1, r2)
	}
	// Other settings are another entry.
	third := newProcessor(t, Options{CacheDir: cache, Quality: 60})
	if _, err := third.Process(src); err != nil {
		t.Fatal(err)
	}
	if third.decodes.Load() != 1 {
		t.Errorf("another quality was served from the cache")
	}

	// A half-written entry is not trusted: a variant cut short, or no
	// manifest.
	if err := os.Truncate(r1.Variants[0].Path, 10); err != nil {
		t.Fatal(err)
	}
	fourth := newProcessor(t, Options{CacheDir: cache})
	r4, err := fourth.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	if fourth.decodes.Load() != 1 {
		t.Errorf("a truncated variant was trusted")
	}
	if fi, _ := os.Stat(r4.Variants[0].Path); fi.Size() != r1.Variants[0].Size {
		t.Errorf("the truncated variant was not written again")
	}
	matches, _ := filepath.Glob(filepath.Join(cache, "*", "*.json"))
	for _, m := range matches {
		os.Remove(m)
	}
	fifth := newProcessor(t, Options{CacheDir: cache})
	if _, err := fifth.Process(src); err != nil {
		t.Fatal(err)
	}
	if fifth.decodes.Load() != 1 {
		t.Errorf("an entry without its manifest was trusted")
	}
}

// pngHeader is a PNG whose header says w×h, with no pixel data: enough for
// image.DecodeConfig.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)-4))
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr))
	return b.Bytes()
}

func TestBadImages(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(writePhoto(t, dir, "good.jpg", 400, 300, 1, 3))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"cut.jpg", good[:len(good)/2], "damaged or cut short"},
		{"text.jpg", []byte("Kế hoạch đối thoại\n"), "not an image"},
		{"wide.png", pngHeader(20000, 3000), "over the limit of 50.0 megapixels"},
		{"empty.jpg", nil, "empty file"},
		{"zero.png", pngHeader(0, 0), "expected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cache := filepath.Join(t.TempDir(), "cache")
			p := newProcessor(t, Options{CacheDir: cache})
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := p.Process(path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), path+": ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to start with the path and say %q", err, tc.want)
			}
			if tc.name == "wide.png" && p.decodes.Load() != 0 {
				t.Errorf("an oversized image was decoded")
			}
			filepath.WalkDir(cache, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					t.Errorf("left in the cache: %s", path)
				}
				return nil
			})
		})
	}
}

func TestTransparentPNG(t *testing.T) {
	dir := t.TempDir()
	// A drawing: flat areas and a transparent band, as a logo or diagram.
	img := image.NewNRGBA(image.Rect(0, 0, 800, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 800; x++ {
			c := color.NRGBA{uint8(x / 100 * 30), 80, uint8(y / 50 * 30), 255}
			if y < 100 {
				c.A = 0
			}
			img.SetNRGBA(x, y, c)
		}
	}
	src := filepath.Join(dir, "so-do.png")
	f, _ := os.Create(src)
	png.Encode(f, img)
	f.Close()

	p := newProcessor(t, Options{})
	res, err := p.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string][]int{}
	for _, v := range res.Variants {
		formats[v.Format] = append(formats[v.Format], v.Width)
		img, format := decodeFile(t, v.Path)
		if format != v.Format {
			t.Errorf("%s is %s", v.Name, format)
		}
		if _, _, _, a := img.At(v.Width/2, 2).RGBA(); a != 0 {
			t.Errorf("%s: the transparent band is not transparent (alpha %d)", v.Name, a)
		}
	}
	if fmt.Sprint(formats[PNG]) != "[480 800]" || fmt.Sprint(formats[WebP]) != "[480 800]" || len(formats[JPEG]) != 0 {
		t.Errorf("formats %v, want a PNG and a (smaller) WebP at 480 and at its own 800", formats)
	}
	if !strings.HasSuffix(res.Fallback, ".800.png") {
		t.Errorf("fallback %q, want a PNG", res.Fallback)
	}
}

func TestConcurrentProcess(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 6 {
		paths = append(paths, writePhoto(t, dir, fmt.Sprintf("p%d.jpg", i), 1000, 750, 1+i%8, uint64(10+i)))
	}
	paths = append(paths, paths[0], paths[1]) // the same source twice at once
	p := newProcessor(t, Options{PixelBudget: 2_000_000, Widths: []int{320, 640}})
	var wg sync.WaitGroup
	results := make([]*Result, len(paths))
	errs := make([]error, len(paths))
	for i, path := range paths {
		wg.Go(func() { results[i], errs[i] = p.Process(path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", paths[i], err)
		}
		if long := max(results[i].Width, results[i].Height); long != 640 {
			t.Errorf("%s: %d×%d, want 640 on the longer side", paths[i], results[i].Width, results[i].Height)
		}
	}
	if n := p.decodes.Load(); n != 6 {
		t.Errorf("%d decodes of 6 distinct sources, want 6", n)
	}
	all, err := p.ProcessAll(paths)
	if err != nil || len(all) != len(paths) {
		t.Fatalf("ProcessAll: %v", err)
	}
	for i := range all {
		if fmt.Sprint(all[i]) != fmt.Sprint(results[i]) {
			t.Errorf("%s: ProcessAll gave another result", paths[i])
		}
	}
}

// The lossy WebP encoder against the JPEG on a photo, both at quality 75:
// the WebP must win at every width, or WebPIfSmaller leaves it out. Run
// with -v for the sizes.
func TestLossyWebPOnPhotos(t *testing.T) {
	src := writePhoto(t, t.TempDir(), "p.jpg", 1600, 1200, 1, 4)
	p := newProcessor(t, Options{WebP: WebPAlways})
	res, err := p.Process(src)
	if err != nil {
		t.Fatal(err)
	}
	size := map[string]int64{}
	for _, v := range res.Variants {
		size[fmt.Sprint(v.Format, v.Width)] = v.Size
	}
	for _, w := range []int{480, 960, 1600} {
		j, wp := size[fmt.Sprint(JPEG, w)], size[fmt.Sprint(WebP, w)]
		t.Logf("%4d px: JPEG q75 %7d B, lossy WebP q75 %7d B (%.2f×)", w, j, wp, float64(wp)/float64(j))
		if wp == 0 || wp >= j {
			t.Errorf("%d px: the lossy WebP (%d B) did not beat the JPEG (%d B)", w, wp, j)
		}
	}
}
