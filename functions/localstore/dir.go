package localstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"
)

const (
	// lockName is the file a process holds a lock on while it has the
	// store open: two processes appending to one journal would overwrite
	// each other's records.
	lockName = "objects.lock"
	// endpointName is where the process holding the lock writes the
	// address of its S3 server, so that another process (the export
	// command while `make serve` runs) can use the store through it.
	endpointName = "s3-endpoint"
)

// BusyError is returned by Start when another process has the store in
// dir open. Endpoint is that process's S3 server, when it says.
type BusyError struct {
	Dir      string
	Endpoint string
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("localstore: %s is in use by another process (is make serve running?)", e.Dir)
}

// openDir locks the store in dir and opens (or creates) its journal.
func openDir(dir string) (*journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localstore: %w", err)
	}
	lock := flock.New(filepath.Join(dir, lockName))
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("localstore: lock %s: %w", dir, err)
	}
	if !ok {
		busy := &BusyError{Dir: dir}
		if b, err := os.ReadFile(filepath.Join(dir, endpointName)); err == nil {
			busy.Endpoint = strings.TrimSpace(string(b))
		}
		return nil, busy
	}
	// An endpoint left by a process that died is stale.
	if err := os.Remove(filepath.Join(dir, endpointName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		lock.Unlock()
		return nil, fmt.Errorf("localstore: %w", err)
	}
	j, err := openJournal(filepath.Join(dir, journalName))
	if err != nil {
		lock.Unlock()
		return nil, err
	}
	j.dir, j.lock = dir, lock
	return j, nil
}

// publishEndpoint writes the S3 server's address for other processes.
func (j *journal) publishEndpoint(endpoint string) error {
	tmp := filepath.Join(j.dir, endpointName+".tmp")
	if err := os.WriteFile(tmp, []byte(endpoint+"\n"), 0o600); err != nil {
		return fmt.Errorf("localstore: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(j.dir, endpointName)); err != nil {
		return fmt.Errorf("localstore: %w", err)
	}
	return nil
}
