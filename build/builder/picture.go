package builder

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	gmrenderer "github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"loa/build/images"
)

// Images of a page are files of its bundle: `![alt](anh.jpg)` in the
// Markdown, or `image:` in front matter (shown in lists and sent as the Open
// Graph image). Each goes through package images — upright, stripped of
// its metadata (GPS above all), at a few widths, WebP where it is smaller —
// and is drawn as a <picture> with srcset, sizes, width and height (no
// layout shift), loading="lazy" but for the first image of the page, and
// decoding="async". The source is never published.

// Sizes tells the browser how wide an image is drawn: the text column
// (.wrap, 46rem less its padding) or the screen.
const Sizes = "(min-width: 46rem) 44rem, calc(100vw - 2rem)"

// The node attributes the picture renderer reads, set on an *ast.Image.
const (
	attrPicture = "data-loa-picture" // the rendered <picture>, as set by pictures
)

// Image is a page's own image (front matter image:), as lists and Open
// Graph use it.
type Image struct {
	URL           string // the middle width's fallback (JPEG or PNG)
	Width, Height int
	Srcset        string // the fallbacks
	WebPSrcset    string // the WebP variants, if any
}

// processor returns the build's image processor, made on first use so that
// a site without images makes no cache folder.
func (b *build) processor() (*images.Processor, error) {
	b.imagesOnce.Do(func() {
		dir := b.opts.ImageCache
		if dir == "" {
			dir = filepath.Join(filepath.Dir(filepath.Clean(b.opts.Out)), ".cache", "images")
		}
		b.images, b.imagesErr = images.New(images.Options{CacheDir: dir, Stem: func(p string) string {
			return publishedStem(path.Base(p))
		}})
	})
	return b.images, b.imagesErr
}

// picture processes the bundle file name of p and publishes its variants
// beside the page.
func (b *build) picture(p *Page, name string) (*images.Result, error) {
	src := path.Join(p.Bundle, name)
	shown := path.Join(b.opts.ContentDir, src)
	proc, err := b.processor()
	if err != nil {
		return nil, err
	}
	// Sized and its header read before the whole file is.
	res, err := proc.ProcessFile(b.opts.Content, src, shown)
	if err != nil {
		return nil, err
	}
	if err := res.Publish(filepath.Join(b.out.root, filepath.FromSlash(strings.TrimPrefix(p.URL, "/")))); err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	b.out.files.Add(int64(len(res.Variants)))
	return res, nil
}

// pictures processes the images of p's Markdown and of its front matter,
// and returns the bundle files they use.
func (b *build) pictures(p *Page, doc ast.Node, body []byte, bodyLine int) (map[string]bool, error) {
	used := map[string]bool{}
	if p.imageFile != "" {
		name, err := b.bundleFile(p, p.imageFile, p.imageLine+1)
		if err != nil {
			return nil, err
		}
		res, err := b.picture(p, name)
		if err != nil {
			return nil, err
		}
		used[name] = true
		p.Image = pageImage(p, res)
	}
	first := true
	var err error
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		file, local := localFile(string(img.Destination))
		if !local {
			return ast.WalkContinue, nil
		}
		line := bodyLine + lineOf(img, body)
		name, e := b.bundleFile(p, file, line)
		if e == nil {
			var res *images.Result
			if res, e = b.picture(p, name); e == nil {
				used[name] = true
				alt := plainText(img, body)
				if alt == "" && !hasBlankAlt(img) {
					b.warn("%s:%d: ảnh %s chưa có lời mô tả cho người không xem được ảnh: viết ![ảnh chụp gì](%s), hoặc ![ ](%s) nếu ảnh chỉ để trang trí", p.Source, line, file, file, file)
				}
				img.SetAttributeString(attrPicture, PictureHTML(p.URL, res, alt, first))
				first = false
			}
		}
		if e != nil {
			err = e
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	return used, err
}

// hasBlankAlt reports whether the image's alt text was written as blank on
// purpose, `![ ](x.jpg)`: a decoration, alt="".
func hasBlankAlt(img *ast.Image) bool {
	for c := img.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok && t.Segment.Len() > 0 {
			return true
		}
	}
	return false
}

func pageImage(p *Page, res *images.Result) *Image {
	var best images.Variant
	for _, v := range res.Variants {
		if v.Format == images.WebP {
			continue
		}
		if best.Name == "" || v.Width <= 960 {
			best = v
		}
	}
	return &Image{URL: p.URL + best.Name, Width: best.Width, Height: best.Height, Srcset: res.Srcset(fallbackFormat(res), p.URL),
		WebPSrcset: res.Srcset(images.WebP, p.URL)}
}

func fallbackFormat(res *images.Result) string {
	if strings.HasSuffix(res.Fallback, ".png") {
		return images.PNG
	}
	return images.JPEG
}

// PictureHTML draws one image of a page whose files are at base: a
// <picture> with the WebP variants, if any, as a <source> before the
// fallback's <img>. The image benchmark draws its page with it too.
func PictureHTML(base string, res *images.Result, alt string, first bool) string {
	var b strings.Builder
	b.WriteString("<picture>")
	if webp := res.Srcset(images.WebP, base); webp != "" {
		fmt.Fprintf(&b, `<source type="image/webp" srcset="%s" sizes="%s">`, util.EscapeHTML([]byte(webp)), Sizes)
	}
	loading := ` loading="lazy"`
	if first {
		loading = "" // the first image is likely the largest paint: fetch it at once
	}
	fmt.Fprintf(&b, `<img src="%s" srcset="%s" sizes="%s" width="%s" height="%s" alt="%s"%s decoding="async">`,
		util.EscapeHTML([]byte(base+res.Fallback)), util.EscapeHTML([]byte(res.Srcset(fallbackFormat(res), base))), Sizes,
		strconv.Itoa(res.Width), strconv.Itoa(res.Height), util.EscapeHTML([]byte(alt)), loading)
	b.WriteString("</picture>")
	return b.String()
}

// pictureRenderer draws images: a processed one as its <picture>, any
// other as a plain <img> (goldmark's own rendering, without a title).
type pictureRenderer struct{}

func (pictureRenderer) RegisterFuncs(reg gmrenderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindImage, func(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		img := n.(*ast.Image)
		if v, ok := img.AttributeString(attrPicture); ok {
			w.WriteString(v.(string))
			return ast.WalkSkipChildren, nil
		}
		w.WriteString(`<img src="`)
		w.Write(util.EscapeHTML(util.URLEscape(img.Destination, true)))
		w.WriteString(`" alt="`)
		w.Write(util.EscapeHTML([]byte(plainText(img, src))))
		w.WriteString(`">`)
		return ast.WalkSkipChildren, nil
	})
}
