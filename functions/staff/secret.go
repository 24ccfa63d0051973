// Package staff keeps the office staff's secrets: it makes one
// ([NewSecret]), hashes it ([HashSecret]) and checks a presented one against
// the hash ([Checker], constant time, one slow check at a time). The staff
// page that sends it is drawn by the site builder like every other page.
//
// Each staff member has an account (kept by package store, checked by the
// handler) whose secret is stored only as such a hash. The secret is sent
// by the staff page in the X-Loa-Staff header, the account's id in
// X-Loa-Account. The shared secret of before accounts is still accepted,
// for requests that name no account, while the environment holds its
// hash, LOA_STAFF_SECRET_HASH: an argon2id PHC string made by HashSecret
// (command loa-secret prints one), or a bcrypt hash.
package staff

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// EnvHash names the environment variable holding the secret's hash.
const EnvHash = "LOA_STAFF_SECRET_HASH"

// argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1
// lane). A check costs tens of milliseconds and 19 MiB, which a small
// Lambda can afford one at a time.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// NewSecret returns a random secret of 25 letters and digits (125 bits),
// grouped by five to be read out and typed on a phone.
func NewSecret() string {
	var b [16]byte
	rand.Read(b[:])
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))[:25]
	return s[0:5] + "-" + s[5:10] + "-" + s[10:15] + "-" + s[15:20] + "-" + s[20:25]
}

// HashSecret returns the argon2id hash of secret as a PHC string,
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash.
func HashSecret(secret string) (string, error) {
	if len(secret) < 12 {
		return "", errors.New("staff: the secret is shorter than 12 characters")
	}
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(secret), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Checker checks a presented secret against the configured hash. It is safe
// for concurrent use.
type Checker struct {
	verify func(secret []byte) bool

	// Slow checks run one at a time: each argon2id check takes 19 MiB, and
	// a burst of wrong guesses must not take the function's memory.
	// Checkers of staff accounts share one (ShareSlow).
	slow *sync.Mutex

	// The SHA-256 of the last secret that passed, so that the staff page's
	// every request does not pay for argon2id. Compared in constant time.
	mu   sync.Mutex
	good []byte
}

// NewChecker parses encoded (argon2id PHC string or bcrypt hash), the
// value of LOA_STAFF_SECRET_HASH.
func NewChecker(encoded string) (*Checker, error) {
	return CheckerOf(EnvHash, encoded)
}

// CheckerOf is NewChecker for a hash kept elsewhere (the registration codes
// of data/chi-doan.yaml): what names it in messages.
func CheckerOf(what, encoded string) (*Checker, error) {
	encoded = strings.TrimSpace(encoded)
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		v, err := parseArgon2id(what, encoded)
		if err != nil {
			return nil, err
		}
		return &Checker{verify: v, slow: new(sync.Mutex)}, nil
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		if _, err := bcrypt.Cost([]byte(encoded)); err != nil {
			return nil, fmt.Errorf("staff: %s: not a bcrypt hash: %v", what, err)
		}
		h := []byte(encoded)
		return &Checker{verify: func(s []byte) bool { return bcrypt.CompareHashAndPassword(h, s) == nil }, slow: new(sync.Mutex)}, nil
	}
	return nil, fmt.Errorf("staff: %s is neither an argon2id PHC string ($argon2id$v=19$m=…) nor a bcrypt hash ($2b$…); make one with: go run ./functions/cmd/loa-secret", what)
}

func parseArgon2id(what, encoded string) (func([]byte) bool, error) {
	bad := func(problem string) error {
		return fmt.Errorf("staff: %s: %s (want $argon2id$v=19$m=19456,t=2,p=1$salt$hash)", what, problem)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		return nil, bad("wrong number of $-separated parts")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return nil, bad("unknown version " + parts[2])
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m < 8 || t < 1 || p < 1 || m > 1<<22 {
		return nil, bad("parameters " + parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return nil, bad("salt")
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) < 16 {
		return nil, bad("hash")
	}
	return func(secret []byte) bool {
		got := argon2.IDKey(secret, salt, t, m, p, uint32(len(want)))
		return subtle.ConstantTimeCompare(got, want) == 1
	}, nil
}

// ShareSlow makes c's slow checks take turns with those of every checker
// given mu: the checkers of all staff accounts run one slow check at a time
// between them, as the one shared secret did.
func (c *Checker) ShareSlow(mu *sync.Mutex) { c.slow = mu }

// Check reports whether secret is the staff secret.
func (c *Checker) Check(secret string) bool {
	if c == nil || secret == "" || len(secret) > 256 {
		return false
	}
	sum := sha256.Sum256([]byte(secret))
	c.mu.Lock()
	good := c.good
	c.mu.Unlock()
	if good != nil && subtle.ConstantTimeCompare(sum[:], good) == 1 {
		return true
	}
	c.slow.Lock()
	ok := c.verify([]byte(secret))
	c.slow.Unlock()
	if ok {
		c.mu.Lock()
		c.good = sum[:]
		c.mu.Unlock()
	}
	return ok
}
