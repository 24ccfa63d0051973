// Package service assembles the form service: the one place where the S3
// client, the store, the exporter and the form handler are wired together.
//
// The model: a [Config] says where the submissions are (an S3 client and a
// bucket), what the forms are (the content and the layouts), what time it
// is (one clock), who may read the submissions (the staff secret's hash),
// who may call at all (the origin secret), where logs go and whether the
// per-client limits apply. [New] turns it into a [Service]: an
// http.Handler, plus the store and the forms for the callers that need
// them beside it, and the daily digest (package digest) when a mail sender
// is configured: it counts through the same store and exporter, by the
// same clock. [Service.FoldExports] brings every form's export snapshot
// up to date at once (fold.go), for a schedule to run where nothing runs
// between requests. Every caller builds the service through New: the Lambda
// function (command bootstrap, through [FromEnv] and package lambdahttp,
// which only adapts events), the local preview (build/serve), the
// benchmarks and the tests. So the Lambda, serve and the tests cannot
// drift apart: the clock that checks a form's deadline is the clock that
// the staff page reads. A process that outlives its requests (serve)
// asks for Background: the service then keeps the exporter's snapshots
// fresh with the rows it saves, so that staff clicks never read the
// stored submissions back, and is closed when done. The Lambda, frozen
// between invocations, folds them when its schedule says (FoldExports).
package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"golang.org/x/time/rate"

	"loa/functions/digest"
	"loa/functions/export"
	"loa/functions/forms"
	"loa/functions/handler"
	"loa/functions/paperwork"
	"loa/functions/routes"
	"loa/functions/s3client"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// Config is everything the form service is made from.
type Config struct {
	// S3 reaches the bucket (s3client.New makes it); Bucket is required,
	// Prefix is put before every key ("loa/").
	S3     store.API
	Bucket string
	Prefix string
	// Presign signs the download links; nil: a presign client of S3,
	// which must then be an *s3.Client (a test that wraps the client to
	// count its requests gives it).
	Presign store.Presigner

	// Content holds site.yaml, bieu-mau/ and data/ (content.FS on AWS, the
	// content folder in serve); ContentDir names it in errors ("content").
	// Layouts holds layouts/ and assets/ (site.FS()).
	Content    fs.FS
	ContentDir string
	Layouts    fs.FS

	// Now is the service's clock: the forms' opening and closing, the
	// staff page's "open" and the dates of its files are read from it.
	// It may be a fixed instant (LOA_NOW) or a preview's (serve --now).
	// Submission times and rate limits always use the real time. nil:
	// time.Now.
	Now func() time.Time

	// StaffSecretHash is the hash of the shared staff secret, a "quản lý"
	// for requests that name no account; empty: only the accounts kept in
	// the bucket sign in.
	StaffSecretHash string
	// OriginSecret is the value CloudFront sends in [routes.OriginHeader]; a
	// request without it is refused (403) before any other work. Empty:
	// every request is let in (serve, tests).
	OriginSecret string
	// ClientIPHeader names the header that carries the client's address
	// (CloudFront-Viewer-Address); empty: the peer address. With an
	// OriginSecret it is trusted only on requests that showed the secret,
	// since the others never reach the handler.
	ClientIPHeader string

	// ReceiptKey keys the hashes that name submissions, and so their
	// receipt codes and the ids in logs (store.Config.ReceiptKey): made on
	// the first run in serve's data folder, kept in Secrets Manager on
	// AWS. Empty: plain SHA-256, as before there was a key.
	ReceiptKey string

	// Mail sends the daily digest (digest.SMTP locally, digest.SES on
	// AWS); nil: no digest is sent (staff may still set their wish).
	// MailFrom is the sender's address; MailAllowed the only addresses a
	// digest may go to (empty: any); StaffURL the staff page's address
	// linked from it ("": the site's baseURL and /quan-tri/); DigestWhen
	// tells staff when it is sent.
	Mail        digest.Sender
	MailFrom    string
	MailAllowed []string
	StaffURL    string
	DigestWhen  string

	Logger *slog.Logger // nil: slog.Default()

	// Units, when set, makes the service a province's (units.go): each
	// request is answered by the service of the unit it names, assembled
	// from that unit's content over Prefix + its slug + "/". Content and
	// ContentDir are then not used, and StaffSecretHash must be empty.
	Units Units
	// UnitHeader names the header that names a request's unit: CloudFront
	// sets it from the viewer's host. Empty: the host or the path does.
	UnitHeader string

	// NoLimits turns off the per-client rate limits (load tests from one
	// machine); the limits themselves are the handler's defaults.
	NoLimits bool

	// Background is for a process that lives on between requests (serve,
	// the benchmarks): the service then keeps the forms' snapshots fresh
	// with the rows it saves (export.Refresher), so that no staff click
	// reads the stored submissions back, and Close stops it. Off on the
	// Lambda, which is frozen between invocations.
	Background bool

	// A province's units share these (newProvince makes them once): one
	// Gate, so that one bound holds for the whole process; one Frame and
	// one parse of the forms' templates, since the layouts are the same
	// for every unit (104 parses held 8 MB); and the refreshers' Turns.
	// nil: each service makes its own (no bound on its refreshes).
	gate        *handler.Gate
	frame       *site.Frame
	formLayouts *forms.Layouts
	turns       *export.Turns
}

