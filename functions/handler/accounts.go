package handler

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"

	"loa/functions/staff"
	"loa/functions/store"
	"loa/functions/vntext"
)

// Staff accounts and the audit log.
//
// Each staff member signs in with their account's id (routes.AccountHeader)
// and its secret (routes.StaffHeader). The account is read from the store
// on every request, so a removed one is refused at the next; a checked
// secret is remembered per account version, so the slow hash is paid once.
// A request that names no account is checked against the shared secret
// of StaffSecretHash, a "quản lý" for as long as it is configured, and
// without one against the stored account LegacyAccount.
//
// Every staff request that passed the check is one audit record, written
// before its answer leaves: the answer is held until the record is stored,
// and a request whose record cannot be stored answers 503.

// LegacyAccount is the id of the first account (made by serve on its first
// run) and of the shared staff secret, for requests that name no account.
const LegacyAccount = "quan-tri"

// legacyName is the shared secret's name in answers and in the log.
const legacyName = "Mã quản trị chung"

// AccountStore keeps staff accounts; *store.Store is one.
type AccountStore interface {
	GetAccount(ctx context.Context, id string) (store.Account, string, error)
	CreateAccount(ctx context.Context, a store.Account) (store.Account, error)
	Accounts(ctx context.Context) ([]store.Account, error)
	DeleteAccount(ctx context.Context, id string) error
}

// AuditStore keeps the audit log; *store.Store is one.
type AuditStore interface {
	Audit(ctx context.Context, rec store.AuditRecord) (store.AuditRecord, error)
	AuditLog(ctx context.Context, f store.AuditFilter, offset, limit int) ([]store.AuditRecord, int, error)
}

// account is who a staff request is from.
type account struct {
	ID, Name, Role string
	legacy         bool // the shared secret: the answerer's name is typed
}

func (a *account) manager() bool { return a != nil && a.Role == store.RoleManager }

// Failed secrets per account, whatever the address: a guesser spread over
// many addresses gets a hundred, then one every ten seconds, for one
// account. Far larger than the per-client bucket, so that guesses against
// an account from elsewhere do not lock its owner out at once; with a
// secret of 125 bits, the bucket bounds the slow checks, not the odds.
const (
	accountFailRate  = rate.Limit(1.0 / 10)
	accountFailBurst = 100
)

// managerOnly names the staff actions that need a "quản lý".
var managerOnly = map[string]bool{
	"export": true, "delete": true, "compile-list": true, "compile": true, "mark": true,
	"invitations": true, "accounts": true, "account-create": true, "account-delete": true,
	"audit-csv": true, "guests": true, "guest-add": true, "guest-remove": true, "attendance-csv": true,
	"file": true, "commend-list": true, "commend-mark": true, "commend": true,
}

// checkers remembers the checker of each account's version.
type checkers struct {
	mu   sync.Mutex
	by   map[string]accountChecker
	slow sync.Mutex // one slow check at a time, over every account
}

type accountChecker struct {
	etag string
	c    *staff.Checker
}

func (cs *checkers) get(id, etag, hash string) (*staff.Checker, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.by == nil {
		cs.by = map[string]accountChecker{}
	}
	if c, ok := cs.by[id]; ok && c.etag == etag {
		return c.c, nil
	}
	c, err := staff.CheckerOf("account "+id, hash)
	if err != nil {
		return nil, err
	}
	c.ShareSlow(&cs.slow)
	cs.by[id] = accountChecker{etag: etag, c: c}
	return c, nil
}

// findAccount reads the account id: its checker, or nil when there is no
// such account. A request that names no account (named false) is checked
// against the shared secret while StaffSecretHash is configured, else
// against the stored account LegacyAccount.
func (h *Handler) findAccount(ctx context.Context, id string, named bool) (*account, *staff.Checker, error) {
	if !named && h.staff != nil {
		return &account{ID: LegacyAccount, Name: legacyName, Role: store.RoleManager, legacy: true}, h.staff, nil
	}
	if h.accounts == nil {
		return nil, nil, nil
	}
	a, etag, err := h.accounts.GetAccount(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	}
	c, err := h.checkers.get(id, etag, a.Hash)
	if err != nil {
		return nil, nil, err
	}
	return &account{ID: a.ID, Name: a.Name, Role: a.Role}, c, nil
}

