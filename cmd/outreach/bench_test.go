package main

import (
	"errors"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/migrations/testdb"
)

// benchEnv returns the variables for a bench against the test servers and
// a connection to the Postgres server's maintenance database, or skips.
func benchEnv(t *testing.T) (map[string]string, *sqlx.DB) {
	t.Helper()
	admin, err := sqlx.Open("postgres", testdb.AdminURL())
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		testdb.Unavailable(t, "postgres", err)
	}
	t.Cleanup(func() { admin.Close() })
	redisAddr := os.Getenv("OUTREACH_TEST_REDIS_ADDR")
	if redisAddr == "" {
		redisAddr = "127.0.0.1:6379"
	}
	c, err := net.Dial("tcp", redisAddr)
	if err != nil {
		testdb.Unavailable(t, "redis", err)
	}
	c.Close()
	return map[string]string{"OUTREACH_DATABASE_URL": testdb.AdminURL(), "OUTREACH_REDIS_ADDR": redisAddr}, admin
}

var benchStages = []string{"generate CSV", "import CSV", "segment count", "segment breakdown",
	"send campaign", "tracking HTTP", "ingest replies", "report by seniority"}

// benchDatabase is the name the bench announced on stderr.
func benchDatabase(t *testing.T, stderr string) string {
	t.Helper()
	m := regexp.MustCompile(`bench: database (outreach_bench_[0-9a-f]+)\n`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no bench database named on stderr:\n%s", stderr)
	}
	return m[1]
}

func databaseExists(t *testing.T, admin *sqlx.DB, name string) bool {
	var ok bool
	if err := admin.Get(&ok, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestBenchPrintsEveryStageAndDropsItsDatabase(t *testing.T) {
	vars, admin := benchEnv(t)
	out, stderr, err := runCmd(t, vars, "", "bench", "--contacts", "300")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr)
	}
	if !regexp.MustCompile(`^outreach bench: 300 contacts; \d+ CPUs, \w+/\w+, go\S+, PostgreSQL \d+`).MatchString(out) {
		t.Errorf("no line of machine facts first:\n%s", out)
	}
	if !strings.Contains(out, "| stage | items | time | rate | p50 | p99 | CPU |") || !strings.Contains(out, "peak RSS") {
		t.Errorf("no table header or no process totals:\n%s", out)
	}
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if cells := strings.Split(line, "|"); len(cells) == 9 {
			rows[strings.TrimSpace(cells[1])] = cells[2:8]
		}
	}
	for _, stage := range benchStages {
		cells, ok := rows[stage]
		if !ok {
			t.Errorf("stage %q missing from the table:\n%s", stage, out)
			continue
		}
		rate, _, _ := strings.Cut(strings.TrimSpace(cells[2]), " ")
		if r, err := strconv.ParseFloat(strings.ReplaceAll(rate, ",", ""), 64); err != nil || r <= 0 {
			t.Errorf("stage %q: rate %q, want a positive number", stage, cells[2])
		}
	}
	// 300 demo contacts, some unsubscribed in the data: most get the invitation.
	if sent, _ := strconv.Atoi(strings.TrimSpace(rows["send campaign"][0])); sent < 250 || sent > 300 {
		t.Errorf("send campaign: %d messages, want most of 300", sent)
	}
	for _, stage := range []string{"segment count", "tracking HTTP", "ingest replies", "report by seniority"} {
		if cells := rows[stage]; cells != nil && (strings.TrimSpace(cells[3]) == "–" || strings.TrimSpace(cells[4]) == "–") {
			t.Errorf("stage %q has no latency percentiles: %q", stage, cells)
		}
	}
	if name := benchDatabase(t, stderr); databaseExists(t, admin, name) {
		t.Errorf("database %s left behind", name)
	}
}

func TestBenchKeepLeavesTheDatabase(t *testing.T) {
	vars, admin := benchEnv(t)
	_, stderr, err := runCmd(t, vars, "", "bench", "--contacts", "40", "--keep")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, stderr)
	}
	name := benchDatabase(t, stderr)
	t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	if !databaseExists(t, admin, name) {
		t.Fatalf("--keep: database %s was dropped", name)
	}
	u, _ := url.Parse(testdb.AdminURL())
	u.Path = "/" + name
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var contacts, replied int
	if err := db.Get(&contacts, `SELECT count(*) FROM contacts`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&replied, `SELECT count(*) FROM recipients WHERE replied_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if contacts != 40 || replied == 0 {
		t.Errorf("kept database has %d contacts and %d replies, want 40 and some", contacts, replied)
	}
}

func TestBenchRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"--contacts", "0"}, {"--contacts", "many"}, {"extra"}} {
		_, _, err := runCmd(t, map[string]string{}, "", append([]string{"bench"}, args...)...)
		if !errors.Is(err, errUsage) {
			t.Errorf("bench %s: err = %v, want a usage error", strings.Join(args, " "), err)
		}
	}
}
