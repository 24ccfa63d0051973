package handler

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loa/functions/forms"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
)

// Guests of the dialogue: a "quản lý" adds them by name and role (and a
// unit, if they like) on the guests page, lists and removes them
// (GET, POST /api/guests, DELETE /api/guests/{id}). Each guest has a
// check-in code like a delegate's, an invitation among the delegates',
// and a row "Khách mời" in the counts. The store names a guest by a keyed
// hash of who they are, so adding one twice is one guest; the audit
// record keeps that id, never the name.

// GuestStore keeps the guests; *store.Store is one.
type GuestStore interface {
	AddGuest(ctx context.Context, g store.Guest) (store.Guest, bool, error)
	Guests(ctx context.Context) ([]store.Guest, error)
	RemoveGuest(ctx context.Context, id string) error
}

// Longest a guest's fields may be, in characters.
const (
	maxGuestName = 100
	maxGuestRole = 150
	maxGuestUnit = 200
)

func (h *Handler) mountGuests() {
	h.guests, _ = h.cfg.Store.(GuestStore)
	list, add := h.staffRoute("guests", http.MethodGet, h.listGuests), h.staffRoute("guest-add", http.MethodPost, h.addGuest)
	h.mux.HandleFunc(routes.Guests, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			add(w, r)
			return
		}
		list(w, r)
	})
	h.mux.HandleFunc(routes.Guests+"/{id}", h.staffRoute("guest-remove", http.MethodDelete, h.removeGuest))
}

type guestItem struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Role    string     `json:"role"`
	Unit    string     `json:"unit,omitempty"`
	Code    string     `json:"code"`
	Added   time.Time  `json:"added"`
	By      string     `json:"by,omitempty"`
	Present bool       `json:"present"`
	At      *time.Time `json:"at,omitempty"`
}

type guestsAnswer struct {
	OK     bool        `json:"ok"`
	Guests []guestItem `json:"guests"`
}

func (h *Handler) guestsMissing(w http.ResponseWriter, r *http.Request) bool {
	if h.guests != nil && h.checkins != nil {
		return false
	}
	noteOf(r).outcome = "not-configured"
	writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng khách mời chưa được cấu hình trên máy chủ."})
	return true
}

// listGuests answers GET /api/guests: every guest with their check-in
// code and whether they came.
func (h *Handler) listGuests(w http.ResponseWriter, r *http.Request) {
	if h.guestsMissing(w, r) {
		return
	}
	list, err := h.guests.Guests(r.Context())
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	came, err := h.checkins.Checkins(r.Context())
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	ans := guestsAnswer{OK: true, Guests: []guestItem{}}
	for _, g := range list {
		it := h.guestItem(g)
		if c, ok := came[forms.NormalizeCode(it.Code)]; ok {
			at := c.At.In(vntext.Location)
			it.Present, it.At = true, &at
		}
		ans.Guests = append(ans.Guests, it)
	}
	noteOf(r).outcome, noteOf(r).rows = "ok", len(list)
	writeJSON(w, http.StatusOK, ans)
}

func (h *Handler) guestItem(g store.Guest) guestItem {
	return guestItem{ID: g.ID, Name: g.Name, Role: g.Role, Unit: g.Unit, Code: h.checkins.CheckinCode(store.GuestCodes, g.ID),
		Added: g.At.In(vntext.Location), By: g.By}
}

type guestRequest struct {
	Name string `json:"name"`
	Role string `json:"role"`
	Unit string `json:"unit"`
}

type guestAdded struct {
	OK      bool      `json:"ok"`
	Guest   guestItem `json:"guest"`
	Message string    `json:"message"`
}

// oneLine is s as one line of text, cleaned as the forms clean a field
// (forms.CleanLine): no control or invisible characters (zero-width,
// bidirectional overrides), NFC, trimmed, every run of spaces one space.
func oneLine(s string) string { return forms.CleanLine(s) }

