// Package handler answers the ward's web forms: POST /api/forms/{form}.
//
// It is a plain http.Handler, assembled with the store and the exporter by
// package service; on AWS a thin Lambda adapter (lambdahttp) wraps it, and
// locally the serve command mounts it beside the static files. Its routes
// are named in package routes, which the builder reads too. A submission is read
// (form-urlencoded or a JSON object of strings, at most 64 KB; for a form
// with a file field, multipart/form-data up to the form's files' sizes,
// forms.MaxUploadBody at most), checked against its form's declaration
// (a file by its content, a photo stripped of its metadata), and stored
// once, its files first, before any 2xx answer.
// Clients that send "Accept: application/json" (the form script) get JSON
// with the receipt code ("code"); browsers without JavaScript get a page of
// the site listing the errors with every typed value kept, or, on success,
// a thank-you page of the site (200) that shows the receipt code. That page
// is rendered here rather than reached by a 303 to the static
// /bieu-mau/{form}/cam-on/, because a static page cannot know the code;
// reloading it sends the form again, which is safe (a resend is stored
// once and gets the same code).
//
// Hỏi đáp (hoidap.go, answers.go): POST /api/tra-cuu (ma=CODE&so=LAST4) tells
// a person the status of a submission and its answer (JSON, or a page of
// the site), rate-limited per client and per code; a wrong pair answers
// exactly as a code that names nothing. Staff list the questions
// (GET /api/questions) and save answers (PUT /api/answers/{form}/{id});
// answers are versions in the store, and a save that another save came
// before gets 409 with its text kept. GET /hoi-dap/ (and /api/hoi-dap,
// the path CloudFront forwards it as) is the page of published answers,
// rendered here from the public entries of the latest answer versions in
// the store (no index: what a version says is what shows), because it must change
// without publishing the site: the builder has no access to the bucket,
// and functions/ never imports build/. The page is kept 30 seconds in the
// function and 60 at CloudFront (its /hoi-dap/* behavior); a save through
// this instance clears the function's copy, so serve shows it at once.
// Caveat on AWS: CloudFront maps every 404 to the site's 404 page, the
// lookup's "not found" too; the lookup script reads the status alone.
//
// Tổng hợp câu hỏi (compile.go): staff keep, leave out or merge questions
// (GET /api/compile, PUT /api/marks/{form}/{id}) and download them as a
// Decree 30 BÁO CÁO in Word (GET /api/compile/{form}), made by package
// paperwork from the office's settings in content.
//
// Danh sách đề nghị khen thưởng (commend.go): a "quản lý" keeps or leaves
// out each nomination (GET /api/commendation, PUT /api/commendation/{id})
// and downloads the list of those kept as a .docx (GET
// /api/commendation.docx), made by package paperwork like the compiled
// questions.
//
// Giấy mời and điểm danh (checkin.go, guests.go): a "quản lý" adds guests
// by name and role (/api/guests); every delegate's and guest's invitation
// comes as one .docx with a check-in code and its QR code (GET
// /api/invitations); at the door, POST /api/checkin records a person once,
// GET /api/attendance tells who came, by chi đoàn, and GET
// /api/attendance.csv lists them for Excel.
//
// Staff accounts and the audit log (accounts.go): every staff route checks
// the account named in X-Loa-Account and its secret (or, for a request
// that names none, the shared secret while it is configured), refuses a
// "trả lời" what needs a "quản lý" (403), and stores one write-once audit
// record of what was done before answering. GET /api/dang-nhap tells who
// signed in; /api/accounts lists, adds and removes accounts; /api/audit
// and /api/audit.csv read the log.
//
// Statuses: 422 wrong fields, 400 malformed body or invalid UTF-8, 413 body
// too large, 415 other content types, 404 unknown form, 410 closed form (403
// before it opens), 405 other methods, 429 too many requests from one
// client, 409 quota full, 503 when the store cannot be reached.
package handler

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"loa/functions/forms"
	"loa/functions/paperwork"
	"loa/functions/routes"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// MaxBody is the largest request body read for a form without files
