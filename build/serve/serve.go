// Package serve is Loa's local preview: `go run ./build serve` (`make serve`)
// runs the whole system on one machine, as it runs on AWS.
//
//   - The site is built into <data>/public, not public/: a preview may hold
//     drafts, a fixed --now and the reload script, and must never be what
//     `make publish` uploads. It is served with the pretty URLs of the
//     CloudFront function (/a/ → a/index.html, /a → 301 /a/) and 404.html.
//   - The form service, assembled by package service as the Lambda's is,
//     is mounted at /api/ and /hoi-dap/, the paths it has on AWS.
//     Submissions go to an S3-compatible server (gofakes3) on 127.0.0.1,
//     whose objects are kept on disk under <data>/ and survive
//     restarts (package localstore); `loa-export --local .data` reads the
//     same store. That server answers only requests signed with the access
//     key made on the first run and kept in <data>/s3-credentials (mode
//     0600), as the staff secret is.
//   - The staff secret is LOA_STAFF_SECRET, or one generated on the first
//     run and kept in <data>/staff-secret. On the first run its hash
//     becomes the first staff account, "quan-tri" (a quản lý), in the
//     local store, where staff add and remove the others; the handler
//     reads the accounts from there, as on AWS. A store made before
//     accounts gets its first account from the secret it already had. A
//     secret given by LOA_STAFF_SECRET also works as the shared secret, a
//     quản lý, for a page that names no account.
//   - Content is read from ./content and layouts and assets from ./site, so
//     that edits show without recompiling. A watcher rebuilds after each
//     edit (one page alone when it can, see builder.Site) and tells the open
//     pages to reload over Server-Sent Events (/_loa/reload). Only pages
//     built here link the reload script; the published site never does.
//   - --now previews the site as of an instant: the builder and the
//     handler's deadlines read a clock that starts there and runs on.
//   - --smtp (or LOA_SMTP) names a mail server: the daily digest
//     (package digest) goes through it at --digest-hour of each day of
//     that clock, and at once when serve starts past that hour, to every
//     account that asked for it on the staff page and has not had the
//     day's yet. It links the preview's staff page, and runs apart from
//     the handler: a mail server that refuses holds up no submission.
package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"loa/build/builder"
	"loa/content"
	"loa/functions/digest"
	"loa/functions/handler"
	"loa/functions/localstore"
	"loa/functions/routes"
	"loa/functions/service"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// Bucket is the local store's bucket, as `loa-export --local` expects it.
const Bucket = "loa"

// SecretFile is the file under the data folder that keeps the generated
// staff secret; EnvSecret overrides it.
const (
	SecretFile = "staff-secret"
	EnvSecret  = "LOA_STAFF_SECRET"
	// ReceiptKeyFile keeps the key of receipt codes, made on the first
	// run (mode 0600): the codes told to people depend on it.
	ReceiptKeyFile = "receipt-key"
	// EnvSMTP and EnvMailFrom are the defaults of --smtp and --mail-from.
	EnvSMTP     = "LOA_SMTP"
	EnvMailFrom = "LOA_DIGEST_FROM"
)

// Config says what to serve and where.
type Config struct {
	Addr string // e.g. "127.0.0.1:8080"; port 0 picks a free one
	Data string // the local store, the built site and the staff secret

	// ContentDir is the content folder, read from disk and watched
	// ("content" when empty). SiteDir holds layouts/ and assets/, watched
	// too; an empty or missing SiteDir means the look embedded in the
	// binary, not watched.
	ContentDir string
	SiteDir    string

	Drafts bool
	Now    time.Time // preview as of this instant (the clock runs on from it); zero: now

	// Secret is the staff secret; "" reads <Data>/staff-secret, making it
	// on the first run.
	Secret string
	// Watch rebuilds on edits and links the reload script into the pages.
	Watch bool
	// NoLimits turns off the forms' per-client rate limits, for load and
	// crash tests that send hundreds of submissions from this machine.
	NoLimits bool

	// SMTP is the host:port of the mail server the daily digest goes
	// through ("": no digest is sent); MailFrom its sender ("": loa@localhost);
	// DigestHour the hour it is sent each day, 1 to 23, Vietnam time (0: 7).
	SMTP       string
	MailFrom   string
	DigestHour int

	Logger *slog.Logger // nil: text on standard error

	// Province is a province folder (tinh.yaml and one content folder per
	// unit) to serve instead of ContentDir: see StartProvince.
	Province string
}

