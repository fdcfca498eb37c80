package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFS makes every write to the file system holding f durable (Linux's
// syncfs, which reports write-back errors since Linux 5.8).
func syncFS(f *os.File) error {
	return unix.Syncfs(int(f.Fd()))
}
