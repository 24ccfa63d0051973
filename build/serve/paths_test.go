package serve

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawGet sends path as it is, unescaped by any client, and returns the
// status and Location of the answer.
func rawGet(t *testing.T, s *Server, path string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(s.URL, "http://"), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := c.Read(buf)
	head := string(buf[:n])
	var code int
	if _, err := fmt.Sscanf(head, "HTTP/1.1 %d", &code); err != nil {
		t.Fatalf("%s: answer %q", path, head)
	}
	loc := ""
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Location: "); ok {
			loc = v
		}
	}
	return code, loc
}

// TestRedirectsStayOnSite: no path makes serve send a browser to another
// host. Browsers read "/\host" and "//host" in a Location as another host.
func TestRedirectsStayOnSite(t *testing.T) {
	s, _ := startCopy(t, Config{})
	for _, p := range []string{
		"/%5Cevil.example/x", "/%5C%5Cevil.example", "/\\evil.example/x", "//evil.example/x",
		"///evil.example", "/.%5Cevil.example", "/a%09b", "/a%0D%0ALocation:%20//evil.example",
		"/%2F%2Fevil.example", "/ke-hoach", "/ke-hoach//doi-thoai-thanh-nien-2023",
	} {
		code, loc := rawGet(t, s, p)
		if loc == "" {
			if code != http.StatusNotFound && code != http.StatusBadRequest && code != http.StatusOK {
				t.Errorf("%s: %d without a Location", p, code)
			}
			continue
		}
		if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.ContainsAny(loc, "\\\r\n\t") {
			t.Errorf("%s: %d to %q, which is not a path of this site", p, code, loc)
		}
	}
	if code, loc := rawGet(t, s, "/ke-hoach"); code != http.StatusMovedPermanently || loc != "/ke-hoach/" {
		t.Errorf("/ke-hoach: %d %q, want 301 to /ke-hoach/", code, loc)
	}
	if code, _ := rawGet(t, s, "/%5Cevil.example/x"); code != http.StatusNotFound {
		t.Errorf("a path with a backslash: %d, want 404", code)
	}
}

// TestTimeouts: a slow client cannot hold a connection for ever.
func TestTimeouts(t *testing.T) {
	s, _ := startCopy(t, Config{})
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": s.srv.ReadHeaderTimeout, "ReadTimeout": s.srv.ReadTimeout,
		"WriteTimeout": s.srv.WriteTimeout, "IdleTimeout": s.srv.IdleTimeout,
	} {
		if d <= 0 || d > 5*time.Minute {
			t.Errorf("%s is %v, want a bound of at most 5 minutes", name, d)
		}
	}
}

// TestStartOnFullDisk starts serve with its data folder on a disk that is
// full (a small tmpfs, filled): one clear sentence, not a stack of errors.
func TestStartOnFullDisk(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=2m"); err != nil {
		t.Fatalf("mounting a 2 MB tmpfs to fill: %v (the test needs root, as make test has on this project's machines)", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	f, err := os.Create(filepath.Join(mnt, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()

	dir := t.TempDir()
	copyTree(t, "content", filepath.Join(dir, "content"))
	_, err = Start(Config{Data: filepath.Join(mnt, "data"), Addr: "127.0.0.1:0", ContentDir: filepath.Join(dir, "content")})
	if err == nil {
		t.Fatal("serve started with its data folder on a full disk")
	}
	msg := err.Error()
	if !strings.Contains(msg, "đã đầy") || !strings.Contains(msg, filepath.Join(mnt, "data")) || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line saying the disk holding the data folder is full", msg)
	}
}