// Server is a running preview.
type Server struct {
	URL    string // "http://127.0.0.1:8080"
	Secret string // the staff secret
	Data   string // absolute path of the data folder
	Out    string // the built site
	S3     *localstore.Server

	cfg     Config
	clock   func() time.Time
	content fs.FS
	site    fs.FS
	hash    string
	// sharedHash is hash when the secret was given (LOA_STAFF_SECRET):
	// the shared secret, for requests that name no account.
	sharedHash string
	receipt    string // the key of receipt codes
	log        *slog.Logger

	mu       sync.Mutex // held while building; guards built and svc
	built    *builder.Site
	svc      *service.Service // the form service answering now
	api      atomic.Pointer[http.Handler]
	reload   *broker
	watching *watcher
	// digest is the current service's digester (nil without SMTP); the
	// daily loop runs it until stopDigest.
	digest     atomic.Pointer[digest.Digester]
	stopDigest func()

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error

	// A unit of a province (province.go): its slug, the province's
	// preview, which serves it and owns the store, and how many times it
	// has been built (the version of its content for the form service).
	unit     string
	prov     *ProvinceServer
	version  atomic.Int64
	firstErr atomic.Pointer[string] // why no build has succeeded yet
}

// Start builds the site and serves it. Close stops it.
func Start(cfg Config) (_ *Server, err error) {
	defer func() {
		// One clear sentence, not a list of every file that failed.
		if errors.Is(err, syscall.ENOSPC) {
			err = fmt.Errorf("serve: ổ đĩa chứa thư mục dữ liệu %s đã đầy (no space left on device); giải phóng chỗ trống rồi chạy lại", cfg.Data)
		}
	}()
	if cfg.Data == "" {
		return nil, errors.New("serve: no data folder")
	}
	data, err := filepath.Abs(cfg.Data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, fmt.Errorf("serve: data folder: %w", err)
	}
	s := &Server{cfg: cfg, Data: data, Out: filepath.Join(data, "public"), log: cfg.Logger, done: make(chan error, 1)}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	s.clock = time.Now
	if !cfg.Now.IsZero() {
		// The preview starts at --now and runs on in real time, so that a
		// form's opening or closing can be watched as it happens.
		from, started := cfg.Now, time.Now()
		s.clock = func() time.Time { return from.Add(time.Since(started)) }
	}
	if cfg.ContentDir == "" {
		cfg.ContentDir = "content"
	}
	if s.content, err = content.Dir(cfg.ContentDir); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.site = site.FS()
	if isDir(cfg.SiteDir) {
		if s.site, err = site.Dir(cfg.SiteDir); err != nil {
			return nil, fmt.Errorf("serve: %w", err)
		}
	} else {
		cfg.SiteDir = ""
	}
	s.cfg = cfg

	if s.Secret, err = staffSecret(cfg.Secret, data); err != nil {
		return nil, err
	}
	if err = s.setHash(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.Secret) != "" {
		// A secret given by the environment is the shared secret, beside
		// the accounts: it wins over the first account's, as it always did.
		s.sharedHash = s.hash
	}
	if s.receipt, err = keptSecret("", data, ReceiptKeyFile); err != nil {
		return nil, fmt.Errorf("serve: receipt key: %w", err)
	}

	if s.S3, err = startStore(data, s.log); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			if s.svc != nil {
				s.svc.Close()
			}
			s.S3.Close()
		}
	}()
	if err = s.firstAccount(); err != nil {
		return nil, err
	}
	if cfg.Watch {
		s.reload = newBroker()
	}
	// Listening first gives the preview its address, which the digest
	// links to.
	ln, err := listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	if _, err := s.fullBuild(); err != nil {
		ln.Close()
		return nil, err
	}
	s.srv = httpServer(s.routes())
	if s.reload != nil {
		// Event streams never go idle: end them, or Shutdown waits for ever.
		s.srv.RegisterOnShutdown(s.reload.close)
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	s.startDigest()

	if cfg.Watch && (cfg.ContentDir != "" || cfg.SiteDir != "") {
		w, err := s.watch()
		if err != nil {
			s.Close()
			return nil, err
		}
		s.watching = w
	}
	return s, nil
}

