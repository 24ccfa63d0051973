package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Staff accounts: one object per account, created once and removed by
// deletion; the staff routes read it on every request, so a removed
// account is refused at the next one.
//
//	{prefix}accounts/{id}.json   JSON: id, name, role, hash (argon2id or bcrypt), at, by

// Roles of a staff account.
const (
	RoleAnswer  = "tra-loi" // answers questions, checks people in
	RoleManager = "quan-ly" // also exports, deletes, compiles, manages accounts
	// RoleProvince is the province's account kind, kept at the province
	// level only (ProvinceLevel): it sees each unit's counts, never a
	// row, and signs in to no unit.
	RoleProvince = "tinh"
)

// RoleText is a role as the staff page writes it.
func RoleText(role string) string {
	switch role {
	case RoleAnswer:
		return "trả lời"
	case RoleManager:
		return "quản lý"
	case RoleProvince:
		return "tỉnh (xem số liệu)"
	}
	return role
}

// Account is one staff member's account. Hash is the hash of its secret
// (staff.HashSecret); the secret itself is never stored.
type Account struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Role string    `json:"role"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	By   string    `json:"by,omitempty"` // the account that made it
}

// ErrAccountExists is CreateAccount's answer for an id that is taken.
var ErrAccountExists = errors.New("store: the account exists")

// ValidAccountID reports whether id can name an account: 2 to 40
// lowercase letters, digits and inner dashes.
func ValidAccountID(id string) bool {
	return len(id) >= 2 && len(id) <= 40 && strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" &&
		id[0] != '-' && id[len(id)-1] != '-'
}

func (s *Store) accountKey(id string) string {
	return s.cfg.Prefix + "accounts/" + id + ".json"
}

// CreateAccount stores a, its time set now, unless its id is taken.
func (s *Store) CreateAccount(ctx context.Context, a Account) (Account, error) {
	// A unit's staff answer or manage; the province level holds the
	// province's accounts only.
	roleOK := a.Role == RoleAnswer || a.Role == RoleManager
	if s.cfg.Unit == ProvinceLevel {
		roleOK = a.Role == RoleProvince
	}
	if !ValidAccountID(a.ID) || a.Hash == "" || !roleOK {
		return Account{}, errors.New("store: account: bad id, role or hash")
	}
	a.At = s.cfg.Now().Round(0)
	body, err := json.Marshal(a)
	if err != nil {
		return Account{}, err
	}
	created, err := s.create(ctx, s.accountKey(a.ID), body, "application/json")
	if err != nil {
		return Account{}, err
	}
	if !created {
		return Account{}, ErrAccountExists
	}
	return a, nil
}

// GetAccount reads the account id and the version it read (its ETag);
// ErrNotFound when there is none.
func (s *Store) GetAccount(ctx context.Context, id string) (Account, string, error) {
	if !ValidAccountID(id) {
		return Account{}, "", ErrNotFound
	}
	body, etag, _, found, err := s.readSmall(ctx, s.accountKey(id))
	if err != nil {
		return Account{}, "", err
	}
	if !found {
		return Account{}, "", ErrNotFound
	}
	var a Account
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		return Account{}, "", fmt.Errorf("store: account %s: %w", id, err)
	}
	return a, etag, nil
}

// Accounts lists every account, by id.
func (s *Store) Accounts(ctx context.Context) ([]Account, error) {
	out, err := readAll(ctx, s, s.cfg.Prefix+"accounts/", func(a Account) string { return a.ID })
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteAccount removes the account id and its wish for the digest;
// ErrNotFound when there is none.
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	if !ValidAccountID(id) {
		return ErrNotFound
	}
	// The digest's address goes first: a failure part way leaves the
	// account, so that removing it again finishes.
	return s.removeRecord(ctx, s.accountKey(id), func() error { return s.deleteDigestSetting(ctx, id) })
}
