// Package digest mails staff a daily summary of the forms: the daily
// digest ("thư tóm tắt hằng ngày").
//
// The model: each staff account may ask for the digest, with an address
// and a yes or no (store.DigestSetting, saved on the staff page by the
// person or by a quản lý). Once a day [Digester.Run] counts what the
// store holds as of the service's clock (new questions of the last 24
// hours by lĩnh vực, questions not answered yet and those waiting longer
// than Config.Stale, delegates per chi đoàn against the quota and the chi
// đoàn still short of it, the forms' openings and closings coming up),
// writes one plain-text message in Vietnamese with a link to the staff
// page, and hands it to a [Sender] for each account that asked and has
// not had that day's digest yet: SMTP locally ([SMTP], `serve --smtp`),
// Amazon SES v2 on AWS ([SES], the Lambda run by an EventBridge
// schedule). The store marks each digest sent once the mail server took
// it, so a second run on the same day (a restart, a retried schedule)
// sends only what failed; and a run claims each account's digest before
// sending it, so that two runs at once (a schedule's event delivered
// twice) never both send it: the second leaves it and fails with ErrBusy,
// to be run again. A failed send is tried again a few times and
// logged; it runs apart from the form handler, so it never holds a
// submission up.
//
// The message carries counts, the names of lĩnh vực and chi đoàn (the
// ward's own lists in content), dates and links: never a resident's name,
// phone, email or question. Email is not a safe place for them; the staff
// page, behind its sign-in, is. Logs name accounts by id, never by
// address.
//
// Everything is read through the store's API (and the exporter's record
// reader): this package knows no key of the bucket.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/store"
	"loa/functions/vntext"
)

// RecordReader reads every stored row of a form; the exporter
// (*export.Exporter) is one.
type RecordReader interface {
	Records(ctx context.Context, f *forms.Form) ([]forms.Record, error)
}

// Store is what the digest reads and marks; *store.Store is one.
type Store interface {
	ListAnswers(ctx context.Context, form string) (map[string]store.Answer, error)
	DigestSettings(ctx context.Context) ([]store.DigestSetting, error)
	DigestSent(ctx context.Context, day, id string) (bool, error)
	MarkDigestSent(ctx context.Context, day, id string) error
	ClaimDigest(ctx context.Context, day, id string, now, until time.Time) (bool, error)
	ReleaseDigest(ctx context.Context, day, id string, until time.Time) error
}

// Sender hands one message to a mail service. msg is the whole message
// (headers and body, CRLF lines), as Message writes it.
type Sender interface {
	Send(ctx context.Context, from, to string, msg []byte) error
}

// Config is what a Digester is made from.
type Config struct {
	Forms   *forms.Registry // required
	Records RecordReader    // required
	Store   Store           // required
	Sender  Sender          // required

	// From is the sender's address (on AWS an SES identity); required.
	From string
	// StaffURL is the staff page's absolute address, linked from every
	// digest ("https://loa.example.vn/quan-tri/").
	StaffURL string
	// Allowed lists the only addresses a digest may go to (on AWS, the
	// identities verified in SES that the function may send to); empty:
	// any address. An account whose address is not listed is skipped and
	// logged, by id.
	Allowed []string

	// Stale is how long a question may wait for an answer before the
	// digest counts it as late; 0 means 3 days.
	Stale time.Duration
	// Ahead is how far ahead a form's opening or closing is told; 0
	// means 7 days.
	Ahead time.Duration

	// Now is the service's clock: the day of the digest and what counts
	// as new, late or coming up. nil: time.Now.
	Now func() time.Time
	// Attempts is how many times a send is tried (0: 3), waiting Backoff
	// (0: 2 s), then twice as long, between tries; Sleep waits (nil: a
	// timer), so that tests can hold a retry.
	Attempts int
	Backoff  time.Duration
	Sleep    func(ctx context.Context, d time.Duration) error
	// SendTimeout bounds one try; 0 means 20 s.
	SendTimeout time.Duration

	Logger *slog.Logger // nil: slog.Default()
}

// Digester writes and sends the daily digest.
type Digester struct {
	cfg     Config
	allowed map[string]bool
}