// Service is the assembled form service.
type Service struct {
	Handler http.Handler    // every route under /api/ and /hoi-dap/
	Store   *store.Store    // the submissions bucket (nil for a province: see Unit)
	Forms   *forms.Registry // the forms the handler enforces (nil for a province)
	// Digest sends the daily digest; nil without Config.Mail (and for a
	// province: each unit's service has its own).
	Digest *digest.Digester
	// Refresher keeps the snapshots fresh (Config.Background); nil
	// without, and for a province (each unit's service has its own).
	// Saved tells it of a submission stored past the handler.
	Refresher *export.Refresher

	exporter *export.Exporter // nil for a province (each unit's service has its own)
	logger   *slog.Logger
	province *province
}

// Saved tells the service of a submission stored through its Store but
// not through its Handler (a benchmark filling the store), as the
// handler's saves are told.
func (s *Service) Saved(f *forms.Form, rc store.Receipt) { s.Refresher.Saved(f, rc) }

// Close stops the service's background work (a province's: every unit's);
// the handler may still answer.
func (s *Service) Close() {
	s.Refresher.Close()
	if s.province != nil {
		s.province.close()
	}
}

// telling is the store as the handler saves to it, telling the refresher
// of each submission stored. It embeds the store, so that the handler
// finds the answers, marks, accounts and audit log on it as on the store.
type telling struct {
	*store.Store
	refresher *export.Refresher
}

func (t telling) Save(ctx context.Context, sub *forms.Submission) (store.Receipt, error) {
	rc, err := t.Store.Save(ctx, sub)
	if err == nil {
		t.refresher.Saved(sub.Form, rc)
	}
	return rc, err
}

// Unit returns the service of a province's unit, as requests to it are
// answered: its Store and Forms are the unit's. A ward's service has no
// units.
func (s *Service) Unit(ctx context.Context, slug string) (*Service, error) {
	if s.province == nil {
		return nil, fmt.Errorf("service: %q: %w (the service is a single ward's)", slug, ErrNoUnit)
	}
	return s.province.unit(ctx, slug)
}

