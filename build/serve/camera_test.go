package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"loa/build/internal/browsertest"
	"loa/build/internal/tooltest"
	"loa/functions/routes"
)

// TestCheckinCameraWithoutBarcodeDetector: on a browser without
// BarcodeDetector, the check-in page reads the QR code of a printed
// invitation through the camera with ZXing, which it loads only then. The
// camera is Chromium's fake device playing a video of the invitation's
// PDF as pdftoppm prints it, framed on its QR code as a phone held over
// it would be.
func TestCheckinCameraWithoutBarcodeDetector(t *testing.T) {
	exe := browsertest.Chromium(t)
	tooltest.LookPath(t, "pdftoppm is missing: install Debian's poppler-utils package (make tools)", "pdftoppm")
	srv, _ := startCopy(t, Config{})

	staff := func(method, path string, body any) *http.Response {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			r = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, srv.URL+path, r)
		req.Header.Set(routes.StaffHeader, srv.Secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := staff("POST", routes.Guests, map[string]string{"name": "Vương Khách Máy Ảnh", "role": "Trưởng Công an phường"})
	var added struct{ Guest struct{ Name, Code string } }
	json.NewDecoder(res.Body).Decode(&added)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated || added.Guest.Code == "" {
		t.Fatalf("adding a guest: %d %+v", res.StatusCode, added)
	}
	res = staff("GET", routes.Invitations+"?dang=pdf", nil)
	var link struct{ URL string }
	json.NewDecoder(res.Body).Decode(&link)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("invitations as a PDF: %d", res.StatusCode)
	}
	res, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()

	dir := t.TempDir()
	file := filepath.Join(dir, "giay-moi.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", file, filepath.Join(dir, "trang")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	video := filepath.Join(dir, "may-anh.y4m")
	writeY4M(t, filepath.Join(dir, "trang.png"), video, 640, 480)

	ctx := browsertest.Start(t, exe,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-video-capture", video),
	)
	// A browser without BarcodeDetector (Safari, Firefox), whatever this
	// Chromium has.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: "delete window.BarcodeDetector;",
	}); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, ctx, chromedp.EmulateViewport(phoneWidth, 800), chromedp.Navigate(srv.URL+routes.CheckinPage))
	browsertest.Eval[bool](t, ctx, `(sessionStorage.setItem("loa-staff-secret", `+strconv.Quote(srv.Secret)+`), true)`)
	browsertest.Do(t, ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-checkin-scan]`)))

	loaded := `performance.getEntriesByType("resource").some(e => e.name.includes("/assets/zxing-library"))`
	if browsertest.Eval[bool](t, ctx, `"BarcodeDetector" in window || !!window.ZXing || `+loaded) {
		t.Fatal("before a scan: BarcodeDetector is there, or ZXing is loaded already")
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`[data-checkin-scan]`)))
	status := `document.querySelector("[data-checkin-status]").innerText`
	want := "Đã điểm danh: " + added.Guest.Name
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](status+`.includes(`+strconv.Quote(want)+`)`,
		chromedp.WithPollingTimeout(45*time.Second))); err != nil {
		t.Fatalf("the camera did not check the guest in (status %q): %v", browsertest.Eval[string](t, ctx, status), err)
	}
	if !browsertest.Eval[bool](t, ctx, `!!window.ZXing && `+loaded) {
		t.Error("the code was read without ZXing")
	}
	if browsertest.Eval[bool](t, ctx, `!document.querySelector("[data-checkin-video]").hidden`) {
		t.Error("the camera is still shown after the code was read")
	}

	// The store has the check-in.
	res = staff("GET", routes.Attendance, nil)
	var att struct{ Present int }
	json.NewDecoder(res.Body).Decode(&att)
	res.Body.Close()
	if att.Present != 1 {
		t.Errorf("attendance after the scan: %d present, want 1", att.Present)
	}
}

// writeY4M writes a video of w×h grey frames (YUV4MPEG2, 4:2:0) showing
// the part of the page in pngFile around its QR code: the place where
// the page has square blocks of solid black, the finder patterns' hearts,
// which no letter has.
func writeY4M(t *testing.T, pngFile, out string, w, h int) {
	t.Helper()
	f, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	luma := func(x, y int) uint8 {
		r, g, bl, _ := img.At(x, y).RGBA()
		return uint8((299*r + 587*g + 114*bl) / 1000 >> 8)
	}
	dark := func(x0, y0, n int) bool {
		for y := y0; y < y0+n; y++ {
			for x := x0; x < x0+n; x++ {
				if luma(x, y) > 80 {
					return false
				}
			}
		}
		return true
	}
	box := image.Rectangle{}
	const block = 8 // px at 100 dpi: a finder pattern's heart is 3 modules, about 11 px
	for y := b.Min.Y; y+block <= b.Max.Y; y += 2 {
		for x := b.Min.X; x+block <= b.Max.X; x += 2 {
			if dark(x, y, block) {
				box = box.Union(image.Rect(x, y, x+block, y+block))
			}
		}
	}
	if box.Empty() {
		t.Fatal("the printed invitation has no QR code to film")
	}
	cx, cy := (box.Min.X+box.Max.X)/2, (box.Min.Y+box.Max.Y)/2
	x0 := min(max(cx-w/2, b.Min.X), b.Max.X-w)
	y0 := min(max(cy-h/2, b.Min.Y), b.Max.Y-h)

	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriter(o)
	fmt.Fprintf(bw, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h)
	chroma := make([]byte, 2*(w/2)*(h/2))
	for i := range chroma {
		chroma[i] = 128
	}
	frame := make([]byte, 0, w*h)
	for y := range h {
		for x := range w {
			frame = append(frame, luma(x0+x, y0+y))
		}
	}
	for range 10 {
		bw.WriteString("FRAME\n")
		bw.Write(frame)
		bw.Write(chroma)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}
