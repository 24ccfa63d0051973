package site

import (
	"html/template"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func testShell(path string, cfg Config) Shell {
	return Shell{Site: cfg, Title: "Kế hoạch số 12", Description: "Mô tả <ngắn>", Canonical: "https://loa.example.vn" + path, Path: path, OGType: "article", Main: template.HTML("<p>Nội dung</p>")}
}

var (
	wardA = Config{Title: "Phường Bạch Sam", Tagline: "Thông tin của phường", Menu: []Link{{"Trang chủ", "/"}, {"Kế hoạch", "/ke-hoach/"}, {"Hỏi đáp", "/hoi-dap/"}}}
	wardB = Config{Title: "Phường Dương Hạo", Menu: []Link{{"Trang chủ", "/"}, {"Thông báo", "/thong-bao/"}}}
)

// TestFrameReusesHeaderAndFooter: a frame that has rendered pages before
// (its header and footer kept by site and menu state) writes each page
// byte for byte as a frame that renders it first; the current menu entry
// and the site are those of the page, never of an earlier one.
func TestFrameReusesHeaderAndFooter(t *testing.T) {
	warm, err := NewFrame(FS())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		cfg  Config
		want string
	}{
		{"/", wardA, `<a href="/" aria-current="page">Trang chủ</a>`},
		{"/ke-hoach/", wardA, `<a href="/ke-hoach/" aria-current="page">Kế hoạch</a>`},
		{"/ke-hoach/mot-ke-hoach/", wardA, `<a href="/ke-hoach/" aria-current="true">Kế hoạch</a>`},
		{"/ke-hoach/", wardB, `<p class="site-title"><a href="/">Phường Dương Hạo</a></p>`},
		{"/thong-bao/", wardB, `<a href="/thong-bao/" aria-current="page">Thông báo</a>`},
		{"/ke-hoach/", wardA, `<p class="tagline">Thông tin của phường</p>`},
	}
	for round := range 2 {
		for _, c := range cases {
			var got strings.Builder
			if err := warm.Render(&got, testShell(c.path, c.cfg)); err != nil {
				t.Fatal(err)
			}
			cold, err := NewFrame(FS())
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if err := cold.Render(&want, testShell(c.path, c.cfg)); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("round %d, %s of %s: the frame's page differs from a first render", round, c.path, c.cfg.Title)
			}
			if !strings.Contains(got.String(), c.want) {
				t.Errorf("round %d, %s of %s: no %s in\n%s", round, c.path, c.cfg.Title, c.want, got.String())
			}
			if strings.Count(got.String(), "aria-current") > 1 {
				t.Errorf("round %d, %s: more than one menu entry is current", round, c.path)
			}
		}
	}
}

// TestFrameReusesHeadLinks: the head's links (feeds, scripts, stylesheet,
// live reload), kept by site and kind of page, are each page's own: a
// warm frame writes every page byte for byte as a frame that renders it
// first.
func TestFrameReusesHeadLinks(t *testing.T) {
	warm, err := NewFrame(FS())
	if err != nil {
		t.Fatal(err)
	}
	news := []Link{{"Phường Bạch Sam", "/atom.xml"}, {"Thông báo – Phường Bạch Sam", "/thong-bao/atom.xml"}}
	cases := []struct {
		cfg     Config
		feeds   []Link
		scripts []string
		reload  bool
		want    []string
		wantNot []string
	}{
		{wardA, news[:1], nil, false, []string{`href="/atom.xml"`, `content="Phường Bạch Sam"`}, []string{"thong-bao/atom.xml", "<script", "reload.js"}},
		{wardA, news, []string{"/assets/print.1.js"}, false, []string{`href="/thong-bao/atom.xml"`, `<script src="/assets/print.1.js" defer>`}, []string{"form.2.js", "reload.js"}},
		{wardA, news, []string{"/assets/print.1.js", "/assets/form.2.js"}, false, []string{`<script src="/assets/form.2.js" defer>`}, []string{"reload.js"}},
		{wardA, news, []string{"/assets/print.1.js"}, true, []string{`<script src="/_loa/reload.js" defer>`}, []string{"form.2.js"}},
		{wardB, []Link{{"Phường Dương Hạo", "/atom.xml"}}, nil, false, []string{`content="Phường Dương Hạo"`, `title="Phường Dương Hạo"`}, []string{"Bạch Sam", "<script"}},
		{wardA, nil, nil, false, nil, []string{"atom+xml", "<script"}},
	}
	for round := range 2 {
		for i, c := range cases {
			sh := testShell("/thong-bao/mot-thong-bao/", c.cfg)
			sh.Feeds, sh.Scripts, sh.LiveReload = c.feeds, c.scripts, c.reload
			var got strings.Builder
			if err := warm.Render(&got, sh); err != nil {
				t.Fatal(err)
			}
			cold, err := NewFrame(FS())
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if err := cold.Render(&want, sh); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("round %d, case %d: the frame's page differs from a first render", round, i)
			}
			head := got.String()[:strings.Index(got.String(), "</head>")]
			for _, w := range c.want {
				if !strings.Contains(head, w) {
					t.Errorf("round %d, case %d: no %s in\n%s", round, i, w, head)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(head, w) {
					t.Errorf("round %d, case %d: %s, which is another page's, in\n%s", round, i, w, head)
				}
			}
			if !strings.Contains(head, `<link rel="stylesheet" href="/assets/site.`) {
				t.Errorf("round %d, case %d: no stylesheet in\n%s", round, i, head)
			}
		}
	}
}

