package crm_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/demo"
	"outreach/migrations/testdb"
)

// Benchmarks: go test -run '^$' -bench . -benchtime 1x ./crm/ for the
// imports (each iteration imports a whole file into a fresh database);
// the segment benchmarks share one database of a million contacts.

func TestMain(m *testing.M) {
	code := m.Run()
	if million.drop != nil {
		million.drop()
	}
	os.Exit(code)
}

func demoCSV(b *testing.B, n int) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := demo.WriteCSV(&buf, demo.Options{Seed: 42, Organisations: max(n/10, 50), Contacts: n}); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func benchImport(b *testing.B, n int, again bool) {
	file := demoCSV(b, n)
	ctx := context.Background()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db, _, drop, err := testdb.Create(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if again {
			mustImport(b, db, file)
		}
		b.StartTimer()
		start := time.Now()
		res := mustImport(b, db, file)
		elapsed += time.Since(start)
		b.StopTimer()
		if again && res.Unchanged != n || !again && res.Inserted != n {
			b.Fatalf("import result %+v for %d rows", res, n)
		}
		drop()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
}

func mustImport(b *testing.B, db *sqlx.DB, file []byte) crm.ImportResult {
	res, err := crm.ImportCSV(context.Background(), db, bytes.NewReader(file), crm.ImportOptions{Source: "bench", Log: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

func BenchmarkImport100k(b *testing.B)   { benchImport(b, 100_000, false) }
func BenchmarkImport1M(b *testing.B)     { benchImport(b, 1_000_000, false) }
func BenchmarkReimport100k(b *testing.B) { benchImport(b, 100_000, true) }
func BenchmarkReimport1M(b *testing.B)   { benchImport(b, 1_000_000, true) }

// million is a database of 1M demo contacts shared by the segment benchmarks.
var million struct {
	once sync.Once
	db   *sqlx.DB
	drop func() error
	err  error
}

func millionDB(b *testing.B) *sqlx.DB {
	million.once.Do(func() {
		var buf bytes.Buffer
		if million.err = demo.WriteCSV(&buf, demo.Options{Seed: 7, Organisations: 20_000, Contacts: 1_000_000}); million.err != nil {
			return
		}
		million.db, _, million.drop, million.err = testdb.Create(context.Background())
		if million.err != nil {
			return
		}
		_, million.err = crm.ImportCSV(context.Background(), million.db, &buf, crm.ImportOptions{Source: "bench"})
		if million.err == nil {
			_, million.err = million.db.Exec(`VACUUM ANALYZE`)
		}
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	return million.db
}

var segmentCases = []string{
	`seniority in (middle, operational) and organisation_type = business_support and country in (DE, AT)`,
	`topics contains access_to_finance and country = FR and seniority != executive`,
	`job_title ~ coach or tags contains speaker`,
}

func BenchmarkSegmentCount1M(b *testing.B) {
	db := millionDB(b)
	for i, where := range segmentCases {
		b.Run(fmt.Sprintf("expr%d", i+1), func(b *testing.B) {
			for j := 0; j < b.N; j++ {
				if _, err := crm.Count(context.Background(), db, crm.Filter{Where: where}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSegmentBreakdown1M(b *testing.B) {
	db := millionDB(b)
	for i, where := range segmentCases {
		b.Run(fmt.Sprintf("expr%d", i+1), func(b *testing.B) {
			for j := 0; j < b.N; j++ {
				if _, err := crm.BreakdownOf(context.Background(), db, crm.Filter{Where: where}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
