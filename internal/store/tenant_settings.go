package store

import "context"

// SetTenantAddress keeps the workspace's postal address (lines of text)
// in its settings, under "address".
func (s *Store) SetTenantAddress(ctx context.Context, id int64, address string) error {
	return s.execOne(ctx, "set tenant address", `UPDATE platform.tenants
		SET settings = jsonb_set(settings, '{address}', to_jsonb($2::text)) WHERE id = $1`, id, address)
}

// Address is the workspace's postal address ("" when none was given).
func (t *Tenant) Address() string {
	a, _ := t.Settings["address"].(string)
	return a
}
