package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand: flags may follow the file, as staff type them; a
// second run without --force is refused.
func TestImportCommand(t *testing.T) {
	dir := copyContent(t)
	file := filepath.Join("wordimport", "testdata", "paragraphs.docx")
	if err := runImport([]string{file, "--content", dir, "--section", "thong-bao", "--slug", "cau-hoi-doi-thoai"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "thong-bao", "cau-hoi-doi-thoai", "index.md")); err != nil {
		t.Fatal(err)
	}
	err := runImport([]string{"--content", dir, file, "--slug", "cau-hoi-doi-thoai", "--section", "thong-bao"})
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second import: %v", err)
	}
	if err := runImport([]string{"--content", dir}); err == nil {
		t.Error("no file: no error")
	}
}
