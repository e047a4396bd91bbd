package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/migrations"
)

// setup parses a command's flags on top of the environment.
// Commands with flags of their own bind them to the config in bind.
func setup(e env, fs *flag.FlagSet, args []string, bind ...func(*config)) (config, error) {
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return cfg, err
	}
	cfg.bind(fs)
	for _, b := range bind {
		b(&cfg)
	}
	fs.SetOutput(e.stderr)
	if err := fs.Parse(args); err != nil {
		return cfg, fmt.Errorf("%s: %w", fs.Name(), errUsage)
	}
	return cfg, cfg.validate()
}

// openDB connects and checks the connection, so a wrong URL fails here
// with a message and not deep inside the first query.
func openDB(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	// database/sql keeps only 2 idle connections by default: with a worker
	// pool that means a new Postgres backend for most queries.
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(40)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", redact(dsn), err)
	}
	return db, nil
}

// openCurrentDB connects and refuses a schema that is behind the binary.
func openCurrentDB(ctx context.Context, dsn string) (*sqlx.DB, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	st, err := migrations.Check(ctx, db.DB)
	if err == nil && !st.UpToDate() {
		err = fmt.Errorf("database schema is at version %d, this binary needs %d: run `outreach migrate` first", st.Current, st.Latest)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// createDatabase creates the database a URL names when it does not exist,
// by connecting to the server's "postgres" database.
func createDatabase(ctx context.Context, dsn string, log io.Writer) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("database URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || name == "postgres" {
		return nil
	}
	admin := *u
	admin.Path = "/postgres"
	db, err := openDB(ctx, admin.String())
	if err != nil {
		return err
	}
	defer db.Close()
	var exists bool
	if err := db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name))
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "42P04" { // created meanwhile by another process
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	fmt.Fprintf(log, "created database %s\n", name)
	return nil
}

// redact hides the password of a connection URL in messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// openSubcommand parses a subcommand's flags and positional arguments
// (args after the subcommand's name) and opens the database at the
// current schema; the caller closes it. A flag mistake is a usage error.
func openSubcommand(ctx context.Context, e env, fs *flag.FlagSet, usage string, args []string) (config, []string, *sqlx.DB, error) {
	cfg, err := setup(e, fs, nil)
	if err != nil {
		return cfg, nil, nil, err
	}
	pos, err := positionals(fs, args)
	if err != nil {
		return cfg, nil, nil, fmt.Errorf("%s: %w", usage, errUsage)
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	return cfg, pos, db, err
}
