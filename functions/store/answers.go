package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
)

// Hỏi đáp: finding a submission by its receipt code, staff's answers to it
// in versions, and the index of the answers the ward publishes. The keys
// are in the package doc.

// The statuses of a submission, as its answers say.
const (
	StatusReceived   = "received"    // Đã nhận: no answer yet
	StatusInProgress = "in_progress" // Đang xử lý
	StatusAnswered   = "answered"    // Đã trả lời
)

// StatusText is the Vietnamese name of a status, as people read it.
func StatusText(s string) string {
	switch s {
	case StatusInProgress:
		return "Đang xử lý"
	case StatusAnswered:
		return "Đã trả lời"
	}
	return "Đã nhận"
}

// ValidStatus reports whether s is one of the statuses.
func ValidStatus(s string) bool {
	return s == StatusReceived || s == StatusInProgress || s == StatusAnswered
}

// Answer is one version of staff's answer to a submission.
type Answer struct {
	Version int       `json:"version"` // 1, 2, …; 0 for a submission not answered yet
	Base    int       `json:"base"`    // the version the staff member edited
	Status  string    `json:"status"`
	Text    string    `json:"answer"`
	By      string    `json:"by"`     // the answerer's name, as staff typed it
	Public  bool      `json:"public"` // staff want it shown on /hoi-dap/
	At      time.Time `json:"at"`
	// Question is staff's public wording of the question (a name or a
	// phone number the asker wrote taken out), "" for the asker's own
	// text. The asker's text stays in the submission's row, and so in the
	// export.
	Question string `json:"question,omitempty"`
	// Shown is what /hoi-dap/ shows while this version is the latest, nil
	// for nothing (SaveAnswer sets it, see PublicEntryOf). Decided says
	// the version carries it; versions written before did not.
	Shown   *PublicEntry `json:"shown,omitempty"`
	Decided bool         `json:"decided,omitempty"`
}

// Found is a stored submission found by its id or receipt code.
type Found struct {
	Hash   string
	Record forms.Record
}

// ConflictError says another save of an answer came first: version
// Latest exists and was not the one edited. The text that lost is kept
// beside the versions, so that nothing typed is lost.
type ConflictError struct {
	Latest int
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("store: answer: version %d was saved first; this text is kept as a conflict copy", e.Latest)
}

func (s *Store) answerPrefix(form, hash string) string {
	return s.cfg.Prefix + "answers/" + form + "/" + hash + "/"
}

func (s *Store) answerKey(form, hash string, version int) string {
	return fmt.Sprintf("%s%06d.json", s.answerPrefix(form, hash), version)
}

// hashOf is the hash of the submission stored under key.
func (s *Store) hashOf(form, key string) string {
	return strings.TrimSuffix(strings.TrimPrefix(key, s.submissionPrefix(form)), ".csv")
}

// find reads the submissions of f whose hash starts with start, at most max.
func (s *Store) find(ctx context.Context, f *forms.Form, start string, max int32) ([]Found, error) {
	out, err := s.api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: &s.cfg.Bucket, Prefix: aws.String(s.submissionPrefix(f.ID) + start), MaxKeys: aws.Int32(max),
	})
	if err != nil {
		return nil, fmt.Errorf("store: find %s: %w", start, err)
	}
	var found []Found
	for _, o := range out.Contents {
		key := aws.ToString(o.Key)
		if !strings.HasSuffix(key, ".csv") {
			continue
		}
		rec, err := s.Read(ctx, f, key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = append(found, Found{Hash: s.hashOf(f.ID, key), Record: rec})
	}
	return found, nil
}

func isHex(s string) bool { return s != "" && strings.Trim(s, HashDigits) == "" }

// FindByCode returns the submissions of f named by the hex digits of a
// receipt code (forms.ParseReceipt): one, almost always; none for a code
// that names nothing. Two submissions whose hashes share 40 bits are both
// returned, and the caller tells them apart (by the contact it asks for).
func (s *Store) FindByCode(ctx context.Context, f *forms.Form, hexDigits string) ([]Found, error) {
	if len(hexDigits) != forms.ReceiptHexLen || !isHex(hexDigits) {
		return nil, nil
	}
	return s.find(ctx, f, hexDigits, 8)
}