// (forms.MaxBody); a form with files reads up to its own limit
// (Form.MaxBody).
const MaxBody = forms.MaxBody

// Saver stores an accepted submission; *store.Store is one.
type Saver interface {
	Save(ctx context.Context, sub *forms.Submission) (store.Receipt, error)
}

// Config is what New needs. Forms and Store are required.
type Config struct {
	Forms *forms.Registry
	Store Saver
	Site  site.Config // the site's title and menu, for pages framed like the site
	Frame *site.Frame // nil: site.NewFrame(site.FS())

	// Now is the service's instant: the forms' opening and closing are
	// checked against it. It may be fixed (LOA_NOW) or a preview's
	// (serve --now). nil: time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil: slog.Default()
	// Stopwatch measures time as it passes: the rate limits' tokens come
	// back by it. Never the fixed instant of Now, on which no token would
	// ever come back; tests step it by hand. nil: time.Now.
	Stopwatch func() time.Time

	// Rate limit per client: Rate tokens a second, bursts of Burst. Zero
	// values mean 1 a second and bursts of 30 (a chi đoàn registering its
	// delegates from one office, behind one address). rate.Inf turns it off.
	Rate       rate.Limit
	Burst      int
	MaxClients int // token buckets kept; 0 means 10,000
	// A form with a quota (dai-bieu: five places per chi đoàn) takes a
	// second, much smaller bucket per client for each valid registration,
	// so that one address cannot take the places of a whole ward: bursts
	// of QuotaBurst, then one every QuotaEvery. Zero values mean 10 and 3
	// minutes (a chi đoàn registers its five from one office, with room to
	// correct a mistake). Rate rate.Inf turns this one off too.
	QuotaEvery time.Duration
	QuotaBurst int
	// ClientIPHeader names a header set by a proxy we trust (e.g.
	// "X-Forwarded-For"); its first value is the client, as "ip" or
	// "ip:port" (see ParseAddr). Empty: the peer address (RemoteAddr).
	ClientIPHeader string

	// StoreTimeout bounds one submission from its turn at the Gate to its
	// save. It must stay far below the store's grace period for orphan
	// quota slots. 0 means 20 seconds.
	StoreTimeout time.Duration
	// Gate bounds the submissions checked and saved at once (handlers that
	// share one process may share one); nil: NewGate(0).
	Gate *Gate

	// The staff routes (GET /api/stats, GET /api/export/{form},
	// DELETE /api/submissions/{form}/{id}) need both. StaffSecretHash is
	// the hash of the staff secret (LOA_STAFF_SECRET_HASH: argon2id PHC
	// string or bcrypt); when it is empty the staff routes refuse everyone.
	StaffSecretHash string
	Staff           StaffService // the exporter; nil: staff routes answer 503

	// Answers keeps Hỏi đáp's answers; nil: Store, when it is one (a
	// *store.Store is), else the lookup and answer routes answer 503.
	Answers AnswerStore
	// Office makes the office's Word documents (the compiled questions);
	// nil: those routes answer 503.
	Office *paperwork.Office
	// Marks keeps staff's marks on questions; nil: Store, when it is one.
	Marks MarkStore

	// Accounts keeps the staff accounts, Audit the log of staff actions;
	// nil: Store, when it is one (a *store.Store is both). Without
	// Accounts only the shared secret (StaffSecretHash) signs in; without
	// Audit nothing is logged but the log lines.
	Accounts AccountStore
	Audit    AuditStore
	// Digests keeps each account's wish for the daily digest (nil: the
	// store, when it is one); DigestWhen tells staff when the digest is
	// sent ("7 giờ sáng mỗi ngày"), "" when this server sends none.
	Digests    DigestStore
	DigestWhen string
	// DigestNow sends the digest at once to an account's saved address
	// (digest.Digester.SendNow); nil: staff cannot ask for one.
	DigestNow func(ctx context.Context, account string) error

	// LookupRate rate.Inf turns off the lookups' limits (per client,
	// bursts of 5 then one a minute; per code, 10 an hour); any other
	// value keeps them, whatever Rate says.
	LookupRate rate.Limit
}

