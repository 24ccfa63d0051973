package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// A province's form service serves many units (phường, xã, đặc khu) from
// one function: each request names its unit, and is answered by that
// unit's own service, assembled by New as a ward's is, from the unit's
// content, over the unit's part of the bucket (store.Config.Unit: its
// submissions, accounts, audit log, answers, all of it). Nothing is shared
// between units but the S3 client, the clock and the logger: a unit's
// staff accounts are read from its prefix alone, so no account of one unit
// signs in to another.
//
// A request names its unit, in this order:
//
//   - by Config.UnitHeader, which CloudFront sets from the viewer's host
//     (on AWS, where the function's own host says nothing);
//   - by the first label of its host: phuong-bach-sam.localhost:8080 (serve);
//   - by the first segment of its path, which is then taken off:
//     /phuong-bach-sam/api/forms/cau-hoi (serve, for programs).
//
// A request that names the province itself (store.ProvinceLevel, or /api/
// on a host that names no unit) is the province level's (level.go).
//
// A staff request may name its account as "name@unit" (routes.AccountHeader).
// An account of another unit than the request's is refused with 403 before
// the unit's service sees the request: the staff of one unit are told
// plainly that they cannot act on another unit's data.

// Unit is one unit of a province, as the form service needs it.
type Unit struct {
	Slug string // e.g. "phuong-bach-sam": its host's first label, its prefix in the bucket
	// Content holds the unit's site.yaml, bieu-mau/ and data/; ContentDir
	// names it in errors.
	Content    fs.FS
	ContentDir string
	// Version changes when Content does: the unit is assembled again on
	// its next request. Empty for content that never changes.
	Version string
	// StaffURL is the address of the unit's staff page that its digest
	// links; "" for the one its site.yaml gives (baseURL and /quan-tri/).
	StaffURL string
}

// Units finds a province's units by slug.
type Units interface {
	// Unit returns the unit of the slug, or an error wrapping ErrNoUnit
	// when the province has none.
	Unit(ctx context.Context, slug string) (Unit, error)
}

// UnitsFunc is a function that finds units.
type UnitsFunc func(ctx context.Context, slug string) (Unit, error)

// Unit calls f.
func (f UnitsFunc) Unit(ctx context.Context, slug string) (Unit, error) { return f(ctx, slug) }

// ErrNoUnit is the error of Units.Unit for a slug that names no unit.
var ErrNoUnit = errors.New("no such unit")

// ValidSlug reports whether s may name a unit: what vntext.Slug makes of a
// name (lower-case ASCII letters and digits, single dashes between).
func ValidSlug(s string) bool {
	return s != "" && len(s) <= 63 && vntext.Slug(s) == s
}

// province routes each request to its unit's service.
type province struct {
	cfg   Config
	level *provinceLevel // the province's own accounts and counts (level.go)
	mu    sync.Mutex
	units map[string]*unitEntry
	// foldFrom is the first unit the last fold did not finish: the next
	// starts there (fold.go). Kept in memory only: a new process starts
	// from the first unit.
	foldFrom string
}

// unitEntry is one unit's service, assembled on its first request and
// again when its content's version changes.
type unitEntry struct {
	mu  sync.Mutex // held while assembling
	cur atomic.Pointer[assembled]
}

type assembled struct {
	version string
	svc     *Service
}

func newProvince(cfg Config) (*Service, error) {
	if cfg.StaffSecretHash != "" {
		// One secret for every unit would let the staff of one read
		// another's data.
		return nil, errors.New("service: a shared staff secret (LOA_STAFF_SECRET_HASH) would open every unit of a province: leave it empty; each unit's staff sign in with the unit's own accounts")
	}
	cfg.gate = handler.NewGate(0)
	// After a burst every unit's refresher finds its pause at the same
	// moment: they fold one per two CPUs at a time, not all at once.
	cfg.turns = export.NewTurns(runtime.GOMAXPROCS(0) / 2)
	var err error
	if cfg.frame, err = site.NewFrame(cfg.Layouts); err != nil {
		return nil, err
	}
	if cfg.formLayouts, err = forms.ParseLayouts(cfg.Layouts); err != nil {
		return nil, err
	}
	p := &province{cfg: cfg, units: map[string]*unitEntry{}}
	if p.level, err = newProvinceLevel(p); err != nil {
		return nil, err
	}
	return &Service{Handler: Door(p, cfg.OriginSecret), logger: cfg.Logger, province: p}, nil
}

