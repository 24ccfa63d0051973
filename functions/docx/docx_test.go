package docx_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"loa/functions/docx"
)

var writeReference = flag.String("write-reference", "", "write the default reference document to this file (content/data/mau-van-ban.docx)")

// TestWriteReference writes the default reference document when asked:
//
//	go test ./functions/docx -run TestWriteReference -write-reference "$PWD/content/data/mau-van-ban.docx"
func TestWriteReference(t *testing.T) {
	if *writeReference == "" {
		t.Skip("no -write-reference")
	}
	if err := os.WriteFile(*writeReference, docx.Default(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFill(t *testing.T) {
	tmpl, err := docx.Parse(docx.Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{docx.StyleBody, docx.StyleHeading, docx.StyleItem, docx.StyleSign} {
		if !tmpl.HasStyle(s) {
			t.Errorf("the default reference lacks style %s", s)
		}
	}
	d := tmpl.New()
	d.Add(docx.P(docx.StyleBody, docx.Text("Câu <1> & “kỹ năng số”\x01"), docx.Bold("đậm")))
	d.Columns([]float64{60, 97}, []docx.Para{docx.P(docx.StyleHeader, docx.Text("trái"))}, nil)
	d.PageBreak()
	d.Add(docx.P("", docx.Run{Image: &docx.Image{PNG: []byte("\x89PNG"), Width: 30, Height: 30, Alt: "mã"}}))
	b := d.Bytes()
	again, err := docx.Parse(b)
	if err != nil {
		t.Fatalf("the document made does not parse again: %v", err)
	}
	_ = again
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		parts[f.Name] = string(data)
	}
	doc := parts["word/document.xml"]
	if _, ok := parts["word/media/loa-image-1.png"]; !ok {
		t.Error("the image part is missing")
	}
	if !strings.Contains(parts["word/_rels/document.xml.rels"], "media/loa-image-1.png") {
		t.Error("the image has no relationship")
	}
	if strings.Contains(doc, "\x01") || !strings.Contains(doc, "Câu &lt;1&gt; &amp; “kỹ năng số”") {
		t.Errorf("text not escaped as XML: %s", doc)
	}
	if err := xml.Unmarshal([]byte(doc), new(struct{})); err != nil {
		t.Errorf("document.xml is not XML: %v", err)
	}
	if !strings.Contains(doc, `<w:pgMar w:top="1247"`) {
		t.Error("the reference's margins were not kept")
	}
}

func TestParseRefusesOther(t *testing.T) {
	if _, err := docx.Parse([]byte("not a zip")); err == nil {
		t.Error("a file that is not a .docx was taken")
	}
}
