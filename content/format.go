package content

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// FrontMatter splits a content file into its YAML front matter and its
// Markdown body. The front matter is what stands between a first line "---"
// and the next line "---" (a UTF-8 byte order mark and CRLF line ends, as
// Windows editors save them, are accepted). bodyLine is the line of the
// file on which the body starts, for messages about it. A file that does
// not start with "---" is all body.
func FrontMatter(data []byte) (front, body []byte, bodyLine int, ok bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if bytes.Contains(data, []byte("\r\n")) {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	if !bytes.HasPrefix(data, []byte("---\n")) {
		return nil, data, 1, false
	}
	rest := data[4:]
	line := 2
	for off := 0; off <= len(rest); line++ {
		end := bytes.IndexByte(rest[off:], '\n')
		l := rest[off:]
		if end >= 0 {
			l = rest[off : off+end]
		}
		if string(bytes.TrimRight(l, " \t")) == "---" {
			if end < 0 {
				return rest[:off], nil, line + 1, true
			}
			return rest[:off], rest[off+end+1:], line + 1, true
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return nil, data, 1, false
}

// FileError is a mistake in a content file: File as it is to be shown
// (e.g. "content/ke-hoach/a.md"), Line 1-based (0: the whole file).
type FileError struct {
	File string
	Line int
	Msg  string
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// YAMLError turns an error of yaml.v3 ("yaml: line 3: ...", or a
// TypeError's "line 3: ...") into a FileError about file, its line counted
// in the file: offset is the file line of the YAML's first line, less one
// (1 for front matter, which starts after "---"). what says which part of
// the file it is, e.g. "front matter".
func YAMLError(file, what string, offset int, err error) *FileError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if te, ok := errors.AsType[*yaml.TypeError](err); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		rest := strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		if zeroBased(rest) {
			line++
		}
		return &FileError{File: file, Line: line + offset, Msg: what + ": " + explainYAML(rest)}
	}
	return &FileError{File: file, Msg: what + ": " + explainYAML(msg)}
}

// yamlHints say in Vietnamese, for the staff who write content, what
// yaml.v3's commonest messages mean and how to mend the line; the
// message itself follows in parentheses for whoever helps them.
var yamlHints = []struct{ prefix, hint string }{
	{"did not find expected ',' or ']'", "danh sách mở bằng [ chưa đóng bằng ], hoặc thiếu dấu phẩy giữa các mục"},
	{"did not find expected ',' or '}'", "nhóm mở bằng { chưa đóng bằng }, hoặc thiếu dấu phẩy giữa các mục"},
	{"did not find expected '-' indicator", "các dòng của danh sách phải cùng thụt lề và bắt đầu bằng \"- \""},
	{"did not find expected key", "thụt lề không đều: các khóa cùng cấp phải thẳng hàng"},
	{"did not find expected node content", "thiếu giá trị sau dấu hai chấm hoặc sau dấu -"},
	{"mapping values are not allowed in this context", "dấu hai chấm không đúng chỗ: giá trị có dấu \":\" cần đặt trong ngoặc kép, ví dụ title: \"Kế hoạch: năm 2023\""},
	{"could not find expected ':'", "thiếu dấu hai chấm sau tên khóa"},
	{"found character that cannot start any token", "có ký tự không được đứng đầu giá trị (dấu tab, @ hoặc `): đặt giá trị trong ngoặc kép, thụt lề bằng dấu cách"},
	{"found unknown escape character", "dấu \\ trong ngoặc kép phải viết thành \\\\"},
	{"found unexpected end of stream", "ngoặc kép mở mà chưa đóng"},
	{"cannot unmarshal", "giá trị không đúng dạng"},
}

// explainYAML puts a Vietnamese hint before a yaml.v3 message.
func explainYAML(msg string) string {
	for _, h := range yamlHints {
		if strings.HasPrefix(msg, h.prefix) {
			return "sai cú pháp YAML: " + h.hint + " (" + msg + ")"
		}
	}
	return "sai cú pháp YAML (" + msg + ")"
}

// zeroBased reports whether yaml.v3 counted the line of msg from 0: its
// parser (not its scanner) reports the 0-based line where the unclosed
// list or mapping began, e.g. "tags: [a, b" with no "]".
func zeroBased(msg string) bool {
	for _, p := range []string{"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator", "did not find expected key", "did not find expected node content"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
