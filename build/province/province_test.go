package province

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"loa/functions/vntext"
)

// at is the instant the tests build as of: the example's forms are open.
var at = time.Date(2026, 12, 10, 9, 0, 0, 0, vntext.Location)

// example copies the repository's example province (don-vi/) into a
// temporary folder, for a test to change.
func example(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "don-vi")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join("..", "..", "don-vi"))); err != nil {
		t.Fatal(err)
	}
	return dst
}

func load(t *testing.T, dir string) *Province {
	t.Helper()
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// edit writes a file of a unit and moves its time on, as an editor's
// save does (two saves within the file system's clock tick must differ).
func edit(t *testing.T, name, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	var old time.Time
	if fi, err := os.Stat(name); err == nil {
		old = fi.ModTime()
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(name); !fi.ModTime().After(old) {
		os.Chtimes(name, old.Add(time.Second), old.Add(time.Second))
	}
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func states(res Result) map[string]string {
	m := map[string]string{}
	for _, u := range res.Units {
		switch {
		case u.Err != nil:
			m[u.Unit.Slug] = "failed"
		case u.Skipped:
			m[u.Unit.Slug] = "skipped"
		default:
			m[u.Unit.Slug] = "built"
		}
	}
	return m
}

// TestExample: the example province has three units with different
// names, menus, forms and chi đoàn lists, each in the folder its name's
// slug makes, each saying that it is an example.
func TestExample(t *testing.T) {
	p := load(t, filepath.Join("..", "..", "don-vi"))
	if len(p.Units) < 3 {
		t.Fatalf("%d units, want at least 3", len(p.Units))
	}
	seen := map[string]string{}
	for _, u := range p.Units {
		if u.Slug != vntext.Slug(u.Name) || filepath.Base(u.Dir) != u.Slug {
			t.Errorf("unit %q in %s has slug %q", u.Name, u.Dir, u.Slug)
		}
		if u.URL != "https://"+u.Slug+".hungyen.example.vn/" {
			t.Errorf("%s: URL %q", u.Slug, u.URL)
		}
		// What makes units differ, each read from the unit's files.
		for _, f := range []string{"site.yaml", "data/chi-doan.yaml"} {
			b := read(t, filepath.Join(u.Dir, f))
			menu := regexp.MustCompile(`(?m)^(menu:|  - |items:).*$`).FindAllString(b, -1)
			key := f + "\x00" + strings.Join(menu, "\n")
			if other, ok := seen[key]; ok {
				t.Errorf("%s: %s lists what %s does", u.Slug, f, other)
			}
			seen[key] = u.Slug
		}
		forms, _ := filepath.Glob(filepath.Join(u.Dir, "bieu-mau", "[^_]*.md"))
		if len(forms) == 0 {
			t.Errorf("%s: no form", u.Slug)
		}
		// Everything a resident reads says it is an example.
		err := filepath.WalkDir(u.Dir, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(name, ".md") || d.Name() == "_index.md" {
				return err
			}
			if s := strings.ToLower(read(t, name)); !strings.Contains(s, "mẫu") && !strings.Contains(s, "ví dụ") {
				t.Errorf("%s does not say it is an example (mẫu, ví dụ)", name)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sets := map[string]bool{}
	for _, u := range p.Units {
		forms, _ := filepath.Glob(filepath.Join(u.Dir, "bieu-mau", "[^_]*.md"))
		for i := range forms {
			b := read(t, forms[i])
			forms[i] = filepath.Base(forms[i]) + regexp.MustCompile(`(?m)^  (closes|quota): .*$`).FindString(b)
		}
		sets[strings.Join(forms, ",")] = true
	}
	if len(sets) != len(p.Units) {
		t.Errorf("the units' forms are alike: %v", sets)
	}
}

// TestBuild: every unit is built in its folder with its own search
// index, and the province page lists them; a second build skips every
// unit; an edit rebuilds its unit alone.
func TestBuild(t *testing.T) {
	dir := example(t)
	p := load(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	res, err := Build(p, Options{Out: out, Now: at})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	if res.Built() != len(p.Units) {
		t.Fatalf("first build: %v", states(res))
	}
	page := read(t, filepath.Join(out, PageDir, "index.html"))
	for _, u := range p.Units {
		if !strings.Contains(page, `<a href="`+u.URL+`">`+u.Name+`</a>`) {
			t.Errorf("the province page does not link %s to %s", u.Name, u.URL)
		}
		home := read(t, filepath.Join(out, u.Slug, "index.html"))
		if !strings.Contains(home, u.Name) {
			t.Errorf("%s/index.html does not name %s", u.Slug, u.Name)
		}
		if !strings.Contains(home, `href="`+u.URL) {
			t.Errorf("%s/index.html has no address under %s", u.Slug, u.URL)
		}
		// Its own index: the shards hold its pages' words and no other unit's.
		// The index's files are gzipped (search.js inflates them); the
		// fragments, f.*.bin, name the pages.
		shards, _ := filepath.Glob(filepath.Join(out, u.Slug, "assets", "search", "*.gz"))
		frags, _ := filepath.Glob(filepath.Join(out, u.Slug, "assets", "search", "f.*.bin"))
		shards = append(shards, frags...)
		if len(shards) == 0 {
			t.Errorf("%s has no search index", u.Slug)
		}
		// Every page it finds is a page of this unit's site.
		n := 0
		for _, s := range shards {
			for _, m := range regexp.MustCompile(`"u":"([^"]+)"`).FindAllStringSubmatch(gunzip(t, s), -1) {
				n++
				if _, err := os.Stat(filepath.Join(out, u.Slug, filepath.FromSlash(m[1]), "index.html")); err != nil {
					t.Errorf("search index of %s finds %s, which is not one of its pages", u.Slug, m[1])
				}
			}
		}
		if n < 3 {
			t.Errorf("search index of %s finds %d pages", u.Slug, n)
		}
	}
	if _, err := os.Stat(filepath.Join(out, PageDir, strings.TrimPrefix(page[strings.Index(page, "/assets/site."):strings.Index(page, ".css")+4], "/"))); err != nil {
		t.Errorf("the province page's stylesheet: %v", err)
	}
	// The 404 page of every unit on AWS: on a unit's host, "/" is the
	// unit's home, and the stylesheet it names is the unit's own (the
	// router reads /assets/… under the unit's folder).
	nf := read(t, filepath.Join(out, PageDir, "404.html"))
	css := page[strings.Index(page, "/assets/site.") : strings.Index(page, ".css")+4]
	if !strings.Contains(nf, "<h1>Không tìm thấy trang</h1>") || !strings.Contains(nf, `<a href="/">trang chủ</a>`) ||
		!strings.Contains(nf, `<a href="`+p.BaseURL+`">trang của tỉnh</a>`) || strings.Contains(nf, `rel="canonical"`) || !strings.Contains(nf, css) {
		t.Errorf("%s/404.html:\n%s", PageDir, nf)
	}
	for _, u := range p.Units {
		if _, err := os.Stat(filepath.Join(out, u.Slug, filepath.FromSlash(css))); err != nil {
			t.Errorf("the 404 page's stylesheet %s, on %s's host: %v", css, u.Slug, err)
		}
	}

	res, err = Build(p, Options{Out: out, Now: at.Add(time.Hour)})
	if err != nil || res.Skipped() != len(p.Units) {
		t.Fatalf("second build: %v %v", states(res), err)
	}

	one := p.Units[1]
	news := filepath.Join(one.Dir, "thong-bao", "moi.md")
	edit(t, news, "---\ntitle: \"Thông báo mới (mẫu)\"\ndate: 2026-12-05\n---\nBài mẫu.\n")
	res, err = Build(p, Options{Out: out, Now: at.Add(2 * time.Hour)})
	if err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	want := map[string]string{}
	for _, u := range p.Units {
		want[u.Slug] = "skipped"
	}
	want[one.Slug] = "built"
	if got := states(res); !mapsEqual(got, want) {
		t.Errorf("after an edit of %s: %v", one.Slug, got)
	}
	if _, err := os.Stat(filepath.Join(out, one.Slug, "thong-bao", "moi", "index.html")); err != nil {
		t.Errorf("the new page: %v", err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestBrokenUnit: a unit with a broken page fails alone, named with the
// file and line; its last good site stays, the other units are built, and
// mending the page builds it again.
func TestBrokenUnit(t *testing.T) {
	dir := example(t)
	p := load(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	if res, err := Build(p, Options{Out: out, Now: at}); err != nil || res.Err() != nil {
		t.Fatal(err, res.Err())
	}
	broken, other := p.Units[0], p.Units[2]
	bad := filepath.Join(broken.Dir, "tin-tuc", "hong.md")
	edit(t, bad, "---\ntitle: \"Tin mẫu\"\ndate: 12/2026\n---\nBài mẫu.\n")
	edit(t, filepath.Join(other.Dir, "gioi-thieu.md"), "---\ntitle: \"Giới thiệu (mẫu)\"\n---\nĐã sửa: nội dung mẫu.\n")
	before := read(t, filepath.Join(out, broken.Slug, "index.html"))

	res, err := Build(p, Options{Out: out, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	got := states(res)
	if got[broken.Slug] != "failed" || got[other.Slug] != "built" || res.Failed() != 1 {
		t.Fatalf("states %v", got)
	}
	var ue *UnitError
	if !errors.As(res.Err(), &ue) || ue.Unit.Slug != broken.Slug {
		t.Fatalf("error %v, want a UnitError of %s", res.Err(), broken.Slug)
	}
	msg := res.Err().Error()
	where := filepath.ToSlash(bad) + ":3:"
	if !strings.Contains(msg, broken.Name) || !strings.Contains(msg, broken.Slug) || !strings.Contains(msg, where) {
		t.Errorf("error %q does not name the unit, and %s", msg, where)
	}
	if read(t, filepath.Join(out, broken.Slug, "index.html")) != before {
		t.Error("the broken unit's last good site was replaced")
	}
	if !strings.Contains(read(t, filepath.Join(out, other.Slug, "gioi-thieu", "index.html")), "Đã sửa") {
		t.Error("the other unit was not built")
	}
	if _, err := os.Stat(filepath.Join(out, PageDir, "index.html")); err != nil {
		t.Error("no province page")
	}

	// Still broken: still failed, never skipped as "unchanged".
	if res, _ := Build(p, Options{Out: out, Now: at}); states(res)[broken.Slug] != "failed" {
		t.Errorf("second build of the broken unit: %v", states(res))
	}
	edit(t, bad, "---\ntitle: \"Tin mẫu\"\ndate: 2026-12-04\n---\nBài mẫu.\n")
	if res, _ := Build(p, Options{Out: out, Now: at}); states(res)[broken.Slug] != "built" || res.Err() != nil {
		t.Errorf("after the page is mended: %v %v", states(res), res.Err())
	}
}

// TestUntil: a unit whose files did not change is built again once its
// last build no longer holds: here a form has closed.
func TestUntilRebuilds(t *testing.T) {
	dir := example(t)
	p := load(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(p, Options{Out: out, Now: at}); err != nil {
		t.Fatal(err)
	}
	// phuong-duong-hao's form closes on 2027-01-31; the others' later.
	later := time.Date(2027, 2, 1, 0, 0, 0, 0, vntext.Location)
	res, err := Build(p, Options{Out: out, Now: later})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"phuong-bach-sam": "skipped", "phuong-duong-hao": "built", "xa-nghia-tru": "skipped"}
	if got := states(res); !mapsEqual(got, want) {
		t.Errorf("after phuong-duong-hao's form closed: %v, want %v", got, want)
	}
	if page := read(t, filepath.Join(out, "phuong-duong-hao", "bieu-mau", "dai-bieu", "index.html")); !strings.Contains(page, "đã đóng") && !strings.Contains(page, "Đã đóng") && !strings.Contains(page, "đã hết hạn") {
		t.Error("the closed form's page was not built again as closed")
	}
	// Back in time: the build of the later instant does not hold either.
	if res, _ := Build(p, Options{Out: out, Now: at}); states(res)["phuong-duong-hao"] != "built" {
		t.Errorf("building as of an earlier instant: %v", states(res))
	}
}

// TestPrune: the output keeps the units and the province page only: a
// unit taken out of the province, and what a single ward's build left in
// the same folder, are removed.
func TestPrune(t *testing.T) {
	dir := example(t)
	out := filepath.Join(t.TempDir(), "public")
	edit(t, filepath.Join(out, "ke-hoach", "index.html"), "một phường")
	edit(t, filepath.Join(out, "index.html"), "một phường")
	edit(t, filepath.Join(out, PageDir, "assets", "site.000000000000.css"), "cũ")
	p := load(t, dir)
	if _, err := Build(p, Options{Out: out, Now: at}); err != nil {
		t.Fatal(err)
	}
	gone := p.Units[2]
	if err := os.RemoveAll(gone.Dir); err != nil {
		t.Fatal(err)
	}
	p = load(t, dir)
	if _, err := Build(p, Options{Out: out, Now: at}); err != nil {
		t.Fatal(err)
	}
	var top []string
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			top = append(top, e.Name())
		}
	}
	want := []string{PageDir, p.Units[0].Slug, p.Units[1].Slug}
	slices.Sort(want)
	if !slices.Equal(top, want) {
		t.Errorf("output holds %v, want %v", top, want)
	}
	if css, _ := filepath.Glob(filepath.Join(out, PageDir, "assets", "*")); len(css) != 1 {
		t.Errorf("assets: %v, want the one stylesheet", css)
	}
	if strings.Contains(read(t, filepath.Join(out, PageDir, "index.html")), gone.Name) {
		t.Errorf("the province page still lists %s", gone.Name)
	}
}

// TestLoadErrors: a unit in a folder its name does not make, and a
// province without tinh.yaml, are named with the file to mend.
func TestLoadErrors(t *testing.T) {
	dir := example(t)
	if err := os.Rename(filepath.Join(dir, "xa-nghia-tru"), filepath.Join(dir, "nghia-tru")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "nghia-tru", "site.yaml")) || !strings.Contains(err.Error(), "xa-nghia-tru") {
		t.Errorf("a unit in the wrong folder: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "phuong-bach-sam")); err == nil || !strings.Contains(err.Error(), File) {
		t.Errorf("a folder without %s: %v", File, err)
	}
}

// gunzip reads the gzipped file name.
func gunzip(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(b)
}

// TestProgramHash: the program is hashed once per executable file; the
// hash kept in the output stands while the file is the same one, and is
// made again from the file when it is not.
func TestProgramHash(t *testing.T) {
	out := t.TempDir()
	first, err := programHash(out)
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	whole, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(whole); !bytes.Equal(first, want[:]) {
		t.Fatalf("the program's hash is %x, its file's %x", first, want)
	}
	// The kept hash is what a later build reads: a planted one is taken
	// as long as it names this very file...
	var kept program
	if err := json.Unmarshal([]byte(read(t, filepath.Join(out, programFile))), &kept); err != nil {
		t.Fatal(err)
	}
	planted := bytes.Repeat([]byte{7}, sha256.Size)
	plant := func(p program) {
		b, _ := json.Marshal(p)
		if err := os.WriteFile(filepath.Join(out, programFile), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	plant(program{File: kept.File, Hash: planted})
	if got, _ := programHash(out); !bytes.Equal(got, planted) {
		t.Errorf("the kept hash of the same file was not used: %x", got)
	}
	// ...and not once the file differs in size, time or inode.
	for _, other := range []func(*executable){
		func(e *executable) { e.Size++ },
		func(e *executable) { e.MTime++ },
		func(e *executable) { e.Inode++ },
		func(e *executable) { e.Path += ".old" },
	} {
		f := kept.File
		other(&f)
		plant(program{File: f, Hash: planted})
		if got, _ := programHash(out); !bytes.Equal(got, first) {
			t.Errorf("a hash kept for %+v was used for %+v", f, kept.File)
		}
	}
}

// TestReplacedFileRebuilds: a page replaced by another file of the same
// size and time (a checkout, an editor that saves by renaming) is a
// change: the unit is built again.
func TestReplacedFileRebuilds(t *testing.T) {
	dir := example(t)
	p := load(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(p, Options{Out: out, Now: at}); err != nil {
		t.Fatal(err)
	}
	one := p.Units[0]
	page := filepath.Join(one.Dir, "thong-bao", "thay.md")
	edit(t, page, "---\ntitle: \"Bản A (mẫu)\"\ndate: 2026-12-05\n---\nBài mẫu A.\n")
	if res, err := Build(p, Options{Out: out, Now: at}); err != nil || states(res)[one.Slug] != "built" {
		t.Fatalf("after a new page: %v %v", states(res), err)
	}
	fi, err := os.Stat(page)
	if err != nil {
		t.Fatal(err)
	}
	folder, err := os.Stat(filepath.Dir(page))
	if err != nil {
		t.Fatal(err)
	}
	tmp := page + ".tmp"
	if err := os.WriteFile(tmp, []byte("---\ntitle: \"Bản B (mẫu)\"\ndate: 2026-12-05\n---\nBài mẫu B.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, page); err != nil {
		t.Fatal(err)
	}
	// Its folder's time too: only the inode tells the new file.
	if err := os.Chtimes(filepath.Dir(page), folder.ModTime(), folder.ModTime()); err != nil {
		t.Fatal(err)
	}
	res, err := Build(p, Options{Out: out, Now: at})
	if err != nil || states(res)[one.Slug] != "built" {
		t.Fatalf("a page replaced by a file of the same size and time: %v %v", states(res), err)
	}
	if got := read(t, filepath.Join(out, one.Slug, "thong-bao", "thay", "index.html")); !strings.Contains(got, "Bài mẫu B.") {
		t.Error("the replaced page was not built from its new file")
	}
}

// TestTouchedUnitStands: a file saved again with the same bytes (a new
// time, a new inode) leaves the unit's last build standing, once the
// unit's bytes were hashed; a deadline passed still builds it again.
func TestTouchedUnitStands(t *testing.T) {
	dir := example(t)
	p := load(t, dir)
	out := filepath.Join(t.TempDir(), "public")
	if _, err := Build(p, Options{Out: out, Now: at}); err != nil {
		t.Fatal(err)
	}
	var one Unit
	for _, u := range p.Units {
		if u.Slug == "phuong-duong-hao" {
			one = u
		}
	}
	page := filepath.Join(one.Dir, "thong-bao", "cham.md")
	text := "---\ntitle: \"Chạm (mẫu)\"\ndate: 2026-12-05\n---\nBài mẫu.\n"
	edit(t, page, text)
	if res, err := Build(p, Options{Out: out, Now: at}); err != nil || states(res)[one.Slug] != "built" {
		t.Fatalf("after a new page: %v %v", states(res), err)
	}
	// Saved again, unchanged, by renaming a copy over it.
	resave := func() {
		t.Helper()
		tmp := page + ".tmp"
		edit(t, tmp, text)
		if err := os.Rename(tmp, page); err != nil {
			t.Fatal(err)
		}
	}
	resave()
	res, err := Build(p, Options{Out: out, Now: at.Add(time.Minute)})
	if err != nil || states(res)[one.Slug] != "skipped" {
		t.Fatalf("after the page was saved unchanged: %v %v", states(res), err)
	}
	if res, _ := Build(p, Options{Out: out, Now: at.Add(2 * time.Minute)}); states(res)[one.Slug] != "skipped" {
		t.Fatalf("built again with nothing changed: %v", states(res))
	}
	// Its form closes on 2027-01-31: a save then does not hide that.
	resave()
	later := time.Date(2027, 2, 1, 0, 0, 0, 0, vntext.Location)
	if res, _ := Build(p, Options{Out: out, Now: later}); states(res)[one.Slug] != "built" {
		t.Errorf("after its form closed: %v", states(res))
	}
	// A real change of the same size is built.
	edit(t, page, strings.Replace(text, "Bài mẫu.", "Bài mới.", 1))
	if res, _ := Build(p, Options{Out: out, Now: later}); states(res)[one.Slug] != "built" {
		t.Errorf("after a change: %v", states(res))
	}
}
