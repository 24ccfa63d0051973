package wordimport

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
)

// oleMagic starts an OLE compound file: a Word 97–2003 .doc, or a .docx
// saved with a password, which Office encrypts into such a file.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// utf16 is s in UTF-16LE, as an OLE file names its streams.
func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// checkFile tells, in words for staff, why name cannot be read as a Word
// document, before pandoc is asked to: pandoc's own errors name none of
// these cases.
func checkFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%s: không có tệp này; cần đường dẫn tới một tệp Word .docx", name)
		}
		return fmt.Errorf("%s: không mở được tệp (%v); cần một tệp Word .docx đọc được", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if fi.IsDir() {
		return fmt.Errorf("%s: đây là một thư mục; cần một tệp Word .docx", name)
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case bytes.Equal(head, oleMagic):
		data, _ := io.ReadAll(io.LimitReader(io.MultiReader(bytes.NewReader(head), f), 1<<20))
		if bytes.Contains(data, utf16("EncryptionInfo")) || bytes.Contains(data, utf16("EncryptedPackage")) {
			return fmt.Errorf("%s: văn bản được đặt mật khẩu nên không đọc được; cần bản không có mật khẩu: mở tệp trong Word, vào Tệp › Thông tin › Bảo vệ tài liệu › Mã hóa bằng mật khẩu, xóa mật khẩu, lưu lại rồi nhập lại", name)
		}
		return fmt.Errorf("%s: đây là tệp Word 97–2003 (.doc) hoặc tệp được đặt mật khẩu, không phải .docx; cần tệp .docx không mật khẩu: mở trong Word, chọn Lưu thành › Word Document (*.docx)", name)
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return fmt.Errorf("%s: không phải văn bản Word .docx (tệp .docx là một tệp nén zip, tệp này thì không); cần tệp .docx: mở văn bản trong Word, chọn Lưu thành › Word Document (*.docx)", name)
	}
	z, err := zip.NewReader(f, fi.Size())
	if err != nil {
		return fmt.Errorf("%s: tệp .docx bị hỏng (%v); cần tệp mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", name, err)
	}
	for _, zf := range z.File {
		if zf.Name == "word/document.xml" {
			r, err := zf.Open()
			if err == nil {
				_, err = io.Copy(io.Discard, io.LimitReader(r, maxDocument+1))
				r.Close()
			}
			if err != nil {
				return fmt.Errorf("%s: tệp .docx bị hỏng (%v); cần tệp mở được bằng Word: mở lại trong Word, lưu thành tệp mới rồi nhập lại", name, err)
			}
			return nil
		}
	}
	return fmt.Errorf("%s: tệp nén này không phải văn bản Word (không có word/document.xml); cần tệp .docx do Word hoặc LibreOffice lưu", name)
}
