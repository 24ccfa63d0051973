package store

import (
	"bytes"
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
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

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
	By      string    `json:"by"` // the answerer's name, as staff typed it
	Public  bool      `json:"public"`
	At      time.Time `json:"at"`
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

func (s *Store) publicKey(form string) string {
	return s.cfg.Prefix + "answers/public/" + form + ".json"
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
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: &prefix})
	var nums []int
	var keys []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("store: list answers: %w", err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			keys = append(keys, k)
			if n, ok := versionOf(strings.TrimPrefix(k, prefix)); ok {
				nums = append(nums, n)
			}
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
// submission of form with the given hash, and returns it as stored (its
// version and time set). Versions are written once (If-None-Match: *):
// when base is not the latest version, or another save wrote base+1
// first, a is kept as a conflict copy beside the versions and the answer
// is a *ConflictError. A submission that does not exist (or is deleted
// while its answer is saved) is ErrNotFound, and nothing of it is left.
func (s *Store) SaveAnswer(ctx context.Context, form, hash string, base int, a Answer) (Answer, error) {
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
// form, by submission id. It lists the form's answers once and reads one
// object per answered submission, a few at a time.
func (s *Store) ListAnswers(ctx context.Context, form string) (map[string]Answer, error) {
	prefix := s.cfg.Prefix + "answers/" + form + "/"
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: &prefix})
	latest := map[string]int{} // hash → version
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: list answers of %s: %w", form, err)
		}
		for _, o := range page.Contents {
			hash, name, ok := strings.Cut(strings.TrimPrefix(aws.ToString(o.Key), prefix), "/")
			if !ok || len(hash) < forms.IDLength {
				continue
			}
			if n, ok := versionOf(name); ok && n > latest[hash] {
				latest[hash] = n
			}
		}
	}
	out := make(map[string]Answer, len(latest))
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	slots := make(chan struct{}, 8)
	for hash, n := range latest {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			a, err := s.readAnswer(ctx, s.answerKey(form, hash, n))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrNotFound): // deleted meanwhile
			case err != nil:
				if firstErr == nil {
					firstErr = err
				}
			default:
				out[hash[:forms.IDLength]] = a
			}
		})
	}
	wg.Wait()
	return out, firstErr
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
// name, phone number or email: only what the asker agreed to publish.
type PublicEntry struct {
	ID         string    `json:"id"` // the submission's short id
	Topic      string    `json:"topic"`
	Question   string    `json:"question"`
	Answer     string    `json:"answer"`
	AnsweredAt time.Time `json:"answered_at"`
}

// PublicAnswers returns form's published answers as the index holds them.
func (s *Store) PublicAnswers(ctx context.Context, form string) ([]PublicEntry, error) {
	list, _, err := s.readPublic(ctx, form)
	return list, err
}

func (s *Store) readPublic(ctx context.Context, form string) ([]PublicEntry, string, error) {
	key := s.publicKey(form)
	body, etag, _, found, err := s.readSmall(ctx, key)
	if err != nil || !found {
		return nil, "", err
	}
	var list []PublicEntry
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		return nil, "", fmt.Errorf("store: %s: %w", key, err)
	}
	return list, etag, nil
}

// SetPublic puts e in form's index of published answers in place of the
// entry with the given id, or takes that entry out when e is nil. The
// index is one small object rewritten on the condition that nobody
// rewrote it since it was read (If-Match on its ETag; If-None-Match: *
// for the first), tried again when somebody did: no update is lost.
func (s *Store) SetPublic(ctx context.Context, form, id string, e *PublicEntry) error {
	key := s.publicKey(form)
	for attempt := 0; attempt < 8; attempt++ {
		list, etag, err := s.readPublic(ctx, form)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(p PublicEntry) bool { return p.ID == id })
		switch {
		case e == nil && i < 0:
			return nil
		case e == nil:
			list = slices.Delete(list, i, i+1)
		case i >= 0 && list[i] == *e:
			return nil
		case i >= 0:
			list[i] = *e
		default:
			list = append(list, *e)
		}
		if list == nil {
			list = []PublicEntry{}
		}
		body, err := json.Marshal(list)
		if err != nil {
			return err
		}
		in := &s3.PutObjectInput{
			Bucket: &s.cfg.Bucket, Key: &key, Body: bytes.NewReader(body),
			ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
			ServerSideEncryption: types.ServerSideEncryptionAes256,
		}
		if etag == "" {
			in.IfNoneMatch = aws.String("*")
		} else {
			in.IfMatch = &etag
		}
		_, err = s.api.PutObject(ctx, in)
		switch Status(err) {
		case 0:
			return nil
		case http.StatusPreconditionFailed, http.StatusConflict, http.StatusNotFound:
			if err := sleep(ctx, time.Duration(attempt+1)*15*time.Millisecond); err != nil {
				return err
			}
		default:
			return fmt.Errorf("store: put %s: %w", key, err)
		}
	}
	return fmt.Errorf("store: %s keeps changing", key)
}
