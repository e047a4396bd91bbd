package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
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
	if err := loadDemo(ctx, e, db, demo.Options{Seed: *seed, Organisations: *orgs, Contacts: *contacts}); err != nil {
		return err
	}
	return loadDemoEvents(ctx, db, hostOf(cfg.BaseURL))
}

func loadDemoIfEmpty(ctx context.Context, e env, db *sqlx.DB, domain string) error {
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
	if err := loadDemoEvents(ctx, db, domain); err != nil {
		return err
	}
	secret, _, err := crm.CreateAPIKey(ctx, db, "demo", crm.RoleAdmin)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "demo API key (admin), shown once: %s\n", secret)
	// A person to sign in to the web UI as; the password is random and
	// shown once, so a demo left running on a network is not an open door.
	password := strings.TrimRight(base32.StdEncoding.EncodeToString(randomBytes(10)), "=")
	const email = "demo@example.org"
	if _, err := crm.AddUser(ctx, db, email, "Demo coordinator", crm.RoleAdmin, password); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "demo sign-in (admin), shown once: %s with password %s\n", email, password)
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
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

// loadDemoEvents adds a conference two months ahead, a piggyback workshop
// on its eve and a community-of-practice webinar, so the calendar and the
// event pages have something to show. Loading twice adds nothing.
func loadDemoEvents(ctx context.Context, db *sqlx.DB, domain string) error {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM events`); err != nil || n > 0 {
		return err
	}
	day := time.Now().AddDate(0, 2, 0).Format("2006-01-02")
	eve := time.Now().AddDate(0, 2, -1).Format("2006-01-02")
	later := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	str := func(s string) *string { return &s }
	capacity := 30
	conf, err := campaigns.CreateEvent(ctx, db, campaigns.EventInput{
		Title: str("Migrant Entrepreneurship Summit"), Kind: str("conference"), Topic: str("access_to_finance"),
		StartsAt: str(day + "T09:00"), EndsAt: str(day + "T17:30"), TimeZone: str("Europe/Brussels"),
		Location: str("Square – Brussels Meeting Centre"), City: str("Brussels"), Country: str("BE"),
		Organiser: str("Network Team"), OrganiserEmail: str("team@network.example.org")}, domain)
	if err != nil {
		return fmt.Errorf("demo events: %w", err)
	}
	inputs := []campaigns.EventInput{
		{Title: str("Finance readiness workshop"), Kind: str("workshop"), Topic: str("access_to_finance"),
			StartsAt: str(eve + "T17:30"), EndsAt: str(eve + "T20:00"), TimeZone: str("Europe/Brussels"),
			City: str("Brussels"), Country: str("BE"), Capacity: &capacity, HostEventID: &conf.ID},
		{Title: str("Coaching & mentoring CoP: peer session"), Kind: str("webinar"), Topic: str("coaching_mentoring"),
			StartsAt: str(later + "T14:00"), EndsAt: str(later + "T15:30"), TimeZone: str("Europe/Berlin"),
			URL: str("https://meet.example.org/cop-coaching")},
	}
	for _, in := range inputs {
		if _, err := campaigns.CreateEvent(ctx, db, in, domain); err != nil {
			return fmt.Errorf("demo events: %w", err)
		}
	}
	return nil
}
