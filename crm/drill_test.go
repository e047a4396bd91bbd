package crm_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	libpq "github.com/lib/pq"

	"outreach/crm"
	"outreach/crm/demo"
)

// Fault drills for imports: the database fails in the middle of one. An
// import is one transaction, so whatever breaks, the coordinator gets an
// error that says the import failed and why, and finds the database as it
// was before, ready for the same file again.

// tableCounts counts what an import writes.
type tableCounts struct{ contacts, organisations, activities int }

func countTables(t *testing.T, db *sqlx.DB) tableCounts {
	t.Helper()
	var c tableCounts
	err := db.QueryRow(`SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM organisations),
		(SELECT count(*) FROM activities)`).Scan(&c.contacts, &c.organisations, &c.activities)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func demoFile(t *testing.T, contacts int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := demo.WriteCSV(&b, demo.Options{Seed: 8, Contacts: contacts}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDrillImportDiskFull fills the disk, as far as Postgres tells, while
// an import writes its contacts: a trigger raises disk_full on a contact
// near the end of a 5,000-row file.
func TestDrillImportDiskFull(t *testing.T) {
	const n = 5000
	db := newDB(t)
	ctx := context.Background()
	file := demoFile(t, n)
	rows, err := csv.NewReader(bytes.NewReader(file)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	late := strings.ToLower(strings.TrimSpace(rows[n-300][0])) // a row 300 from the end; column 0 is email
	db.MustExec(`CREATE FUNCTION drill_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.email = ` + libpq.QuoteLiteral(late) + ` THEN
				RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER drill_disk_full BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION drill_disk_full()`)
	before := countTables(t, db)
	start := time.Now()
	_, err = crm.ImportCSV(ctx, db, bytes.NewReader(file), crm.ImportOptions{Source: "drill.csv"})
	took := time.Since(start)
	after := countTables(t, db)
	t.Logf("drill import-disk-full: rows=%d contacts_added=%d organisations_added=%d activities_added=%d err=%q took=%s",
		n, after.contacts-before.contacts, after.organisations-before.organisations, after.activities-before.activities,
		err, took.Round(10*time.Millisecond))
	var pqErr *libpq.Error
	if !errors.As(err, &pqErr) || pqErr.Code.Name() != "disk_full" {
		t.Fatalf("err = %v, want the import to fail with Postgres's disk_full", err)
	}
	if !strings.HasPrefix(err.Error(), "import: ") || !strings.Contains(err.Error(), "could not extend file") {
		t.Errorf("error %q should say the import failed and why", err)
	}
	if after != before {
		t.Errorf("a failed import left data behind: before %+v, after %+v", before, after)
	}
	db.MustExec(`DROP TRIGGER drill_disk_full ON contacts`)
	res, err := crm.ImportCSV(ctx, db, bytes.NewReader(file), crm.ImportOptions{Source: "drill.csv"})
	if err != nil {
		t.Fatalf("import after the disk was freed: %v", err)
	}
	again := countTables(t, db)
	if res.Inserted == 0 || res.Inserted+res.Duplicates+len(res.Rejected) != n || again.contacts-before.contacts != res.Inserted {
		t.Errorf("re-run: %d inserted, %d duplicates, %d rejected of %d rows; %d contacts added",
			res.Inserted, res.Duplicates, len(res.Rejected), n, again.contacts-before.contacts)
	}
	var late0 int
	db.Get(&late0, `SELECT count(*) FROM contacts WHERE email = $1`, late)
	if late0 != 1 {
		t.Errorf("the contact that hit the full disk was not imported on the re-run")
	}
}

// TestDrillImportConnectionKilledMidCopy terminates the importing backend
// while it streams a large file into Postgres, as a database restart or
// an administrator would.
func TestDrillImportConnectionKilledMidCopy(t *testing.T) {
	const n = 200_000
	db := newDB(t)
	ctx := context.Background()
	file := demoFile(t, n)
	before := countTables(t, db)
	var dbname string
	if err := db.Get(&dbname, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	// The killer watches from a connection of its own for the COPY, and
	// terminates that backend once it has been copying for a moment.
	killed := make(chan int, 1)
	killCtx, stopKiller := context.WithCancel(ctx)
	defer stopKiller()
	go func() {
		defer close(killed)
		for killCtx.Err() == nil {
			var pids []int
			err := db.SelectContext(killCtx, &pids, `SELECT pid FROM pg_stat_activity
				WHERE datname = $1 AND pid <> pg_backend_pid() AND state = 'active'
				AND query LIKE 'COPY import_stage%' AND now() - query_start > interval '100 milliseconds'`, dbname)
			if err == nil && len(pids) > 0 {
				db.ExecContext(killCtx, `SELECT pg_terminate_backend($1)`, pids[0])
				killed <- pids[0]
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	start := time.Now()
	_, err := crm.ImportCSV(ctx, db, bytes.NewReader(file), crm.ImportOptions{Source: "drill.csv"})
	took := time.Since(start)
	stopKiller()
	pid, wasKilled := <-killed
	after := countTables(t, db)
	t.Logf("drill import-killed-mid-copy: rows=%d killed_backend=%v contacts_added=%d organisations_added=%d err=%q took=%s",
		n, wasKilled, after.contacts-before.contacts, after.organisations-before.organisations, err, took.Round(10*time.Millisecond))
	if !wasKilled {
		t.Fatalf("the COPY was never seen running (import took %s, err %v): the file is too small to catch it", took, err)
	}
	if err == nil {
		t.Fatalf("the import of backend %d succeeded although it was terminated", pid)
	}
	if !strings.HasPrefix(err.Error(), "import: ") {
		t.Errorf("error %q should say the import failed", err)
	}
	if after != before {
		t.Errorf("a killed import left data behind: before %+v, after %+v", before, after)
	}
	// The pool drops the dead connection: the coordinator's next import works.
	res, err := crm.ImportCSV(ctx, db, strings.NewReader("email\nafter.drill@example.org\n"), crm.ImportOptions{Source: "test"})
	if err != nil || res.Inserted != 1 {
		t.Errorf("import after the kill: %+v, %v", res, err)
	}
}
