package handler

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"loa/functions/forms"
	"loa/functions/store"
	"loa/functions/vntext"
)

// The staff's side of Hỏi đáp: the list of questions with their answers,
// and saving an answer. Both are staff routes (the secret first).

// RecordReader reads every stored row of a form; the exporter
// (*export.Exporter) is one, reading through its snapshot.
type RecordReader interface {
	Records(ctx context.Context, f *forms.Form) ([]forms.Record, error)
}

// QuestionsPerPage is the length of a page of GET /api/questions.
const QuestionsPerPage = 20

// Limits of an answer as staff type it.
const (
	maxAnswer = 10000
	maxBy     = 100
	// maxQuestion bounds staff's public wording of a question.
	maxQuestion = 4000
)

type questionItem struct {
	Form     string    `json:"form"`
	ID       string    `json:"id"`
	Code     string    `json:"code"`
	Time     time.Time `json:"time"`
	Topic    string    `json:"topic"`
	Question string    `json:"question"`
	// PublicQuestion is staff's public wording of the question, "" for
	// the asker's text as it is.
	PublicQuestion string     `json:"public_question"`
	Consent        bool       `json:"consent"` // the asker agreed to publish
	Status         string     `json:"status"`
	StatusText     string     `json:"status_text"`
	Answer         string     `json:"answer"`
	By             string     `json:"by"`
	AnsweredAt     *time.Time `json:"answered_at,omitempty"`
	Public         bool       `json:"public"`
	Version        int        `json:"version"`
}

type statusOption struct {
	Value string `json:"value"`
	Text  string `json:"text"`
}

type questionsAnswer struct {
	OK       bool           `json:"ok"`
	Form     string         `json:"form"`
	Title    string         `json:"title"`
	Page     int            `json:"page"`
	Pages    int            `json:"pages"`
	Total    int            `json:"total"`
	PerPage  int            `json:"per_page"`
	Topics   []string       `json:"topics"`
	Statuses []statusOption `json:"statuses"`
	Items    []questionItem `json:"items"`
}

// answeredForm is the form a Hỏi đáp staff route names (bieu_mau, or the
// first answered form), nil with a 404 answered.
func (h *Handler) answeredForm(w http.ResponseWriter, r *http.Request, id string) *forms.Form {
	var f *forms.Form
	if id == "" {
		for _, x := range h.cfg.Forms.Forms() {
			if x.Answered() {
				f = x
				break
			}
		}
	} else {
		f = h.cfg.Forms.Form(id)
	}
	if f != nil && !f.Answered() {
		f = nil
	}
	return knownForm(w, r, f, "Không có biểu mẫu câu hỏi này.")
}

// questions answers GET /api/questions?trang=&linh_vuc=&trang_thai=&q=.
func (h *Handler) questions(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	q := r.URL.Query()
	f := h.answeredForm(w, r, q.Get("bieu_mau"))
	if f == nil {
		return
	}
	rr, ok := h.cfg.Staff.(RecordReader)
	if !ok || h.answers == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng trả lời câu hỏi chưa được cấu hình trên máy chủ."})
		return
	}
	recs, err := rr.Records(r.Context(), f)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	answers, err := h.answers.ListAnswers(r.Context(), f.ID)
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	topic, status := strings.TrimSpace(q.Get("linh_vuc")), strings.TrimSpace(q.Get("trang_thai"))
	search := vntext.Slug(q.Get("q"))
	tf := f.TopicField()
	var items []questionItem
	for _, rec := range recs {
		a, ok := answers[rec.ID]
		if !ok || !store.ValidStatus(a.Status) {
			a.Status = store.StatusReceived
		}
		it := questionItem{
			Form: f.ID, ID: rec.ID, Code: f.ReceiptCode(rec.ID), Time: rec.Time.In(vntext.Location),
			Question: rec.Values[f.Question], PublicQuestion: a.Question, Consent: f.Published(rec),
			Status: a.Status, StatusText: store.StatusText(a.Status), Answer: a.Text, By: a.By, Public: a.Public, Version: a.Version,
		}
		if tf != nil {
			it.Topic = rec.Values[tf.Name]
		}
		if a.Version > 0 {
			at := a.At.In(vntext.Location)
			it.AnsweredAt = &at
		}
		if topic != "" && it.Topic != topic || status != "" && it.Status != status ||
			search != "" && !strings.Contains(vntext.Slug(it.Question), search) {
			continue
		}
		items = append(items, it)
	}
	slices.SortFunc(items, func(a, b questionItem) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	ans := questionsAnswer{OK: true, Form: f.ID, Title: f.Title, Total: len(items), PerPage: QuestionsPerPage,
		Pages: max(1, (len(items)+QuestionsPerPage-1)/QuestionsPerPage), Items: []questionItem{}}
	if tf != nil {
		ans.Topics = tf.Options
	}
	for _, s := range []string{store.StatusReceived, store.StatusInProgress, store.StatusAnswered} {
		ans.Statuses = append(ans.Statuses, statusOption{s, store.StatusText(s)})
	}
	ans.Page, _ = strconv.Atoi(q.Get("trang"))
	ans.Page = min(max(ans.Page, 1), ans.Pages)
	lo := (ans.Page - 1) * QuestionsPerPage
	ans.Items = append(ans.Items, items[min(lo, len(items)):min(lo+QuestionsPerPage, len(items))]...)
	note.rows, note.outcome = len(ans.Items), "ok"
	writeJSON(w, http.StatusOK, ans)
}

