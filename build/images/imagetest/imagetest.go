// Package imagetest makes realistic test photos for the image pipeline's
// tests and benchmarks: pictures with gradients, detail at several scales
// and sensor-like noise (a flat colour would compress to nothing and prove
// little), written as JPEGs that carry an EXIF segment like a phone's, with
// an Orientation tag and the GPS position of whoever took the picture.
package imagetest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Photo returns a w×h picture that compresses like a photo: smooth light,
// edges and texture at several scales, and per-pixel noise. The same seed
// gives the same picture.
func Photo(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// Separable waves: precomputed per column and per row, so that a
	// 12-megapixel picture takes well under a second.
	fx := make([][3]float64, w)
	fy := make([][3]float64, h)
	p := [6]float64{}
	for i := range p {
		p[i] = rng.Float64() * 2 * math.Pi
	}
	for x := range fx {
		t := float64(x) / float64(w)
		fx[x] = [3]float64{
			40 * math.Sin(2*math.Pi*3*t+p[0]),
			25 * math.Sin(2*math.Pi*17*t+p[1]),
			12 * math.Sin(2*math.Pi*float64(w)/7*t+p[2]),
		}
	}
	for y := range fy {
		t := float64(y) / float64(h)
		fy[y] = [3]float64{
			40 * math.Cos(2*math.Pi*2*t+p[3]),
			25 * math.Sin(2*math.Pi*11*t+p[4]),
			12 * math.Sin(2*math.Pi*float64(h)/5*t+p[5]),
		}
	}
	base := [3]float64{90 + 60*rng.Float64(), 90 + 60*rng.Float64(), 90 + 60*rng.Float64()}
	for y := 0; y < h; y++ {
		row := img.Pix[y*img.Stride:]
		ty := float64(y) / float64(h)
		for x := 0; x < w; x++ {
			tx := float64(x) / float64(w)
			light := 50 * (tx - ty)
			wave := fx[x][0] + fy[y][0]
			fine := fx[x][1]*fy[y][1]/25 + fx[x][2]*fy[y][2]/12
			for c := 0; c < 3; c++ {
				v := base[c] + light + wave*float64(c+1)/2 + fine + rng.NormFloat64()*6
				row[4*x+c] = clamp8(v)
			}
			row[4*x+3] = 255
		}
	}
	// Hard-edged shapes: the detail a resampler must keep without ringing.
	for i := 0; i < 40; i++ {
		r := image.Rect(rng.IntN(w), rng.IntN(h), rng.IntN(w), rng.IntN(h)).Canon()
		r.Max = r.Min.Add(image.Pt(min(r.Dx(), w/6+1), min(r.Dy(), h/6+1)))
		c := color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				o := img.PixOffset(x, y)
				n := rng.NormFloat64() * 5
				img.Pix[o+0] = clamp8(float64(c.R) + n)
				img.Pix[o+1] = clamp8(float64(c.G) + n)
				img.Pix[o+2] = clamp8(float64(c.B) + n)
			}
		}
	}
	return img
}

func clamp8(v float64) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// GPS coordinates written by EXIF: a place in Vietnam. Tests look for their
// bytes in the outputs.
const (
	Latitude  = 21.0285
	Longitude = 105.8542
)

// EXIF returns the payload of a JPEG APP1 segment as a phone writes it:
// "Exif\0\0", a little-endian TIFF header, IFD0 with the camera make, the
// Orientation tag (1–8; 0 leaves it out) and a pointer to a GPS IFD with
// Latitude and Longitude.
func EXIF(orientation int) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II")
	binary.Write(&b, le, uint16(42))
	binary.Write(&b, le, uint32(8)) // IFD0 right after the header

	type entry struct {
		tag, typ uint16
		count    uint32
		value    uint32 // the value itself, or an offset into the TIFF data
	}
	const (
		typASCII    = 2
		typShort    = 3
		typLong     = 4
		typRational = 5
	)
	make_ := []byte("LoaPhone\x00")
	var ifd0 []entry
	// Offsets: header 8, IFD0 = 2 + 12n + 4, then the GPS IFD, then data.
	n0 := 2
	if orientation != 0 {
		n0 = 3
	}
	ifd0Size := 2 + 12*n0 + 4
	gpsOff := 8 + ifd0Size
	const nGPS = 4
	gpsSize := 2 + 12*nGPS + 4
	dataOff := gpsOff + gpsSize
	makeOff := dataOff
	latOff := makeOff + len(make_)
	lonOff := latOff + 24

	ifd0 = append(ifd0, entry{0x010f, typASCII, uint32(len(make_)), uint32(makeOff)})
	if orientation != 0 {
		// A SHORT value sits in the low two bytes of the value field.
		ifd0 = append(ifd0, entry{0x0112, typShort, 1, uint32(orientation)})
	}
	ifd0 = append(ifd0, entry{0x8825, typLong, 1, uint32(gpsOff)})
	gps := []entry{
		{1, typASCII, 2, uint32('N')},
		{2, typRational, 3, uint32(latOff)},
		{3, typASCII, 2, uint32('E')},
		{4, typRational, 3, uint32(lonOff)},
	}
	writeIFD := func(es []entry) {
		binary.Write(&b, le, uint16(len(es)))
		for _, e := range es {
			binary.Write(&b, le, e.tag)
			binary.Write(&b, le, e.typ)
			binary.Write(&b, le, e.count)
			binary.Write(&b, le, e.value)
		}
		binary.Write(&b, le, uint32(0))
	}
	writeIFD(ifd0)
	writeIFD(gps)
	b.Write(make_)
	for _, deg := range []float64{Latitude, Longitude} {
		for _, r := range DMS(deg) {
			binary.Write(&b, le, r)
		}
	}
	return append([]byte("Exif\x00\x00"), b.Bytes()...)
}

// DMS is a coordinate as EXIF stores it: three rationals (numerator,
// denominator) for degrees, minutes and seconds×1000.
func DMS(deg float64) [6]uint32 {
	d := math.Floor(deg)
	m := math.Floor((deg - d) * 60)
	s := ((deg-d)*60 - m) * 60
	return [6]uint32{uint32(d), 1, uint32(m), 1, uint32(math.Round(s * 1000)), 1000}
}

// GPSBytes is the little-endian encoding of a coordinate's rationals, as
// they appear in a file that still carries the EXIF written by EXIF.
func GPSBytes(deg float64) []byte {
	var b bytes.Buffer
	for _, r := range DMS(deg) {
		binary.Write(&b, binary.LittleEndian, r)
	}
	return b.Bytes()
}

// JPEG encodes img at quality and, when app1 is not nil, puts it as an APP1
// segment right after the start-of-image marker, where cameras put EXIF.
func JPEG(img image.Image, quality int, app1 []byte) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err) // encoding to memory fails only on a bad image
	}
	if app1 == nil {
		return b.Bytes()
	}
	out := make([]byte, 0, b.Len()+len(app1)+4)
	out = append(out, 0xFF, 0xD8, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(app1)+2))
	out = append(out, app1...)
	return append(out, b.Bytes()[2:]...)
}
