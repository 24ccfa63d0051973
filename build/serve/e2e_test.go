package serve

// End-to-end tests: the serve server in this process, driven by Debian's
// headless Chromium through chromedp, the way a resident and the office
// staff use the site. Every page visited is checked with axe-core, and the
// HTML of every page (including the form handler's answers) with the Nu
// Html Checker. Screenshots at 360 and 1280 px go to artefacts/screenshots/.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/unicode/norm"

	"loa/build/images/imagetest"
	"loa/build/internal/browsertest"
	"loa/build/internal/tooltest"
	"loa/functions/paperwork"
	"loa/functions/routes"
)

const (
	toolsDir   = "../tools/node_modules"
	axeFile    = toolsDir + "/axe-core/axe.min.js"
	vnuFile    = toolsDir + "/vnu-jar/build/dist/vnu.jar"
	shotsDir   = "../../artefacts/screenshots"
	planPath   = "/ke-hoach/doi-thoai-thanh-nien-2023/"
	phoneWidth = 360
	deskWidth  = 1280
)

// chromium finds Debian's browser; the tests fail without it, since a
// skipped browser test would let a broken page through unnoticed.
// e2e is one browser on one serve server, shared by the steps of TestBrowser.
type e2e struct {
	t        *testing.T
	srv      *Server
	dir      string          // holds the content/ and site/ the server reads
	ctx      context.Context // the main tab, JavaScript on
	axe      string
	html     map[string][]byte // pages for the Nu Html Checker, by file name
	posted   []url.Values      // questions stored, in order
	noJSCode string            // the receipt code of the question sent without JavaScript
}

func TestBrowser(t *testing.T) {
	exe := browsertest.Chromium(t)
	tooltest.Drives(t, "Java (the Nu Html Checker)")
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg"} {
		tooltest.LookPath(t, tool+" is missing: install Debian's poppler-utils and zbar-tools packages (make tools)", tool)
	}
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		t.Fatalf("axe-core is missing (%v): run make tools", err)
	}
	if _, err := os.Stat(vnuFile); err != nil {
		t.Fatalf("the Nu Html Checker is missing (%v): run make tools", err)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Fatal("Java is missing (the Nu Html Checker needs it): run make tools")
	}
	// An announcement with phone photos, as a ward posts one: its page is
	// checked like every page of the sitemap (Nu Html Checker, axe).
	srv, dir := startCopyWith(t, Config{Watch: true}, map[string][]byte{
		"content/thong-bao/ra-quan/index.md": []byte("---\ntitle: \"Ra quân làm sạch đường làng\"\ndate: 2023-04-03\nimage: \"Ảnh 1.jpg\"\n---\n" +
			"Sáng chủ nhật, đoàn viên ra quân.\n\n![Đoàn viên dọn rác ở ngõ 3](<Ảnh 1.jpg>)\n\n![Thùng rác mới đặt ở đầu ngõ](<Ảnh 2.jpg>)\n"),
		"content/thong-bao/ra-quan/Ảnh 1.jpg": imagetest.JPEG(imagetest.Photo(1600, 1200, 11), 85, imagetest.EXIF(6)),
		"content/thong-bao/ra-quan/Ảnh 2.jpg": imagetest.JPEG(imagetest.Photo(1200, 900, 12), 85, imagetest.EXIF(1)),
	})
	ctx := browsertest.Start(t, exe)
	if err := os.MkdirAll(shotsDir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := &e2e{t: t, srv: srv, dir: dir, ctx: ctx, axe: string(axe), html: map[string][]byte{}}
	e.do(chromedp.EmulateViewport(phoneWidth, 800))

	// The steps share the store: serial, in this order.
	t.Run("plan", e.plan)
	t.Run("question-js", e.questionJS)
	t.Run("no-js", e.noJS)
	t.Run("quota", e.quota)
	t.Run("pages", e.pages)
	t.Run("staff", e.staffPage)
	t.Run("hoi-dap", e.hoidap)
	t.Run("html", e.checkHTML)
	t.Run("live-reload", e.liveReload)
}

// search: a resident types in the header's box as on a phone, without
// diacritics, and finds the plan; the results are checked with axe.
func (e *e2e) search() {
	t := e.t
	e.open("/")
	e.do(chromedp.SendKeys(chromedp.CSS("#hop-tim-kiem"), "doi thoai thanh nien\n"))
	e.do(chromedp.WaitVisible(chromedp.CSS(".search-results li")))
	first := eval[string](e, `document.querySelector(".search-results li a").getAttribute("href")`)
	if first != planPath {
		t.Errorf("the first result for \"doi thoai thanh nien\" is %q, want the plan %s", first, planPath)
	}
	if marks := eval[int](e, `document.querySelectorAll(".search-results mark").length`); marks == 0 {
		t.Error("the results mark no matched syllable")
	}
	e.checkAxe("search results")
	e.shot("tim-kiem")
}

// liveReload: an edit of a page's file reloads the open page.
func (e *e2e) liveReload(t *testing.T) {
	e.t = t
	const path = "/thong-bao/moi-gui-cau-hoi-doi-thoai-2023/"
	e.open(path)
	eval[bool](e, `(window.notReloaded = true)`)
	file := filepath.Join(e.dir, "content", "thong-bao", "moi-gui-cau-hoi-doi-thoai-2023.md")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edit := chromedp.Func(func(context.Context, *chromedp.Target) error {
		return os.WriteFile(file, append(b, "\nĐoạn vừa thêm để thử tải lại.\n"...), 0o644)
	})
	ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
	defer cancel()
	_, err = chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, edit))
	if err == nil {
		var text string
		text, err = chromedp.Run(ctx, chromedp.Evaluate[string](`window.notReloaded ? "" : document.body.innerText`))
		if err == nil && !strings.Contains(text, "Đoạn vừa thêm để thử tải lại.") {
			err = fmt.Errorf("the reloaded page lacks the edit")
		}
	}
	if err != nil {
		t.Fatalf("the page did not reload with the edit: %v", err)
	}
}

