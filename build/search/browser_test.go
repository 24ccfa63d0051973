package search_test

// Browser tests: the ward's test site built by the builder (its pages,
// their index and the results page, as published), served on 127.0.0.1
// and driven in Debian's headless Chromium the way a resident searches.

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/unicode/norm"

	"loa/build/builder"
	"loa/build/internal/browsertest"
	"loa/build/search"
	"loa/content"
)

const axeFile = "../tools/node_modules/axe-core/axe.min.js"

// writeSite writes docs as the pages of a site (Markdown with front
// matter: an official document's kind, number and issuer in its
// "document:" block) and builds it with the builder, as `make site` does:
// the index and the results page are the ones the site publishes.
func writeSite(t testing.TB, dir string, docs []search.Doc) {
	t.Helper()
	src := filepath.Join(dir, "content")
	files := map[string]string{"site.yaml": "", "data/loai-van-ban.yaml": ""}
	for name := range files {
		b, err := fs.ReadFile(content.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	for _, d := range docs {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\n", d.Title, d.Date.Format("2006-01-02"))
		summary := d.Summary
		if d.Kind != "" {
			if summary == "" {
				summary = d.Title // an official document's trích yếu is required
			}
			fmt.Fprintf(&b, "document:\n  kind: %q\n  number: %q\n  issuer: %q\n", d.Kind, d.Number, d.Issuer)
		}
		if summary != "" {
			fmt.Fprintf(&b, "summary: %q\n", summary)
		}
		b.WriteString("---\n\n")
		for _, h := range d.Headings {
			fmt.Fprintf(&b, "## %s\n\n", h)
		}
		b.WriteString(d.Body + "\n")
		files[strings.Trim(d.URL, "/")+".md"] = b.String()
	}
	for name, data := range files {
		name = filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfs, err := content.Dir(src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := builder.Build(builder.Options{Content: cfs, ContentDir: "content", Out: filepath.Join(dir, "public")}); err != nil {
		t.Fatal(err)
	}
}

type tab struct {
	t   *testing.T
	ctx context.Context
	url string
}

func (b *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	browsertest.Do(b.t, b.ctx, actions...)
}

func evalIn[T any](b *tab, js string) T {
	b.t.Helper()
	return browsertest.Eval[T](b.t, b.ctx, js)
}

// query opens the results page for q and the filters, and waits for the
// answer.
func (b *tab) query(q string, filters ...string) {
	b.t.Helper()
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(filters); i += 2 {
		v.Set(filters[i], filters[i+1])
	}
	b.do(chromedp.Navigate(b.url+"/tim-kiem/?"+v.Encode()), b.done())
}

func (b *tab) done() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`document.querySelector("[data-search]").dataset.state === "done"`, chromedp.WithPollingTimeout(20*time.Second))
}

func (b *tab) results() []string {
	b.t.Helper()
	return evalIn[[]string](b, `[...document.querySelectorAll("[data-results] h2 a")].map(a => a.getAttribute("href"))`)
}

func TestBrowser(t *testing.T) {
	exe := browsertest.Chromium(t)
	dir := t.TempDir()
	docs := append(search.FillerDocs(200), search.WardDocs...)
	// A page whose words searched for come after a long body.
	docs = append(docs, search.Doc{URL: "/thong-bao/ghe-do-mua-lu/", Section: "thong-bao", Date: search.Day("2024-09-10"),
		Title: "Thông báo phòng chống lụt bão năm 2024",
		Body:  strings.Repeat("Các tổ dân phố rà soát nhà yếu, chằng chống mái, dọn khơi thông cống rãnh trước mùa mưa. ", 60) + "Tổ 5 chuẩn bị hai chiếc xuồng ba lá để đưa người già qua đoạn ngập."})
	writeSite(t, dir, docs)
	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "public"))))
	defer srv.Close()
	b := &tab{t: t, ctx: browsertest.Start(t, exe), url: srv.URL}
	b.do(chromedp.EmulateViewport(360, 800))

	t.Run("fold", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(srv.URL + "/tim-kiem/"))
		cases := search.FoldCases()
		ins := make([]string, len(cases))
		for i, c := range cases {
			ins[i] = c[0]
		}
		js := fmt.Sprintf(`%s.map(s => loaSearchFold.fold(s))`, jsonString(t, ins))
		got := evalIn[[]string](b, js)
		for i, c := range cases {
			if got[i] != c[1] {
				t.Errorf("search.js fold(%q) = %q, want %q (as Go's vntext.Fold)", c[0], got[i], c[1])
			}
		}
		js = fmt.Sprintf(`%s.map(s => loaSearchFold.tokens(s).map(t => t.key))`, jsonString(t, search.TokenCases))
		toks := evalIn[[][]string](b, js)
		for i, s := range search.TokenCases {
			if want := search.Keys(s); !slices.Equal(toks[i], want) {
				t.Errorf("search.js tokens(%q) = %q, Go's = %q", s, toks[i], want)
			}
		}
	})

	t.Run("queries", func(t *testing.T) {
		b.t = t
		for _, c := range []struct{ q, want string }{
			{"dang ky tam tru", "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/"},
			{"đăng ký tạm trú", "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/"},
			{norm.NFD.String("đăng ký tạm trú"), "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/"},
			{"ĐĂNG KÝ TẠM TRÚ", "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/"},
			{"dang ky thuong tru", "/thong-bao/huong-dan-dang-ky-thuong-tru-truc-tuyen/"},
			{"doi thoai thanh nien", "/ke-hoach/doi-thoai-thanh-nien-2023/"},
			{"chuyen doi so", "/ke-hoach/chuyen-doi-so-2023-2025/"},
			{"Chuyển đổi số", "/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/"},
			{"dau gia dat", "/thong-bao/dau-gia-quyen-su-dung-dat-to-3/"},
			{"29/KH-UBND", "/ke-hoach/doi-thoai-thanh-nien-2023/"},
			{"29/kh-ubnd", "/ke-hoach/doi-thoai-thanh-nien-2023/"},
			{"29 KH UBND", "/ke-hoach/doi-thoai-thanh-nien-2023/"},
			{"12/QĐ-UBND", "/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/"},
			{"12/qd-ubnd", "/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/"},
			{"9/TB-UBND", "/thong-bao/lich-tiep-cong-dan-thang-4/"},
			{"sot xuat huyet", "/ke-hoach/ve-sinh-moi-truong-sot-xuat-huyet/"},
			{"tiếp công dân", "/thong-bao/lich-tiep-cong-dan-thang-4/"},
			{"THU PHI VE SINH", "/thong-bao/thu-phi-ve-sinh-2024/"},
		} {
			b.query(c.q)
			got := b.results()
			if i := slices.Index(got, c.want); i < 0 || i > 2 {
				t.Errorf("%q: %s is not in the top 3: %q", c.q, c.want, got[:min(len(got), 5)])
			}
		}
		// Adjacent syllables first: the page that has "chuyển", "hồ sơ",
		// "đổi" and "số" apart comes after the pages about chuyển đổi số.
		b.query("chuyen doi so")
		got := b.results()
		apart := slices.Index(got, "/thong-bao/so-hoa-ho-so/")
		if apart < 0 {
			t.Fatalf("chuyen doi so: the page with the words apart is missing: %q", got)
		}
		for _, u := range []string{"/ke-hoach/chuyen-doi-so-2023-2025/", "/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/", "/ke-hoach/doi-thoai-thanh-nien-2023/"} {
			if i := slices.Index(got, u); i < 0 || i > apart {
				t.Errorf("chuyen doi so: %s (at %d) is not above the page with the words apart (at %d)", u, i, apart)
			}
		}
	})

	t.Run("exact-first", func(t *testing.T) {
		b.t = t
		b.query("đăng ký")
		got := b.results()
		last := -1
		for _, u := range []string{"/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/", "/thong-bao/huong-dan-dang-ky-thuong-tru-truc-tuyen/", "/ke-hoach/dai-hoi-chi-doan-2024/"} {
			i := slices.Index(got, u)
			if i < 0 {
				t.Fatalf("đăng ký: %s is missing: %q", u, got)
			}
			last = max(last, i)
		}
		for _, u := range []string{"/thong-bao/dang-ky-xe-khong-dau/", "/thong-bao/lich-nghi-le-30-4/"} {
			if i := slices.Index(got, u); i < 0 || i < last {
				t.Errorf("đăng ký: %s (spelt otherwise) at %d, want found and below the pages with đăng ký (last at %d): %q", u, i, last, got)
			}
		}
		// Without marks, the page written without marks is found too.
		b.query("dang ky xe may")
		if got := b.results(); len(got) == 0 || got[0] != "/thong-bao/dang-ky-xe-khong-dau/" {
			t.Errorf("dang ky xe may: %q", got)
		}
	})

	t.Run("snippet", func(t *testing.T) {
		b.t = t
		b.query("dang ky tam tru")
		marks := evalIn[[]string](b, `[...document.querySelectorAll("[data-results] li:first-child mark")].map(m => m.textContent)`)
		for _, w := range []string{"đăng", "ký", "tạm", "trú"} {
			found := false
			for _, m := range marks {
				found = found || strings.ToLower(m) == w
			}
			if !found {
				t.Errorf("the first result does not mark %q: %q", w, marks)
			}
		}
		snippet := evalIn[string](b, `document.querySelector("[data-results] li:first-child .snippet").innerHTML`)
		if !strings.Contains(snippet, "<mark>tạm</mark> <mark>trú</mark>") {
			t.Errorf("snippet %q lacks the marked words", snippet)
		}
		status := evalIn[string](b, `document.querySelector("[role=status]").textContent`)
		if !strings.HasPrefix(status, "Tìm thấy ") || !strings.Contains(status, "“dang ky tam tru”") {
			t.Errorf("status %q", status)
		}
		meta := evalIn[string](b, `document.querySelector("[data-results] li:first-child .meta").textContent`)
		if meta != "Thông báo · 15/TB-UBND · 04/05/2023" {
			t.Errorf("meta line %q", meta)
		}
	})

	t.Run("snippet-far", func(t *testing.T) {
		b.t = t
		b.query("xuong ba la")
		if got := b.results(); len(got) == 0 || got[0] != "/thong-bao/ghe-do-mua-lu/" {
			t.Fatalf("xuong ba la: %q", got)
		}
		snippet := evalIn[string](b, `document.querySelector("[data-results] li:first-child .snippet").innerHTML`)
		if !strings.Contains(snippet, "<mark>xuồng</mark> <mark>ba</mark> <mark>lá</mark>") {
			t.Errorf("the snippet of words 5 KB into the page does not mark them: %q", snippet)
		}
	})

	t.Run("prefix", func(t *testing.T) {
		b.t = t
		// The last word typed halfway: "dang k" finds đăng ký, without
		// marks, and marks the words begun in the snippet.
		for _, q := range []string{"dang k", "đăng k", "tạm t", "chuyen do", "29/KH-U"} {
			b.query(q)
			got := b.results()
			want := map[string]string{
				"dang k": "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/", "đăng k": "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/",
				"tạm t": "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/", "chuyen do": "/ke-hoach/chuyen-doi-so-2023-2025/",
				"29/KH-U": "/ke-hoach/doi-thoai-thanh-nien-2023/",
			}[q]
			if i := slices.Index(got, want); i < 0 || i > 2 {
				t.Errorf("%q: %s is not in the top 3: %q", q, want, got[:min(len(got), 5)])
			}
		}
		b.query("dang k")
		marks := evalIn[[]string](b, `[...document.querySelectorAll("[data-results] li:first-child .snippet mark")].map(m => m.textContent.toLowerCase())`)
		if !slices.Contains(marks, "ký") || !slices.Contains(marks, "đăng") {
			t.Errorf("dang k: the snippet marks %q, want đăng and ký", marks)
		}
		// A space after the last word: whole words only.
		b.query("xuong ba l ")
		if n := evalIn[int](b, `document.querySelectorAll("[data-results] li").length`); n != 0 {
			t.Errorf("xuong ba l, then a space: %d results, want none (no word is l)", n)
		}
	})

	t.Run("as-you-type", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(srv.URL+"/tim-kiem/"), b.done())
		entries := evalIn[int](b, `history.length`)
		b.do(chromedp.SendKeys(chromedp.ID("tk-q"), "dang k"),
			// The search of what was typed last: each pause in the typing
			// (a slow machine's keys) searches what is typed so far.
			chromedp.Poll[chromedp.Void](`location.search === "?q=dang+k" && document.querySelector("[data-search]").dataset.state === "done"`, chromedp.WithPollingTimeout(20*time.Second)))
		got := b.results()
		if i := slices.Index(got, "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/"); i < 0 || i > 2 {
			t.Errorf("typing dang k: the page about đăng ký tạm trú is not in the top 3: %q", got[:min(len(got), 5)])
		}
		if n := evalIn[int](b, `history.length`); n != entries {
			t.Errorf("typing made %d entries in the history, want none", n-entries)
		}
	})

	t.Run("filters", func(t *testing.T) {
		b.t = t
		b.query("ke hoach", "loai", "ke-hoach", "nam", "2024")
		got := b.results()
		if !slices.Equal(got, []string{"/ke-hoach/dai-hoi-chi-doan-2024/"}) {
			t.Errorf("ke hoach, kind Kế hoạch, 2024: %q", got)
		}
		if v := evalIn[string](b, `document.getElementById("tk-loai").value + " " + document.getElementById("tk-nam").value`); v != "ke-hoach 2024" {
			t.Errorf("the filters do not show the query's choices: %q", v)
		}
		// Choosing a section in the form narrows the answer in place.
		b.query("chuyen doi so")
		b.do(chromedp.SetValue(chromedp.ID("tk-muc"), "van-ban"))
		evalIn[bool](b, `(document.getElementById("tk-muc").dispatchEvent(new Event("change")), true)`)
		b.do(b.done())
		if got := b.results(); !slices.Equal(got, []string{"/van-ban/thanh-lap-ban-chi-dao-chuyen-doi-so/"}) {
			t.Errorf("chuyen doi so in Văn bản: %q", got)
		}
		if s := evalIn[string](b, `location.search`); !strings.Contains(s, "muc=van-ban") {
			t.Errorf("the address does not keep the filter: %q", s)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(srv.URL+"/tim-kiem/"), b.done(),
			chromedp.SendKeys(chromedp.ID("tk-q"), "thanh nien\r"), b.done())
		got := b.results()
		if len(got) != 10 {
			t.Fatalf("thanh nien: %d results shown, want the first 10", len(got))
		}
		// Each result is written as its fragment comes: wait for all ten.
		b.do(chromedp.Click(chromedp.CSS("[data-more]")),
			chromedp.Poll[chromedp.Void](`document.querySelectorAll("[data-results] li").length >= 20`))
		if !evalIn[bool](b, `document.activeElement === document.querySelectorAll("[data-results] h2 a")[10]`) {
			t.Error("after “Xem thêm”, the focus is not on the first new result")
		}
		if all := b.results(); len(all) != 20 || len(slices.Compact(slices.Sorted(slices.Values(all)))) != 20 {
			t.Errorf("after “Xem thêm”: %d results, %d of them different, want 20", len(all), len(slices.Compact(slices.Sorted(slices.Values(all)))))
		}
		checkAxe(b, "results page")
	})

	t.Run("nothing-found", func(t *testing.T) {
		b.t = t
		b.query("xyzqw")
		status := evalIn[string](b, `document.querySelector("[role=status]").textContent`)
		want := "Không tìm thấy trang nào có “xyzqw”. Thử bỏ dấu, dùng ít từ hơn, hoặc xem Văn bản / Kế hoạch / Thông báo."
		if status != want {
			t.Errorf("status %q, want %q", status, want)
		}
		links := evalIn[[]string](b, `[...document.querySelectorAll("[role=status] a")].map(a => a.getAttribute("href"))`)
		if !slices.Equal(links, []string{"/van-ban/", "/ke-hoach/", "/thong-bao/"}) {
			t.Errorf("links of the message: %q", links)
		}
		checkAxe(b, "nothing found")
	})

	// through serves the built site through change, which may alter the
	// request or the response's headers, and checks the first result of
	// a query, as what says.
	through := func(t *testing.T, what string, change func(w http.ResponseWriter, r *http.Request)) {
		files := http.FileServer(http.Dir(filepath.Join(dir, "public")))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			change(w, r)
			files.ServeHTTP(w, r)
		}))
		defer srv.Close()
		nb := &tab{t: t, ctx: b.ctx, url: srv.URL}
		nb.query("dang ky tam tru")
		if got := nb.results(); len(got) == 0 || got[0] != "/thong-bao/dang-ky-tam-tru-nguoi-lao-dong/" {
			t.Errorf("dang ky tam tru, %s: %q", what, got)
		}
	}

	t.Run("server-inflates", func(t *testing.T) {
		// A server that sends the .gz files as gzip content encoding (some
		// do, by their name): the browser inflates them, and search.js
		// reads them as they come.
		through(t, "the index inflated by the browser", func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, ".gz") {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			}
		})
	})

	t.Run("no-ranges", func(t *testing.T) {
		// A server that answers a range with the whole file (some do):
		// search.js cuts each fragment out of its group's file.
		var ranged, whole atomic.Int32
		through(t, "each group sent whole", func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Range") != "" {
				ranged.Add(1)
				r.Header.Del("Range")
			}
			if strings.HasSuffix(r.URL.Path, ".bin") {
				whole.Add(1)
			}
		})
		if ranged.Load() == 0 || whole.Load() == 0 {
			t.Errorf("%d ranges asked, %d groups sent: want the fragments asked for by range", ranged.Load(), whole.Load())
		}
	})

	t.Run("old-browser", func(t *testing.T) {
		// A browser that cannot inflate the index says what the page says
		// without JavaScript.
		tctx, cancel := chromedp.NewContext(b.ctx)
		defer cancel()
		nb := &tab{t: t, ctx: tctx, url: srv.URL}
		if _, err := chromedp.Call(tctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: "delete window.DecompressionStream"}); err != nil {
			t.Fatal(err)
		}
		nb.do(chromedp.Navigate(srv.URL + "/tim-kiem/?q=dang+ky"))
		text := evalIn[string](nb, `document.querySelector("main").innerText`)
		if !strings.Contains(text, "Trình duyệt này quá cũ để tìm trên trang.") || !strings.Contains(text, "Sổ văn bản") {
			t.Errorf("a browser without DecompressionStream is not told: %q", text)
		}
		links := evalIn[[]string](nb, `[...document.querySelectorAll("main a")].map(a => a.getAttribute("href"))`)
		if !slices.Contains(links, "/van-ban/") {
			t.Errorf("no link to the register: %q", links)
		}
	})

	t.Run("no-js", func(t *testing.T) {
		tctx, cancel := chromedp.NewContext(b.ctx)
		defer cancel()
		nb := &tab{t: t, ctx: tctx, url: srv.URL}
		if _, err := chromedp.Call(tctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		nb.do(chromedp.Navigate(srv.URL + "/tim-kiem/?q=dang+ky"))
		text := evalIn[string](nb, `document.querySelector("main").innerText`)
		if !strings.Contains(text, "Tìm kiếm cần JavaScript") {
			t.Errorf("without JavaScript the page does not say search needs it: %q", text)
		}
		links := evalIn[[]string](nb, `[...document.querySelectorAll("main a")].map(a => a.getAttribute("href"))`)
		for _, u := range []string{"/van-ban/", "/ke-hoach/", "/thong-bao/"} {
			if !slices.Contains(links, u) {
				t.Errorf("without JavaScript the page lacks a link to %s: %q", u, links)
			}
		}
	})
}

type axeViolation struct {
	ID, Impact, Help string
	Nodes            []string
}

func checkAxe(b *tab, what string) {
	b.t.Helper()
	axe, err := os.ReadFile(axeFile)
	if err != nil {
		b.t.Fatalf("axe-core is missing (%v): run make tools", err)
	}
	evalIn[chromedp.Void](b, string(axe))
	vs := evalIn[[]axeViolation](b, `axe.run(document, {resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({ID: v.id, Impact: v.impact || "", Help: v.help,
			Nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "").replace(/\s+/g, " "))})))`)
	for _, v := range vs {
		b.t.Errorf("%s: axe %s (%s): %s\n\t%s", what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
	}
}

func jsonString(t testing.TB, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
