package handler

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/paperwork"
	"loa/functions/report"
	"loa/functions/routes"
	"loa/functions/store"
	"loa/functions/vntext"
)

// The compiled questions ("Tổng hợp câu hỏi"): staff keep or leave out
// each question and merge near-duplicates (GET /api/compile lists them with
// the pairs that read alike, PUT /api/marks/{form}/{id} saves a choice),
// then download the BÁO CÁO as a .docx (GET /api/compile/{form}?ten=1 for
// the askers' names too). Staff routes, the secret first.

// MarkStore keeps staff's marks and hands out the files made from them;
// *store.Store is one.
type MarkStore interface {
	FindByID(ctx context.Context, f *forms.Form, id string) (store.Found, error)
	SaveMark(ctx context.Context, f *forms.Form, found store.Found, m store.Mark) (store.Mark, error)
	ListMarks(ctx context.Context, form string) (map[string]store.Mark, error)
	PutExport(ctx context.Context, form string, file store.ExportFile, expiry time.Duration) (string, error)
	PurgeExports(ctx context.Context, form string, cutoff time.Time) error
}

// maxSimilar bounds the pairs of look-alike questions shown at once.
const maxSimilar = 50

// docxType is the media type of a Word document.
const docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

// compileLinkExpiry is how long a download link of a compilation lives.
const compileLinkExpiry = 10 * time.Minute

func (h *Handler) mountCompile() {
	h.mux.HandleFunc(routes.Compile, h.staffRoute("compile-list", http.MethodGet, h.compileList))
	h.mux.HandleFunc(routes.Compile+"/{form}", h.staffRoute("compile", http.MethodGet, h.compileFile))
	h.mux.HandleFunc(routes.Marks+"{form}/{id}", h.staffRoute("mark", http.MethodPut, h.saveMark))
}

type compileItem struct {
	ID       string    `json:"id"`
	Code     string    `json:"code"`
	Time     time.Time `json:"time"`
	Topic    string    `json:"topic"`
	Question string    `json:"question"`
	Group    string    `json:"group"`
	Out      bool      `json:"out"`
	Into     string    `json:"into"`
}

type compileAnswer struct {
	OK      bool             `json:"ok"`
	Form    string           `json:"form"`
	Title   string           `json:"title"`
	Topics  []string         `json:"topics"`
	Items   []compileItem    `json:"items"`
	Similar []paperwork.Pair `json:"similar"`
	Entries int              `json:"entries"` // in the document
	Askers  int              `json:"askers"`
}

// compileData reads what a compilation is made of: the questions of f
// (no phone, no email) and staff's choices.
func (h *Handler) compileData(w http.ResponseWriter, r *http.Request, f *forms.Form) ([]paperwork.Question, map[string]paperwork.Choice, bool) {
	recs, choices, ok := h.markedRecords(w, r, f, "Chức năng tổng hợp câu hỏi chưa được cấu hình trên máy chủ.")
	if !ok {
		return nil, nil, false
	}
	return questionsOf(f, recs), choices, true
}

// markedRecords reads the rows of f and staff's marks on them; unset is
// the refusal when the server cannot read either.
func (h *Handler) markedRecords(w http.ResponseWriter, r *http.Request, f *forms.Form, unset string) ([]forms.Record, map[string]paperwork.Choice, bool) {
	rr, ok := h.cfg.Staff.(RecordReader)
	if !ok || h.marks == nil {
		noteOf(r).outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: unset})
		return nil, nil, false
	}
	recs, err := rr.Records(r.Context(), f)
	if err != nil {
		h.staffFailed(w, r, err)
		return nil, nil, false
	}
	marks, err := h.marks.ListMarks(r.Context(), f.ID)
	if err != nil {
		h.staffFailed(w, r, err)
		return nil, nil, false
	}
	return recs, choicesOf(marks), true
}

// topicsOf is the lĩnh vực a form offers, in its order; nil for none.
func topicsOf(f *forms.Form) []string {
	if tf := f.TopicField(); tf != nil {
		return tf.Options
	}
	return nil
}

// byTime orders a list's items oldest first, then by id.
func byTime(at, bt time.Time, aid, bid string) int {
	return cmp.Or(at.Compare(bt), strings.Compare(aid, bid))
}

// questionsOf takes from each row what the compilation may show: the
// question, its lĩnh vực, the chi đoàn and the name. Never a phone number
// or an email.
func questionsOf(f *forms.Form, recs []forms.Record) []paperwork.Question {
	var topic, group, name string
	if tf := f.TopicField(); tf != nil {
		topic = tf.Name
	}
	for _, fl := range f.Fields {
		switch {
		case fl.Source == forms.SourceChiDoan && group == "":
			group = fl.Name
		case fl.Autocomplete == "name" && name == "":
			name = fl.Name
		}
	}
	qs := make([]paperwork.Question, 0, len(recs))
	for _, rec := range recs {
		q := paperwork.Question{ID: rec.ID, Time: rec.Time, Text: rec.Values[f.Question]}
		if topic != "" {
			q.Topic = rec.Values[topic]
		}
		if group != "" {
			q.Group = rec.Values[group]
		}
		if name != "" {
			q.Name = rec.Values[name]
		}
		qs = append(qs, q)
	}
	return qs
}

func choicesOf(marks map[string]store.Mark) map[string]paperwork.Choice {
	out := make(map[string]paperwork.Choice, len(marks))
	for id, m := range marks {
		out[id] = paperwork.Choice{Out: m.Out, Into: m.Into}
	}
	return out
}

