package main

import (
	"testing"

	"loa/build/builder"
)

func TestEvalSizes(t *testing.T) {
	for _, tc := range []struct {
		sizes string
		vw    float64
		want  float64
	}{
		{builder.Sizes, 390, 358},
		{builder.Sizes, 1280, 704},
		{builder.Sizes, 736, 704}, // 46rem
		{builder.Sizes, 735, 703},
		{"", 390, 390},
		{"8rem", 390, 128},
		{"(max-width: 600px) 100vw, 50vw", 1000, 500},
	} {
		got, err := evalSizes(tc.sizes, tc.vw)
		if err != nil || got != tc.want {
			t.Errorf("evalSizes(%q, %v) = %v, %v; want %v", tc.sizes, tc.vw, got, err, tc.want)
		}
	}
}

// Chromium's choice, worked by hand: a 358 px slot on a 2× phone has
// densities 1.34, 2.68 and 4.47 for 480w, 960w and 1600w. 2.68 is the
// first at or above 2, and 2 is above the geometric mean of 1.34 and
// 2.68 (1.90): 960w. On a 3× phone the mean of 2.68 and 4.47 is 3.46,
// above 3: still 960w. A 704 px slot at 1× has 0.68 and 1.36: 960w.
func TestChoose(t *testing.T) {
	p := picture{candidates: parseSrcset("/a.480.webp 480w, /a.960.webp 960w, /a.1600.webp 1600w"), sizes: builder.Sizes}
	portrait := picture{candidates: parseSrcset("/b.360.webp 360w, /b.720.webp 720w, /b.1200.webp 1200w"), sizes: builder.Sizes}
	for _, tc := range []struct {
		p    picture
		sc   screen
		want string
	}{
		{p, screen{"", 390, 2}, "/a.960.webp"},
		{p, screen{"", 390, 3}, "/a.960.webp"},
		{p, screen{"", 1280, 1}, "/a.960.webp"},
		{p, screen{"", 1280, 2}, "/a.1600.webp"},
		{p, screen{"", 390, 1}, "/a.480.webp"},
		{portrait, screen{"", 390, 2}, "/b.720.webp"},
		{portrait, screen{"", 390, 3}, "/b.1200.webp"},
		{portrait, screen{"", 1280, 1}, "/b.720.webp"},
	} {
		got, err := tc.p.choose(tc.sc)
		if err != nil || got.url != tc.want {
			t.Errorf("%v on %v×%v: %v, %v; want %s", tc.p.candidates, tc.sc.width, tc.sc.dpr, got.url, err, tc.want)
		}
	}
}
