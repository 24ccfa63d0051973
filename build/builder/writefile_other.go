//go:build !unix

package builder

import (
	"bytes"
	"os"
)

// writeFile writes data as a new file of the staging directory.
func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }

// sameFile reports whether the file name holds exactly data.
func sameFile(name string, data []byte) bool {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != int64(len(data)) {
		return false
	}
	have, err := os.ReadFile(name)
	return err == nil && bytes.Equal(have, data)
}
