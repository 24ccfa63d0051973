// Package images turns the photos and pictures of a page into the files a
// phone on mobile data should download: upright, stripped of every piece
// of metadata, at a few widths, each named by a hash of its content.
//
// The model:
//
//   - A Processor is made once per build with New(Options) and shared by
//     every goroutine of the build. Process(path) reads one source (JPEG,
//     PNG or WebP) and returns a Result: its upright size and its Variants,
//     one per width and format.
//   - Each variant fits in a square of one of Options.Widths: a landscape
//     photo is that wide, a portrait one that high, so that a photo taken
//     upright costs a phone the bytes of one taken sideways. Variants never
//     enlarge: a size above the source's is dropped, and a source smaller
//     than every size gets one variant at its own size.
//   - Each size gets a fallback every browser shows, JPEG (or PNG when the
//     image has transparency), and a WebP where the WebP is smaller: lossy
//     beside a JPEG (a third to a half of its bytes on a photo), lossless
//     beside a PNG. The WebP encoder is libwebp compiled to WebAssembly
//     (github.com/gen2brain/webp, run by wazero: no cgo). Build with
//     -tags nodynamic, as the Makefile does: without it the package would
//     use a system libwebp where one is installed, whose bytes differ from
//     machine to machine; New refuses to run on one.
//   - The pixels are decoded, turned upright by the EXIF Orientation (the
//     only tag read), scaled and encoded afresh: nothing of the source's
//     EXIF, GPS position, XMP or ICC profile reaches an output.
//   - Results are cached on disk under Options.CacheDir, keyed by a hash of
//     the source's bytes and of the settings. A warm build reads and hashes
//     each source and links its variants into the output: no decode.
//     Every cache file is written to a temporary name and renamed, and an
//     entry's manifest is written last, so a killed build leaves nothing a
//     later build would trust.
//   - Memory is bounded by a budget of source pixels in flight (read from
//     the header before decoding) and by one WebP encoder at a time (each
//     is a WebAssembly instance of its own, tens of megabytes), and CPU by
//     one decode per core.
//
// A builder calls Process for each image a page uses, Publish to put the
// variants in the output folder, and Srcset and Fallback to write the
// <picture> element.
package images

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	_ "image/jpeg" // decoders, registered for image.Decode
	_ "image/png"

	xwebp "golang.org/x/image/webp"
	"golang.org/x/sync/errgroup"

	"loa/functions/upload"
)

// WebPMode says when a WebP variant is written beside the fallback.
type WebPMode int

const (
	// WebPIfSmaller writes a WebP only where it is smaller than the
	// fallback of the same width. The smallest width is tried first; if
	// the WebP loses there, no other width is tried.
	WebPIfSmaller WebPMode = iota
	// WebPAlways writes a WebP at every width.
	WebPAlways
	// WebPNever writes none.
	WebPNever
)

// Options configure a Processor. The zero value of each field means its
// default.
type Options struct {
	// Widths of the variants, in pixels (default 480, 960, 1600): a
	// landscape variant's width, a portrait one's height.
	Widths []int
	// Quality of the JPEG and lossy WebP encoders, 1–100 (default 75, as
	// Hugo's).
	Quality int
	// CacheDir holds processed images between builds (required; keep it
	// out of version control, e.g. .cache/images).
	CacheDir string
	// MaxPixels refuses a larger source before decoding it (default 50
	// megapixels).
	MaxPixels int
	// MaxBytes refuses a larger source file before reading it (default
	// 100 MB: a phone photo is a few megabytes, a large PNG tens).
	MaxBytes int64
	// PixelBudget bounds the source pixels being decoded and scaled at
	// once (default 40 megapixels: three 12-megapixel photos). A phone
	// photo costs about 5 bytes per source pixel while it is worked on.
	PixelBudget int
	// Workers is the most images worked on at once (default the number
	// of CPUs).
	Workers int
	// WebP says when to write WebP variants (default WebPIfSmaller).
	WebP WebPMode
	// Stem gives the first part of the variants' names from the source's
	// path (default: its file name without the extension). A builder
	// passes the function that makes its URLs.
	Stem func(srcPath string) string
}

// Formats of a Variant.
const (
	JPEG = "jpeg"
	PNG  = "png"
	WebP = "webp"
)

// Result is what Process made of one source.
type Result struct {
	// Width and Height of the largest variant, upright.
	Width, Height int
	// Variants, by format (fallback first) and then by width, smallest
	// first.
	Variants []Variant
	// Fallback is the file name of the largest JPEG or PNG variant, for
	// an <img src>.
	Fallback string
}

// Variant is one encoded file.
type Variant struct {
	Width, Height int
	Format        string // JPEG, PNG or WebP
	// Name is the file name to publish under: the source's name, a hash
	// of the variant's bytes, the width and the extension
	// ("anh-hop.3f2a9c1d0b.480.webp").
	Name string
	// Path of the file in the cache.
	Path string
	Size int64
}

