package segment

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jmoiron/sqlx"

	"outreach/migrations/testdb"
)

// seed writes a small CRM: three organisations (one without a type) and
// five contacts, one of them erased, spread over every field. Contact 3 has
// no organisation, no country and no last name, which is where a
// three-valued NOT would go wrong.
const seed = `
INSERT INTO organisations (id, name, type, country) VALUES
  (1, 'Größer GmbH', 'business_support', 'DE'),
  (2, 'Aid e.V.', 'ngo', 'AT'),
  (3, 'Untyped Ltd', '', 'DE');
INSERT INTO contacts (id, email, first_name, last_name, job_title, seniority, organisation_id,
                      country, language, topics, tags, consent, created_at, erased_at, email_hash) VALUES
  (1, 'anna@x.org', 'Anna', 'Muster', 'Project Manager', 'middle', 1, 'DE', 'de',
   '{access_to_finance}', '{vip}', 'opt_in', '2026-01-10T08:00:00Z', NULL, NULL),
  (2, 'ben@y.org', 'Ben', 'Berg', 'CEO', 'executive', 2, 'AT', '',
   '{coaching_mentoring}', '{}', 'legitimate_interest', '2026-01-31T23:30:00Z', NULL, NULL),
  (3, 'cleo@z.org', 'Cleo', '', '', 'unknown', NULL, '', 'en',
   '{}', '{vip,"50%_off"}', 'unsubscribed', '2026-02-01T00:00:00Z', NULL, NULL),
  (4, NULL, 'Erased', '', '', 'middle', 1, 'DE', 'de',
   '{access_to_finance}', '{vip}', 'opt_in', '2026-01-10T08:00:00Z', now(), 'hash'),
  (5, 'dan@x.org', 'Dan', 'O''Brien', 'Trainer', 'operational', 3, 'DE', 'de',
   '{}', '{}', 'opt_in', '2026-03-01T00:00:00Z', NULL, NULL);
INSERT INTO activities (contact_id, kind) VALUES (1, 'replied'), (2, 'opened');
`

func TestWherePostgres(t *testing.T) {
	db, _ := testdb.New(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	tests := []struct {
		src  string
		want []int64
	}{
		{``, []int64{1, 2, 3, 5}},
		{`country = DE`, []int64{1, 5}},
		{`country != de`, []int64{2, 3}},
		{`not country in (Germany, AT)`, []int64{3}},
		{`country = ""`, []int64{3}},
		{`organisation_type = ngo`, []int64{2}},
		{`organisation_type != ngo`, []int64{1, 3, 5}},
		{`not organisation_type = ngo`, []int64{1, 3, 5}},
		{`organisation_type not in (ngo, business_support)`, []int64{3, 5}},
		{`organisation ~ GMBH`, []int64{1}},
		{`organization = "größer gmbh"`, []int64{1}},
		{`not organisation ~ e.V.`, []int64{1, 3, 5}},
		{`last_name = ""`, []int64{3}},
		{`last_name = "o'brien"`, []int64{5}},
		{`job_title ~ MANAGER`, []int64{1}},
		{`job_title in (ceo, trainer)`, []int64{2, 5}},
		{`email ~ "@X."`, []int64{1, 5}},
		{`email = ANNA@X.ORG`, []int64{1}},
		{`email != anna@x.org`, []int64{2, 3, 5}},
		{`seniority in (middle, operational) and country = DE`, []int64{1, 5}},
		{`language = german or language = ""`, []int64{1, 2, 5}},
		{`consent = unsubscribed`, []int64{3}},
		{`topics contains access_to_finance`, []int64{1}},
		{`topics in (access_to_finance, coaching_mentoring)`, []int64{1, 2}},
		{`tags not in (vip)`, []int64{2, 5}},
		{`tags contains "50%_off"`, []int64{3}},
		{`created_at = 2026-01-31`, []int64{2}},
		{`created_at <= 2026-01-31`, []int64{1, 2}},
		{`created_at > 2026-01-31`, []int64{3, 5}},
		{`created_at < 2026-02-01T00:00:00Z`, []int64{1, 2}},
		{`(seniority = executive or consent = unsubscribed) and not tags contains vip`, []int64{2}},
		{`replied`, []int64{1}},
		{`not replied and not opened`, []int64{3, 5}},
		{`not (replied or opened) or country = AT`, []int64{2, 3, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, selectIDs(t, db, tt.src)); diff != "" {
				t.Errorf("Where(%q) contacts mismatch (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// selectIDs runs the expression the way callers do, after a parameter of
// the caller's own, so that placeholder numbering is exercised too.
func selectIDs(t *testing.T, db *sqlx.DB, src string) []int64 {
	t.Helper()
	args := NewArgs(1)
	minID := args.Add(int64(0))
	cond, err := Where(src, args, hooked)
	if err != nil {
		t.Fatalf("Where(%q): %v", src, err)
	}
	query := "SELECT c.id FROM contacts c WHERE c.erased_at IS NULL AND c.id > " + minID + " AND (" + cond + ") ORDER BY c.id"
	ids := []int64{}
	if err := db.SelectContext(context.Background(), &ids, query, args.Values()...); err != nil {
		t.Fatalf("Where(%q) = %s: %v", src, cond, err)
	}
	return ids
}

// TestWhereUsesIndexes checks that the equality and containment shapes
// leave the planner its indexes; seq scans are disabled so that a tiny
// table does not hide a condition that could not use one.
func TestWhereUsesIndexes(t *testing.T) {
	db, _ := testdb.New(t)
	tests := []struct{ src, index string }{
		{`country = DE`, "contacts_country_idx"},
		{`topics contains access_to_finance`, "contacts_topics_idx"},
		{`tags in (a, b)`, "contacts_tags_idx"},
		{`email = x@y.org`, "contacts_email_key"},
		{`organisation = "acme gmbh"`, "organisations_name_key"},
		{`organisation_type = ngo`, "organisations_type_idx"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			if plan := explain(t, db, tt.src); !strings.Contains(plan, tt.index) {
				t.Errorf("plan for %q does not use %s:\n%s", tt.src, tt.index, plan)
			}
		})
	}
}

func explain(t *testing.T, db *sqlx.DB, src string) string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	args := NewArgs(1)
	cond, err := Where(src, args, Options{})
	if err != nil {
		t.Fatalf("Where(%q): %v", src, err)
	}
	var lines []string
	if err := tx.SelectContext(ctx, &lines, "EXPLAIN SELECT c.id FROM contacts c WHERE c.erased_at IS NULL AND ("+cond+")", args.Values()...); err != nil {
		t.Fatalf("EXPLAIN %s: %v", cond, err)
	}
	return strings.Join(lines, "\n")
}
