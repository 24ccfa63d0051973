//go:build !unix

package province

import "io/fs"

// inode is 0 where files have no inode numbers: size and time stand alone.
func inode(fs.FileInfo) uint64 { return 0 }