// startStore starts the local S3-compatible store on the data folder.
func startStore(data string, log *slog.Logger) (*localstore.Server, error) {
	creds, err := localstore.DirCredentials(data)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	srv, err := localstore.Start(localstore.Options{Dir: data, Buckets: []string{Bucket}, Credentials: creds, Logger: log})
	if _, ok := errors.AsType[*localstore.BusyError](err); ok {
		return nil, fmt.Errorf("serve: thư mục dữ liệu %s đang được một tiến trình khác dùng (make serve đang chạy ở cửa sổ khác?); dừng nó, hoặc chọn thư mục khác với --data", data)
	}
	return srv, err
}

// shutdown stops srv, whose Serve answers on done, within 5 s, then the
// local store: the first error of the three.
func shutdown(srv *http.Server, done <-chan error, store *localstore.Server, stopped func()) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if serr := <-done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	// What runs in the background (the exports' refresher) stops
	// before the store it writes to.
	stopped()
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	return err
}

// listen takes the preview's address.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("serve: %w (another program uses this address? choose another with --addr, e.g. 127.0.0.1:8081)", err)
	}
	return ln, nil
}

// httpServer serves h. A slow client must not hold a connection for ever:
// the headers in 10 s, a body (64 KB at most) in 30 s, an answer in 60 s
// (the reload stream lifts its own deadline), and an idle connection kept
// 2 min.
func httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

// Close stops watching and serving, and closes the local store. Calls
// after the first return its result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	if s.watching != nil {
		s.watching.close()
	}
	if s.stopDigest != nil {
		s.stopDigest()
	}
	return shutdown(s.srv, s.done, s.S3, func() {
		s.mu.Lock()
		if s.svc != nil {
			s.svc.Close()
		}
		s.mu.Unlock()
	})
}

// fullBuild builds the whole site and makes a form handler for it: a full
// build may follow a change of the forms' settings or of the frame.
func (s *Server) fullBuild() (builder.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	built, res, err := builder.Open(builder.Options{
		Content: s.content, ContentDir: s.cfg.ContentDir, Site: s.site, Out: s.Out,
		Drafts: s.cfg.Drafts, Now: s.clock(), LiveReload: s.reload != nil,
	})
	if err != nil {
		return builder.Result{}, err
	}
	for _, w := range res.Warnings {
		s.log.Warn("serve: " + w)
	}
	if s.prov != nil {
		// The province's one form service assembles the unit again from
		// its content on its next request: the handler enforces what the
		// pages show.
		s.built = built
		s.version.Add(1)
		s.firstErr.Store(nil)
		api := s.prov.api
		s.api.Store(&api)
		return res, nil
	}
	// The service reads the forms from the same content and layouts as
	// the builder: the handler enforces what the pages show.
	if built.Forms() == nil {
		return builder.Result{}, fmt.Errorf("serve: %s/bieu-mau: no form pages; the form handler needs them", s.cfg.ContentDir)
	}
	svc, err := service.New(service.Config{
		S3: s.S3.Client, Bucket: Bucket,
		Content: s.content, ContentDir: s.cfg.ContentDir, Layouts: s.site,
		// The preview's clock: the forms' dates and the staff page read
		// it, as the pages do. Submission times stay real, as on AWS
		// with LOA_NOW.
		Now:             s.clock,
		StaffSecretHash: s.sharedHash, ReceiptKey: s.receipt, Logger: s.log, NoLimits: s.cfg.NoLimits,
		Mail: s.cfg.mailer(), MailFrom: s.cfg.mailFrom(), StaffURL: s.URL + routes.StaffPage,
		DigestWhen: s.cfg.digestWhen(),
		// serve outlives its requests: the exports' snapshots are kept
		// fresh between them.
		Background: true,
	})
	if err != nil {
		return builder.Result{}, err
	}
	s.digest.Store(svc.Digest)
	api := svc.Handler
	s.built = built
	s.api.Store(&api)
	if s.svc != nil {
		s.svc.Close() // its requests in flight still answer
	}
	s.svc = svc
	return res, nil
}

// mailer is the digest's sender through the configured mail server, nil
// without one.
func (c Config) mailer() digest.Sender {
	if c.SMTP == "" {
		return nil
	}
	return digest.SMTP{Addr: c.SMTP}
}

func (c Config) mailFrom() string {
	if c.MailFrom == "" {
		return "loa@localhost"
	}
	return c.MailFrom
}

