package images

import (
	"bytes"
	"image"
	"testing"

	xdraw "golang.org/x/image/draw"

	"loa/build/images/imagetest"
)

// resize's kernel in strips must give what one Kernel.Scale gives, up to
// rounding, without Scale's buffer. The pass between is rounded to 8 bits
// (a mean error of a quarter level); the bilinear kernel has no negative
// lobes, so nothing overshoots to be clamped there.
func TestResizeMatchesScale(t *testing.T) {
	src := imagetest.Photo(1000, 750, 7)
	got := resize(src, 640, 480)
	if got == nil {
		t.Fatal("no image")
	}
	want := image.NewRGBA(image.Rect(0, 0, 640, 480))
	kernel.Scale(want, want.Bounds(), src, src.Bounds(), xdraw.Src, nil)
	var worst, total int
	for i := range got.Pix {
		d := int(got.Pix[i]) - int(want.Pix[i])
		d = max(d, -d)
		worst = max(worst, d)
		total += d
	}
	if mean := float64(total) / float64(len(got.Pix)); worst > 2 || mean > 0.3 {
		t.Errorf("strips differ from Scale by up to %d levels (mean %.3f), want ≤ 2 (mean ≤ 0.3)", worst, mean)
	}
}

func BenchmarkResize(b *testing.B) {
	src := imagetest.Photo(2000, 1500, 8)
	b.Run("strips", func(b *testing.B) {
		for b.Loop() {
			resize(src, 1600, 1200)
		}
	})
	b.Run("scale", func(b *testing.B) {
		for b.Loop() {
			dst := image.NewRGBA(image.Rect(0, 0, 1600, 1200))
			kernel.Scale(dst, dst.Bounds(), src, src.Bounds(), xdraw.Src, nil)
		}
	})
}

// Scaling each width from the one before, against from the source each
// time, on a decoded phone photo (4000×3000 YCbCr 4:2:0).
func BenchmarkWidths(b *testing.B) {
	img, _, err := image.Decode(bytes.NewReader(imagetest.JPEG(imagetest.Photo(4000, 3000, 9), 90, nil)))
	if err != nil {
		b.Fatal(err)
	}
	scale := func(src image.Image, w, h int) *image.RGBA {
		for src.Bounds().Dx() >= 2*w && src.Bounds().Dy() >= 2*h {
			src = halve(src)
		}
		return resize(src, w, h)
	}
	b.Run("cascade", func(b *testing.B) {
		for b.Loop() {
			cur := image.Image(img)
			for _, w := range []int{1600, 960, 480} {
				cur = scale(cur, w, w*3/4)
			}
		}
	})
	b.Run("from-source", func(b *testing.B) {
		for b.Loop() {
			for _, w := range []int{1600, 960, 480} {
				scale(img, w, w*3/4)
			}
		}
	})
}
