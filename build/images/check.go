package images

import "io"

// DefaultMaxPixels is the largest image, in pixels, a Processor takes
// unless Options.MaxPixels says otherwise.
const DefaultMaxPixels = 50_000_000

// Check reads an image's header from r and tells whether the builder
// publishes it with its default limits: a JPEG, PNG or WebP file of at
// most DefaultMaxPixels. Who writes images into the content (the Word
// import) asks it first, so that it never writes one the build refuses.
func Check(r io.Reader) error {
	return (&Processor{opts: Options{MaxPixels: DefaultMaxPixels}}).checkHeader(r)
}
