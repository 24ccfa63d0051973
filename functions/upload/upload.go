// Package upload checks and cleans a file that a person attaches to a form
// (a photo or a document), before anything of it is stored.
//
// The model: a file is what its bytes say it is, never what its name or the
// browser claims. [Sniff] reads the first bytes and names one of the
// [Types] the ward takes: a JPEG or PNG photo, a PDF, or a Word document
// (.docx, whose zip must hold a Word body, unpack within a bound, and
// hold nothing that acts when Word opens it: no macros, ActiveX or
// external template, frame, picture or object). [Clean] then
// makes the bytes that are kept. A photo is decoded, bounded in pixels
// before it is, turned upright by its EXIF orientation, and encoded afresh:
// only the pixels survive, so no EXIF, GPS position, camera serial, XMP,
// thumbnail or anything appended after the image is ever stored or handed
// to staff. A document is kept as sent once its structure is checked.
//
// Size is the caller's to bound (the form declares a maximum, the handler
// reads no more than the form allows); this package bounds what decoding
// may cost.
package upload

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
)

// Type is a kind of file the ward takes.
type Type struct {
	Name      string // as content names it in a field's accept list: "jpeg"
	MediaType string // "image/jpeg"
	Ext       string // the extension the stored file and its download get: "jpg"
	Label     string // how people call it: "ảnh JPEG"
	Image     bool   // cleaned by encoding its pixels afresh
}

// DocxType is the media type of a Word document.
const DocxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// Types are the files a form may take, in the order messages list them.
var Types = []Type{
	{Name: "jpeg", MediaType: "image/jpeg", Ext: "jpg", Label: "ảnh JPEG", Image: true},
	{Name: "png", MediaType: "image/png", Ext: "png", Label: "ảnh PNG", Image: true},
	{Name: "pdf", MediaType: "application/pdf", Ext: "pdf", Label: "tài liệu PDF"},
	{Name: "docx", MediaType: DocxType, Ext: "docx", Label: "văn bản Word (.docx)"},
}

// TypeNamed returns the type content calls name.
func TypeNamed(name string) (Type, bool) {
	for _, t := range Types {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// Errors of Sniff and Clean.
var (
	ErrType    = errors.New("upload: not a file of a type the ward takes")
	ErrDamaged = errors.New("upload: the file cannot be read")
	ErrPixels  = errors.New("upload: the image has too many pixels")
)

// MaxPixels bounds a photo's width × height: 40 megapixels, more than any
// phone camera takes, decoded into 160 MB at most.
const MaxPixels = 40_000_000

// maxZipEntries bounds the entries of a .docx walked: Word writes a few
// dozen, a picture-heavy file a few hundred.
const maxZipEntries = 2000

// Sniff names the type of data by its content. A zip is a Word document
// only when it holds one (see checkDocx).
func Sniff(data []byte) (Type, error) {
	mt := http.DetectContentType(data)
	switch {
	case mt == "image/jpeg":
		return Types[0], nil
	case mt == "image/png":
		return Types[1], nil
	case mt == "application/pdf":
		return Types[2], nil
	case mt == "application/zip":
		if err := checkDocx(data); err != nil {
			return Type{}, err
		}
		return Types[3], nil
	}
	return Type{}, ErrType
}

// Clean returns the bytes to keep of data, a file of type t (as Sniff
// named it): a photo's pixels encoded afresh, upright; a document as it
// came.
func Clean(t Type, data []byte) ([]byte, error) {
	if !t.Image {
		return data, nil
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || format != t.Name {
		return nil, ErrDamaged
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrPixels
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, ErrDamaged
	}
	var out bytes.Buffer
	if t.Name == "png" {
		// PNG keeps what a photo of a certificate or a screenshot needs:
		// every pixel exactly. The encoder writes no text, time or EXIF chunk.
		if err := png.Encode(&out, img); err != nil {
			return nil, fmt.Errorf("upload: png: %w", err)
		}
		return out.Bytes(), nil
	}
	img = upright(img, Orientation(data))
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, fmt.Errorf("upload: jpeg: %w", err)
	}
	return out.Bytes(), nil
}

// MaxDocxUnpacked bounds what a .docx's parts may unpack to, all together:
// a Word document of a few megabytes with photos unpacks to a few tens.
// Every part is unpacked (to nothing) to count it, so a zip whose headers
// lie about its sizes is measured all the same.
const MaxDocxUnpacked = 64 << 20

// maxRels bounds one relationships part read: Word writes a few kilobytes.
const maxRels = 1 << 20

// checkDocx tells whether data is a Word document the office may open: a
// zip with [Content_Types].xml naming a Word body (not a macro-enabled
// one) and word/document.xml, with a bounded number of entries that unpack
// within MaxDocxUnpacked. Nothing in it may act when Word opens it: no
// macro project or ActiveX control under any name, no OLE object inside
// (a packaged program, an old equation: embeddings/*.bin; a chart's
// workbook, embeddings/*.xlsx, is kept), and no relationship
// that Word follows by itself to another place (a template, a frame, a
// picture or an OLE object fetched from a server); a hyperlink, which the
// reader chooses to click, is kept. Part names are compared as Word does,
// without regard to case.
func checkDocx(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ErrDamaged
	}
	if len(zr.File) > maxZipEntries {
		return ErrDamaged
	}
	var types, body bool
	budget := int64(MaxDocxUnpacked)
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		if strings.HasSuffix(name, "vbaproject.bin") || strings.HasSuffix(name, "vbadata.xml") ||
			strings.Contains(name, "activex") || strings.Contains(name, "embeddings/") && strings.HasSuffix(name, ".bin") {
			return ErrType
		}
		var keep *bytes.Buffer
		switch {
		case name == "word/document.xml":
			body = true
		case name == "[content_types].xml" || strings.HasSuffix(name, ".rels"):
			keep = new(bytes.Buffer)
		}
		n, err := unpack(f, keep, budget)
		if err != nil {
			return err
		}
		budget -= n
		switch {
		case keep == nil:
		case name == "[content_types].xml":
			s := strings.ToLower(keep.String())
			if strings.Contains(s, "macroenabled") || strings.Contains(s, "vbaproject") {
				return ErrType
			}
			types = strings.Contains(s, "wordprocessingml.document.main+xml")
		default:
			if err := checkRels(keep.Bytes()); err != nil {
				return err
			}
		}
	}
	if !types || !body {
		return ErrType
	}
	return nil
}

