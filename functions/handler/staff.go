package handler

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"loa/functions/forms"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/vntext"
)

// StaffService is what the staff routes call, in the plain data of package
// report. The handler declares it and the exporter (*export.Exporter)
// implements it; both speak report, neither imports the other, so the
// staff routes are tested and wired without knowing how exports are made.
type StaffService interface {
	Stats(ctx context.Context, list []*forms.Form) (*report.Stats, error)
	Publish(ctx context.Context, f *forms.Form, format report.Format) (report.Link, error)
	Delete(ctx context.Context, f *forms.Form, id string) error
}

// Failed staff secrets: five guesses, then one every 30 seconds per client.
// The secret made by loa-secret has 125 bits; this only keeps a
// guesser from costing us an argon2id check per request.
const (
	staffFailRate  = rate.Limit(1.0 / 30)
	staffFailBurst = 5
)

// mountStaff adds the staff routes. Each one checks the method, then the
// secret, and only then looks at its arguments, so that nothing (not even
// whether a form exists) is told to a caller without the secret.
func (h *Handler) mountStaff() error {
	if h.cfg.StaffSecretHash != "" {
		c, err := staff.NewChecker(h.cfg.StaffSecretHash)
		if err != nil {
			return err
		}
		h.staff = c
	}
	h.staffFails = newLimiter(staffFailRate, staffFailBurst, h.cfg.MaxClients)
	h.acctFails = newLimiter(accountFailRate, accountFailBurst, h.cfg.MaxClients)
	h.digestTries = newLimiter(digestNowRate, digestNowBurst, h.cfg.MaxClients)
	h.mux.HandleFunc(routes.SignIn, h.staffRoute("sign-in", http.MethodGet, h.signIn))
	list, create := h.staffRoute("accounts", http.MethodGet, h.listAccounts), h.staffRoute("account-create", http.MethodPost, h.createAccount)
	h.mux.HandleFunc(routes.Accounts, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			create(w, r)
			return
		}
		list(w, r)
	})
	h.mux.HandleFunc(routes.Accounts+"/{id}", h.staffRoute("account-delete", http.MethodDelete, h.deleteAccount))
	h.mux.HandleFunc(routes.Audit, h.staffRoute("audit", http.MethodGet, h.auditLog))
	h.mux.HandleFunc(routes.Digest, h.staffRoute("digest", http.MethodGet, h.digestSettings))
	h.mux.HandleFunc(routes.Digest+"/{id}", h.staffRoute("digest-setting", http.MethodPut, h.saveDigestSetting))
	h.mux.HandleFunc(routes.DigestNow, h.staffRoute("digest-test", http.MethodPost, h.digestNow))
	h.mux.HandleFunc(routes.AuditCSV, h.staffRoute("audit-csv", http.MethodGet, h.auditCSV))
	h.mux.HandleFunc(routes.Stats, h.staffRoute("stats", http.MethodGet, h.stats))
	h.mux.HandleFunc(routes.Export+"{form}", h.staffRoute("export", http.MethodGet, h.export))
	h.mux.HandleFunc(routes.Submissions+"{form}/{id}", h.staffRoute("delete", http.MethodDelete, h.deleteSubmission))
	h.mux.HandleFunc(routes.Files+"{form}/{id}/{field}", h.staffRoute("file", http.MethodGet, h.fileLink))
	h.mux.HandleFunc(routes.Questions, h.staffRoute("questions", http.MethodGet, h.questions))
	h.mux.HandleFunc(routes.Answers+"{form}/{id}", h.staffRoute("answer", http.MethodPut, h.saveAnswer))
	return nil
}

