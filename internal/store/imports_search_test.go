package store_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// TestImportedSearchColumns checks that InsertImported writes the search
// columns that RefreshSearch (every edit's way) writes: the same
// documents and text, byte for byte, for names, keywords (new, existing
// in another case, repeated), designers, types and notes with accents.
func TestImportedSearchColumns(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := store.New(testdb.New(t))
	tn := newTenants(t, st, 1)[0]
	ids, err := st.ReservePatternIDs(ctx, tn.ID, 4)
	if err != nil {
		t.Fatal(err)
	}
	w, batch := float32(12.5), int64(3)
	ps := []*store.Pattern{
		{ID: ids[0], Name: "Plume Café", Designer: "Zoë Brontë", Type: "e2e", Notes: "Crème brûlée swirls; naïve FEATHERS",
			Keywords: []string{"Feather", "café  feather", "swirl", "Swirl ", "étoile"}, WidthIn: &w, BatchID: &batch},
		{ID: ids[1], Name: "Block 2", Type: "block"},
		{ID: ids[2], Name: "Über Border", Designer: "Ann", Type: "border", Notes: "x", Keywords: []string{"border", "Feather"}},
		{ID: ids[3], Name: "Pantograph – Waves", Designer: "Ann Ó Súilleabháin", Type: "e2e", Keywords: []string{"waves & water"}},
	}
	read := func(tx pgx.Tx) map[int64]string {
		rows, err := tx.Query(ctx, `SELECT id, search_key::text || '|' || search_doc::text || '|' || search_text FROM patterns WHERE id = ANY($1)`, ids)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]string{}
		var id int64
		var s string
		if _, err := pgx.ForEachRow(rows, []any{&id, &s}, func() error { out[id] = s; return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	err = st.Tenant(ctx, tn.ID, func(tx *store.TenantTx) error {
		// A keyword that exists already, spelled with capitals.
		if _, err := tx.Tx().Exec(ctx, `INSERT INTO keywords (name) VALUES ('Café Feather')`); err != nil {
			return err
		}
		if err := tx.InsertImported(ctx, ps, nil); err != nil {
			return err
		}
		inserted := read(tx.Tx())
		if len(inserted) != len(ps) {
			t.Fatalf("%d patterns inserted, want %d", len(inserted), len(ps))
		}
		if err := store.RefreshSearch(ctx, tx.Tx(), ids); err != nil {
			return err
		}
		if refreshed := read(tx.Tx()); !maps.Equal(inserted, refreshed) {
			for _, id := range ids {
				if inserted[id] != refreshed[id] {
					t.Errorf("pattern %d: inserted\n%s\nrefreshed\n%s", id, inserted[id], refreshed[id])
				}
			}
		}
		t.Logf("%s", inserted[ids[0]])
		var kws []string
		rows, err := tx.Tx().Query(ctx, `SELECT pk.pattern_id || ':' || k.name FROM pattern_keywords pk JOIN keywords k ON k.id = pk.keyword_id ORDER BY 1`)
		if err != nil {
			return err
		}
		if kws, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		want := []string{
			fmt.Sprintf("%d:Café Feather", ids[0]), fmt.Sprintf("%d:feather", ids[0]), fmt.Sprintf("%d:swirl", ids[0]), fmt.Sprintf("%d:étoile", ids[0]),
			fmt.Sprintf("%d:border", ids[2]), fmt.Sprintf("%d:feather", ids[2]), fmt.Sprintf("%d:waves & water", ids[3]),
		}
		if fmt.Sprint(kws) != fmt.Sprint(want) {
			t.Errorf("keywords %q, want %q", kws, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
