package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"loa/functions/forms"
)

// The daily digest's state: each account's wish (an address and yes or
// no), one object per account, overwritten when it changes and removed
// with the account; and one object per digest sent, created once after
// the mail server took it, so that a second run of the same day (a
// restart, a retried schedule) sends nothing twice:
//
//	{prefix}digest/accounts/{id}.json        JSON: DigestSetting
//	{prefix}digest/sent/{YYYY-MM-DD}/{id}    the instant it was sent
//	{prefix}digest/sent/{YYYY-MM-DD}/{id}.claim  until when a run is sending it
//
// A run claims an account's digest before sending it, so that two runs at
// once (a schedule's event delivered twice) do not both send it. A claim
// is created once (If-None-Match: *) and given up, or taken over once it
// has lapsed, only by a conditional overwrite (If-Match), so that of two
// runs only one ever holds it.
//
// A setting is a preference, not a record: the last save wins, and the
// bucket's versioning keeps the one before for a few days.

// DigestSetting is one account's wish for the daily digest.
type DigestSetting struct {
	Account string    `json:"account"`
	Email   string    `json:"email"`
	On      bool      `json:"on"`
	At      time.Time `json:"at"`
	By      string    `json:"by"` // the account that saved it
}

// ErrBadEmail is SaveDigestSetting's answer for an address that is not
// one plain address.
var ErrBadEmail = errors.New("store: digest: not one plain email address")

// CleanEmail returns the address in s, cleaned as a form's field is
// (forms.CleanLine: no control or invisible characters, such as a
// zero-width space or a right-to-left override, which would make the
// address shown differ from the one mailed), trimmed and lower-cased
// after the @, or ErrBadEmail: one plain address (no name, no list), at
// most 254 bytes. "" is allowed: no address.
func CleanEmail(s string) (string, error) {
	s = forms.CleanLine(s)
	if s == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 || strings.ContainsAny(s, " \t\r\n,;<>\"") {
		return "", ErrBadEmail
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		if domain != "localhost" {
			return "", ErrBadEmail
		}
	}
	return local + "@" + strings.ToLower(domain), nil
}

func (s *Store) digestSettingKey(id string) string {
	return s.cfg.Prefix + "digest/accounts/" + id + ".json"
}

func (s *Store) digestSentKey(day, id string) string {
	return s.cfg.Prefix + "digest/sent/" + day + "/" + id
}

// SaveDigestSetting stores d for its account, its time set now. The
// account must exist; its address must be empty or one plain address,
// and an empty one cannot be on.
func (s *Store) SaveDigestSetting(ctx context.Context, d DigestSetting) (DigestSetting, error) {
	email, err := CleanEmail(d.Email)
	if err != nil {
		return DigestSetting{}, err
	}
	if email == "" && d.On {
		return DigestSetting{}, ErrBadEmail
	}
	if _, _, err := s.GetAccount(ctx, d.Account); err != nil {
		return DigestSetting{}, err
	}
	d.Email, d.At = email, s.cfg.Now().Round(0)
	body, err := json.Marshal(d)
	if err != nil {
		return DigestSetting{}, err
	}
	key := s.digestSettingKey(d.Account)
	if _, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.cfg.Bucket, Key: &key, Body: strings.NewReader(string(body)),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("application/json"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	}); err != nil {
		return DigestSetting{}, fmt.Errorf("store: put %s: %w", key, err)
	}
	return d, nil
}

// DigestSetting reads the account id's wish; one never saved is off,
// with no address.
func (s *Store) DigestSetting(ctx context.Context, id string) (DigestSetting, error) {
	if !ValidAccountID(id) {
		return DigestSetting{}, ErrNotFound
	}
	body, _, _, found, err := s.readSmall(ctx, s.digestSettingKey(id))
	if err != nil || !found {
		return DigestSetting{Account: id}, err
	}
	var d DigestSetting
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return DigestSetting{}, fmt.Errorf("store: digest setting of %s: %w", id, err)
	}
	d.Account = id
	return d, nil
}

