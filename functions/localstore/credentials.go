package localstore

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// CredentialsName is the file under a store folder that keeps the access
// key of its server, in the format of an AWS shared credentials file
// (profile "default"), readable by the owner only.
const CredentialsName = "s3-credentials"

// credentialsSource marks the credentials made here.
const credentialsSource = "localstore"

// NewCredentials returns a random access key for a server, e.g. one that
// lives as long as a test or a benchmark.
func NewCredentials() aws.Credentials {
	// rand.Text is 26 base32 characters: 130 random bits.
	return aws.Credentials{
		AccessKeyID:     "LOA" + rand.Text()[:17],
		SecretAccessKey: rand.Text() + rand.Text(),
		Source:          credentialsSource,
	}
}

// DirCredentials returns the access key kept in dir, making it on the
// first call. Two processes that make it at once end up with the same one:
// the file is written whole under a temporary name, then linked into
// place only if it is still missing.
func DirCredentials(dir string) (aws.Credentials, error) {
	c, err := ReadCredentials(dir)
	if !errors.Is(err, fs.ErrNotExist) {
		return c, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return aws.Credentials{}, fmt.Errorf("localstore: %w", err)
	}
	c = NewCredentials()
	tmp, err := os.CreateTemp(dir, CredentialsName+".*")
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("localstore: access key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = fmt.Fprintf(tmp, "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n", c.AccessKeyID, c.SecretAccessKey)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), filepath.Join(dir, CredentialsName))
	}
	if errors.Is(err, fs.ErrExist) {
		return ReadCredentials(dir) // another process was first
	}
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("localstore: access key: %w", err)
	}
	return c, nil
}

// ReadCredentials returns the access key kept in dir. An error wrapping
// fs.ErrNotExist says that dir has none yet.
func ReadCredentials(dir string) (aws.Credentials, error) {
	name := filepath.Join(dir, CredentialsName)
	b, err := os.ReadFile(name)
	if err != nil {
		return aws.Credentials{}, fmt.Errorf("localstore: access key: %w", err)
	}
	c := aws.Credentials{Source: credentialsSource}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue // the profile line, or a blank one
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		}
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return aws.Credentials{}, fmt.Errorf("localstore: %s holds no aws_access_key_id and aws_secret_access_key: delete it to make a new key", name)
	}
	return c, nil
}
