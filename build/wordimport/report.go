package wordimport

import (
	"fmt"
	"strings"
	"time"

	"loa/functions/vntext"
)

// Report tells staff, in Vietnamese, what the import recognised and what
// it did not, so that they check the page before it is published.
type Report struct {
	Page    string   // the page written
	Found   []string // "cơ quan ban hành", "số", …
	Missing []string // "Không tìm thấy Nơi nhận"
	Check   []string // what was found but needs a look: blanks left, guesses made
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Đã nhập văn bản vào %s\n", r.Page)
	if len(r.Found) > 0 {
		fmt.Fprintf(&b, "Đã nhận: %s.\n", strings.Join(r.Found, ", "))
	}
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "%s.\n", m)
	}
	if len(r.Check) > 0 {
		b.WriteString("Cần kiểm tra:\n")
		for _, c := range r.Check {
			fmt.Fprintf(&b, "  - %s\n", c)
		}
	}
	b.WriteString("Xem lại trang (make serve) và sửa index.md nếu cần trước khi đăng.\n")
	return b.String()
}

type reportFacts struct {
	page           string
	date           time.Time
	titleFromFile  bool
	unplaced       []string
	unknown        []string
	replaced       bool
	sectionGuessed bool
	section        string
	plainWhy       error  // why the page is a plain page and not an official document
	sections       string // the content's sections, for the message
}

func report(d *Document, w *writer, f reportFacts) Report {
	r := Report{Page: f.page}
	found := func(ok bool, what, missing string) {
		if ok {
			r.Found = append(r.Found, what)
		} else if missing != "" {
			r.Missing = append(r.Missing, missing)
		}
	}
	if f.plainWhy != nil {
		r.Check = append(r.Check, "Trang được nhập như một trang thường (không phải văn bản có số, ký hiệu), vì nếu là văn bản thì trang chưa đăng được: "+f.plainWhy.Error()+". Nếu đây là văn bản hành chính: sửa điều đó (ví dụ thêm loại văn bản vào content/data/loai-van-ban.yaml) rồi nhập lại với --force")
		return r
	}
	if !d.header {
		r.Missing = append(r.Missing, "Không tìm thấy phần đầu văn bản (quốc hiệu, số, ngày ban hành)")
	}
	found(d.Kind != "", "loại văn bản ("+d.Kind+")", "Không tìm thấy loại văn bản (KẾ HOẠCH, THÔNG BÁO, …)")
	found(!f.titleFromFile, "tên văn bản", "Không tìm thấy tên văn bản (trích yếu): tạm lấy tên tệp làm tiêu đề")
	found(len(d.Issuer) > 0, "cơ quan ban hành", "Không tìm thấy cơ quan ban hành")
	found(d.Number != "", "số", "Không tìm thấy số văn bản (Số: …)")
	found(d.Place != "", "địa danh", "Không tìm thấy địa danh")
	found(d.Issued.Year != 0, "ngày ban hành", "Không tìm thấy ngày ban hành")
	found(d.recipientsLabel, fmt.Sprintf("nơi nhận (%d nơi)", len(d.Recipients)), "Không tìm thấy Nơi nhận")
	found(len(d.Signature) > 0, "phần chữ ký ("+strings.Join(d.Signature, " / ")+")", "Không tìm thấy chức vụ người ký")
	found(d.Signer != "", "người ký", "Không tìm thấy người ký")
	var parts []string
	if w.headings > 0 {
		parts = append(parts, fmt.Sprintf("%d đề mục", w.headings))
	}
	if w.tables > 0 {
		parts = append(parts, fmt.Sprintf("%d bảng", w.tables))
	}
	if n := len(w.images); n > 0 {
		parts = append(parts, fmt.Sprintf("%d hình", n))
	}
	if len(parts) > 0 {
		r.Found = append(r.Found, "nội dung: "+strings.Join(parts, ", "))
	}

	if strings.HasPrefix(d.Number, "   ") {
		r.Check = append(r.Check, "Số văn bản còn để trống (\""+d.Number+"\"): điền khi văn bản có số")
	}
	switch {
	case d.Issued.Year != 0 && d.Issued.Month == 0:
		r.Check = append(r.Check, "Ngày ban hành còn để trống ngày, tháng")
	case d.Issued.Year != 0 && d.Issued.Day == 0:
		r.Check = append(r.Check, "Ngày ban hành còn để trống ngày")
	case d.dateLine && d.Issued.Year == 0:
		r.Check = append(r.Check, "Ngày ban hành còn để trống năm")
	}
	if !d.Issued.Complete() {
		r.Check = append(r.Check, "Ngày đăng (date) tạm lấy là hôm nay, "+vntext.ShortDate(f.date)+", vì ngày ban hành chưa đủ ngày, tháng, năm: sửa lại khi văn bản được ký")
	}
	for _, u := range f.unplaced {
		r.Check = append(r.Check, "Dòng ở phần đầu không nhận ra là số, ngày hay cơ quan ban hành, nên để ở đầu nội dung: \""+u+"\"")
	}
	if w.lostTables > 0 {
		r.Check = append(r.Check, fmt.Sprintf("Có %d bảng không đọc được chữ (tệp lưu thiếu lưới cột của bảng), nên chưa có trên trang: mở tệp trong Word, lưu lại thành .docx rồi nhập lại với --force", w.lostTables))
	}
	if w.merged > 0 {
		r.Check = append(r.Check, fmt.Sprintf("Có %d ô bảng gộp: trên trang ô gộp được tách, kiểm tra lại bảng", w.merged))
	}
	for _, e := range w.badImages {
		r.Check = append(r.Check, "Có hình dạng "+strings.ToUpper(e)+" không đăng được (trình duyệt không hiển thị, tệp hỏng hoặc quá lớn), nên chưa đưa lên trang: chèn lại hình dạng PNG hoặc JPG trong Word rồi nhập lại với --force")
	}
	if len(w.images) > 0 {
		r.Check = append(r.Check, "Hình đã lấy ra thành anh-1, anh-2, … trong thư mục của trang: đặt lại chú thích hình nếu cần")
	}
	if len(f.unknown) > 0 {
		r.Check = append(r.Check, "Có phần không đọc được hết định dạng ("+strings.Join(f.unknown, ", ")+"): chữ vẫn giữ, kiểm tra trình bày")
	}
	if f.sectionGuessed {
		r.Check = append(r.Check, "Đưa vào mục "+f.section+" theo loại văn bản, như tệp _index.md của các mục quy định (kinds:); muốn đưa vào mục khác thì nhập lại với --force --section …, một trong: "+f.sections)
	}
	if f.replaced {
		r.Check = append(r.Check, "Đã thay trang có sẵn cùng địa chỉ (--force)")
	}
	return r
}