// addGuest answers POST /api/guests {name, role, unit}: 201 with the new
// guest and their check-in code, 200 with the one stored already when the
// same guest is added again.
func (h *Handler) addGuest(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	if h.guestsMissing(w, r) {
		return
	}
	var req guestRequest
	if !readJSON(w, r, 4<<10, &req, "name, role, unit") {
		return
	}
	g := store.Guest{Name: oneLine(req.Name), Role: oneLine(req.Role), Unit: oneLine(req.Unit), By: accountOf(r).ID}
	var msg string
	switch {
	case g.Name == "" || utf8.RuneCountInString(g.Name) > maxGuestName:
		msg = "Nhập họ và tên khách mời (tối đa 100 ký tự)."
	case g.Role == "" || utf8.RuneCountInString(g.Role) > maxGuestRole:
		msg = "Nhập chức vụ của khách mời (tối đa 150 ký tự), ví dụ “Bí thư Đoàn phường”."
	case utf8.RuneCountInString(g.Unit) > maxGuestUnit:
		msg = "Tên cơ quan, đơn vị dài quá 200 ký tự."
	}
	if invalid(w, r, msg) {
		return
	}
	got, created, err := h.guests.AddGuest(r.Context(), g)
	if errors.Is(err, store.ErrTooManyGuests) {
		note.outcome = "too-many"
		writeJSON(w, http.StatusConflict, jsonAnswer{Message: "Danh sách đã có " + strconv.Itoa(store.MaxGuests) +
			" khách mời, mức tối đa: hãy xóa những khách không còn mời trước khi thêm khách mới."})
		return
	}
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	note.id = got.ID
	it := h.guestItem(got)
	if !created {
		note.outcome = "exists"
		writeJSON(w, http.StatusOK, guestAdded{OK: true, Guest: it,
			Message: got.Name + " (" + got.Role + ") đã có trong danh sách khách mời, mã điểm danh " + it.Code + "."})
		return
	}
	note.outcome = "created"
	writeJSON(w, http.StatusCreated, guestAdded{OK: true, Guest: it,
		Message: "Đã thêm khách mời " + got.Name + " (" + got.Role + "), mã điểm danh " + it.Code + ". Giấy mời của khách có trong tệp giấy mời tải về từ nay."})
}

// removeGuest answers DELETE /api/guests/{id}: 404 for none, 409 for a
// guest who has checked in.
func (h *Handler) removeGuest(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	if h.guestsMissing(w, r) {
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	if store.ValidGuestID(id) {
		note.id = id
	}
	if h.storeAnswered(w, r, h.guests.RemoveGuest(r.Context(), id),
		refusal{store.ErrNotFound, "not-found", http.StatusNotFound, "Không có khách mời này trong danh sách (có thể đã được xóa). Hãy tải lại trang."},
		refusal{store.ErrCheckedIn, "checked-in", http.StatusConflict, "Khách mời này đã điểm danh tại hội nghị nên không xóa khỏi danh sách được."}) {
		return
	}
	note.outcome = "deleted"
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: "Đã xóa khách mời khỏi danh sách. Giấy mời đã in của khách không còn dùng để điểm danh được."})
}

// attendanceCSV answers GET /api/attendance.csv: everyone invited (the
// guests, then the delegates by chi đoàn) and every walk-in, with the
// check-in code and when they came, for Excel (UTF-8 with a BOM).
func (h *Handler) attendanceCSV(w http.ResponseWriter, r *http.Request) {
	ans, ok := h.whoCame(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	b.WriteString("\ufeff")
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	cw.Write([]string{"Họ và tên", "Chức vụ", "Chi đoàn, cơ quan, đơn vị", "Mời với tư cách", "Mã điểm danh", "Đã đến", "Giờ đến"})
	for _, p := range ans.People {
		as, group, code := "Đại biểu", p.Group, p.Code
		switch {
		case p.Guest:
			as, group = "Khách mời", p.Unit
		case p.WalkIn:
			as, code = "Không có giấy mời", ""
		}
		came, at := "Chưa đến", ""
		if p.Present {
			came = "Đã đến"
			if p.At != nil {
				at = p.At.In(vntext.Location).Format("2006-01-02 15:04:05")
			}
		}
		cw.Write([]string{cell(p.Name), cell(p.Role), cell(group), as, code, came, at})
	}
	cw.Flush()
	noteOf(r).outcome, noteOf(r).rows = "ok", len(ans.People)
	name := "diem-danh-" + h.cfg.Now().In(vntext.Location).Format("2006-01-02") + ".csv"
	hd := w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}