// Srcset returns the srcset attribute for the variants of format, each URL
// being urlPrefix followed by the variant's name; "" when there are none.
func (r *Result) Srcset(format, urlPrefix string) string {
	var parts []string
	for _, v := range r.Variants {
		if v.Format == format {
			parts = append(parts, urlPrefix+v.Name+" "+strconv.Itoa(v.Width)+"w")
		}
	}
	return strings.Join(parts, ", ")
}

// Processor makes and caches variants. It is safe for concurrent use.
type Processor struct {
	opts     Options
	settings string // what the cache key depends on besides the source
	pixels   *budget
	cpu      chan struct{}

	mu       sync.Mutex
	inFlight map[string]*call // by cache key: one decode per source at once

	decodes atomic.Int64 // sources decoded, for tests
}

type call struct {
	done chan struct{}
	res  *Result
	err  error
}

// encoderVersion changes whenever a change here or in an encoder changes
// the bytes written: it is part of every cache key, with the encoders'
// settings. TestEncoderVersion checks that it names the WebP module's
// version in go.mod.
const encoderVersion = "loa-images-2 " + webpModule + " wasm x-image-draw-bilinear fit-square"

// webpModule is the WebP encoder's module and version.
const webpModule = "github.com/gen2brain/webp@v0.5.5"

// New returns a Processor for opts, or an error naming the option that is
// wrong.
func New(opts Options) (*Processor, error) {
	if opts.CacheDir == "" {
		return nil, errors.New("images: Options.CacheDir is empty, expected a folder for processed images")
	}
	if len(opts.Widths) == 0 {
		opts.Widths = []int{480, 960, 1600}
	}
	ws := append([]int(nil), opts.Widths...)
	sort.Ints(ws)
	opts.Widths = ws[:0]
	for _, w := range ws {
		if w <= 0 {
			return nil, fmt.Errorf("images: width %d is not a positive number of pixels", w)
		}
		if len(opts.Widths) == 0 || opts.Widths[len(opts.Widths)-1] != w {
			opts.Widths = append(opts.Widths, w)
		}
	}
	if opts.Quality == 0 {
		opts.Quality = 75
	}
	if opts.Quality < 1 || opts.Quality > 100 {
		return nil, fmt.Errorf("images: quality %d is out of range, expected 1–100", opts.Quality)
	}
	if opts.MaxPixels == 0 {
		opts.MaxPixels = DefaultMaxPixels
	}
	if opts.MaxBytes == 0 {
		opts.MaxBytes = 100 << 20
	}
	if opts.PixelBudget == 0 {
		opts.PixelBudget = 40_000_000
	}
	if opts.Workers == 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Stem == nil {
		opts.Stem = stemOf
	}
	if opts.WebP < WebPIfSmaller || opts.WebP > WebPNever {
		return nil, fmt.Errorf("images: WebP mode %d is unknown", opts.WebP)
	}
	if err := webpWASM(); err != nil {
		return nil, err
	}
	p := &Processor{
		opts:     opts,
		pixels:   newBudget(int64(opts.PixelBudget)),
		cpu:      make(chan struct{}, opts.Workers),
		inFlight: map[string]*call{},
	}
	p.settings = fmt.Sprintf("%s widths=%v quality=%d webp=%d webp-method=%d",
		encoderVersion, opts.Widths, opts.Quality, opts.WebP, webpMethod)
	return p, nil
}

// Process returns the variants of the image at srcPath, from the cache
// when the same bytes were processed with the same settings before. Its
// errors name srcPath and say what was expected.
func (p *Processor) Process(srcPath string) (*Result, error) {
	return p.ProcessFile(os.DirFS(filepath.Dir(srcPath)), filepath.Base(srcPath), srcPath)
}

// ProcessFile is Process for the file name of fsys, which shown names in
// errors. The file's size and then its header (image.DecodeConfig: the
// format and the size in pixels) are checked before it is read whole, so
// that a file too large, or no image this package reads, costs no more
// than its first bytes.
func (p *Processor) ProcessFile(fsys fs.FS, name, shown string) (*Result, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	if fi.Size() > p.opts.MaxBytes {
		return nil, fmt.Errorf("%s: ảnh nặng %s, quá giới hạn %s của một ảnh: hãy giảm kích thước ảnh (ví dụ chụp lại hoặc xuất ảnh rộng 2.000 điểm ảnh) rồi dựng lại",
			shown, megabytes(fi.Size()), megabytes(p.opts.MaxBytes))
	}
	if fi.Size() == 0 {
		return nil, fmt.Errorf("%s: empty file, expected a JPEG, PNG or WebP image", shown)
	}
	var head bytes.Buffer
	if err := p.checkHeader(io.TeeReader(f, &head)); err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	// Read into a buffer of the file's size (and room to see that it
	// grew): io.ReadAll would grow one by doubling, copying a phone photo
	// a dozen times, which a warm build (that only hashes it) pays for.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(io.MultiReader(&head, f), p.opts.MaxBytes+1)); err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	data := buf.Bytes()
	if int64(len(data)) > p.opts.MaxBytes {
		return nil, fmt.Errorf("%s: ảnh lớn hơn giới hạn %s khi đọc (tệp đang bị ghi thêm?)", shown, megabytes(p.opts.MaxBytes))
	}
	return p.ProcessData(shown, data)
}

