package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/worker"
)

// sending is the sending side of a process and what it holds open.
type sending struct {
	redis  *redis.Client
	worker *worker.Worker
	poller *worker.Poller // nil without a mailbox
	close  func()
}

// newSending builds the worker and, when a mailbox is configured, the
// reply poller; close releases the Redis and SMTP connections.
func newSending(ctx context.Context, cfg config, db *sqlx.DB, log *slog.Logger) (sending, error) {
	rdb := redis.NewClient(cfg.redisOptions())
	w, closeSender, err := newWorker(ctx, cfg, db, rdb, log)
	if err != nil {
		rdb.Close()
		return sending{}, err
	}
	s := sending{redis: rdb, worker: w, close: func() { closeSender(); rdb.Close() }}
	if s.poller, err = optionalPoller(cfg, db, w.Links.Signer, log); err != nil {
		s.close()
		return sending{}, err
	}
	return s, nil
}

// newWorker assembles the sending side from the configuration: the signing
// secret, the sender (SMTP, or the outbox when no server is configured),
// DKIM and the shared rate limiter.
func newWorker(ctx context.Context, cfg config, db *sqlx.DB, rdb *redis.Client, log *slog.Logger) (*worker.Worker, func(), error) {
	secret, err := campaigns.LoadSecret(ctx, db, cfg.Secret)
	if err != nil {
		return nil, nil, err
	}
	w := &worker.Worker{
		DB: db, DatabaseURL: cfg.DatabaseURL, Redis: cfg.asynqOptions(), Log: log,
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

// runWorker runs the asynq handlers, the dispatcher and, when a mailbox
// is configured, the reply poller until ctx ends, then lets the batches in
// flight finish.
func runWorker(ctx context.Context, w *worker.Worker, poller *worker.Poller) error {
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
	if poller != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pollAsLeader(ctx, w.DB, poller, w.Log)
		}()
	}
	<-ctx.Done()
	w.Drain()
	srv.Shutdown()
	wg.Wait()
	return nil
}

// pollerLock lets one process at a time read the reply mailbox.
const pollerLock = 7_420_003

// pollAsLeader runs the poller in whichever process holds the lock; the
// others wait and take over if that process stops.
func pollAsLeader(ctx context.Context, db *sqlx.DB, p *worker.Poller, log *slog.Logger) {
	for ctx.Err() == nil {
		conn, err := db.Connx(ctx)
		if err == nil {
			var leader bool
			if err = conn.GetContext(ctx, &leader, `SELECT pg_try_advisory_lock($1)`, pollerLock); err == nil && leader {
				err = p.Run(ctx)
				conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, pollerLock)
			}
			conn.Close()
		}
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "reply poller stopped", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(30 * time.Second):
		}
	}
}
