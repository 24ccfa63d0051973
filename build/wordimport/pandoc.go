package wordimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ErrNoPandoc is returned when pandoc, which reads the .docx, is not installed.
var ErrNoPandoc = errors.New("pandoc is missing: install Debian's pandoc package (apt-get install pandoc); máy chưa cài pandoc, chương trình đọc tệp Word: nhờ người phụ trách máy cài")

// pandocTimeout bounds one conversion: a ward's document takes a second.
const pandocTimeout = 2 * time.Minute

// convert runs pandoc on the .docx file, extracting its images under dir,
// and returns its JSON AST.
func convert(file, dir string) ([]byte, error) {
	bin, err := exec.LookPath("pandoc")
	if err != nil {
		return nil, ErrNoPandoc
	}
	ctx, cancel := context.WithTimeout(context.Background(), pandocTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", "docx", "-t", "json", "--extract-media=media", "--", file)
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
