package pgserver

// Accessors only the tests use.

// SocketDir returns the directory holding the cluster's unix socket.
func (s *Server) SocketDir() string { return s.sockDir }

// Started reports whether this handle started the cluster (rather than
// finding it already running).
func (s *Server) Started() bool { return s.started }
