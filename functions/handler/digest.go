package handler

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"loa/functions/digest"
	"loa/functions/store"
	"loa/functions/vntext"
)

// The daily digest's settings: each account's address and yes or no.
//
// A person sets their own: the address is theirs, and so is the choice to
// get mail. A quản lý may set anyone's, as they add and remove accounts:
// to set it up for a colleague who asks, or to stop mail to someone away
// (removing the account removes its address too). A trả lời may not touch
// another account's. Only a quản lý sees the others' addresses.

// DigestStore keeps the accounts' wishes for the digest; *store.Store is one.
type DigestStore interface {
	DigestSetting(ctx context.Context, id string) (store.DigestSetting, error)
	DigestSettings(ctx context.Context) ([]store.DigestSetting, error)
	SaveDigestSetting(ctx context.Context, d store.DigestSetting) (store.DigestSetting, error)
}

type digestItem struct {
	Account string     `json:"account"`
	Name    string     `json:"name,omitempty"`
	Email   string     `json:"email"`
	On      bool       `json:"on"`
	At      *time.Time `json:"at,omitempty"`
	By      string     `json:"by,omitempty"`
}

type digestAnswer struct {
	OK bool `json:"ok"`
	// When says when the server sends the digest; "" when it sends none.
	When string     `json:"when"`
	Own  digestItem `json:"own"`
	// Accounts is every account's setting, for a quản lý only.
	Accounts []digestItem `json:"accounts,omitempty"`
}

func digestItemOf(d store.DigestSetting, name string) digestItem {
	it := digestItem{Account: d.Account, Name: name, Email: d.Email, On: d.On, By: d.By}
	if !d.At.IsZero() {
		at := d.At.In(vntext.Location)
		it.At = &at
	}
	return it
}

func (h *Handler) digestMissing(w http.ResponseWriter, r *http.Request) {
	noteOf(r).outcome = "not-configured"
	writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng thư tóm tắt chưa được cấu hình trên máy chủ."})
}

// digestSettings answers GET /api/digest: the account's own setting, and
// every account's for a quản lý.
func (h *Handler) digestSettings(w http.ResponseWriter, r *http.Request) {
	acc := accountOf(r)
	if h.digests == nil || h.accounts == nil {
		h.digestMissing(w, r)
		return
	}
	ans := digestAnswer{OK: true, When: h.cfg.DigestWhen}
	own, err := h.digests.DigestSetting(r.Context(), acc.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		h.staffFailed(w, r, err)
		return
	}
	own.Account = acc.ID
	ans.Own = digestItemOf(own, acc.Name)
	if acc.manager() {
		list, err := h.accounts.Accounts(r.Context())
		if err != nil {
			h.staffFailed(w, r, err)
			return
		}
		saved, err := h.digests.DigestSettings(r.Context())
		if err != nil {
			h.staffFailed(w, r, err)
			return
		}
		by := map[string]store.DigestSetting{}
		for _, d := range saved {
			by[d.Account] = d
		}
		ans.Accounts = []digestItem{}
		for _, a := range list {
			d := by[a.ID]
			d.Account = a.ID
			ans.Accounts = append(ans.Accounts, digestItemOf(d, a.Name))
		}
	}
	noteOf(r).outcome, noteOf(r).rows = "ok", len(ans.Accounts)
	writeJSON(w, http.StatusOK, ans)
}

// "Gửi thử" per account: three at once, then one every ten minutes. Each
// is a message sent (on AWS one SES counts against the account's quota and
// reputation); a check that mail arrives needs no more.
const (
	digestNowRate  = rate.Limit(1.0 / 600)
	digestNowBurst = 3
)

