package digest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loa/functions/vntext"
)

// Subject is the digest's subject line: the day and the two numbers that
// call for action.
func Subject(s *Summary) string {
	var news, stale int
	for _, q := range s.Questions {
		news += q.New
		stale += q.Stale
	}
	return fmt.Sprintf("Loa: tóm tắt ngày %s – %s câu hỏi mới, %s câu chờ trả lời quá %d ngày",
		s.At.In(vntext.Location).Format("02/01/2006"), vntext.Number(news), vntext.Number(stale), days(s.Stale))
}

func days(d time.Duration) int { return int((d + 12*time.Hour) / (24 * time.Hour)) }

// Text is the digest's body, plain text with LF line ends.
func Text(s *Summary) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	num := vntext.Number
	at := s.At.In(vntext.Location)
	p("Tóm tắt tình hình các biểu mẫu đến %s ngày %s (giờ Việt Nam).", at.Format("15:04"), at.Format("02/01/2006"))

	for _, q := range s.Questions {
		p("")
		p("CÂU HỎI – %s", q.Title)
		p("- Mới trong 24 giờ qua: %s câu hỏi.", num(q.New))
		counts(&b, q.TopicLabel, q.NewByTopic)
		p("- Tổng số đã nhận: %s; chưa trả lời: %s.", num(q.Total), num(q.Unanswered))
		if q.Stale == 0 {
			p("- Không có câu hỏi nào chờ trả lời quá %d ngày.", days(s.Stale))
		} else {
			p("- Chờ trả lời quá %d ngày: %s câu hỏi.", days(s.Stale), num(q.Stale))
			counts(&b, q.TopicLabel, q.StaleByTopic)
		}
	}
	for _, d := range s.Delegates {
		p("")
		p("ĐẠI BIỂU – %s", d.Title)
		p("- Đã đăng ký: %s người (mới trong 24 giờ qua: %s); mỗi %s cử %d người.", num(d.Total), num(d.New), lower(d.GroupLabel), d.Quota)
		p("- Đủ số: %d/%d %s.", d.Full, d.Groups, lower(d.GroupLabel))
		if len(d.Missing) == 0 {
			p("- Không còn %s nào thiếu.", lower(d.GroupLabel))
		} else {
			p("- Còn thiếu (%d):", len(d.Missing))
			for _, m := range d.Missing {
				p("    %s: %d/%d, thiếu %d", m.Name, m.Count, d.Quota, d.Quota-m.Count)
			}
		}
	}
	p("")
	p("HẠN SẮP TỚI (trong %d ngày)", days(s.Ahead))
	if len(s.Deadlines) == 0 {
		p("- Không có biểu mẫu nào mở hay đóng trong %d ngày tới.", days(s.Ahead))
	}
	for _, d := range s.Deadlines {
		what := "hết hạn nhận"
		if d.Opens {
			what = "bắt đầu nhận"
		}
		p("- %s: %s lúc %s (%s).", d.Title, what, vntext.DateTime(d.At), left(d.At.Sub(s.At)))
	}
	if s.StaffURL != "" {
		p("")
		p("Xem chi tiết, trả lời câu hỏi và tải danh sách ở trang quản trị:")
		p("%s", s.StaffURL)
	}
	p("")
	p("Thư này chỉ có số liệu tổng hợp, không có họ tên, số điện thoại, email hay nội dung câu hỏi của người gửi.")
	p("Bạn nhận thư vì đã đăng ký ở trang quản trị; thôi nhận ở mục “Thư tóm tắt hằng ngày” của trang đó.")
	return b.String()
}

func counts(b *strings.Builder, label string, list []Count) {
	if len(list) == 0 {
		return
	}
	if label == "" {
		label = "Lĩnh vực"
	}
	fmt.Fprintf(b, "  Theo %s:\n", lower(label))
	for _, c := range list {
		fmt.Fprintf(b, "    %s: %s\n", c.Name, vntext.Number(c.Count))
	}
}

func lower(s string) string {
	if s == "" {
		return "nhóm"
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToLower(r)) + s[n:]
}

func left(d time.Duration) string {
	switch {
	case d < time.Hour:
		return "còn dưới 1 giờ"
	case d < 48*time.Hour:
		return fmt.Sprintf("còn %d giờ", int(d/time.Hour))
	}
	return fmt.Sprintf("còn %d ngày", int(d/(24*time.Hour)))
}

// Message is the whole digest for one recipient: headers, then the body
// as UTF-8 quoted-printable, CRLF line ends (RFC 5322, RFC 2045).
func Message(s *Summary, from, to string) ([]byte, error) {
	for _, a := range []string{from, to} {
		// The error names no address: it reaches logs.
		if p, err := mail.ParseAddress(a); err != nil || p.Address != a || strings.ContainsAny(a, "\r\n") {
			return nil, errors.New("digest: the sender's or the recipient's address is not one plain address")
		}
	}
	var id [12]byte
	rand.Read(id[:])
	_, domain, _ := strings.Cut(from, "@")
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", (&mail.Address{Name: "Loa – Văn phòng phường", Address: from}).String())
	h("To", "<"+to+">")
	h("Subject", mime.QEncoding.Encode("utf-8", Subject(s)))
	h("Date", s.At.In(vntext.Location).Format(time.RFC1123Z))
	h("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	h("MIME-Version", "1.0")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	h("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(strings.ReplaceAll(Text(s), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
