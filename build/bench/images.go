package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"loa/build/builder"
	"loa/build/images"
	"loa/build/images/imagetest"
)

// benchImages processes the same phone-sized photos with Loa's image
// pipeline and with Hugo's, cold (empty caches) and warm, and compares
// wall time, peak memory, the bytes written and the bytes that a phone and
// a laptop download for a page that shows every photo. Both pages draw
// them with the same sizes attribute (the builder's) and a WebP <source>,
// so that they differ only in what the pipelines made. Each side runs as a child
// process: Loa's is this program run again with -role loa. The photos are
// made by a child too, so that this process stays small: Linux carries a
// parent's peak memory into the Maxrss of a child it starts.
func benchImages(args []string) error {
	fl := flag.NewFlagSet("images", flag.ContinueOnError)
	n := fl.Int("n", 12, "photos")
	width := fl.Int("width", 4000, "photo width")
	height := fl.Int("height", 3000, "photo height")
	warmRuns := fl.Int("warm", 3, "warm builds per tool; the median is reported")
	hugo := fl.String("hugo", "hugo", "the Hugo binary")
	keep := fl.Bool("keep", false, "keep the photos and outputs")
	role := fl.String("role", "", "internal: gen or loa, the child's part")
	dir := fl.String("dir", "", "internal: the bench folder")
	if err := fl.Parse(args); err != nil {
		return err
	}
	switch *role {
	case "gen":
		return genPhotos(filepath.Join(*dir, "hugo", "assets", "photos"), *n, *width, *height)
	case "loa":
		return loaImages(*dir)
	case "":
	default:
		return fmt.Errorf("-role %q: expected gen or loa", *role)
	}

	hugoPath, err := exec.LookPath(*hugo)
	if err != nil {
		return fmt.Errorf("hugo is missing (Debian: apt-get install hugo): %w", err)
	}
	hv, _ := exec.Command(hugoPath, "version").Output()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	d, err := os.MkdirTemp("", "loa-bench-images-")
	if err != nil {
		return err
	}
	if *keep {
		fmt.Println("photos and outputs kept in", d)
	} else {
		defer os.RemoveAll(d)
	}
	hugoOut, hugoRes := filepath.Join(d, "hugo-public"), filepath.Join(d, "hugo-resources")
	if err := writeHugoSite(filepath.Join(d, "hugo"), hugoRes); err != nil {
		return err
	}
	start := time.Now()
	gen := exec.Command(self, "images", "-role", "gen", "-dir", d, "-n", fmt.Sprint(*n),
		"-width", fmt.Sprint(*width), "-height", fmt.Sprint(*height))
	gen.Stderr = os.Stderr
	if err := gen.Run(); err != nil {
		return fmt.Errorf("making the photos: %w", err)
	}
	photos, _ := filepath.Glob(filepath.Join(d, "hugo", "assets", "photos", "*.jpg"))
	var srcBytes int64
	for _, p := range photos {
		if fi, err := os.Stat(p); err == nil {
			srcBytes += fi.Size()
		}
	}
	fmt.Printf("images: Loa vs %s", hv)
	fmt.Printf("%d CPUs, %d photos of %d×%d (%.1f MB of JPEG, made in %.1f s), widths 480, 960, 1600\n",
		numCPU(), len(photos), *width, *height, float64(srcBytes)/1e6, time.Since(start).Seconds())
	fmt.Println("Loa: JPEG q75 and a lossy WebP (q75, method 2) where smaller, each fitting in a square of the width;")
	fmt.Println("Hugo: .Resize \"Wx\" and \"Wx webp\" (its defaults: box filter, q75, photo hint; it ignores the EXIF Orientation)")
	fmt.Println()

	loaOut, loaCache := filepath.Join(d, "loa-out"), filepath.Join(d, "loa-cache")
	loaCmd := func() *exec.Cmd { return exec.Command(self, "images", "-role", "loa", "-dir", d) }
	hugoCmd := func() *exec.Cmd {
		cmd := exec.Command(hugoPath, "--quiet", "--noBuildLock", "--source", filepath.Join(d, "hugo"),
			"--destination", hugoOut)
		cmd.Env = append(os.Environ(), "HUGO_CACHEDIR="+filepath.Join(d, "hugo-cache"))
		return cmd
	}
	loaCold, loaWarm, loaBytes, err := coldWarm("loa", *warmRuns, loaOut, loaCmd, loaCache)
	if err != nil {
		return err
	}
	hugoCold, hugoWarm, hugoBytes, err := coldWarm("hugo", *warmRuns, hugoOut, hugoCmd, hugoRes, filepath.Join(d, "hugo-cache"))
	if err != nil {
		return err
	}

	fmt.Printf("%-5s  %-5s  %9s  %10s  %s\n", "cache", "tool", "wall", "peak RSS", "written")
	row := func(cache, tool string, m measurement, b map[string]written) {
		fmt.Printf("%-5s  %-5s  %8.2fs  %7.1f MB  %s\n", cache, tool, m.wall.Seconds(), m.rssMB(), formatBytes(b))
	}
	row("cold", "loa", loaCold, loaBytes)
	row("cold", "hugo", hugoCold, hugoBytes)
	row("warm", "loa", loaWarm, nil)
	row("warm", "hugo", hugoWarm, nil)
	fmt.Println()

	fmt.Printf("%-20s  %18s  %18s  %8s  %s\n", "the page downloads", "loa", "hugo", "loa/hugo", "loa's files | hugo's")
	var phone float64
	for _, sc := range screens {
		lb, lw, err := downloads(loaOut, sc)
		if err != nil {
			return fmt.Errorf("loa's page: %w", err)
		}
		hb, hw, err := downloads(hugoOut, sc)
		if err != nil {
			return fmt.Errorf("hugo's page: %w", err)
		}
		r := float64(lb.bytes) / float64(hb.bytes)
		if sc == screens[0] {
			phone = r
		}
		fmt.Printf("%-20s  %6.0f kB (%4.1f MP)  %6.0f kB (%4.1f MP)  %7.2f×  %s | %s\n", sc.name,
			float64(lb.bytes)/1e3, float64(lb.pixels)/1e6, float64(hb.bytes)/1e3, float64(hb.pixels)/1e6, r, lw, hw)
	}
	fmt.Println()
	lj, hj := loaBytes["jpg"], hugoBytes["jpg"]
	jpegR := lj.perPixel() / hj.perPixel()
	fmt.Printf("JPEG q75: Loa writes %.3f bytes a pixel, Hugo %.3f: %.2f× (target ≤ 1: %s); all widths: %.2f× Hugo's bytes for %.2f× its pixels\n",
		lj.perPixel(), hj.perPixel(), jpegR, verdict(jpegR <= 1), float64(lj.bytes)/float64(hj.bytes), float64(lj.pixels)/float64(hj.pixels))
	fmt.Printf("phone (%s): Loa's page downloads %.2f× Hugo's bytes (target ≤ 1: %s)\n", screens[0].name, phone, verdict(phone <= 1))
	coldT, coldM := loaCold.wall.Seconds()/hugoCold.wall.Seconds(), loaCold.rssMB()/hugoCold.rssMB()
	warmT, warmM := loaWarm.wall.Seconds()/hugoCold.wall.Seconds(), loaWarm.rssMB()/hugoWarm.rssMB()
	fmt.Printf("cold: Loa takes %.2f× Hugo's time (target ≤ 1: %s) and %.2f× its peak memory (target ≤ 1: %s)\n",
		coldT, verdict(coldT <= 1), coldM, verdict(coldM <= 1))
	fmt.Printf("warm: Loa takes %.3f× Hugo's cold time (target ≤ 0.1: %s), %.2f× Hugo's warm time, %.2f× Hugo's warm peak memory\n",
		warmT, verdict(warmT <= 0.1), loaWarm.wall.Seconds()/hugoWarm.wall.Seconds(), warmM)
	fmt.Printf("load average: %s\n", loadAverage())
	return nil
}

