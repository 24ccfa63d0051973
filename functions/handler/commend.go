package handler

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/paperwork"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
)

// The commendation list ("Danh sách đề nghị khen thưởng"), made the way
// the compiled questions are: a "quản lý" lists the nominations of the
// form data/van-phong.yaml names (GET /api/commendation), keeps or leaves
// out each one (PUT /api/commendation/{id}, a mark like a question's), and
// downloads the list of those kept as a .docx (GET /api/commendation.docx).
// The page /quan-tri/khen-thuong/ and its script call them.

func (h *Handler) mountCommendation() {
	h.mux.HandleFunc(routes.Commendation, h.staffRoute("commend-list", http.MethodGet, h.commendList))
	h.mux.HandleFunc(routes.Commendation+"/{id}", h.staffRoute("commend-mark", http.MethodPut, h.commendMark))
	h.mux.HandleFunc(routes.CommendDocx, h.staffRoute("commend", http.MethodGet, h.commendFile))
}

// commendForm is the form of nominations, or nil with the refusal answered.
func (h *Handler) commendForm(w http.ResponseWriter, r *http.Request) *forms.Form {
	note := noteOf(r)
	if h.commend == nil || h.marks == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chưa cấu hình danh sách đề nghị khen thưởng: cần mục “commendation” trong content/data/van-phong.yaml."})
		return nil
	}
	note.form = h.commend.ID
	return h.commend
}

type commendItem struct {
	ID    string    `json:"id"`
	Code  string    `json:"code"`
	Time  time.Time `json:"time"`
	Topic string    `json:"topic"`
	Name  string    `json:"name"`
	Born  string    `json:"born"`
	Group string    `json:"group"`
	Deeds string    `json:"deeds"`
	Files []string  `json:"files"` // the file fields that hold a file
	Out   bool      `json:"out"`
}

type commendAnswer struct {
	OK     bool          `json:"ok"`
	Form   string        `json:"form"`
	Title  string        `json:"title"`
	Topics []string      `json:"topics"`
	Items  []commendItem `json:"items"`
	Kept   int           `json:"kept"`
}

// commendData reads the form of nominations, its rows and staff's marks
// on them; false with the refusal answered.
func (h *Handler) commendData(w http.ResponseWriter, r *http.Request) (*forms.Form, []forms.Record, map[string]paperwork.Choice, bool) {
	f := h.commendForm(w, r)
	if f == nil {
		return nil, nil, nil, false
	}
	recs, choices, ok := h.markedRecords(w, r, f, "Chức năng danh sách khen thưởng chưa được cấu hình trên máy chủ.")
	return f, recs, choices, ok
}

// commendList answers GET /api/commendation: every nomination, oldest
// first, with whether it is kept. Never the sender's name or phone.
func (h *Handler) commendList(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f, recs, choices, ok := h.commendData(w, r)
	if !ok {
		return
	}
	byID := map[string]forms.Record{}
	for _, rec := range recs {
		byID[rec.ID] = rec
	}
	ans := commendAnswer{OK: true, Form: f.ID, Title: f.Title, Topics: topicsOf(f), Items: []commendItem{}}
	for _, n := range h.cfg.Office.Nominees(f, recs) {
		it := commendItem{ID: n.ID, Code: f.ReceiptCode(n.ID), Time: n.Time.In(vntext.Location), Topic: n.Topic,
			Name: n.Name, Born: n.Born, Group: n.Group, Deeds: n.Deeds, Files: []string{}, Out: choices[n.ID].Out}
		for _, fl := range f.Fields {
			if fl.Kind == forms.KindFile && byID[n.ID].Values[fl.Name] != "" {
				it.Files = append(it.Files, fl.Name)
			}
		}
		if !it.Out {
			ans.Kept++
		}
		ans.Items = append(ans.Items, it)
	}
	slices.SortFunc(ans.Items, func(a, b commendItem) int { return byTime(a.Time, b.Time, a.ID, b.ID) })
	note.rows, note.outcome = len(ans.Items), "ok"
	writeJSON(w, http.StatusOK, ans)
}

// commendMark answers PUT /api/commendation/{id} with JSON {out}.
func (h *Handler) commendMark(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.commendForm(w, r)
	if f == nil {
		return
	}
	var req struct {
		Out bool `json:"out"`
	}
	if !readJSON(w, r, 4<<10, &req, "out") {
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	gone := refusal{store.ErrNotFound, "not-found", http.StatusNotFound, "Không tìm thấy đề cử này; có thể đề cử đã bị xóa. Hãy tải lại danh sách."}
	found, err := h.marks.FindByID(r.Context(), f, id)
	if h.storeAnswered(w, r, err, gone) {
		return
	}
	note.id = id
	m, err := h.marks.SaveMark(r.Context(), f, found, store.Mark{Out: req.Out})
	if h.storeAnswered(w, r, err, gone) {
		return
	}
	msg := "Đã đưa vào danh sách đề nghị khen thưởng."
	if m.Out {
		msg = "Đã để ra ngoài danh sách đề nghị khen thưởng."
	}
	note.rows, note.outcome = 1, "ok"
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: msg})
}

// commendFile answers GET /api/commendation.docx: the list of the kept
// nominees as a .docx, stored among the form's exports, and a link to it.
func (h *Handler) commendFile(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f, recs, choices, ok := h.commendData(w, r)
	if !ok {
		return
	}
	note.format = "docx"
	sections := paperwork.CompileNominees(topicsOf(f), h.cfg.Office.Nominees(f, recs), choices)
	now := h.cfg.Now()
	body := h.cfg.Office.CommendationList(sections, now).Bytes()
	rows := 0
	for _, s := range sections {
		rows += len(s.Nominees)
	}
	h.sendDocx(w, r, f, "danh-sach-de-nghi-khen-thuong-", "commendation", body, rows, now)
}
