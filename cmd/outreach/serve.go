package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/jsonhttp"
	"outreach/templates/web"
	"outreach/worker"
)

func runServe(ctx context.Context, e env, args []string) error {
	worker.TuneGC()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "apply migrations and load the demo network into an empty database")
	doMigrate := fs.Bool("migrate", false, "apply pending migrations before starting")
	noWorker := fs.Bool("no-worker", false, "serve HTTP only; run `outreach worker` elsewhere to send")
	cfg, err := setup(e, fs, args, func(c *config) {
		fs.StringVar(&c.Listen, "listen", c.Listen, "listen address (env OUTREACH_LISTEN)")
	})
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	if *demo || *doMigrate {
		if err := migrate(ctx, e, cfg); err != nil {
			return err
		}
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if *demo {
		if err := loadDemoIfEmpty(ctx, e, db, hostOf(cfg.BaseURL)); err != nil {
			return err
		}
	}
	snd, err := newSending(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer snd.close()
	w := snd.worker
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("outreach listening", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "workers", !*noWorker)
	if !*noWorker {
		ctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- runWorker(ctx, w, snd.poller) }()
		defer func() { stop(); <-done }()
	}
	tracker := &campaigns.Tracker{DB: db, Signer: w.Links.Signer, Log: log}
	trackCtx, stopTracking := context.WithCancel(context.WithoutCancel(ctx))
	trackDone := make(chan struct{})
	go func() { tracker.Run(trackCtx); close(trackDone) }()
	defer func() { stopTracking(); <-trackDone }() // after the server stops: flush the last events
	mux, err := newMux(db, snd.redis, w, tracker, cfg, log)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, ln, mux, log)
}

// newMux composes the route tables of every part into one mux.
func newMux(db *sqlx.DB, rdb *redis.Client, w *worker.Worker, tracker *campaigns.Tracker, cfg config, log *slog.Logger) (*http.ServeMux, error) {
	pages, err := web.New(log)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz(db, rdb))
	auth := crm.Auth{DB: db, Log: log}
	(&crm.API{DB: db, Auth: auth, MaxImportBytes: cfg.MaxImportBytes, Log: log, Segment: w.Segment}).Routes(mux)
	(&campaigns.API{DB: db, Auth: auth, Segment: w.Segment, Links: w.Links, Log: log}).Routes(mux)
	(&campaigns.Public{DB: db, Signer: w.Links.Signer, Log: log, CalendarName: cfg.CalendarName}).Routes(mux)
	tracker.Routes(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		jsonhttp.Fail(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	ui := &crm.Web{DB: db, Pages: pages, Log: log, Secure: strings.HasPrefix(cfg.BaseURL, "https://"), MaxUploadBytes: cfg.MaxImportBytes}
	ui.Routes(mux)
	(&crm.Pages{Web: ui, DB: db, Segment: w.Segment, MaxImportBytes: cfg.MaxImportBytes, Log: log}).Routes(mux)
	(&campaigns.Pages{Web: ui, DB: db, Segment: w.Segment, Links: w.Links, Log: log}).Routes(mux)
	mail, err := worker.NewMailSettings(ui, cfg.SMTPURL, cfg.IMAPURL, w.DKIM)
	if err != nil {
		return nil, err
	}
	mail.Routes(mux)
	return mux, nil
}

// healthz answers 200 once Postgres and Redis both answer, 503 naming the
// one that does not.
func healthz(db *sqlx.DB, rdb *redis.Client) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			jsonhttp.Fail(w, http.StatusServiceUnavailable, "postgres unreachable: "+err.Error())
			return
		}
		if err := rdb.Ping(ctx).Err(); err != nil {
			jsonhttp.Fail(w, http.StatusServiceUnavailable, "redis unreachable: "+err.Error())
			return
		}
		jsonhttp.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// serveHTTP serves until ctx ends, then lets running requests finish.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
