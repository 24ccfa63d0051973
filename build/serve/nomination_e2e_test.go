package serve

import (
	"bytes"
	"context"
	"image/jpeg"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"loa/build/images/imagetest"
	"loa/build/internal/browsertest"
	"loa/functions/routes"
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

	// The commendation page: signed in on the staff page in this tab, a
	// quản lý leaves the second nominee out and downloads the list.
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true),
	}); err != nil {
		t.Fatal(err)
	}
	do(ctx, chromedp.Navigate(s.URL+routes.StaffPage), chromedp.WaitVisible(chromedp.ID("ma-quan-tri")))
	do(ctx,
		chromedp.SendKeys(chromedp.ID("ma-quan-tri"), s.Secret),
		chromedp.Click(chromedp.CSS("[data-staff-login] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-staff-board] .staff-form")),
	)
	do(ctx, chromedp.Click(chromedp.CSS(`a[href="`+routes.CommendationPage+`"]`)), chromedp.WaitVisible(chromedp.CSS("[data-commend-list] li")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("[data-commend-list] li").length`); n != 2 {
		t.Fatalf("the commendation page lists %d nominations, want 2", n)
	}
	if text := browsertest.Eval[string](t, ctx, `document.querySelector("main").innerText`); strings.Contains(text, "Trịnh Văn Gửi") || strings.Contains(text, "0903") {
		t.Error("the commendation page shows the sender")
	}
	checkAxeIn(t, ctx, string(axe), "commendation page")
	out := `document.querySelector('[data-commend-list] li:nth-child(2) input[type=checkbox]')`
	if browsertest.Eval[string](t, ctx, `document.querySelector("[data-commend-list] li:nth-child(2) strong").innerText`) != "Bùi Văn Không Script" {
		t.Fatal("the nominations are not listed oldest first")
	}
	do(ctx, chromedp.Click(chromedp.CSS(`[data-commend-list] li:nth-child(2) input[type=checkbox]`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("[data-commend-status]").innerText.includes("Đã để ra ngoài") && !`+out+`.checked && document.activeElement === `+out,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("leaving a nominee out: %q: %v", browsertest.Eval[string](t, ctx, `document.querySelector("[data-commend-status]").innerText`), err)
	}
	shotIn(t, ctx, "quan-tri-khen-thuong")
	dctx, dcancel := context.WithTimeout(ctx, 30*time.Second)
	defer dcancel()
	progress := chromedp.BrowserEvents(dctx, browser.DownloadProgress)
	do(ctx, chromedp.Click(chromedp.CSS("[data-commend-docx]")))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the Word download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatalf("Word download %s", ev.State)
		}
	}
	text, err := exec.Command("pandoc", "--sandbox", "-f", "docx", "-t", "plain", "--wrap=none", file).Output()
	if err != nil {
		t.Fatalf("pandoc cannot read the downloaded list: %v", err)
	}
	for _, want := range []string{"DANH SÁCH", "Tổng số: 1 người", "1. Đặng Thị Mô Hình, sinh năm 1995, Chi đoàn Tổ dân phố 4", "Mô hình nuôi cá lồng"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the list lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(string(text), "Bùi Văn Không Script") || strings.Contains(string(text), "Trịnh Văn Gửi") {
		t.Errorf("the list holds a nominee left out or the sender:\n%s", text)
	}
}