func (h *Handler) staffRoute(action, method string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		note := noteOf(r)
		note.action = action
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeJSON(w, http.StatusMethodNotAllowed, jsonAnswer{Message: "Địa chỉ này chỉ nhận phương thức " + method + "."})
			return
		}
		acc := h.staffAuth(w, r)
		if acc == nil {
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), accountKey{}, acc))
		h.audited(w, r, acc, func(w http.ResponseWriter, r *http.Request) {
			switch {
			case managerOnly[action] && !acc.manager():
				note.outcome = "forbidden"
				writeJSON(w, http.StatusForbidden, jsonAnswer{Message: "Tài khoản “" + acc.Name + "” có vai trò “" +
					store.RoleText(acc.Role) + "”: việc này cần vai trò “quản lý”."})
			case h.cfg.Staff == nil:
				note.outcome = "not-configured"
				writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng quản trị chưa được cấu hình trên máy chủ."})
			default:
				next(w, r)
			}
		})
	}
}

// staffAuth checks the account (AccountHeader; see findAccount when absent)
// and the secret of the X-Loa-Staff header, and returns the account, or nil
// with the refusal answered. Every check takes a token from the client's
// bucket and from the account's first, before the slow hash, so that a
// burst of guesses sent at once is refused past the buckets' size; the
// right secret gives its tokens back. A client or an account out of tokens
// is refused before the check, even with the right secret.
func (h *Handler) staffAuth(w http.ResponseWriter, r *http.Request) *account {
	note := noteOf(r)
	w.Header().Set("Vary", routes.StaffHeader+", "+routes.AccountHeader)
	secret := r.Header.Get(routes.StaffHeader)
	id := strings.ToLower(strings.TrimSpace(r.Header.Get(routes.AccountHeader)))
	named := id != ""
	if !named {
		id = LegacyAccount
	}
	switch {
	case h.staff == nil && h.accounts == nil:
		note.outcome = "no-secret-configured"
		writeJSON(w, http.StatusUnauthorized, jsonAnswer{
			Message: "Máy chủ chưa được cấu hình mã quản trị (" + staff.EnvHash + "). Hãy liên hệ người phụ trách kỹ thuật.",
		})
		return nil
	case secret == "":
		note.outcome = "no-secret"
		writeJSON(w, http.StatusUnauthorized, jsonAnswer{Message: "Cần nhập mã quản trị."})
		return nil
	}
	now := h.cfg.Stopwatch()
	limited := func(wait time.Duration) *account {
		note.outcome = "rate-limited"
		secs := retryAfter(wait)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeJSON(w, http.StatusTooManyRequests, jsonAnswer{
			Message: "Nhập sai mã quản trị quá nhiều lần. Hãy chờ " + strconv.Itoa(secs) + " giây rồi thử lại.",
		})
		return nil
	}
	ok, wait, giveBack := h.staffFails.take(clientKey(r, h.cfg.ClientIPHeader), now)
	if !ok {
		return limited(wait)
	}
	if !store.ValidAccountID(id) {
		id = "-" // one bucket for every malformed name
	}
	ok, wait, giveBackAcct := h.acctFails.take("account:"+id, now)
	if !ok {
		return limited(wait)
	}
	acc, checker, err := h.findAccount(r.Context(), id, named)
	if err != nil {
		note.outcome, note.err = "store-error", err
		w.Header().Set("Retry-After", "10")
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Hệ thống lưu trữ chưa trả lời. Hãy thử lại sau ít phút."})
		return nil
	}
	if acc == nil || !checker.Check(secret) {
		note.outcome = "wrong-secret"
		writeJSON(w, http.StatusUnauthorized, jsonAnswer{Message: "Tên đăng nhập hoặc mã quản trị không đúng."})
		return nil
	}
	if giveBack != nil {
		giveBack()
	}
	if giveBackAcct != nil {
		giveBackAcct()
	}
	return acc
}

func (h *Handler) stats(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	st, err := h.cfg.Staff.Stats(r.Context(), h.cfg.Forms.Forms())
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	for _, f := range st.Forms {
		note.rows += f.Total
	}
	note.outcome = "ok"
	writeJSON(w, http.StatusOK, st)
}

type exportAnswer struct {
	OK bool `json:"ok"`
	report.Link
}

// staffForm is the form a staff route names, noted for the log; nil, with
// a 404 answered, for an unknown one.
func (h *Handler) staffForm(w http.ResponseWriter, r *http.Request) *forms.Form {
	return knownForm(w, r, h.cfg.Forms.Form(r.PathValue("form")), "Không có biểu mẫu này.")
}

