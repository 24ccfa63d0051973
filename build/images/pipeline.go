package images

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"sort"

	"github.com/HugoSmits86/nativewebp"
	xdraw "golang.org/x/image/draw"
)

// targets returns the widths to make for an upright image uw pixels wide,
// largest first: the configured widths that do not enlarge it, and its own
// width when it is narrower than all of them.
func targets(widths []int, uw int) []int {
	var out []int
	for _, w := range widths {
		if w <= uw {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = append(out, uw)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out
}

// heightFor is the height of an upright uw×uh image scaled to width w.
func heightFor(uw, uh, w int) int {
	return max(1, (uh*w+uw/2)/uw)
}

// reduce scales src to dw×dh. Halvings come first, with ApproxBiLinear:
// at exactly half size it averages each 2×2 block (a box filter) and needs
// no buffer. The rest, less than a halving, is Catmull-Rom, whose scaler
// holds a float64 buffer of dw × (source height) × 4: shrinking first
// keeps that buffer a quarter of what it would be on a phone photo.
func reduce(src image.Image, dw, dh int) *image.RGBA {
	for {
		b := src.Bounds()
		if b.Dx() == dw && b.Dy() == dh {
			if rgba, ok := src.(*image.RGBA); ok {
				return rgba
			}
			dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
			draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
			return dst
		}
		if b.Dx() >= 2*dw && b.Dy() >= 2*dh {
			half := image.NewRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
			// Scaling an odd size by a hair more than 2 is still a box,
			// give or take a fraction of a pixel.
			xdraw.ApproxBiLinear.Scale(half, half.Bounds(), src, b, xdraw.Src, nil)
			src = half
			continue
		}
		dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
		return dst
	}
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