// coldWarm measures one build with the caches emptied, then the median of
// warm builds with the caches kept, each into a fresh out, and returns the
// bytes the cold build wrote.
func coldWarm(tool string, warmRuns int, out string, mk func() *exec.Cmd, caches ...string) (cold, warm measurement, written map[string]written, err error) {
	for _, c := range caches {
		if err = os.RemoveAll(c); err != nil {
			return
		}
	}
	if cold, err = measure(1, out, mk); err != nil {
		err = fmt.Errorf("%s, cold: %w", tool, err)
		return
	}
	written = bytesByExt(out)
	if warm, err = measure(warmRuns, out, mk); err != nil {
		err = fmt.Errorf("%s, warm: %w", tool, err)
	}
	return
}

// writeHugoSite writes a one-page Hugo site whose home page resizes every
// photo in assets/photos to the three widths, as JPEG and as WebP, draws
// each as Loa's pages do (a <picture> with the builder's sizes), and keeps
// its processed images in resources.
func writeHugoSite(dir, resources string) error {
	files := map[string]string{
		"config.toml": fmt.Sprintf(`baseURL = "/"
resourceDir = %q
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "section", "404", "robotsTXT"]
`, resources),
		"layouts/index.html": `<!doctype html><title>photos</title>
{{ range resources.Match "photos/*.jpg" }}
{{ $w480 := .Resize "480x webp" }}{{ $w960 := .Resize "960x webp" }}{{ $w1600 := .Resize "1600x webp" }}
{{ $j480 := .Resize "480x" }}{{ $j960 := .Resize "960x" }}{{ $j1600 := .Resize "1600x" }}
<picture>
<source type="image/webp" srcset="{{ $w480.RelPermalink }} 480w, {{ $w960.RelPermalink }} 960w, {{ $w1600.RelPermalink }} 1600w" sizes="` + builder.Sizes + `">
<img src="{{ $j1600.RelPermalink }}" srcset="{{ $j480.RelPermalink }} 480w, {{ $j960.RelPermalink }} 960w, {{ $j1600.RelPermalink }} 1600w" sizes="` + builder.Sizes + `" alt="">
</picture>
{{ end }}
`,
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// genPhotos writes n photos as a phone would: JPEG at quality 95 with
// EXIF, every third one stored sideways (Orientation 6).
func genPhotos(dir string, n, w, h int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	sem := make(chan struct{}, 2)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			o := 1
			if i%3 == 2 {
				o = 6
			}
			data := imagetest.JPEG(imagetest.Photo(w, h, uint64(i+1)), 95, imagetest.EXIF(o))
			errs[i] = os.WriteFile(filepath.Join(dir, fmt.Sprintf("anh-%02d.jpg", i+1)), data, 0o644)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// loaImages is Loa's side: what the builder will do with a page's photos,
// and the page that shows them, drawn as the builder draws it.
func loaImages(dir string) error {
	photos, err := filepath.Glob(filepath.Join(dir, "hugo", "assets", "photos", "*.jpg"))
	if err != nil || len(photos) == 0 {
		return fmt.Errorf("%s: no photos", dir)
	}
	p, err := images.New(images.Options{CacheDir: filepath.Join(dir, "loa-cache")})
	if err != nil {
		return err
	}
	results, err := p.ProcessAll(photos)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "loa-out")
	var page strings.Builder
	page.WriteString("<!doctype html><title>photos</title>\n")
	for i, r := range results {
		if err := r.Publish(out); err != nil {
			return err
		}
		page.WriteString(builder.PictureHTML("/", r, "", i == 0) + "\n")
	}
	return os.WriteFile(filepath.Join(out, "index.html"), []byte(page.String()), 0o644)
}

// written is what a tool wrote in one format.
type written struct {
	bytes, pixels int64
}

func (w written) perPixel() float64 { return float64(w.bytes) / float64(w.pixels) }

// bytesByExt sums the sizes and pixels of the image files under dir by
// extension.
func bytesByExt(dir string) map[string]written {
	out := map[string]written{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		ext := strings.TrimPrefix(filepath.Ext(path), ".")
		if ext == "jpg" || ext == "jpeg" || ext == "webp" || ext == "png" {
			if w, err := imageFile(path); err == nil {
				sum := out[ext]
				sum.bytes += w.bytes
				sum.pixels += w.pixels
				out[ext] = sum
			}
		}
		return nil
	})
	return out
}

func formatBytes(b map[string]written) string {
	var parts []string
	for ext, w := range b {
		parts = append(parts, fmt.Sprintf("%s %.1f MB (%.1f MP)", ext, float64(w.bytes)/1e6, float64(w.pixels)/1e6))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
