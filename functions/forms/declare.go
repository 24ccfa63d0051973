package forms

// Kind says how a field is shown, checked and normalised.
type Kind int

const (
	KindText     Kind = iota // one line of text; runs of white space become one space
	KindTextArea             // several lines; CR LF becomes LF
	KindYear                 // a year of birth: four digits in a sane range
	KindPhone                // a Vietnamese phone number, stored as 0xxxxxxxxx
	KindEmail                // an e-mail address, domain lowercased
	KindSelect               // one value from Options, shown as a drop-down list
	KindRadio                // one value from Options, shown as radio buttons
	KindConsent              // an unticked box; the row stores the notice's version
	KindCode                 // a registration code (codes.go): checked, never stored
	// KindPublish is a second, optional unticked box with its own purpose:
	// publishing the question and its answer on /hoi-dap/ (Law 91/2025:
	// consent per purpose). The row stores the publishing notice's version
	// (the form's "publishConsent" in content), or "" when it is not ticked.
	KindPublish
)

// Source says where a field's options come from when they are event settings
// that staff change in content rather than in Go.
type Source int

const (
	SourceStatic  Source = iota // Field.Options as declared
	SourceChiDoan               // data/chi-doan.yaml
	SourceTopics                // the form's "topics" front matter
)

// Other is the option added at the end of a list when Field.Other is set.
const Other = "Khác"

// Field is one question of a form. The same value drives the HTML control,
// the server's validation and the CSV column.
type Field struct {
	Name         string // form key, ASCII, e.g. "ho_ten"
	Label        string // Vietnamese label; also the CSV header unless Column is set
	Column       string // CSV header when it differs from Label (no commas: gocsv splits tags on them)
	Hint         string
	Kind         Kind
	Required     bool
	MaxLen       int    // in characters, after normalisation; 0 means the kind's default
	Autocomplete string // HTML autocomplete token
	InputMode    string // HTML inputmode
	Source       Source
	Options      []string // for SourceStatic
	Other        bool     // append "Khác" to the options

	// Messages, GOV.UK style: say what to do, not what went wrong.
	Missing string // when a required field is empty
	Invalid string // when the value has the wrong shape or is not an option
	TooLong string // when the value is longer than MaxLen
}

// AnyOf requires at least one of several fields, e.g. a phone number or an
// e-mail address. The message is shown on the first of them.
type AnyOf struct {
	Fields  []string
	Message string
}

// Declaration is everything Go knows about one form: its fields in order and
// the rules between them. Deadlines, lists, quota and consent text are in
// content and are joined to the declaration by Load.
type Declaration struct {
	ID      string
	Fields  []Field
	AnyOf   []AnyOf
	QuotaBy string // the field whose value groups the quota (dai-bieu: chi_doan)
	Action  string // verb for the submit button and messages, e.g. "Gửi câu hỏi"
	// CodePrefix starts the receipt code of every accepted submission
	// (receipt.go): "CH" for questions, "DB" for delegates.
	CodePrefix string
	// Question names the field staff answer (cau-hoi: noi_dung); "" for a
	// form that is not answered (dai-bieu).
	Question string
}

// HoneypotField is a text box hidden from people. Bots fill it; a submission
// with a value in it is answered as a success and stored nowhere.
const HoneypotField = "trang_web"

