package handler

import (
	"bytes"
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"loa/functions/docx"
	"loa/functions/forms"
	"loa/functions/paperwork"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
)

// Invitations and check-in at the dialogue. Everyone invited is a
// registered delegate or a guest staff added (guests.go); staff download
// their invitations as one .docx (GET /api/invitations), each with a
// check-in code that only the server can make (an HMAC under the receipt
// key, not the receipt code); at the door a phone checks people in by
// that code or as walk-ins (POST /api/checkin), each check-in one
// write-once object, and reads who came (GET /api/attendance), which a
// "quản lý" downloads as CSV (GET /api/attendance.csv). Staff routes, the
// secret first.

// CheckinStore makes check-in codes and keeps check-ins; *store.Store is
// one.
type CheckinStore interface {
	CheckinCode(form, id string) string
	CheckIn(ctx context.Context, c store.Checkin) (store.Checkin, bool, error)
	Checkins(ctx context.Context) (map[string]store.Checkin, error)
}

// walkInForm names the walk-ins' codes apart from any form's.
const walkInForm = "vang-lai"

func (h *Handler) mountCheckin() {
	h.mux.HandleFunc(routes.Invitations, h.staffRoute("invitations", http.MethodGet, h.invitations))
	h.mux.HandleFunc(routes.Checkin, h.staffRoute("checkin", http.MethodPost, h.checkin))
	h.mux.HandleFunc(routes.Attendance, h.staffRoute("attendance", http.MethodGet, h.attendance))
	h.mux.HandleFunc(routes.AttendanceCSV, h.staffRoute("attendance-csv", http.MethodGet, h.attendanceCSV))
	h.mountGuests()
}

// delegateForm is the form whose submissions are invited: the one with a
// quota of places (dai-bieu).
func (h *Handler) delegateForm() *forms.Form {
	for _, f := range h.cfg.Forms.Forms() {
		if f.QuotaBy != "" {
			return f
		}
	}
	return nil
}

type person struct {
	Name    string     `json:"name"`
	Role    string     `json:"role,omitempty"`
	Group   string     `json:"group"`          // chi đoàn, or guestGroup
	Unit    string     `json:"unit,omitempty"` // a guest's cơ quan, đơn vị
	Code    string     `json:"code"`
	Present bool       `json:"present"`
	At      *time.Time `json:"at,omitempty"`
	Guest   bool       `json:"guest,omitempty"`
	WalkIn  bool       `json:"walk_in,omitempty"`

	form, id string // whose code: a delegate's form and submission, or a guest
}

// guestGroup is the guests' row in the counts by chi đoàn.
const guestGroup = "Khách mời"

// invitees reads everyone invited with their check-in codes: the guests in
// the order staff added them, then the delegates ordered by chi đoàn as
// the list has them, then by name.
func (h *Handler) invitees(w http.ResponseWriter, r *http.Request) ([]person, bool) {
	note := noteOf(r)
	f := h.delegateForm()
	rr, ok := h.cfg.Staff.(RecordReader)
	if f == nil || !ok || h.checkins == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng giấy mời và điểm danh chưa được cấu hình trên máy chủ."})
		return nil, false
	}
	recs, err := rr.Records(r.Context(), f)
	if err != nil {
		h.staffFailed(w, r, err)
		return nil, false
	}
	var name, role string
	for _, fl := range f.Fields {
		switch {
		case fl.Autocomplete == "name" && name == "":
			name = fl.Name
		case fl.Name != f.QuotaBy && fl.Source == forms.SourceStatic && len(fl.Options) > 0 && role == "" && (fl.Kind == forms.KindRadio || fl.Kind == forms.KindSelect):
			role = fl.Name
		}
	}
	people := make([]person, 0, len(recs))
	for _, rec := range recs {
		p := person{Name: rec.Values[name], Group: rec.Values[f.QuotaBy], Code: h.checkins.CheckinCode(f.ID, rec.ID), form: f.ID, id: rec.ID}
		if role != "" {
			p.Role = rec.Values[role]
		}
		people = append(people, p)
	}
	var guests []person
	if h.guests != nil {
		list, err := h.guests.Guests(r.Context())
		if err != nil {
			h.staffFailed(w, r, err)
			return nil, false
		}
		for _, g := range list {
			guests = append(guests, person{Name: g.Name, Role: g.Role, Group: guestGroup, Unit: g.Unit, Guest: true,
				Code: h.checkins.CheckinCode(store.GuestCodes, g.ID), form: store.GuestCodes, id: g.ID})
		}
	}
	order := map[string]int{}
	for i, g := range f.ChiDoan {
		order[g] = i + 1
	}
	slices.SortStableFunc(people, func(a, b person) int {
		oa, ob := order[a.Group], order[b.Group]
		if oa == 0 {
			oa = len(order) + 1
		}
		if ob == 0 {
			ob = len(order) + 1
		}
		return cmp.Or(cmp.Compare(oa, ob), strings.Compare(vntext.Fold(a.Group), vntext.Fold(b.Group)), strings.Compare(vntext.Fold(a.Name), vntext.Fold(b.Name)))
	})
	return append(guests, people...), true
}