// Handler is the form handler.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	limiter *limiter
	places  *limiter // registrations for forms with a quota, per client
	script  string

	staff       *staff.Checker // nil: no secret configured
	staffFails  *limiter       // failed staff secrets per client
	acctFails   *limiter       // failed staff secrets per account
	digestTries *limiter       // "Gửi thử" per account
	accounts    AccountStore
	audit       AuditStore
	digests     DigestStore
	checkers    checkers

	answers      AnswerStore
	marks        MarkStore
	commend      *forms.Form // the nominations the commendation list is made from; nil: none
	checkins     CheckinStore
	guests       GuestStore
	lookups      *limiter // lookups per client
	codeTries    *limiter // lookups per receipt code
	public       publicCache
	lookupScript string
}

// New returns the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Forms == nil || cfg.Store == nil {
		return nil, errors.New("handler: Forms and Store are required")
	}
	if cfg.Frame == nil {
		fr, err := site.NewFrame(site.FS())
		if err != nil {
			return nil, err
		}
		cfg.Frame = fr
	}
	if cfg.Stopwatch == nil {
		cfg.Stopwatch = time.Now
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 30
	}
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 10000
	}
	if cfg.QuotaEvery <= 0 {
		cfg.QuotaEvery = 3 * time.Minute
	}
	if cfg.QuotaBurst <= 0 {
		cfg.QuotaBurst = 10
	}
	if cfg.StoreTimeout <= 0 {
		cfg.StoreTimeout = 20 * time.Second
	}
	if cfg.Gate == nil {
		cfg.Gate = NewGate(0)
	}
	h := &Handler{
		cfg:     cfg,
		mux:     http.NewServeMux(),
		limiter: newLimiter(cfg.Rate, cfg.Burst, cfg.MaxClients),
		places:  newLimiter(placesRate(cfg), cfg.QuotaBurst, cfg.MaxClients),
		script:  cfg.Frame.Script("form.js"),

		answers:      cfg.Answers,
		lookupScript: cfg.Frame.Script("lookup.js"),
	}
	if h.answers == nil {
		h.answers, _ = cfg.Store.(AnswerStore)
	}
	h.marks = cfg.Marks
	if h.marks == nil {
		h.marks, _ = cfg.Store.(MarkStore)
	}
	h.checkins, _ = cfg.Store.(CheckinStore)
	h.accounts, h.audit = cfg.Accounts, cfg.Audit
	if h.accounts == nil {
		h.accounts, _ = cfg.Store.(AccountStore)
	}
	if h.audit == nil {
		h.audit, _ = cfg.Store.(AuditStore)
	}
	h.digests = cfg.Digests
	if h.digests == nil {
		h.digests, _ = cfg.Store.(DigestStore)
	}
	h.mux.HandleFunc(routes.Forms+"{form...}", h.submit)
	h.mountHoidap()
	if err := h.mountStaff(); err != nil {
		return nil, err
	}
	h.mountCompile()
	if cfg.Office != nil {
		// A list that names a form or a field the content lacks stops
		// the handler, as a broken form does.
		c, err := cfg.Office.CommendationForm(cfg.Forms)
		if err != nil {
			return nil, err
		}
		h.commend = c
	}
	h.mountCommendation()
	h.mountCheckin()
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.problem(w, r, nil, http.StatusNotFound, "Không tìm thấy trang", "Địa chỉ này không có biểu mẫu nào.")
	})
	return h, nil
}

// ServeHTTP answers one request and logs it without personal data.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	note := &logNote{}
	r = r.WithContext(context.WithValue(r.Context(), noteKey{}, note))
	h.mux.ServeHTTP(rec, r)
	if note.action != "" {
		h.logStaff(r, rec.status, start, note)
		return
	}
	attrs := []any{
		slog.String("form", note.form),
		slog.Int("status", rec.status),
		slog.Duration("latency", time.Since(start)),
	}
	if note.key != "" {
		attrs = append(attrs, slog.String("key", note.key))
	}
	if note.outcome != "" {
		attrs = append(attrs, slog.String("outcome", note.outcome))
	}
	if len(note.fields) > 0 {
		attrs = append(attrs, slog.Any("invalid_fields", note.fields))
	}
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
		if note.err != nil {
			attrs = append(attrs, slog.String("error", note.err.Error()))
		}
	}
	h.cfg.Logger.Log(r.Context(), level, "form submission", attrs...)
}

