package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/demo"
)

// demoSegments are saved with the demo data so the segment views have
// something to show; they are the questions our users ask.
var demoSegments = []struct{ name, where string }{
	{"Middle managers in business support, DACH", `seniority in (middle, operational) and organisation_type = business_support and country in (DE, AT, CH)`},
	{"Heads of organisations", `seniority = executive`},
	{"Access to finance community", `topics contains access_to_finance and consent != unsubscribed`},
	{"Coaches and mentors", `job_title ~ coach or job_title ~ mentor or topics contains coaching_mentoring`},
}

func runDemo(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	orgs := fs.Int("organisations", 300, "organisations to generate")
	contacts := fs.Int("contacts", 3000, "contacts to generate")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same network")
	cfg, err := setup(e, fs, args)
	if err != nil {
		return err
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	return loadDemo(ctx, e, db, demo.Options{Seed: *seed, Organisations: *orgs, Contacts: *contacts})
}

func loadDemoIfEmpty(ctx context.Context, e env, db *sqlx.DB) error {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM contacts`); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if err := loadDemo(ctx, e, db, demo.Options{Seed: 1, Organisations: 300, Contacts: 3000}); err != nil {
		return err
	}
	secret, _, err := crm.CreateAPIKey(ctx, db, "demo", crm.RoleAdmin)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "demo API key (admin), shown once: %s\n", secret)
	return nil
}

func loadDemo(ctx context.Context, e env, db *sqlx.DB, opts demo.Options) error {
	var buf bytes.Buffer
	if err := demo.WriteCSV(&buf, opts); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	res, err := crm.ImportCSV(ctx, db, &buf, crm.ImportOptions{Source: "demo"})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(e.stderr, "demo: %d contacts inserted, %d updated, %d unchanged\n", res.Inserted, res.Updated, res.Unchanged)
	for _, s := range demoSegments {
		_, err := crm.CreateSegment(ctx, db, s.name, s.where, crm.Filter{})
		if err != nil && !errors.Is(err, crm.ErrConflict) {
			return fmt.Errorf("demo segment %q: %w", s.name, err)
		}
	}
	return nil
}
