// Package store keeps accepted submissions in S3 (aws-sdk-go-v2), one
// write-once object per submission, each a CSV header line and one row
// written by gocsv:
//
//	{prefix}submissions/{form}/{hash}.csv
//
// {prefix} is the configured prefix (may be empty), followed, for a unit
// of a province, by the unit's slug and "/": each unit's objects, all the
// kinds below, are under a prefix of its own (Config.Unit),
//
//	{prefix}phuong-bach-sam/submissions/cau-hoi/{hash}.csv
//
// and every object of a unit is written with the tag of its kind
// (loa-kind=submissions, tags.go), by which a province's bucket expires
// it.
//
// The hash is an HMAC-SHA256, under the server's receipt key, of the form
// id and the normalised fields (never the time), so a resent or
// double-clicked answer lands on the same key, and nobody without the key
// can test a guessed text against a code, an id or a key. (Submissions
// stored before there was a key are named by the plain SHA-256; Save
// finds them still, and their codes still work: see Config.ReceiptKey.) The
// object is created with If-None-Match: * and a 412 (or a 409 that turns out
// to be a concurrent write of the same key) means "already stored": success.
//
// A form with a quota (dai-bieu: places per chi đoàn) also claims a slot
//
//	{prefix}quota/{form}/{slug(group)}/{n}   n = 1..quota
//
// by conditional create; the slot's body is the submission's key. Nothing
// counts: there is no read-modify-write anywhere. See Save for the order of
// the writes and how a crash between them repairs itself.
//
// The exporter keeps two more kinds of objects here (files.go):
//
//	{prefix}snapshots/{form}.bin                      the rows the last export read (a cache)
//	{prefix}exports/{form}/{name}-{16 hex}.{csv|xlsx}  files made for staff, linked by a presigned URL
//
// Hỏi đáp (answers.go): staff answer a submission in versions, each
// written once (If-None-Match: *), the latest winning; a save that loses a
// race keeps its text beside them. Each version carries what /hoi-dap/
// shows while it is the latest (its public entry, or none): the published
// answers are the entries of the latest versions, one object per
// submission, and no object lists them.
//
//	{prefix}answers/{form}/{hash}/{NNNNNN}.json                   version N (JSON: status, answer, by, public, at, shown)
//	{prefix}answers/{form}/{hash}/conflict-{time}-{12 hex}.json   a text whose save lost, kept
//
// Staff's choices for the compiled questions (marks.go) are versions too,
// written once, the latest winning:
//
//	{prefix}marks/{form}/{hash}/{NNNNNN}.json   JSON: out (left out), into (merged into that id)
//
// The files sent with a submission (uploads.go: a nomination's photo or
// document), each created once, before the row that names it, and deleted
// with it:
//
//	{prefix}uploads/{form}/{hash}/{field}.{ext}   the file, cleaned (package upload)
//
// Check-ins at the dialogue (checkins.go), one object per person, created
// once:
//
//	{prefix}checkins/{code}.json   JSON: code, form and id, or a walk-in's name and chi đoàn; at
//
// The guests staff invite by name and role (guests.go), one object each,
// created once, removed by deletion (never once they have checked in):
//
//	{prefix}guests/{id}.json   JSON: id (a keyed hash of name, role, unit), name, role, unit, at, by
//
// Staff accounts (accounts.go), one object each, created once, removed by
// deletion; and the audit log (audit.go), one object per staff action,
// created once and never changed or removed by the function:
//
//	{prefix}accounts/{id}.json                                    JSON: id, name, role, hash of the secret
//	{prefix}audit/{time}_{8 hex}_{action}_{account}.json          JSON: who, what, when, id, client
//
// The daily digest (digest.go): each account's wish (an address, yes or
// no), overwritten when it changes and removed with the account; and one
// object per digest sent, created once, so that none is sent twice:
//
//	{prefix}digest/accounts/{id}.json                             JSON: account, email, on, at, by
//	{prefix}digest/sent/{YYYY-MM-DD}/{id}                          the instant it was sent
//
// The province itself keeps its own accounts and audit log beside its
// units, under a prefix no unit's slug can be (province.go):
//
//	{prefix}_tinh/accounts/{id}.json   the province's accounts (RoleProvince)
//	{prefix}_tinh/audit/…              what they read
//
// A unit of a province keeps the content its forms are read from
// (content.go), written by publish:
//
//	{prefix}content.zip   site.yaml, bieu-mau/ and data/, zipped
//
// (An older layout kept one index, {prefix}answers/public/{form}.json; it
// is read no more, and deleted by the next save or deletion.)
//
// A receipt code (forms.ReceiptCode) carries the first 10 hex digits of
// a submission's hash; FindByCode lists the keys that start with them.
// Deleting a submission deletes its answers and its published entry too.
//
// This comment is the one place that lists the layout: no other package
// builds a key or calls S3 on the bucket. Callers ask in their own terms (a
// form's submissions, its snapshot, an export file); a submission's key,
// which ListKeysFrom returns and Read takes, is an opaque name to them, one
// that sorts as the listing does.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"loa/functions/forms"
	"loa/functions/vntext"
)

