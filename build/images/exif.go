package images

import (
	"image"
)

// transposed reports whether orientation o swaps width and height.
func transposed(o int) bool { return o >= 5 && o <= 8 }

// orient returns src turned upright for EXIF orientation o: a new image
// for 2–8, src itself for 1. Each output pixel is copied from the stored
// pixel that the orientation maps onto it.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := sw, sh
	if transposed(o) {
		dw, dh = sh, sw
	}
	// from maps an upright pixel to the stored one.
	var from func(x, y int) (int, int)
	switch o {
	case 2: // mirrored left–right
		from = func(x, y int) (int, int) { return sw - 1 - x, y }
	case 3: // turned 180°
		from = func(x, y int) (int, int) { return sw - 1 - x, sh - 1 - y }
	case 4: // mirrored top–bottom
		from = func(x, y int) (int, int) { return x, sh - 1 - y }
	case 5: // mirrored along the main diagonal
		from = func(x, y int) (int, int) { return y, x }
	case 6: // stored turned 90° counter-clockwise: turn it clockwise
		from = func(x, y int) (int, int) { return y, sh - 1 - x }
	case 7: // mirrored along the other diagonal
		from = func(x, y int) (int, int) { return sw - 1 - y, sh - 1 - x }
	case 8: // stored turned 90° clockwise: turn it counter-clockwise
		from = func(x, y int) (int, int) { return sw - 1 - y, x }
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	min := src.Bounds().Min
	for y := 0; y < dh; y++ {
		d := dst.Pix[y*dst.Stride:]
		for x := 0; x < dw; x++ {
			sx, sy := from(x, y)
			s := src.PixOffset(min.X+sx, min.Y+sy)
			copy(d[4*x:4*x+4], src.Pix[s:s+4])
		}
	}
	return dst
}
