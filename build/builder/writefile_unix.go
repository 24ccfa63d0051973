//go:build unix

package builder

import (
	"bytes"
	"io"
	"os"
	"syscall"
)

// writeFile writes data as a new file of the staging directory. A build
// creates thousands of files, and os.WriteFile spends four system calls
// on each beyond open, write and close (registering a regular file with
// the network poller, which refuses it, and flag checks); here a file is
// those three calls alone.
func writeFile(name string, data []byte) error {
	fd, err := syscall.Open(name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_TRUNC|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			syscall.Close(fd)
			return &os.PathError{Op: "write", Path: name, Err: err}
		}
		if n == 0 {
			syscall.Close(fd)
			return &os.PathError{Op: "write", Path: name, Err: io.ErrShortWrite}
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}

// sameFile reports whether the file name holds exactly data. An update
// build asks it of every file it makes, mostly of files that are there
// and unchanged: like writeFile, it spends only the system calls it needs.
func sameFile(name string, data []byte) bool {
	fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size != int64(len(data)) {
		return false
	}
	buf := getBuffer()
	defer putBuffer(buf)
	buf.Grow(len(data) + 1)
	have := buf.Bytes()[:len(data)+1]
	n := 0
	for n < len(have) {
		m, err := syscall.Read(fd, have[n:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n == len(data) && bytes.Equal(have[:n], data)
}
