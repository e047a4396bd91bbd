package main

import (
	"context"
	"flag"
	"time"

	"outreach/worker"
)

// runWorkerCmd runs sending workers and the dispatcher without HTTP, for
// more sending capacity on other machines sharing Redis and Postgres.
func runWorkerCmd(ctx context.Context, e env, args []string) error {
	worker.TuneGC()
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	concurrency := fs.Int("concurrency", 8, "batches sent at once by this process")
	stuck := fs.Duration("stuck-after", 2*time.Minute, "resend rows left sending this long by a stopped worker")
	lost := fs.Duration("lost-after", 30*time.Second, "re-enqueue batches queued this long without a task in Redis")
	cfg, err := setup(e, fs, args)
	if err != nil {
		return err
	}
	log, err := newLogger(e.stderr, e.getenv("OUTREACH_LOG_FORMAT"))
	if err != nil {
		return err
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	snd, err := newSending(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer snd.close()
	w := snd.worker
	w.Config.Concurrency, w.Config.StuckAfter, w.Config.LostAfter = *concurrency, *stuck, *lost
	log.Info("outreach worker started", "concurrency", *concurrency)
	return runWorker(ctx, w, snd.poller)
}
