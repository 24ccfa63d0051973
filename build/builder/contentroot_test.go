package builder

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa/content"
)

// A symbolic link in a page's folder that leads out of the content folder
// (ln -s /etc/passwd pw.txt, listed as an attachment or linked) is an
// error at the line that names it, and nothing of the file it points to
// is published: whether the content is opened as the commands open it
// (content.Dir, an os.Root) or as a plain os.DirFS.
func TestBundleSymlinkOutside(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(secret, []byte("aws_secret_access_key = KHONG-DUOC-LO"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, page, want string }{
		{"listed", "---\ntitle: A\ndate: 2023-04-02\nattachments:\n  - { file: pw.txt, title: Mật khẩu }\n---\nĐoạn một.\n", "content/thong-bao/a/index.md:5: "},
		{"linked", "---\ntitle: A\ndate: 2023-04-02\n---\nĐoạn một.\n\nXem [tệp](pw.txt).\n", "content/thong-bao/a/index.md:7: "},
		{"image", "---\ntitle: A\ndate: 2023-04-02\n---\n![ảnh](pw.jpg)\n", "content/thong-bao/a/index.md:5: "},
	} {
		for _, how := range []string{"os.Root", "os.DirFS"} {
			t.Run(tc.name+" "+how, func(t *testing.T) {
				dir := t.TempDir()
				writeTree(t, dir, map[string]string{
					"content/site.yaml":            "title: \"Phường Thử\"\n",
					"content/thong-bao/a/index.md": tc.page,
				})
				for _, name := range []string{"pw.txt", "pw.jpg"} {
					if err := os.Symlink(secret, filepath.Join(dir, "content/thong-bao/a", name)); err != nil {
						t.Fatal(err)
					}
				}
				var cfs fs.FS = os.DirFS(filepath.Join(dir, "content"))
				if how == "os.Root" {
					var err error
					if cfs, err = content.Dir(filepath.Join(dir, "content")); err != nil {
						t.Fatal(err)
					}
				}
				out := filepath.Join(dir, "public")
				_, err := Build(Options{Content: cfs, ContentDir: "content", Out: out, Now: now})
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "trỏ ra ngoài thư mục nội dung") {
					t.Errorf("build: %v, want an error at %s about a link out of the folder", err, tc.want)
				}
				filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if err == nil && d.Type().IsRegular() {
						if b, _ := os.ReadFile(p); strings.Contains(string(b), "KHONG-DUOC-LO") {
							t.Errorf("%s holds the file outside the content folder", p)
						}
					}
					return nil
				})
			})
		}
	}
}

// A link to another file of the same folder is that file.
func TestBundleSymlinkInside(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"content/site.yaml":               "title: \"Phường Thử\"\n",
		"content/thong-bao/a/index.md":    "---\ntitle: A\ndate: 2023-04-02\nattachments:\n  - { file: ban-sao.pdf, title: Bản sao }\n---\nĐoạn.\n",
		"content/thong-bao/a/ban-goc.pdf": pdf(2000),
	})
	if err := os.Symlink("ban-goc.pdf", filepath.Join(dir, "content/thong-bao/a/ban-sao.pdf")); err != nil {
		t.Fatal(err)
	}
	cfs, err := content.Dir(filepath.Join(dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "public")
	if _, err := Build(Options{Content: cfs, ContentDir: "content", Out: out, Now: now}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, out, "thong-bao/a/ban-sao.pdf"); got != pdf(2000) {
		t.Error("the linked file was not published as the file it names")
	}
}

// A page that is a link out of the content folder is not read.
func TestPageSymlinkOutside(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "bi-mat.md")
	os.WriteFile(outside, []byte("---\ntitle: Bí mật\ndate: 2023-04-02\n---\nKHONG-DUOC-LO\n"), 0o600)
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"content/site.yaml": "title: \"Phường Thử\"\n", "content/thong-bao/b.md": "---\ntitle: B\ndate: 2023-04-02\n---\nĐoạn.\n"})
	if err := os.Symlink(outside, filepath.Join(dir, "content/thong-bao/bi-mat.md")); err != nil {
		t.Fatal(err)
	}
	cfs, err := content.Dir(filepath.Join(dir, "content"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "public")
	Build(Options{Content: cfs, ContentDir: "content", Out: out, Now: now})
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); strings.Contains(string(b), "KHONG-DUOC-LO") {
				t.Errorf("%s holds the page outside the content folder", p)
			}
		}
		return nil
	})
}

// An attachment over MaxAttachment is an error that names it, at the
// line that lists it. (The file is sparse: no 50 MB is written.)
func TestAttachmentTooLarge(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"content/site.yaml":            "title: \"Phường Thử\"\n",
		"content/thong-bao/a/index.md": "---\ntitle: A\ndate: 2023-04-02\nattachments:\n  - { file: ban-chup.pdf, title: Bản chụp }\n---\nĐoạn.\n",
	})
	big := filepath.Join(dir, "content/thong-bao/a/ban-chup.pdf")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, MaxAttachment+1); err != nil {
		t.Fatal(err)
	}
	cfs, _ := content.Dir(filepath.Join(dir, "content"))
	out := filepath.Join(dir, "public")
	_, err := Build(Options{Content: cfs, ContentDir: "content", Out: out, Now: now})
	if err == nil || !strings.Contains(err.Error(), "content/thong-bao/a/index.md:5: tệp đính kèm content/thong-bao/a/ban-chup.pdf nặng") || !strings.Contains(err.Error(), "quá giới hạn") {
		t.Errorf("build: %v", err)
	}
	if exists(out, "thong-bao/a/ban-chup.pdf") {
		t.Error("the oversized file was published")
	}
}
