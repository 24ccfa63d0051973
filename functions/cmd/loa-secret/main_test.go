package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"loa/functions/staff"
)

var hashLine = regexp.MustCompile(staff.EnvHash + `='([^']+)'`)

func TestRun(t *testing.T) {
	check := func(t *testing.T, out, secret string) {
		t.Helper()
		m := hashLine.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("output %q has no %s='…' line", out, staff.EnvHash)
		}
		c, err := staff.NewChecker(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if !c.Check(secret) {
			t.Errorf("the printed hash %s does not accept the secret %q", m[1], secret)
		}
	}
	t.Run("stdin", func(t *testing.T) {
		var out bytes.Buffer
		if err := run([]string{"-"}, strings.NewReader("  mật khẩu của văn phòng \n"), &out); err != nil {
			t.Fatal(err)
		}
		check(t, out.String(), "mật khẩu của văn phòng")
	})
	t.Run("new", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(nil, strings.NewReader(""), &out); err != nil {
			t.Fatal(err)
		}
		secret := regexp.MustCompile(`\n\n  (\S+)\n\n`).FindStringSubmatch(out.String())
		if secret == nil {
			t.Fatalf("output %q shows no secret", out.String())
		}
		check(t, out.String(), secret[1])
	})
	if err := run([]string{"a", "b"}, strings.NewReader(""), &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "usage: loa-secret") {
		t.Errorf("two arguments: error %v, want the usage", err)
	}
}
