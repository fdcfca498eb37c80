package store

// WorkspaceTable declares one table of a workspace as exports, snapshots
// and restores copy it (internal/backup). Every table of a tenant schema,
// and every platform table with a tenant_id, is declared here: copied, or
// left out with the reason (a test holds the code to it). Adding a table
// to the manifest is one line below; its columns are read from the
// database, so a new column is copied without a word here.
type WorkspaceTable struct {
	// Name is the table: a tenant table ("patterns"), or a platform table
	// ("platform.share_links").
	Name string
	// Order lists the columns that order the rows, a total order: exports
	// of the same rows are byte-identical.
	Order string
	// Skip are columns left out: derived from others and rebuilt by a
	// restore (the search documents).
	Skip []string
	// Users are columns holding platform user ids; a restore maps them
	// to the same people on this platform (by id and address, else by
	// address), or leaves them empty.
	Users []string
	// Tenant is, for a platform table, the column holding the tenant id.
	Tenant string
	// Parent and ParentColumn reach a platform table's rows through
	// another declared platform table: ParentColumn holds Parent's id.
	Parent, ParentColumn string
	// Renumber is, for a platform table, its identity column: platform
	// ids are shared by every workspace, so a restore gives its rows new
	// ones (and ParentColumn of its children follows).
	Renumber string
	// Leave, when set, says why the table is not copied.
	Leave string
}

// Platform reports whether the table lives in schema platform.
func (w *WorkspaceTable) Platform() bool { return len(w.Name) > 9 && w.Name[:9] == "platform." }

// Copied reports whether exports and snapshots hold the table.
func (w *WorkspaceTable) Copied() bool { return w.Leave == "" }

// WorkspaceTables are a workspace's tables, parents before children: the
// order of the manifest and of a restore.
var WorkspaceTables = []WorkspaceTable{
	{Name: "patterns", Order: "id", Skip: []string{"search_doc", "search_key", "search_text"}},
	{Name: "pattern_files", Order: "id"},
	// What a store sold: its store and delivery ids are the platform's
	// record of the sale, kept as they were (not references a restore
	// needs to hold).
	{Name: "purchases", Order: "id"},
	{Name: "keywords", Order: "id"},
	{Name: "pattern_keywords", Order: "pattern_id, keyword_id"},
	{Name: "keyword_groups", Order: "id"},
	{Name: "keyword_group_keywords", Order: "group_id, keyword_id"},
	{Name: "favorites", Order: "user_id, pattern_id", Users: []string{"user_id"}},
	{Name: "pinned_keywords", Order: "user_id, keyword_id", Users: []string{"user_id"}},
	{Name: "saved_searches", Order: "id", Users: []string{"user_id"}},
	{Name: "import_batches", Order: "id", Users: []string{"created_by"}},
	{Name: "import_log", Order: "id"},
	{Name: "pattern_events", Order: "id", Users: []string{"user_id"}},
	{Name: "duplicate_candidates", Order: "a_id, b_id", Users: []string{"decided_by"}},
	{Name: "activity", Order: "id", Users: []string{"user_id"}},
	{Name: "search_log", Order: "id", Users: []string{"user_id"}},
	// The quilting business. A job's share_id names the share link it came
	// from as it was numbered when copied (share links are renumbered by a
	// restore; the job keeps its designs and lines either way); its accept
	// and status token hashes are copied, so a customer's links work after
	// a restore. A photo's files are kept for snapshots like a design's
	// (backup_refs).
	{Name: "business_settings", Order: "id"},
	{Name: "price_items", Order: "id"},
	{Name: "customers", Order: "id"},
	{Name: "jobs", Order: "id"},
	{Name: "job_designs", Order: "job_id, pattern_id"},
	{Name: "job_lines", Order: "job_id, position"},
	{Name: "invoices", Order: "id"},
	{Name: "invoice_lines", Order: "invoice_id, position"},
	{Name: "payments", Order: "id"},
	{Name: "expenses", Order: "id"},
	{Name: "photos", Order: "id"},
	{Name: "photo_designs", Order: "photo_id, pattern_id"},
	{Name: "platform.share_links", Order: "id", Tenant: "tenant_id", Renumber: "id", Users: []string{"created_by"}},
	{Name: "platform.share_link_patterns", Order: "share_id, position", Parent: "platform.share_links", ParentColumn: "share_id"},
	{Name: "platform.share_link_votes", Order: "share_id, voter_id, pattern_id", Parent: "platform.share_links", ParentColumn: "share_id"},

	{Name: "import_uploads", Leave: "the files of an import still running; a restore waits until none is"},
	{Name: "import_files", Leave: "a store's README or licence kept once with an import, for reading on the import's page; its notes are copied with the designs they were lent to"},
	{Name: "dup_pending", Leave: "designs not yet compared for duplicates; restored designs are queued as they are inserted"},
	{Name: "pattern_embeddings", Leave: "derived from the designs' words and pictures; recomputed in the background after a restore"},
	{Name: "search_version", Leave: "a counter of the in-memory search index; a restore moves it on"},
	{Name: "schema_version", Leave: "the schema's own version; the manifest records it"},
	{Name: "backup_refs", Leave: "the backups' own bookkeeping"},
	{Name: "change_times", Leave: "when favourites and keywords last changed, to order changes made offline (last writer wins); a restore starts afresh"},
	{Name: "platform.tenants", Leave: "the workspace itself: its name, address, settings and logo are the manifest's header"},
	{Name: "platform.tenant_slug_history", Leave: "former addresses of the workspace, which stay with it"},
	{Name: "platform.memberships", Leave: "people and their roles: listed in the header, never granted by a restore"},
	{Name: "platform.invitations", Leave: "pending one-time invitations"},
	{Name: "platform.sessions", Leave: "sign-ins, credentials (a session may be bound to the workspace), never exported"},
	{Name: "platform.tenant_limits", Leave: "the platform's quotas for the workspace, which stay with it and are never set by a restore"},
	{Name: "platform.store_grants", Leave: "a store's access granted by a person, credentials, never exported"},
	{Name: "platform.store_auth_codes", Leave: "one-time codes of a store's sign-in, credentials"},
	{Name: "platform.store_deliveries", Leave: "the stores' deliveries in flight; what they delivered is in purchases and the designs"},
	{Name: "platform.subscriptions", Leave: "the workspace's plan and billing, which stay with it and are never set by a restore"},
	{Name: "platform.subscription_history", Leave: "the plan's history, the platform's billing record"},
	{Name: "platform.stripe_events", Leave: "Stripe's webhooks as received, the platform's billing record"},
	{Name: "platform.remote_searches", Leave: "searches by the remote model counted per month, the platform's metering"},
	{Name: "platform.share_link_notices", Leave: "when each guest's notice was last mailed, a rate limit of the mail"},
	{Name: "platform.api_tokens", Leave: "credentials, never exported"},
	{Name: "platform.audit_log", Leave: "the platform's own record of what admins did"},
	{Name: "platform.embedding_usage", Leave: "what semantic search cost, the platform's metering"},
	{Name: "platform.backup_snapshots", Leave: "the backups themselves"},
	{Name: "platform.backup_exports", Leave: "the backups themselves"},
	{Name: "platform.backup_restores", Leave: "the backups themselves"},
}

// WorkspaceTableByName returns the declaration of a table, or nil.
func WorkspaceTableByName(name string) *WorkspaceTable {
	for i := range WorkspaceTables {
		if WorkspaceTables[i].Name == name {
			return &WorkspaceTables[i]
		}
	}
	return nil
}
