//go:build nodynamic

package images

// builtWASMOnly: built with -tags nodynamic, so the WebP encoder can only be
// the WebAssembly one (see webpWASM).
const builtWASMOnly = true