// unit returns the assembled service of the unit slug.
func (p *province) unit(ctx context.Context, slug string) (*Service, error) {
	if !ValidSlug(slug) {
		return nil, fmt.Errorf("%q: %w", slug, ErrNoUnit)
	}
	u, err := p.cfg.Units.Unit(ctx, slug)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	e := p.units[slug]
	if e == nil {
		e = &unitEntry{}
		p.units[slug] = e
	}
	p.mu.Unlock()
	if a := e.cur.Load(); a != nil && a.version == u.Version {
		return a.svc, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if a := e.cur.Load(); a != nil && a.version == u.Version {
		return a.svc, nil
	}
	cfg := p.cfg
	cfg.Units, cfg.UnitHeader = nil, ""
	cfg.Content, cfg.ContentDir = u.Content, u.ContentDir
	cfg.Logger = p.cfg.Logger.With(slog.String("unit", slug))
	cfg.OriginSecret = ""     // the province's door has checked it
	cfg.StaffURL = u.StaffURL // "": the unit's own, from its site.yaml
	svc, err := assemble(cfg, slug)
	if err != nil {
		return nil, fmt.Errorf("unit %s: %w", slug, err)
	}
	if old := e.cur.Swap(&assembled{version: u.Version, svc: svc}); old != nil {
		old.svc.Close() // its requests in flight still answer
	}
	return svc, nil
}

// close stops the background work of every unit assembled so far.
func (p *province) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, e := range p.units {
		if a := e.cur.Load(); a != nil {
			a.svc.Close()
		}
	}
}

// unitOf names the unit of r, and the request its service is to see: r,
// or r without the unit's segment at the start of its path.
func (p *province) unitOf(r *http.Request) (string, *http.Request) {
	if h := p.cfg.UnitHeader; h != "" {
		if slug := strings.TrimSpace(r.Header.Get(h)); slug != "" {
			return slug, r
		}
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if label, rest, ok := strings.Cut(host, "."); ok && rest != "" && net.ParseIP(host) == nil {
		return strings.ToLower(label), r
	}
	// The province's own host: its API is the province level's.
	if strings.HasPrefix(r.URL.Path, "/api/") {
		return store.ProvinceLevel, r
	}
	seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = "/"+rest, ""
	return seg, r2
}

func (p *province) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	slug, r := p.unitOf(r)
	if slug == store.ProvinceLevel {
		p.level.ServeHTTP(w, r)
		return
	}
	svc, err := p.unit(r.Context(), slug)
	switch {
	case errors.Is(err, ErrNoUnit):
		writeError(w, http.StatusNotFound, "Không có xã, phường nào ở địa chỉ này. Hãy mở trang của xã, phường từ trang của tỉnh.")
		return
	case err != nil:
		p.cfg.Logger.Error("service: unit not ready", slog.String("unit", slug), slog.String("error", err.Error()))
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, "Hệ thống biểu mẫu của đơn vị này đang được cập nhật. Hãy thử lại sau ít phút.")
		return
	}
	if acct := r.Header.Get(routes.AccountHeader); strings.Contains(acct, "@") {
		name, home, _ := strings.Cut(strings.TrimSpace(acct), "@")
		if !strings.EqualFold(strings.TrimSpace(home), slug) {
			p.cfg.Logger.Warn("service: a staff account of another unit refused", slog.String("unit", slug), slog.String("account_unit", vntext.Slug(home)))
			w.Header().Set("Vary", routes.AccountHeader)
			writeError(w, http.StatusForbidden, "Tài khoản này thuộc đơn vị khác: mỗi tài khoản chỉ xem và xử lý dữ liệu của đơn vị mình. Hãy đăng nhập ở trang quản trị của đơn vị này.")
			return
		}
		r = r.Clone(r.Context())
		r.Header.Set(routes.AccountHeader, name)
	}
	svc.Handler.ServeHTTP(w, r)
}

// writeError answers a JSON message, as the handler's own answers are.
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	b, _ := json.Marshal(struct {
		OK      bool   `json:"ok"`
		Message string `json:"message"`
	}{Message: msg})
	w.Write(append(b, '\n'))
}