// compileList answers GET /api/compile?bieu_mau=.
func (h *Handler) compileList(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.answeredForm(w, r, r.URL.Query().Get("bieu_mau"))
	if f == nil {
		return
	}
	qs, choices, ok := h.compileData(w, r, f)
	if !ok {
		return
	}
	ans := compileAnswer{OK: true, Form: f.ID, Title: f.Title, Items: []compileItem{}, Similar: paperwork.Similar(qs, choices, maxSimilar)}
	if ans.Similar == nil {
		ans.Similar = []paperwork.Pair{}
	}
	ans.Topics = topicsOf(f)
	for _, s := range paperwork.Compile(ans.Topics, qs, choices) {
		ans.Entries += len(s.Entries)
		for _, e := range s.Entries {
			ans.Askers += len(e.Askers)
		}
	}
	for _, q := range qs {
		c := choices[q.ID]
		ans.Items = append(ans.Items, compileItem{
			ID: q.ID, Code: f.ReceiptCode(q.ID), Time: q.Time.In(vntext.Location), Topic: q.Topic,
			Question: q.Text, Group: q.Group, Out: c.Out, Into: c.Into,
		})
	}
	slices.SortFunc(ans.Items, func(a, b compileItem) int { return byTime(a.Time, b.Time, a.ID, b.ID) })
	note.rows, note.outcome = len(ans.Items), "ok"
	writeJSON(w, http.StatusOK, ans)
}

type markRequest struct {
	Out  bool   `json:"out"`
	Into string `json:"into"`
}

// saveMark answers PUT /api/marks/{form}/{id} with JSON {out, into}.
func (h *Handler) saveMark(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.answeredForm(w, r, r.PathValue("form"))
	if f == nil {
		return
	}
	if h.marks == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng tổng hợp câu hỏi chưa được cấu hình trên máy chủ."})
		return
	}
	var req markRequest
	if !readJSON(w, r, 4<<10, &req, "out, into") {
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	req.Into = strings.ToLower(strings.TrimSpace(req.Into))
	if req.Into != "" && (len(req.Into) != forms.IDLength || strings.Trim(req.Into, store.HashDigits) != "") || req.Into == id {
		writeJSON(w, http.StatusBadRequest, jsonAnswer{Message: "Câu hỏi được gộp vào không đúng."})
		return
	}
	found, err := h.marks.FindByID(r.Context(), f, id)
	if err == nil && req.Into != "" {
		_, err = h.marks.FindByID(r.Context(), f, req.Into)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Không tìm thấy câu hỏi này; có thể câu hỏi đã bị xóa. Hãy tải lại danh sách."})
		return
	case err != nil:
		h.staffFailed(w, r, err)
		return
	}
	note.id = id
	m, err := h.marks.SaveMark(r.Context(), f, found, store.Mark{Out: req.Out, Into: req.Into})
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Không tìm thấy câu hỏi này; có thể câu hỏi đã bị xóa. Hãy tải lại danh sách."})
			return
		}
		h.staffFailed(w, r, err)
		return
	}
	msg := "Đã đưa câu hỏi vào tổng hợp."
	switch {
	case m.Into != "":
		msg = "Đã gộp câu hỏi vào câu " + f.ReceiptCode(m.Into) + "."
	case m.Out:
		msg = "Đã để câu hỏi ra ngoài tổng hợp."
	}
	note.rows, note.outcome = 1, "ok"
	writeJSON(w, http.StatusOK, jsonAnswer{OK: true, ID: id, Message: msg})
}

// compileFile answers GET /api/compile/{form}?ten=1: the compiled
// questions as a .docx, stored among the form's exports, and a link to it.
func (h *Handler) compileFile(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.answeredForm(w, r, r.PathValue("form"))
	if f == nil {
		return
	}
	if h.cfg.Office == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Thiếu tệp content/data/van-phong.yaml (phần đầu, phần ký của văn bản): chưa soạn được văn bản Word."})
		return
	}
	qs, choices, ok := h.compileData(w, r, f)
	if !ok {
		return
	}
	names := r.URL.Query().Get("ten") == "1"
	note.format = "docx"
	sections := paperwork.Compile(topicsOf(f), qs, choices)
	now := h.cfg.Now()
	body := h.cfg.Office.Questions(sections, paperwork.QuestionsOptions{Names: names, Day: now}).Bytes()
	rows := 0
	for _, s := range sections {
		rows += len(s.Entries)
	}
	h.sendDocx(w, r, f, "tong-hop-cau-hoi-", "compile", body, rows, now)
}

// sendDocx stores a compiled document made at now from f as one of the
// form's exports, named from prefix and the day, answers with a link to
// it, and deletes the older ones once their links are dead (they may carry
// names); best effort, as for exports, logged under what.
func (h *Handler) sendDocx(w http.ResponseWriter, r *http.Request, f *forms.Form, prefix, what string, body []byte, rows int, now time.Time) {
	note := noteOf(r)
	name := prefix + now.In(vntext.Location).Format("2006-01-02") + ".docx"
	url, err := h.marks.PutExport(r.Context(), f.ID, store.ExportFile{
		Name: name, ContentType: docxType, Body: bytes.NewReader(body), Size: int64(len(body)),
	}, compileLinkExpiry)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	if err := h.marks.PurgeExports(r.Context(), f.ID, h.cfg.Stopwatch().Add(-2*compileLinkExpiry)); err != nil {
		h.cfg.Logger.Warn(what+": old files not deleted; the next download tries again", "form", f.ID, "error", err)
	}
	note.rows, note.outcome = rows, "ok"
	writeJSON(w, http.StatusOK, exportAnswer{OK: true, Link: report.Link{URL: url, FileName: name, Expires: now.Add(compileLinkExpiry), Rows: rows}})
}
