package main

import (
	"context"
	"flag"
	"fmt"

	"outreach/migrations"
)

func runMigrate(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	status := fs.Bool("status", false, "only print the schema version")
	cfg, err := setup(e, fs, args)
	if err != nil {
		return err
	}
	if *status {
		db, err := openDB(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		st, err := migrations.Check(ctx, db.DB)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "schema version %d of %d\n", st.Current, st.Latest)
		return nil
	}
	return migrate(ctx, e, cfg)
}

func migrate(ctx context.Context, e env, cfg config) error {
	if err := createDatabase(ctx, cfg.DatabaseURL, e.stderr); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrations.Up(ctx, db.DB)
	if err != nil {
		return err
	}
	for _, v := range applied {
		fmt.Fprintf(e.stderr, "applied migration %05d\n", v)
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stderr, "schema is up to date")
	}
	return nil
}