// New checks cfg and fills in the defaults.
func New(cfg Config) (*Digester, error) {
	switch {
	case cfg.Forms == nil || cfg.Records == nil || cfg.Store == nil:
		return nil, errors.New("digest: Forms, Records and Store are required")
	case cfg.Sender == nil:
		return nil, errors.New("digest: no Sender (SMTP or SES)")
	}
	from, err := store.CleanEmail(cfg.From)
	if err != nil || from == "" {
		return nil, fmt.Errorf("digest: sender address %q is not one plain address (want e.g. loa@phuong.gov.vn)", cfg.From)
	}
	cfg.From = from
	if cfg.Stale <= 0 {
		cfg.Stale = 3 * 24 * time.Hour
	}
	if cfg.Ahead <= 0 {
		cfg.Ahead = 7 * 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 2 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = 20 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	d := &Digester{cfg: cfg}
	for _, a := range cfg.Allowed {
		a, err := store.CleanEmail(a)
		if err != nil {
			return nil, fmt.Errorf("digest: allowed recipient: %w", err)
		}
		if a != "" {
			if d.allowed == nil {
				d.allowed = map[string]bool{}
			}
			d.allowed[strings.ToLower(a)] = true
		}
	}
	return d, nil
}

// Report tells what a run did.
type Report struct {
	Day     string // YYYY-MM-DD, Vietnam time
	Sent    int    // digests the mail service took
	Already int    // sent before, on an earlier run of the day
	Skipped int    // accounts whose address may not be sent to
	Failed  int    // digests not sent after every try
	Busy    int    // being sent by another run at the same time
}

// ErrBusy is in Run's error when another run was sending some account's
// digest at the same time: the run should be made again (the schedule's
// retry does), and sends it only if that run did not.
var ErrBusy = errors.New("digest: another run is sending it")

// Run sends the digest of the day of Now to every account that asked for
// it and has not had it yet. It returns an error when a digest could not
// be sent or marked: the run can be made again, and sends only those.
func (d *Digester) Run(ctx context.Context) (Report, error) {
	now := d.cfg.Now()
	rep := Report{Day: now.In(vntext.Location).Format("2006-01-02")}
	settings, err := d.cfg.Store.DigestSettings(ctx)
	if err != nil {
		return rep, fmt.Errorf("digest: read the accounts' settings: %w", err)
	}
	var due []store.DigestSetting
	for _, s := range settings {
		if !s.On || s.Email == "" {
			continue
		}
		if d.allowed != nil && !d.allowed[strings.ToLower(s.Email)] {
			rep.Skipped++
			d.cfg.Logger.Warn("digest: the account's address is not among the allowed recipients (DigestRecipients); not sent",
				slog.String("account", s.Account), slog.String("day", rep.Day))
			continue
		}
		sent, err := d.cfg.Store.DigestSent(ctx, rep.Day, s.Account)
		if err != nil {
			return rep, fmt.Errorf("digest: %w", err)
		}
		if sent {
			rep.Already++
			continue
		}
		due = append(due, s)
	}
	if len(due) == 0 {
		d.log(rep)
		return rep, nil
	}
	sum, err := d.Summarize(ctx, now)
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, s := range due {
		msg, err := Message(sum, d.cfg.From, s.Email)
		if err != nil {
			return rep, err
		}
		// Claimed for as long as the tries may take, then sent only if no
		// run sent it meanwhile.
		until := d.cfg.Now().Add(d.lease())
		claimed, err := d.cfg.Store.ClaimDigest(ctx, rep.Day, s.Account, d.cfg.Now(), until)
		if err != nil {
			return rep, fmt.Errorf("digest: %w", err)
		}
		sent, err := d.cfg.Store.DigestSent(ctx, rep.Day, s.Account)
		switch {
		case err != nil:
			return rep, fmt.Errorf("digest: %w", err)
		case sent:
			rep.Already++
			continue
		case !claimed:
			rep.Busy++
			errs = append(errs, fmt.Errorf("account %s: %w", s.Account, ErrBusy))
			continue
		}
		if err := d.send(ctx, s.Account, s.Email, msg); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("account %s: %w", s.Account, err))
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if err := d.cfg.Store.ReleaseDigest(rctx, rep.Day, s.Account, until); err != nil {
				errs = append(errs, fmt.Errorf("account %s: give up the claim: %w", s.Account, err))
			}
			cancel()
			continue
		}
		if err := d.cfg.Store.MarkDigestSent(ctx, rep.Day, s.Account); err != nil {
			// Sent, but a second run may send it again: better twice than
			// never.
			errs = append(errs, fmt.Errorf("account %s: sent, not marked: %w", s.Account, err))
		}
		rep.Sent++
	}
	d.log(rep)
	if len(errs) > 0 {
		return rep, fmt.Errorf("digest %s: %d of %d not sent: %w", rep.Day, rep.Failed+rep.Busy, len(due), errors.Join(errs...))
	}
	return rep, nil
}

