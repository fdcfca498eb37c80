package blob

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// versitygwInstall is the command that installs the S3 server that
// TestS3 runs; scripts/tools runs it too.
const versitygwInstall = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// findVersitygw returns the path of the versitygw binary, looking on PATH
// and in $(go env GOPATH)/bin, or "".
func findVersitygw() string {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			return ""
		}
		gopath = strings.TrimSpace(string(out))
	}
	for dir := range strings.SplitSeq(gopath, string(os.PathListSeparator)) {
		p := filepath.Join(dir, "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// startVersitygw runs a versitygw S3 server with a posix backend in a
// temporary directory on a free loopback port until the test ends, and
// returns its address.
func startVersitygw(t *testing.T, access, secret string) string {
	bin := findVersitygw()
	if bin == "" {
		t.Skipf("versitygw not found on PATH or in $(go env GOPATH)/bin; install it with: %s", versitygwInstall)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dir := t.TempDir()
	var log strings.Builder
	cmd := exec.Command(bin, "--access", access, "--secret", secret, "--port", addr, "--quiet", "posix", dir)
	cmd.Stdout = &log
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})

	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/")
		if err == nil {
			resp.Body.Close()
			return addr // any answer, even 403, means it is serving
		}
		select {
		case <-exited:
			t.Fatalf("versitygw exited: %s", log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestS3(t *testing.T) {
	const access, secret = "pvtest", "pvtest-secret-key"
	addr := startVersitygw(t, access, secret)
	var buckets atomic.Int64
	newStore := func(t *testing.T) Store {
		url := fmt.Sprintf("s3://%s:%s@%s/pv-test-%d?region=us-east-1&secure=false&create=true",
			access, secret, addr, buckets.Add(1))
		s, err := Open(t.Context(), url, "")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	testStore(t, newStore)

	t.Run("Prefix", func(t *testing.T) {
		// Two stores in one bucket under different prefixes do not see each other.
		url := func(prefix string) string {
			return fmt.Sprintf("s3://%s:%s@%s/pv-shared/%s?secure=false&create=true", access, secret, addr, prefix)
		}
		a, err := Open(t.Context(), url("a"), "")
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(t.Context(), url("b/c"), "")
		if err != nil {
			t.Fatal(err)
		}
		put(t, a, "1/x", "in a", "")
		put(t, b, "1/x", "in b", "")
		if data, _ := get(t, a, "1/x"); data != "in a" {
			t.Errorf("a: Get = %q", data)
		}
		if err := b.DeletePrefix(t.Context(), "1"); err != nil {
			t.Fatal(err)
		}
		if got := list(t, a, ""); len(got) != 1 || got[0] != "1/x" {
			t.Errorf("a after b's DeletePrefix: List = %q", got)
		}
		if got := list(t, b, ""); len(got) != 0 {
			t.Errorf("b after DeletePrefix: List = %q", got)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		url := fmt.Sprintf("s3://%s:%s@%s/pv-missing?secure=false", access, secret, addr)
		if _, err := Open(t.Context(), url, ""); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("Open of a missing bucket without create: %v", err)
		}
	})

	t.Run("WrongSecret", func(t *testing.T) {
		url := fmt.Sprintf("s3://%s:wrong-secret@%s/pv-test-1?secure=false", access, addr)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if _, err := Open(ctx, url, ""); err == nil {
			t.Error("Open with a wrong secret succeeded")
		} else if strings.Contains(err.Error(), "wrong-secret") {
			t.Errorf("error shows the secret: %v", err)
		}
	})
}
