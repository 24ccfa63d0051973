package builder

import (
	"bytes"
	"io/fs"
	"os"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestPlainMarkdownRendersTheSame: a page rendered by the instance
// markdownFor picks is byte for byte what the instance with Linkify
// renders, for every Markdown file of the ward's content and for texts with
// each kind of thing Linkify links; and the texts that hold one are given
// the instance that links it.
func TestPlainMarkdownRendersTheSame(t *testing.T) {
	var srcs [][]byte
	for _, dir := range []string{"../../content", "../../don-vi"} {
		fsys := os.DirFS(dir)
		err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(name, ".md") {
				return err
			}
			b, err := fs.ReadFile(fsys, name)
			srcs = append(srcs, b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(srcs) < 5 {
		t.Fatalf("%d Markdown files in the content, want the ward's pages", len(srcs))
	}
	linked := []string{
		"Xem tại https://hungyen.gov.vn/van-ban trước ngày 15.",
		"Trang www.example.vn có mẫu đơn.",
		"Gửi thư tới doanthanh@example.vn để đăng ký.",
		"Tải về qua ftp://files.example.vn/mau.docx nhé.",
		"*Xem www.example.vn*",
	}
	plain := []string{
		"Đoàn viên, thanh niên gửi câu hỏi trước ngày 15/5/2023 (thứ Hai).",
		"Điểm a) khoản 2: ~~bỏ~~ thay bằng _nội dung mới_; ww. và http: không là địa chỉ.",
	}
	for _, s := range append(linked, plain...) {
		srcs = append(srcs, []byte(s))
	}
	for _, src := range srcs {
		var want, got bytes.Buffer
		if err := markdown.Convert(src, &want); err != nil {
			t.Fatal(err)
		}
		if err := markdownFor(src).Convert(src, &got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("rendered differently without Linkify:\n%s\ngot  %s\nwant %s", src, got.String(), want.String())
		}
	}
	for _, s := range linked {
		var out bytes.Buffer
		markdownFor([]byte(s)).Convert([]byte(s), &out)
		if !strings.Contains(out.String(), "<a href=") {
			t.Errorf("%q: no link in %s", s, out.String())
		}
	}
	for _, s := range plain {
		if markdownFor([]byte(s)) != plainMarkdown {
			t.Errorf("%q holds nothing to link, but is given the instance with Linkify", s)
		}
	}
}

// TestOneLine: oneLine collapses every run of spaces, Unicode's included,
// into one, and keeps Vietnamese letters as they are.
func TestOneLine(t *testing.T) {
	for r := rune(utf8.RuneSelf); r <= unicode.MaxRune; r++ {
		if !unicode.IsSpace(r) {
			continue
		}
		sp := string(r)
		if got := oneLine([]byte("a" + sp + sp + "b")); got != "a b" {
			t.Errorf("U+%04X between two words: %q, want \"a b\"", r, got)
		}
	}
	if got := oneLine([]byte("  Đặng  Thị\u00a0Ánh\u3000Tuyết ỵ ")); got != "Đặng Thị Ánh Tuyết ỵ" {
		t.Errorf("oneLine: %q", got)
	}
}
