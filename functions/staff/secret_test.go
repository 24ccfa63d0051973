package staff

import (
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

const secret = "abcde-fghij-klmno-pqrst-uvwxy"

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		s := NewSecret()
		if len(s) != 29 || strings.Count(s, "-") != 4 || strings.ToLower(s) != s {
			t.Errorf("NewSecret %q: want 5 groups of 5 lower-case letters and digits", s)
		}
		if seen[s] {
			t.Errorf("NewSecret repeated %q", s)
		}
		seen[s] = true
	}
}

func TestHashAndCheck(t *testing.T) {
	h, err := HashSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q: want OWASP's argon2id parameters", h)
	}
	if h2, _ := HashSecret(secret); h2 == h {
		t.Error("two hashes of one secret are equal: the salt is not random")
	}
	if _, err := HashSecret("ngan"); err == nil {
		t.Error("a secret of 4 characters was hashed")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	for name, encoded := range map[string]string{"argon2id": h, "bcrypt": string(b), "argon2id with spaces": "  " + h + "\n"} {
		c, err := NewChecker(encoded)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, tc := range []struct {
			in   string
			want bool
		}{
			{secret, true},
			{secret + "x", false},
			{"khong-phai", false},
			{"", false},
			{strings.Repeat("a", 300), false},
			{secret, true}, // again, from the remembered sum
		} {
			if got := c.Check(tc.in); got != tc.want {
				t.Errorf("%s: Check(%.20q) = %v, want %v", name, tc.in, got, tc.want)
			}
		}
	}
}

func TestCheckerRefusesWhatIsNotAHash(t *testing.T) {
	h, _ := HashSecret(secret)
	parts := strings.Split(h, "$")
	for name, encoded := range map[string]string{
		"empty":            "",
		"plain secret":     secret,
		"md5":              "5f4dcc3b5aa765d61d8327deb882cf99",
		"parts missing":    "$argon2id$v=19$m=19456,t=2,p=1$" + parts[4],
		"other version":    "$argon2id$v=16$" + strings.Join(parts[3:], "$"),
		"huge memory":      "$argon2id$v=19$m=99999999,t=2,p=1$" + parts[4] + "$" + parts[5],
		"salt not base64":  "$argon2id$v=19$m=19456,t=2,p=1$!!!$" + parts[5],
		"hash too short":   "$argon2id$v=19$m=19456,t=2,p=1$" + parts[4] + "$AAAA",
		"bcrypt truncated": "$2b$04$abc",
	} {
		if _, err := NewChecker(encoded); err == nil || !strings.Contains(err.Error(), EnvHash) {
			t.Errorf("%s: NewChecker(%q) = %v, want an error naming %s", name, encoded, err, EnvHash)
		}
	}
	var nilChecker *Checker
	if nilChecker.Check(secret) {
		t.Error("a nil checker let a secret through")
	}
}

// Wrong secrets checked at once are checked one at a time and all fail;
// the right one among them passes.
func TestCheckConcurrent(t *testing.T) {
	h, _ := HashSecret(secret)
	c, err := NewChecker(h)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]bool, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			guess := "sai-" + strings.Repeat("x", i+12)
			if i == 3 {
				guess = secret
			}
			results[i] = c.Check(guess)
		}()
	}
	wg.Wait()
	for i, ok := range results {
		if ok != (i == 3) {
			t.Errorf("guess %d: Check = %v", i, ok)
		}
	}
}
