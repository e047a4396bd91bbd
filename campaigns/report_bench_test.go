package campaigns_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/migrations/testdb"
)

// reportData is one campaign with 1,000,000 recipient rows and 3,000,000
// events, built once with set-based SQL and shared by the benchmarks.
var reportData struct {
	once sync.Once
	db   *sqlx.DB
	drop func() error
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if reportData.drop != nil {
		reportData.drop()
	}
	os.Exit(code)
}

func millionRecipients(b *testing.B) *sqlx.DB {
	reportData.once.Do(func() {
		reportData.db, _, reportData.drop, reportData.err = testdb.Create(context.Background())
		if reportData.err != nil {
			return
		}
		_, reportData.err = reportData.db.Exec(`
			INSERT INTO organisations (name, type, country)
			SELECT 'Org ' || g, (ARRAY['business_support','finance','public','ngo','chamber','education','network','other'])[1 + g % 8],
				(ARRAY['DE','FR','IT','ES','AT','NL','PL','SE'])[1 + g % 8] FROM generate_series(1, 20000) g;
			INSERT INTO contacts (email, seniority, organisation_id, country, topics)
			SELECT 'c' || g || '@example.org', (ARRAY['executive','senior','middle','operational','unknown'])[1 + g % 5],
				1 + g % 20000, (ARRAY['DE','FR','IT','ES','AT','NL','PL','SE'])[1 + g % 8],
				CASE WHEN g % 3 = 0 THEN ARRAY['access_to_finance'] ELSE '{}' END
			FROM generate_series(1, 1000000) g;
			INSERT INTO campaigns (name, status, from_address, started_at) VALUES ('bench', 'done', 'a@example.org', now());
			INSERT INTO recipients (campaign_id, step, contact_id, seniority, organisation_id, organisation, organisation_type, country, topics,
				status, sent_at, opened_at, clicked_at, replied_at, rsvp, rsvp_at)
			SELECT 1, 0, c.id, c.seniority, c.organisation_id, o.name, o.type, c.country, c.topics,
				CASE WHEN c.id % 50 = 0 THEN 'bounced' ELSE 'sent' END, now(),
				CASE WHEN c.id % 3 = 0 THEN now() END, CASE WHEN c.id % 9 = 0 THEN now() END,
				CASE WHEN c.id % 17 = 0 THEN now() END, CASE WHEN c.id % 23 = 0 THEN 'yes' END, CASE WHEN c.id % 23 = 0 THEN now() END
			FROM contacts c JOIN organisations o ON o.id = c.organisation_id;
			INSERT INTO recipient_events (recipient_id, kind, machine)
			SELECT r.id, CASE WHEN k = 3 AND r.id % 3 = 0 THEN 'click' ELSE 'open' END, k = 1
			FROM recipients r, generate_series(1, 3) k;`)
		if reportData.err == nil {
			_, reportData.err = reportData.db.Exec(`VACUUM ANALYZE`)
		}
	})
	if reportData.err != nil {
		b.Fatal(reportData.err)
	}
	return reportData.db
}

func benchReport(b *testing.B, machine bool) {
	db := millionRecipients(b)
	q := campaigns.ReportQuery{CampaignIDs: []int64{1}, By: []string{"seniority", "organisation_type"}, Machine: machine}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := campaigns.BuildReport(context.Background(), db, q)
		if err != nil || rep.Total.Recipients != 1_000_000 {
			b.Fatalf("%v, %d recipients", err, rep.Total.Recipients)
		}
	}
}

// BenchmarkReport1M groups 1M recipients by seniority and organisation type
// (human events, the default).
func BenchmarkReport1M(b *testing.B) { benchReport(b, false) }

// BenchmarkReport1MMachineEvents does the same counting the 3M events,
// machine ones included.
func BenchmarkReport1MMachineEvents(b *testing.B) { benchReport(b, true) }
