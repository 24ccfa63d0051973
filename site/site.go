// Package site holds the look of Loa: html/template layouts (layouts/) and
// static assets (assets/: CSS, the favicon, and small scripts in
// assets/js: form.js sends a form, lookup.js looks a question up,
// search.js answers a search, staff.js and staff-log.js run the staff
// page, checkin.js and guests.js the staff's pages for the dialogue,
// commendation.js the commendation page, each after staff-tool.js, what
// those three share; print.js prints a document; and zxing-library.min.js, ZXing vendored
// from npm, which checkin.js loads to read QR codes where the browser
// cannot). They are
// embedded so that one binary carries them; the builder can take a directory
// instead to try out a new look without recompiling.
//
// Every page, whether the builder writes it or the form handler answers with
// it, is rendered in two steps: the page's own part ("main") first, then the
// shared frame (layouts/base.html) around it, fed a [Shell]. The frame knows
// nothing but the Shell, so the builder and the handler cannot drift apart.
package site

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path"

	"gopkg.in/yaml.v3"

	"loa/content"
)

//go:embed layouts assets
var embedded embed.FS

// FS returns the embedded layouts and assets.
func FS() fs.FS { return embedded }

// Dir opens a folder of layouts and assets on disk (the checkout's site/,
// read so that edits show without recompiling). Its files are read through
// an os.Root: a symbolic link that leads out of the folder cannot be
// opened, so no file of the machine is ever read as a layout or published
// as an asset.
func Dir(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return root.FS(), nil
}

// Config is the site-wide settings read from content/site.yaml.
// A field added here must join the key under which the frame keeps its
// rendered header and footer (partKey in frame.go).
type Config struct {
	Title   string `yaml:"title"`
	Tagline string `yaml:"tagline"`
	BaseURL string `yaml:"baseURL"`
	Menu    []Link `yaml:"menu"`
}

// Link is one entry of the navigation.
type Link struct {
	Name string `yaml:"name"`
	URL  string `yaml:"url"`
}

// Shell is everything the shared frame (layouts/base.html) reads.
type Shell struct {
	Site        Config
	Title       string // the page's own title; the frame appends the site's
	Description string
	Canonical   string // absolute URL, empty for pages that have none (error answers)
	Path        string // site-relative URL of the page, e.g. "/ke-hoach/"; marks the current menu entry
	OGType      string // "website" or "article"
	// Image is the absolute URL of the page's image for Open Graph (a
	// processed JPEG or PNG, never a source), with its size; "" for none.
	Image                   string
	ImageWidth, ImageHeight int
	NoIndex                 bool   // staff pages, answers of the form handler
	Feeds                   []Link // Atom feeds to announce in <head>
	Scripts                 []string
	LiveReload              bool // serve mode only, never when publishing: links LiveReloadScript
	Main                    template.HTML

	// Set by [Frame.Render] from the frame's own assets and from Site.Menu
	// and Path; callers leave them empty. Header and Footer are the
	// layouts' "site-header" and "site-footer" (see [Chrome]), Links their
	// "site-links" (see [HeadLinks]).
	Stylesheet            string
	Icon                  string
	Menu                  []MenuEntry
	Header, Footer, Links template.HTML
}

// MenuEntry is an entry of the site's menu as one page shows it. Current
// is the value of its aria-current: "page" on the page it links, "true"
// on a page under it (a plan under "Kế hoạch"), "" elsewhere.
type MenuEntry struct {
	Name, URL, Current string
}

// LiveReloadScript is the URL of the script that reloads a page when the
// serve command has rebuilt the site. The frame links it when
// Shell.LiveReload is set; only the serve command answers it, so it is never
// part of a published site.
const LiveReloadScript = "/_loa/reload.js"

// LoadConfig reads site.yaml at the root of a content tree (content.FS or
// the content folder); dir names the tree in messages ("content"). The
// builder, serve and the form handler all read it here, so that the
// handler frames its pages exactly as the builder does.
func LoadConfig(contentFS fs.FS, dir string) (Config, error) {
	var c Config
	name := path.Join(dir, "site.yaml")
	raw, err := fs.ReadFile(contentFS, "site.yaml")
	if err != nil {
		return c, fmt.Errorf("%s: %w", name, err)
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		return c, content.YAMLError(name, "settings", 0, err)
	}
	return c, nil
}
