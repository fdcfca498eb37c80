// Package health gathers what the platform admin's Health page shows about
// the running service: every app server (from their heartbeats), the
// database as this server sees it (role, standbys and their lag, the
// replica pool), the job queue's depth and failures, storage, and the WAL
// archive that platform backups rely on. Each part is read on its own, so
// one that fails is reported as such and the others still show.
package health

import (
	"context"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/patternvault/patternvault/internal/db"
)

// StaleAfter is how long an app server may be silent before the page says
// it is not answering (three missed heartbeats).
const StaleAfter = 30 * time.Second

// Service reads the figures.
type Service struct {
	DB *db.DB
	// Self is this app server's name (ServerName).
	Self string
	// Files describes where files are kept, without secrets.
	Files string
}

// New returns a Service for the app server listening on httpAddr with
// files at blobURL (empty: the data directory).
func New(d *db.DB, httpAddr, blobURL string) *Service {
	return &Service{DB: d, Self: ServerName(httpAddr), Files: describeFiles(blobURL)}
}

// ServerName names an app server: the host name and the port it serves on.
func ServerName(httpAddr string) string {
	host, _ := os.Hostname()
	_, port, err := net.SplitHostPort(httpAddr)
	if err != nil {
		port = httpAddr
	}
	return host + ":" + port
}

func describeFiles(blobURL string) string {
	if blobURL == "" {
		return "local disk (data directory)"
	}
	u, err := url.Parse(blobURL)
	if err != nil {
		return "S3"
	}
	return "S3 at " + u.Host + u.Path
}

// Report is the Health page.
type Report struct {
	At      time.Time
	Self    string
	Servers []Server
	// ServersErr is set when the heartbeats could not be read.
	ServersErr  error
	Replication db.Replication
	// ReplicationErr is set when the primary could not be asked.
	ReplicationErr error
	Queue          db.Queue
	QueueErr       error
	Storage        db.Storage
	StorageErr     error
	Files          string
}

// Server is one app server on the page.
type Server struct {
	db.AppServer
	// Live is false when it has not reported for StaleAfter.
	Live bool
	// This is the server that answers the page.
	This bool
}

// Problems counts what needs the operator: silent servers, a primary pool
// on a server in recovery, a standby not streaming or behind, failed jobs,
// archive failures, and parts that could not be read.
func (r *Report) Problems() int {
	n := 0
	for _, s := range r.Servers {
		if !s.Live {
			n++
		}
	}
	for _, err := range []error{r.ServersErr, r.ReplicationErr, r.QueueErr, r.StorageErr} {
		if err != nil {
			n++
		}
	}
	if r.ReplicationErr == nil && r.Replication.PrimaryRole != "primary" {
		n++
	}
	for _, s := range r.Replication.Standbys {
		if s.State != "streaming" || s.ReplayLag > 10*time.Second {
			n++
		}
	}
	if len(r.Queue.Failed) > 0 {
		n++
	}
	if r.Storage.LastFailedAt != nil && (r.Storage.LastArchivedAt == nil || r.Storage.LastFailedAt.After(*r.Storage.LastArchivedAt)) {
		n++
	}
	return n
}

// Report reads every part, each with a short timeout.
func (s *Service) Report(ctx context.Context) *Report {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r := &Report{At: time.Now(), Self: s.Self, Files: s.Files}
	servers, err := s.DB.AppServers(ctx)
	r.ServersErr = err
	for _, a := range servers {
		r.Servers = append(r.Servers, Server{AppServer: a, Live: r.At.Sub(a.SeenAt) < StaleAfter, This: a.Name == s.Self})
	}
	r.Replication, r.ReplicationErr = s.DB.Replication(ctx)
	r.Queue, r.QueueErr = s.DB.JobQueue(ctx)
	r.Storage, r.StorageErr = s.DB.Storage(ctx)
	return r
}