// API is the part of *s3.Client the store uses.
type API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Config says where submissions go.
type Config struct {
	Bucket string
	Prefix string // prepended to every key, e.g. "loa/"; may be empty
	// Unit is the unit of a province whose data this store keeps (its
	// slug, e.g. "phuong-bach-sam"), or ProvinceLevel for the province's
	// own accounts; empty for a single ward. A unit's
	// every key is under Prefix + Unit + "/", so that no listing, read or
	// deletion of one unit's store ever reaches another's objects.
	Unit string
	// Grace is how old a quota slot must be before a slot whose submission
	// does not exist is taken over. It must be longer than any request can
	// live (the handler bounds requests well below it). Default 15 minutes.
	Grace time.Duration
	Now   func() time.Time // default time.Now
	// Presign signs the download links of exports (PutExport). Default: a
	// presign client of the api given to New, when it is an *s3.Client.
	Presign Presigner
	// ReceiptKey keys the hashes that name submissions (and so their
	// ids and receipt codes): forms.Submission.KeyedHash. nil: the plain
	// SHA-256 of the content, as before there was a key.
	ReceiptKey []byte
}

// Store saves and reads submissions.
type Store struct {
	api API
	cfg Config

	versionCache versionCache // answer versions read (answers.go)
}

// New returns a store writing to cfg.Bucket through api.
func New(api API, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("store: no bucket configured")
	}
	if cfg.Prefix != "" && !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.Unit != "" {
		if cfg.Unit != vntext.Slug(cfg.Unit) && cfg.Unit != ProvinceLevel {
			return nil, fmt.Errorf("store: unit %q is not a slug (want lower-case letters, digits and dashes, e.g. phuong-bach-sam)", cfg.Unit)
		}
		cfg.Prefix += cfg.Unit + "/"
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if c, ok := api.(*s3.Client); ok && cfg.Presign == nil {
		cfg.Presign = s3.NewPresignClient(c)
	}
	if cfg.Unit != "" {
		// A unit's objects carry the tag their retention is read from
		// (tags.go).
		api = taggingAPI{API: api, prefix: cfg.Prefix}
	}
	return &Store{api: api, cfg: cfg}, nil
}

// Receipt tells what Save did.
type Receipt struct {
	Key       string // object key of the submission
	ID        string // short submission id
	Hash      string // the whole hash: its start makes the receipt code
	Duplicate bool   // it was already stored: nothing was written
	Slot      int    // quota slot held, 0 without quota
	// Body is the object as written, nil when nothing was (a duplicate):
	// a process that keeps the rows it saved (the exporter's, see
	// export.Refresher) reads them with Decode instead of reading them
	// back from S3.
	Body []byte
}

// QuotaError says a group (a chi đoàn) has no place left.
type QuotaError struct {
	Group string
	Quota int
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("store: %q has all %d places taken", e.Group, e.Quota)
}

// Message is the Vietnamese answer for people.
func (e *QuotaError) Message() string {
	return fmt.Sprintf("%s đã đăng ký đủ %d đại biểu. Nếu cần thay đổi, liên hệ Đoàn phường.", e.Group, e.Quota)
}

