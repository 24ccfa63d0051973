package localstore

import (
	"fmt"
	"os"
	"path/filepath"
)

// openDir opens (or creates) the journal of the store in dir.
func openDir(dir string) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	return openJournal(filepath.Join(dir, journalName))
}