// DigestSettings reads every saved wish, by account id, of the accounts
// that exist: a setting left behind by a removed account is ignored.
func (s *Store) DigestSettings(ctx context.Context) ([]DigestSetting, error) {
	accounts, err := s.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	prefix := s.cfg.Prefix + "digest/accounts/"
	keys, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return nil, err
	}
	exists := map[string]bool{}
	for _, a := range accounts {
		exists[a.ID] = true
	}
	var want []string
	for _, k := range keys {
		if exists[strings.TrimSuffix(strings.TrimPrefix(k, prefix), ".json")] {
			want = append(want, k)
		}
	}
	list, err := readJSONs[DigestSetting](ctx, s, want)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for i, d := range list {
		if d.Account = strings.TrimSuffix(strings.TrimPrefix(want[i], prefix), ".json"); exists[d.Account] {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b DigestSetting) int { return strings.Compare(a.Account, b.Account) })
	return out, nil
}

// deleteDigestSetting removes the account id's wish, with the account.
func (s *Store) deleteDigestSetting(ctx context.Context, id string) error {
	key := s.digestSettingKey(id)
	return s.deleteKey(ctx, key)
}

// DigestSent reports whether the digest of day (YYYY-MM-DD, Vietnam
// time) was sent to the account id.
func (s *Store) DigestSent(ctx context.Context, day, id string) (bool, error) {
	if !ValidAccountID(id) || !validDay(day) {
		return false, errors.New("store: digest: bad day or account")
	}
	return s.exists(ctx, s.digestSentKey(day, id))
}

// MarkDigestSent records that the digest of day reached the mail server
// for the account id; marking it twice is no error.
func (s *Store) MarkDigestSent(ctx context.Context, day, id string) error {
	if !ValidAccountID(id) || !validDay(day) {
		return errors.New("store: digest: bad day or account")
	}
	_, err := s.create(ctx, s.digestSentKey(day, id), []byte(s.cfg.Now().UTC().Format(time.RFC3339)), "text/plain; charset=utf-8")
	return err
}

func (s *Store) digestClaimKey(day, id string) string {
	return s.digestSentKey(day, id) + ".claim"
}

// ClaimDigest claims the sending of day's digest to the account id until
// the instant until. It reports false while another run's claim holds
// (its until is after now); a claim that has lapsed (its run died before
// it could give it up) is taken over. A run that sends must check
// DigestSent after claiming: the claim of a run that finished lapses too.
func (s *Store) ClaimDigest(ctx context.Context, day, id string, now, until time.Time) (bool, error) {
	if !ValidAccountID(id) || !validDay(day) {
		return false, errors.New("store: digest: bad day or account")
	}
	key := s.digestClaimKey(day, id)
	body := []byte(until.UTC().Format(time.RFC3339Nano))
	created, err := s.create(ctx, key, body, "text/plain; charset=utf-8")
	if err != nil || created {
		return created, err
	}
	held, etag, _, found, err := s.readSmall(ctx, key)
	if err != nil || !found {
		return false, err // given up meanwhile: another run is at it
	}
	if t, err := time.Parse(time.RFC3339Nano, held); err == nil && t.After(now) {
		return false, nil
	}
	return s.putIfMatch(ctx, key, etag, body)
}

// ReleaseDigest gives up this run's claim on day's digest to the account
// id after a failed send, so that the next run may try at once; a claim
// that another run has taken over since is left alone.
func (s *Store) ReleaseDigest(ctx context.Context, day, id string, until time.Time) error {
	if !ValidAccountID(id) || !validDay(day) {
		return errors.New("store: digest: bad day or account")
	}
	key := s.digestClaimKey(day, id)
	held, etag, _, found, err := s.readSmall(ctx, key)
	if err != nil || !found || held != until.UTC().Format(time.RFC3339Nano) {
		return err
	}
	_, err = s.putIfMatch(ctx, key, etag, []byte(time.Time{}.Format(time.RFC3339Nano)))
	return err
}

// putIfMatch overwrites key with body if it still has etag; it reports
// false when it has not.
func (s *Store) putIfMatch(ctx context.Context, key, etag string, body []byte) (bool, error) {
	_, err := s.api.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.cfg.Bucket, Key: &key, Body: bytes.NewReader(body), IfMatch: &etag,
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String("text/plain; charset=utf-8"),
		ServerSideEncryption: types.ServerSideEncryptionAes256,
	})
	switch Status(err) {
	case 0:
		return true, nil
	case http.StatusPreconditionFailed, http.StatusConflict, http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("store: put %s: %w", key, err)
}

func validDay(day string) bool {
	_, err := time.Parse("2006-01-02", day)
	return err == nil
}