type answerRequest struct {
	Answer string `json:"answer"`
	// Question is the question as /hoi-dap/ is to show it: "" or the
	// asker's text keeps the asker's text.
	Question string `json:"question"`
	By       string `json:"by"`
	Status   string `json:"status"`
	Public   bool   `json:"public"`
	Base     int    `json:"base"`
}

type answerSaved struct {
	OK      bool   `json:"ok"`
	ID      string `json:"id,omitempty"`
	Version int    `json:"version"`
	Status  string `json:"status,omitempty"`
	Public  bool   `json:"public"` // shown on /hoi-dap/
	Latest  int    `json:"latest,omitempty"`
	Message string `json:"message"`
}

// ConflictMessage is the answer to a save that another staff member's
// save came before.
const ConflictMessage = "Người khác vừa lưu câu trả lời cho câu hỏi này. Bản bạn vừa nhập vẫn được giữ lại trong kho dữ liệu, không bị mất. Hãy tải lại danh sách để xem bản mới nhất, rồi sửa và lưu lại."

// saveAnswer answers PUT /api/answers/{form}/{id} with JSON
// {answer, by, status, public, base}.
func (h *Handler) saveAnswer(w http.ResponseWriter, r *http.Request) {
	note := noteOf(r)
	f := h.answeredForm(w, r, r.PathValue("form"))
	if f == nil {
		return
	}
	if h.answers == nil {
		note.outcome = "not-configured"
		writeJSON(w, http.StatusServiceUnavailable, jsonAnswer{Message: "Chức năng trả lời câu hỏi chưa được cấu hình trên máy chủ."})
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PathValue("id")))
	if len(id) == forms.IDLength && strings.Trim(id, "0123456789abcdef") == "" {
		note.id = id
	}
	var req answerRequest
	if !readJSON(w, r, MaxBody, &req, "answer, by, status, public, base") {
		return
	}
	// The answerer is the signed-in account; only the shared secret of
	// before accounts still types a name.
	if acc := accountOf(r); acc.ID != "" && !acc.legacy {
		req.By = acc.Name
	}
	a := store.Answer{Text: strings.TrimSpace(vntext.Normalize(strings.ReplaceAll(req.Answer, "\r\n", "\n"))),
		By: strings.Join(strings.Fields(vntext.Normalize(req.By)), " "), Status: req.Status, Public: req.Public,
		Question: strings.TrimSpace(vntext.Normalize(strings.ReplaceAll(req.Question, "\r\n", "\n")))}
	var msg string
	switch {
	case utf8.RuneCountInString(a.Question) > maxQuestion:
		msg = "Nội dung câu hỏi để công bố chỉ được tối đa 4.000 ký tự."
	case !store.ValidStatus(a.Status):
		msg = "Chọn trạng thái: Đã nhận, Đang xử lý hoặc Đã trả lời."
	case a.By == "":
		msg = "Nhập tên người trả lời."
	case utf8.RuneCountInString(a.By) > maxBy:
		msg = "Tên người trả lời chỉ được tối đa 100 ký tự."
	case utf8.RuneCountInString(a.Text) > maxAnswer:
		msg = "Câu trả lời chỉ được tối đa 10.000 ký tự."
	case a.Status == store.StatusAnswered && a.Text == "":
		msg = "Nhập câu trả lời trước khi chọn “Đã trả lời”."
	case req.Base < 0:
		msg = "Phiên bản không hợp lệ; hãy tải lại danh sách."
	}
	if invalid(w, r, msg) {
		return
	}
	ctx := r.Context()
	found, err := h.answers.FindByID(ctx, f, id)
	if errors.Is(err, store.ErrNotFound) {
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Không có câu hỏi mã “" + id + "”; có thể câu hỏi đã bị xóa. Hãy tải lại danh sách."})
		return
	}
	if err != nil {
		h.staffFailed(w, r, err)
		return
	}
	if a.Question == strings.TrimSpace(found.Record.Values[f.Question]) {
		a.Question = "" // the asker's text, as it is
	}
	saved, err := h.answers.SaveAnswer(ctx, f, found, req.Base, a)
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		note.outcome = "conflict"
		h.cfg.Logger.Info("answer conflict", "form", f.ID, "id", id, "base", req.Base, "latest", conflict.Latest)
		writeJSON(w, http.StatusConflict, answerSaved{Latest: conflict.Latest, Message: ConflictMessage})
		return
	case errors.Is(err, store.ErrNotFound):
		note.outcome = "not-found"
		writeJSON(w, http.StatusNotFound, jsonAnswer{Message: "Câu hỏi mã “" + id + "” vừa bị xóa; câu trả lời không được lưu."})
		return
	case err != nil:
		h.staffFailed(w, r, err)
		return
	}
	public := saved.Shown != nil
	h.logAnswer(ctx, f.ID, id, saved, public)
	note.rows = 1
	h.public.clear()
	note.outcome = "saved"
	if public {
		note.outcome = "saved-published" // the audit log tells publishing from the rest
	}
	msg = "Đã lưu câu trả lời (phiên bản " + strconv.Itoa(saved.Version) + ", " + store.StatusText(saved.Status) + ")."
	switch {
	case public:
		msg += " Câu hỏi và câu trả lời đã được công bố trên trang Hỏi đáp."
	case a.Public && !f.Published(found.Record):
		msg += " Câu hỏi này không được công bố vì người hỏi không đồng ý công bố."
	case a.Public:
		msg += " Câu hỏi sẽ được công bố khi có trạng thái “Đã trả lời”."
	}
	writeJSON(w, http.StatusOK, answerSaved{OK: true, ID: id, Version: saved.Version, Status: saved.Status, Public: public, Message: msg})
}