// clientAddr is the client's address as the audit log keeps it.
func clientAddr(r *http.Request, trustedHeader string) string {
	if trustedHeader != "" {
		if a, ok := ParseAddr(r.Header.Get(trustedHeader)); ok {
			return a.String()
		}
	}
	if a, ok := ParseAddr(r.RemoteAddr); ok {
		return a.String()
	}
	return ""
}

// heldAnswer keeps a staff route's answer until its audit record is stored.
type heldAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *heldAnswer) Header() http.Header { return a.header }
func (a *heldAnswer) Write(b []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(b)
}
func (a *heldAnswer) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}

// audited runs next for the account of r, then stores its audit record,
// then answers; without an audit store it just runs next.
func (h *Handler) audited(w http.ResponseWriter, r *http.Request, acc *account, next http.HandlerFunc) {
	if h.audit == nil {
		next(w, r)
		return
	}
	held := &heldAnswer{header: w.Header()}
	next(held, r)
	if held.status == 0 {
		held.status = http.StatusOK
	}
	note := noteOf(r)
	rec := store.AuditRecord{
		Who: acc.ID, Name: acc.Name, Role: acc.Role, Action: note.action, Form: note.form, ID: note.id,
		Client: clientAddr(r, h.cfg.ClientIPHeader), Status: held.status, Outcome: note.outcome,
	}
	// The record is written even when the client has gone: the action may
	// have been done.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), h.cfg.StoreTimeout)
	defer cancel()
	if _, err := h.audit.Audit(ctx, rec); err != nil {
		note.outcome, note.err = "audit-error", err
		for k := range w.Header() {
			w.Header().Del(k)
		}
		w.Header().Set("Retry-After", "10")
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{
			Message: "Chưa ghi được nhật ký thao tác nên kết quả không được gửi về. Thao tác có thể đã được thực hiện: hãy tải lại trang để kiểm tra, rồi thử lại nếu cần.",
		})
		return
	}
	w.WriteHeader(held.status)
	w.Write(held.body.Bytes())
}

type whoAnswer struct {
	OK       bool   `json:"ok"`
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	RoleText string `json:"role_text"`
	Shared   bool   `json:"shared,omitempty"` // the shared secret: the answerer's name is typed
	// Script is the address of the staff page's script for the accounts
	// and the audit log (assets/js/staff-log.js, fingerprinted): the static
	// page cannot know it, and loads it only once signed in.
	Script string `json:"script,omitempty"`
}

// signIn answers GET /api/dang-nhap with who the account is.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	acc := accountOf(r)
	noteOf(r).outcome = "ok"
	writeJSON(w, http.StatusOK, whoAnswer{OK: true, ID: acc.ID, Name: acc.Name, Role: acc.Role,
		RoleText: store.RoleText(acc.Role), Shared: acc.legacy, Script: h.cfg.Frame.Script("staff-log.js")})
}

type accountItem struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	RoleText string    `json:"role_text"`
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty"`
}

type accountsAnswer struct {
	OK       bool          `json:"ok"`
	Accounts []accountItem `json:"accounts"`
	Shared   bool          `json:"shared"` // the shared secret still works
}

func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request) {
	if h.accounts == nil {
		h.accountsMissing(w, r)
		return
	}
	list, err := h.accounts.Accounts(r.Context())
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	ans := accountsAnswer{OK: true, Accounts: []accountItem{}, Shared: h.staff != nil}
	for _, a := range list {
		ans.Accounts = append(ans.Accounts, accountItem{ID: a.ID, Name: a.Name, Role: a.Role, RoleText: store.RoleText(a.Role),
			At: a.At.In(vntext.Location), By: a.By})
	}
	noteOf(r).outcome, noteOf(r).rows = "ok", len(list)
	writeJSON(w, http.StatusOK, ans)
}

