package handler

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"loa/functions/forms"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
	"loa/site"
)

// Hỏi đáp (Decree 42/2022/NĐ-CP, Art. 8): a person follows what became of
// a question with its receipt code, staff answer it, and the answers the
// askers agreed to publish are on /hoi-dap/.
//
//	POST /api/tra-cuu  ma=CODE&so=LAST4  the status and answer (JSON, or a page of the site)
//	GET  /hoi-dap/                        the published answers, a page of the site
//	GET  /api/questions?…                 staff: the questions with their answers (staff.go)
//	PUT  /api/answers/{form}/{id}         staff: save an answer

// AnswerStore is what Hỏi đáp needs of the store; *store.Store is one.
type AnswerStore interface {
	Lookup(ctx context.Context, f *forms.Form, hexDigits string, match func(forms.Record) bool) (store.Found, store.Answer, bool, error)
	FindByID(ctx context.Context, f *forms.Form, id string) (store.Found, error)
	SaveAnswer(ctx context.Context, f *forms.Form, found store.Found, base int, a store.Answer) (store.Answer, error)
	ListAnswers(ctx context.Context, form string) (map[string]store.Answer, error)
	PublicAnswers(ctx context.Context, f *forms.Form) ([]store.PublicEntry, error)
}

// Lookup limits: per client, bursts of 5 then one a minute; per code, 10
// tries an hour, whoever tries. A code has 40 bits and asks for the last
// four digits of a phone number as well: guessing either is hopeless.
const (
	lookupBurst     = 5
	lookupEvery     = time.Minute
	codeTriesBurst  = 10
	codeTriesEvery  = 6 * time.Minute
	publicCacheLife = 30 * time.Second
)

// The one answer to a code that names nothing, to a wrong pair of code and
// digits, and to a malformed code: the same status, headers and bytes, so
// that a guesser learns nothing.
const (
	lookupNotFoundTitle = "Không tìm thấy"
	lookupNotFound      = "Không tìm thấy câu hỏi nào với mã và thông tin liên hệ này. Hãy kiểm tra lại mã (ví dụ CH-7K3M-9Q2P) và 4 số cuối số điện thoại, hoặc email, bạn đã ghi khi gửi."
)

func (h *Handler) mountHoidap() {
	lr, cr := rate.Every(lookupEvery), rate.Every(codeTriesEvery)
	if h.cfg.LookupRate == rate.Inf {
		lr, cr = rate.Inf, rate.Inf
	}
	h.lookups = newLimiter(lr, lookupBurst, h.cfg.MaxClients)
	h.codeTries = newLimiter(cr, codeTriesBurst, h.cfg.MaxClients)
	h.mux.HandleFunc(routes.Lookup, h.lookup)
	h.mux.HandleFunc(routes.PublicPage, h.publicPage)
	h.mux.HandleFunc(routes.PublicAPI, h.publicPage)
	h.mux.HandleFunc("/hoi-dap", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, routes.PublicPage, http.StatusMovedPermanently)
	})
}

// receiptView is what layouts/hoidap.html's "receipt" shows.
type receiptView struct {
	Message, Code, LookupURL, Back, BackTitle string
}

// lookupURL is the lookup page with the code filled in.
func lookupURL(code string) string {
	return routes.LookupPage + "?" + url.Values{"ma": {code}}.Encode()
}

// receiptCode is the code told for an accepted submission; a honeypot
// "success" gets one that names nothing, made from what the bot sent.
func receiptCode(f *forms.Form, hash string, raw url.Values) string {
	if hash == "" {
		sum := sha256.Sum256([]byte("honeypot:" + raw.Encode()))
		hash = hex.EncodeToString(sum[:])
	}
	return f.ReceiptCode(hash)
}

// thanksPage answers a submission sent without JavaScript: a page of the
// site with the thank-you text and the receipt code. (Not a redirect to
// a static page: that page could not know the code.)
func (h *Handler) thanksPage(w http.ResponseWriter, r *http.Request, f *forms.Form, code string) {
	if !h.cfg.Forms.HasLayout("receipt") {
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, forms.ThanksPath(f.ID), http.StatusSeeOther)
		return
	}
	msg := f.Thanks
	if msg == "" {
		msg = "Cảm ơn bạn. Chúng tôi đã nhận được thông tin bạn gửi."
	}
	main, err := h.cfg.Forms.RenderLayout("receipt", receiptView{
		Message: msg, Code: code, LookupURL: lookupURL(code), Back: forms.Path(f.ID), BackTitle: f.Title,
	})
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	h.page(w, r, http.StatusOK, f, "Đã gửi: "+f.Title, main, false)
}

