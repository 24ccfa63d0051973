package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"loa/functions/forms"
	"loa/site"
)

// copyContent copies the ward's content folder into a temporary one.
func copyContent(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dst, os.DirFS("../content")); err != nil {
		t.Fatal(err)
	}
	return dst
}

var codeLine = regexp.MustCompile(`(?m)^  (Chi đoàn [^\n]*?)\s{3,}([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})$`)

func TestCodes(t *testing.T) {
	dir := copyContent(t)
	file := filepath.Join(dir, "data", "chi-doan.yaml")
	var out bytes.Buffer
	if err := setCodes(&out, file, []string{"Chi đoàn Tổ dân phố 1", "Chi đoàn Trường THCS"}, false); err != nil {
		t.Fatal(err)
	}
	printed := codeLine.FindAllStringSubmatch(out.String(), -1)
	if len(printed) != 2 {
		t.Fatalf("printed %d codes, want 2:\n%s", len(printed), out.String())
	}
	saved, _ := os.ReadFile(file)
	for _, p := range printed {
		if strings.Contains(string(saved), p[2]) || strings.Contains(string(saved), forms.NormalizeCode(p[2])) {
			t.Errorf("the code of %s is in the file as typed, not only as a hash", p[1])
		}
	}
	if !strings.HasPrefix(string(saved), "# Danh sách chi đoàn") || !strings.Contains(string(saved), "sample: true") {
		t.Errorf("the file's comments or settings were lost:\n%s", saved)
	}

	reg, err := forms.Load(os.DirFS(dir), site.FS())
	if err != nil {
		t.Fatal(err)
	}
	f := reg.Form("dai-bieu")
	if !f.RequiresCode() || reg.Form("cau-hoi").RequiresCode() {
		t.Fatalf("asks for a code: delegates %v, questions %v; want true, false", f.RequiresCode(), reg.Form("cau-hoi").RequiresCode())
	}
	one, school := printed[0][2], printed[1][2]
	for _, tc := range []struct {
		group, typed, want string
	}{
		{"Chi đoàn Tổ dân phố 1", one, ""},
		{"Chi đoàn Tổ dân phố 1", strings.ToLower(strings.ReplaceAll(one, "-", " ")), ""},
		{"Chi đoàn Tổ dân phố 1", school, f.CodeInput().Invalid},
		{"Chi đoàn Tổ dân phố 1", "", f.CodeInput().Missing},
		{"Chi đoàn Tổ dân phố 1", "AAAA-AAAA-AAAA", f.CodeInput().Invalid},
		{"Chi đoàn Trường THCS", school, ""},
		{"Chi đoàn Tổ dân phố 2", "", ""}, // no code: registers as before
	} {
		if got := f.CheckCode(tc.group, tc.typed); got != tc.want {
			t.Errorf("CheckCode(%s, %q) = %q, want %q", tc.group, tc.typed, got, tc.want)
		}
	}

	// New codes for every chi đoàn replace the old ones.
	out.Reset()
	if err := setCodes(&out, file, nil, false); err != nil {
		t.Fatal(err)
	}
	if n := len(codeLine.FindAllStringSubmatch(out.String(), -1)); n != len(f.ChiDoan) {
		t.Errorf("%d codes for %d chi đoàn", n, len(f.ChiDoan))
	}
	reg, _ = forms.Load(os.DirFS(dir), site.FS())
	if reg.Form("dai-bieu").CheckCode("Chi đoàn Tổ dân phố 1", one) != f.CodeInput().Invalid {
		t.Error("an old code still works after new ones were made")
	}

	if err := setCodes(&out, file, []string{"Chi đoàn Không Có"}, false); err == nil || !strings.Contains(err.Error(), "Chi đoàn Không Có") {
		t.Errorf("an unknown chi đoàn: %v", err)
	}
	if err := setCodes(&out, file, nil, true); err != nil {
		t.Fatal(err)
	}
	reg, _ = forms.Load(os.DirFS(dir), site.FS())
	if reg.Form("dai-bieu").RequiresCode() {
		t.Error("--off left codes")
	}
}

func TestBadCodeHash(t *testing.T) {
	dir := copyContent(t)
	file := filepath.Join(dir, "data", "chi-doan.yaml")
	raw, _ := os.ReadFile(file)
	bad := strings.Replace(string(raw), `  - "Chi đoàn Tổ dân phố 2"`, "  - name: \"Chi đoàn Tổ dân phố 2\"\n    code: \"ABCD-EFGH-JKLM\"", 1)
	if err := os.WriteFile(file, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := forms.Load(os.DirFS(dir), site.FS())
	if err == nil || !strings.Contains(err.Error(), "data/chi-doan.yaml:7: items[1].code") || !strings.Contains(err.Error(), "go run ./build codes") {
		t.Errorf("a code written in clear: %v, want an error at data/chi-doan.yaml:7 saying how to make codes", err)
	}
}
