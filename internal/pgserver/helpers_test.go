package pgserver

// Accessors only the tests use.

// Started reports whether this handle started the cluster (rather than
// finding it already running).
func (s *Server) Started() bool { return s.started }