// megabytes writes n bytes for people, rounded up: "1024 MB".
func megabytes(n int64) string {
	return strconv.FormatInt((n+1<<20-1)>>20, 10) + " MB"
}

// ProcessData is Process for a source already read, e.g. from an fs.FS;
// srcPath names it in errors and gives the variants' stem.
func (p *Processor) ProcessData(srcPath string, data []byte) (*Result, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%s: empty file, expected a JPEG, PNG or WebP image", srcPath)
	}
	sum := sha256.New()
	sum.Write([]byte(p.settings))
	sum.Write([]byte{0})
	sum.Write(data)
	key := hex.EncodeToString(sum.Sum(nil))[:32]
	stem := p.opts.Stem(srcPath)

	// One decode per source at once: a second caller waits for the first.
	p.mu.Lock()
	if c, ok := p.inFlight[key]; ok {
		p.mu.Unlock()
		<-c.done
		if c.err != nil {
			return nil, fmt.Errorf("%s: %w", srcPath, c.err)
		}
		return c.res.named(stem), nil
	}
	c := &call{done: make(chan struct{})}
	p.inFlight[key] = c
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.inFlight, key)
		p.mu.Unlock()
		close(c.done)
	}()

	e := p.entry(key)
	if res, ok := e.load(); ok {
		c.res = res
		return res.named(stem), nil
	}
	c.res, c.err = p.make(data, e)
	if c.err != nil {
		return nil, fmt.Errorf("%s: %w", srcPath, c.err)
	}
	return c.res.named(stem), nil
}

// ProcessAll processes paths on Options.Workers goroutines and returns
// their results in the same order, or the errors of those that failed,
// joined.
func (p *Processor) ProcessAll(paths []string) ([]*Result, error) {
	results := make([]*Result, len(paths))
	errs := make([]error, len(paths))
	var g errgroup.Group
	g.SetLimit(p.opts.Workers)
	for i := range paths {
		g.Go(func() error {
			results[i], errs[i] = p.Process(paths[i])
			return nil
		})
	}
	g.Wait()
	return results, errors.Join(errs...)
}

// Publish puts r's variants in dir under their names: hard links to the
// cache where the file system allows it, otherwise copies written to a
// temporary name and renamed. A file already there is left alone: its
// name is its content.
func (r *Result) Publish(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, v := range r.Variants {
		dst := filepath.Join(dir, v.Name)
		if fi, err := os.Stat(dst); err == nil && fi.Size() == v.Size {
			continue
		}
		os.Remove(dst)
		if os.Link(v.Path, dst) == nil {
			continue
		}
		data, err := os.ReadFile(v.Path)
		if err != nil {
			return err
		}
		if err := writeAtomic(dst, data); err != nil {
			return err
		}
	}
	return nil
}

// checkHeader reads an image's header from r: its format and its size in
// pixels, refused when this package cannot read it or it is too large.
func (p *Processor) checkHeader(r io.Reader) error {
	_, _, err := p.header(r)
	return err
}

func (p *Processor) header(r io.Reader) (image.Config, string, error) {
	cfg, format, err := decodeConfig(r)
	if err != nil {
		return cfg, "", fmt.Errorf("not an image this builder reads (%v), expected a JPEG, PNG or WebP file", err)
	}
	if format != "jpeg" && format != "png" && format != "webp" {
		return cfg, "", fmt.Errorf("a %s image, expected a JPEG, PNG or WebP file", strings.ToUpper(format))
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return cfg, "", fmt.Errorf("%d×%d pixels: the image is empty, expected at least 1×1", cfg.Width, cfg.Height)
	}
	if n := cfg.Width * cfg.Height; n > p.opts.MaxPixels || cfg.Width > 1<<15 || cfg.Height > 1<<15 {
		return cfg, "", fmt.Errorf("%d×%d pixels (%.1f megapixels) is over the limit of %.1f megapixels: scale it down before adding it",
			cfg.Width, cfg.Height, float64(n)/1e6, float64(p.opts.MaxPixels)/1e6)
	}
	return cfg, format, nil
}

