package campaigns_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
)

// BenchmarkIngest10k ingests 10,000 replies (the Gmail fixture, each
// answering a different sent invitation) one after another, as an MTA pipe
// or the IMAP poller would, and reports messages per second.
func BenchmarkIngest10k(b *testing.B) {
	const n = 10_000
	tmpl, err := os.ReadFile("testdata/mail/gmail_reply.eml")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s := newServer(b)
		ctx := context.Background()
		var csv strings.Builder
		csv.WriteString("email\n")
		for j := 0; j < n; j++ {
			fmt.Fprintf(&csv, "p%05d@example.com\n", j)
		}
		if _, err := crm.ImportCSV(ctx, s.db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		all := `email ~ "@example.com"`
		c, err := campaigns.Create(ctx, s.db, campaigns.Input{Name: "bench", Audience: campaigns.Audience{Where: &all},
			From: "ana.lopez@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>"}, segment.Options{})
		if err != nil {
			b.Fatal(err)
		}
		campaigns.Send(ctx, s.db, c.ID, segment.Options{})
		s.db.MustExec(`UPDATE recipients r SET status = 'sent', sent_at = now(), message_id = 'bench' || r.id || '@network.example.org'`)
		var ids []int64
		s.db.Select(&ids, `SELECT id FROM recipients ORDER BY id`)
		msgs := make([][]byte, len(ids))
		for j, id := range ids {
			m := strings.ReplaceAll(string(tmpl), "r12.gm1@network.example.org", fmt.Sprintf("bench%d@network.example.org", id))
			msgs[j] = []byte(strings.Replace(m, "CAF7h2kVq9Zr3mX0pLw1", fmt.Sprintf("bench-%d-", id), 1))
		}
		b.StartTimer()
		start := time.Now()
		for _, m := range msgs {
			res, err := campaigns.Ingest(ctx, s.db, signer, m)
			if err != nil || !res.Matched {
				b.Fatalf("%+v %v", res, err)
			}
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
	}
}
