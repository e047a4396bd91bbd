package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"

	"outreach/campaigns"
)

func runOutbox(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "show") {
		return fmt.Errorf("outbox list [--campaign ID] | outbox show ID: %w", errUsage)
	}
	fs := flag.NewFlagSet("outbox "+args[0], flag.ContinueOnError)
	campaign := fs.Int64("campaign", 0, "only this campaign's messages")
	_, pos, db, err := openSubcommand(ctx, e, fs, "outbox", args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "list" {
		list, err := campaigns.Outbox(ctx, db, *campaign, 1000, 0)
		if err != nil {
			return err
		}
		for _, m := range list {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\n", m.ID, m.CreatedAt.Format("2006-01-02 15:04"), m.To, m.Subject)
		}
		return nil
	}
	if len(pos) != 1 {
		return fmt.Errorf("outbox show ID: %w", errUsage)
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("outbox show ID: %w", errUsage)
	}
	m, err := campaigns.OutboxByID(ctx, db, id)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(m.Raw)
	return err
}
