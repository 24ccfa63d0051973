package images

import (
	"errors"

	"github.com/gen2brain/webp"
)

// webpWASM returns an error when the WebP encoder is a system libwebp
// rather than the WebAssembly one that the module ships: every machine
// must write the same bytes for the same photo (the cache, the published
// names and a deployment's diff depend on it). Without the nodynamic
// build tag, gen2brain/webp loads libwebp.so where one is installed.
func webpWASM() error {
	if webp.Dynamic() == nil {
		return errors.New("images: the WebP encoder is this machine's libwebp, whose bytes differ from machine to machine: " +
			"build with -tags nodynamic (the Makefile does: make site, make serve, make test)")
	}
	return nil
}
