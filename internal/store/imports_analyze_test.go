package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/store"
	"github.com/patternvault/patternvault/internal/testdb"
)

// TestImportedFilesAndStatistics records patterns and files as an import
// does (files in one statement, in order), finds their owners by content,
// and refreshes the planner's statistics once the library has grown, not
// before and not again until it grows more.
func TestImportedFilesAndStatistics(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	st := store.New(testdb.New(t))
	tn := newTenants(t, st, 1)[0]
	if did, err := st.AnalyzeGrownLibrary(ctx, tn.ID); err != nil || did {
		t.Fatalf("empty library: analysed %v, %v", did, err)
	}
	ids, err := st.ReservePatternIDs(ctx, tn.ID, 300)
	if err != nil {
		t.Fatal(err)
	}
	var ps []*store.Pattern
	var files []*store.PatternFile
	for i, id := range ids {
		ps = append(ps, &store.Pattern{ID: id, Name: fmt.Sprintf("Design %d", i), Type: "block"})
		for j := range 2 {
			sum := []byte(fmt.Sprintf("%032d", i*2+j))
			files = append(files, &store.PatternFile{PatternID: id, Role: store.RoleDesign, Format: "qli",
				FileName: fmt.Sprintf("d%d-%d.qli", i, j), Size: 10, SHA256: sum, BlobKey: fmt.Sprintf("%d/blobs/%d", tn.ID, i*2+j)})
		}
	}
	err = st.Tenant(ctx, tn.ID, func(tx *store.TenantTx) error {
		if err := tx.InsertImported(ctx, ps, files); err != nil {
			return err
		}
		owners, err := tx.FileOwners(ctx, [][]byte{files[0].SHA256, files[599].SHA256, []byte("none")})
		if err != nil {
			return err
		}
		if len(owners) != 2 || owners[string(files[0].SHA256)].PatternID != ids[0] || owners[string(files[599].SHA256)].PatternID != ids[299] {
			t.Errorf("owners = %v", owners)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Files(ctx, tn.ID, ids[7])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].FileName != "d7-0.qli" || got[1].FileName != "d7-1.qli" || got[0].ID > got[1].ID {
		t.Fatalf("files of a pattern: %+v", got)
	}
	// PostgreSQL counts live rows a moment after the commit (a backend
	// reports its counts at most once a second).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		did, err := st.AnalyzeGrownLibrary(ctx, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if did {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("grown library: never analysed")
		}
	}
	if did, err := st.AnalyzeGrownLibrary(ctx, tn.ID); err != nil || did {
		t.Fatalf("just analysed: analysed %v, %v", did, err)
	}
}