// do runs actions in the main tab, with a deadline.
func (e *e2e) do(actions ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	browsertest.Do(e.t, e.ctx, actions...)
}

func eval[T any](e *e2e, js string) T {
	e.t.Helper()
	return browsertest.Eval[T](e.t, e.ctx, js)
}

func (e *e2e) open(path string) {
	e.t.Helper()
	e.do(chromedp.Navigate(e.srv.URL + path))
}

// shot saves a full-page screenshot of the page as it is, at both widths.
func (e *e2e) shot(name string) {
	e.t.Helper()
	for _, w := range []int64{phoneWidth, deskWidth} {
		e.do(chromedp.EmulateViewport(w, 800))
		ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shotsDir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	e.do(chromedp.EmulateViewport(phoneWidth, 800))
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

// checkAxe runs axe-core in the page as it is; any violation fails.
func (e *e2e) checkAxe(what string) {
	e.t.Helper()
	checkAxeIn(e.t, e.ctx, e.axe, what)
}

func checkAxeIn(t *testing.T, ctx context.Context, axe, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: injecting axe-core: %v", what, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe-core: %v", what, err)
	}
	for _, v := range vs {
		t.Errorf("%s: axe %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

// plan: a resident reads the plan; printed, it shows the signature block.
func (e *e2e) plan(t *testing.T) {
	e.t = t
	e.open(planPath)
	h1 := eval[string](e, `document.querySelector("h1").innerText`)
	if !strings.Contains(strings.ToLower(h1), "đối thoại") {
		t.Errorf("plan title %q", h1)
	}
	body := eval[string](e, `document.querySelector("main").innerText`)
	for _, want := range []string{"KẾ HOẠCH", "Nơi nhận", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"} {
		if !strings.Contains(body, want) {
			t.Errorf("plan page lacks %q", want)
		}
	}
	e.checkAxe("plan")
	e.shot("plan")

	if _, err := chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	signer := eval[map[string]any](e, `(() => {
		const s = document.querySelector(".doc-sign .signer"), r = s && s.getBoundingClientRect();
		const head = document.querySelector(".site-head");
		return {text: s ? s.innerText : "", visible: !!s && r.width > 0 && r.height > 0 && getComputedStyle(s).visibility !== "hidden",
			headHidden: !head || getComputedStyle(head).display === "none"};
	})()`)
	if signer["visible"] != true || signer["text"] == "" {
		t.Errorf("printed plan: the signer is not visible: %v", signer)
	}
	if signer["headHidden"] != true {
		t.Error("printed plan: the site header is printed")
	}
	if _, err := chromedp.Call(e.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}); err != nil {
		t.Fatal(err)
	}
}

// fill types the values of a form into its fields; select boxes and radio
// buttons are chosen, the consent box ticked when "dong_y" is set.
func fill(v url.Values) []chromedp.Action[chromedp.Void] {
	var acts []chromedp.Action[chromedp.Void]
	names := make([]string, 0, len(v))
	for k := range v {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		val := v.Get(name)
		switch name {
		case "chi_doan":
			acts = append(acts, chromedp.SetValue(chromedp.ID("f-"+name), val))
		case "linh_vuc", "chuc_vu", "gioi_tinh":
			acts = append(acts, chromedp.Click(chromedp.CSS(fmt.Sprintf(`input[name=%q][value=%q]`, name, val))))
		case "dong_y", "cong_bo":
			acts = append(acts, chromedp.Click(chromedp.ID("f-"+name)))
		default:
			acts = append(acts, chromedp.SendKeys(chromedp.ID("f-"+name), val))
		}
	}
	return acts
}

func question(name, text string) url.Values {
	return url.Values{
		"ho_ten": {name}, "nam_sinh": {"1999"}, "chi_doan": {"Chi đoàn Tổ dân phố 2"}, "dien_thoai": {"0912 345 678"},
		"linh_vuc": {"Vai trò của thanh niên trong chuyển đổi số, xây dựng đô thị văn minh"},
		"noi_dung": {text}, "dong_y": {"co"},
	}
}

func withPublish(v url.Values) url.Values {
	v.Set("cong_bo", "co")
	return v
}

var receiptPattern = regexp.MustCompile(`(CH|DB)-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

func delegate(group, name string) url.Values {
	return url.Values{
		"chi_doan": {group}, "ho_ten": {name}, "chuc_vu": {"Đoàn viên"}, "nam_sinh": {"2001"},
		"dien_thoai": {"0987654321"}, "dong_y": {"co"},
	}
}

// questionJS: the question form with JavaScript: errors first, then success.
func (e *e2e) questionJS(t *testing.T) {
	e.t = t
	e.open("/bieu-mau/cau-hoi/")
	e.checkAxe("question form")
	e.shot("form-cau-hoi")

	// A name and a wrong phone number only: the summary takes the focus,
	// each field says what is wrong, in Vietnamese, and nothing typed is lost.
	e.do(
		chromedp.SendKeys(chromedp.ID("f-ho_ten"), "Trần Thị Bình"),
		chromedp.SendKeys(chromedp.ID("f-dien_thoai"), "12345"),
		chromedp.Click(chromedp.CSS(`form[data-form="cau-hoi"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-error-summary]")),
	)
	if !eval[bool](e, `document.activeElement === document.querySelector("[data-error-summary]")`) {
		t.Error("the error summary does not have the focus")
	}
	summary := eval[string](e, `document.querySelector("[data-error-summary]").innerText`)
	inline := eval[[]string](e, `[...document.querySelectorAll(".form-group--error [data-error-text]")].map(n => n.innerText)`)
	for _, want := range []string{"Chưa gửi được", "Chọn chi đoàn của bạn", "Số điện thoại không đúng", "Nhập nội dung câu hỏi", "Đánh dấu vào ô đồng ý"} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary lacks %q: %q", want, summary)
		}
	}
	if len(inline) < 4 || !slices.Contains(inline, "Nhập nội dung câu hỏi") {
		t.Errorf("inline errors: %q", inline)
	}
	if v := eval[string](e, `document.getElementById("f-ho_ten").value`); v != "Trần Thị Bình" {
		t.Errorf("typed name after errors: %q", v)
	}
	if v := eval[string](e, `document.getElementById("f-dien_thoai").value`); v != "12345" {
		t.Errorf("typed phone after errors: %q", v)
	}
	e.checkAxe("question form with errors")
	e.shot("form-cau-hoi-loi")

	// Correct it and send.
	q := question("Trần Thị Bình", "Phường có hỗ trợ thanh niên học kỹ năng số không? Xin cảm ơn.")
	eval[bool](e, `(() => { for (const id of ["f-ho_ten", "f-dien_thoai"]) document.getElementById(id).value = ""; return true; })()`)
	e.do(fill(q)...)
	e.do(
		chromedp.Click(chromedp.CSS(`form[data-form="cau-hoi"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".form-success")),
	)
	msg := eval[string](e, `document.querySelector(".form-success").innerText`)
	if !strings.Contains(msg, "Đã gửi") || !strings.Contains(msg, "Cảm ơn bạn đã gửi câu hỏi") {
		t.Errorf("success message: %q", msg)
	}
	e.posted = append(e.posted, q)
	e.checkAxe("question form sent")
}

// noJS: both forms with JavaScript off, in a tab of their own.
func (e *e2e) noJS(t *testing.T) {
	e.t = t
	tab, cancel := chromedp.NewContext(e.ctx)
	defer cancel()
	tctx, cancelT := context.WithTimeout(tab, 90*time.Second)
	defer cancelT()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(tctx, chromedp.EmulateViewport(phoneWidth, 800)))
	_, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	must(err)

	for _, tc := range []struct {
		form string
		bad  url.Values // refused: the answer page must keep it
		good url.Values
		err  string
	}{
		{"cau-hoi", url.Values{"ho_ten": {"Lê Văn Cường"}, "noi_dung": {"Câu hỏi chưa đủ thông tin"}},
			withPublish(question("Lê Văn Cường", "Câu hỏi gửi khi tắt JavaScript: phường có sân chơi cho thanh niên không?")), "Nhập số điện thoại hoặc email"},
		{"dai-bieu", url.Values{"ho_ten": {"Phạm Thị Dung"}, "dien_thoai": {"0912"}},
			delegate("Chi đoàn Tổ dân phố 1", "Phạm Thị Dung"), "Chọn chi đoàn của đại biểu"},
	} {
		must(chromedp.Do(tctx, chromedp.Navigate(e.srv.URL+"/bieu-mau/"+tc.form+"/")))
		must(chromedp.Do(tctx, fill(tc.bad)...))
		resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(`form[data-form="`+tc.form+`"] button[type=submit]`)))
		must(err)
		if resp.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s without JavaScript, with errors: %d, want 422", tc.form, resp.Status)
		}
		page, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		must(err)
		if !strings.Contains(page, tc.err) || !strings.Contains(page, "Chưa gửi được") {
			t.Errorf("%s error page lacks %q", tc.form, tc.err)
		}
		for name := range tc.bad {
			v, err := chromedp.Run(tctx, chromedp.Value(chromedp.ID("f-"+name)))
			must(err)
			if v != tc.bad.Get(name) {
				t.Errorf("%s error page: %s = %q, want %q", tc.form, name, v, tc.bad.Get(name))
			}
		}
		shotIn(t, tctx, "form-"+tc.form+"-loi-khong-js")
		// axe needs script: the page's own scripts have not run, and
		// will not, as it is loaded already.
		_, err = chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		must(err)
		checkAxeIn(t, tctx, e.axe, tc.form+" error page without JavaScript")
		_, err = chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		must(err)

		// Start again on the form page: the good answer is sent as a whole.
		must(chromedp.Do(tctx, chromedp.Navigate(e.srv.URL+"/bieu-mau/"+tc.form+"/")))
		must(chromedp.Do(tctx, fill(tc.good)...))
		// The answer to the POST is the thank-you page with the receipt code.
		resp, err = chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(`form[data-form="`+tc.form+`"] button[type=submit]`)))
		must(err)
		main, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		must(err)
		code := receiptPattern.FindString(main)
		if resp.Status != http.StatusOK || code == "" || !strings.Contains(main, "Hãy ghi lại mã này để tra cứu câu trả lời.") {
			t.Errorf("%s without JavaScript: answer %d, page %q, want the thank-you page with a code", tc.form, resp.Status, main)
		}
		if tc.form == "cau-hoi" {
			// The lookup, without JavaScript: a POST form, answered by a page.
			e.noJSCode = code
			must(chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`.receipt a`))))
			must(chromedp.Do(tctx, chromedp.WaitVisible(chromedp.ID("tra-cuu-so"))))
			must(chromedp.Do(tctx, chromedp.SendKeys(chromedp.ID("tra-cuu-ma"), code), chromedp.SendKeys(chromedp.ID("tra-cuu-so"), "5678")))
			resp, err = chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(`form[data-lookup] button[type=submit]`)))
			must(err)
			status, err := chromedp.Run(tctx, chromedp.Evaluate[string](`(document.querySelector("[data-lookup-status]") || {}).innerText || ""`))
			must(err)
			if resp.Status != http.StatusOK || status != "Đã nhận" {
				t.Errorf("lookup without JavaScript: %d, status %q, want Đã nhận", resp.Status, status)
			}
			shotIn(t, tctx, "tra-cuu-khong-js")
		}
		if tc.form == "cau-hoi" {
			e.posted = append(e.posted, tc.good)
		}
	}
}

// quota: five delegates of one chi đoàn are in; the sixth, in the browser,
// is told that the chi đoàn is full.
func (e *e2e) quota(t *testing.T) {
	e.t = t
	group := "Chi đoàn Tổ dân phố 3"
	for i := 1; i <= 5; i++ {
		resp, err := noRedirect.PostForm(e.srv.URL+"/api/forms/dai-bieu", delegate(group, fmt.Sprintf("Đại biểu số %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delegate %d: %d, want 200", i, resp.StatusCode)
		}
	}
	e.open("/bieu-mau/dai-bieu/")
	e.checkAxe("delegate form")
	e.shot("form-dai-bieu")
	e.do(fill(delegate(group, "Đại biểu thứ sáu"))...)
	e.do(
		chromedp.Click(chromedp.CSS(`form[data-form="dai-bieu"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("[data-error-summary]")),
	)
	msg := eval[string](e, `document.querySelector("[data-error-summary]").innerText`)
	if !strings.Contains(msg, group+" đã đăng ký đủ 5 đại biểu") {
		t.Errorf("sixth delegate: %q, want the quota message", msg)
	}
	if v := eval[string](e, `document.getElementById("f-ho_ten").value`); v != "Đại biểu thứ sáu" {
		t.Errorf("sixth delegate: typed name lost: %q", v)
	}
	e.checkAxe("delegate form, quota full")
	e.shot("form-dai-bieu-het-cho")
}

// pages: every page of the sitemap, the thank-you pages and the 404 page
// pass axe-core; their HTML is kept for the Nu Html Checker.
func (e *e2e) pages(t *testing.T) {
	e.t = t
	_, sitemap := get(t, e.srv.URL+"/sitemap.xml")
	var paths []string
	for _, m := range regexp.MustCompile(`<loc>https?://[^/]+(/[^<]*)</loc>`).FindAllStringSubmatch(sitemap, -1) {
		paths = append(paths, m[1])
	}
	if len(paths) < 6 {
		t.Fatalf("sitemap lists %d pages", len(paths))
	}
	// The register: all documents, a kind and a year.
	for _, p := range []string{"/van-ban/", "/van-ban/ke-hoach/", "/van-ban/2023/"} {
		if !slices.Contains(paths, p) {
			t.Errorf("the sitemap lacks the register's page %s", p)
		}
	}
	paths = append(paths, "/bieu-mau/cau-hoi/cam-on/", "/bieu-mau/dai-bieu/cam-on/", "/khong-co-trang-nay/", "/tim-kiem/")
	for _, p := range paths {
		e.open(p)
		e.checkAxe(p)
		resp, body := get(t, e.srv.URL+p)
		if resp.StatusCode != http.StatusOK && p != "/khong-co-trang-nay/" {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
		e.html[fileName(p)] = []byte(body)
	}
	e.open("/")
	e.shot("trang-chu")
	e.register()
	e.search()
	e.open(planPath)

	// The form handler's answers: the no-JavaScript error pages and the
	// quota page.
	for name, post := range map[string]struct {
		form string
		v    url.Values
	}{
		"answer-cau-hoi-422":  {"cau-hoi", url.Values{"ho_ten": {"<b>An</b>"}, "email": {"sai@"}}},
		"answer-dai-bieu-422": {"dai-bieu", url.Values{"chi_doan": {"Chi đoàn không có"}}},
		"answer-dai-bieu-409": {"dai-bieu", delegate("Chi đoàn Tổ dân phố 3", "Người thứ bảy")},
	} {
		resp, err := noRedirect.PostForm(e.srv.URL+"/api/forms/"+post.form, post.v)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: %d", name, resp.StatusCode)
		}
		e.html[name+".html"] = b
	}
}

// register: on a phone the register's table is a list of cards, each
// cell labelled; on a wide screen it is a table with its headers.
func (e *e2e) register() {
	t := e.t
	e.open("/van-ban/")
	e.shot("van-ban")
	layout := func() map[string]any {
		return eval[map[string]any](e, `(() => {
			const head = document.querySelector(".register-table thead th"), label = document.querySelector(".register-table .cell-label");
			const row = document.querySelector(".register-table tbody tr");
			return {headShown: head.getBoundingClientRect().width > 1, labelShown: getComputedStyle(label).display !== "none",
				card: getComputedStyle(row).display === "flex", rows: document.querySelectorAll(".register-table tbody tr").length,
				link: row.querySelector("th[scope=row] a").getAttribute("href")};
		})()`)
	}
	phone := layout()
	if phone["headShown"] == true || phone["labelShown"] != true || phone["card"] != true {
		t.Errorf("register on a %d px phone: want cards with labelled cells, got %v", phoneWidth, phone)
	}
	if phone["rows"] != float64(1) || phone["link"] != planPath {
		t.Errorf("register: want one row, the plan: %v", phone)
	}
	e.do(chromedp.EmulateViewport(deskWidth, 800))
	if desk := layout(); desk["headShown"] != true || desk["labelShown"] == true || desk["card"] == true {
		t.Errorf("register at %d px: want a table with its headers, got %v", deskWidth, desk)
	}
	e.do(chromedp.EmulateViewport(phoneWidth, 800))
}

func fileName(p string) string {
	s := strings.Trim(strings.ReplaceAll(p, "/", "_"), "_")
	if s == "" {
		s = "index"
	}
	return s + ".html"
}

// staffPage: a wrong secret is refused; the right one shows counts and
// charts; the CSV the page downloads holds the questions sent above.
func (e *e2e) staffPage(t *testing.T) {
	e.t = t
	_, body := get(t, e.srv.URL+routes.StaffPage)
	e.html["quan-tri.html"] = []byte(body)

	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(e.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true),
	}); err != nil {
		t.Fatal(err)
	}
	e.open(routes.StaffPage)
	e.do(chromedp.WaitVisible(chromedp.ID("ma-quan-tri")))
	e.checkAxe("staff login")
	e.do(
		chromedp.SendKeys(chromedp.ID("ma-quan-tri"), "sai-ma-quan-tri-123"),
		chromedp.Click(chromedp.CSS("[data-staff-login] button[type=submit]")),
	)
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`document.querySelector("[data-staff-status]").innerText.includes("không đúng")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("a wrong secret: no refusal shown: %v", err)
	}
	if eval[bool](e, `!document.querySelector("[data-staff-board]").hidden`) {
		t.Error("a wrong secret shows the staff board")
	}
	e.do(
		chromedp.SendKeys(chromedp.ID("ma-quan-tri"), e.srv.Secret),
		chromedp.Click(chromedp.CSS("[data-staff-login] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-staff-board] .staff-form")),
	)
	totals := eval[[]string](e, `[...document.querySelectorAll(".staff-total")].map(n => n.innerText)`)
	if len(totals) != 3 || !strings.HasPrefix(totals[0], fmt.Sprint(len(e.posted))) || !strings.HasPrefix(totals[1], "6") || !strings.HasPrefix(totals[2], "0") {
		t.Errorf("staff totals %q, want %d questions, 6 delegates and no nomination", totals, len(e.posted))
	}
	if n := eval[int](e, `document.querySelectorAll(".staff-form svg").length`); n == 0 {
		t.Error("the staff page draws no chart")
	}
	quota := eval[string](e, `document.querySelector(".staff-quota").innerText`)
	if !strings.Contains(quota, "Chi đoàn Tổ dân phố 3") || !strings.Contains(quota, "5/5") {
		t.Errorf("quota table: %q", quota)
	}
	e.checkAxe("staff board")
	// The page as signed-in staff have it (charts, the lists the script
	// filled in), for the Nu Html Checker with the other pages.
	e.html["quan-tri-da-dang-nhap.html"] = []byte("<!DOCTYPE html>\n" + eval[string](e, `document.documentElement.outerHTML`))

	// A count that runs out of time answers 503 "partial" (for a form with
	// tens of thousands of new submissions): the page says how far it got
	// and asks again after Retry-After. The first two answers are made so
	// in the page's fetch; the third goes to the server.
	eval[bool](e, `(() => {
		const real = window.fetch;
		window.statsCalls = 0;
		window.fetch = function (url) {
			if (!String(url).includes("/api/stats")) return real.apply(this, arguments);
			if (++window.statsCalls <= 2) {
				return Promise.resolve(new Response(JSON.stringify({ ok: false, partial: true,
					message: "Có nhiều câu trả lời, chưa tổng hợp xong trong một lần: đã đọc thêm 1.000 câu trả lời và đã lưu lại phần này. Đang đọc tiếp…" }),
					{ status: 503, headers: { "Retry-After": "1", "Content-Type": "application/json" } }));
			}
			return real.apply(this, arguments);
		};
		return true;
	})()`)
	e.do(chromedp.Click(chromedp.CSS("[data-staff-reload]")))
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`document.querySelector("[data-staff-status]").innerText.includes("Đang đọc tiếp")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("a partial answer: its message is not shown: %v", err)
	}
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`window.statsCalls === 3 && document.querySelector("[data-staff-status]").innerText === "Đã tải số liệu."`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("after two partial answers the page did not ask again and load (calls %d, status %q): %v",
			eval[int](e, `window.statsCalls`), eval[string](e, `document.querySelector("[data-staff-status]").innerText`), err)
	}
	e.shot("quan-tri")

	// The CSV download, as the page asks for it.
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	e.do(chromedp.Click(chromedp.CSS(`section[aria-labelledby="bm-cau-hoi"] .staff-downloads button`)))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatalf("download %s", ev.State)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	e.checkCSV(data)
	e.compileQuestions(downloads)
	e.checkIn(downloads)
}

