// Package tooltest marks the tests that drive a program from outside Go:
// Chromium, Java (the Nu Html Checker), pandoc, cfn-lint, the Lambda
// Runtime Interface Emulator, pdftotext. `go test -short` (make
// test-short, the quick loop) skips them, whether the program is there or
// not, so that the loop is the same on every machine and takes seconds;
// `make test` runs them all, and a missing program fails the test there,
// never skips it.
package tooltest

import (
	"os/exec"
	"testing"
)

// Drives skips t under -short: t drives program.
func Drives(t testing.TB, program string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("-short: this test drives %s", program)
	}
}

// LookPath skips t under -short, and returns the path of the first of
// names found on PATH; when none is, t fails with missing, which says how
// to install it.
func LookPath(t testing.TB, missing string, names ...string) string {
	t.Helper()
	Drives(t, names[0])
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal(missing)
	return ""
}