// digestNow answers POST /api/digest-now: the digest as of now, to the
// account's own saved address, at once (on AWS through SES, like the
// daily one), so that staff see that mail reaches them. A try that sends
// nothing (no address, one not allowed) gives its turn back.
func (h *Handler) digestNow(w http.ResponseWriter, r *http.Request) {
	note, acc := noteOf(r), accountOf(r)
	if h.cfg.DigestNow == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Máy chủ này chưa được cấu hình gửi thư."})
		return
	}
	note.id = acc.ID
	ok, wait, giveBack := h.digestTries.take(acc.ID, h.cfg.Stopwatch())
	if !ok {
		note.outcome = "rate-limited"
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(wait)))
		writeJSON(w, http.StatusTooManyRequests, jsonAnswer{Message: "Bạn vừa gửi thử vài lần. Hãy chờ khoảng " +
			strconv.Itoa(int((wait+time.Minute-1)/time.Minute)) + " phút rồi gửi thử lại."})
		return
	}
	err := h.cfg.DigestNow(r.Context(), acc.ID)
	if (errors.Is(err, digest.ErrNoAddress) || errors.Is(err, digest.ErrNotAllowed)) && giveBack != nil {
		giveBack()
	}
	switch {
	case errors.Is(err, digest.ErrNoAddress):
		note.outcome = "no-address"
		writeJSON(w, http.StatusConflict, jsonAnswer{Message: "Tài khoản của bạn chưa lưu địa chỉ email: nhập địa chỉ, bấm Lưu, rồi gửi thử."})
	case errors.Is(err, digest.ErrNotAllowed):
		note.outcome = "not-allowed"
		writeJSON(w, http.StatusForbidden, jsonAnswer{Message: "Địa chỉ của bạn chưa có trong danh sách người nhận được phép (DigestRecipients): nhờ cán bộ kỹ thuật thêm vào."})
	case err != nil:
		note.outcome, note.err = "send-failed", digest.Redact(err)
		writeJSON(w, http.StatusBadGateway, jsonAnswer{Message: "Máy chủ thư chưa nhận thư (đã thử lại vài lần). Hãy thử lại sau ít phút; nếu vẫn không được, báo cán bộ kỹ thuật."})
	default:
		note.outcome = "sent"
		writeJSON(w, http.StatusOK, jsonAnswer{OK: true, Message: "Đã gửi thư tóm tắt đến địa chỉ đã lưu. Nếu không thấy, hãy xem cả mục thư rác."})
	}
}

type digestRequest struct {
	Email string `json:"email"`
	On    bool   `json:"on"`
}

// saveDigestSetting answers PUT /api/digest/{id} with JSON {email, on}:
// the account's own, or any account's for a quản lý.
func (h *Handler) saveDigestSetting(w http.ResponseWriter, r *http.Request) {
	note, acc := noteOf(r), accountOf(r)
	if h.digests == nil {
		h.digestMissing(w, r)
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	if !store.ValidAccountID(id) {
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Không có tài khoản này."})
		return
	}
	note.id = id
	if id != acc.ID && !acc.manager() {
		note.outcome = "forbidden"
		writeJSON(w, http.StatusForbidden, jsonAnswer{Message: "Bạn chỉ đặt được thư tóm tắt cho tài khoản của mình; tài khoản khác do người đó hoặc cán bộ quản lý đặt."})
		return
	}
	var req digestRequest
	if !readJSON(w, r, 4<<10, &req, "email, on") {
		return
	}
	email, err := store.CleanEmail(req.Email)
	var msg string
	switch {
	case err != nil:
		msg = "Nhập một địa chỉ email, ví dụ nguyen.lan@phuong.gov.vn (không kèm tên, không nhiều địa chỉ)."
	case req.On && email == "":
		msg = "Nhập địa chỉ email để nhận thư tóm tắt."
	}
	if invalid(w, r, msg) {
		return
	}
	d, err := h.digests.SaveDigestSetting(r.Context(), store.DigestSetting{Account: id, Email: email, On: req.On, By: acc.ID})
	if h.storeAnswered(w, r, err, noAccount(id)) {
		return
	}
	msg = "Đã lưu: tài khoản “" + id + "” không nhận thư tóm tắt."
	if d.On {
		msg = "Đã lưu: tài khoản “" + id + "” nhận thư tóm tắt ở địa chỉ đã nhập."
		if h.cfg.DigestWhen == "" {
			msg += " Lưu ý: máy chủ này chưa được cấu hình gửi thư, nên chưa có thư nào được gửi."
		}
	}
	note.outcome = "saved"
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: msg})
}
