package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksTheBuilderAlone: the site builder's command links none of the
// packages that only the forms service, publishing or the staff's
// spreadsheets need. Each of them runs its initialisation and maps its
// code at every start: linked in, a build of a thousand pages peaks 13 MB
// higher.
func TestLinksTheBuilderAlone(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "nodynamic", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed %d packages, expected the builder's (more than 50)", len(deps))
	}
	var builder bool
	for _, p := range deps {
		builder = builder || p == "loa/build/builder"
		for _, banned := range []string{
			"github.com/aws/",
			"github.com/xuri/excelize",
			"loa/functions/service",
			"loa/functions/store",
			"loa/build/serve",
			"loa/build/publish",
		} {
			if strings.HasPrefix(p, banned) {
				t.Errorf("the site builder's command links %s", p)
			}
		}
	}
	if !builder {
		t.Error("the site builder's command does not link loa/build/builder")
	}
}