// TestFramePartKeysDoNotCollide: two pages whose feeds differ only in
// where one field ends and the next begins (bytes a separator could be)
// get each its own head links.
func TestFramePartKeysDoNotCollide(t *testing.T) {
	f, err := NewFrame(FS())
	if err != nil {
		t.Fatal(err)
	}
	shells := [][]Link{
		{{"a", "/b\x01c\x00/d"}},
		{{"a", "/b"}, {"c", "/d"}},
	}
	for round := range 2 {
		for i, feeds := range shells {
			sh := testShell("/", wardA)
			sh.Feeds = feeds
			var b strings.Builder
			if err := f.Render(&b, sh); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(b.String(), `type="application/atom+xml"`); n != len(feeds) {
				t.Errorf("round %d, page %d: %d feeds in its head, want %d", round, i, n, len(feeds))
			}
		}
	}
}

// TestFramePartsSeeTheSiteOnly: layouts without a "site-header" render as
// they are; one whose header reads the page's title fails with a clear
// error instead of showing one page's title on every page.
func TestFramePartsSeeTheSiteOnly(t *testing.T) {
	searchBox := &fstest.MapFile{Data: []byte(`{{define "search-box"}}{{end}}`)}
	plain := fstest.MapFS{
		"layouts/base.html":       {Data: []byte(`<title>{{.Title}}</title><h1>{{.Site.Title}}</h1><main>{{.Main}}</main>`)},
		"layouts/search-box.html": searchBox,
	}
	f, err := NewFrame(plain)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := f.Render(&b, testShell("/", wardA)); err != nil {
		t.Fatal(err)
	}
	if want := "<title>Kế hoạch số 12</title><h1>Phường Bạch Sam</h1><main><p>Nội dung</p></main>"; b.String() != want {
		t.Errorf("layouts without site-header: %q, want %q", b.String(), want)
	}

	leaky := fstest.MapFS{
		"layouts/base.html":       {Data: []byte(`<title>{{.Title}}</title>{{.Header}}<main>{{.Main}}</main>{{define "site-header"}}<p>{{.Title}}</p>{{end}}`)},
		"layouts/search-box.html": searchBox,
	}
	if f, err = NewFrame(leaky); err != nil {
		t.Fatal(err)
	}
	err = f.Render(io.Discard, testShell("/", wardA))
	if err == nil || !strings.Contains(err.Error(), "Title") {
		t.Errorf("a site-header that reads the page's title: error %v, want one naming the field", err)
	}

	leakyLinks := fstest.MapFS{
		"layouts/base.html":       {Data: []byte(`<head>{{.Links}}</head><main>{{.Main}}</main>{{define "site-links"}}<meta content="{{.Description}}">{{end}}`)},
		"layouts/search-box.html": searchBox,
	}
	if f, err = NewFrame(leakyLinks); err != nil {
		t.Fatal(err)
	}
	err = f.Render(io.Discard, testShell("/", wardA))
	if err == nil || !strings.Contains(err.Error(), "Description") {
		t.Errorf("site-links that read the page's description: error %v, want one naming the field", err)
	}
}

// BenchmarkFrameRender renders a plan's frame: a menu of three entries,
// one of them current.
func BenchmarkFrameRender(b *testing.B) {
	f, err := NewFrame(FS())
	if err != nil {
		b.Fatal(err)
	}
	sh := testShell("/ke-hoach/mot-ke-hoach/", wardA)
	b.ReportAllocs()
	for b.Loop() {
		f.Render(io.Discard, sh)
	}
}

// TestFramePartsKeyedByTheWholeSite: two units of a province that share a
// frame and differ only in their address get each its own header; and a
// field added to Config, which a header could read, must join the key.
func TestFramePartsKeyedByTheWholeSite(t *testing.T) {
	layouts := fstest.MapFS{
		"layouts/base.html":       {Data: []byte(`{{.Header}}<main>{{.Main}}</main>{{define "site-header"}}<a href="{{.Site.BaseURL}}">{{.Site.Title}}</a>{{end}}`)},
		"layouts/search-box.html": {Data: []byte(`{{define "search-box"}}{{end}}`)},
	}
	f, err := NewFrame(layouts)
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"https://phuong-a.example.vn/", "https://phuong-b.example.vn/"} {
		cfg := wardA
		cfg.BaseURL = base
		var b strings.Builder
		if err := f.Render(&b, testShell("/", cfg)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), `href="`+base+`"`) {
			t.Errorf("the header of %s: %s", base, b.String())
		}
	}
	if n := reflect.TypeOf(Config{}).NumField(); n != 4 {
		t.Errorf("Config has %d fields; a header may read each: add the new ones to partKey, then here", n)
	}
}