// lookupView is what "lookup-answer" shows.
type lookupView struct {
	Title      string
	Found      bool
	Code       string
	StatusText string
	AnsweredAt string
	Answer     []string
	Message    string
	Form       struct{ Code string }
}

type lookupAnswer struct {
	OK         bool       `json:"ok"`
	Code       string     `json:"code,omitempty"`
	Status     string     `json:"status,omitempty"`
	StatusText string     `json:"status_text,omitempty"`
	Answer     string     `json:"answer"`
	AnsweredAt *time.Time `json:"answered_at"`
	Message    string     `json:"message"`
}

// maxLookupBody bounds a lookup's body: a code and a phone's digits or an
// email.
const maxLookupBody = 4 << 10

// lookup answers POST /api/tra-cuu with ma=CODE&so=LAST4 (form-urlencoded,
// as the form without JavaScript sends it, or JSON). Never a GET: a query
// string is kept in CloudFront's access logs, beside the viewer's address,
// and the digits of a phone number or an email have no place there. A GET
// (an old link, a bookmark) is sent to the lookup page with the code
// filled in and nothing else.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	note.action, note.msg = "lookup", "lookup"
	if r.Method == http.MethodGet && !wantsJSON(r) {
		note.outcome = "get-redirected"
		u := routes.LookupPage
		if code := strings.TrimSpace(r.URL.Query().Get("ma")); code != "" && len(code) <= 40 {
			u = lookupURL(code)
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, u, http.StatusSeeOther)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.lookupProblem(w, r, http.StatusMethodNotAllowed, "Không tra cứu được", "Tra cứu chỉ nhận phương thức POST.")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLookupBody))
	var q url.Values
	if err == nil {
		q, err = forms.DecodeBody(r.Header.Get("Content-Type"), body)
	}
	if err != nil {
		note.outcome = "malformed"
		h.lookupProblem(w, r, http.StatusBadRequest, "Chưa đủ thông tin",
			"Không đọc được thông tin tra cứu. Nhập mã tra cứu và 4 số cuối số điện thoại, hoặc email, rồi bấm Tra cứu.")
		return
	}
	code, contact := strings.TrimSpace(q.Get("ma")), strings.TrimSpace(q.Get("so"))
	if code == "" || contact == "" || len(code) > 40 || len(contact) > 254 {
		note.outcome = "incomplete"
		h.lookupProblem(w, r, http.StatusBadRequest, "Chưa đủ thông tin",
			"Nhập mã tra cứu (ví dụ CH-7K3M-9Q2P) và 4 số cuối số điện thoại, hoặc email, bạn đã ghi khi gửi.")
		return
	}
	now := h.cfg.Stopwatch()
	if ok, wait := h.lookups.allow(clientKey(r, h.cfg.ClientIPHeader), now); !ok {
		note.outcome = "rate-limited"
		h.lookupLimited(w, r, wait)
		return
	}
	prefix, digits, valid := forms.ParseReceipt(code)
	tries := "?" + forms.NormalizeCode(code)
	if valid {
		tries = prefix + digits
	}
	if ok, wait := h.codeTries.allow(tries, now); !ok {
		note.outcome = "code-limited"
		h.lookupLimited(w, r, wait)
		return
	}
	f := h.cfg.Forms.FormByCodePrefix(prefix)
	if !valid || f == nil || h.answers == nil {
		note.outcome = "not-found"
		h.lookupNotFound(w, r)
		return
	}
	note.form = f.ID
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.StoreTimeout)
	defer cancel()
	found, a, ok, err := h.answers.Lookup(ctx, f, digits, func(rec forms.Record) bool { return f.MatchesContact(rec, contact) })
	if err != nil {
		h.lookupFailed(w, r, err)
		return
	}
	if !ok {
		note.outcome = "not-found"
		h.lookupNotFound(w, r)
		return
	}
	note.outcome, note.id = "found", found.Record.ID
	code = f.ReceiptCode(found.Hash)
	status := a.Status
	if !store.ValidStatus(status) {
		status = store.StatusReceived
	}
	ans := lookupAnswer{OK: true, Code: code, Status: status, StatusText: store.StatusText(status), Message: store.StatusText(status)}
	if status == store.StatusAnswered {
		ans.Answer = a.Text
		at := a.At.In(vntext.Location)
		ans.AnsweredAt = &at
	}
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, ans)
		return
	}
	v := lookupView{Title: "Kết quả tra cứu", Found: true, Code: code, StatusText: ans.StatusText}
	if ans.AnsweredAt != nil {
		v.AnsweredAt = vntext.LongDate(*ans.AnsweredAt)
		v.Answer = paragraphs(ans.Answer)
	}
	v.Form.Code = code
	h.lookupPage(w, r, http.StatusOK, v)
}