// checkIn: on the guests page a "quản lý" adds a guest; the invitations
// the page downloads carry each delegate's and the guest's name and the QR
// code of their check-in code; that code checks a delegate in once, and
// the guest is found by name and checked in.
func (e *e2e) checkIn(downloads string) {
	t := e.t
	for _, p := range []string{routes.GuestsPage, routes.CheckinPage, routes.CommendationPage} {
		_, body := get(t, e.srv.URL+p)
		e.html[fileName(p)] = []byte(body)
	}
	e.open(routes.GuestsPage)
	e.do(chromedp.WaitVisible(chromedp.ID("khach-ho-ten")))
	const guestName, guestRole = "Hà Khách Mời", "Phó Bí thư Đảng ủy phường"
	e.do(
		chromedp.SendKeys(chromedp.ID("khach-ho-ten"), guestName),
		chromedp.SendKeys(chromedp.ID("khach-chuc-vu"), guestRole),
		chromedp.SendKeys(chromedp.ID("khach-don-vi"), "Đảng ủy phường Bạch Sam"),
		chromedp.Click(chromedp.CSS("[data-guests-new] button[type=submit]")),
	)
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`document.querySelector("[data-guests-list]").innerText.includes(`+strconv.Quote(guestName)+`) &&
		document.querySelector("[data-guests-status]").innerText.includes("Đã thêm khách mời")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("adding a guest: the list shows %q (status %q): %v", eval[string](e, `document.querySelector("[data-guests-list]").innerText`),
			eval[string](e, `document.querySelector("[data-guests-status]").innerText`), err)
	}
	e.checkAxe("guests page")
	e.shot("quan-tri-khach-moi")

	req, _ := http.NewRequest("GET", e.srv.URL+routes.Attendance, nil)
	req.Header.Set(routes.StaffHeader, e.srv.Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var att struct {
		People []struct{ Name, Group, Code string }
	}
	json.NewDecoder(res.Body).Decode(&att)
	res.Body.Close()
	if len(att.People) != 7 || att.People[0].Name != guestName {
		t.Fatalf("attendance lists %d people, want the guest, then the 6 delegates", len(att.People))
	}
	guest, who := att.People[0], att.People[1]

	b := e.download(downloads, `[data-guests-invitations="docx"]`)
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the invitations are not a .docx: %v", err)
	}
	for _, p := range []struct{ Name, Group, Code string }{guest, who} {
		qr, _ := paperwork.QR(p.Code)
		var doc string
		hasQR := false
		for _, f := range zr.File {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			rc.Close()
			if f.Name == "word/document.xml" {
				doc = string(data)
			}
			hasQR = hasQR || bytes.Equal(data, qr)
		}
		if !strings.Contains(doc, p.Name) || !strings.Contains(doc, p.Code) || !hasQR {
			t.Errorf("the invitations lack %s's name, code or QR code (QR %v)", p.Name, hasQR)
		}
	}

	// The same as a PDF, to print: each person's page carries their name
	// and code, and its QR code, printed at 150 dpi, reads as the code.
	pdf := e.download(downloads, `[data-guests-invitations="pdf"]`)
	file := filepath.Join(t.TempDir(), "giay-moi.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	for i, p := range []struct{ Name, Group, Code string }{guest, who} {
		page := strconv.Itoa(i + 1)
		out, err := exec.Command("pdftotext", "-f", page, "-l", page, file, "-").Output()
		text := strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
		if err != nil || !strings.Contains(text, p.Name) || !strings.Contains(text, "Mã điểm danh: "+p.Code) {
			t.Errorf("page %s of the PDF lacks %s's name or code (%v):\n%s", page, p.Name, err, text)
		}
		png := filepath.Join(filepath.Dir(file), "trang-"+page)
		if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", page, "-l", page, "-singlefile", file, png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		qr, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", png+".png").Output()
		if got := strings.TrimSpace(string(qr)); got != p.Code {
			t.Errorf("page %s of the PDF: its QR code reads %q (%v), want %s", page, got, err, p.Code)
		}
	}

	// At the door, on a phone: the check-in page, signed in by the staff
	// page in this tab, takes the code as typed; the first check-in
	// counts, the second is refused politely with the time of the first.
	e.open(routes.CheckinPage)
	e.do(chromedp.EmulateViewport(phoneWidth, 800), chromedp.WaitVisible(chromedp.ID("ma-diem-danh")))
	status := `document.querySelector("[data-checkin-status]").innerText`
	for i, want := range []string{"Đã điểm danh: " + who.Name, "đã điểm danh lúc"} {
		e.do(
			chromedp.SendKeys(chromedp.ID("ma-diem-danh"), strings.ToLower(who.Code)),
			chromedp.Click(chromedp.CSS("[data-checkin-code] button[type=submit]")),
		)
		if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](status+`.includes(`+strconv.Quote(want)+`)`,
			chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("check-in %d: %q not shown (status %q): %v", i+1, want, eval[string](e, status), err)
		}
	}
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`document.querySelector("[data-checkin-count]").innerText.startsWith("Đã đến 1/")`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("check-in count %q, want 1 present", eval[string](e, `document.querySelector("[data-checkin-count]").innerText`))
	}
	// The guest, found by name without diacritics.
	e.do(chromedp.SendKeys(chromedp.ID("tim-ten"), "ha khach"))
	e.do(chromedp.Click(chromedp.CSS("[data-checkin-found] button")))
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](status+`.includes(`+strconv.Quote("Đã điểm danh: "+guest.Name)+`) &&
		document.querySelector("[data-checkin-count]").innerText.startsWith("Đã đến 2/")`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Errorf("the guest found by name is not checked in (status %q, count %q): %v", eval[string](e, status),
			eval[string](e, `document.querySelector("[data-checkin-count]").innerText`), err)
	}
	if found := eval[string](e, `document.querySelector("[data-checkin-found]").innerText`); !strings.Contains(found, "(đã đến)") ||
		eval[int](e, `document.querySelectorAll("[data-checkin-found] button").length`) != 0 {
		t.Errorf("the names found still offer the guest a check-in: %q", found)
	}
	if groups := eval[string](e, `document.querySelector("[data-checkin-groups]").innerText`); !strings.Contains(groups, "Khách mời\t1/1") {
		t.Errorf("the counts have no row Khách mời 1/1:\n%s", groups)
	}
	e.checkAxe("check-in page")
	e.shot("quan-tri-diem-danh")
	// The store holds one check-in: the second was refused.
	req, _ = http.NewRequest("GET", e.srv.URL+routes.Attendance, nil)
	req.Header.Set(routes.StaffHeader, e.srv.Secret)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var after struct{ Present int }
	json.NewDecoder(res.Body).Decode(&after)
	res.Body.Close()
	if after.Present != 2 {
		t.Errorf("attendance after two check-ins of one code and the guest's: %d present, want 2", after.Present)
	}
	e.open(routes.StaffPage)
}

// download clicks the button sel of the open page and returns the file
// the browser downloads.
func (e *e2e) download(downloads, sel string) []byte {
	t := e.t
	t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	e.do(chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download of %s: %v", sel, err)
		}
		switch ev.State {
		case browser.DownloadProgressStateCompleted:
			b, err := os.ReadFile(filepath.Join(downloads, ev.GUID))
			if err != nil {
				t.Fatal(err)
			}
			return b
		case browser.DownloadProgressStateCanceled:
			t.Fatalf("the download of %s was %s", sel, ev.State)
		}
	}
	return nil
}

// compileQuestions: the staff page lists every question to compile; one
// left out stays out of the Word file the page downloads, which pandoc
// reads back with the others under their lĩnh vực.
func (e *e2e) compileQuestions(downloads string) {
	t := e.t
	e.do(chromedp.WaitVisible(chromedp.CSS("[data-staff-compile] .staff-citem")))
	if n := eval[int](e, `document.querySelectorAll("[data-staff-compile] .staff-citem").length`); n != len(e.posted) {
		t.Errorf("the compile list shows %d questions, want %d", n, len(e.posted))
	}
	left := eval[string](e, `document.querySelector("[data-staff-compile] .staff-citem .staff-ctext").innerText`)
	e.do(chromedp.Click(chromedp.CSS("[data-staff-compile] .staff-citem input[type=checkbox]")))
	if _, err := chromedp.Run(e.ctx, chromedp.Poll[bool](`document.querySelector("[data-staff-status]").innerText.includes("ra ngoài tổng hợp") &&
		document.querySelector("[data-staff-compile] .staff-citem--out") !== null`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("leaving a question out: %v", err)
	}
	e.checkAxe("staff compile")
	e.shot("quan-tri-tong-hop")

	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	e.do(chromedp.Click(chromedp.CSS("[data-staff-compile-download]")))
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
	out, err := exec.Command("pandoc", "--sandbox", "-f", "docx", "-t", "plain", "--wrap=none", file).Output()
	if err != nil {
		t.Fatalf("pandoc cannot read the downloaded compilation: %v", err)
	}
	text := string(out)
	if !strings.Contains(text, "BÁO CÁO") || !strings.Contains(text, "Tổng số: "+fmt.Sprint(len(e.posted)-1)+" câu hỏi") {
		t.Errorf("the compilation lacks its kind or its count:\n%s", text)
	}
	for _, q := range e.posted {
		body := strings.Join(strings.Fields(q.Get("noi_dung")), " ")
		if in := strings.Contains(text, body); in == (body == strings.Join(strings.Fields(left), " ")) {
			t.Errorf("question %q: in the file %v", body, in)
		}
		if q.Get("ho_ten") != "" && strings.Contains(text, q.Get("ho_ten")) || q.Get("dien_thoai") != "" && strings.Contains(text, q.Get("dien_thoai")) {
			t.Errorf("the compilation holds a name or a phone number of %q", body)
		}
	}
}

// checkCSV: the download is the questions sent, one row each.
func (e *e2e) checkCSV(data []byte) {
	t := e.t
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Error("the CSV has no BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(e.posted)+1 {
		t.Fatalf("CSV: %d rows, want a header and %d", len(rows), len(e.posted))
	}
	col := func(name string) int {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("CSV header %q lacks %q", rows[0], name)
		}
		return i
	}
	name, text, group := col("Họ và tên"), col("Nội dung câu hỏi"), col("Chi đoàn")
	var got, want []string
	for _, r := range rows[1:] {
		got = append(got, r[name]+" | "+r[group]+" | "+r[text])
	}
	for _, q := range e.posted {
		want = append(want, q.Get("ho_ten")+" | "+q.Get("chi_doan")+" | "+q.Get("noi_dung"))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("CSV rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// checkHTML runs the Nu Html Checker once over every page kept.
func (e *e2e) checkHTML(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for name, b := range e.html {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	slices.Sort(files)
	if len(files) < 12 {
		t.Fatalf("only %d pages to check", len(files))
	}
	cmd := exec.Command("java", append([]string{"-jar", vnuFile, "--errors-only", "--format", "json"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var out struct {
		Messages []struct {
			Type, Message, URL, Extract string
			LastLine                    int
		}
	}
	if jerr := json.Unmarshal(stderr.Bytes(), &out); jerr != nil {
		t.Fatalf("Nu Html Checker: %v: %s", err, stderr.String())
	}
	for _, m := range out.Messages {
		t.Errorf("%s:%d: %s: %s\n\t%s", filepath.Base(m.URL), m.LastLine, m.Type, m.Message, m.Extract)
	}
	t.Logf("Nu Html Checker: %d pages, %d errors", len(files), len(out.Messages))
}

func shotIn(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, w := range []int64{phoneWidth, deskWidth} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(shotsDir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 800)); err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// A4 paper, and the width print.css leaves inside Decree 30's margins
// (left 30 mm, right 15 mm).
const (
	a4Width, a4Height = 8.27, 11.69 // inches
	printWidthMM      = 210 - 30 - 15
	motto             = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	mottoSub          = "Độc lập - Tự do - Hạnh phúc"
)

// TestPrintA4 prints the plan on A4 as a resident would, to PDF, and
// checks the head of Decree 30: the national motto on one line at 12 pt
// bold, its second line under it at 13 pt bold, the issuer on its left;
// the print button and the menu are not printed. The button itself is
// there, and prints, only with JavaScript.
func TestPrintA4(t *testing.T) {
	exe := browsertest.Chromium(t)
	pdftotext := tooltest.LookPath(t, "pdftotext is missing: install poppler-utils (Debian's package; make tools)", "pdftotext")
	srv, _ := startCopy(t, Config{})
	ctx, cancel := context.WithTimeout(browsertest.Start(t, exe), 90*time.Second)
	defer cancel()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, 800), chromedp.Navigate(srv.URL+planPath)))

	button, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
		const b = document.querySelector("[data-print]");
		let printed = false;
		window.print = () => { printed = true; };
		if (b) b.click();
		return {shown: !!b && !b.hidden && b.getBoundingClientRect().height > 0, printed, text: b ? b.innerText : ""};
	})()`))
	must(err)
	if button["shown"] != true || button["printed"] != true || button["text"] != "In trang này" {
		t.Errorf("the print button with JavaScript: %v, want shown, printing, \"In trang này\"", button)
	}

	// Under print media, as wide as the paper inside its margins: the
	// motto's text is one line box.
	must(chromedp.Do(ctx, chromedp.EmulateViewport(printWidthMM*96*10/254, 1100)))
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	must(err)
	head, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(() => {
		const m = document.querySelector(".motto"), sub = document.querySelector(".motto-sub"), r = document.createRange();
		r.selectNodeContents(m);
		const style = q => getComputedStyle(document.querySelector(q));
		return {lines: r.getClientRects().length, size: style(".motto").fontSize, weight: style(".motto").fontWeight,
			subSize: style(".motto-sub").fontSize, subWeight: style(".motto-sub").fontWeight,
			subBelow: sub.getBoundingClientRect().top >= m.getBoundingClientRect().bottom - 1,
			issuerLeft: document.querySelector(".issuer").getBoundingClientRect().right <= m.getBoundingClientRect().left,
			button: style("[data-print]").display, menu: style(".menu").display, info: style(".doc-info").display};
	})()`))
	must(err)
	want := map[string]any{"lines": float64(1), "size": "16px", "weight": "700", "subSize": "17.3333px", "subWeight": "700",
		"subBelow": true, "issuerLeft": true, "button": "none", "menu": "none", "info": "none"}
	for k, v := range want {
		if head[k] != v {
			t.Errorf("printed head: %s = %v, want %v (12 pt is 16px, 13 pt 17.3333px)", k, head[k], v)
		}
	}
	_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	must(err)

	// The PDF, on A4 as print.css asks.
	pdf, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: a4Width, PaperHeight: a4Height, PreferCSSPageSize: ptr(true)})
	must(err)
	file := filepath.Join(t.TempDir(), "ke-hoach.pdf")
	must(os.WriteFile(file, pdf.Data, 0o644))
	if err := os.MkdirAll(shotsDir, 0o755); err == nil {
		os.WriteFile(filepath.Join(shotsDir, "ke-hoach-a4.pdf"), pdf.Data, 0o644)
	}
	if info, err := exec.Command(filepath.Join(filepath.Dir(pdftotext), "pdfinfo"), file).Output(); err != nil || !strings.Contains(string(info), "(A4)") {
		t.Errorf("the PDF is not on A4 (%v):\n%s", err, info)
	}
	out, err := exec.Command(pdftotext, "-layout", "-f", "1", "-l", "1", file, "-").Output()
	must(err)
	lines := strings.Split(norm.NFC.String(string(out)), "\n")
	at := func(s string) int {
		for i, l := range lines {
			if strings.Contains(strings.Join(strings.Fields(l), " "), s) {
				return i
			}
		}
		return -1
	}
	m, sub := at(motto), at(mottoSub)
	switch {
	case m < 0:
		t.Errorf("page 1 of the PDF has no line with the whole motto %q:\n%s", motto, strings.Join(lines[:min(len(lines), 12)], "\n"))
	case sub <= m || sub > m+2:
		t.Errorf("the PDF: %q is not under the motto (lines %d and %d)", mottoSub, m+1, sub+1)
	case !strings.HasPrefix(strings.TrimSpace(lines[m]), "ỦY BAN"):
		t.Errorf("the PDF: the issuer is not left of the motto: %q", lines[m])
	}
	if strings.Contains(string(out), "In trang này") || strings.Contains(string(out), "Trang chủ") {
		t.Error("the PDF prints the print button or the menu")
	}
}