// New assembles the service: a ward's, or with Units a province's, whose
// units are each assembled here too, on their first request.
func New(cfg Config) (*Service, error) {
	if cfg.S3 == nil {
		return nil, errors.New("service: no S3 client")
	}
	if cfg.Layouts == nil || (cfg.Content == nil && cfg.Units == nil) {
		return nil, errors.New("service: no content or layouts")
	}
	if cfg.ContentDir == "" {
		cfg.ContentDir = "content"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Units != nil {
		return newProvince(cfg)
	}
	return assemble(cfg, "")
}

// assemble wires one ward's service together, or one unit's of a province.
func assemble(cfg Config, unit string) (*Service, error) {
	sc := store.Config{Bucket: cfg.Bucket, Prefix: cfg.Prefix, Unit: unit, Presign: cfg.Presign}
	if cfg.ReceiptKey != "" {
		sc.ReceiptKey = []byte(cfg.ReceiptKey)
	}
	st, err := store.New(cfg.S3, sc)
	if err != nil {
		return nil, err
	}
	formLayouts := cfg.formLayouts
	if formLayouts == nil {
		if formLayouts, err = forms.ParseLayouts(cfg.Layouts); err != nil {
			return nil, err
		}
	}
	reg, err := forms.LoadWith(cfg.Content, formLayouts)
	if err != nil {
		// A mistake in a form's content stops the service: a form that
		// is not what its page shows must take no answer.
		return nil, forms.InDir(cfg.ContentDir, err)
	}
	siteCfg, err := site.LoadConfig(cfg.Content, cfg.ContentDir)
	if err != nil {
		return nil, err
	}
	frame := cfg.frame
	if frame == nil {
		if frame, err = site.NewFrame(cfg.Layouts); err != nil {
			return nil, err
		}
	}
	// The office's Word documents need data/van-phong.yaml; a content
	// folder without it (a test's, an older checkout) runs without them.
	office, err := paperwork.Load(cfg.Content, cfg.ContentDir)
	if errors.Is(err, fs.ErrNotExist) {
		office, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	exp, err := export.New(export.Config{Store: st, Now: cfg.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	hc := handler.Config{
		Forms: reg, Store: st, Site: siteCfg, Frame: frame, Now: cfg.Now, Logger: cfg.Logger,
		StaffSecretHash: cfg.StaffSecretHash, Staff: exp, ClientIPHeader: cfg.ClientIPHeader,
		Office: office,
		Gate:   cfg.gate,
	}
	var dg *digest.Digester
	if cfg.Mail != nil {
		staffURL := cfg.StaffURL
		if staffURL == "" {
			staffURL = strings.TrimSuffix(siteCfg.BaseURL, "/") + routes.StaffPage
		}
		dg, err = digest.New(digest.Config{
			Forms: reg, Records: exp, Store: st, Sender: cfg.Mail, From: cfg.MailFrom, Allowed: cfg.MailAllowed,
			StaffURL: staffURL, Now: cfg.Now, Logger: cfg.Logger,
		})
		if err != nil {
			return nil, err
		}
		hc.DigestWhen, hc.DigestNow = cfg.DigestWhen, dg.SendNow
		if hc.DigestWhen == "" {
			hc.DigestWhen = "mỗi ngày một lần"
		}
	}
	if cfg.NoLimits {
		hc.Rate, hc.LookupRate = rate.Inf, rate.Inf
	}
	var refresher *export.Refresher
	if cfg.Background {
		refresher = exp.StartRefresher(export.RefreshConfig{Forms: reg.Forms(), Turns: cfg.turns})
		hc.Store = telling{Store: st, refresher: refresher}
	}
	h, err := handler.New(hc)
	if err != nil {
		refresher.Close()
		return nil, err
	}
	return &Service{
		Handler: Door(h, cfg.OriginSecret), Store: st, Forms: reg, Digest: dg, Refresher: refresher,
		exporter: exp, logger: cfg.Logger,
	}, nil
}

// Door refuses a request that does not carry the origin secret, before h
// sees it, and takes the header off the requests it lets in: h has no use
// for it and must never echo or log it. An empty secret lets everyone in.
func Door(h http.Handler, secret string) http.Handler {
	if secret == "" {
		return h
	}
	want := sha256.Sum256([]byte(secret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Hashes of equal length, compared in constant time: neither the
		// value nor its length leaks through the time taken.
		got := sha256.Sum256([]byte(r.Header.Get(routes.OriginHeader)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"ok":false,"message":"Hãy gửi qua trang chính thức của phường."}` + "\n"))
			return
		}
		r.Header.Del(routes.OriginHeader)
		h.ServeHTTP(w, r)
	})
}

// FromEnv reads the Lambda function's configuration with getenv
// (os.Getenv) and makes its S3 client. Content and Layouts are left for
// the caller (the embedded ones on AWS), and so is the Logger.
//
//	LOA_BUCKET (required), LOA_PREFIX    the submissions bucket
//	LOA_CLIENT_IP_HEADER                 the header with the viewer's address
//	LOA_ORIGIN_SECRET                    the secret CloudFront sends
//	LOA_STAFF_SECRET_HASH                the staff secret's hash
//	LOA_RECEIPT_KEY                      the key of receipt codes (beside the origin secret)
//	LOA_PROVINCE                         "true": the function serves a province's units, their
//	                                     content read from the bucket (BucketUnits)
//	LOA_UNIT_HEADER                      the header CloudFront names the unit in
//	LOA_NOW                              a fixed instant (tests, previews)
//	LOA_S3_ENDPOINT                      an S3-compatible server (tests), signed
//	                                     with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
//	LOA_DIGEST_FROM                      the daily digest's sender (an SES identity);
//	                                     empty: no digest
//	LOA_DIGEST_RECIPIENTS                the only addresses it may go to, comma-separated
//	                                     (the SES identities verified for them)
//	LOA_SMTP                             host:port of an SMTP server to send it through
//	                                     instead of SES (tests, a local preview)
func FromEnv(ctx context.Context, getenv func(string) string) (Config, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	cfg := Config{
		Bucket:          env("LOA_BUCKET"),
		Prefix:          env("LOA_PREFIX"),
		ClientIPHeader:  env("LOA_CLIENT_IP_HEADER"),
		OriginSecret:    env("LOA_ORIGIN_SECRET"),
		StaffSecretHash: env("LOA_STAFF_SECRET_HASH"),
		ReceiptKey:      env("LOA_RECEIPT_KEY"),
		UnitHeader:      env("LOA_UNIT_HEADER"),
	}
	if cfg.Bucket == "" {
		return cfg, errors.New("LOA_BUCKET is not set: name the S3 bucket that keeps the submissions")
	}
	if cfg.ClientIPHeader != "" && cfg.OriginSecret == "" {
		// Without the secret anyone may call the function directly and
		// write any address into the header: the per-client limits would
		// count what the caller says.
		return cfg, errors.New("LOA_CLIENT_IP_HEADER is set without LOA_ORIGIN_SECRET: a client-address header is trusted only on requests that show the origin secret; set both, or neither")
	}
	province := false
	if v := env("LOA_PROVINCE"); v != "" {
		var err error
		if province, err = strconv.ParseBool(v); err != nil {
			return cfg, fmt.Errorf("LOA_PROVINCE: %q is not true or false", v)
		}
	}
	if cfg.UnitHeader != "" && (!province || cfg.OriginSecret == "") {
		// Without the secret anyone may call the function and name any
		// unit; without a province there is no unit to name.
		return cfg, errors.New("LOA_UNIT_HEADER is set without LOA_PROVINCE=true and LOA_ORIGIN_SECRET: a unit header is trusted only from CloudFront, in front of a province")
	}
	if v := env("LOA_NOW"); v != "" {
		t, err := vntext.ParseTime(v)
		if err != nil {
			return cfg, fmt.Errorf("LOA_NOW: %w", err)
		}
		cfg.Now = func() time.Time { return t }
	}
	o := s3client.Options{Endpoint: env("LOA_S3_ENDPOINT")}
	if o.Endpoint != "" {
		// On AWS the SDK's chain reads the keys, or the role's.
		o.Credentials = aws.Credentials{
			AccessKeyID:     env("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: env("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    env("AWS_SESSION_TOKEN"),
			Source:          "LOA_S3_ENDPOINT",
		}
	}
	client, err := s3client.New(ctx, o)
	if err != nil {
		return cfg, err
	}
	cfg.S3 = client
	if province {
		cfg.Units = BucketUnits(client, cfg.Bucket, cfg.Prefix, nil)
	}
	if err := mailFromEnv(ctx, env, &cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// mailFromEnv reads the digest's settings: SMTP when LOA_SMTP names a
// server, else SES when LOA_DIGEST_FROM names a sender.
func mailFromEnv(ctx context.Context, env func(string) string, cfg *Config) error {
	cfg.MailFrom = env("LOA_DIGEST_FROM")
	for _, a := range strings.Split(env("LOA_DIGEST_RECIPIENTS"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			cfg.MailAllowed = append(cfg.MailAllowed, a)
		}
	}
	smtpAddr := env("LOA_SMTP")
	switch {
	case cfg.MailFrom == "" && smtpAddr != "":
		return errors.New("LOA_SMTP is set without LOA_DIGEST_FROM: name the digest's sender address")
	case cfg.MailFrom == "":
		return nil
	case smtpAddr != "":
		cfg.Mail = digest.SMTP{Addr: smtpAddr}
		return nil
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("daily digest: AWS configuration: %w", err)
	}
	cfg.Mail = digest.SES{API: sesv2.NewFromConfig(awsCfg)}
	return nil
}