func (c Config) digestHour() int {
	if c.DigestHour <= 0 || c.DigestHour > 23 {
		return 7
	}
	return c.DigestHour
}

// digestWhen says to staff when the digest is sent.
func (c Config) digestWhen() string { return fmt.Sprintf("lúc %d giờ mỗi ngày", c.digestHour()) }

// dailyDigest runs send at the configured hour of each day by clock, in
// its own goroutine, until the returned stop is called (which waits for
// it): a slow or refusing mail server holds up nothing else. Without a
// mail server it does nothing.
func (c Config) dailyDigest(clock func() time.Time, log *slog.Logger, send func(context.Context) error) (stop func()) {
	if c.SMTP == "" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		digest.Schedule{Hour: c.digestHour(), Now: clock}.Loop(ctx, func(ctx context.Context) error {
			err := send(ctx)
			if err != nil {
				log.Error("serve: daily digest", "error", digest.Redact(err).Error())
			}
			return err
		})
	}()
	return func() {
		cancel()
		<-done
	}
}

// startDigest runs the daily digest of the current service by the
// preview's clock (see Config.dailyDigest).
func (s *Server) startDigest() {
	s.stopDigest = s.cfg.dailyDigest(s.clock, s.log, func(ctx context.Context) error {
		d := s.digest.Load()
		if d == nil {
			return nil
		}
		_, err := d.Run(ctx)
		return err
	})
}

// firstAccount makes the first staff account from the staff secret's hash
// when the store has no account of that id: on the first run, and on the
// first run of a store made before there were accounts. Once made it is
// the store's: removing it in the staff page takes the secret away.
func (s *Server) firstAccount() error {
	st, err := store.New(s.S3.Client, store.Config{Bucket: Bucket, Unit: s.unit})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	list, err := st.Accounts(ctx)
	if err != nil || len(list) > 0 {
		return err
	}
	_, err = st.CreateAccount(ctx, store.Account{ID: handler.LegacyAccount, Name: "Quản trị", Role: store.RoleManager, Hash: s.hash})
	if errors.Is(err, store.ErrAccountExists) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("serve: first staff account: %w", err)
	}
	s.log.Info("serve: first staff account made", "account", handler.LegacyAccount)
	return nil
}

// staffSecret returns the configured secret, or the one kept in the data
// folder, made on the first run.
func staffSecret(given, data string) (string, error) {
	s, err := keptSecret(given, data, SecretFile)
	if err != nil {
		return "", fmt.Errorf("serve: staff secret: %w", err)
	}
	return s, nil
}

// keptSecret returns given, or the secret kept in the file of the data
// folder, made on the first run.
func keptSecret(given, data, file string) (string, error) {
	if given = strings.TrimSpace(given); given != "" {
		return given, nil
	}
	name := filepath.Join(data, file)
	b, err := os.ReadFile(name)
	if err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b)), nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	secret := staff.NewSecret()
	if err := os.WriteFile(name, []byte(secret+"\n"), 0o600); err != nil {
		return "", err
	}
	return secret, nil
}