type noteKey struct{}

// logNote collects what the log line may say: ids, keys and outcomes, never
// a value typed by a person.
type logNote struct {
	form, key, outcome string
	fields             []string
	err                error

	// Staff routes: what was done, to how many rows, never a value.
	action, format, id string
	rows               int
	msg                string // the log message, when not "staff "+action
}

func noteOf(r *http.Request) *logNote {
	if n, ok := r.Context().Value(noteKey{}).(*logNote); ok {
		return n
	}
	return &logNote{}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	id := r.PathValue("form")
	note.form = id
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.problem(w, r, nil, http.StatusMethodNotAllowed, "Không gửi được",
			"Biểu mẫu chỉ nhận dữ liệu gửi bằng phương thức POST.")
		return
	}
	if ok, wait := h.limiter.allow(clientKey(r, h.cfg.ClientIPHeader), h.cfg.Stopwatch()); !ok {
		secs := retryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		h.problem(w, r, nil, http.StatusTooManyRequests, "Gửi quá nhanh",
			"Bạn đã gửi quá nhiều lần trong thời gian ngắn. Hãy chờ "+strconv.Itoa(secs)+" giây rồi gửi lại.")
		return
	}
	f := h.cfg.Forms.Form(id)
	if f == nil {
		note.form = ""
		h.problem(w, r, nil, http.StatusNotFound, "Không tìm thấy biểu mẫu",
			"Không có biểu mẫu nào ở địa chỉ này.")
		return
	}
	now := h.cfg.Now()
	if !f.IsOpen(now) {
		if now.Before(f.Opens) {
			h.problem(w, r, f, http.StatusForbidden, "Biểu mẫu chưa mở",
				"Biểu mẫu “"+f.Title+"” nhận câu trả lời từ "+vntext.DateTime(f.Opens)+".")
			return
		}
		h.problem(w, r, f, http.StatusGone, "Biểu mẫu đã đóng",
			"Biểu mẫu “"+f.Title+"” đã hết hạn lúc "+vntext.DateTime(f.Closes)+" và không nhận thêm câu trả lời.")
		return
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, f.MaxBody()))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg := "Dữ liệu gửi lên vượt quá 64 KB. Hãy rút ngắn nội dung rồi gửi lại."
			if f.Multipart() {
				msg = "Dữ liệu gửi lên vượt quá " + forms.SizeText(f.MaxBody()) + ". Hãy chọn tệp nhỏ hơn hoặc rút ngắn nội dung rồi gửi lại."
			}
			h.problem(w, r, f, http.StatusRequestEntityTooLarge, "Nội dung quá dài", msg)
			return
		}
		h.problem(w, r, f, http.StatusBadRequest, "Không đọc được dữ liệu",
			"Dữ liệu gửi lên bị gián đoạn. Hãy gửi lại.")
		return
	}
	raw, files, err := forms.DecodeRequest(r.Header.Get("Content-Type"), body)
	switch {
	case errors.Is(err, forms.ErrUnsupportedType):
		h.problem(w, r, f, http.StatusUnsupportedMediaType, "Không đọc được dữ liệu",
			"Biểu mẫu chỉ nhận dữ liệu dạng multipart/form-data, application/x-www-form-urlencoded hoặc JSON, mã UTF-8.")
		return
	case errors.Is(err, forms.ErrInvalidUTF8):
		h.problem(w, r, f, http.StatusBadRequest, "Không đọc được dữ liệu",
			"Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ.")
		return
	case err != nil:
		h.problem(w, r, f, http.StatusBadRequest, "Không đọc được dữ liệu",
			"Dữ liệu gửi lên không đúng định dạng.")
		return
	}
	// The body is in: a slow phone holds no turn while it sends. The wait
	// counts against the save's time, so a submission is answered within
	// StoreTimeout either way.
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.StoreTimeout)
	defer cancel()
	if !h.cfg.Gate.enter(ctx) {
		note.outcome = "busy"
		w.Header().Set("Retry-After", "10")
		h.refused(w, r, f, raw, now, http.StatusServiceUnavailable,
			"Hệ thống đang nhận rất nhiều câu trả lời cùng lúc nên chưa lưu được câu trả lời của bạn. Thông tin bạn nhập vẫn còn trên trang này: hãy chờ ít phút rồi bấm gửi lại. Gửi lại không tạo bản trùng.")
		return
	}
	defer h.cfg.Gate.leave()

	if forms.IsBot(raw) {
		note.outcome = "honeypot"
		h.accepted(w, r, f, "", receiptCode(f, "", raw))
		return
	}
	sub, errs := f.ValidateFiles(raw, files, now)
	if errs != nil {
		note.outcome = "invalid"
		for _, fl := range f.Fields {
			if errs[fl.Name] != "" {
				note.fields = append(note.fields, fl.Name)
			}
		}
		h.invalid(w, r, f, raw, errs, now)
		return
	}

	if f.QuotaBy != "" {
		if ok, wait := h.places.allow(clientKey(r, h.cfg.ClientIPHeader), h.cfg.Stopwatch()); !ok {
			note.outcome = "places-limited"
			mins := (retryAfter(wait) + 59) / 60
			w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
			h.refused(w, r, f, raw, now, http.StatusTooManyRequests,
				"Máy này đã gửi nhiều đăng ký trong thời gian ngắn. Hãy chờ khoảng "+strconv.Itoa(mins)+
					" phút rồi gửi tiếp; nếu cần đăng ký nhiều người một lúc, hãy liên hệ Đoàn phường.")
			return
		}
		// After the token: each check is an argon2id hash, and each wrong
		// guess costs the guesser one of a few registrations an hour.
		if in := f.CodeInput(); in != nil {
			if msg := f.CheckCode(sub.Group(), raw.Get(in.Name)); msg != "" {
				note.outcome = "wrong-code"
				h.fieldRefused(w, r, f, raw, now, http.StatusForbidden, in.Name, msg)
				return
			}
		}
	}

	rc, err := h.cfg.Store.Save(ctx, sub)
	note.key = rc.Key
	var quota *store.QuotaError
	switch {
	case errors.As(err, &quota):
		note.outcome = "quota-full"
		h.refused(w, r, f, raw, now, http.StatusConflict, quota.Message())
		return
	case err != nil:
		note.outcome, note.err = "store-error", err
		w.Header().Set("Retry-After", "10")
		h.refused(w, r, f, raw, now, http.StatusServiceUnavailable,
			"Hệ thống chưa lưu được câu trả lời của bạn. Thông tin bạn nhập vẫn còn trên trang này: hãy chờ ít phút rồi bấm gửi lại. Gửi lại không tạo bản trùng.")
		return
	}
	note.outcome = "stored"
	if rc.Duplicate {
		note.outcome = "duplicate"
	}
	h.accepted(w, r, f, rc.ID, receiptCode(f, rc.Hash, raw))
}

