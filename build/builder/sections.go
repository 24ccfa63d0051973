package builder

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"loa/content"
	"loa/functions/vntext"
)

// sectionIndex is the file that makes a folder of the content a section.
const sectionIndex = "_index.md"

// anyKind in a section's "kinds:" takes the kinds of official document
// that no other section names.
const anyKind = "*"

// Section is a folder at the top of the content tree with an _index.md,
// as in Hugo: its front matter says how the section is shown, and nothing
// in Go names one. Its pages get a list page at /<dir>/ (20 to a page),
// and, when they are dated, an Atom feed, a place in the site's feed and
// their latest five on the home page.
//
//	---
//	title: "Kế hoạch"            # the section's name for readers (required)
//	description: "…"             # under the title of its list page
//	weight: 10                   # its place among the sections on the home page
//	dated: true                  # its pages need a date, are listed newest first and go into the feeds (default true)
//	home: true                   # its latest pages on the home page (default: as dated)
//	kinds: ["Kế hoạch"]          # the kinds of official document the Word import puts here; "*": every other kind
//	---
//	A text shown at the top of the list page.
//
// The menu is content too, in site.yaml: one list in one file, where the
// whole bar is seen and ordered, sections and other pages alike.
type Section struct {
	Dir         string // "ke-hoach": the folder, as the address has it
	Folder      string // the folder as saved: "Kế hoạch" is served at /ke-hoach/
	Title       string
	Description string
	Weight      int
	Dated       bool
	Home        bool
	Kinds       []string
	Intro       string // the Markdown under the front matter
	Source      string // the _index.md, as named in messages
}

// Listed tells whether s has a list page of its own: every section but
// the one the register of documents shares its address with.
func (s *Section) Listed() bool { return s.Dir != registerDir }

// Takes tells whether the Word import puts a document of kind (its name
// or its heading) into s; wildcard says whether "*" counts.
func (s *Section) Takes(kind string, wildcard bool) bool {
	for _, k := range s.Kinds {
		if k == anyKind && wildcard || kindKey(k) == kindKey(kind) {
			return true
		}
	}
	return false
}

// Sections reads the sections of the content tree fsys (dir names it in
// messages), in their order on the home page: by weight, then title.
func Sections(fsys fs.FS, dir string) ([]*Section, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var out []*Section
	var errs []error
	for _, e := range entries {
		if e.Type()&fs.ModeSymlink != 0 && !strings.HasPrefix(e.Name(), ".") {
			// Content is read inside its folder: a linked folder would be
			// left out without a word.
			if _, err := fs.Stat(fsys, e.Name()); err != nil {
				errs = append(errs, fmt.Errorf("%s: là liên kết (symlink) tới chỗ ngoài thư mục nội dung, nên không đọc được; cần chép chính thư mục hoặc tệp vào %s", path.Join(dir, e.Name()), dir))
			}
			continue
		}
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "data" {
			continue
		}
		name := path.Join(e.Name(), sectionIndex)
		src, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		slug := vntext.Slug(e.Name())
		if slug == "" {
			errs = append(errs, fmt.Errorf("%s: thư mục %q không có chữ hay số nào để làm địa chỉ của mục; cần đổi tên thư mục", path.Join(dir, name), e.Name()))
			continue
		}
		s, err := readSection(path.Join(dir, name), slug, src)
		if err == nil {
			s.Folder = e.Name()
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b *Section) int {
		if a.Weight != b.Weight {
			return a.Weight - b.Weight
		}
		return strings.Compare(a.Title, b.Title)
	})
	return out, nil
}

// readSection reads an _index.md; source names it in messages.
func readSection(source, dir string, src []byte) (*Section, error) {
	s := &Section{Dir: dir, Source: source, Dated: true}
	front, body, _, ok := content.FrontMatter(src)
	s.Intro = string(body)
	if !ok {
		return nil, fmt.Errorf("%s: mục cần phần đầu trang giữa hai dòng --- với ít nhất title: \"Tên mục\"", source)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(front, &root); err != nil {
		return nil, content.YAMLError(source, "phần đầu trang (front matter)", 1, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: mục cần phần đầu trang với ít nhất title: \"Tên mục\"", source)
	}
	m := root.Content[0]
	home := (*bool)(nil)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		var err error
		switch k.Value {
		case "title":
			s.Title, err = str(k.Value, v)
		case "description":
			s.Description, err = str(k.Value, v)
		case "weight":
			if v.Kind != yaml.ScalarNode || v.Decode(&s.Weight) != nil {
				err = errAt(v, "phần đầu trang: \"weight\" phải là một số, ví dụ weight: 10")
			}
		case "dated":
			s.Dated, err = boolean(k.Value, v)
		case "home":
			var h bool
			h, err = boolean(k.Value, v)
			home = &h
		case "kinds":
			s.Kinds, err = strs(k.Value, v)
		default:
			err = errAt(k, "phần đầu trang của mục: không có khóa %q (các khóa dùng được: title, description, weight, dated, home, kinds)", k.Value)
		}
		if err != nil {
			return nil, fileError(source, err)
		}
	}
	if s.Title == "" {
		return nil, fmt.Errorf("%s: phần đầu trang: mục thiếu \"title\" (tên mục người đọc thấy, ví dụ title: \"Tin tức\")", source)
	}
	s.Home = s.Dated
	if home != nil {
		s.Home = *home
	}
	return s, nil
}

// checkKinds checks the sections' "kinds:" against the list of kinds: each
// names a kind of the list (or "*"), no kind is taken by two sections, and
// one section at most takes every other kind.
func checkKinds(sections []*Section, l *kindList) error {
	var errs []error
	taken := map[string]*Section{}
	var any *Section
	for _, s := range sections {
		for _, k := range s.Kinds {
			if k == anyKind {
				if any != nil {
					errs = append(errs, fmt.Errorf("%s: kinds: \"*\" (mọi loại còn lại) đã có ở %s; chỉ một mục nhận mọi loại còn lại", s.Source, any.Source))
				}
				any = s
				continue
			}
			kind, ok := l.find(k)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: kinds: %q không có trong danh sách loại văn bản %s (cần một trong: %s)", s.Source, k, l.file, l.names()))
				continue
			}
			if prev := taken[kind.Slug]; prev != nil && prev != s {
				errs = append(errs, fmt.Errorf("%s: kinds: %q đã thuộc mục %s; mỗi loại văn bản vào một mục", s.Source, k, prev.Source))
				continue
			}
			taken[kind.Slug] = s
		}
	}
	return errors.Join(errs...)
}

// section returns the section of the folder dir, or nil.
func (b *build) section(dir string) *Section {
	for _, s := range b.sections {
		if s.Dir == dir {
			return s
		}
	}
	return nil
}

// dated tells whether the pages of the folder dir are dated: listed newest
// first, in the feeds.
func (b *build) dated(dir string) bool {
	s := b.section(dir)
	return s != nil && s.Dated
}

// sectionTitle is the title of the section of the folder dir, or "".
func (b *build) sectionTitle(dir string) string {
	if s := b.section(dir); s != nil {
		return s.Title
	}
	return ""
}
