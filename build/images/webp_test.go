package images

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gen2brain/webp"

	"loa/build/images/imagetest"
)

// TestWebPEncoderIsWASM fails a build without -tags nodynamic: on a machine
// with libwebp.so that build would encode with the system's libwebp, and
// write other bytes than every other machine.
func TestWebPEncoderIsWASM(t *testing.T) {
	if !builtWASMOnly {
		t.Fatal("built without -tags nodynamic: the WebP encoder could be this machine's libwebp; " +
			"run the tests with `make test` or `go test -tags nodynamic`")
	}
	if err := webp.Dynamic(); err == nil {
		t.Fatal("the WebP encoder is a system libwebp, want the WebAssembly one")
	}
	if err := webpWASM(); err != nil {
		t.Fatal(err)
	}
}

// TestEncoderVersion: the cache key names the WebP module at the version
// go.mod requires, so that updating it makes every image again.
func TestEncoderVersion(t *testing.T) {
	mod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	path, version, _ := strings.Cut(webpModule, "@")
	if !strings.Contains(string(mod), "\t"+path+" "+version+"\n") {
		t.Errorf("go.mod does not require %s %s, which the cache key names: update webpModule", path, version)
	}
}

// TestSettingsInCacheKey: every setting of the encoders is in the cache
// key, so that changing one makes the images again.
func TestSettingsInCacheKey(t *testing.T) {
	p := newProcessor(t, Options{})
	for _, want := range []string{webpModule, "bilinear", "quality=75", "webp-method=2", "widths=[480 960 1600]"} {
		if !strings.Contains(p.settings, want) {
			t.Errorf("settings %q lack %q", p.settings, want)
		}
	}
}

// TestWebPSource: a WebP source is read by x/image/webp and made into
// variants like any other.
func TestWebPSource(t *testing.T) {
	img := imagetest.Photo(1000, 750, 5)
	data, err := encodeWebP(img, 75, false)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "anh.webp")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := newProcessor(t, Options{}).Process(src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range res.Variants {
		got = append(got, fmt.Sprint(v.Format, v.Width))
	}
	if fmt.Sprint(got) != "[jpeg480 jpeg960 webp480 webp960]" {
		t.Errorf("variants %v, want a JPEG and a WebP at 480 and 960", got)
	}
}

// TestLambdaLeavesImagesOut: the Lambda's bootstrap does not link this
// package or its WebP encoder (wazero and libwebp would add 4 MB to it).
func TestLambdaLeavesImagesOut(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "loa/functions/cmd/bootstrap").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg == "loa/build/images" || strings.HasPrefix(pkg, "github.com/gen2brain/") || strings.HasPrefix(pkg, "github.com/tetratelabs/wazero") {
			t.Errorf("the Lambda's bootstrap imports %s", pkg)
		}
	}
}
