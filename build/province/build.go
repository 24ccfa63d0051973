package province

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"loa/build/builder"
	"loa/content"
	"loa/site"
)

// Options say how to build a province.
type Options struct {
	Out  string // the built province: Out/<slug>/ per unit, Out/index.html
	Site fs.FS  // layouts/ and assets/; site.FS() when nil

	Drafts, Future, Expired bool

	// Now is the instant the units are built as of; zero: the real time.
	Now time.Time
	// Parallel is how many units are built at once (GOMAXPROCS when
	// zero), Workers how many pages each renders at once (the builder's
	// default when zero, twice GOMAXPROCS: a page's worker mostly waits
	// on the file system). Memory stays that of a few units whatever
	// their number.
	Parallel, Workers int
	// Force builds every unit, changed or not.
	Force bool
}

// Result sums up a province build.
type Result struct {
	Units    []UnitResult // in the order of Province.Units
	Duration time.Duration
}

// UnitResult is what became of one unit.
type UnitResult struct {
	Unit    Unit
	Skipped bool           // its inputs had not changed: its last build stands
	Build   builder.Result // when built
	Err     error          // when it failed: its last good site stands
}

// Built, Skipped and Failed count the units.
func (r Result) Built() (n int) {
	return r.count(func(u UnitResult) bool { return !u.Skipped && u.Err == nil })
}
func (r Result) Skipped() (n int) { return r.count(func(u UnitResult) bool { return u.Skipped }) }
func (r Result) Failed() (n int)  { return r.count(func(u UnitResult) bool { return u.Err != nil }) }

func (r Result) count(f func(UnitResult) bool) (n int) {
	for _, u := range r.Units {
		if f(u) {
			n++
		}
	}
	return n
}

// Err is every failed unit's error, or nil.
func (r Result) Err() error {
	var errs []error
	for _, u := range r.Units {
		if u.Err != nil {
			errs = append(errs, u.Err)
		}
	}
	return errors.Join(errs...)
}

func (r Result) String() string {
	return fmt.Sprintf("%d units: %d built, %d unchanged, %d failed, %d ms",
		len(r.Units), r.Built(), r.Skipped(), r.Failed(), r.Duration.Milliseconds())
}

// PageDir is the folder of the built province that holds the province
// page and its assets, beside the units' folders: its name is no unit's
// slug (a slug has no "_"), and on AWS it is the site bucket's prefix
// for the province's own host, as <slug>/ is for a unit's.
const PageDir = "_tinh"

// UnitError is a unit that did not build. Its error names the file and
// line, under the unit's folder.
type UnitError struct {
	Unit Unit
	Err  error
}

func (e *UnitError) Error() string {
	return fmt.Sprintf("đơn vị %s (%s) chưa dựng được, trang đã xuất bản trước đó giữ nguyên:\n\t%s",
		e.Unit.Name, e.Unit.Slug, strings.ReplaceAll(e.Err.Error(), "\n", "\n\t"))
}

func (e *UnitError) Unwrap() error { return e.Err }