// lease is how long a run may take to send one digest: every try and the
// waits between them. A claim lapses after it.
func (d *Digester) lease() time.Duration {
	total, wait := time.Duration(0), d.cfg.Backoff
	for attempt := 1; attempt <= d.cfg.Attempts; attempt++ {
		total += d.cfg.SendTimeout
		if attempt < d.cfg.Attempts {
			total += wait
			wait *= 2
		}
	}
	return total
}

// Errors of SendNow.
var (
	ErrNoAddress  = errors.New("digest: the account has saved no address")
	ErrNotAllowed = errors.New("digest: the account's address is not among the allowed recipients")
)

// SendNow sends the digest as of now to the account id's saved address,
// whether or not it asked for the daily one, and marks nothing: a staff
// member's check that mail reaches them.
func (d *Digester) SendNow(ctx context.Context, id string) error {
	settings, err := d.cfg.Store.DigestSettings(ctx)
	if err != nil {
		return fmt.Errorf("digest: read the accounts' settings: %w", err)
	}
	var to string
	for _, s := range settings {
		if s.Account == id {
			to = s.Email
		}
	}
	switch {
	case to == "":
		return ErrNoAddress
	case d.allowed != nil && !d.allowed[strings.ToLower(to)]:
		return ErrNotAllowed
	}
	now := d.cfg.Now()
	sum, err := d.Summarize(ctx, now)
	if err != nil {
		return err
	}
	msg, err := Message(sum, d.cfg.From, to)
	if err != nil {
		return err
	}
	if err := d.send(ctx, id, to, msg); err != nil {
		return err
	}
	d.cfg.Logger.Info("digest: sent now", slog.String("account", id))
	return nil
}

func (d *Digester) log(rep Report) {
	level := slog.LevelInfo
	if rep.Failed > 0 {
		level = slog.LevelError
	}
	d.cfg.Logger.Log(context.Background(), level, "digest", slog.String("day", rep.Day), slog.Int("sent", rep.Sent),
		slog.Int("already", rep.Already), slog.Int("skipped", rep.Skipped), slog.Int("failed", rep.Failed), slog.Int("busy", rep.Busy))
}

// send tries to send msg to one account, Attempts times, logging each
// failure by account id.
func (d *Digester) send(ctx context.Context, account, to string, msg []byte) error {
	wait := d.cfg.Backoff
	var err error
	for attempt := 1; attempt <= d.cfg.Attempts; attempt++ {
		tctx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
		err = d.cfg.Sender.Send(tctx, d.cfg.From, to, msg)
		cancel()
		if err == nil {
			return nil
		}
		err = Redact(err)
		d.cfg.Logger.Warn("digest: send failed", slog.String("account", account), slog.Int("attempt", attempt),
			slog.Int("attempts", d.cfg.Attempts), slog.String("error", err.Error()))
		if attempt == d.cfg.Attempts {
			break
		}
		if serr := d.cfg.Sleep(ctx, wait); serr != nil {
			return serr
		}
		wait *= 2
	}
	return err
}

var emailLike = regexp.MustCompile(`[^\s<>"',;:()\[\]]+@[^\s<>"',;:()\[\]]+`)

// Redact returns err with every address in its text replaced: a mail
// server's refusal often quotes the recipient, and logs never hold one.
func Redact(err error) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	if !strings.Contains(s, "@") {
		return err
	}
	return errors.New(emailLike.ReplaceAllString(s, "(địa chỉ)"))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Summary is what one day's digest says: counts, names from the ward's
// lists, dates and a link.
type Summary struct {
	At        time.Time // the instant it counts to
	Stale     time.Duration
	Ahead     time.Duration
	Questions []Questions
	Delegates []Delegates
	Deadlines []Deadline
	StaffURL  string
}

// Count is a name of one of the ward's lists and a number.
type Count struct {
	Name  string
	Count int
}

// Questions counts an answered form's submissions.
type Questions struct {
	Title        string
	TopicLabel   string
	Total        int
	New          int     // in the 24 hours before At
	NewByTopic   []Count // only topics with new questions, in the form's order
	Unanswered   int     // not answered yet (Đã nhận or Đang xử lý)
	Stale        int     // of those, waiting longer than Summary.Stale
	StaleByTopic []Count
}