// wantsJSON reports whether the client asked for JSON answers.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// placesRate is the rate of the registrations' bucket: off (rate.Inf) when
// the per-client limit is, as in tests and benchmarks.
func placesRate(cfg Config) rate.Limit {
	if cfg.Rate == rate.Inf {
		return rate.Inf
	}
	return rate.Every(cfg.QuotaEvery)
}

// retryAfter is wait in whole seconds, rounded up: a client that waits
// that long finds a token.
func retryAfter(wait time.Duration) int {
	return int((wait + time.Second - 1) / time.Second)
}

type jsonAnswer struct {
	OK      bool         `json:"ok"`
	ID      string       `json:"id,omitempty"`
	Code    string       `json:"code,omitempty"` // the receipt code of an accepted submission
	Keep    string       `json:"keep,omitempty"` // the line that asks to keep it
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
	// Partial: the staff request ran out of time but saved what it read;
	// sending it again goes on from there (with a 503 and Retry-After).
	Partial bool `json:"partial,omitempty"`
}

type fieldError struct {
	Field   string `json:"field"`
	ID      string `json:"id"` // the HTML id the error summary links to
	Message string `json:"message"`
}

// KeepCode is the line under a receipt code.
const KeepCode = "Hãy ghi lại mã này để tra cứu câu trả lời."

