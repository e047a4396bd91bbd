package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/worker"
)

// newWorker assembles the sending side from the configuration: the signing
// secret, the sender (SMTP, or the outbox when no server is configured),
// DKIM and the shared rate limiter.
func newWorker(ctx context.Context, cfg config, db *sqlx.DB, rdb *redis.Client, log *slog.Logger) (*worker.Worker, func(), error) {
	secret, err := campaigns.LoadSecret(ctx, db, cfg.Secret)
	if err != nil {
		return nil, nil, err
	}
	w := &worker.Worker{
		DB: db, Redis: cfg.asynqOptions(), Log: log,
		Limiter: worker.NewLimiter(rdb, "outreach:limit:"),
		Links:   campaigns.Links{BaseURL: cfg.BaseURL, Signer: campaigns.NewSigner(secret)},
		Sender:  worker.Outbox{DB: db},
		Segment: campaigns.SegmentOptions(),
	}
	closeFn := func() {}
	if cfg.SMTPURL != "" {
		sc, err := worker.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, nil, fmt.Errorf("OUTREACH_SMTP_URL: %w", err)
		}
		smtp, err := worker.NewSMTP(sc)
		if err != nil {
			return nil, nil, err
		}
		w.Sender, w.Config.AccountPerMinute, w.Config.Account = worker.SMTPSender{SMTP: smtp}, sc.PerMinute, sc.Host
		closeFn = func() { smtp.Close() }
	}
	if cfg.DKIMKeyFile != "" {
		if w.DKIM, err = worker.LoadDKIM(cfg.DKIMKeyFile, cfg.DKIMSelector, cfg.DKIMDomain); err != nil {
			return nil, nil, err
		}
	}
	return w, closeFn, nil
}

// runWorker runs the asynq handlers and the dispatcher until ctx ends,
// then lets the batches in flight finish.
func runWorker(ctx context.Context, w *worker.Worker) error {
	srv := w.Server()
	if err := srv.Start(w.Mux()); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.Dispatch(ctx)
	}()
	<-ctx.Done()
	srv.Shutdown()
	wg.Wait()
	return nil
}