// unpack reads the part f whole, into keep when it is not nil (at most
// maxRels of it), and returns its size; ErrDamaged when it is damaged or
// unpacks to more than budget.
func unpack(f *zip.File, keep *bytes.Buffer, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, ErrDamaged
	}
	defer rc.Close()
	var w io.Writer = io.Discard
	limit := budget
	if keep != nil {
		w, limit = keep, min(budget, maxRels)
	}
	n, err := io.Copy(w, io.LimitReader(rc, limit+1))
	if err != nil || n > limit {
		return n, ErrDamaged
	}
	return n, nil
}

// checkRels refuses a relationships part that Word would follow to another
// place when the document opens: any external target but a hyperlink.
func checkRels(data []byte) error {
	var rs struct {
		Rel []struct {
			Type string `xml:"Type,attr"`
			Mode string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(data, &rs); err != nil {
		return ErrDamaged
	}
	for _, r := range rs.Rel {
		if strings.EqualFold(strings.TrimSpace(r.Mode), "external") && !strings.HasSuffix(r.Type, "/hyperlink") {
			return ErrType
		}
	}
	return nil
}

// Orientation returns the EXIF Orientation (1–8) of a JPEG file, or 1
// when it has none or the segment cannot be read. The site builder reads
// it too, for the photos of pages.
//
// This is the only piece of metadata read from a photo, so it is read
// here rather than through an EXIF module: those parse every tag (and
// pull in their own dependencies) to answer one question, and a damaged
// segment in them is an error, where here it only means "upright as
// stored". Everything else in the segment is dropped with the rest of the
// file when the pixels are encoded afresh.
func Orientation(data []byte) int {
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

// upright returns img turned as EXIF orientation o says the camera held
// it; img itself for 1. Every upright pixel (x, y) is read from the stored
// pixel the orientation puts there.
func upright(img image.Image, o int) image.Image {
	if o < 2 || o > 8 {
		return img
	}
	b := img.Bounds()
	// A decoded JPEG is read where it lies, its planes a third to three
	// quarters of an RGBA copy: with the turned copy, a 40-megapixel photo
	// needs about 220 MB rather than 380. Other images are copied first.
	var at func(x, y int) [4]uint8
	if yc, ok := img.(*image.YCbCr); ok {
		at = func(x, y int) [4]uint8 {
			x, y = x+b.Min.X, y+b.Min.Y
			c := yc.COffset(x, y)
			r, g, bl := color.YCbCrToRGB(yc.Y[yc.YOffset(x, y)], yc.Cb[c], yc.Cr[c])
			return [4]uint8{r, g, bl, 0xff}
		}
	} else {
		src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
		at = func(x, y int) [4]uint8 { return [4]uint8(src.Pix[src.PixOffset(x, y):]) }
	}
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = w-1-x, y
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sx, sy = x, h-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, h-1-x
			case 7:
				sx, sy = w-1-y, h-1-x
			case 8:
				sx, sy = w-1-y, x
			}
			px := at(sx, sy)
			copy(dst.Pix[dst.PixOffset(x, y):], px[:])
		}
	}
	return dst
}
