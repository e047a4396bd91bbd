package campaigns

import (
	"context"
	"strings"
	"testing"

	"outreach/migrations/testdb"
)

// The prepared statements' generic plans, which Postgres may use for every
// call after the fifth, must find the rows to update by primary key, not
// by a scan of recipients, however many rows the table holds.
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
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	for _, call := range []string{`queue(1, 100, 7)`, `claim(7, 50, 'example.org', 1)`} {
		var lines []string
		if err := conn.SelectContext(ctx, &lines, `EXPLAIN (COSTS OFF) EXECUTE `+call); err != nil {
			t.Fatal(err)
		}
		plan := strings.Join(lines, "\n")
		if strings.Contains(plan, "Seq Scan on recipients") || !strings.Contains(plan, "Index Cond: (id = ANY") {
			t.Errorf("generic plan of %s does not update by primary key:\n%s", call, plan)
		}
	}
}
