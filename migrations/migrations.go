// Package migrations holds Outreach's numbered SQL migrations, embedded in
// the binary, and applies them with goose.
//
// Migrations are forward-only in practice: an applied file is never edited;
// a change is a new, higher-numbered file. Each runs in one transaction.
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Status reports where a database stands against the embedded migrations.
type Status struct {
	Current int64 // highest applied version, 0 for an empty database
	Latest  int64 // highest embedded version
}

// UpToDate reports whether every embedded migration has been applied.
func (s Status) UpToDate() bool { return s.Current >= s.Latest }

func provider(db *sql.DB) (*goose.Provider, error) {
	// The advisory lock lets several replicas start together: one migrates,
	// the others wait and then find nothing to do.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return p, nil
}

// Up applies every pending migration and returns the versions it applied.
func Up(ctx context.Context, db *sql.DB) ([]int64, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: up: %w", err)
	}
	versions := make([]int64, 0, len(results))
	for _, r := range results {
		versions = append(versions, r.Source.Version)
	}
	return versions, nil
}

// Check reads the database's schema version without changing anything.
func Check(ctx context.Context, db *sql.DB) (Status, error) {
	p, err := provider(db)
	if err != nil {
		return Status{}, err
	}
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return Status{}, fmt.Errorf("migrations: read version: %w", err)
	}
	sources := p.ListSources()
	return Status{Current: current, Latest: sources[len(sources)-1].Version}, nil
}

// Fingerprint identifies the embedded migration set, so a cached database
// built from an older set is never mistaken for a current one.
func Fingerprint() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(files, ".") // an embed.FS root always reads
	for _, e := range entries {
		b, _ := fs.ReadFile(files, e.Name())
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}
