package service

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"loa/functions/routes"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/site"
)

// The province level: what a province's form service answers for the
// province itself rather than for one of its units. Its accounts, of the
// province's kind (store.RoleProvince), are kept through the store at the
// province level (store.ProvinceLevel, beside the units' prefixes), and
// they see one thing: routes.ProvinceCounts, how many submissions each
// unit has of each of its forms. The counts are the lengths of the units'
// listings: no submission is read to make them, so none of what people
// typed can be in them. A province account is known to no unit (each
// unit's accounts are the unit's own), so it reads no unit's rows: a
// unit's staff route answers it 401, or 403 when it names itself
// "name@_tinh".
//
// A request is the province's when CloudFront's unit header names
// store.ProvinceLevel (the province's host), or, with no unit named by
// the header or the host, when its path is under /api/ (serve's province
// host) or starts with /_tinh/.

// Lister is a province's Units that can also list its units. Without it,
// the units are the folders of the bucket (store.ListUnits).
type Lister interface {
	Slugs(ctx context.Context) ([]string, error)
}

// UnitCount is one unit's line of the province's counts.
type UnitCount struct {
	Unit  string      `json:"unit"` // slug
	Name  string      `json:"name"` // site.yaml's title
	Forms []FormCount `json:"forms"`
	Total int         `json:"total"`
	// Error says, in Vietnamese, why the unit could not be counted.
	Error string `json:"error,omitempty"`
}

// FormCount is the number of submissions of one form of a unit.
type FormCount struct {
	Form   string    `json:"form"`
	Title  string    `json:"title"`
	Count  int       `json:"count"`
	Open   bool      `json:"open"`
	Closes time.Time `json:"closes"`
}

// ProvinceCounts is the answer of routes.ProvinceCounts.
type ProvinceCounts struct {
	OK    bool        `json:"ok"`
	At    time.Time   `json:"at"`
	Units []UnitCount `json:"units"`
	Total int         `json:"total"`
}

type provinceLevel struct {
	p  *province
	st *store.Store
	// wrong slows down guessing: a wrong secret takes a token.
	wrong *rate.Limiter
	mu    sync.Mutex
	check map[string]*staff.Checker // by hash
}

func newProvinceLevel(p *province) (*provinceLevel, error) {
	sc := store.Config{Bucket: p.cfg.Bucket, Prefix: p.cfg.Prefix, Unit: store.ProvinceLevel}
	st, err := store.New(p.cfg.S3, sc)
	if err != nil {
		return nil, err
	}
	return &provinceLevel{p: p, st: st, wrong: rate.NewLimiter(rate.Every(6*time.Second), 10), check: map[string]*staff.Checker{}}, nil
}

func (l *provinceLevel) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != routes.ProvinceCounts {
		writeError(w, http.StatusNotFound, "Không có xã, phường nào ở địa chỉ này. Hãy mở trang của xã, phường từ trang của tỉnh.")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, "Chỉ xem được số liệu (GET).")
		return
	}
	acct, ok := l.signIn(w, r)
	if !ok {
		return
	}
	counts, err := l.counts(r.Context())
	status := http.StatusOK
	if err != nil {
		status = http.StatusServiceUnavailable
	}
	// One audit record for each read, at the province level: who, when,
	// what (never what people typed: there is none here).
	if _, aerr := l.st.Audit(r.Context(), store.AuditRecord{
		At: l.p.cfg.Now(), Who: acct.ID, Name: acct.Name, Role: acct.Role, Action: "province-counts", Status: status,
	}); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		l.p.cfg.Logger.Error("service: province counts", slog.String("account", acct.ID), slog.String("error", err.Error()))
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, "Chưa lấy được số liệu của các đơn vị. Hãy thử lại sau ít phút.")
		return
	}
	writeJSONValue(w, http.StatusOK, counts)
}

