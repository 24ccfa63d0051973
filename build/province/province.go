// Package province builds a province: one deployment that carries many
// units (phường, xã, đặc khu), each a website of its own.
//
// The model: a province is a folder holding tinh.yaml (the province's name
// and the addresses of its sites) and one folder per unit. A unit's folder
// is a content folder exactly like the single ward's content/: site.yaml,
// sections, pages, bieu-mau/ and data/. Its name is the unit's slug, made
// from the unit's official name (site.yaml's title) by the slug function
// of URLs: "Phường Bạch Sam" lives in phuong-bach-sam/. So every tool that
// takes a content folder (build --content, import, codes) takes a unit
// too, and the slug that names the folder also names the unit's host, its
// folder in the built site and its prefix in the submissions bucket.
//
//	don-vi/tinh.yaml
//	don-vi/phuong-bach-sam/site.yaml, ke-hoach/, bieu-mau/, data/, ...
//	don-vi/xa-nghia-tru/site.yaml, ...
//
// [Build] builds every unit with the builder into Out/<slug>/, a few units
// at once, and writes the province page listing them (Out/_tinh/, PageDir). A
// unit whose inputs (its files, the layouts, the build's options and the
// program itself) are those of its last build is skipped, as long as that
// build is still valid at Now (see builder.Result.Until): its files are
// told by their size, time and inode, and when those differ by their
// bytes. A unit built again is updated in place (builder.Options.Update):
// only the files whose bytes changed are written. Every unit is built
// with one builder.Layouts, read once. A unit that fails
// keeps its last good site and is reported by its name, file and line; the
// other units are built and published all the same.
package province

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"loa/content"
	"loa/functions/vntext"
	"loa/site"
)

// File is the province's settings file, at the root of its folder.
const File = "tinh.yaml"

// UnitPlaceholder stands for a unit's slug in Province.UnitURL.
const UnitPlaceholder = "{don-vi}"

// Province is a province's folder, read.
type Province struct {
	Dir     string // the folder, as named on the command line
	Title   string // e.g. "Tỉnh Hưng Yên"
	Tagline string
	// BaseURL is the province page's address.
	BaseURL string
	// UnitURL is a unit's address with UnitPlaceholder for its slug,
	// e.g. "https://{don-vi}.hungyen.gov.vn/"; empty: each unit's own
	// baseURL (site.yaml).
	UnitURL string
	Units   []Unit // by slug
}

// Unit is one unit of a province.
type Unit struct {
	Slug    string // vntext.Slug(Name): the folder's name, the host's first label, the bucket prefix
	Name    string // the official name, site.yaml's title
	Tagline string
	Dir     string // its content folder, e.g. "don-vi/phuong-bach-sam"
	URL     string // its address: the province's UnitURL, else its own baseURL
}

// settings is tinh.yaml.
type settings struct {
	Title   string `yaml:"title"`
	Tagline string `yaml:"tagline"`
	BaseURL string `yaml:"baseURL"`
	UnitURL string `yaml:"unitURL"`
}

// Load reads the province in dir: tinh.yaml and every folder beside it
// that holds a site.yaml. Every mistake is reported, each naming its file.
func Load(dir string) (*Province, error) {
	name := filepath.Join(dir, File)
	raw, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no province here: a province folder holds %s and one content folder per unit", dir, File)
		}
		return nil, err
	}
	var s settings
	if err := yaml.Unmarshal(raw, &s); err != nil {
		return nil, content.YAMLError(name, "cài đặt của tỉnh", 0, err)
	}
	p := &Province{Dir: dir, Title: strings.TrimSpace(s.Title), Tagline: strings.TrimSpace(s.Tagline), BaseURL: s.BaseURL, UnitURL: s.UnitURL}
	var errs []error
	if p.Title == "" {
		errs = append(errs, fmt.Errorf("%s: thiếu \"title\" (tên tỉnh, ví dụ title: \"Tỉnh Hưng Yên\")", name))
	}
	if p.UnitURL != "" && !strings.Contains(p.UnitURL, UnitPlaceholder) {
		errs = append(errs, fmt.Errorf("%s: \"unitURL\" phải có %s ở chỗ tên của đơn vị, ví dụ unitURL: \"https://%s.hungyen.gov.vn/\"", name, UnitPlaceholder, UnitPlaceholder))
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		udir := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(udir, "site.yaml")); err != nil {
			continue // not a unit: a folder of the province's own
		}
		u, err := loadUnit(udir, p.UnitURL)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.Units = append(p.Units, u)
	}
	if len(p.Units) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: không có đơn vị nào: mỗi đơn vị là một thư mục có site.yaml, đặt tên theo tên đơn vị (ví dụ phuong-bach-sam)", dir))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(p.Units, func(a, b Unit) int { return strings.Compare(a.Slug, b.Slug) })
	return p, nil
}

// loadUnit reads the unit in the content folder dir.
func loadUnit(dir, unitURL string) (Unit, error) {
	fsys, err := content.Dir(dir)
	if err != nil {
		return Unit{}, err
	}
	cfg, err := site.LoadConfig(fsys, filepath.ToSlash(dir))
	if err != nil {
		return Unit{}, err
	}
	u := Unit{Name: strings.TrimSpace(cfg.Title), Tagline: strings.TrimSpace(cfg.Tagline), Dir: dir}
	yml := filepath.Join(dir, "site.yaml")
	if u.Name == "" {
		return Unit{}, fmt.Errorf("%s: thiếu \"title\": tên chính thức của đơn vị, ví dụ title: \"Phường Bạch Sam\"", yml)
	}
	u.Slug = vntext.Slug(u.Name)
	if base := filepath.Base(dir); base != u.Slug {
		return Unit{}, fmt.Errorf("%s: đơn vị %q phải ở thư mục %s (tên thư mục lấy từ tên đơn vị), không phải %s: đổi tên thư mục, hoặc sửa \"title\"", yml, u.Name, u.Slug, base)
	}
	u.URL = cfg.BaseURL
	if unitURL != "" {
		u.URL = strings.ReplaceAll(unitURL, UnitPlaceholder, u.Slug)
	}
	return u, nil
}

// Unit returns the unit of the slug, if the province has it.
func (p *Province) Unit(slug string) (Unit, bool) {
	i, ok := slices.BinarySearchFunc(p.Units, slug, func(u Unit, s string) int { return strings.Compare(u.Slug, s) })
	if !ok {
		return Unit{}, false
	}
	return p.Units[i], true
}
