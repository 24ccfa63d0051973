//go:build !nodynamic

package images

// builtWASMOnly: built without -tags nodynamic; the WebP encoder is the
// WebAssembly one only on a machine without libwebp.so (see webpWASM).
const builtWASMOnly = false
