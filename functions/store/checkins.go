package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"loa/functions/forms"
)

// Check-in at the dialogue: each person who comes is one object, created
// once (If-None-Match: *), named by their check-in code. Two phones at two
// doors that scan one invitation at once write one object between them;
// the second is told when the first was recorded. Nothing counts: the
// attendance is the listing.
//
//	{prefix}checkins/{code}.json   JSON: code, form, id (a delegate) or name, group (a walk-in), at

// CheckinPrefix starts every check-in code: MV for "mời".
const CheckinPrefix = "MV"

// CheckinCode is the check-in code printed on the invitation of the
// submission id of form: the start of an HMAC, under the receipt key, of
// the form and the id, written like a receipt code (MV-7K3M-9Q2P). It is
// derived, never stored, and cannot be told from the receipt code or the
// id without the key.
func (s *Store) CheckinCode(form, id string) string {
	m := hmac.New(sha256.New, s.cfg.ReceiptKey)
	m.Write([]byte("checkin\x00" + form + "\x00" + id))
	sum := m.Sum(nil)
	bits := binary.BigEndian.Uint64(sum[:8]) >> 24 // 40 bits
	return forms.FormatCode(CheckinPrefix, bits)
}

// Checkin is one person checked in.
type Checkin struct {
	Code  string    `json:"code"`
	Form  string    `json:"form,omitempty"` // a registered delegate's form and id
	ID    string    `json:"id,omitempty"`
	Name  string    `json:"name,omitempty"` // a walk-in's name and chi đoàn
	Group string    `json:"group,omitempty"`
	At    time.Time `json:"at"`
	// Try is the sending page's random id of this check-in: a resend
	// after a lost answer carries the same, and is told it was first.
	Try string `json:"try,omitempty"`
}

func (s *Store) checkinKey(code string) string {
	return s.cfg.Prefix + "checkins/" + code + ".json"
}

// CheckIn records c (its time set now) unless its code is checked in
// already; it returns the check-in that holds the code and whether it is
// this one. Resending it after a lost answer is safe: the second write
// finds the first.
func (s *Store) CheckIn(ctx context.Context, c Checkin) (Checkin, bool, error) {
	code := forms.NormalizeCode(c.Code)
	if len(code) < 4 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != "" {
		return Checkin{}, false, errors.New("store: check-in: bad code")
	}
	c.At = s.cfg.Now().Round(0) // as it reads back from JSON
	body, err := json.Marshal(c)
	if err != nil {
		return Checkin{}, false, err
	}
	key := s.checkinKey(code)
	created, err := s.create(ctx, key, body, "application/json")
	if err != nil || created {
		return c, created, err
	}
	first, _, _, found, err := s.readSmall(ctx, key)
	if err != nil {
		return Checkin{}, false, err
	}
	if !found {
		return Checkin{}, false, fmt.Errorf("store: %s: exists and cannot be read", key)
	}
	var had Checkin
	if err := json.Unmarshal([]byte(first), &had); err != nil {
		return Checkin{}, false, fmt.Errorf("store: %s: %w", key, err)
	}
	return had, c.Try != "" && had.Try == c.Try, nil
}

// Checkins returns everyone checked in, by code.
func (s *Store) Checkins(ctx context.Context) (map[string]Checkin, error) {
	got, err := readAll(ctx, s, s.cfg.Prefix+"checkins/", func(c Checkin) string { return c.Code })
	if err != nil {
		return nil, err
	}
	out := make(map[string]Checkin, len(got))
	for _, c := range got {
		out[forms.NormalizeCode(c.Code)] = c
	}
	return out, nil
}