// SubmissionKey is the object key of a submission of form with the given hash.
func (s *Store) SubmissionKey(form, hash string) string {
	return s.cfg.Prefix + "submissions/" + form + "/" + hash + ".csv"
}

func (s *Store) submissionPrefix(form string) string {
	return s.cfg.Prefix + "submissions/" + form + "/"
}

func (s *Store) slotPrefix(form, group string) string {
	return s.cfg.Prefix + "quota/" + form + "/" + vntext.Slug(group) + "/"
}

// Save stores sub once and returns only after the object exists.
//
// Order of the writes for a form with a quota, and why:
//
//  1. If the submission's key already exists, it is a resend: success.
//  2. Claim slots 1..N in order by conditional create (body: our key). On
//     412 read the slot: if it holds our key, reuse it. That makes a retry
//     and two concurrent double clicks converge on one slot.
//  3. Write the submission (conditional create; 412 means already stored).
//
// The slot is written before the row so that a row never exists without a
// place: the quota can never be exceeded. A crash between 2 and 3 leaves a
// slot that points at nothing. A retry of the same answer repairs itself
// (same key, so step 2 finds the slot holding it and step 3 writes the row).
// If nobody retries, the orphan would block a place: when all slots are
// taken, a slot older than Grace whose submission does not exist is taken
// over by a conditional put (If-Match on the slot's ETag, so that two
// repairers cannot both win it). Grace is far longer than a request may
// live, so the slot's first owner is certainly gone and can never write its
// row after losing the slot.
func (s *Store) Save(ctx context.Context, sub *forms.Submission) (Receipt, error) {
	f := sub.Form
	hash := sub.KeyedHash(s.cfg.ReceiptKey)
	key := s.SubmissionKey(f.ID, hash)
	rc := Receipt{Key: key, ID: hash[:forms.IDLength], Hash: hash}
	if s.cfg.ReceiptKey != nil {
		// Stored before there was a key, under its plain hash: a resend
		// is that submission, and gets its code again.
		old := sub.Hash()
		exists, err := s.exists(ctx, s.SubmissionKey(f.ID, old))
		if err != nil {
			return rc, err
		}
		if exists {
			return Receipt{Key: s.SubmissionKey(f.ID, old), ID: old[:forms.IDLength], Hash: old, Duplicate: true}, nil
		}
	}
	rec := sub.Record(s.cfg.Now())
	rec.ID = rc.ID
	body, err := f.MarshalCSV(rec)
	if err != nil {
		return rc, err
	}
	if f.Quota > 0 && sub.Group() != "" {
		exists, err := s.exists(ctx, key)
		if err != nil {
			return rc, err
		}
		if exists {
			rc.Duplicate = true
			return rc, nil
		}
		if rc.Slot, err = s.claim(ctx, f, sub.Group(), key); err != nil {
			return rc, err
		}
	}
	// The files first: a row never names a file that is not there.
	if err := s.saveFiles(ctx, sub, hash); err != nil {
		return rc, s.dropFiles(ctx, sub, key, hash, err)
	}
	created, err := s.create(ctx, key, body, "text/csv; charset=utf-8")
	if err != nil {
		return rc, s.dropFiles(ctx, sub, key, hash, err)
	}
	rc.Duplicate = !created
	if created {
		rc.Body = body
	}
	return rc, nil
}

// create writes key only if it does not exist. It reports false when the
// key was already there. A 409 from S3 means another write of the same key
// is in flight: it is only "already stored" once the object can be seen.
func (s *Store) create(ctx context.Context, key string, body []byte, contentType string) (bool, error) {
	for attempt := 0; ; attempt++ {
		_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
			Bucket:               &s.cfg.Bucket,
			Key:                  &key,
			Body:                 bytes.NewReader(body), // seekable: the SDK (and gofakes3) need it
			ContentLength:        aws.Int64(int64(len(body))),
			ContentType:          &contentType,
			IfNoneMatch:          aws.String("*"),
			ServerSideEncryption: types.ServerSideEncryptionAes256,
		})
		switch Status(err) {
		case 0:
			return true, nil
		case http.StatusPreconditionFailed:
			return false, nil
		case http.StatusConflict:
			exists, herr := s.exists(ctx, key)
			if herr != nil {
				return false, herr
			}
			if exists {
				return false, nil
			}
			if attempt >= 5 {
				return false, fmt.Errorf("store: %s: conflicting writes did not settle: %w", key, err)
			}
			if err := sleep(ctx, time.Duration(attempt+1)*20*time.Millisecond); err != nil {
				return false, err
			}
		default:
			return false, fmt.Errorf("store: put %s: %w", key, err)
		}
	}
}

