package main

import (
	"flag"
	"fmt"

	"loa/build/wordimport"
)

// runImport is "import": a Word document (.docx) in the Decree 30 layout
// becomes a page bundle under content/ (package wordimport).
//
//	import FILE.docx [--section SECTION] [--slug SLUG] [--force] [--content content]
//
// Flags may come before or after the file. It prints, in Vietnamese, what
// was recognised and what staff should check before publishing.
func runImport(args []string) error {
	fl := flag.NewFlagSet("import", flag.ContinueOnError)
	dir := fl.String("content", "content", "content folder")
	section := fl.String("section", "", "the section (a folder of the content with an _index.md) to put the page in (default: the one whose _index.md names the document's kind)")
	slug := fl.String("slug", "", "the page's address in its section (default: from the title)")
	force := fl.Bool("force", false, "replace the page if it exists")
	fl.Usage = func() {
		fmt.Fprintln(fl.Output(), "usage: go run ./build import FILE.docx [--section SECTION] [--slug SLUG] [--force]")
		fl.PrintDefaults()
	}
	var files []string
	for {
		if err := fl.Parse(args); err != nil {
			return err
		}
		if fl.NArg() == 0 {
			break
		}
		files = append(files, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(files) != 1 {
		fl.Usage()
		return fmt.Errorf("import: cần đúng một tệp .docx (có %d)", len(files))
	}
	res, err := wordimport.Import(wordimport.Options{
		File: files[0], Content: *dir, Section: *section, Slug: *slug, Force: *force,
	})
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Print(res.Report)
	return nil
}
