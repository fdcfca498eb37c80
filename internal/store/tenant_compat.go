package store

import (
	"context"
	"time"
)

// The methods below run one TenantTx query in its own transaction. They
// remain while the handlers move to services and Store.Tenant; new code
// calls Store.Tenant.

// SetFavorite is TenantTx.SetFavorite in its own transaction.
func (s *Store) SetFavorite(ctx context.Context, tenantID, userID, patternID int64, fav bool) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.SetFavorite(ctx, userID, patternID, fav) })
}

// RecordEvent is TenantTx.RecordEvent in its own transaction.
func (s *Store) RecordEvent(ctx context.Context, tenantID, patternID, userID int64, kind, format string) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.RecordEvent(ctx, patternID, userID, kind, format) })
}

// File is TenantTx.File in its own transaction.
func (s *Store) File(ctx context.Context, tenantID, patternID, fileID int64) (*PatternFile, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*PatternFile, error) { return tx.File(ctx, patternID, fileID) })
}

// OrientationCandidates is TenantTx.OrientationCandidates in its own transaction.
func (s *Store) OrientationCandidates(ctx context.Context, tenantID int64, limit int) ([]*Pattern, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*Pattern, error) { return tx.OrientationCandidates(ctx, limit) })
}

// AddKeywords is TenantTx.AddKeywords in its own transaction.
func (s *Store) AddKeywords(ctx context.Context, tenantID int64, patternIDs []int64, names []string) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.AddKeywords(ctx, patternIDs, names) })
}

// RemoveKeywords is TenantTx.RemoveKeywords in its own transaction.
func (s *Store) RemoveKeywords(ctx context.Context, tenantID int64, patternIDs []int64, names []string) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.RemoveKeywords(ctx, patternIDs, names) })
}

// SetKeywords is TenantTx.SetKeywords in its own transaction.
func (s *Store) SetKeywords(ctx context.Context, tenantID, patternID int64, names []string) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.SetKeywords(ctx, patternID, names) })
}

// Keywords is TenantTx.Keywords in its own transaction.
func (s *Store) Keywords(ctx context.Context, tenantID int64) ([]*Keyword, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*Keyword, error) { return tx.Keywords(ctx) })
}

// RenameKeyword is TenantTx.RenameKeyword in its own transaction.
func (s *Store) RenameKeyword(ctx context.Context, tenantID, userID, id int64, name string) (int64, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (int64, error) { return tx.RenameKeyword(ctx, userID, id, name) })
}

// MergeKeywords is TenantTx.MergeKeywords in its own transaction.
func (s *Store) MergeKeywords(ctx context.Context, tenantID, userID, from, into int64) (int64, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (int64, error) { return tx.MergeKeywords(ctx, userID, from, into) })
}

// DeleteKeyword is TenantTx.DeleteKeyword in its own transaction.
func (s *Store) DeleteKeyword(ctx context.Context, tenantID, id int64) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.DeleteKeyword(ctx, id) })
}

// KeywordGroups is TenantTx.KeywordGroups in its own transaction.
func (s *Store) KeywordGroups(ctx context.Context, tenantID int64) ([]*KeywordGroup, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*KeywordGroup, error) { return tx.KeywordGroups(ctx) })
}

// CreateKeywordGroup is TenantTx.CreateKeywordGroup in its own transaction.
func (s *Store) CreateKeywordGroup(ctx context.Context, tenantID int64, name string) (*KeywordGroup, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*KeywordGroup, error) { return tx.CreateKeywordGroup(ctx, name) })
}

// SetKeywordGroup is TenantTx.SetKeywordGroup in its own transaction.
func (s *Store) SetKeywordGroup(ctx context.Context, tenantID, keywordID, groupID int64, in bool) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.SetKeywordGroup(ctx, keywordID, groupID, in) })
}

// DeleteKeywordGroup is TenantTx.DeleteKeywordGroup in its own transaction.
func (s *Store) DeleteKeywordGroup(ctx context.Context, tenantID, id int64) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.DeleteKeywordGroup(ctx, id) })
}

// KeywordNames is TenantTx.KeywordNames in its own transaction.
func (s *Store) KeywordNames(ctx context.Context, tenantID int64) ([]string, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]string, error) { return tx.KeywordNames(ctx) })
}

// SetKeywordPinned is TenantTx.SetKeywordPinned in its own transaction.
func (s *Store) SetKeywordPinned(ctx context.Context, tenantID, userID, keywordID int64, pinned bool) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.SetKeywordPinned(ctx, userID, keywordID, pinned) })
}

// PinnedKeywords is TenantTx.PinnedKeywords in its own transaction.
func (s *Store) PinnedKeywords(ctx context.Context, tenantID, userID int64) ([]string, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]string, error) { return tx.PinnedKeywords(ctx, userID) })
}

// Undo is TenantTx.Undo in its own transaction.
func (s *Store) Undo(ctx context.Context, tenantID, activityID int64) (string, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (string, error) { return tx.Undo(ctx, activityID) })
}

// SaveSearch is TenantTx.SaveSearch in its own transaction.
func (s *Store) SaveSearch(ctx context.Context, tenantID, userID int64, ss *SavedSearch) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.SaveSearch(ctx, userID, ss) })
}

// SavedSearches is TenantTx.SavedSearches in its own transaction.
func (s *Store) SavedSearches(ctx context.Context, tenantID, userID int64) ([]*SavedSearch, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*SavedSearch, error) { return tx.SavedSearches(ctx, userID) })
}

// DeleteSavedSearch is TenantTx.DeleteSavedSearch in its own transaction.
func (s *Store) DeleteSavedSearch(ctx context.Context, tenantID, userID, id int64) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.DeleteSavedSearch(ctx, userID, id) })
}

// CreateShare is TenantTx.CreateShare in its own transaction.
func (s *Store) CreateShare(ctx context.Context, l *ShareLink, tokenHash []byte) (*ShareLink, error) {
	return tenantValue(ctx, s, l.TenantID, func(tx *TenantTx) (*ShareLink, error) { return tx.CreateShare(ctx, l, tokenHash) })
}

// Share is TenantTx.Share in its own transaction.
func (s *Store) Share(ctx context.Context, tenantID, id int64) (*ShareLink, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) (*ShareLink, error) { return tx.Share(ctx, id) })
}

// Shares is TenantTx.Shares in its own transaction.
func (s *Store) Shares(ctx context.Context, tenantID int64) ([]*ShareLink, error) {
	return tenantValue(ctx, s, tenantID, func(tx *TenantTx) ([]*ShareLink, error) { return tx.Shares(ctx) })
}

// UpdateShare is TenantTx.UpdateShare in its own transaction.
func (s *Store) UpdateShare(ctx context.Context, tenantID, id int64, expires *time.Time, revoke bool) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.UpdateShare(ctx, id, expires, revoke) })
}

// DeleteShare is TenantTx.DeleteShare in its own transaction.
func (s *Store) DeleteShare(ctx context.Context, tenantID, id int64) error {
	return s.Tenant(ctx, tenantID, func(tx *TenantTx) error { return tx.DeleteShare(ctx, id) })
}