// knownForm notes f for the log and returns it; for a nil f it answers
// 404 with missing.
func knownForm(w http.ResponseWriter, r *http.Request, f *forms.Form, missing string) *forms.Form {
	if f == nil {
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: missing})
		return nil
	}
	noteOf(r).form = f.ID
	return f
}

func (h *Handler) export(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.staffForm(w, r)
	if f == nil {
		return
	}
	format, err := report.ParseFormat(r.URL.Query().Get("format"))
	if err != nil || !slices.Contains(report.Formats(f), format) {
		writeJSON(w, http.StatusBadRequest, jsonAnswer{Message: "Định dạng tải về không hợp lệ: chọn CSV hoặc XLSX."})
		return
	}
	note.format = string(format)
	link, err := h.cfg.Staff.Publish(r.Context(), f, format)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	note.rows, note.outcome = link.Rows, "ok"
	writeJSON(w, http.StatusOK, exportAnswer{OK: true, Link: link})
}

func (h *Handler) deleteSubmission(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.staffForm(w, r)
	if f == nil {
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	if len(id) == forms.IDLength && strings.Trim(id, "0123456789abcdef") == "" {
		note.id = id // a short hash: it names the row without saying anything about the person
	}
	err := h.cfg.Staff.Delete(r.Context(), f, id)
	h.public.clear()
	switch {
	case errors.Is(err, store.ErrNotFound):
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{
			Message: "Không có câu trả lời nào có mã “" + id + "” trong biểu mẫu “" + f.Title + "”. Hãy kiểm tra lại mã (12 ký tự, cột “Mã” của tệp tải về).",
		})
		return
	case err != nil:
		h.staffFailed(w, r, err)
		return
	}
	note.rows, note.outcome = 1, "deleted"
	msg := "Đã xóa câu trả lời mã " + id + " của biểu mẫu “" + f.Title + "”. Các tệp tải về trước đó đã bị xóa; hãy tải lại."
	if f.Quota > 0 {
		msg += " Chỗ của chi đoàn đã được trả lại."
	}
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: msg})
}

// readJSON reads the JSON body of a staff request into v, at most limit
// bytes. A larger body answers 413 with the limit, one that is not that
// JSON 400 naming what is wanted; both return false.
func readJSON(w http.ResponseWriter, r *http.Request, limit int64, v any, want string) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
		noteOf(r).outcome = "too-large"
		writeJSON(w, http.StatusRequestEntityTooLarge, jsonAnswer{
			Message: "Dữ liệu gửi lên vượt quá " + strconv.FormatInt(limit>>10, 10) + " KB, mức tối đa của việc này."})
		return false
	}
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		noteOf(r).outcome = "malformed"
		writeJSON(w, http.StatusBadRequest, jsonAnswer{Message: "Dữ liệu gửi lên không đúng định dạng (cần JSON: " + want + ")."})
		return false
	}
	return true
}

// FileStore hands out the files sent with submissions; *store.Store is one.
type FileStore interface {
	FindByID(ctx context.Context, f *forms.Form, id string) (store.Found, error)
	FileLink(ctx context.Context, f *forms.Form, found store.Found, field, name string, expiry time.Duration) (string, error)
}

// fileLinkExpiry is how long a link to a sent file lives.
const fileLinkExpiry = 10 * time.Minute

