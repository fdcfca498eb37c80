// Package s3test runs a real S3 server for tests: versitygw (installed by
// scripts/tools) with a posix back end in a temporary directory, on a free
// loopback port. A test may stop it and start it again on the same port
// and directory, to play a storage outage.
//
//	srv := s3test.Start(t)
//	store, err := blob.Open(ctx, srv.URL("pv-test"), "")
//	srv.Stop()  // the outage
//	srv.Start() // and its end: the same files are there
package s3test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Install is the command that installs versitygw (scripts/tools runs it).
const Install = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// The credentials of every test server.
const (
	Access = "pvtest"
	Secret = "pvtest-secret-key"
)

// Find returns the path of the versitygw binary, looking on PATH and in
// $(go env GOPATH)/bin, or "".
func Find() string {
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

// Server is a versitygw process and its data.
type Server struct {
	// Addr is host:port, the same across Stop and Start.
	Addr string
	t    testing.TB
	bin  string
	dir  string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	log    *strings.Builder
}

// Start runs a server until the test ends; it skips the test when
// versitygw is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Find()
	if bin == "" {
		t.Skipf("versitygw not found on PATH or in $(go env GOPATH)/bin; install it with: %s (or ./scripts/tools)", Install)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), t: t, bin: bin, dir: t.TempDir()}
	ln.Close()
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// URL is a PV_BLOB_URL for bucket on this server (created on first use).
func (s *Server) URL(bucket string) string {
	return fmt.Sprintf("s3://%s:%s@%s/%s?region=us-east-1&secure=false&create=true", Access, Secret, s.Addr, bucket)
}

// Start starts the server again after Stop (nothing if it runs) and waits
// until it answers.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	s.log = &strings.Builder{}
	cmd := exec.Command(s.bin, "--access", Access, "--secret", Secret, "--port", s.Addr, "--quiet", "posix", s.dir)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	var err error
	for try := 0; try < 50; try++ {
		// The port may take a moment to be free again after Stop.
		if err = cmd.Start(); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("start versitygw: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	s.cmd, s.exited = cmd, exited
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + s.Addr + "/")
		if err == nil {
			resp.Body.Close()
			return // any answer, even 403, means it is serving
		}
		select {
		case <-exited:
			s.t.Fatalf("versitygw exited: %s", s.log)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("versitygw did not answer on %s: %v\n%s", s.Addr, err, s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the server (the files stay) and waits until its port
// refuses connections.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}
