// Package content holds the ward's pages and the settings staff change: the
// plans (ke-hoach), announcements (thong-bao), form pages (bieu-mau) with
// their deadlines, topics, quota and consent notice, and data lists (data/).
//
// The files are embedded so that the site builder and the form handler read
// the very same settings: the builder renders them, the handler enforces
// them. Nothing here is Go but this file.
package content

import "embed"

// FS is the content tree, rooted at this directory.
//
//go:embed site.yaml ke-hoach thong-bao bieu-mau data
var FS embed.FS