// lookupNotFound answers an unknown code, a wrong pair and a malformed
// code alike: 404 to a program (JSON); to a browser, the lookup's page with
// the message, as 200. On AWS, CloudFront replaces every 404 of the
// distribution with the site's 404.html (and caches it), which would hide
// the message from a resident without JavaScript; a lookup that found
// nothing is a page of results like any other.
func (h *Handler) lookupNotFound(w http.ResponseWriter, r *http.Request) {
	code := http.StatusNotFound
	if !wantsJSON(r) {
		code = http.StatusOK
	}
	h.lookupProblem(w, r, code, lookupNotFoundTitle, lookupNotFound)
}

func (h *Handler) lookupLimited(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := retryAfter(wait)
	mins := (secs + 59) / 60
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.lookupProblem(w, r, http.StatusTooManyRequests, "Tra cứu quá nhiều lần",
		"Bạn đã tra cứu nhiều lần trong thời gian ngắn. Hãy chờ khoảng "+strconv.Itoa(mins)+" phút rồi thử lại.")
}

func (h *Handler) lookupFailed(w http.ResponseWriter, r *http.Request, err error) {
	note := noteOf(r)
	note.outcome, note.err = "store-error", err
	w.Header().Set("Retry-After", "10")
	h.lookupProblem(w, r, http.StatusServiceUnavailable, "Chưa tra cứu được",
		"Hệ thống chưa trả lời. Hãy thử lại sau ít phút.")
}

// lookupProblem answers a lookup that found nothing to show: JSON, or the
// lookup's page with the message and the form again (empty: the typed
// code is not echoed, so that every "not found" is the same page).
func (h *Handler) lookupProblem(w http.ResponseWriter, r *http.Request, code int, title, msg string) {
	if wantsJSON(r) {
		writeJSON(w, code, lookupAnswer{Message: msg})
		return
	}
	h.lookupPage(w, r, code, lookupView{Title: title, Message: msg})
}

func (h *Handler) lookupPage(w http.ResponseWriter, r *http.Request, code int, v lookupView) {
	if !h.cfg.Forms.HasLayout("lookup-answer") {
		h.problem(w, r, nil, code, v.Title, v.Message)
		return
	}
	main, err := h.cfg.Forms.RenderLayout("lookup-answer", v)
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	sh := site.Shell{Site: h.cfg.Site, Title: v.Title, NoIndex: true, Main: main, Path: routes.LookupPage}
	if h.lookupScript != "" {
		sh.Scripts = []string{h.lookupScript}
	}
	h.writePage(w, r, code, sh, "no-store")
}

// paragraphs splits a text at its blank lines and line breaks.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// publicCache keeps the rendered /hoi-dap/ for a short while: the page is
// read far more often than answers change, and each rendering lists the
// answers of every answered form. A save through this handler clears it;
// other instances (on Lambda) show the change within its life.
type publicCache struct {
	mu   sync.Mutex
	page []byte
	at   time.Time
}

func (c *publicCache) get(now time.Time) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.page != nil && now.Sub(c.at) < publicCacheLife && !now.Before(c.at) {
		return c.page
	}
	return nil
}

func (c *publicCache) put(page []byte, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.page, c.at = page, now
}

func (c *publicCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.page = nil
}

type publicItem struct {
	Question, Answer []string
	Date, ISO        string
	at               time.Time
}

type publicGroup struct {
	ID, Topic string
	Items     []publicItem
}