func (h *Handler) accepted(w http.ResponseWriter, r *http.Request, f *forms.Form, id, code string) {
	if wantsJSON(r) {
		ans := jsonAnswer{OK: true, ID: id, Code: code, Message: f.Thanks}
		if code != "" {
			ans.Keep = KeepCode
		}
		writeJSON(w, http.StatusOK, ans)
		return
	}
	h.thanksPage(w, r, f, code)
}

// fieldRefused answers a submission refused for one field that is not a
// matter of its shape (a wrong registration code): code, the message at the
// field, what was typed kept.
func (h *Handler) fieldRefused(w http.ResponseWriter, r *http.Request, f *forms.Form, raw url.Values, now time.Time, code int, field, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, jsonAnswer{Message: msg, Errors: []fieldError{{Field: field, ID: forms.FieldID(field), Message: msg}}})
		return
	}
	h.formPage(w, r, f, code, forms.State{Now: now, Values: raw, Errors: map[string]string{field: msg}})
}

func (h *Handler) invalid(w http.ResponseWriter, r *http.Request, f *forms.Form, raw url.Values, errs map[string]string, now time.Time) {
	if wantsJSON(r) {
		ans := jsonAnswer{Message: "Có thông tin cần sửa trước khi gửi."}
		for _, fl := range f.Fields {
			if m := errs[fl.Name]; m != "" {
				ans.Errors = append(ans.Errors, fieldError{Field: fl.Name, ID: forms.FieldID(fl.Name), Message: m})
			}
		}
		writeJSON(w, http.StatusUnprocessableEntity, ans)
		return
	}
	h.formPage(w, r, f, http.StatusUnprocessableEntity, forms.State{Now: now, Values: raw, Errors: errs})
}

// refused answers a valid submission that was not stored, keeping what was typed.
func (h *Handler) refused(w http.ResponseWriter, r *http.Request, f *forms.Form, raw url.Values, now time.Time, code int, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, jsonAnswer{Message: msg})
		return
	}
	h.formPage(w, r, f, code, forms.State{Now: now, Values: raw, Message: msg})
}

func (h *Handler) formPage(w http.ResponseWriter, r *http.Request, f *forms.Form, code int, st forms.State) {
	fragment, err := f.RenderHTML(st)
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	main, err := h.cfg.Forms.RenderAnswer(forms.Answer{Title: f.Title, Form: fragment})
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	h.page(w, r, code, f, f.Title, main, true)
}

// problem answers a request that has nothing to keep.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, f *forms.Form, code int, title, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, jsonAnswer{Message: msg})
		return
	}
	a := forms.Answer{Title: title, Message: msg}
	if f != nil {
		a.Back = forms.Path(f.ID)
	}
	main, err := h.cfg.Forms.RenderAnswer(a)
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	h.page(w, r, code, f, title, main, false)
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, code int, f *forms.Form, title string, main template.HTML, withScript bool) {
	sh := site.Shell{Site: h.cfg.Site, Title: title, NoIndex: true, Main: main}
	if f != nil {
		sh.Path = forms.Path(f.ID)
	}
	if withScript && h.script != "" {
		sh.Scripts = []string{h.script}
	}
	h.writePage(w, r, code, sh, "no-store")
}

func (h *Handler) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	noteOf(r).err = err
	http.Error(w, "Lỗi hệ thống khi hiển thị trang. Hãy thử lại sau.", http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	hd := w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(b)
}
