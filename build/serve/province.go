package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"loa/build/province"
	"loa/content"
	"loa/functions/handler"
	"loa/functions/localstore"
	"loa/functions/routes"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// ProvinceServer is a running preview of a province (`serve --province
// DIR`, `make serve PROVINCE=don-vi`): the whole province on one machine,
// as one deployment runs it on AWS.
//
//   - Every unit is served at http://<unit>.localhost:<port>/ (browsers
//     send *.localhost to this machine), built into
//     <data>/don-vi/<unit>/public and rebuilt on its edits as a ward's
//     preview is; the province page, listing the units, is at
//     http://localhost:<port>/.
//   - One form service (service.New with Units) answers every unit's
//     /api/ and /hoi-dap/, over one local S3 store in <data>/, each unit
//     under its own prefix. A unit is named by its host, or on the
//     province's host by the first segment of the path:
//     http://localhost:<port>/<unit>/api/forms/cau-hoi, for programs.
//   - Each unit has its own first staff account, quan-tri, whose secret is
//     made on the first run and kept in <data>/don-vi/<unit>/staff-secret:
//     one secret for every unit would open each unit's data to the
//     others' staff, so LOA_STAFF_SECRET is refused here.
//   - The province has its own first account, tinh (store.RoleProvince),
//     whose secret is kept in <data>/don-vi/_tinh/staff-secret: it sees
//     each unit's counts at http://localhost:<port>/api/tinh/so-lieu, and
//     no unit's rows.
//   - A unit whose site does not build is served as the error that stops
//     it, until an edit mends it; the others are served all the same.
type ProvinceServer struct {
	URL      string // "http://127.0.0.1:8080"
	Data     string // absolute path of the data folder
	S3       *localstore.Server
	Province *province.Province
	Units    map[string]*Server // by slug
	Service  *service.Service   // the one form service
	// ProvinceSecret is the secret of the province's first account,
	// ProvinceAccount (store.RoleProvince), which sees every unit's
	// counts: kept in <data>/don-vi/_tinh/staff-secret.
	ProvinceSecret string

	api     http.Handler
	page    *Server // the province page, served from <data>/tinh
	port    string
	cfg     Config
	log     *slog.Logger
	handler http.Handler

	stopDigest func()

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// UnitURL is the address of the unit slug on this preview.
func (p *ProvinceServer) UnitURL(slug string) string {
	return "http://" + slug + ".localhost:" + p.port + "/"
}

// StartProvince builds every unit of cfg.Province and serves them; Close
// stops it. Of cfg, ContentDir and Secret are not used.
func StartProvince(cfg Config) (_ *ProvinceServer, err error) {
	if cfg.Data == "" {
		return nil, errors.New("serve: no data folder")
	}
	if strings.TrimSpace(cfg.Secret) != "" {
		return nil, fmt.Errorf("serve: %s gives every unit of a province the same staff secret, and so each unit's staff the others' data: unset it; each unit's first secret is made in its folder under the data folder", EnvSecret)
	}
	data, err := filepath.Abs(cfg.Data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("serve: data folder: %w", err)
	}
	prov, err := province.Load(cfg.Province)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	p := &ProvinceServer{Data: data, Province: prov, Units: map[string]*Server{}, cfg: cfg, log: cfg.Logger, done: make(chan error, 1)}
	if p.log == nil {
		p.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	clock := time.Now
	if !cfg.Now.IsZero() {
		from, started := cfg.Now, time.Now()
		clock = func() time.Time { return from.Add(time.Since(started)) }
	}
	siteFS := site.FS()
	if isDir(cfg.SiteDir) {
		if siteFS, err = site.Dir(cfg.SiteDir); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	} else {
		cfg.SiteDir = ""
	}
	receipt, err := keptSecret("", data, ReceiptKeyFile)
	if err != nil {
		return nil, fmt.Errorf("serve: receipt key: %w", err)
	}

	// The address first: the units' addresses carry its port.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			ln.Close()
		}
	}()
	p.URL = "http://" + ln.Addr().String()
	_, p.port, _ = net.SplitHostPort(ln.Addr().String())

	if p.S3, err = startStore(data, p.log); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			p.closeUnits()
			p.S3.Close()
		}
	}()

	p.Service, err = service.New(service.Config{
		S3: p.S3.Client, Bucket: Bucket, Layouts: siteFS, Units: provinceUnits{p},
		Now: clock, ReceiptKey: receipt, Logger: p.log, NoLimits: cfg.NoLimits,
		Background: true, // each unit's exports kept fresh, as a ward's preview's
		Mail:       cfg.mailer(), MailFrom: cfg.mailFrom(), DigestWhen: cfg.digestWhen(),
	})
	if err != nil {
		return nil, err
	}
	p.api = p.Service.Handler

	for _, u := range prov.Units {
		s := &Server{
			cfg: Config{
				Addr: cfg.Addr, ContentDir: u.Dir, SiteDir: cfg.SiteDir, Drafts: cfg.Drafts, Now: cfg.Now,
				Watch: cfg.Watch, NoLimits: cfg.NoLimits,
			},
			URL: p.UnitURL(u.Slug), Data: filepath.Join(data, "don-vi", u.Slug), S3: p.S3,
			clock: clock, site: siteFS, receipt: receipt, log: p.log.With("unit", u.Slug),
			unit: u.Slug, prov: p,
		}
		s.Out = filepath.Join(s.Data, "public")
		api := p.api // before its first build too: the forms need no page
		s.api.Store(&api)
		if err := os.MkdirAll(s.Data, 0o700); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if s.content, err = content.Dir(u.Dir); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
		if s.Secret, err = staffSecret("", s.Data); err != nil {
			return nil, err
		}
		if err := s.setHash(); err != nil {
			return nil, err
		}
		if err := s.firstAccount(); err != nil {
			return nil, err
		}
		if cfg.Watch {
			s.reload = newBroker()
		}
		p.Units[u.Slug] = s
	}

	if err := p.firstProvinceAccount(); err != nil {
		return nil, err
	}

	// Every unit built, a few at once; one that fails is served as its
	// error until an edit mends it.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, s := range p.Units {
		g.Go(func() error {
			if _, err := s.fullBuild(); err != nil {
				msg := err.Error()
				s.firstErr.Store(&msg)
				s.log.Error("serve: the unit's site did not build", "error", msg)
			}
			return nil
		})
	}
	g.Wait()

	// The province page, linking the units at their addresses here.
	local := *prov
	local.Units = append([]province.Unit(nil), prov.Units...)
	for i := range local.Units {
		local.Units[i].URL = p.UnitURL(local.Units[i].Slug)
	}
	local.BaseURL = ""
	p.page = &Server{Out: filepath.Join(data, "tinh")}
	if _, err := province.WritePage(&local, p.page.Out, siteFS); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}

	p.handler = p.routes()
	p.srv = httpServer(p.handler)
	for _, s := range p.Units {
		if s.reload != nil {
			p.srv.RegisterOnShutdown(s.reload.close)
		}
	}
	go func() { p.done <- p.srv.Serve(ln) }()
	// Each unit's daily digest, from its own accounts, in one run.
	p.stopDigest = cfg.dailyDigest(clock, p.log, func(ctx context.Context) error {
		_, err := p.Service.RunDigests(ctx)
		return err
	})

	if cfg.Watch {
		for _, s := range p.Units {
			w, err := s.watch()
			if err != nil {
				p.Close()
				return nil, err
			}
			s.watching = w
		}
	}
	return p, nil
}

