package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
)

// The audit log: every staff action is one object, created once
// (If-None-Match: *) before the action is answered, and never changed or
// removed by the function (its role may only add under this prefix; the
// bucket's lifecycle expires records after the template's period). The
// key names when, what and who, so that a page of the log filtered by
// person and action is a listing, and only its records are read:
//
//	{prefix}audit/{UTC time, ns}_{8 hex}_{action}_{account}.json   JSON: AuditRecord
//
// A record says who, what, when, the submission's id and the client's
// address; never a value of a submission.

// AuditRecord is one staff action.
type AuditRecord struct {
	At      time.Time `json:"at"`
	Who     string    `json:"who"`  // the account's id
	Name    string    `json:"name"` // the account's name then
	Role    string    `json:"role"`
	Action  string    `json:"action"`
	Form    string    `json:"form,omitempty"`
	ID      string    `json:"id,omitempty"` // the submission's id (a keyed hash), or the account acted on
	Client  string    `json:"client,omitempty"`
	Status  int       `json:"status"`
	Outcome string    `json:"outcome,omitempty"`
}

const auditTime = "20060102T150405.000000000Z"

func (s *Store) auditPrefix() string { return s.cfg.Prefix + "audit/" }

// auditName keeps a key's part free of the separator.
func auditName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
	if s == "" {
		return "-"
	}
	return s
}

// Audit writes rec, its time set now, as a new record. It returns only
// once the record is stored.
func (s *Store) Audit(ctx context.Context, rec AuditRecord) (AuditRecord, error) {
	rec.At = s.cfg.Now().UTC().Round(0)
	body, err := json.Marshal(rec)
	if err != nil {
		return rec, err
	}
	for range 3 {
		var b [4]byte
		rand.Read(b[:])
		key := s.auditPrefix() + rec.At.Format(auditTime) + "_" + hex.EncodeToString(b[:]) + "_" +
			auditName(rec.Action) + "_" + auditName(rec.Who) + ".json"
		created, err := s.create(ctx, key, body, "application/json")
		if err != nil {
			return rec, err
		}
		if created {
			return rec, nil
		}
	}
	return rec, errors.New("store: audit: no free key")
}

// AuditFilter picks records by account and action; empty matches all.
type AuditFilter struct{ Who, Action string }

func (f AuditFilter) match(key string) bool {
	parts := strings.Split(strings.TrimSuffix(key, ".json"), "_")
	if len(parts) != 4 {
		return false
	}
	return (f.Who == "" || parts[3] == auditName(f.Who)) && (f.Action == "" || parts[2] == auditName(f.Action))
}

// auditKeys lists the records that f matches, newest first.
func (s *Store) auditKeys(ctx context.Context, f AuditFilter) ([]string, error) {
	prefix := s.auditPrefix()
	all, err := s.keysUnder(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, k := range all {
		if f.match(strings.TrimPrefix(k, prefix)) {
			keys = append(keys, k)
		}
	}
	slices.Reverse(keys)
	return keys, nil
}

// AuditLog returns the records f matches, newest first, from the offset-th
// on, at most limit of them (limit <= 0: all), and how many f matches.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter, offset, limit int) ([]AuditRecord, int, error) {
	keys, err := s.auditKeys(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	total := len(keys)
	keys = keys[min(max(offset, 0), total):]
	if limit > 0 {
		keys = keys[:min(limit, len(keys))]
	}
	out, err := readJSONs[AuditRecord](ctx, s, keys)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