// claim returns the number of the slot that holds key.
func (s *Store) claim(ctx context.Context, f *forms.Form, group, key string) (int, error) {
	prefix := s.slotPrefix(f.ID, group)
	type taken struct {
		key, holder, etag string
		modified          time.Time
	}
	for round := 0; round < 3; round++ {
		var all []taken
		for n := 1; n <= f.Quota; n++ {
			sk := prefix + strconv.Itoa(n)
			holder, etag, modified, won, err := s.tryClaim(ctx, sk, key)
			if err != nil {
				return 0, err
			}
			if won || holder == key {
				return n, nil
			}
			all = append(all, taken{sk, holder, etag, modified})
		}
		// Every slot is taken. Take over one whose owner died before writing its row.
		repaired := false
		for i, t := range all {
			if s.cfg.Now().Sub(t.modified) < s.cfg.Grace {
				continue
			}
			if t.holder != "" {
				exists, err := s.exists(ctx, t.holder)
				if err != nil {
					return 0, err
				}
				if exists {
					continue
				}
			}
			ok, err := s.takeOver(ctx, t.key, t.etag, key)
			if err != nil {
				return 0, err
			}
			if ok {
				return i + 1, nil
			}
			repaired = true // someone else moved it; look again
		}
		if !repaired {
			break
		}
	}
	return 0, &QuotaError{Group: group, Quota: f.Quota}
}

// tryClaim creates slot sk holding key. When the slot exists it returns who
// holds it. A slot that vanishes between the two calls is tried again.
func (s *Store) tryClaim(ctx context.Context, sk, key string) (holder, etag string, modified time.Time, won bool, err error) {
	for attempt := 0; attempt < 5; attempt++ {
		created, err := s.createSlot(ctx, sk, key)
		if err != nil {
			return "", "", time.Time{}, false, err
		}
		if created {
			return key, "", time.Time{}, true, nil
		}
		holder, etag, modified, found, err := s.readSmall(ctx, sk)
		if err != nil {
			return "", "", time.Time{}, false, err
		}
		if found {
			return holder, etag, modified, false, nil
		}
	}
	return "", "", time.Time{}, false, fmt.Errorf("store: slot %s keeps changing", sk)
}

// createSlot is create for a slot, except that a 409 (a concurrent claim in
// flight) counts as taken: the caller then reads who won.
func (s *Store) createSlot(ctx context.Context, sk, key string) (bool, error) {
	err := s.putSlot(ctx, sk, key, func(in *s3.PutObjectInput) { in.IfNoneMatch = aws.String("*") })
	switch Status(err) {
	case 0:
		return true, nil
	case http.StatusPreconditionFailed, http.StatusConflict:
		return false, nil
	}
	return false, fmt.Errorf("store: claim %s: %w", sk, err)
}