// make decodes data, then writes its variants and manifest into e.
func (p *Processor) make(data []byte, e entry) (*Result, error) {
	cfg, format, err := p.header(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}

	p.cpu <- struct{}{}
	defer func() { <-p.cpu }()
	taken := p.pixels.acquire(int64(cfg.Width) * int64(cfg.Height))
	defer p.pixels.release(taken)

	p.decodes.Add(1)
	src, err := decode(data, format)
	if err != nil {
		return nil, fmt.Errorf("cannot decode the %s image (%v): the file is damaged or cut short, expected a whole %s file",
			strings.ToUpper(format), err, strings.ToUpper(format))
	}
	o := 1
	if format == "jpeg" {
		o = upload.Orientation(data)
	}
	return p.render(src, o, e)
}

// render scales src (as stored, to be turned by orientation o) to each
// size, largest first and each from the one before (halvings, then the
// bilinear kernel for the rest), encodes the variants and stores them in e.
func (p *Processor) render(src image.Image, o int, e entry) (*Result, error) {
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	uw, uh := sw, sh
	if transposed(o) {
		uw, uh = sh, sw
	}
	fallback, fallbackExt := JPEG, "jpg"
	if !opaque(src) {
		fallback, fallbackExt = PNG, "png"
	}
	// The upright size of each variant; a very narrow image can round two
	// sizes to one width, made once.
	var ws []image.Point
	for _, s := range targets(p.opts.Widths, max(uw, uh)) {
		w, h := fit(uw, uh, s)
		if len(ws) == 0 || ws[len(ws)-1].X != w {
			ws = append(ws, image.Pt(w, h))
		}
	}
	upright := make([]*image.RGBA, len(ws))
	// Only cur holds the pixels worked on, so that each step lets the
	// one before it go: the decoded source after its first halving.
	cur, src := src, nil
	for i, u := range ws {
		dw, dh := u.X, u.Y
		if transposed(o) {
			dw, dh = dh, dw
		}
		for cur.Bounds().Dx() >= 2*dw && cur.Bounds().Dy() >= 2*dh {
			cur = halve(cur)
		}
		scaled := resize(cur, dw, dh)
		cur = scaled
		upright[i] = orient(scaled, o)
	}
	cur = nil

	var vs []manifestVariant
	webp := p.opts.WebP != WebPNever
	// Smallest first, so that WebPIfSmaller decides on the cheapest try.
	for i := len(ws) - 1; i >= 0; i-- {
		img := upright[i]
		var fb []byte
		var err error
		if fallback == JPEG {
			fb, err = encodeJPEG(img, p.opts.Quality)
		} else {
			fb, err = encodePNG(img)
		}
		if err != nil {
			return nil, fmt.Errorf("encoding %s at %d px: %v", fallback, ws[i].X, err)
		}
		v, err := e.put(ws[i].X, ws[i].Y, fallback, fallbackExt, fb)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
		if !webp {
			continue
		}
		wp, err := encodeWebP(img, p.opts.Quality, fallback == PNG)
		if err != nil {
			return nil, fmt.Errorf("encoding WebP at %d px: %v", ws[i].X, err)
		}
		if p.opts.WebP == WebPIfSmaller && len(wp) >= len(fb) {
			if i == len(ws)-1 {
				webp = false // lost on the smallest: do not try the rest
			}
			continue
		}
		v, err = e.put(ws[i].X, ws[i].Y, WebP, "webp", wp)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	m := manifest{Width: ws[0].X, Height: ws[0].Y, Variants: vs}
	if err := e.commit(m); err != nil {
		return nil, err
	}
	return e.result(m), nil
}

// decodeConfig reads the size and format of the image that r starts
// with. A WebP source is read by golang.org/x/image/webp, not through
// image.Decode: the WebP encoder's package registers a decoder of its own
// (libwebp in WebAssembly, a new instance per call) that image.Decode
// would pick.
func decodeConfig(r io.Reader) (image.Config, string, error) {
	var magic [15]byte
	n, _ := io.ReadFull(r, magic[:])
	r = io.MultiReader(bytes.NewReader(magic[:n]), r)
	if isWebP(magic[:n]) {
		cfg, err := xwebp.DecodeConfig(r)
		return cfg, "webp", err
	}
	return image.DecodeConfig(r)
}

// decode decodes data, of format as decodeConfig named it.
func decode(data []byte, format string) (image.Image, error) {
	if format == "webp" {
		return xwebp.Decode(bytes.NewReader(data))
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	return img, err
}

// isWebP reports whether data starts as a WebP file does.
func isWebP(data []byte) bool {
	return len(data) >= 15 && string(data[:4]) == "RIFF" && string(data[8:15]) == "WEBPVP8"
}

// stemOf is the first part of a variant's name: the source's file name
// without its extension.
func stemOf(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