func (h *Handler) accountsMissing(w http.ResponseWriter, r *http.Request) {
	noteOf(r).outcome = "not-configured"
	writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng tài khoản chưa được cấu hình trên máy chủ."})
}

type accountRequest struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

type accountMade struct {
	OK      bool   `json:"ok"`
	ID      string `json:"id"`
	Secret  string `json:"secret"` // shown once; only its hash is kept
	Message string `json:"message"`
}

// createAccount answers POST /api/accounts {id, name, role} with the new
// account's secret, made like loa-secret's and shown this once.
func (h *Handler) createAccount(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	if h.accounts == nil {
		h.accountsMissing(w, r)
		return
	}
	var req accountRequest
	if !readJSON(w, r, 4<<10, &req, "id, name, role") {
		return
	}
	id := strings.ToLower(strings.TrimSpace(req.ID))
	name := strings.Join(strings.Fields(vntext.Normalize(req.Name)), " ")
	var msg string
	switch {
	case !store.ValidAccountID(id):
		msg = "Tên đăng nhập gồm 2 đến 40 chữ cái không dấu, chữ số hoặc dấu gạch ngang, ví dụ “nguyen-lan”."
	case name == "" || utf8.RuneCountInString(name) > maxBy:
		msg = "Nhập họ tên (tối đa 100 ký tự)."
	case req.Role != store.RoleAnswer && req.Role != store.RoleManager:
		msg = "Chọn vai trò: “trả lời” hoặc “quản lý”."
	}
	if invalid(w, r, msg) {
		return
	}
	note.id = id
	secret := staff.NewSecret()
	hash, err := staff.HashSecret(secret)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	_, err = h.accounts.CreateAccount(r.Context(), store.Account{ID: id, Name: name, Role: req.Role, Hash: hash, By: accountOf(r).ID})
	if h.storeAnswered(w, r, err, refusal{store.ErrAccountExists, "exists", http.StatusConflict, "Tên đăng nhập “" + id + "” đã có người dùng. Hãy chọn tên khác."}) {
		return
	}
	note.outcome = "created"
	writeJSON(w, http.StatusCreated, accountMade{OK: true, ID: id, Secret: secret,
		Message: "Đã tạo tài khoản “" + id + "” (" + name + ", vai trò " + store.RoleText(req.Role) + "). Mã đăng nhập chỉ hiện một lần này: hãy trao tận tay cho người dùng."})
}

// noAccount answers a change to the account id, which there is not.
func noAccount(id string) refusal {
	return refusal{store.ErrNotFound, "not-found", http.StatusNotFound, "Không có tài khoản “" + id + "”."}
}

// deleteAccount answers DELETE /api/accounts/{id}: refused from the next
// request on.
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	if h.accounts == nil {
		h.accountsMissing(w, r)
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	if store.ValidAccountID(id) {
		note.id = id
	}
	if h.storeAnswered(w, r, h.accounts.DeleteAccount(r.Context(), id), noAccount(id)) {
		return
	}
	note.outcome = "deleted"
	msg := "Đã xóa tài khoản “" + id + "”: mã của tài khoản này không còn dùng được."
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: msg})
}

// AuditPerPage is the length of a page of GET /api/audit.
const AuditPerPage = 20

type auditItem struct {
	store.AuditRecord
	ActionText string `json:"action_text"`
}

type auditAnswer struct {
	OK      bool           `json:"ok"`
	Page    int            `json:"page"`
	Pages   int            `json:"pages"`
	Total   int            `json:"total"`
	PerPage int            `json:"per_page"`
	Actions []statusOption `json:"actions"`
	Items   []auditItem    `json:"items"`
}