// fileLink answers GET /api/files/{form}/{id}/{field}: a link to the file
// that a submission carries in a file field, downloaded under the form's
// id and the submission's receipt code ("de-cu-DC-7K3M-9Q2P.jpg").
func (h *Handler) fileLink(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.staffForm(w, r)
	if f == nil {
		return
	}
	files, ok := h.cfg.Store.(FileStore)
	if !ok {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng tải tệp kèm theo chưa được cấu hình trên máy chủ."})
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	field := r.PathValue("field")
	notFound := func() {
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Câu trả lời này không có tệp kèm theo, hoặc đã bị xóa. Hãy tải lại danh sách."})
	}
	if fl := f.Field(field); fl == nil || fl.Kind != forms.KindFile {
		notFound()
		return
	}
	found, err := files.FindByID(r.Context(), f, id)
	if errors.Is(err, store.ErrNotFound) {
		notFound()
		return
	}
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	note.id = id
	value := found.Record.Values[field]
	name := f.ID + "-" + f.ReceiptCode(found.Hash) + path.Ext(value)
	if f.CodePrefix == "" {
		name = f.ID + "-" + id + path.Ext(value)
	}
	url, err := files.FileLink(r.Context(), f, found, field, name, fileLinkExpiry)
	if errors.Is(err, store.ErrNotFound) {
		notFound()
		return
	}
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	note.rows, note.outcome = 1, "ok"
	writeJSON(w, http.StatusOK, exportAnswer{OK: true, Link: report.Link{URL: url, FileName: name, Expires: h.cfg.Now().Add(fileLinkExpiry), Rows: 1}})
}

func (h *Handler) staffFailed(w http.ResponseWriter, r *http.Request, err error) {
	note := noteOf(r)
	if inc, ok := errors.AsType[*report.Incomplete](err); ok {
		note.outcome, note.rows = "partial", inc.Fresh
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{
			Partial: true,
			Message: "Có nhiều câu trả lời, chưa tổng hợp xong trong một lần: đã đọc thêm " + vntext.Number(inc.Fresh) +
				" câu trả lời và đã lưu lại phần này. Đang đọc tiếp…",
		})
		return
	}
	note.outcome, note.err = "store-error", err
	w.Header().Set("Retry-After", "10")
	writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Hệ thống lưu trữ chưa trả lời. Hãy thử lại sau ít phút."})
}

// logStaff logs a staff request: when (the record's time), what, how many
// rows, the outcome. Never a value of a row, never the secret or the link.
func (h *Handler) logStaff(r *http.Request, status int, start time.Time, note *logNote) {
	attrs := []any{
		slog.String("action", note.action),
		slog.Int("status", status),
		slog.Duration("latency", time.Since(start)),
	}
	if note.form != "" {
		attrs = append(attrs, slog.String("form", note.form))
	}
	if note.format != "" {
		attrs = append(attrs, slog.String("format", note.format))
	}
	if note.id != "" {
		attrs = append(attrs, slog.String("id", note.id))
	}
	if note.outcome != "" {
		attrs = append(attrs, slog.String("outcome", note.outcome))
	}
	if status < 300 {
		attrs = append(attrs, slog.Int("rows", note.rows))
	}
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
		if note.err != nil {
			attrs = append(attrs, slog.String("error", note.err.Error()))
		}
	case status == http.StatusUnauthorized || status == http.StatusTooManyRequests:
		level = slog.LevelWarn
	}
	msg := note.msg
	if msg == "" {
		msg = "staff " + note.action
	}
	h.cfg.Logger.Log(r.Context(), level, msg, attrs...)
}

// refusal is how a staff route answers one of the store's known errors:
// the outcome it logs, the status and the message for people.
type refusal struct {
	err     error
	outcome string
	status  int
	message string
}

// storeAnswered answers err, when there is one, with the first of
// refusals it is, or else as the store failing; false for no error.
func (h *Handler) storeAnswered(w http.ResponseWriter, r *http.Request, err error, refusals ...refusal) bool {
	if err == nil {
		return false
	}
	for _, rf := range refusals {
		if errors.Is(err, rf.err) {
			noteOf(r).outcome = rf.outcome
			writeJSON(w, rf.status, jsonAnswer{Message: rf.message})
			return true
		}
	}
	h.staffFailed(w, r, err)
	return true
}

// invalid answers a request whose fields do not fit with msg, 422; false
// when msg is "", the request fits.
func invalid(w http.ResponseWriter, r *http.Request, msg string) bool {
	if msg == "" {
		return false
	}
	noteOf(r).outcome = "invalid"
	writeJSON(w, http.StatusUnprocessableEntity, jsonAnswer{Message: msg})
	return true
}
