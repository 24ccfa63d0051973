package serve

import (
	"bytes"
	"context"
	"image/jpeg"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"loa/build/images/imagetest"
	"loa/build/internal/browsertest"
)

func nominee(name string) url.Values {
	return url.Values{
		"chi_doan": {"Chi đoàn Tổ dân phố 4"}, "nguoi_gui": {"Trịnh Văn Gửi"}, "dien_thoai": {"0903 456 789"},
		"ho_ten": {name}, "nam_sinh": {"1995"}, "linh_vuc": {"Lao động, sản xuất, mô hình phát triển kinh tế hiệu quả"},
		"thanh_tich": {"Mô hình nuôi cá lồng cho 8 hộ thanh niên, thu nhập tăng gấp đôi."}, "dong_y": {"co"},
	}
}

// TestNominationInBrowser: on a phone, with JavaScript, a nomination with
// a camera's photo larger than the form takes is sent: the form script
// makes it smaller first, and what is kept is upright and without the
// photo's metadata. Without JavaScript, the browser's own post of the form
// and its photo is taken too.
func TestNominationInBrowser(t *testing.T) {
	exe := browsertest.Chromium(t)
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run make tools", err)
	}
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, _ := startCopy(t, Config{})
	ctx := browsertest.Start(t, exe)
	do := func(ctx context.Context, a ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browsertest.Do(t, ctx, a...)
	}
	do(ctx, chromedp.EmulateViewport(phoneWidth, 800))

	// A 12-megapixel photo as a phone takes it, held upright (stored on its
	// side, EXIF orientation 6), with the GPS position where it was taken.
	dir := t.TempDir()
	big := filepath.Join(dir, "IMG_20230405_091500.jpg")
	raw := imagetest.JPEG(imagetest.Photo(4000, 3000, 7), 95, imagetest.EXIF(6))
	if err := os.WriteFile(big, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(raw) <= 3<<20 {
		t.Fatalf("the test photo is %d bytes, not over the form's 3 MB", len(raw))
	}

	do(ctx, chromedp.Navigate(s.URL+"/bieu-mau/de-cu/"))
	checkAxeIn(t, ctx, string(axe), "nomination form")
	do(ctx, fill(nominee("Đặng Thị Mô Hình"))...)
	do(ctx, chromedp.SetUploadFiles(chromedp.ID("f-tep"), []string{big}))
	shotIn(t, ctx, "form-de-cu")
	do(ctx,
		chromedp.Click(chromedp.CSS(`form[data-form="de-cu"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".form-success")),
	)
	code := browsertest.Eval[string](t, ctx, `document.querySelector("[data-receipt-code]").innerText`)
	if !nominationCode.MatchString(code) {
		t.Fatalf("receipt code %q", code)
	}
	checkAxeIn(t, ctx, string(axe), "nomination sent")

	rows := exportCSV(t, s, "de-cu")
	if len(rows) != 2 || rows[1][5] != "Đặng Thị Mô Hình" {
		t.Fatalf("export: %q", rows)
	}
	var link struct {
		URL string `json:"url"`
	}
	if c := staffGet(t, s, "/api/files/de-cu/"+rows[1][0]+"/tep", &link); c != 200 {
		t.Fatalf("file link: %d", c)
	}
	kept := download(t, link.URL)
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(kept))
	if err != nil || len(kept) > 3<<20 || cfg.Height != 2560 || cfg.Width != 1920 {
		t.Errorf("kept photo: %d bytes, %d×%d (%v); want at most 3 MB, upright and 1920×2560", len(kept), cfg.Width, cfg.Height, err)
	}
	if bytes.Contains(kept, []byte("Exif")) || bytes.Contains(kept, imagetest.GPSBytes(imagetest.Latitude)) {
		t.Error("the kept photo holds EXIF or the GPS position")
	}
	t.Logf("a %d×%d photo of %d bytes, sent with JavaScript, is kept as %d×%d in %d bytes", 4000, 3000, len(raw), cfg.Width, cfg.Height, len(kept))

	// Without JavaScript: the browser posts the form and its photo itself.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	// One context for the tab's whole life: the first run on a new tab
	// opens it, and cancelling that run's context would close it.
	tctx, tcancel := context.WithTimeout(tab, 90*time.Second)
	defer tcancel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(tctx, chromedp.EmulateViewport(phoneWidth, 800)))
	_, err = chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	must(err)
	small := filepath.Join(dir, "anh nho.jpg")
	must(os.WriteFile(small, imagetest.JPEG(imagetest.Photo(800, 600, 8), 85, imagetest.EXIF(1)), 0o644))
	must(chromedp.Do(tctx, chromedp.Navigate(s.URL+"/bieu-mau/de-cu/")))
	must(chromedp.Do(tctx, fill(nominee("Bùi Văn Không Script"))...))
	must(chromedp.Do(tctx, chromedp.SetUploadFiles(chromedp.ID("f-tep"), []string{small})))
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(`form[data-form="de-cu"] button[type=submit]`)))
	must(err)
	main, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	must(err)
	if resp.Status != http.StatusOK || !nominationCode.MatchString(main) || !strings.Contains(main, "Đã ghi nhận đề cử") {
		t.Errorf("without JavaScript: %d %q", resp.Status, main)
	}
	if n := statsOf(t, s, "de-cu").Total; n != 2 {
		t.Errorf("%d nominations counted, want 2", n)
	}
}