// setHash hashes the unit's staff secret for its first account.
func (s *Server) setHash() error {
	h, err := staff.HashSecret(s.Secret)
	if err != nil {
		return fmt.Errorf("serve: staff secret: %w", err)
	}
	s.hash = h
	return nil
}

// ProvinceAccount is the province's first account in serve.
const ProvinceAccount = "tinh"

// firstProvinceAccount makes the province's first account, of the
// province's kind, on the first run; its secret is kept beside the units'.
func (p *ProvinceServer) firstProvinceAccount() error {
	dir := filepath.Join(p.Data, "don-vi", store.ProvinceLevel)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	secret, err := staffSecret("", dir)
	if err != nil {
		return err
	}
	p.ProvinceSecret = secret
	st := p.Service.ProvinceStore()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if list, err := st.Accounts(ctx); err != nil || len(list) > 0 {
		return err
	}
	hash, err := staff.HashSecret(secret)
	if err != nil {
		return fmt.Errorf("serve: province secret: %w", err)
	}
	_, err = st.CreateAccount(ctx, store.Account{ID: ProvinceAccount, Name: "Tài khoản của tỉnh", Role: store.RoleProvince, Hash: hash})
	if err != nil && !errors.Is(err, store.ErrAccountExists) {
		return fmt.Errorf("serve: the province's first account: %w", err)
	}
	return nil
}

