package db_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/patternvault/patternvault/internal/db"
	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// TestCitusSchemaSharding keeps the schema ready for Citus' schema-based
// sharding (docs/scaling.md): each tenant schema becomes a distributed
// schema, moved whole between worker nodes, so
//   - a tenant table may reference (foreign key) only tables of its own
//     schema or a platform table that will be a Citus reference table
//     (db.CitusReferenceTables); no platform table references a tenant table;
//   - nothing in a tenant schema (view, function, trigger, default) depends
//     on another tenant's schema;
//   - no SQL in the code names a tenant schema (tenant SQL reaches its
//     schema only through the transaction's search_path, so a query can
//     never join two tenants), and SQL that mixes tenant tables with
//     platform tables touches only reference tables.
func TestCitusSchemaSharding(t *testing.T) {
	t.Parallel()
	d := testdb.New(t)
	ctx := context.Background()
	createTenants(t, store.New(d), 2)

	type fk struct{ name, from, fromSchema, to, toSchema string }
	rows, err := d.Pool.Query(ctx, `
		SELECT c.conname, fr.relname, fn.nspname, tr.relname, tn.nspname
		FROM pg_constraint c
		JOIN pg_class fr ON fr.oid = c.conrelid JOIN pg_namespace fn ON fn.oid = fr.relnamespace
		JOIN pg_class tr ON tr.oid = c.confrelid JOIN pg_namespace tn ON tn.oid = tr.relnamespace
		WHERE c.contype = 'f' AND (fn.nspname = 'platform' OR fn.nspname ~ '^t_[0-9]+$')`)
	if err != nil {
		t.Fatal(err)
	}
	var fks []fk
	for rows.Next() {
		var f fk
		if err := rows.Scan(&f.name, &f.from, &f.fromSchema, &f.to, &f.toSchema); err != nil {
			t.Fatal(err)
		}
		fks = append(fks, f)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	tenantFKs := 0
	for _, f := range fks {
		fromTenant, toTenant := db.ValidSchema(f.fromSchema), db.ValidSchema(f.toSchema)
		switch {
		case fromTenant && toTenant && f.fromSchema != f.toSchema:
			t.Errorf("foreign key %s: %s.%s references another tenant's %s.%s", f.name, f.fromSchema, f.from, f.toSchema, f.to)
		case fromTenant && f.toSchema == "platform" && !slices.Contains(db.CitusReferenceTables, f.to):
			t.Errorf("foreign key %s: tenant table %s.%s references platform.%s, which is not a Citus reference table (db.CitusReferenceTables); Citus refuses a distributed schema's foreign key to a local table", f.name, f.fromSchema, f.from, f.to)
		case !fromTenant && toTenant:
			t.Errorf("foreign key %s: platform.%s references tenant table %s.%s; Citus cannot keep it once the schema moves", f.name, f.from, f.toSchema, f.to)
		case fromTenant && f.fromSchema != "platform" && f.toSchema != "platform" && !toTenant:
			t.Errorf("foreign key %s: tenant table %s.%s references %s.%s outside the tenant and platform", f.name, f.fromSchema, f.from, f.toSchema, f.to)
		}
		if fromTenant {
			tenantFKs++
		}
	}
	if tenantFKs == 0 {
		t.Fatal("no foreign key found in the tenant schemas: the catalogue query is wrong")
	}

	// Anything in one tenant schema that depends on a relation, type or
	// function of another schema except platform, public and pg_catalog.
	var bad []string
	rows, err = d.Pool.Query(ctx, `
		WITH objs AS (
			SELECT 'pg_class'::regclass AS classid, c.oid, n.nspname, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ '^t_[0-9]+$'
			UNION ALL SELECT 'pg_proc'::regclass, p.oid, n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname ~ '^t_[0-9]+$'
			UNION ALL SELECT 'pg_rewrite'::regclass, r.oid, n.nspname, c.relname FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ '^t_[0-9]+$'
			UNION ALL SELECT 'pg_trigger'::regclass, g.oid, n.nspname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ '^t_[0-9]+$'
			UNION ALL SELECT 'pg_attrdef'::regclass, a.oid, n.nspname, c.relname FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname ~ '^t_[0-9]+$'
		), refs AS (
			SELECT o.nspname, o.name, coalesce(rn.nspname, pn.nspname, tn.nspname) AS ref_schema,
			       coalesce(rc.relname, rp.proname, rt.typname) AS ref_name
			FROM objs o
			JOIN pg_depend dep ON dep.classid = o.classid AND dep.objid = o.oid
			LEFT JOIN pg_class rc ON dep.refclassid = 'pg_class'::regclass AND rc.oid = dep.refobjid
			LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
			LEFT JOIN pg_proc rp ON dep.refclassid = 'pg_proc'::regclass AND rp.oid = dep.refobjid
			LEFT JOIN pg_namespace pn ON pn.oid = rp.pronamespace
			LEFT JOIN pg_type rt ON dep.refclassid = 'pg_type'::regclass AND rt.oid = dep.refobjid
			LEFT JOIN pg_namespace tn ON tn.oid = rt.typnamespace
		)
		SELECT DISTINCT nspname || '.' || name || ' -> ' || ref_schema || '.' || ref_name, ref_schema
		FROM refs WHERE ref_schema IS NOT NULL AND ref_schema <> nspname
		  AND ref_schema NOT IN ('pg_catalog', 'public', 'platform', 'information_schema')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s, schema string
		if err := rows.Scan(&s, &schema); err != nil {
			t.Fatal(err)
		}
		bad = append(bad, s)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(bad) > 0 {
		t.Errorf("tenant schema objects depend on another schema (Citus moves each tenant schema alone): %s", strings.Join(bad, "; "))
	}

	// Tenant tables, to recognise tenant SQL in the code.
	var tenantTables []string
	if err := d.Pool.QueryRow(ctx, `SELECT array_agg(relname::text) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = (SELECT min(nspname) FROM pg_namespace WHERE nspname ~ '^t_[0-9]+$') AND c.relkind IN ('r', 'p', 'v', 'm')`).Scan(&tenantTables); err != nil {
		t.Fatal(err)
	}
	checkSQLForCitus(t, tenantTables)
}

var (
	sqlLike = regexp.MustCompile(`(?i)\b(select|insert\s+into|update|delete\s+from)\b`)
	// A tenant schema named in SQL: t_123.x, "t_123".x, t_%d.x, or a
	// schema pasted in front of a name (%s.x).
	namedTenant = regexp.MustCompile(`(?i)("?\bt_([0-9]+|%[dsv])"?\s*\.)|(\b(from|join|into|update)\s+%[sv]\s*\.)`)
	platformRef = regexp.MustCompile(`\bplatform\.([a-z_]+)\b`)
	tableRef    = regexp.MustCompile(`(?i)\b(?:from|join|into|update)\s+([a-z_]+)\b`)
)

// checkSQLForCitus reads every SQL string literal in the module's non-test
// Go code and fails on SQL that names a tenant schema, or that mixes tenant
// tables with platform tables that are not reference tables.
func checkSQLForCitus(t *testing.T, tenantTables []string) {
	t.Helper()
	root := moduleRoot(t)
	fset := token.NewFileSet()
	literals := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !sqlLike.MatchString(s) {
				return true
			}
			literals++
			where := fset.Position(lit.Pos())
			rel, _ := filepath.Rel(root, where.Filename)
			if m := namedTenant.FindString(s); m != "" {
				t.Errorf("%s:%d: SQL names a tenant schema (%q); tenant SQL must reach its schema through search_path only", rel, where.Line, m)
			}
			platform := platformRef.FindAllStringSubmatch(s, -1)
			if len(platform) == 0 {
				return true
			}
			tenantSide := false
			for _, m := range tableRef.FindAllStringSubmatch(s, -1) {
				if slices.Contains(tenantTables, strings.ToLower(m[1])) {
					tenantSide = true
				}
			}
			if !tenantSide {
				return true
			}
			for _, m := range platform {
				name := m[1]
				if !slices.Contains(db.CitusReferenceTables, name) && !slices.Contains(db.CitusPlatformFunctions, name) {
					t.Errorf("%s:%d: tenant SQL uses platform.%s, which is neither a Citus reference table (db.CitusReferenceTables) nor a function created on every node (db.CitusPlatformFunctions)", rel, where.Line, name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if literals < 50 {
		t.Fatalf("found only %d SQL literals under internal/: the scan is wrong", literals)
	}
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}
