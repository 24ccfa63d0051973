package report

import "time"

// QuotaTable is, for a form with a quota, how many places each group (chi
// đoàn) has taken.
type QuotaTable struct {
	Label  string       `json:"label"` // the quota field's label, "Chi đoàn"
	Quota  int          `json:"quota"` // places per group
	Groups []GroupCount `json:"groups"`
	None   []string     `json:"none"` // listed groups with nobody registered
	Full   int          `json:"full"` // groups with every place taken
}

// GroupCount is one line of the quota table.
type GroupCount struct {
	Name    string `json:"name"`
	Count   int    `json:"count"`
	Missing int    `json:"missing"` // places still free
	Listed  bool   `json:"listed"`  // false: the name is no longer in the chi đoàn list
}

// Note is the summary's remark on g, in Vietnamese.
func (g GroupCount) Note() string {
	switch {
	case !g.Listed:
		return "Không còn trong danh sách chi đoàn"
	case g.Count == 0:
		return "Chưa có đại biểu"
	case g.Missing == 0:
		return "Đủ"
	}
	return "Còn thiếu"
}

// Stats is what the staff page shows.
type Stats struct {
	Generated time.Time   `json:"generated"`
	Forms     []FormStats `json:"forms"`
}

// FormStats counts one form's submissions.
type FormStats struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Opens   time.Time `json:"opens"`
	Closes  time.Time `json:"closes"`
	Open    bool      `json:"open"`
	Total   int       `json:"total"`
	Formats []Format  `json:"formats"`

	TopicLabel string  `json:"topic_label,omitempty"` // e.g. "Lĩnh vực"
	Topics     []Count `json:"topics,omitempty"`      // every topic in the form's order, zeros included
	// Days counts submissions per day (Vietnam's calendar), every day from
	// the first to the last submission, zeros included.
	Days  []Count     `json:"days"`
	Quota *QuotaTable `json:"quota,omitempty"`
}

// Count is a label and how many.
type Count struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}