// signIn checks the province account the request names; it answers the
// request itself when it fails.
func (l *provinceLevel) signIn(w http.ResponseWriter, r *http.Request) (store.Account, bool) {
	w.Header().Set("Cache-Control", "no-store")
	name, home, qualified := strings.Cut(strings.TrimSpace(r.Header.Get(routes.AccountHeader)), "@")
	if qualified && !strings.EqualFold(strings.TrimSpace(home), store.ProvinceLevel) {
		writeError(w, http.StatusForbidden, "Tài khoản của xã, phường không xem được số liệu của cả tỉnh: hãy dùng tài khoản của tỉnh.")
		return store.Account{}, false
	}
	secret := r.Header.Get(routes.StaffHeader)
	if name == "" || secret == "" {
		writeError(w, http.StatusUnauthorized, "Hãy đăng nhập bằng tài khoản của tỉnh (tên tài khoản và mã).")
		return store.Account{}, false
	}
	if l.wrong.Tokens() < 1 {
		w.Header().Set("Retry-After", "60")
		writeError(w, http.StatusTooManyRequests, "Đã nhập sai mã quá nhiều lần. Hãy đợi một phút rồi thử lại.")
		return store.Account{}, false
	}
	a, _, err := l.st.GetAccount(r.Context(), name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		l.p.cfg.Logger.Error("service: province account", slog.String("error", err.Error()))
		w.Header().Set("Retry-After", "30")
		writeError(w, http.StatusServiceUnavailable, "Chưa kiểm tra được tài khoản. Hãy thử lại sau ít phút.")
		return store.Account{}, false
	}
	if c := l.checker(a); err != nil || a.Role != store.RoleProvince || c == nil || !c.Check(secret) {
		l.wrong.Allow()
		writeError(w, http.StatusUnauthorized, "Tên tài khoản hoặc mã không đúng.")
		return store.Account{}, false
	}
	return a, true
}

// checker is the secret checker of an account's hash, made once.
func (l *provinceLevel) checker(a store.Account) *staff.Checker {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.check[a.Hash]; ok {
		return c
	}
	c, err := staff.CheckerOf("account "+a.ID, a.Hash)
	if err != nil {
		c = nil
	}
	l.check[a.Hash] = c
	return c
}

// counts counts every unit's submissions of each of its forms, a few
// units at once, from the listings alone.
func (l *provinceLevel) counts(ctx context.Context) (ProvinceCounts, error) {
	slugs, err := l.p.slugs(ctx)
	if err != nil {
		return ProvinceCounts{}, err
	}
	out := ProvinceCounts{OK: true, At: l.p.cfg.Now(), Units: make([]UnitCount, len(slugs))}
	var g errgroup.Group
	g.SetLimit(8)
	for i, slug := range slugs {
		g.Go(func() error {
			uc, err := l.unitCount(ctx, slug)
			if err != nil {
				l.p.cfg.Logger.Warn("service: a unit not counted", slog.String("unit", slug), slog.String("error", err.Error()))
				uc = UnitCount{Unit: slug, Error: "Chưa đếm được: hệ thống biểu mẫu của đơn vị này đang được cập nhật."}
			}
			out.Units[i] = uc
			return nil
		})
	}
	g.Wait()
	for _, u := range out.Units {
		out.Total += u.Total
	}
	return out, nil
}

func (l *provinceLevel) unitCount(ctx context.Context, slug string) (UnitCount, error) {
	uc := UnitCount{Unit: slug, Forms: []FormCount{}}
	u, err := l.p.cfg.Units.Unit(ctx, slug)
	if err != nil {
		return uc, err
	}
	if cfg, err := site.LoadConfig(u.Content, u.ContentDir); err == nil {
		uc.Name = cfg.Title
	}
	svc, err := l.p.unit(ctx, slug)
	if err != nil {
		return uc, err
	}
	now := l.p.cfg.Now()
	for _, f := range svc.Forms.Forms() {
		n := 0
		for token := ""; ; {
			keys, next, err := svc.Store.ListKeys(ctx, f.ID, token, 1000)
			if err != nil {
				return uc, err
			}
			n += len(keys)
			if token = next; token == "" {
				break
			}
		}
		uc.Forms = append(uc.Forms, FormCount{Form: f.ID, Title: f.Title, Count: n, Open: f.IsOpen(now), Closes: f.Closes})
		uc.Total += n
	}
	return uc, nil
}

// ProvinceStore is the store of the province level, where the province's
// accounts are kept (serve makes the first one there); nil for a ward.
func (s *Service) ProvinceStore() *store.Store {
	if s.province == nil {
		return nil
	}
	return s.province.level.st
}

// writeJSONValue answers v as JSON.
func writeJSONValue(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Lỗi máy chủ.")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}
