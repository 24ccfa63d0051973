// Package content holds the ward's pages and the settings staff change: its
// sections (each a folder with an _index.md that names it: plans,
// announcements, news, documents, the form pages of bieu-mau with their
// deadlines, topics, quota and consent notice), pages at the top such as
// gioi-thieu.md, the menu in site.yaml, and data lists (data/).
//
// Two readers, two ways in:
//
//   - The site builder and serve read the whole folder from disk ([Dir]),
//     so that a page may carry any name a person saves: Vietnamese in NFC or
//     NFD, spaces, dashes, quotes, "#", "&", "+". (go:embed refuses such
//     names, and one bad name would stop every binary.)
//   - The form handler reads only what it enforces: site.yaml, bieu-mau/
//     and data/. That part is embedded ([FS]), so the Lambda carries the
//     very settings the builder rendered and no page it never serves.
//
// The format of a content file, YAML front matter between two "---" lines
// followed by Markdown, has one reader too ([FrontMatter]), and mistakes in
// it one way of being told ([FileError], [YAMLError]).
package content

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is the form handler's share of the content tree, rooted at this
// directory: site.yaml, bieu-mau/ and data/. Form pages are named by their
// form id, so their names are always ones go:embed takes.
//
//go:embed site.yaml bieu-mau data
var FS embed.FS

// Dir opens the content folder dir on disk, checking that it is one. Its
// files are read through an os.Root: a symbolic link that leads out of
// the folder cannot be opened, so no file of the machine outside it is
// ever read as content.
func Dir(dir string) (fs.FS, error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: no content folder here (run from the project's root, or name it with --content)", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "site.yaml")); err != nil {
		return nil, fmt.Errorf("%s: not a content folder: it has no site.yaml", dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return root.FS(), nil
}

// Forms returns the content that the forms are read from: the folder dir
// when there is one (so a checkout's edits count), else the embedded copy.
// name is how to call it in messages.
func Forms(dir string) (fsys fs.FS, name string) {
	if dir != "" {
		if f, err := Dir(dir); err == nil {
			return f, dir
		}
	}
	return FS, "content"
}
