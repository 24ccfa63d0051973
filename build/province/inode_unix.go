//go:build unix

package province

import (
	"io/fs"
	"syscall"
)

// inode is the file's inode number: a file replaced by another (an editor
// that saves by renaming, a checkout) has a new one, whatever its time.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