// invitations answers GET /api/invitations: every guest's and delegate's
// invitation, one a page, as a .docx (or with ?dang=pdf a PDF) among the
// delegate form's exports, and a link.
func (h *Handler) invitations(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	if h.cfg.Office == nil || h.marks == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Thiếu tệp content/data/van-phong.yaml (hội nghị, giấy mời): chưa soạn được giấy mời."})
		return
	}
	people, ok := h.invitees(w, r)
	if !ok {
		return
	}
	if len(people) == 0 {
		writeJSON(w, http.StatusConflict, jsonAnswer{Message: "Chưa có đại biểu nào đăng ký và chưa có khách mời: chưa có giấy mời để soạn."})
		return
	}
	in := make([]paperwork.Invitee, len(people))
	for i, p := range people {
		in[i] = paperwork.Invitee{Name: p.Name, Role: p.Role, Group: p.Group, Code: p.Code}
		if p.Guest {
			in[i].Group = p.Unit
		}
	}
	now := h.cfg.Now()
	format, contentType := "docx", docxType
	var body []byte
	var err error
	switch r.URL.Query().Get("dang") {
	case "pdf":
		format, contentType = "pdf", "application/pdf"
		body, err = h.cfg.Office.InvitationsPDF(in, h.cfg.Site.BaseURL, now)
	case "", "docx":
		var doc *docx.Doc
		if doc, err = h.cfg.Office.Invitations(in, h.cfg.Site.BaseURL, now); err == nil {
			body = doc.Bytes()
		}
	default:
		note.outcome = "bad-format"
		writeJSON(w, http.StatusBadRequest, jsonAnswer{Message: "Giấy mời có hai dạng: Word (dang=docx) và PDF (dang=pdf)."})
		return
	}
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	f := h.delegateForm()
	name := "giay-moi-" + now.In(vntext.Location).Format("2006-01-02") + "." + format
	note.form, note.format = f.ID, format
	url, err := h.marks.PutExport(r.Context(), f.ID, store.ExportFile{Name: name, ContentType: contentType, Body: bytes.NewReader(body), Size: int64(len(body))}, compileLinkExpiry)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	note.rows, note.outcome = len(people), "ok"
	writeJSON(w, http.StatusOK, exportAnswer{OK: true, Link: report.Link{URL: url, FileName: name, Expires: now.Add(compileLinkExpiry), Rows: len(people)}})
}

type checkinRequest struct {
	Code  string `json:"code"`
	Name  string `json:"name"`  // a walk-in
	Group string `json:"group"` // a walk-in's chi đoàn
	Try   string `json:"try"`
}

