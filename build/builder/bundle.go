package builder

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/yuin/goldmark/ast"
	"golang.org/x/text/unicode/norm"

	"loa/functions/vntext"
)

// A page bundle is a folder holding index.md and the page's files (the
// signed scan as a PDF, a DOCX, a spreadsheet, photos), as in Hugo: the
// folder's name is the page's slug. A file is published beside the page
// only when the page lists it ("attachments:" in front matter) or links to
// it from its Markdown; the page then shows it in its "Tệp đính kèm" block
// with its title, type and size. A link to a file that is not there is an
// error at its line; a file that nothing lists or links stays unpublished
// (nothing leaks by accident) and the build warns about it.
//
// Every file is read inside the content folder: the command opens it as an
// os.Root (content.Dir), and a symbolic link that leads out of it is an
// error at the line that names it, never a copy of what it points to
// (insideContent). A file over MaxAttachment is an error too.

// Attachment is one file published with a page.
type Attachment struct {
	Title string
	URL   string // site-relative, beside the page: /thong-bao/hop/bien-ban.pdf
	Type  string // for people: "PDF", "Word", "Excel", …
	Size  string // for people: "1,2 MB"

	source string // the file in the content tree
}

// scanTitle is the title of a document's signed scan in its attachments.
const scanTitle = "Bản chụp văn bản có chữ ký, đóng dấu"

// MaxAttachment is the largest file published beside a page: larger ones
// are a burden on residents' phones and data plans, and usually a scan
// saved at a needlessly high resolution.
const MaxAttachment = 50 << 20

// bundleIndex is the file name of a bundle's page.
const bundleIndex = "index.md"

// splitBundles sorts the content files into pages and the files of each
// bundle (by the bundle's folder). A Markdown file inside a bundle, other
// than its index.md, belongs to the bundle, not to the site.
func splitBundles(all []string) (pages []string, files map[string][]string) {
	bundles := map[string]bool{}
	for _, f := range all {
		if path.Base(f) == bundleIndex && path.Dir(f) != "." {
			bundles[path.Dir(f)] = true
		}
	}
	files = map[string][]string{}
	for _, f := range all {
		if d := bundleOf(f, bundles); d != "" {
			if f != d+"/"+bundleIndex {
				files[d] = append(files[d], strings.TrimPrefix(f, d+"/"))
				continue
			}
		}
		if strings.HasSuffix(f, ".md") {
			pages = append(pages, f)
		}
	}
	return pages, files
}

// bundleOf returns the bundle folder f is in, or "".
func bundleOf(f string, bundles map[string]bool) string {
	for d := path.Dir(f); d != "." && d != "/"; d = path.Dir(d) {
		if bundles[d] {
			return d
		}
	}
	return ""
}

// attach resolves the files of p: those listed in its front matter, then
// the local files its Markdown links to, whose links it rewrites to where
// the file is published. body is the Markdown after the front matter and
// bodyLine the file's line it starts on.
func (b *build) attach(p *Page, doc ast.Node, body []byte, bodyLine int, used map[string]bool) error {
	seen := map[string]bool{}
	add := func(file, title string, line int) (string, error) {
		name, err := b.bundleFile(p, file, line)
		if err != nil {
			return "", err
		}
		u := p.URL + publishedName(name)
		if !seen[name] {
			seen[name] = true
			a, err := b.attachment(p, name, title, u, line)
			if err != nil {
				return "", err
			}
			p.Attachments = append(p.Attachments, a)
		}
		return u, nil
	}
	if d := p.Document; d != nil && d.Scan != "" {
		if _, err := add(d.Scan, scanTitle, d.scanLine+1); err != nil {
			return err
		}
	}
	for _, lf := range p.listed {
		if _, err := add(lf.file, lf.title, lf.line+1); err != nil {
			return err
		}
	}
	var err error
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		l, ok := n.(*ast.Link)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		file, local := localFile(string(l.Destination))
		if !local {
			return ast.WalkContinue, nil
		}
		title := plainText(l, body)
		u, e := add(file, title, bodyLine+lineOf(l, body))
		if e != nil {
			err = e
			return ast.WalkStop, nil
		}
		l.Destination = []byte(u)
		return ast.WalkContinue, nil
	})
	if err != nil {
		return err
	}
	for _, f := range b.bundleFiles[p.Bundle] {
		if p.Bundle != "" && !seen[f] && !used[f] {
			b.warn("%s: không đăng: trang không ghi tệp này trong \"attachments\" và không có liên kết tới nó", path.Join(b.opts.ContentDir, p.Bundle, f))
		}
	}
	return nil
}

// bundleFile finds the file a page names (in a link, an image or its front
// matter, at line) among its bundle's files, whatever normal form either
// is written in, and returns its name on disk.
func (b *build) bundleFile(p *Page, file string, line int) (string, error) {
	if p.Bundle == "" {
		return "", fmt.Errorf("%s:%d: %q: chỉ trang nằm trong thư mục riêng (…/%s/index.md) mới có tệp kèm; cần chuyển trang và các tệp của nó vào một thư mục", p.Source, line, file, strings.TrimSuffix(path.Base(p.Source), ".md"))
	}
	have := b.bundleFiles[p.Bundle]
	want := norm.NFC.String(path.Clean(file))
	for _, f := range have {
		if norm.NFC.String(f) == want {
			return f, b.insideContent(p, f, line)
		}
	}
	return "", fmt.Errorf("%s:%d: không có tệp %q trong thư mục của trang %s (đang có: %s)", p.Source, line, file, path.Join(b.opts.ContentDir, p.Bundle), strings.Join(have, ", "))
}