// Declarations returns fresh copies of the two forms the ward runs. Load
// uses them; tests change a copy and pass it to LoadWith.
func Declarations() []Declaration {
	name := Field{
		Name: "ho_ten", Label: "Họ và tên", Kind: KindText, Required: true, MaxLen: 100,
		Autocomplete: "name",
		Missing:      "Nhập họ và tên",
		TooLong:      "Họ và tên chỉ được tối đa 100 ký tự",
	}
	year := Field{
		Name: "nam_sinh", Label: "Năm sinh", Hint: "Ví dụ: 1998", Kind: KindYear, MaxLen: 4,
		Autocomplete: "bday-year", InputMode: "numeric",
		Missing: "Nhập năm sinh",
		Invalid: "Năm sinh phải là 4 chữ số, ví dụ 1998",
	}
	email := Field{
		Name: "email", Label: "Email", Kind: KindEmail, MaxLen: 254,
		Autocomplete: "email", InputMode: "email",
		Missing: "Nhập email",
		Invalid: "Email không đúng, ví dụ ten@example.com",
		TooLong: "Email chỉ được tối đa 254 ký tự",
	}
	phone := Field{
		Name: "dien_thoai", Label: "Số điện thoại", Kind: KindPhone, MaxLen: 20,
		Autocomplete: "tel", InputMode: "tel",
		Missing: "Nhập số điện thoại",
		Invalid: "Số điện thoại không đúng, ví dụ 0912 345 678",
		TooLong: "Số điện thoại không đúng, ví dụ 0912 345 678",
	}
	consent := func(action string) Field {
		return Field{
			Name: "dong_y", Label: "Đồng ý xử lý dữ liệu cá nhân", Column: "Phiên bản thông báo đồng ý",
			Kind: KindConsent, Required: true,
			Missing: "Đánh dấu vào ô đồng ý để " + action,
		}
	}

	questionYear := year
	questionPhone := phone
	questionPhone.Hint = "Ví dụ: 0912 345 678. Nhập số điện thoại hoặc email, ít nhất một trong hai, để Văn phòng trả lời bạn."
	questionEmail := email
	questionEmail.Hint = "Nhập số điện thoại hoặc email, ít nhất một trong hai."

	delegateYear := year
	delegateYear.Required = true
	delegatePhone := phone
	delegatePhone.Required = true
	delegatePhone.Hint = "Ví dụ: 0912 345 678"

	return []Declaration{
		{
			ID:     "cau-hoi",
			Action: "gửi câu hỏi",
			Fields: []Field{
				name,
				questionYear,
				{
					Name: "chi_doan", Label: "Chi đoàn", Hint: "Chọn “Khác” nếu bạn không sinh hoạt ở chi đoàn nào trong danh sách.",
					Kind: KindSelect, Required: true, Source: SourceChiDoan, Other: true,
					Missing: "Chọn chi đoàn của bạn",
					Invalid: "Chọn một chi đoàn trong danh sách",
				},
				questionPhone,
				questionEmail,
				{
					Name: "linh_vuc", Label: "Lĩnh vực", Kind: KindRadio, Required: true,
					Source: SourceTopics, Other: true,
					Missing: "Chọn lĩnh vực của câu hỏi",
					Invalid: "Chọn một lĩnh vực trong danh sách",
				},
				{
					Name: "noi_dung", Label: "Nội dung câu hỏi", Hint: "Tối đa 2.000 ký tự.",
					Kind: KindTextArea, Required: true, MaxLen: 2000,
					Missing: "Nhập nội dung câu hỏi",
					TooLong: "Nội dung câu hỏi chỉ được tối đa 2.000 ký tự",
				},
				consent("gửi câu hỏi"),
				{
					Name: "cong_bo", Label: "Đồng ý công bố câu hỏi và câu trả lời", Column: "Phiên bản đồng ý công bố",
					Kind: KindPublish,
				},
			},
			CodePrefix: "CH",
			Question:   "noi_dung",
			AnyOf: []AnyOf{{
				Fields:  []string{"dien_thoai", "email"},
				Message: "Nhập số điện thoại hoặc email để Văn phòng trả lời bạn",
			}},
		},
		{
			ID:         "dai-bieu",
			Action:     "đăng ký",
			QuotaBy:    "chi_doan",
			CodePrefix: "DB",
			Fields: []Field{
				{
					Name: "chi_doan", Label: "Chi đoàn", Kind: KindSelect, Required: true, Source: SourceChiDoan,
					Missing: "Chọn chi đoàn của đại biểu",
					Invalid: "Chọn một chi đoàn trong danh sách",
				},
				name,
				{
					Name: "chuc_vu", Label: "Chức vụ", Kind: KindRadio, Required: true,
					Options: []string{"Bí thư", "Phó Bí thư", "Ủy viên BCH", "Đoàn viên", "Thanh niên tiêu biểu"},
					Missing: "Chọn chức vụ",
					Invalid: "Chọn một chức vụ trong danh sách",
				},
				delegateYear,
				{
					Name: "gioi_tinh", Label: "Giới tính", Kind: KindRadio,
					Options: []string{"Nam", "Nữ"},
					Invalid: "Chọn Nam hoặc Nữ, hoặc để trống",
				},
				delegatePhone,
				email,
				{
					Name: "ghi_chu", Label: "Ghi chú", Kind: KindTextArea, MaxLen: 500,
					Hint:    "Ví dụ: cần hỗ trợ đi lại. Tối đa 500 ký tự.",
					TooLong: "Ghi chú chỉ được tối đa 500 ký tự",
				},
				consent("đăng ký"),
			},
		},
	}
}