// Build builds every unit of p into opts.Out and writes the province page.
// A unit's failure is in its UnitResult (and Result.Err): the other units
// are built all the same. The error returned is for what stops the whole
// build (no output folder, a broken layout).
func Build(p *Province, opts Options) (Result, error) {
	start := time.Now()
	if opts.Out == "" {
		return Result{}, errors.New("province: no output folder")
	}
	if opts.Site == nil {
		opts.Site = site.FS()
	}
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return Result{}, err
	}
	common, err := commonInputs(opts)
	if err != nil {
		return Result{}, err
	}
	// Every unit is built with the same layouts: read, parsed and
	// hashed once for all.
	layouts, err := builder.NewLayouts(opts.Site)
	if err != nil {
		return Result{}, err
	}
	res := Result{Units: make([]UnitResult, len(p.Units))}
	var g errgroup.Group
	g.SetLimit(opts.Parallel)
	for i, u := range p.Units {
		g.Go(func() error {
			res.Units[i] = buildUnit(u, opts, layouts, now, common)
			return nil
		})
	}
	g.Wait()
	if _, err := writePage(p, filepath.Join(opts.Out, PageDir), opts.Site, layouts.Frame()); err != nil {
		return res, err
	}
	if err := prune(p, opts.Out); err != nil {
		return res, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

// buildUnit builds u unless its last build stands.
func buildUnit(u Unit, opts Options, layouts *builder.Layouts, now time.Time, common []byte) UnitResult {
	r := UnitResult{Unit: u}
	out := filepath.Join(opts.Out, u.Slug)
	inputs, err := unitInputs(u, common)
	if err != nil {
		r.Err = &UnitError{Unit: u, Err: err}
		return r
	}
	last := readStamp(out)
	if !opts.Force && last.holds(inputs, now) {
		r.Skipped = true
		return r
	}
	// Some file's size, time or inode changed: its bytes may not have (a
	// file saved unchanged, a checkout). They are hashed, the unit's
	// only, when it was built before.
	var bytesHash string
	if last.Inputs != "" {
		bytesHash, _ = unitBytes(u, common) // without it, the unit is built
	}
	if !opts.Force && bytesHash != "" && last.Bytes == bytesHash && last.holds(last.Inputs, now) {
		last.Inputs = inputs
		if err := last.write(out); err != nil {
			r.Err = &UnitError{Unit: u, Err: err}
			return r
		}
		r.Skipped = true
		return r
	}
	fsys, err := content.Dir(u.Dir)
	if err != nil {
		r.Err = &UnitError{Unit: u, Err: err}
		return r
	}
	r.Build, err = builder.Build(builder.Options{
		Content: fsys, ContentDir: filepath.ToSlash(u.Dir), Layouts: layouts, Out: out,
		Drafts: opts.Drafts, Future: opts.Future, Expired: opts.Expired,
		BaseURL: u.URL, Now: now, Workers: opts.Workers,
		// A unit is built again when one of its files changed, mostly
		// one page: only what that changes is written.
		Update: true,
		// One cache for the province: a photo two units share is
		// processed once.
		ImageCache: filepath.Join(filepath.Dir(filepath.Clean(opts.Out)), ".cache", "images"),
	})
	if err != nil {
		r.Err = &UnitError{Unit: u, Err: err}
		return r
	}
	st := stamp{Inputs: inputs, Bytes: bytesHash, From: now, Until: r.Build.Until}
	if err := st.write(out); err != nil {
		r.Err = &UnitError{Unit: u, Err: err}
	}
	return r
}

// stampFile, in a unit's built folder, says what it was built from. It
// is hidden: neither serve nor publish hands it out.
const stampFile = ".loa-inputs.json"

// stamp is a unit's last build: the hash of its inputs, and the instants
// between which that build is what the inputs make. Inputs hashes the
// files' sizes, times and inodes (unitInputs), Bytes their bytes
// (unitBytes), taken when the unit was built again after a change;
// when Inputs differs but Bytes does not, the build stands.
type stamp struct {
	Inputs string    `json:"inputs"`
	Bytes  string    `json:"bytes,omitempty"`
	From   time.Time `json:"from"`
	Until  time.Time `json:"until,omitzero"`
}

func readStamp(out string) stamp {
	var st stamp
	if b, err := os.ReadFile(filepath.Join(out, stampFile)); err == nil {
		json.Unmarshal(b, &st) // a damaged stamp is no stamp: the unit is built
	}
	return st
}

// holds reports whether the build the stamp records is what the inputs
// make at now.
func (st stamp) holds(inputs string, now time.Time) bool {
	return st.Inputs != "" && st.Inputs == inputs && !now.Before(st.From) && (st.Until.IsZero() || now.Before(st.Until))
}

func (st stamp) write(out string) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	tmp := filepath.Join(out, stampFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(out, stampFile))
}