// provinceUnits is the province's units for the form service, which can
// list them for the province's counts.
type provinceUnits struct{ p *ProvinceServer }

func (u provinceUnits) Unit(ctx context.Context, slug string) (service.Unit, error) {
	return u.p.unitContent(ctx, slug)
}

func (u provinceUnits) Slugs(context.Context) ([]string, error) {
	var slugs []string
	for _, unit := range u.p.Province.Units {
		slugs = append(slugs, unit.Slug)
	}
	return slugs, nil
}

// unitContent is the province's units for the form service: each unit's
// content folder, in the version of its last build.
func (p *ProvinceServer) unitContent(ctx context.Context, slug string) (service.Unit, error) {
	s, ok := p.Units[slug]
	if !ok {
		return service.Unit{}, fmt.Errorf("%s: %w", slug, service.ErrNoUnit)
	}
	return service.Unit{
		Slug: slug, Content: s.content, ContentDir: s.cfg.ContentDir, Version: strconv.FormatInt(s.version.Load(), 10),
		StaffURL: s.URL + strings.TrimPrefix(routes.StaffPage, "/"), // the digest links the unit's staff page here
	}, nil
}

// hostUnit is the unit a host names (its first label), if it is not an
// address or a name without dots such as "localhost".
func hostUnit(host string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	label, rest, ok := strings.Cut(strings.ToLower(host), ".")
	if !ok || rest == "" || net.ParseIP(host) != nil {
		return "", false
	}
	return label, true
}

// routes send each request to its unit by its host; the province's own
// host has the province page, and takes a unit's API by path.
func (p *ProvinceServer) routes() http.Handler {
	units := map[string]http.Handler{}
	for slug, s := range p.Units {
		units[slug] = s.routes()
	}
	pageMux := http.NewServeMux()
	pageMux.HandleFunc("/", p.page.static)
	headers := site.LocalSecurityHeaders()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slug, ok := hostUnit(r.Host); ok {
			if h, ok := units[slug]; ok {
				h.ServeHTTP(w, r)
				return
			}
			for _, h := range headers {
				w.Header().Set(h.Name, h.Value)
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, "Tỉnh %s không có đơn vị %q. Danh sách các đơn vị: %s/\n", p.Province.Title, slug, p.URL)
			return
		}
		for _, h := range headers {
			w.Header().Set(h.Name, h.Value)
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			p.api.ServeHTTP(w, r) // the province's own routes (routes.ProvinceCounts)
			return
		}
		seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if _, ok := p.Units[seg]; ok {
			if strings.HasPrefix(rest, "api/") || rest == strings.Trim(routes.PublicPage, "/") || strings.HasPrefix(rest, strings.TrimPrefix(routes.PublicPage, "/")) {
				p.api.ServeHTTP(w, r) // the service takes the unit off the path
				return
			}
			// A unit's pages link from its root: send the browser there.
			u := p.UnitURL(seg) + rest
			if r.URL.RawQuery != "" {
				u += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, u, http.StatusFound)
			return
		}
		pageMux.ServeHTTP(w, r)
	})
}

