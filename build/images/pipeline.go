package images

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"slices"
	"sort"
	"sync"

	"github.com/gen2brain/webp"
	xdraw "golang.org/x/image/draw"
)

// targets returns the sizes to make for an upright image whose longer side
// is long pixels, largest first: the configured sizes that do not enlarge
// it, and its own when a configured size would enlarge it and the largest
// that does not is well below it (a 900-pixel photo gets 480 and 900, so
// that a wide screen is not sent only the 480; a 1000-pixel one gets 480
// and 960).
func targets(sizes []int, long int) []int {
	var out []int
	cut, top := false, 0
	for _, s := range sizes {
		if s <= long {
			out = append(out, s)
			top = max(top, s)
		} else {
			cut = true
		}
	}
	if cut && !slices.Contains(out, long) && long*5 > top*6 {
		out = append(out, long)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

// fit returns the size of an upright uw×uh image scaled to fit in a
// square of side s: s wide for a landscape (or square) image, s high for a
// portrait one. A variant's pixels, and so its bytes, then depend on s
// and not on how the phone was held.
func fit(uw, uh, s int) (w, h int) {
	if uw >= uh {
		return s, heightFor(uw, uh, s)
	}
	return heightFor(uh, uw, s), s
}

// heightFor is the height of an upright uw×uh image scaled to width w.
func heightFor(uw, uh, w int) int {
	return max(1, (uh*w+uw/2)/uw)
}

// halve returns src at half its size, scaled with ApproxBiLinear: at
// exactly half size it averages each 2×2 block (a box filter) and, unlike
// the kernels, needs no buffer. An odd size is scaled by a hair more than
// 2: still a box, give or take a fraction of a pixel.
func halve(src image.Image) *image.RGBA {
	b := src.Bounds()
	half := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	xdraw.ApproxBiLinear.Scale(half, half.Bounds(), src, b, xdraw.Src, nil)
	return half
}

// resize returns src at dw×dh: src itself when it is an RGBA of that size,
// a copy as RGBA when only the type differs, or a scaling by kernel.
func resize(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	if b.Dx() != dw || b.Dy() != dh {
		return scale(src, dw, dh)
	}
	if rgba, ok := src.(*image.RGBA); ok {
		return rgba
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	return dst
}

// kernel scales what the halvings leave, by less than 2: the triangle
// (bilinear) filter, stretched over the source pixels each output pixel
// covers. Catmull-Rom, used before, sharpens: it kept the sensor noise
// that the halvings had averaged, which cost 19 % more bytes of JPEG at
// 1600 px on the benchmark's photos and 1 % more of WebP at 960, for
// detail a phone's screen does not show. A box filter (Hugo's default)
// over so small a scale takes about one source pixel per output pixel:
// noisier still, 40–60 % larger.
var kernel = xdraw.BiLinear

// strip is the rows or columns scale works on in one call.
const strip = 64

// scale scales src to dw×dh with kernel, in strips. One Kernel.Scale over
// the whole image would hold a float64 buffer of dw × (source height) × 32
// bytes, 77 MB for a phone photo's 1600 px variant, more than the decoded
// photo; Kernel.Transform needs no buffer but took ten times as long. So
// the two passes that Scale makes are made apart: first each band of rows
// is scaled across (rows do not mix in that pass, so bands join exactly),
// then each band of columns is scaled down (columns do not mix). The
// buffers are then a band's, and the only difference from one Scale is
// the rounding of the pass between to 8 bits.
func scale(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	mid, ok := src.(*image.RGBA)
	if sw != dw || !ok {
		mid = image.NewRGBA(image.Rect(0, 0, dw, sh))
		// A Scaler reuses its buffer for every band of its size (all but
		// the last band).
		across := kernel.NewScaler(dw, strip, sw, strip)
		for y := 0; y < sh; y += strip {
			y1 := min(y+strip, sh)
			across.Scale(mid, image.Rect(0, y, dw, y1),
				src, image.Rect(b.Min.X, b.Min.Y+y, b.Max.X, b.Min.Y+y1), xdraw.Src, nil)
		}
		b = mid.Bounds()
	}
	if sh == dh {
		return mid
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	down := kernel.NewScaler(strip, dh, strip, sh)
	for x := 0; x < dw; x += strip {
		x1 := min(x+strip, dw)
		down.Scale(dst, image.Rect(x, 0, x1, dh),
			mid, image.Rect(b.Min.X+x, b.Min.Y, b.Min.X+x1, b.Max.Y), xdraw.Src, nil)
	}
	return dst
}

// opaque reports whether every pixel of img is opaque, as the image type
// knows it (the decoders' types all do).
func opaque(img image.Image) bool {
	o, ok := img.(interface{ Opaque() bool })
	return ok && o.Opaque()
}

func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality})
	return b.Bytes(), err
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	err := enc.Encode(&b, img)
	return b.Bytes(), err
}

// webpMethod is the WebP encoder's effort, from 0 (fastest) to 6: Hugo's
// default, 2, writes 5 % more bytes than 3 or 4 on the benchmark's photos
// in a third to a half of their time. Its quality is the JPEG's (75, as
// Hugo's); the photo hint that Hugo also sets is not among the settings
// gen2brain/webp passes to libwebp.
const webpMethod = 2

// webpMu lets one WebP encoder run at a time. Each call instantiates
// libwebp afresh, whose memory grows (by copying) to about 45 MB for a
// 1600-pixel portrait: two at once would lift the build's peak memory
// above Hugo's, and the encoder is a fifth of the work on a photo, so the
// other workers rarely wait.
var webpMu sync.Mutex

// encodeWebP encodes img with libwebp (run as WebAssembly): lossy at
// quality for a photo, lossless for an image with transparency, as its PNG
// fallback is. libwebp reads the pixels as not premultiplied, so an image
// with transparent pixels is converted first.
func encodeWebP(img *image.RGBA, quality int, lossless bool) ([]byte, error) {
	webpMu.Lock()
	defer webpMu.Unlock()
	var m image.Image = img
	if !img.Opaque() {
		n := image.NewNRGBA(img.Bounds())
		draw.Draw(n, n.Bounds(), img, img.Bounds().Min, draw.Src)
		m = n
	}
	var b bytes.Buffer
	err := webp.Encode(&b, m, webp.Options{Quality: quality, Method: webpMethod, Lossless: lossless})
	return b.Bytes(), err
}
