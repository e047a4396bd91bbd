package campaigns

import (
	"context"
	"strings"
	"testing"

	"outreach/migrations/testdb"
)

// The prepared statements' generic plans, which Postgres may use for every
// call after the fifth, must find the rows to update by primary key or by
// batch, not by a scan of recipients, however many rows the table holds.
func TestPreparedStatementsGenericPlans(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setup := []string{
		`INSERT INTO campaigns (id, name, status, from_address) VALUES (1, 'c', 'running', 'a@example.org')`,
		`INSERT INTO contacts (email) SELECT 'p' || g || '@example.org' FROM generate_series(1, 20000) g`,
		`INSERT INTO recipients (campaign_id, step, contact_id) SELECT 1, 0, id FROM contacts`,
		`ANALYZE recipients`,
		`SET plan_cache_mode = force_generic_plan`,
		`PREPARE queue(bigint, int, bigint) AS ` + queueSQL,
		`PREPARE claim(bigint, int, text, bigint) AS ` + claimSQL,
		`PREPARE record(bigint[], bigint[], text[], text[], timestamptz[], timestamptz[], bigint) AS ` + recordSQL,
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	calls := map[string]string{ // the call and how it must find its rows
		`queue(1, 100, 7)`:               "Index Cond: (id = ANY",
		`claim(7, 50, 'example.org', 1)`: "Index Cond: (id = ANY",
		`record('{1}', '{1}', '{sent}', '{""}', '{NULL}', '{2026-01-01}', 7)`: "Index Cond: (batch_id = $7)",
	}
	for call, lookup := range calls {
		var lines []string
		if err := conn.SelectContext(ctx, &lines, `EXPLAIN (COSTS OFF) EXECUTE `+call); err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		if strings.Contains(plan, "Seq Scan on recipients") || !strings.Contains(plan, lookup) {
			t.Errorf("generic plan of %s does not find its rows with %q:\n%s", call, lookup, plan)
		}
	}
}
