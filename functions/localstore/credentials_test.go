package localstore

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// A folder's key is made once, readable by its owner only, and the same
// for every process that asks, even at the same time.
func TestDirCredentials(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var wg sync.WaitGroup
	got := make([]aws.Credentials, 8)
	for i := range got {
		wg.Go(func() {
			c, err := DirCredentials(dir)
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		})
	}
	wg.Wait()
	for _, c := range got[1:] {
		if c != got[0] {
			t.Fatalf("concurrent first runs made different keys: %v and %v", c.AccessKeyID, got[0].AccessKeyID)
		}
	}
	if len(got[0].SecretAccessKey) < 40 || got[0].AccessKeyID == "" {
		t.Errorf("key %q with a secret of %d characters", got[0].AccessKeyID, len(got[0].SecretAccessKey))
	}
	name := filepath.Join(dir, CredentialsName)
	if fi, err := os.Stat(name); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v, %v; want mode 0600", fi, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the folder holds %d files, want only %s", len(entries), CredentialsName)
	}
	again, err := ReadCredentials(dir)
	if err != nil || again != got[0] {
		t.Errorf("read back %v, %v; want the key made", again.AccessKeyID, err)
	}
	if NewCredentials() == NewCredentials() {
		t.Error("NewCredentials is not random")
	}

	os.WriteFile(name, []byte("[default]\naws_access_key_id = x\n"), 0o600)
	if _, err := DirCredentials(dir); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("a file without a secret: %v, want an error saying what to do", err)
	}
	if _, err := Start(Options{Buckets: []string{bucket}}); err == nil {
		t.Error("a server started without a key")
	}
}