// publicPage answers GET /hoi-dap/: the published questions and answers,
// grouped by topic in the form's order, newest answer first.
func (h *Handler) publicPage(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	note.action, note.msg = "public", "public answers"
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		h.problem(w, r, nil, http.StatusMethodNotAllowed, "Không mở được trang", "Trang này chỉ nhận phương thức GET.")
		return
	}
	if r.URL.Path != routes.PublicPage && r.URL.Path != routes.PublicAPI {
		h.problem(w, r, nil, http.StatusNotFound, "Không tìm thấy trang", "Địa chỉ này không có trang nào.")
		return
	}
	now := h.cfg.Stopwatch()
	if b := h.public.get(now); b != nil {
		note.outcome = "cached"
		h.writeCached(w, r, b)
		return
	}
	if h.answers == nil || !h.cfg.Forms.HasLayout("public-answers") {
		note.outcome = "not-configured"
		w.Header().Set("Retry-After", "60")
		h.problem(w, r, nil, http.StatusServiceUnavailable, "Chưa mở được trang", "Trang Hỏi đáp chưa được cấu hình trên máy chủ.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.StoreTimeout)
	defer cancel()
	var groups []*publicGroup
	byTopic := map[string]*publicGroup{}
	for _, f := range h.cfg.Forms.Forms() {
		if !f.Answered() || f.FieldOfKind(forms.KindPublish) == nil {
			continue
		}
		list, err := h.answers.PublicAnswers(ctx, f)
		if err != nil {
			note.outcome, note.err = "store-error", err
			w.Header().Set("Retry-After", "30")
			h.problem(w, r, nil, http.StatusServiceUnavailable, "Chưa mở được trang", "Hệ thống chưa trả lời. Hãy thử lại sau ít phút.")
			return
		}
		var order []string
		if tf := f.TopicField(); tf != nil {
			order = tf.Options
		}
		for _, t := range order {
			if byTopic[t] == nil {
				byTopic[t] = &publicGroup{Topic: t}
				groups = append(groups, byTopic[t])
			}
		}
		for _, e := range list {
			t := e.Topic
			if t == "" {
				t = forms.Other
			}
			g := byTopic[t]
			if g == nil {
				g = &publicGroup{Topic: t}
				byTopic[t] = g
				groups = append(groups, g)
			}
			g.Items = append(g.Items, publicItem{
				Question: paragraphs(e.Question), Answer: paragraphs(e.Answer),
				Date: vntext.LongDate(e.AnsweredAt), ISO: e.AnsweredAt.In(vntext.Location).Format("2006-01-02"), at: e.AnsweredAt,
			})
		}
	}
	var shown []*publicGroup
	for _, g := range groups {
		if len(g.Items) == 0 {
			continue
		}
		slices.SortStableFunc(g.Items, func(a, b publicItem) int { return b.at.Compare(a.at) })
		g.ID = "linh-vuc-" + vntext.Slug(g.Topic)
		shown = append(shown, g)
	}
	main, err := h.cfg.Forms.RenderLayout("public-answers", struct{ Groups []*publicGroup }{shown})
	if err != nil {
		h.renderFailed(w, r, err)
		return
	}
	sh := site.Shell{Site: h.cfg.Site, Title: "Hỏi đáp", Path: routes.PublicPage, Main: main,
		Description: "Câu hỏi của đoàn viên, thanh niên và câu trả lời của phường."}
	if base := strings.TrimSuffix(h.cfg.Site.BaseURL, "/"); base != "" {
		sh.Canonical = base + routes.PublicPage
	}
	var b bytes.Buffer
	if err := h.cfg.Frame.Render(&b, sh); err != nil {
		h.renderFailed(w, r, err)
		return
	}
	note.outcome = "rendered"
	h.public.put(b.Bytes(), now)
	h.writeCached(w, r, b.Bytes())
}

// writeCached writes /hoi-dap/: browsers ask again each time, CloudFront
// keeps it a minute (its cache behavior for /hoi-dap/*).
func (h *Handler) writeCached(w http.ResponseWriter, r *http.Request, b []byte) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=0, s-maxage=60")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// writePage frames nothing more: it writes a rendered shell.
func (h *Handler) writePage(w http.ResponseWriter, r *http.Request, code int, sh site.Shell, cache string) {
	var b bytes.Buffer
	if err := h.cfg.Frame.Render(&b, sh); err != nil {
		h.renderFailed(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", cache)
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		w.Write(b.Bytes())
	}
}

// logAnswer logs one change of an answer: which, what version, status and
// whether it is public; never the text or a name.
func (h *Handler) logAnswer(ctx context.Context, form, id string, a store.Answer, public bool) {
	h.cfg.Logger.LogAttrs(ctx, slog.LevelInfo, "answer saved",
		slog.String("form", form), slog.String("id", id), slog.Int("version", a.Version),
		slog.String("status", a.Status), slog.Bool("public", public))
}
