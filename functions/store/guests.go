package store

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"loa/functions/forms"
	"loa/functions/vntext"
)

// Guests of the dialogue: the people staff invite by name and role (the
// delegates register themselves through their form). One object per
// guest, created once (If-None-Match: *) and removed by deletion. Its id
// is a keyed hash of the guest's name, role and unit as typed (cleaned as
// a form's field is, case aside), so that the same guest added twice, by
// a double click or by two staff, is one guest with one check-in code, and
// a guest removed and added again gets back the code already printed.
//
//	{prefix}guests/{id}.json   JSON: id, name, role, unit, at, by

// GuestCodes stands for the form in the check-in codes of guests:
// CheckinCode(GuestCodes, id).
const GuestCodes = "khach-moi"

// Guest is one person staff invited.
type Guest struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Role string    `json:"role"`           // chức vụ
	Unit string    `json:"unit,omitempty"` // cơ quan, đơn vị
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"` // the account that added them
}

// MaxGuests is the most guests there may be. The dialogue invites about
// 60 people, most of them delegates; the invitations of all (one page
// each, made in the function within its time) stay a few hundred pages.
const MaxGuests = 200

// ErrTooManyGuests is AddGuest's answer for a new guest past MaxGuests.
var ErrTooManyGuests = fmt.Errorf("store: more than %d guests", MaxGuests)

// ErrCheckedIn is RemoveGuest's answer for a guest who has come: their
// check-in stays counted, so they stay invited.
var ErrCheckedIn = errors.New("store: the guest has checked in")

// guestIDLength is as long as a submission id.
const guestIDLength = forms.IDLength

// GuestID is the id of the guest of that name, role and unit.
func (s *Store) GuestID(name, role, unit string) string {
	same := func(x string) string { return strings.ToLower(forms.CleanLine(x)) }
	m := hmac.New(sha256.New, s.cfg.ReceiptKey)
	m.Write([]byte("guest\x00" + same(name) + "\x00" + same(role) + "\x00" + same(unit)))
	return hex.EncodeToString(m.Sum(nil))[:guestIDLength]
}

// ValidGuestID reports whether id can name a guest: 12 lowercase hex digits.
func ValidGuestID(id string) bool {
	return len(id) == guestIDLength && strings.Trim(id, "0123456789abcdef") == ""
}

func (s *Store) guestKey(id string) string {
	return s.cfg.Prefix + "guests/" + id + ".json"
}

// AddGuest stores g, its id and time set, unless the same guest is
// there already; it returns the guest stored and whether this call stored
// it.
func (s *Store) AddGuest(ctx context.Context, g Guest) (Guest, bool, error) {
	if strings.TrimSpace(g.Name) == "" || strings.TrimSpace(g.Role) == "" {
		return Guest{}, false, errors.New("store: guest: no name or role")
	}
	g.ID = s.GuestID(g.Name, g.Role, g.Unit)
	g.At = s.cfg.Now().Round(0)
	body, err := json.Marshal(g)
	if err != nil {
		return Guest{}, false, err
	}
	key := s.guestKey(g.ID)
	// Bounded by a listing of keys: two staff adding at the same instant
	// may pass it by one each, which the bound allows for.
	keys, err := s.keysUnder(ctx, s.cfg.Prefix+"guests/")
	if err != nil {
		return Guest{}, false, err
	}
	if len(keys) >= MaxGuests && !slices.Contains(keys, key) {
		return Guest{}, false, ErrTooManyGuests
	}
	created, err := s.create(ctx, key, body, "application/json")
	if err != nil || created {
		return g, created, err
	}
	had, _, _, found, err := s.readSmall(ctx, key)
	if err != nil {
		return Guest{}, false, err
	}
	if !found { // removed between the two requests
		return Guest{}, false, fmt.Errorf("store: %s: exists and cannot be read", key)
	}
	var old Guest
	if err := json.Unmarshal([]byte(had), &old); err != nil {
		return Guest{}, false, fmt.Errorf("store: %s: %w", key, err)
	}
	return old, false, nil
}

// Guests returns every guest, in the order they were added (by name
// among those added in the same instant).
func (s *Store) Guests(ctx context.Context) ([]Guest, error) {
	out, err := readAll(ctx, s, s.cfg.Prefix+"guests/", func(g Guest) string { return g.ID })
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Guest) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(vntext.Fold(a.Name), vntext.Fold(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

// RemoveGuest removes the guest id: ErrNotFound when there is none,
// ErrCheckedIn when they have checked in.
func (s *Store) RemoveGuest(ctx context.Context, id string) error {
	if !ValidGuestID(id) {
		return ErrNotFound
	}
	return s.removeRecord(ctx, s.guestKey(id), func() error {
		came, err := s.exists(ctx, s.checkinKey(forms.NormalizeCode(s.CheckinCode(GuestCodes, id))))
		if err != nil {
			return err
		}
		if came {
			return ErrCheckedIn
		}
		return nil
	})
}
