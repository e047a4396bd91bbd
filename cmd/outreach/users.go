package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"outreach/crm"
)

// positionals splits args into flags (parsed into fs) and positional
// arguments, wherever they stand: `user add EMAIL --role admin` reads well.
func positionals(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func runUser(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("user add EMAIL --role admin|coordinator|viewer [--name NAME] (password on stdin): %w", errUsage)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	role := fs.String("role", "coordinator", "admin, coordinator or viewer")
	name := fs.String("name", "", "display name")
	cfg, err := setup(e, fs, nil)
	if err != nil {
		return err
	}
	pos, err := positionals(fs, args[1:])
	if err != nil || len(pos) != 1 {
		return fmt.Errorf("user add EMAIL --role ROLE: %w", errUsage)
	}
	r, err := crm.ParseRole(*role)
	if err != nil {
		return err
	}
	password, err := bufio.NewReader(e.stdin).ReadString('\n')
	password = strings.TrimRight(password, "\r\n")
	if password == "" {
		return fmt.Errorf("user add: give the password as the first line on stdin")
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := crm.AddUser(ctx, db, pos[0], *name, r, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "added %s (%s) as user %d\n", u.Email, u.Role, u.ID)
	return nil
}

func runAPIKey(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("apikey create --name NAME [--role admin|coordinator|viewer]: %w", errUsage)
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	name := fs.String("name", "", "what the key is for (required)")
	role := fs.String("role", "admin", "admin, coordinator or viewer")
	cfg, err := setup(e, fs, args[1:])
	if err != nil {
		return err
	}
	r, err := crm.ParseRole(*role)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return fmt.Errorf("apikey create: --name is required: %w", errUsage)
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, _, err := crm.CreateAPIKey(ctx, db, *name, r)
	if err != nil {
		return err
	}
	// The key alone on stdout, so scripts can capture it with $(...).
	fmt.Fprintln(e.stdout, secret)
	return nil
}
