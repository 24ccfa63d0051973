// Package routes names the addresses and headers that the site and the
// form service share: the routes the handler mounts (under /api/ on AWS,
// where CloudFront forwards them to the function), the pages of the site
// that link to them or that the handler answers itself, and the headers
// staff and CloudFront send. The builder writes pages that call these
// routes and the handler answers them; both import this package, and
// neither imports the other. Constants only, and no imports: anything may
// depend on it. The scripts under site/assets/js spell the same paths.
package routes

// The form service's routes. A trailing "/" is followed by arguments
// ({form}, {form}/{id}).
const (
	Forms         = "/api/forms/"         // POST a submission: Forms + form id
	Lookup        = "/api/tra-cuu"        // POST ma=CODE&so=LAST4: a question's status and answer
	PublicAPI     = "/api/hoi-dap"        // PublicPage as CloudFront forwards it
	Stats         = "/api/stats"          // staff: the counts
	Export        = "/api/export/"        // staff: Export + form id, a download link
	Submissions   = "/api/submissions/"   // staff: DELETE Submissions + form/id
	Files         = "/api/files/"         // staff: GET Files + form/id/field, a download link of a file sent with a submission
	Questions     = "/api/questions"      // staff: the questions with their answers
	Answers       = "/api/answers/"       // staff: PUT Answers + form/id
	Compile       = "/api/compile"        // staff: GET the questions to compile; Compile + "/" + form: the .docx
	Marks         = "/api/marks/"         // staff: PUT Marks + form/id, a question kept, left out or merged
	Invitations   = "/api/invitations"    // staff: GET every delegate's and guest's invitation as one .docx (?dang=pdf: a PDF)
	Checkin       = "/api/checkin"        // staff: POST a check-in at the door
	Attendance    = "/api/attendance"     // staff: GET who came, by chi đoàn
	AttendanceCSV = "/api/attendance.csv" // staff: GET everyone invited and the walk-ins, code and time of coming, as CSV
	Guests        = "/api/guests"         // staff: GET the guests, POST a new one; Guests + "/" + id: DELETE
	SignIn        = "/api/dang-nhap"      // staff: GET who the account is
	Accounts      = "/api/accounts"       // staff: GET the accounts, POST a new one; Accounts + "/" + id: DELETE
	Audit         = "/api/audit"          // staff: GET a page of the audit log
	AuditCSV      = "/api/audit.csv"      // staff: GET the audit log as CSV
	Digest        = "/api/digest"         // staff: GET the daily digest's settings; Digest + "/" + id: PUT one
	DigestNow     = "/api/digest-now"     // staff: POST the digest at once to one's own address
)

// The commendation list's routes (staff, a "quản lý"): the nominations of
// the form data/van-phong.yaml names, one kept or left out, and the list
// as a .docx.
const (
	Commendation = "/api/commendation"      // staff: GET the nominations; PUT Commendation + "/" + id: one kept or left out
	CommendDocx  = "/api/commendation.docx" // staff: GET a download link of the list in Word
)

// The province's own route, on the province's host (a province account,
// store.RoleProvince): no unit's staff route.
const (
	ProvinceCounts = "/api/tinh/so-lieu" // province: GET each unit's counts by form, never a row
)

// Pages of the site tied to the form service.
const (
	LookupPage = "/tra-cuu/"  // the builder's page with the lookup form
	PublicPage = "/hoi-dap/"  // the published answers, answered by the handler itself
	StaffPage  = "/quan-tri/" // the builder's staff page, whose script calls the staff routes
	// CheckinPage is the builder's page for check-in at the door, on a
	// phone: it calls Checkin and Attendance with the staff page's sign-in.
	CheckinPage = "/quan-tri/diem-danh/"
	// GuestsPage is the builder's page where a "quản lý" keeps the guests
	// and downloads the invitations (Word, PDF) and the attendance: it
	// calls Guests, Invitations and AttendanceCSV.
	GuestsPage = "/quan-tri/khach-moi/"
	// CommendationPage is the builder's page where a "quản lý" keeps or
	// leaves out each nomination and downloads the commendation list: it
	// calls Commendation, CommendDocx and Files.
	CommendationPage = "/quan-tri/khen-thuong/"
)

// Headers.
const (
	// StaffHeader carries the staff secret on the staff routes.
	StaffHeader = "X-Loa-Staff"
	// AccountHeader names the staff account whose secret StaffHeader
	// carries; without it, the first account (or the shared secret).
	AccountHeader = "X-Loa-Account"
	// OriginHeader carries the origin secret: CloudFront adds it to every
	// request it forwards to the function, and no viewer can see it.
	OriginHeader = "X-Origin-Verify"
)