// Main is the serve command: go run ./build serve [flags].
func Main(args []string) error {
	fl := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fl.String("addr", "127.0.0.1:8080", "address to serve on")
	data := fl.String("data", ".data", "folder of the local store, the built preview and the staff secret")
	drafts := fl.Bool("drafts", false, "include drafts")
	now := fl.String("now", "", "preview as of this instant, e.g. 2023-04-10T09:00+07:00; the clock runs on from it (default: now)")
	contentDir := fl.String("content", "content", "content folder, watched")
	noLimits := fl.Bool("no-limits", false, "turn off the forms' per-client rate limits (load tests from this machine)")
	siteDir := fl.String("site", "site", "folder with layouts/ and assets/, watched (the embedded look when missing)")
	smtpAddr := fl.String("smtp", os.Getenv(EnvSMTP), "host:port of the SMTP server the daily digest goes through (default $"+EnvSMTP+"; empty: no digest)")
	mailFrom := fl.String("mail-from", os.Getenv(EnvMailFrom), "the digest's sender address (default $"+EnvMailFrom+", else loa@localhost)")
	digestHour := fl.Int("digest-hour", 7, "hour of the day the digest is sent, 1 to 23, Vietnam time (by the preview's clock)")
	provinceDir := fl.String("province", "", "a province folder (tinh.yaml and one content folder per unit) to serve instead of --content: each unit at http://<unit>.localhost:<port>/")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fl.Arg(0))
	}
	cfg := Config{
		Addr: *addr, Data: *data, Drafts: *drafts, ContentDir: *contentDir, SiteDir: *siteDir,
		Secret: os.Getenv(EnvSecret), Watch: true, NoLimits: *noLimits, Province: *provinceDir,
		SMTP: strings.TrimSpace(*smtpAddr), MailFrom: strings.TrimSpace(*mailFrom), DigestHour: *digestHour,
	}
	if *digestHour < 1 || *digestHour > 23 {
		return fmt.Errorf("serve: --digest-hour %d: want an hour from 1 to 23", *digestHour)
	}
	if *now != "" {
		t, err := vntext.ParseTime(*now)
		if err != nil {
			return fmt.Errorf("serve: --now: %w", err)
		}
		cfg.Now = t
	}
	// serve lives for hours and answers the forms from one process.
	service.TuneCollector()
	var running interface {
		banner(w io.Writer, dataFlag string)
		Close() error
	}
	var err error
	if cfg.Province != "" {
		running, err = StartProvince(cfg)
	} else {
		running, err = Start(cfg)
	}
	if err != nil {
		return err
	}
	running.banner(os.Stdout, *data)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	fmt.Println("\nĐang dừng…")
	return running.Close()
}

// banner tells the IT person where everything is.
func (s *Server) banner(w io.Writer, dataFlag string) {
	fmt.Fprintf(w, "\nLoa: bản xem trước trên máy này (không phải trang đã xuất bản)\n\n")
	fmt.Fprintf(w, "  Trang web         %s/\n", s.URL)
	if reg := s.built.Forms(); reg != nil {
		for _, f := range reg.Forms() {
			state := "đang nhận"
			switch now := s.clock(); {
			case now.Before(f.Opens):
				state = "chưa mở, mở lúc " + vntext.DateTime(f.Opens)
			case !f.IsOpen(now):
				state = "đã đóng lúc " + vntext.DateTime(f.Closes) + "; xem thử với --now"
			}
			fmt.Fprintf(w, "  Biểu mẫu          %s/bieu-mau/%s/  (%s)\n", s.URL, f.ID, state)
		}
	}
	fmt.Fprintf(w, "  Trang quản trị    %s%s\n", s.URL, routes.StaffPage)
	src := "tạo lần đầu, lưu ở " + filepath.Join(dataFlag, SecretFile)
	if strings.TrimSpace(s.cfg.Secret) != "" {
		src = "lấy từ biến môi trường " + EnvSecret
	}
	fmt.Fprintf(w, "  Tài khoản đầu     %s, mã %s  (%s; thêm, bớt tài khoản ở trang quản trị)\n", handler.LegacyAccount, s.Secret, src)
	fmt.Fprintf(w, "  Dữ liệu           %s  (kho S3 trên máy này, bucket %q, khóa truy cập trong %s; trang dựng để xem: public/)\n", s.Data, Bucket, localstore.CredentialsName)
	fmt.Fprintf(w, "  Tải dữ liệu       go run ./functions/cmd/loa-export --local %s cau-hoi\n", dataFlag)
	if s.cfg.SMTP != "" {
		fmt.Fprintf(w, "  Thư tóm tắt       gửi qua máy chủ thư %s, từ %s, lúc %d giờ mỗi ngày (theo đồng hồ của bản xem trước)\n", s.cfg.SMTP, s.cfg.mailFrom(), s.cfg.digestHour())
	} else {
		fmt.Fprintf(w, "  Thư tóm tắt       không gửi (chạy với --smtp host:port hoặc biến môi trường %s để gửi)\n", EnvSMTP)
	}
	if !s.cfg.Now.IsZero() {
		fmt.Fprintf(w, "  Thời điểm xem     %s (--now), đồng hồ chạy tiếp từ đó\n", vntext.DateTime(s.cfg.Now))
	}
	if s.watching != nil {
		fmt.Fprintf(w, "\nSửa content/ hoặc site/ rồi lưu: trang tự dựng lại và tải lại. Ctrl+C để dừng.\n\n")
	} else {
		fmt.Fprintf(w, "\nCtrl+C để dừng.\n\n")
	}
}

func isDir(name string) bool {
	if name == "" {
		return false
	}
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}
