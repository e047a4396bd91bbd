// Package testdb gives each test a fresh Postgres database, created from a
// template that has every migration applied, and drops it afterwards.
//
// The server is the one named by OUTREACH_TEST_DATABASE_URL (default: the
// local "postgres" database over TCP). When the server cannot be reached the
// test is skipped on a developer machine and fails when CI is set, so a
// missing service never passes silently in CI.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the Postgres driver

	"outreach/migrations"
)

// DefaultAdminURL is used when OUTREACH_TEST_DATABASE_URL is unset.
const DefaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// templateLock serialises template builds across test processes; the number
// is arbitrary but fixed.
const templateLock = 7_420_001

// AdminURL returns the URL of the server's maintenance database.
func AdminURL() string {
	if u := os.Getenv("OUTREACH_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultAdminURL
}

// Unavailable skips or fails t, depending on CI, for a missing service.
func Unavailable(t testing.TB, service string, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI but unreachable: %v", service, err)
	}
	t.Skipf("%s unreachable, skipping: %v", service, err)
}

// New creates a fresh migrated database for t and returns a connection to it
// and its URL. The database is dropped when t ends.
func New(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	db, dsn, drop, err := Create(context.Background())
	var unreachable *unreachableError
	if errors.As(err, &unreachable) {
		Unavailable(t, "postgres", unreachable.err)
	}
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return db, dsn
}

type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return "postgres unreachable: " + e.err.Error() }

// Create makes a fresh migrated database outside any one test, for
// benchmarks that share a large data set; drop closes and removes it.
func Create(ctx context.Context) (db *sqlx.DB, dsn string, drop func() error, err error) {
	admin, err := sqlx.Open("postgres", AdminURL())
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		return nil, "", nil, &unreachableError{err}
	}
	tmpl, err := ensureTemplate(ctx, admin)
	if err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("template: %w", err)
	}
	name := "outreach_test_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, tmpl)); err != nil {
		admin.Close()
		return nil, "", nil, fmt.Errorf("create %s: %w", name, err)
	}
	dsn = withDatabase(AdminURL(), name)
	db, err = sqlx.Open("postgres", dsn)
	if err != nil {
		admin.Close()
		return nil, "", nil, err
	}
	db.SetMaxIdleConns(20) // as the binary does: no new backend per query
	drop = func() error {
		db.Close()
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		return nil
	}
	return db, dsn, drop, nil
}

// NewEmpty creates a fresh database with no schema at all, for tests of
// migrating and of refusing an out-of-date schema. It is dropped when t ends.
func NewEmpty(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sqlx.Open("postgres", AdminURL())
	if err == nil {
		err = admin.PingContext(ctx)
	}
	if err != nil {
		Unavailable(t, "postgres", err)
	}
	name := "outreach_test_" + randomSuffix()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("testdb: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	})
	return withDatabase(AdminURL(), name)
}

// ensureTemplate builds the template for the current migration set once per
// server; later test processes find it ready.
func ensureTemplate(ctx context.Context, admin *sqlx.DB) (string, error) {
	name := "outreach_tmpl_" + migrations.Fingerprint()
	conn, err := admin.Connx(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, templateLock)
	var exists bool
	if err := conn.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	return name, buildTemplate(ctx, conn, name)
}

func buildTemplate(ctx context.Context, conn *sqlx.Conn, name string) error {
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, building)); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, building)); err != nil {
		return err
	}
	db, err := sql.Open("postgres", withDatabase(AdminURL(), building))
	if err != nil {
		return err
	}
	_, err = migrations.Up(ctx, db)
	db.Close()
	if err != nil {
		return err
	}
	// Renaming only once migrated means no process ever clones a half-built template.
	_, err = conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %s RENAME TO %s`, building, name))
	return err
}

func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		panic(fmt.Sprintf("testdb: bad database URL: %v", err))
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
