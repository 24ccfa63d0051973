package wordimport

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrNoPandoc is returned when pandoc, which reads the .docx, is not installed.
var ErrNoPandoc = errors.New("pandoc is missing: install Debian's pandoc package (apt-get install pandoc); máy chưa cài pandoc, chương trình đọc tệp Word: nhờ người phụ trách máy cài")

// pandocTimeout bounds one conversion: a ward's document takes a second.
const pandocTimeout = 2 * time.Minute

// Limits on what a .docx may unpack to: a ward's document is a few hundred
// kilobytes of XML and a few photos; a zip that claims or holds more is
// refused before pandoc reads it. The numbers are generous: the largest
// document of the test corpus is far below each.
const (
	maxEntries  = 5000      // files inside the .docx
	maxDocument = 30 << 20  // word/document.xml, the text
	maxEntry    = 50 << 20  // any other file: a photo, a font
	maxTotal    = 200 << 20 // all of them
)

// colBreak stands for a tab, or a run of spaces, typed to lay out two
// columns in one paragraph ("ỦY BAN NHÂN DÂN<tab>CỘNG HÒA …"). pandoc turns
// tabs and runs of spaces into one space, which would lose where one
// column ends and the other starts, so the .docx is given to it with this
// character (of Unicode's private use area, never in a document's text)
// in their place. The header and the closing block split lines at it; the
// body reads it as a space (clean).
const colBreak = '\uE000'

var (
	tabRe    = regexp.MustCompile(`<w:(?:tab|ptab)(?:\s+[^>]*)?/>`)
	textRe   = regexp.MustCompile(`(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)`)
	spacesRe = regexp.MustCompile(`[ \x{00a0}]{4,}`)
	// tabStops are the tab positions of a paragraph's properties, which
	// are not tabs typed in its text.
	tabStopsRe = regexp.MustCompile(`(?s)<w:tabs>.*?</w:tabs>`)
)

// markColumns rewrites a document part's XML so that tabs and long runs
// of spaces typed in the text reach pandoc as colBreak.
func markColumns(xml []byte) []byte {
	mark := `<w:t xml:space="preserve">` + string(colBreak) + `</w:t>`
	var out bytes.Buffer
	rest := xml
	for {
		loc := tabStopsRe.FindIndex(rest)
		end := len(rest)
		if loc != nil {
			end = loc[0]
		}
		part := tabRe.ReplaceAll(rest[:end], []byte(mark))
		part = textRe.ReplaceAllFunc(part, func(m []byte) []byte {
			sm := textRe.FindSubmatch(m)
			if !spacesRe.Match(sm[2]) {
				return m
			}
			return append(append(append([]byte(nil), sm[1]...), spacesRe.ReplaceAll(sm[2], []byte(string(colBreak)))...), sm[3]...)
		})
		out.Write(part)
		if loc == nil {
			return out.Bytes()
		}
		out.Write(rest[loc[0]:loc[1]])
		rest = rest[loc[1]:]
	}
}

// prepare copies the .docx file into dir as pandoc is to read it: every
// entry read within the limits, the document's tabs marked (markColumns).
func prepare(file, dir string) (string, error) {
	z, err := zip.OpenReader(file)
	if err != nil {
		return "", fmt.Errorf("%s: tệp .docx bị hỏng (%v); cần tệp mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", file, err)
	}
	defer z.Close()
	out := filepath.Join(dir, "in.docx")
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	defer f.Close()
	w := zip.NewWriter(f)
	if len(z.File) > maxEntries {
		return "", fmt.Errorf("%s: tệp .docx chứa %d phần, nhiều hơn %d phần mà một văn bản có; cần tệp .docx do Word lưu: mở trong Word, lưu thành tệp mới rồi nhập lại", file, len(z.File), maxEntries)
	}
	var total int64
	tooBig := func(name string, limit int64) error {
		return fmt.Errorf("%s: phần %s của tệp .docx lớn hơn %d MB khi giải nén (cả tệp được tối đa %d MB); cần giảm kích thước: trong Word chọn hình › Nén ảnh, hoặc tách văn bản, rồi lưu và nhập lại", file, name, limit>>20, maxTotal>>20)
	}
	for _, e := range z.File {
		limit := int64(maxEntry)
		if e.Name == "word/document.xml" {
			limit = maxDocument
		}
		// The sizes a zip claims are checked first, then the bytes it
		// really holds: a crafted file may claim less than it has.
		if e.UncompressedSize64 > uint64(limit) || total+int64(e.UncompressedSize64) > maxTotal {
			return "", tooBig(e.Name, limit)
		}
		r, err := e.Open()
		if err != nil {
			return "", fmt.Errorf("%s: tệp .docx bị hỏng (%s: %v); cần tệp mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", file, e.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		r.Close()
		if err != nil {
			return "", fmt.Errorf("%s: tệp .docx bị hỏng (%s: %v); cần tệp mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", file, e.Name, err)
		}
		total += int64(len(data))
		if int64(len(data)) > limit || total > maxTotal {
			return "", tooBig(e.Name, limit)
		}
		if e.Name == "word/document.xml" {
			data = markColumns(data)
		}
		hw, err := w.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate})
		if err != nil {
			return "", err
		}
		if _, err := hw.Write(data); err != nil {
			return "", err
		}
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return out, f.Close()
}

// convert runs pandoc on the .docx file, extracting its images under dir,
// and returns its JSON AST.
func convert(file, dir string) ([]byte, error) {
	bin, err := exec.LookPath("pandoc")
	if err != nil {
		return nil, ErrNoPandoc
	}
	in, err := prepare(file, dir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), pandocTimeout)
	defer cancel()
	// --sandbox: a document cannot make pandoc read other files (linked
	// images, includes); -M: its heap is capped, so a crafted file fails
	// rather than takes the machine's memory.
	cmd := exec.CommandContext(ctx, bin, "--sandbox", "+RTS", "-M1g", "-RTS", "-f", "docx", "-t", "json", "--extract-media=media", "--", in)
	cmd.Dir = dir
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s: pandoc không đọc được văn bản (%s); cần tệp .docx mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", file, msg)
	}
	return out.Bytes(), nil
}
