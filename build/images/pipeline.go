package images

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"slices"
	"sort"

	"github.com/HugoSmits86/nativewebp"
	xdraw "golang.org/x/image/draw"
)

// targets returns the widths to make for an upright image uw pixels wide,
// largest first: the configured widths that do not enlarge it, and its own
// width when a configured width would enlarge it and the largest that
// does not is well below it (a 900-pixel photo gets 480 and 900, so that a
// wide screen is not sent only the 480; a 1000-pixel one gets 480 and 960).
func targets(widths []int, uw int) []int {
	var out []int
	cut, top := false, 0
	for _, w := range widths {
		if w <= uw {
			out = append(out, w)
			top = max(top, w)
		} else {
			cut = true
		}
	}
	if cut && !slices.Contains(out, uw) && uw*5 > top*6 {
		out = append(out, uw)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
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
// a copy as RGBA when only the type differs, or a Catmull-Rom scaling.
func resize(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	if b.Dx() != dw || b.Dy() != dh {
		return catmullRom(src, dw, dh)
	}
	if rgba, ok := src.(*image.RGBA); ok {
		return rgba
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	return dst
}

// strip is the rows or columns catmullRom scales in one call.
const strip = 64

// catmullRom scales src to dw×dh with x/image/draw's Catmull-Rom kernel,
// in strips. One Kernel.Scale over the whole image would hold a float64
// buffer of dw × (source height) × 32 bytes, 77 MB for a phone photo's
// 1600 px variant, more than the decoded photo; Kernel.Transform needs no
// buffer but took ten times as long. So the two passes that Scale makes
// are made apart: first each band of rows is scaled across (rows do not
// mix in that pass, so bands join exactly), then each band of columns is
// scaled down (columns do not mix). The buffers are then a band's, and
// the only difference from one Scale is the rounding of the pass between
// to 8 bits.
func catmullRom(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	mid, ok := src.(*image.RGBA)
	if sw != dw || !ok {
		mid = image.NewRGBA(image.Rect(0, 0, dw, sh))
		// A Scaler reuses its buffer for every band of its size (all but
		// the last band).
		across := xdraw.CatmullRom.NewScaler(dw, strip, sw, strip)
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
	down := xdraw.CatmullRom.NewScaler(strip, dh, strip, sh)
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

func encodeWebP(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := nativewebp.Encode(&b, img, nil)
	return b.Bytes(), err
}
