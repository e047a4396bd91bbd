package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"outreach/campaigns"
	"outreach/crm"
)

func runImport(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "contacts" {
		return fmt.Errorf("import contacts FILE: %w", errUsage)
	}
	fs := flag.NewFlagSet("import contacts", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	cfg, err := setup(e, fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import contacts FILE: %w", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := crm.ImportCSV(ctx, db, bufio.NewReader(f), crm.ImportOptions{Source: "import:" + filepath.Base(fs.Arg(0)), MaxBytes: cfg.MaxImportBytes})
	if err != nil {
		return err
	}
	return printImport(e, res, *asJSON)
}

func printImport(e env, res crm.ImportResult, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "inserted %d, updated %d, unchanged %d, duplicates merged %d, rejected %d\n",
		res.Inserted, res.Updated, res.Unchanged, res.Duplicates, len(res.Rejected))
	for _, r := range res.Rejected {
		col := r.Column
		if col == "" {
			col = "-"
		}
		fmt.Fprintf(e.stdout, "  line %d, %s: %s\n", r.Line, col, r.Reason)
	}
	return nil
}

func runExport(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "contacts" {
		return fmt.Errorf("export contacts [--where EXPR]: %w", errUsage)
	}
	fs := flag.NewFlagSet("export contacts", flag.ContinueOnError)
	where := fs.String("where", "", "segment expression selecting the contacts")
	cfg, err := setup(e, fs, args[1:])
	if err != nil {
		return err
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	w := bufio.NewWriter(e.stdout)
	if err := crm.ExportCSV(ctx, db, w, crm.Filter{Where: *where, Segment: campaigns.SegmentOptions()}); err != nil {
		return err
	}
	return w.Flush()
}
