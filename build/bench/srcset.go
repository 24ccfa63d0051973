package main

import (
	"fmt"
	"image"
	_ "image/jpeg" // image.DecodeConfig of the files written
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	xwebp "golang.org/x/image/webp"
	"golang.org/x/net/html"
)

// A screen the image benchmark downloads a page on.
type screen struct {
	name  string
	width float64 // CSS pixels
	dpr   float64 // device pixels per CSS pixel
}

var screens = []screen{
	{"phone 390 px, 2×", 390, 2},
	{"phone 390 px, 3×", 390, 3},
	{"laptop 1280 px, 1×", 1280, 1},
}

// candidate is one entry of a srcset.
type candidate struct {
	url   string
	width float64 // its w descriptor
}

// picture is what a browser chooses from for one <picture> or <img>: the
// first <source type="image/webp"> (every browser in use shows WebP), else
// the <img>'s srcset, with the sizes next to it.
type picture struct {
	candidates []candidate
	sizes      string
}

// pagePictures reads the pictures of the HTML page at path.
func pagePictures(path string) ([]picture, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	attr := func(n *html.Node, key string) string {
		for _, a := range n.Attr {
			if a.Key == key {
				return a.Val
			}
		}
		return ""
	}
	var out []picture
	var walk func(n *html.Node, inPicture bool)
	walk = func(n *html.Node, inPicture bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "picture":
				var p *picture
				for c := n.FirstChild; c != nil && p == nil; c = c.NextSibling {
					if c.Type != html.ElementNode {
						continue
					}
					if c.Data == "source" && attr(c, "type") == "image/webp" || c.Data == "img" {
						p = &picture{candidates: parseSrcset(attr(c, "srcset")), sizes: attr(c, "sizes")}
					}
				}
				if p != nil {
					out = append(out, *p)
				}
				inPicture = true
			case "img":
				if !inPicture {
					out = append(out, picture{candidates: parseSrcset(attr(n, "srcset")), sizes: attr(n, "sizes")})
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inPicture)
		}
	}
	walk(doc, false)
	return out, nil
}

// parseSrcset reads "url 480w, url 960w" (URLs without commas, as both
// pages write them).
func parseSrcset(s string) []candidate {
	var out []candidate
	for _, part := range strings.Split(s, ",") {
		f := strings.Fields(part)
		if len(f) != 2 || !strings.HasSuffix(f[1], "w") {
			continue
		}
		w, err := strconv.ParseFloat(strings.TrimSuffix(f[1], "w"), 64)
		if err == nil {
			out = append(out, candidate{f[0], w})
		}
	}
	return out
}

// choose returns the candidate Chromium fetches on sc: each candidate's
// density is its width over the slot's (from sizes), and of the two around
// the screen's device pixel ratio it takes the lower when the ratio is
// below their geometric mean (HTMLSrcsetParser's SelectionLogic).
func (p picture) choose(sc screen) (candidate, error) {
	if len(p.candidates) == 0 {
		return candidate{}, fmt.Errorf("a picture without a srcset")
	}
	slot, err := evalSizes(p.sizes, sc.width)
	if err != nil {
		return candidate{}, err
	}
	cs := append([]candidate(nil), p.candidates...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].width < cs[j].width })
	density := func(i int) float64 { return cs[i].width / slot }
	i := 0
	for ; i < len(cs)-1; i++ {
		next := density(i + 1)
		if next < sc.dpr {
			continue
		}
		cur := density(i)
		if sc.dpr <= 1 && sc.dpr > cur || sc.dpr >= math.Sqrt(cur*next) {
			return cs[i+1], nil
		}
		break
	}
	return cs[i], nil
}