// commonInputs hashes what every unit is built from besides its own
// files: the program (a new version of Loa may build differently), the
// layouts and assets, and the options.
func commonInputs(opts Options) ([]byte, error) {
	h := sha256.New()
	fmt.Fprintf(h, "loa province build 1\x00drafts=%t future=%t expired=%t\x00", opts.Drafts, opts.Future, opts.Expired)
	prog, err := programHash(opts.Out)
	if err != nil {
		return nil, err
	}
	h.Write(prog)
	err = fs.WalkDir(opts.Site, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(opts.Site, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("province: layouts: %w", err)
	}
	return h.Sum(nil), nil
}

// programFile, in the built province, keeps the hash of the program
// that last built it and the executable it was read from.
const programFile = ".loa-program.json"

// program is the hash of an executable, and the file it was read from.
type program struct {
	File executable `json:"file"`
	Hash []byte     `json:"hash"`
}

// executable is what tells one executable file from another.
type executable struct {
	Path  string `json:"path"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
	Inode uint64 `json:"inode"`
}

// programHash is the hash of this program's executable: Go builds the
// same source into the same bytes, so it changes exactly when the code
// does. Reading and hashing some 50 MB costs more than the rest of a
// build that finds nothing changed, so the hash is kept in out, with the
// executable's path, size, time and inode, and read again only when one
// of those differs: a new build of the program is a new file.
func programHash(out string) ([]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(exe)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	now := program{File: executable{Path: exe, Size: fi.Size(), MTime: fi.ModTime().UnixNano(), Inode: inode(fi)}}
	cache := filepath.Join(out, programFile)
	var last program
	if b, err := os.ReadFile(cache); err == nil && json.Unmarshal(b, &last) == nil && last.File == now.File && len(last.Hash) == sha256.Size {
		return last.Hash, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	now.Hash = h.Sum(nil)
	if b, err := json.Marshal(now); err == nil {
		writeFile(cache, b) // without it, the next build reads the program again
	}
	return now.Hash, nil
}

// unitInputs hashes the unit's files (name, size, modification time, inode),
// its address and the common inputs. A file's time and size stand for
// its bytes, as they do for make: an editor's save changes the time.
func unitInputs(u Unit, common []byte) (string, error) {
	buf := append([]byte(nil), common...)
	buf = append(append(buf, u.URL...), 0)
	buf, err := appendTree(buf, u.Dir, "")
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), nil
}

// appendTree appends to buf, for the folder dir and everything under it
// (named from rel, the folder's path in the unit), each entry's name,
// type, size, time and inode, in the order of their names. A province's
// every file is read so on every build, some 30,000 of them: each is
// stated by its name in its folder (os.Root), not by a path from the
// top, and nothing is formatted.
func appendTree(buf []byte, dir, rel string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return buf, err
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return buf, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return buf, fmt.Errorf("%s: %w", dir, err)
	}
	slices.Sort(names)
	for _, name := range names {
		fi, err := root.Lstat(name)
		if err != nil {
			return buf, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
		}
		buf = append(append(append(buf, rel...), name...), 0)
		buf = binary.LittleEndian.AppendUint32(buf, uint32(fi.Mode().Type()))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(fi.Size()))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(fi.ModTime().UnixNano()))
		buf = binary.LittleEndian.AppendUint64(buf, inode(fi))
		if fi.IsDir() {
			if buf, err = appendTree(buf, filepath.Join(dir, name), rel+name+"/"); err != nil {
				return buf, err
			}
		}
	}
	return buf, nil
}

// unitBytes hashes what unitInputs stands for with the files' bytes
// rather than their sizes, times and inodes (and a link's target rather
// than its own), with the unit's address and the common inputs.
func unitBytes(u Unit, common []byte) (string, error) {
	h := sha256.New()
	h.Write(common)
	h.Write(append([]byte(u.URL), 0))
	if err := hashTree(h, u.Dir, ""); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashTree writes to h, for the folder dir and everything under it, each
// entry's name, type and the hash of its bytes, in the order of their
// names.
func hashTree(h io.Writer, dir, rel string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		fi, err := root.Lstat(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s%s\x00%d\x00", rel, name, uint32(fi.Mode().Type()))
		switch {
		case fi.IsDir():
			if err := hashTree(h, filepath.Join(dir, name), rel+name+"/"); err != nil {
				return err
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := root.Readlink(name)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00", target)
		default:
			f, err := root.Open(name)
			if err != nil {
				return err
			}
			fh := sha256.New()
			_, err = io.Copy(fh, f)
			f.Close()
			if err != nil {
				return err
			}
			h.Write(fh.Sum(nil))
		}
	}
	return nil
}

// pageView is what layouts/province.html reads.
type pageView struct {
	Title, Tagline string
	Canonical      string
	Stylesheet     string
	Icon           string
	Units          []Unit
	NotFound       bool // the 404 page
}

// WritePage writes the province page, out/index.html, its 404 page,
// out/404.html (every unit's, on AWS), and the assets they
// link, with the layouts and assets of siteFS (site.FS() when nil), and
// returns their paths (slash-separated, under out). Every unit is listed,
// at its URL, whether or not it was built.
func WritePage(p *Province, out string, siteFS fs.FS) ([]string, error) {
	if siteFS == nil {
		siteFS = site.FS()
	}
	frame, err := site.NewFrame(siteFS)
	if err != nil {
		return nil, err
	}
	return writePage(p, out, siteFS, frame)
}

// writePage is WritePage with the frame made from siteFS.
func writePage(p *Province, out string, siteFS fs.FS, frame *site.Frame) ([]string, error) {
	tmpl, err := template.ParseFS(siteFS, "layouts/province.html")
	if err != nil {
		return nil, fmt.Errorf("province: %w", err)
	}
	v := pageView{Title: p.Title, Tagline: p.Tagline, Canonical: p.BaseURL, Stylesheet: frame.Stylesheet(), Units: p.Units}
	var files []string
	for _, a := range frame.Assets() {
		switch {
		case a.Path == "/favicon.svg":
			v.Icon = a.Path
		case a.Path != v.Stylesheet:
			continue // the units' scripts are in the units' folders
		}
		files = append(files, strings.TrimPrefix(a.Path, "/"))
		if err := writeFile(filepath.Join(out, filepath.FromSlash(a.Path)), a.Data); err != nil {
			return nil, err
		}
	}
	// The page, and the same page as the 404 of every unit on AWS
	// (CloudFront shows one error page for the whole distribution).
	for _, page := range []struct {
		name     string
		notFound bool
	}{{"index.html", false}, {"404.html", true}} {
		v.NotFound = page.notFound
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, v); err != nil {
			return nil, fmt.Errorf("province: layouts/province.html: %w", err)
		}
		files = append(files, page.name)
		if err := writeFile(filepath.Join(out, page.name), buf.Bytes()); err != nil {
			return nil, err
		}
	}
	// The page's folder holds these files and nothing else: an older
	// stylesheet goes.
	keep := map[string]bool{}
	for _, f := range files {
		for d := f; d != "."; d = path.Dir(d) {
			keep[d] = true
		}
	}
	err = filepath.WalkDir(out, func(name string, d fs.DirEntry, err error) error {
		if err != nil || name == out {
			return err
		}
		rel, _ := filepath.Rel(out, name)
		if keep[filepath.ToSlash(rel)] {
			return nil
		}
		if err := os.RemoveAll(name); err != nil {
			return err
		}
		if d.IsDir() {
			return fs.SkipDir
		}
		return nil
	})
	return files, err
}

// writeFile writes data to name whole: a reader sees the old file or the
// new one. An unchanged file is left as it is.
func writeFile(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}

// prune removes from out what neither a unit nor the province page owns:
// a unit taken out of the province, or what a single ward's build left in
// the same folder; and from the page's folder, its older stylesheets.
// Hidden files (the builder's staging folders) stay.
func prune(p *Province, out string) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if _, unit := p.Unit(e.Name()); (unit && e.IsDir()) || e.Name() == PageDir || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
