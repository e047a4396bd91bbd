package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/crm"
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
	metricsAddr := fs.String("metrics-listen", "", "serve /metrics and /healthz on this host:port for Prometheus (off when empty)")
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
	if *metricsAddr != "" {
		stop, err := serveWorkerOps(ctx, *metricsAddr, db, snd.redis, w, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	log.Info("outreach worker started", "concurrency", *concurrency)
	return runWorker(ctx, w, snd.poller)
}

// serveWorkerOps serves a worker's /metrics and /healthz, so each sending
// machine can be scraped and checked like serve. /metrics has serve's
// access rule: direct from this host, or with an admin API key.
func serveWorkerOps(ctx context.Context, addr string, db *sqlx.DB, rdb *redis.Client, w *worker.Worker, log *slog.Logger) (stop func(), err error) {
	metrics, err := metricsHandler(db, rdb, w, log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz(db, rdb))
	mux.Handle("GET /metrics", metricsAccess(crm.Auth{DB: db, Log: log}, metrics))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-listen: %w", err)
	}
	log.Info("worker metrics listening", "addr", ln.Addr().String())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, ln, mux, log) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			log.Warn("worker metrics", "err", err)
		}
	}, nil
}