// evalSizes returns the slot width in CSS pixels that a sizes attribute
// gives on a viewport vw wide: its first entry whose media condition
// holds. It reads what the pages write: (min-width: L) or (max-width: L)
// conditions, and px, rem, em, vw lengths, alone or in calc(a ± b); an
// empty sizes is 100vw.
func evalSizes(sizes string, vw float64) (float64, error) {
	if strings.TrimSpace(sizes) == "" {
		return vw, nil
	}
	for _, entry := range strings.Split(sizes, ",") {
		entry = strings.TrimSpace(entry)
		if strings.HasPrefix(entry, "(") {
			end := strings.Index(entry, ")")
			if end < 0 {
				return 0, fmt.Errorf("sizes %q: unclosed condition", sizes)
			}
			feature, value, ok := strings.Cut(entry[1:end], ":")
			if !ok {
				return 0, fmt.Errorf("sizes %q: condition %q", sizes, entry[:end+1])
			}
			limit, err := evalLength(value, vw)
			if err != nil {
				return 0, err
			}
			var holds bool
			switch strings.TrimSpace(feature) {
			case "min-width":
				holds = vw >= limit
			case "max-width":
				holds = vw <= limit
			default:
				return 0, fmt.Errorf("sizes %q: media feature %q", sizes, feature)
			}
			if !holds {
				continue
			}
			entry = entry[end+1:]
		}
		return evalLength(entry, vw)
	}
	return vw, nil
}

func evalLength(s string, vw float64) (float64, error) {
	s = strings.TrimSpace(s)
	if inner, ok := strings.CutPrefix(s, "calc("); ok && strings.HasSuffix(inner, ")") {
		f := strings.Fields(strings.TrimSuffix(inner, ")"))
		if len(f) != 3 || f[1] != "+" && f[1] != "-" {
			return 0, fmt.Errorf("length %q: want calc(a + b) or calc(a - b)", s)
		}
		a, err := evalLength(f[0], vw)
		if err != nil {
			return 0, err
		}
		b, err := evalLength(f[2], vw)
		if err != nil {
			return 0, err
		}
		if f[1] == "-" {
			b = -b
		}
		return a + b, nil
	}
	for _, u := range []struct {
		suffix string
		px     float64
	}{{"px", 1}, {"rem", 16}, {"em", 16}, {"vw", vw / 100}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil {
				return 0, fmt.Errorf("length %q: %v", s, err)
			}
			return v * u.px, nil
		}
	}
	return 0, fmt.Errorf("length %q: want px, rem, em or vw", s)
}

// downloads returns the bytes and pixels of the images sc fetches for the
// page at dir/index.html (every picture, as if scrolled through), each URL
// being a path under dir, and the widths it fetched with their counts.
func downloads(dir string, sc screen) (written, string, error) {
	var total written
	pics, err := pagePictures(filepath.Join(dir, "index.html"))
	if err != nil {
		return total, "", err
	}
	if len(pics) == 0 {
		return total, "", fmt.Errorf("%s/index.html: no pictures", dir)
	}
	count := map[string]int{}
	for _, p := range pics {
		c, err := p.choose(sc)
		if err != nil {
			return total, "", err
		}
		w, err := imageFile(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(c.url, "/"))))
		if err != nil {
			return total, "", err
		}
		total.bytes += w.bytes
		total.pixels += w.pixels
		count[strings.TrimPrefix(filepath.Ext(c.url), ".")+" "+strconv.Itoa(int(c.width))+"w"]++
	}
	var keys []string
	for k := range count {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d× %s", count[k], k))
	}
	return total, strings.Join(parts, ", "), nil
}

// imageFile returns the size and pixels of the image file at path.
func imageFile(path string) (written, error) {
	f, err := os.Open(path)
	if err != nil {
		return written{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return written{}, err
	}
	var cfg image.Config
	if filepath.Ext(path) == ".webp" {
		// x/image/webp's: image.DecodeConfig would pick the WebP
		// encoder's WebAssembly decoder.
		cfg, err = xwebp.DecodeConfig(f)
	} else {
		cfg, _, err = image.DecodeConfig(f)
	}
	if err != nil {
		return written{}, fmt.Errorf("%s: %w", path, err)
	}
	return written{fi.Size(), int64(cfg.Width) * int64(cfg.Height)}, nil
}