// Lookup finds the submission of f named by the hex digits of a receipt
// code whose contact matches (match), and its latest answer; ok is false
// when there is none. It makes the same requests whatever the answer: a
// listing and a read of the submissions, a listing and a read of the
// answers. Where there is nothing to read it reads a key that cannot
// exist, so that the time a lookup takes does not tell a known code from
// an unknown one, a right contact from a wrong one, or an answered
// question from one still waiting.
func (s *Store) Lookup(ctx context.Context, f *forms.Form, hexDigits string, match func(forms.Record) bool) (found Found, a Answer, ok bool, err error) {
	if len(hexDigits) != forms.ReceiptHexLen || !isHex(hexDigits) {
		return Found{}, Answer{}, false, nil
	}
	out, err := s.api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: &s.cfg.Bucket, Prefix: aws.String(s.submissionPrefix(f.ID) + hexDigits), MaxKeys: aws.Int32(8),
	})
	if err != nil {
		return Found{}, Answer{}, false, fmt.Errorf("store: find %s: %w", hexDigits, err)
	}
	// No hash is this short: a key that names no submission and no answer.
	decoy := hexDigits
	keys := []string{s.SubmissionKey(f.ID, decoy)}
	if len(out.Contents) > 0 {
		keys = keys[:0]
		for _, o := range out.Contents {
			if k := aws.ToString(o.Key); strings.HasSuffix(k, ".csv") {
				keys = append(keys, k)
			}
		}
	}
	hash := decoy
	for _, key := range keys {
		rec, err := s.Read(ctx, f, key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Found{}, Answer{}, false, err
		}
		if !ok && match(rec) {
			found, ok, hash = Found{Hash: s.hashOf(f.ID, key), Record: rec}, true, s.hashOf(f.ID, key)
		}
	}
	nums, _, err := s.versions(ctx, f.ID, hash)
	if err != nil {
		return Found{}, Answer{}, false, err
	}
	n := 1
	if len(nums) > 0 {
		n = nums[len(nums)-1]
	}
	a, err = s.readAnswer(ctx, s.answerKey(f.ID, hash, n))
	switch {
	case errors.Is(err, ErrNotFound):
		a = Answer{Status: StatusReceived}
	case err != nil:
		return Found{}, Answer{}, false, err
	}
	if !ok {
		return Found{}, Answer{}, false, nil
	}
	return found, a, true, nil
}

// FindByID returns the submission of f with the given short id, or
// ErrNotFound.
func (s *Store) FindByID(ctx context.Context, f *forms.Form, id string) (Found, error) {
	if len(id) != forms.IDLength || !isHex(id) {
		return Found{}, ErrNotFound
	}
	found, err := s.find(ctx, f, id, 2)
	if err != nil {
		return Found{}, err
	}
	if len(found) != 1 {
		return Found{}, ErrNotFound
	}
	return found[0], nil
}

