package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
	log, err := newLogger(e.stderr, e.getenv("OUTREACH_LOG_FORMAT"))
	if err != nil {
		return err
	}
	if *demo || *doMigrate {
		me := e
		me.stderr = &logLines{log: log}
		if err := migrate(ctx, me, cfg); err != nil {
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
	// The public endpoints (tracking, RSVP, unsubscribe, calendar feeds)
	// answer anyone: a per-client rate limit keeps one client from
	// flooding the database through them.
	limit := campaigns.NewRateLimit(campaigns.DefaultPublicPerSecond, campaigns.DefaultPublicBurst)
	// Behind a reverse proxy every request comes from the proxy: without
	// this, all recipients would share one client's limit.
	limit.TrustedProxies = cfg.TrustedProxies
	tracker := &campaigns.Tracker{DB: db, Signer: w.Links.Signer, Log: log, Limit: limit}
	trackCtx, stopTracking := context.WithCancel(context.WithoutCancel(ctx))
	trackDone := make(chan struct{})
	go func() { tracker.Run(trackCtx); close(trackDone) }()
	defer func() { stopTracking(); <-trackDone }() // after the server stops: flush the last events
	mux, err := newMux(db, snd.redis, w, tracker, cfg, log)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, ln, worker.CountTrackingHits(mux), log)
}

// newLogger writes text lines (the default, for people) or one JSON object
// per line (OUTREACH_LOG_FORMAT=json, for log collectors).
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "", "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("OUTREACH_LOG_FORMAT: want text or json, got %q", format)
}

// logLines turns what a step prints, line by line, into log records, so
// that with OUTREACH_LOG_FORMAT=json everything serve logs is JSON.
type logLines struct {
	log *slog.Logger
	buf []byte
}

func (l *logLines) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.log.Info(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
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
	(&campaigns.Public{DB: db, Signer: w.Links.Signer, Log: log, CalendarName: cfg.CalendarName, Limit: tracker.Limit}).Routes(mux)
	tracker.Routes(mux)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		jsonhttp.Fail(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	ui := &crm.Web{DB: db, Pages: pages, Log: log, Secure: strings.HasPrefix(cfg.BaseURL, "https://"), MaxUploadBytes: cfg.MaxImportBytes,
		Proxies: cfg.TrustedProxies}
	ui.Routes(mux)
	(&crm.Pages{Web: ui, DB: db, Segment: w.Segment, MaxImportBytes: cfg.MaxImportBytes, Log: log}).Routes(mux)
	(&campaigns.Pages{Web: ui, DB: db, Segment: w.Segment, Links: w.Links, Log: log}).Routes(mux)
	mail, err := worker.NewMailSettings(ui, cfg.SMTPURL, cfg.IMAPURL, w.DKIM)
	if err != nil {
		return nil, err
	}
	mail.Routes(mux)
	if err := opsRoutes(mux, db, rdb, w, auth, ui, log); err != nil {
		return nil, err
	}
	return mux, nil
}

// opsRoutes adds what operators use: /metrics for Prometheus and the
// asynq queue dashboard at /admin/queues. Both read Redis through the
// server's own client, so they hold no connections to close.
func opsRoutes(mux *http.ServeMux, db *sqlx.DB, rdb *redis.Client, w *worker.Worker, auth crm.Auth, ui *crm.Web, log *slog.Logger) error {
	metrics, err := metricsHandler(db, rdb, w, log)
	if err != nil {
		return err
	}
	mux.Handle("GET /metrics", metricsAccess(auth, metrics))
	dash := asynqmon.New(asynqmon.Options{RootPath: "/admin/queues", RedisConnOpt: sharedRedis{rdb}})
	mux.Handle("/admin/queues/", adminDashboard(ui, dash))
	mux.Handle("GET /admin/queues", http.RedirectHandler("/admin/queues/", http.StatusMovedPermanently))
	return nil
}

// metricsHandler serves the Prometheus registry: the process's own
// counters (messages, SMTP errors, tracking hits), the queue's depth and
// the recipients of running campaigns.
func metricsHandler(db *sqlx.DB, rdb *redis.Client, w *worker.Worker, log *slog.Logger) (http.Handler, error) {
	queue := w.Config.Queue
	if queue == "" {
		queue = worker.DefaultQueue
	}
	reg, err := worker.NewRegistry(
		&worker.QueueCollector{Inspector: asynq.NewInspectorFromRedisClient(rdb), Queues: []string{queue}},
		&worker.RecipientCollector{DB: db},
	)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}), nil
}

// metricsAccess lets a Prometheus on this host scrape without a key and
// anyone else only with an admin API key (Authorization: Bearer): the
// numbers tell sending volumes, campaign sizes and response counts.
func metricsAccess(auth crm.Auth, h http.Handler) http.Handler {
	admin := auth.Require(crm.RoleAdmin, h.ServeHTTP)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && directFromLoopback(r) {
			h.ServeHTTP(w, r)
			return
		}
		admin(w, r)
	})
}

// directFromLoopback says whether the request comes from this host and not
// through a reverse proxy: a proxy on this host connects from loopback on
// behalf of clients anywhere, and marks that with a forwarding header.
func directFromLoopback(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// adminDashboard lets only admins use the queue dashboard. Its pages and
// reads are GETs behind the UI's session check. Its own JavaScript sends
// POST and DELETE (pause a queue, run, archive or delete tasks) without
// our CSRF token, so those cannot pass Page's token check; in its place,
// the browser must say the request comes from this origin: Sec-Fetch-Site
// same-origin, or, from a browser without Fetch Metadata, an Origin
// naming this host. A cross-site page cannot forge either header, and the
// session cookie is SameSite=Lax besides. A request with neither header
// is refused: browsers send them on every POST and DELETE from script.
func adminDashboard(ui *crm.Web, h http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		method := r.Method
		if method != http.MethodGet && method != http.MethodHead {
			if !sameOrigin(r) {
				http.Error(w, "queue dashboard: cross-origin request refused", http.StatusForbidden)
				return
			}
			// Page checks the CSRF token on anything but a read; the origin
			// check above stands in for it, so Page sees a read and checks
			// the session and the role only.
			get := r.WithContext(r.Context())
			get.Method = http.MethodGet
			r = get
		}
		ui.Page(crm.RoleAdmin, func(w http.ResponseWriter, r *http.Request) {
			r.Method = method // r is Page's own copy of the request
			h.ServeHTTP(w, r)
		})(w, r)
	}
}

func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin"
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// sharedRedis hands asynqmon the server's Redis client rather than a pool
// of its own. asynqmon's Close would close it, so it is never called; the
// client closes with the server.
type sharedRedis struct{ c *redis.Client }

func (s sharedRedis) MakeRedisClient() any { return s.c }

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
