//go:build !linux

package blob

import "os"

// syncFS is Linux-only; elsewhere the caller syncs file by file.
func syncFS(*os.File) error { return errNoSyncFS }
