// Package searchpage writes a search index and its results page into a
// folder, as the builder will once it is wired: the index's files under
// /assets/search/, the frame's assets, and /tim-kiem/index.html rendered
// with layouts/search.html inside the site's frame. The search package's
// browser tests and the search benchmark use it.
package searchpage

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"

	"loa/build/search"
	"loa/site"
)

// Dir is the URL folder the index's files are published in.
const Dir = "/assets/search/"

// Write writes out and the results page under dir; fsys holds layouts/
// and assets/ (site.FS()).
func Write(dir string, out *search.Output, fsys fs.FS) error {
	for name, b := range out.Files {
		if err := writeFile(filepath.Join(dir, Dir, name), b); err != nil {
			return err
		}
	}
	frame, err := site.NewFrame(fsys)
	if err != nil {
		return err
	}
	for _, a := range frame.Assets() {
		if err := writeFile(filepath.Join(dir, a.Path), a.Data); err != nil {
			return err
		}
	}
	tmpl, err := template.ParseFS(fsys, "layouts/search.html", "layouts/search-box.html")
	if err != nil {
		return fmt.Errorf("searchpage: %w", err)
	}
	var main bytes.Buffer
	if err := tmpl.ExecuteTemplate(&main, "search.html", struct{ Search search.PageData }{out.PageData(Dir)}); err != nil {
		return fmt.Errorf("searchpage: layouts/search.html: %w", err)
	}
	var page bytes.Buffer
	err = frame.Render(&page, site.Shell{
		Site:    site.Config{Title: "Phường Bạch Sam", Menu: []site.Link{{Name: "Trang chủ", URL: "/"}, {Name: "Tìm kiếm", URL: "/tim-kiem/"}}},
		Title:   "Tìm kiếm",
		Path:    "/tim-kiem/",
		NoIndex: true,
		Scripts: []string{frame.Script("search.js")},
		Main:    template.HTML(main.String()),
	})
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "tim-kiem", "index.html"), page.Bytes())
}

func writeFile(name string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, b, 0o644)
}
