// Package uploadtest makes the files people send with forms, for tests: a
// phone's JPEG with the metadata a phone writes (EXIF with the camera, the
// orientation and the GPS position of whoever took the picture, a comment,
// and a clip appended after the image), so that a test can tell that none
// of it is kept.
package uploadtest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
)

// GPS is the bytes of a latitude (21° 0′ 111.14″) as EXIF writes it:
// found in what is kept, it is a leak.
var GPS = []byte{21, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0x8a, 0x2b, 0, 0, 100, 0, 0, 0}

// Camera, Comment and Clip are the other marks PhoneJPEG leaves.
const (
	Camera  = "PhoneCo"
	Comment = "Nguyễn Văn An, 0912345678"
	Clip    = "ftypmp42 MOTION CLIP"
)

// EXIF is an APP1 payload: a little-endian TIFF whose first directory
// holds the camera's make, the orientation and a pointer to a GPS
// directory with a latitude.
func EXIF(orientation uint16) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("Exif\x00\x00II")
	binary.Write(&b, le, uint16(42))
	binary.Write(&b, le, uint32(8))
	const ifd0 = 8
	const gpsIFD = ifd0 + 2 + 3*12 + 4
	const data = gpsIFD + 2 + 12 + 4
	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&b, le, tag)
		binary.Write(&b, le, typ)
		binary.Write(&b, le, count)
		binary.Write(&b, le, value)
	}
	binary.Write(&b, le, uint16(3))
	entry(0x010f, 2, 8, data)                // Make, at data
	entry(0x0112, 3, 1, uint32(orientation)) // Orientation
	entry(0x8825, 4, 1, gpsIFD)              // GPS IFD
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, uint16(1))
	entry(0x0002, 5, 3, data+8) // GPSLatitude
	binary.Write(&b, le, uint32(0))
	b.WriteString(Camera + "\x00")
	b.Write(GPS)
	return b.Bytes()
}

// Picture is w×h, grey but for a red block at the top left and a blue one
// at the top right, so that a turn can be told from its corners.
func Picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{128, 128, 128, 255}
			switch {
			case x < 8 && y < 8:
				c = color.RGBA{255, 0, 0, 255}
			case x >= w-8 && y < 8:
				c = color.RGBA{0, 0, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// PhoneJPEG is Picture(w, h) as a phone's JPEG: the EXIF segment after
// SOI, a comment, and a clip after the end of the image.
func PhoneJPEG(w, h int, orientation uint16) []byte {
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, Picture(w, h), &jpeg.Options{Quality: 95}); err != nil {
		panic(err)
	}
	raw := enc.Bytes()
	app1 := EXIF(orientation)
	var b bytes.Buffer
	b.Write(raw[:2])
	b.Write([]byte{0xFF, 0xE1})
	binary.Write(&b, binary.BigEndian, uint16(len(app1)+2))
	b.Write(app1)
	b.Write([]byte{0xFF, 0xFE})
	binary.Write(&b, binary.BigEndian, uint16(len(Comment)+2))
	b.WriteString(Comment)
	b.Write(raw[2:])
	b.WriteString(Clip)
	return b.Bytes()
}

// Leaks are the marks of PhoneJPEG that no kept file may hold.
func Leaks() [][]byte {
	return [][]byte{[]byte("Exif"), GPS, []byte(Camera), []byte("0912345678"), []byte("MOTION"), {0xFF, 0xE1}}
}