// Close stops watching and serving, and closes the local store.
func (p *ProvinceServer) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}

func (p *ProvinceServer) close() error {
	if p.stopDigest != nil {
		p.stopDigest()
	}
	p.closeUnits()
	return shutdown(p.srv, p.done, p.S3, p.Service.Close)
}

func (p *ProvinceServer) closeUnits() {
	for _, s := range p.Units {
		if s.watching != nil {
			s.watching.close()
			s.watching = nil
		}
	}
}

// banner tells the IT person where every unit is.
func (p *ProvinceServer) banner(w io.Writer, dataFlag string) {
	fmt.Fprintf(w, "\nLoa: bản xem trước của %s trên máy này (không phải trang đã xuất bản)\n\n", p.Province.Title)
	fmt.Fprintf(w, "  Trang của tỉnh    http://localhost:%s/\n", p.port)
	fmt.Fprintf(w, "  Số liệu các đơn vị http://localhost:%s%s  (tài khoản %s, mã %s, lưu ở %s; không kèm dữ liệu cá nhân)\n",
		p.port, routes.ProvinceCounts, ProvinceAccount, p.ProvinceSecret, filepath.Join(dataFlag, "don-vi", store.ProvinceLevel, SecretFile))
	for _, u := range p.Province.Units {
		s := p.Units[u.Slug]
		fmt.Fprintf(w, "\n  %s\n", u.Name)
		fmt.Fprintf(w, "    Trang web         %s\n", p.UnitURL(u.Slug))
		if msg := s.firstErr.Load(); msg != nil {
			fmt.Fprintf(w, "    Chưa dựng được    %s\n", strings.ReplaceAll(*msg, "\n", "\n                      "))
			continue
		}
		if reg := s.built.Forms(); reg != nil {
			for _, f := range reg.Forms() {
				state := "đang nhận"
				switch now := s.clock(); {
				case now.Before(f.Opens):
					state = "chưa mở, mở lúc " + vntext.DateTime(f.Opens)
				case !f.IsOpen(now):
					state = "đã đóng lúc " + vntext.DateTime(f.Closes)
				}
				fmt.Fprintf(w, "    Biểu mẫu          %sbieu-mau/%s/  (%s)\n", p.UnitURL(u.Slug), f.ID, state)
			}
		}
		fmt.Fprintf(w, "    Trang quản trị    %s%s\n", strings.TrimSuffix(p.UnitURL(u.Slug), "/"), routes.StaffPage)
		fmt.Fprintf(w, "    Tài khoản đầu     %s, mã %s  (lưu ở %s)\n", handler.LegacyAccount, s.Secret, filepath.Join(dataFlag, "don-vi", u.Slug, SecretFile))
	}
	if p.cfg.SMTP != "" {
		fmt.Fprintf(w, "\n  Thư tóm tắt       của từng đơn vị, gửi qua máy chủ thư %s, từ %s, lúc %d giờ mỗi ngày (theo đồng hồ của bản xem trước)\n", p.cfg.SMTP, p.cfg.mailFrom(), p.cfg.digestHour())
	}
	fmt.Fprintf(w, "\n  Dữ liệu           %s  (một kho S3 trên máy này, bucket %q, mỗi đơn vị một tiền tố: <đơn vị>/)\n", p.Data, Bucket)
	fmt.Fprintf(w, "\nSửa %s/ hoặc site/ rồi lưu: trang của đơn vị tự dựng lại và tải lại. Ctrl+C để dừng.\n\n", p.cfg.Province)
}