// takeOver replaces an orphan slot only if it still has the ETag we read.
func (s *Store) takeOver(ctx context.Context, sk, etag, key string) (bool, error) {
	err := s.putSlot(ctx, sk, key, func(in *s3.PutObjectInput) { in.IfMatch = &etag })
	switch Status(err) {
	case 0:
		return true, nil
	case http.StatusPreconditionFailed, http.StatusConflict, http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("store: take over %s: %w", sk, err)
}

// putSlot writes slot sk naming the submission key, on the condition cond sets.
func (s *Store) putSlot(ctx context.Context, sk, key string, cond func(*s3.PutObjectInput)) error {
	in := &s3.PutObjectInput{
		Bucket:               &s.cfg.Bucket,
		Key:                  &sk,
		Body:                 strings.NewReader(key),
		ContentLength:        aws.Int64(int64(len(key))),
		ContentType:          aws.String("text/plain; charset=utf-8"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}
	cond(in)
	_, err := s.api.PutObject(ctx, in)
	return err
}

func (s *Store) exists(ctx context.Context, key string) (bool, error) {
	_, err := s.api.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
	switch Status(err) {
	case 0:
		return true, nil
	case http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("store: head %s: %w", key, err)
}

// readSmall reads a small object whole.
func (s *Store) readSmall(ctx context.Context, key string) (body, etag string, modified time.Time, found bool, err error) {
	b, etag, modified, found, err := s.readSmallBytes(ctx, key)
	return string(b), etag, modified, found, err
}

// readSmallBytes is readSmall, the body as the bytes read. Into a buffer
// of the size the answer declares, when it declares one: a submission is
// read in one piece, not grown from 512 bytes.
func (s *Store) readSmallBytes(ctx context.Context, key string) (body []byte, etag string, modified time.Time, found bool, err error) {
	out, err := s.api.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
	if Status(err) == http.StatusNotFound {
		return nil, "", time.Time{}, false, nil
	}
	if err != nil {
		return nil, "", time.Time{}, false, fmt.Errorf("store: get %s: %w", key, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 && n <= maxObject {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom needs MinRead spare to see the end
	}
	if _, err := buf.ReadFrom(io.LimitReader(out.Body, maxObject+1)); err != nil {
		return nil, "", time.Time{}, false, fmt.Errorf("store: get %s: %w", key, err)
	}
	if buf.Len() > maxObject {
		// Never a truncated read that a parser then fails on far away.
		return nil, "", time.Time{}, false, fmt.Errorf("store: %s is larger than %d bytes, the most an object of this kind may be", key, maxObject)
	}
	return buf.Bytes(), aws.ToString(out.ETag), aws.ToTime(out.LastModified), true, nil
}

// Status is the HTTP status of an S3 error, 0 for nil, -1 when there was no
// answer (network, context).
func Status(err error) int {
	if err == nil {
		return 0
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		// A request that never got an answer is a ResponseError with status 0.
		return re.HTTPStatusCode()
	}
	var ae interface{ ErrorCode() string } // smithy.APIError's code
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NotFound", "NoSuchKey":
			return http.StatusNotFound
		case "PreconditionFailed":
			return http.StatusPreconditionFailed
		case "ConditionalRequestConflict":
			return http.StatusConflict
		}
	}
	return -1
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

// deleteKey deletes the object at key; deleting none is no error.
func (s *Store) deleteKey(ctx context.Context, key string) error {
	_, err := s.api.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: &key})
	if err != nil && Status(err) != http.StatusNotFound {
		return fmt.Errorf("store: delete %s: %w", key, err)
	}
	return nil
}

// removeRecord deletes the record at key: ErrNotFound when there is none,
// else first's error when it refuses or fails (nil for no check).
func (s *Store) removeRecord(ctx context.Context, key string, first func() error) error {
	ok, err := s.exists(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	if first != nil {
		if err := first(); err != nil {
			return err
		}
	}
	return s.deleteKey(ctx, key)
}

// keysUnder lists every key under prefix, in key order: the one listing of
// the bucket that the readers of a prefix share.
func (s *Store) keysUnder(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	p := s3.NewListObjectsV2Paginator(s.api, &s3.ListObjectsV2Input{Bucket: &s.cfg.Bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

// readAll reads every record under prefix, leaving out those removed
// since the listing (whose id is "").
func readAll[T any](ctx context.Context, s *Store, prefix string, id func(T) string) ([]T, error) {
	keys, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return nil, err
	}
	got, err := readJSONs[T](ctx, s, keys)
	if err != nil {
		return nil, err
	}
	out := got[:0]
	for _, x := range got {
		if id(x) != "" {
			out = append(out, x)
		}
	}
	return out, nil
}

// readJSONs reads the small JSON objects at keys, a few at once, each into
// its place of the result; one gone since it was listed stays zero.
func readJSONs[T any](ctx context.Context, s *Store, keys []string) ([]T, error) {
	out := make([]T, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, key := range keys {
		g.Go(func() error {
			body, _, _, found, err := s.readSmall(gctx, key)
			if err != nil || !found {
				return err
			}
			if err := json.Unmarshal([]byte(body), &out[i]); err != nil {
				return fmt.Errorf("store: %s: %w", key, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