// Delegates counts a form with a quota per group (chi đoàn).
type Delegates struct {
	Title      string
	GroupLabel string
	Quota      int
	Total      int
	New        int     // in the 24 hours before At
	Groups     int     // listed groups
	Full       int     // listed groups that reached the quota
	Missing    []Count // listed groups short of it, with how many they have
}

// Deadline is a form's opening or closing coming up.
type Deadline struct {
	Title string
	Opens bool // an opening; else a closing
	At    time.Time
}

// Summarize counts what the store holds as of now.
func (d *Digester) Summarize(ctx context.Context, now time.Time) (*Summary, error) {
	sum := &Summary{At: now, Stale: d.cfg.Stale, Ahead: d.cfg.Ahead, StaffURL: d.cfg.StaffURL}
	since := now.Add(-24 * time.Hour)
	for _, f := range d.cfg.Forms.Forms() {
		switch {
		case now.Before(f.Opens) && f.Opens.Sub(now) <= d.cfg.Ahead:
			sum.Deadlines = append(sum.Deadlines, Deadline{Title: f.Title, Opens: true, At: f.Opens})
		case f.IsOpen(now) && f.Closes.Sub(now) <= d.cfg.Ahead:
			sum.Deadlines = append(sum.Deadlines, Deadline{Title: f.Title, At: f.Closes})
		}
		answered, quota := f.Answered(), f.Quota > 0 && f.QuotaBy != ""
		if !answered && !quota {
			continue
		}
		recs, err := d.cfg.Records.Records(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("digest: read %s: %w", f.ID, err)
		}
		if answered {
			answers, err := d.cfg.Store.ListAnswers(ctx, f.ID)
			if err != nil {
				return nil, fmt.Errorf("digest: answers of %s: %w", f.ID, err)
			}
			sum.Questions = append(sum.Questions, questions(f, recs, answers, since, now.Add(-d.cfg.Stale)))
		}
		if quota {
			sum.Delegates = append(sum.Delegates, delegates(f, recs, since))
		}
	}
	slices.SortStableFunc(sum.Deadlines, func(a, b Deadline) int { return a.At.Compare(b.At) })
	return sum, nil
}

func questions(f *forms.Form, recs []forms.Record, answers map[string]store.Answer, since, staleBefore time.Time) Questions {
	q := Questions{Title: f.Title, Total: len(recs)}
	tf := f.TopicField()
	var names []string
	if tf != nil {
		q.TopicLabel, names = tf.Label, tf.Options
	}
	news, stale := map[string]int{}, map[string]int{}
	for _, r := range recs {
		topic := ""
		if tf != nil {
			topic = r.Values[tf.Name]
		}
		if r.Time.After(since) {
			q.New++
			news[topic]++
		}
		if a, ok := answers[r.ID]; ok && a.Status == store.StatusAnswered {
			continue
		}
		q.Unanswered++
		if r.Time.Before(staleBefore) {
			q.Stale++
			stale[topic]++
		}
	}
	q.NewByTopic, q.StaleByTopic = nonZero(names, news), nonZero(names, stale)
	return q
}

func delegates(f *forms.Form, recs []forms.Record, since time.Time) Delegates {
	dl := Delegates{Title: f.Title, Quota: f.Quota, Total: len(recs), Groups: len(f.ChiDoan)}
	if fl := f.Field(f.QuotaBy); fl != nil {
		dl.GroupLabel = fl.Label
	}
	per := map[string]int{}
	for _, r := range recs {
		per[r.Values[f.QuotaBy]]++
		if r.Time.After(since) {
			dl.New++
		}
	}
	for _, g := range f.ChiDoan {
		if per[g] >= f.Quota {
			dl.Full++
			continue
		}
		dl.Missing = append(dl.Missing, Count{Name: g, Count: per[g]})
	}
	return dl
}

// nonZero lists the names with a count in the list's order, then any other
// name counted (an option taken out of content since), by name.
func nonZero(names []string, counts map[string]int) []Count {
	var out []Count
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
		if counts[n] > 0 {
			out = append(out, Count{n, counts[n]})
		}
	}
	var extra []string
	for n := range counts {
		if !seen[n] {
			extra = append(extra, n)
		}
	}
	slices.Sort(extra)
	for _, n := range extra {
		name := n
		if name == "" {
			name = "(không ghi)"
		}
		out = append(out, Count{name, counts[n]})
	}
	return out
}