type checkinAnswer struct {
	OK      bool      `json:"ok"`
	First   bool      `json:"first"`
	Name    string    `json:"name"`
	Group   string    `json:"group"`
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// checkin answers POST /api/checkin: {code} for an invited person, {name,
// group} for a walk-in. The first check-in of a code answers 200; another
// answers 409 saying when the first was, unless it is a resend of the
// first (the same "try").
func (h *Handler) checkin(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	var req checkinRequest
	if !readJSON(w, r, 4<<10, &req, "code, hoặc name và group") {
		return
	}
	people, ok := h.invitees(w, r)
	if !ok {
		return
	}
	req.Try = strings.TrimSpace(req.Try)
	if len(req.Try) > 64 {
		req.Try = req.Try[:64]
	}
	c := store.Checkin{Try: req.Try}
	var who person
	switch code := forms.NormalizeCode(req.Code); {
	case code != "":
		i := slices.IndexFunc(people, func(p person) bool { return forms.NormalizeCode(p.Code) == code })
		if i < 0 {
			note.outcome = "unknown-code"
			writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Không có mã điểm danh “" + strings.TrimSpace(req.Code) + "”. Hãy kiểm tra lại mã trên giấy mời, hoặc tìm theo họ tên."})
			return
		}
		who = people[i]
		c.Code, c.Form = who.Code, who.form
		if who.Guest {
			c.ID = who.id
		}
	default:
		name, group := oneLine(req.Name), oneLine(req.Group)
		if name == "" || group == "" || utf8.RuneCountInString(name) > 100 || utf8.RuneCountInString(group) > 200 {
			writeJSON(w, http.StatusUnprocessableEntity, jsonAnswer{Message: "Nhập mã điểm danh, hoặc họ tên và chi đoàn của người đến không có giấy mời."})
			return
		}
		who = person{Name: name, Group: group, WalkIn: true}
		c.Code = h.checkins.CheckinCode(walkInForm, vntext.Fold(name)+"\x00"+vntext.Fold(group))
		c.Name, c.Group = name, group
	}
	got, first, err := h.checkins.CheckIn(r.Context(), c)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	at := got.At.In(vntext.Location)
	ans := checkinAnswer{OK: first, First: first, Name: who.Name, Group: who.Group, At: at}
	if first {
		note.rows, note.outcome = 1, "checked-in"
		ans.Message = "Đã điểm danh: " + who.Name + " (" + who.Group + ")."
		writeJSON(w, http.StatusOK, ans)
		return
	}
	note.outcome = "already"
	ans.Message = who.Name + " đã điểm danh lúc " + at.Format("15:04") + " ngày " + vntext.ShortDate(at) + ". Không cần điểm danh lại; xin mời vào."
	writeJSON(w, http.StatusConflict, ans)
}

type groupCount struct {
	Name    string `json:"name"`
	Present int    `json:"present"`
	Total   int    `json:"total"`
}

type attendanceAnswer struct {
	OK       bool         `json:"ok"`
	Title    string       `json:"title"`
	Expected int          `json:"expected"`
	Invited  int          `json:"invited"` // delegates and guests
	Guests   int          `json:"guests"`
	Present  int          `json:"present"`
	Groups   []groupCount `json:"groups"`
	People   []person     `json:"people"`
}

// attendance answers GET /api/attendance: everyone invited, present or
// not, the walk-ins, and the counts by chi đoàn (the guests one row).
func (h *Handler) attendance(w http.ResponseWriter, r *http.Request) {
	ans, ok := h.whoCame(w, r)
	if !ok {
		return
	}
	noteOf(r).rows, noteOf(r).outcome = ans.Present, "ok"
	writeJSON(w, http.StatusOK, ans)
}

// whoCame reads everyone invited and the check-ins, and counts.
func (h *Handler) whoCame(w http.ResponseWriter, r *http.Request) (attendanceAnswer, bool) {
	people, ok := h.invitees(w, r)
	if !ok {
		return attendanceAnswer{}, false
	}
	in, err := h.checkins.Checkins(r.Context())
	if err != nil {
		h.staffFailed(w, r, err)
		return attendanceAnswer{}, false
	}
	ans := attendanceAnswer{OK: true, Invited: len(people)}
	if o := h.cfg.Office; o != nil {
		ans.Title, ans.Expected = o.Event.Title, o.Event.Expected
	}
	known := map[string]bool{}
	for i := range people {
		if people[i].Guest {
			ans.Guests++
		}
		code := forms.NormalizeCode(people[i].Code)
		known[code] = true
		if c, ok := in[code]; ok {
			at := c.At.In(vntext.Location)
			people[i].Present, people[i].At = true, &at
		}
	}
	for code, c := range in {
		if known[code] || c.Name == "" {
			continue
		}
		at := c.At.In(vntext.Location)
		people = append(people, person{Name: c.Name, Group: c.Group, Code: c.Code, Present: true, At: &at, WalkIn: true})
	}
	idx := map[string]int{}
	for _, p := range people {
		i, ok := idx[p.Group]
		if !ok {
			i = len(ans.Groups)
			idx[p.Group] = i
			ans.Groups = append(ans.Groups, groupCount{Name: p.Group})
		}
		if !p.WalkIn {
			ans.Groups[i].Total++
		}
		if p.Present {
			ans.Groups[i].Present++
			ans.Present++
		}
	}
	if ans.Expected < ans.Invited {
		ans.Expected = ans.Invited
	}
	ans.People = people
	return ans, true
}
