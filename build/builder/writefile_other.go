//go:build !unix

package builder

import "os"

// writeFile writes data as a new file of the staging directory.
func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }
