package images

import (
	"bytes"
	"encoding/binary"
	"image"
)

// jpegOrientation returns the EXIF Orientation (1–8) of a JPEG file, or 1
// when it has none or the segment cannot be read.
//
// This is the only piece of metadata the pipeline reads, so it is read
// here rather than through an EXIF module: those parse every tag (and
// pull in their own dependencies) to answer one question, and a damaged
// segment in them is an error, where here it only means "upright as
// stored". Everything else in the segment is dropped with the rest of the
// file when the pixels are encoded afresh.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xFF: // fill byte
			i++
			continue
		case marker == 0xDA || marker == 0xD9: // start of scan, end of image
			return 1
		case marker == 0x01 || marker >= 0xD0 && marker <= 0xD7: // no length
			i += 2
			continue
		}
		size := int(binary.BigEndian.Uint16(data[i+2:]))
		if size < 2 || i+2+size > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+size]
		if marker == 0xE1 {
			if tiff, ok := bytes.CutPrefix(seg, []byte("Exif\x00\x00")); ok {
				if o := tiffOrientation(tiff); o != 0 {
					return o
				}
			}
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation reads tag 0x0112 from IFD0 of EXIF's TIFF structure, or
// returns 0.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		const typShort = 3
		if bo.Uint16(t[e+2:]) != typShort {
			return 0
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

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
