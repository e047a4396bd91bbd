package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/worker"
)

func runReplies(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || (args[0] != "ingest" && args[0] != "poll") {
		return fmt.Errorf("replies ingest (one raw message on stdin) | replies poll: %w", errUsage)
	}
	fs := flag.NewFlagSet("replies "+args[0], flag.ContinueOnError)
	cfg, err := setup(e, fs, args[1:])
	if err != nil {
		return err
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, err := campaigns.LoadSecret(ctx, db, cfg.Secret)
	if err != nil {
		return err
	}
	signer := campaigns.NewSigner(secret)
	if args[0] == "poll" {
		return pollOnce(ctx, e, cfg, db, signer)
	}
	raw, err := io.ReadAll(io.LimitReader(e.stdin, campaigns.MaxInbound+1))
	if err != nil {
		return fmt.Errorf("replies ingest: read stdin: %w", err)
	}
	if len(raw) > campaigns.MaxInbound {
		return fmt.Errorf("replies ingest: message larger than %d MiB", campaigns.MaxInbound>>20)
	}
	res, err := campaigns.Ingest(ctx, db, signer, raw)
	if err != nil {
		return err
	}
	return json.NewEncoder(e.stdout).Encode(res)
}

func pollOnce(ctx context.Context, e env, cfg config, db *sqlx.DB, signer *campaigns.Signer) error {
	if cfg.IMAPURL == "" {
		return fmt.Errorf("replies poll: OUTREACH_IMAP_URL is not set")
	}
	p, err := newPoller(cfg, db, signer, slog.New(slog.NewTextHandler(e.stderr, nil)))
	if err != nil {
		return err
	}
	n, err := p.PollOnce(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d messages handled\n", n)
	return nil
}

// newPoller wires the IMAP poller to reply ingestion and keeps its read
// position in Postgres, so any process can take over polling.
func newPoller(cfg config, db *sqlx.DB, signer *campaigns.Signer, log *slog.Logger) (*worker.Poller, error) {
	ic, err := worker.ParseIMAPURL(cfg.IMAPURL)
	if err != nil {
		return nil, fmt.Errorf("OUTREACH_IMAP_URL: %w", err)
	}
	key := ic.Redacted()
	return &worker.Poller{
		Config: ic, Log: log,
		Handle: func(ctx context.Context, raw []byte) error {
			_, err := campaigns.Ingest(ctx, db, signer, raw)
			var bad *crm.ValidationError
			if errors.As(err, &bad) { // not a mail we can read: skip it rather than stall the mailbox
				log.WarnContext(ctx, "skipped an unreadable message", "err", err)
				return nil
			}
			return err
		},
		Load: func(ctx context.Context) (worker.IMAPState, error) {
			var s worker.IMAPState
			err := db.QueryRowContext(ctx, `SELECT uid_validity, last_uid FROM imap_state WHERE mailbox = $1`, key).Scan(&s.UIDValidity, &s.LastUID)
			if errors.Is(err, sql.ErrNoRows) {
				return s, nil
			}
			return s, err
		},
		Save: func(ctx context.Context, s worker.IMAPState) error {
			_, err := db.ExecContext(ctx, `INSERT INTO imap_state (mailbox, uid_validity, last_uid) VALUES ($1, $2, $3)
				ON CONFLICT (mailbox) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid`, key, s.UIDValidity, s.LastUID)
			return err
		},
	}, nil
}

// optionalPoller returns the reply poller when a mailbox is configured.
func optionalPoller(cfg config, db *sqlx.DB, signer *campaigns.Signer, log *slog.Logger) (*worker.Poller, error) {
	if cfg.IMAPURL == "" {
		return nil, nil
	}
	return newPoller(cfg, db, signer, log)
}