// localFile reports whether a link's destination names a file of the page's
// own folder, and which: not a URL with a scheme, not a site path, not an
// anchor, not a page.
func localFile(dest string) (string, bool) {
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "/") || strings.HasPrefix(dest, "?") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	p := u.Path
	if p == "" || strings.HasSuffix(p, "/") || path.Ext(p) == "" || path.Ext(p) == ".html" {
		return "", false
	}
	return strings.TrimPrefix(path.Clean(p), "./"), true
}

// publishedName is the name a file is published under: its stem slugged
// like a page's ("Biên bản họp (bản ký).pdf" → "bien-ban-hop-ban-ky.pdf"),
// its extension in lower case.
func publishedName(name string) string {
	return publishedStem(name) + strings.ToLower(path.Ext(name))
}

// publishedStem is publishedName without the extension.
func publishedStem(name string) string {
	stem := vntext.Slug(strings.TrimSuffix(path.Base(name), path.Ext(name)))
	if stem == "" {
		stem = "tep"
	}
	if dir := path.Dir(name); dir != "." {
		stem = vntext.Slug(dir) + "-" + stem
	}
	return stem
}

// insideContent refuses a file of p's bundle that is a symbolic link
// leading out of the content folder (to /etc/passwd, to ~/.aws/credentials:
// git keeps links as they are, so a committed one would publish a file of
// whichever machine builds the site). A link to another file of the
// folder is read as that file.
func (b *build) insideContent(p *Page, name string, line int) error {
	src := path.Join(p.Bundle, name)
	fi, err := fs.Lstat(b.opts.Content, src)
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return nil // not a link; reading it says what else is wrong
	}
	target, err := fs.ReadLink(b.opts.Content, src)
	if err == nil && !path.IsAbs(target) && fs.ValidPath(path.Join(path.Dir(src), target)) {
		if _, err := fs.Stat(b.opts.Content, src); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%s:%d: %s là liên kết (symlink) trỏ ra ngoài thư mục nội dung %s: không xuất bản tệp ngoài thư mục này; hãy chép chính tệp vào thư mục của trang rồi dựng lại",
		p.Source, line, path.Join(b.opts.ContentDir, src), b.opts.ContentDir)
}

// attachment describes one file of p's bundle and copies it to the
// output; line is where the page names it.
func (b *build) attachment(p *Page, name, title, u string, line int) (Attachment, error) {
	src := path.Join(p.Bundle, name)
	fi, err := fs.Stat(b.opts.Content, src)
	if err != nil {
		return Attachment{}, fmt.Errorf("%s: %w", path.Join(b.opts.ContentDir, src), err)
	}
	if fi.Size() > MaxAttachment {
		return Attachment{}, fmt.Errorf("%s:%d: tệp đính kèm %s nặng %s, quá giới hạn %s của một tệp: hãy nén, giảm độ phân giải bản chụp hoặc chia nhỏ tệp rồi dựng lại",
			p.Source, line, path.Join(b.opts.ContentDir, src), vntext.Size(fi.Size()), vntext.Size(MaxAttachment))
	}
	if title == "" {
		title = vntext.Normalize(strings.TrimSuffix(path.Base(name), path.Ext(name)))
	}
	a := Attachment{Title: title, URL: u, Type: fileType(name), Size: vntext.Size(fi.Size()), source: src}
	if err := b.out.copyFile(u, b.opts.Content, src); err != nil {
		return Attachment{}, fmt.Errorf("%s: %w", path.Join(b.opts.ContentDir, src), err)
	}
	return a, nil
}

// fileType names a file's kind for people.
func fileType(name string) string {
	switch ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), ".")); ext {
	case "pdf":
		return "PDF"
	case "doc", "docx", "odt", "rtf":
		return "Văn bản Word"
	case "xls", "xlsx", "ods", "csv":
		return "Bảng tính Excel"
	case "ppt", "pptx", "odp":
		return "Trình chiếu"
	case "jpg", "jpeg", "png", "webp", "gif":
		return "Ảnh " + strings.ToUpper(ext)
	case "zip", "rar", "7z":
		return "Tệp nén " + strings.ToUpper(ext)
	default:
		return "Tệp " + strings.ToUpper(ext)
	}
}

// lineOf is the 0-based line of body where n starts: that of its first text,
// else of the block that holds it.
func lineOf(n ast.Node, body []byte) int {
	off := -1
	ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	for p := n; off < 0 && p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			off = p.Lines().At(0).Start
		}
	}
	if off < 0 {
		return 0
	}
	return bytes.Count(body[:off], []byte("\n"))
}

// copyFile copies src of fsys to the file serving url.
func (o *output) copyFile(url string, fsys fs.FS, src string) error {
	in, err := fsys.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	name := filepath.Join(o.root, file(url))
	if err := o.mkdir(filepath.Dir(name)); err != nil {
		return err
	}
	if err := replaceFrom(name, in); err != nil {
		return err
	}
	o.files.Add(1)
	return nil
}
