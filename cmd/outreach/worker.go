package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// runWorkerCmd runs sending workers and the dispatcher without HTTP, for
// more sending capacity on other machines sharing Redis and Postgres.
func runWorkerCmd(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	concurrency := fs.Int("concurrency", 8, "batches sent at once by this process")
	stuck := fs.Duration("stuck-after", 2*time.Minute, "resend rows left sending this long by a stopped worker")
	lost := fs.Duration("lost-after", 30*time.Second, "re-enqueue batches queued this long without a task in Redis")
	cfg, err := setup(e, fs, args)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	rdb := redis.NewClient(cfg.redisOptions())
	defer rdb.Close()
	w, closeSender, err := newWorker(ctx, cfg, db, rdb, log)
	if err != nil {
		return err
	}
	defer closeSender()
	poller, err := optionalPoller(cfg, db, w.Links.Signer, log)
	if err != nil {
		return err
	}
	w.Config.Concurrency, w.Config.StuckAfter, w.Config.LostAfter = *concurrency, *stuck, *lost
	log.Info("outreach worker started", "concurrency", *concurrency)
	return runWorker(ctx, w, poller)
}