// actionTexts names the staff actions as the log shows them.
var actionTexts = []statusOption{
	{"sign-in", "Đăng nhập"}, {"stats", "Xem số liệu"}, {"export", "Tải dữ liệu"}, {"delete", "Xóa theo yêu cầu"},
	{"questions", "Xem câu hỏi"}, {"answer", "Trả lời, công bố"}, {"compile-list", "Xem tổng hợp"},
	{"compile", "Tải tổng hợp (Word)"}, {"mark", "Chọn câu hỏi tổng hợp"}, {"invitations", "Tải giấy mời"},
	{"checkin", "Điểm danh"}, {"attendance", "Xem điểm danh"}, {"attendance-csv", "Tải danh sách điểm danh"},
	{"guests", "Xem khách mời"}, {"guest-add", "Thêm khách mời"}, {"guest-remove", "Xóa khách mời"}, {"accounts", "Xem tài khoản"},
	{"account-create", "Tạo tài khoản"}, {"account-delete", "Xóa tài khoản"}, {"audit", "Xem nhật ký"},
	{"audit-csv", "Tải nhật ký"}, {"digest", "Xem thư tóm tắt"}, {"digest-setting", "Đặt thư tóm tắt"},
	{"digest-test", "Gửi thử thư tóm tắt"}, {"file", "Tải tệp kèm theo"},
	{"commend-list", "Xem đề cử"}, {"commend-mark", "Chọn đề cử khen thưởng"}, {"commend", "Tải danh sách khen thưởng (Word)"},
}

func actionText(a string) string {
	for _, o := range actionTexts {
		if o.Value == a {
			return o.Text
		}
	}
	return a
}

func auditFilter(r *http.Request) store.AuditFilter {
	q := r.URL.Query()
	return store.AuditFilter{Who: strings.TrimSpace(q.Get("nguoi")), Action: strings.TrimSpace(q.Get("thao_tac"))}
}

// auditLog answers GET /api/audit?trang=&nguoi=&thao_tac=: a page of the
// log, newest first.
func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request) {
	if h.audit == nil {
		noteOf(r).outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Nhật ký thao tác chưa được cấu hình trên máy chủ."})
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("trang"))
	page = max(page, 1)
	recs, total, err := h.audit.AuditLog(r.Context(), auditFilter(r), (page-1)*AuditPerPage, AuditPerPage)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	ans := auditAnswer{OK: true, Page: page, Total: total, PerPage: AuditPerPage, Actions: actionTexts,
		Pages: max(1, (total+AuditPerPage-1)/AuditPerPage), Items: []auditItem{}}
	for _, rec := range recs {
		rec.At = rec.At.In(vntext.Location)
		ans.Items = append(ans.Items, auditItem{AuditRecord: rec, ActionText: actionText(rec.Action)})
	}
	noteOf(r).outcome, noteOf(r).rows = "ok", len(recs)
	writeJSON(w, http.StatusOK, ans)
}

// auditCSV answers GET /api/audit.csv: the whole log (filtered alike) as
// CSV for Excel (UTF-8 with BOM).
func (h *Handler) auditCSV(w http.ResponseWriter, r *http.Request) {
	if h.audit == nil {
		noteOf(r).outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Nhật ký thao tác chưa được cấu hình trên máy chủ."})
		return
	}
	recs, _, err := h.audit.AuditLog(r.Context(), auditFilter(r), 0, 0)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	cw.Write([]string{"Thời gian", "Tài khoản", "Họ tên", "Vai trò", "Thao tác", "Biểu mẫu", "Mã", "Địa chỉ máy", "Mã trạng thái", "Kết quả"})
	for _, rec := range recs {
		cw.Write([]string{rec.At.In(vntext.Location).Format("2006-01-02 15:04:05"), cell(rec.Who), cell(rec.Name),
			store.RoleText(rec.Role), actionText(rec.Action), cell(rec.Form), cell(rec.ID), cell(rec.Client),
			strconv.Itoa(rec.Status), cell(rec.Outcome)})
	}
	cw.Flush()
	noteOf(r).outcome, noteOf(r).rows = "ok", len(recs)
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="nhat-ky-thao-tac.csv"`)
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// cell neutralises a cell that a spreadsheet would read as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r\n", rune(s[0])) {
		return "'" + s
	}
	return s
}

type accountKey struct{}

// accountOf is the account a staff request was checked for.
func accountOf(r *http.Request) *account {
	a, _ := r.Context().Value(accountKey{}).(*account)
	if a == nil {
		return &account{}
	}
	return a
}