// versions lists the keys under a submission's answers: the numbered
// versions' numbers, in order, and every key (conflict copies too).
func (s *Store) versions(ctx context.Context, form, hash string) ([]int, []string, error) {
	prefix := s.answerPrefix(form, hash)
	keys, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return nil, nil, err
	}
	var nums []int
	for _, k := range keys {
		if n, ok := versionOf(strings.TrimPrefix(k, prefix)); ok {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums, keys, nil
}

// versionOf reads "000012.json" as 12.
func versionOf(name string) (int, bool) {
	digits, ok := strings.CutSuffix(name, ".json")
	if !ok || len(digits) != 6 || strings.Trim(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil && n > 0
}

func (s *Store) readAnswer(ctx context.Context, key string) (Answer, error) {
	body, _, _, found, err := s.readSmall(ctx, key)
	if err != nil {
		return Answer{}, err
	}
	if !found {
		return Answer{}, ErrNotFound
	}
	var a Answer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return Answer{}, fmt.Errorf("store: %s: %w", key, err)
	}
	return a, nil
}

// LatestAnswer returns the newest version of the answer to a submission
// of form; a submission without one is received, version 0.
func (s *Store) LatestAnswer(ctx context.Context, form, hash string) (Answer, error) {
	nums, _, err := s.versions(ctx, form, hash)
	if err != nil || len(nums) == 0 {
		return Answer{Status: StatusReceived}, err
	}
	return s.readAnswer(ctx, s.answerKey(form, hash, nums[len(nums)-1]))
}

// SaveAnswer stores a as the version after base of the answer to the
// submission found of f, and returns it as stored (its version, time and
// public entry set). The version is the one write: what /hoi-dap/ shows
// of the submission is the entry its latest version carries, so a save
// that publishes, changes or takes off an answer takes effect all at once
// or not at all. Versions are written once (If-None-Match: *):
// when base is not the latest version, or another save wrote base+1
// first, a is kept as a conflict copy beside the versions and the answer
// is a *ConflictError. A submission that does not exist (or is deleted
// while its answer is saved) is ErrNotFound, and nothing of it is left.
func (s *Store) SaveAnswer(ctx context.Context, f *forms.Form, found Found, base int, a Answer) (Answer, error) {
	form, hash := f.ID, found.Hash
	if !isHex(hash) {
		return Answer{}, ErrNotFound
	}
	sub := s.SubmissionKey(form, hash)
	ok, err := s.exists(ctx, sub)
	if err != nil {
		return Answer{}, err
	}
	if !ok {
		return Answer{}, ErrNotFound
	}
	nums, _, err := s.versions(ctx, form, hash)
	if err != nil {
		return Answer{}, err
	}
	latest := 0
	if len(nums) > 0 {
		latest = nums[len(nums)-1]
	}
	a.Base, a.Version, a.At = base, base+1, s.cfg.Now()
	a.Shown, a.Decided = PublicEntryOf(f, found.Record, a), true
	body, err := json.Marshal(a)
	if err != nil {
		return Answer{}, err
	}
	created := false
	if base == latest {
		if created, err = s.create(ctx, s.answerKey(form, hash, a.Version), body, "application/json"); err != nil {
			return Answer{}, err
		}
	}
	if !created {
		latest = max(latest, a.Version)
		if err := s.keepConflict(ctx, form, hash, body); err != nil {
			return Answer{}, err
		}
		return Answer{}, &ConflictError{Latest: latest}
	}
	// A deletion that ran meanwhile may have missed this version.
	if ok, err := s.exists(ctx, sub); err == nil && !ok {
		return Answer{}, errors.Join(ErrNotFound, s.deleteAnswers(ctx, form, hash))
	}
	if err := s.dropLegacyIndex(ctx, form); err != nil {
		return a, err
	}
	return a, nil
}

// keepConflict writes a text that lost a race, write-once, under a name of
// its time and a random part.
func (s *Store) keepConflict(ctx context.Context, form, hash string, body []byte) error {
	var rnd [6]byte
	rand.Read(rnd[:])
	key := s.answerPrefix(form, hash) + "conflict-" + s.cfg.Now().UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(rnd[:]) + ".json"
	_, err := s.create(ctx, key, body, "application/json")
	return err
}

// Conflicts returns the texts kept because their save lost a race, oldest
// first: staff can read them back, nothing typed is lost.
func (s *Store) Conflicts(ctx context.Context, form, hash string) ([]Answer, error) {
	_, keys, err := s.versions(ctx, form, hash)
	if err != nil {
		return nil, err
	}
	var out []Answer
	for _, k := range keys {
		if !strings.HasPrefix(k[strings.LastIndexByte(k, '/')+1:], "conflict-") {
			continue
		}
		a, err := s.readAnswer(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ListAnswers returns the latest answer of every answered submission of
// form, by submission id (latestAnswers).
func (s *Store) ListAnswers(ctx context.Context, form string) (map[string]Answer, error) {
	latest, err := s.latestAnswers(ctx, form)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Answer, len(latest))
	for hash, a := range latest {
		out[hash[:forms.IDLength]] = a
	}
	return out, nil
}

// latestAnswers returns the latest answer version of every answered
// submission of form, by hash. It lists the form's answers (in one
// listing when they fit in a page, otherwise sixteen at once, one per
// first hex digit of the hash) and reads the
// newest version of each submission, many at a time. A version is written
// once, so what was read is kept (by key and ETag) and a later call reads
// only the versions written since: a listing costs a few list requests.
func (s *Store) latestAnswers(ctx context.Context, form string) (map[string]Answer, error) {
	prefix := s.cfg.Prefix + "answers/" + form + "/"
	type latest struct {
		n    int
		etag string
	}
	// take keeps, in m, the newest version of each answered submission
	// among a page's objects.
	take := func(m map[string]latest, page *s3.ListObjectsV2Output) {
		for _, o := range page.Contents {
			hash, name, ok := strings.Cut(strings.TrimPrefix(aws.ToString(o.Key), prefix), "/")
			if !ok || len(hash) < forms.IDLength {
				continue
			}
			if n, ok := versionOf(name); ok && n > m[hash].n {
				m[hash] = latest{n, aws.ToString(o.ETag)}
			}
		}
	}
	// Most forms have fewer answers than a page holds: one listing then
	// has them all. Only a longer one is listed in parts, the first page
	// dropped.
	first, err := s.api.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: aws.String(prefix)})
	if err != nil {
		return nil, fmt.Errorf("store: list answers of %s: %w", form, err)
	}
	var parts []map[string]latest
	if !aws.ToBool(first.IsTruncated) {
		m := map[string]latest{}
		take(m, first)
		parts = append(parts, m)
	} else {
		parts = make([]map[string]latest, len(HashDigits))
		g, gctx := errgroup.WithContext(ctx)
		for i := range HashDigits {
			g.Go(func() error {
				m := map[string]latest{}
				p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: aws.String(prefix + HashDigits[i:i+1])})
				for p.HasMorePages() {
					page, err := p.NextPage(gctx)
					if err != nil {
						return fmt.Errorf("store: list answers of %s: %w", form, err)
					}
					take(m, page)
				}
				parts[i] = m
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
	}
	out := map[string]Answer{}
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for _, m := range parts {
		for hash, l := range m {
			key := s.answerKey(form, hash, l.n)
			if a, ok := s.versionCache.get(key, l.etag); ok {
				out[hash] = a
				continue
			}
			g.Go(func() error {
				a, err := s.readAnswer(gctx, key)
				switch {
				case errors.Is(err, ErrNotFound): // deleted meanwhile
					return nil
				case err != nil:
					return err
				}
				s.versionCache.put(key, l.etag, a)
				mu.Lock()
				out[hash] = a
				mu.Unlock()
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// versionCache keeps the answer versions read, by key; an entry counts
// only with the ETag it was read with (a deleted submission sent again
// starts its versions anew under the same keys). At most maxCached.
type versionCache struct {
	mu sync.Mutex
	m  map[string]cachedAnswer
}

type cachedAnswer struct {
	etag string
	a    Answer
}

const maxCached = 50000

func (c *versionCache) get(key, etag string) (Answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.a, ok && etag != "" && e.etag == etag
}

func (c *versionCache) put(key, etag string, a Answer) {
	if etag == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCached {
		c.m = map[string]cachedAnswer{}
	}
	c.m[key] = cachedAnswer{etag, a}
}

// deleteAnswers deletes every version and conflict copy of a submission's
// answer.
func (s *Store) deleteAnswers(ctx context.Context, form, hash string) error {
	_, keys, err := s.versions(ctx, form, hash)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if _, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &k}); err != nil && Status(err) != http.StatusNotFound {
			return fmt.Errorf("store: delete %s: %w", k, err)
		}
	}
	return nil
}

// PublicEntry is one published question and its answer. It never holds a
// name, phone number or email: only what the asker agreed to publish, in
// the words staff chose to show.
type PublicEntry struct {
	ID         string    `json:"id"` // the submission's short id
	Topic      string    `json:"topic"`
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	AnsweredAt time.Time `json:"answered_at"`
}

// PublicEntryOf is what /hoi-dap/ may show of the submission rec of f and
// its answer version a, or nil when it may show nothing: the asker agreed
// to publish (the row holds the notice's version), staff marked it public,
// and it is answered. The question is staff's public wording of it when
// they wrote one (a.Question), else the asker's text.
func PublicEntryOf(f *forms.Form, rec forms.Record, a Answer) *PublicEntry {
	if !f.Published(rec) || !a.Public || a.Status != StatusAnswered || strings.TrimSpace(a.Text) == "" {
		return nil
	}
	q := a.Question
	if q == "" {
		q = rec.Values[f.Question]
	}
	e := &PublicEntry{ID: rec.ID, Question: q, Answer: a.Text, AnsweredAt: a.At}
	if tf := f.TopicField(); tf != nil {
		e.Topic = rec.Values[tf.Name]
	}
	return e
}

// PublicAnswers returns f's published answers: the entry that the latest
// answer version of each submission carries (Answer.Shown). Nothing else
// says what is public, so no crash between two writes can set the page
// apart from the answers, and deleting a submission's answers takes it
// off. A version written before versions carried their entry is read with
// its submission's row, as it was published then.
func (s *Store) PublicAnswers(ctx context.Context, f *forms.Form) ([]PublicEntry, error) {
	latest, err := s.latestAnswers(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	var (
		mu  sync.Mutex
		out []PublicEntry
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for hash, a := range latest {
		switch {
		case a.Shown != nil:
			e := *a.Shown
			e.ID, e.AnsweredAt = hash[:forms.IDLength], a.At
			out = append(out, e)
		case !a.Decided && a.Public && a.Status == StatusAnswered:
			g.Go(func() error {
				rec, err := s.Read(gctx, f, s.SubmissionKey(f.ID, hash))
				if errors.Is(err, ErrNotFound) {
					return nil
				}
				if err != nil {
					return err
				}
				if e := PublicEntryOf(f, rec, a); e != nil {
					mu.Lock()
					out = append(out, *e)
					mu.Unlock()
				}
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b PublicEntry) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// dropLegacyIndex deletes the one object that listed the published
// answers before each version carried its own entry: it is read no more,
// and it may hold the text of a question that has since been taken off or
// deleted on request. Deleting what is not there is no error.
func (s *Store) dropLegacyIndex(ctx context.Context, form string) error {
	key := s.cfg.Prefix + "answers/public/" + form + ".json" // the older layout's one index
	return s.deleteKey(ctx, key)
}
