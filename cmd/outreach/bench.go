package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/demo"
	"outreach/worker"
	"outreach/worker/smtptest"
)

const benchUsage = "bench [--contacts N] [--keep] [--redis-db N]"

// Sizes of the measured samples. Latency stages repeat a call often
// enough for a p99 to mean something; the tracking and reply samples are
// what a campaign of that size plausibly brings back.
const (
	benchSegmentCalls = 20
	benchReportCalls  = 10
	benchHTTPClients  = 16
	benchMaxTracked   = 10_000 // recipients who open and click
	benchReplyPercent = 2
	benchStall        = 2 * time.Minute // no message accepted for this long: the send is stuck
	benchDKIMDomain   = "network.example.org"
	benchUserAgent    = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
	benchClickTarget  = "https://network.example.org/cop/finance?utm_source=invite"
	benchSegmentWhere = `seniority in (middle, operational) and organisation_type = business_support and country in (DE, AT, CH)`
)

// benchHTML is a realistic invitation: personalised, with several links
// to rewrite for click tracking, RSVP links and an unsubscribe link.
const benchHTML = `<html><body><h1>Invitation: Access to finance for migrant entrepreneurs</h1>
<p>Dear {{ .Contact.FirstName | default "colleague" }},</p>
<p>as {{ .Contact.JobTitle | default "a member" }} at {{ .Contact.Organisation | default "your organisation" }} you may
want to join our community of practice session in Vienna. We will discuss <a href="` + benchClickTarget + `">microfinance</a>,
<a href="https://network.example.org/cop/guarantees">guarantee schemes</a> and <a href="https://network.example.org/cop/mentoring">mentoring</a>.</p>
<p><a href="{{ .RSVPYesURL }}">Yes, I'll come</a> · <a href="{{ .RSVPNoURL }}">No, thanks</a></p>
<p style="font-size:small">You receive this because you work with migrant entrepreneurs. <a href="{{ .UnsubscribeURL }}">Unsubscribe</a></p>
</body></html>`

// runBench runs the whole path on a fresh database of its own, from
// import to report, and prints how long each stage took.
func runBench(ctx context.Context, e env, args []string) error {
	worker.TuneGC() // as serve and worker run
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	contacts := fs.Int("contacts", 100_000, "contacts to generate, import and send to")
	keep := fs.Bool("keep", false, "keep the bench database afterwards")
	redisDB := fs.Int("redis-db", 13, "Redis database number for the bench's queue, away from other users of the server")
	cfg, err := setup(e, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 || *contacts < 1 || *redisDB < 0 {
		return fmt.Errorf("%s (--contacts at least 1): %w", benchUsage, errUsage)
	}
	if cfg.RedisAddr, err = withRedisDB(cfg.RedisAddr, *redisDB); err != nil {
		return err
	}
	b := &bench{e: e, n: *contacts, keep: *keep, suffix: hex.EncodeToString(randomBytes(4))}
	err = b.start(ctx, cfg)
	if err == nil {
		err = b.runStages(ctx)
	}
	if cerr := b.close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return b.print()
}

// withRedisDB points a Redis address (host:port or redis:// URL) at a
// database number. Parse errors are not wrapped: they quote the password.
func withRedisDB(addr string, n int) (string, error) {
	if !strings.Contains(addr, "://") {
		addr = "redis://" + addr
	}
	u, err := url.Parse(addr)
	if err != nil {
		return "", errors.New("OUTREACH_REDIS_ADDR: want host:port or redis://[:password@]host:port")
	}
	u.Path = "/" + strconv.Itoa(n)
	return u.String(), nil
}

// bench holds what the stages share: the database, the sending side and
// the HTTP server, all in this process, and the results so far.
type bench struct {
	e      env
	n      int
	keep   bool
	suffix string
	log    *slog.Logger

	dbName  string
	db      *sqlx.DB
	rdb     *redis.Client
	sink    *smtptest.Counter
	w       *worker.Worker
	baseURL string
	closers []func() error // run in reverse by close

	csv      bytes.Buffer
	campaign int64
	sent     int
	replies  int
	results  []stageResult
	pgVer    string
	load     string // the load average before the run, where the system tells
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.e.stderr, "bench: "+format+"\n", args...)
}

func (b *bench) onClose(f func() error) { b.closers = append(b.closers, f) }

// close stops everything start started, last first, and drops the
// database unless asked to keep it.
func (b *bench) close() error {
	var errs []error
	for i := len(b.closers) - 1; i >= 0; i-- {
		errs = append(errs, b.closers[i]())
	}
	return errors.Join(errs...)
}

// start creates and migrates the database, then starts the SMTP sink, the
// worker and the HTTP server as `outreach serve` wires them.
func (b *bench) start(ctx context.Context, cfg config) error {
	b.log = slog.New(slog.NewTextHandler(b.e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	b.load = loadAverage()
	var err error
	if cfg, err = b.createDatabase(ctx, cfg); err != nil {
		return err
	}
	if err := b.db.GetContext(ctx, &b.pgVer, `SHOW server_version`); err != nil {
		return fmt.Errorf("postgres version: %w", err)
	}
	b.rdb = redis.NewClient(cfg.redisOptions())
	b.onClose(b.rdb.Close)
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if b.sink, err = b.startSink(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	b.baseURL = "http://" + ln.Addr().String()
	if cfg, err = b.sendingConfig(cfg); err != nil {
		ln.Close()
		return err
	}
	if err := b.startWorker(ctx, cfg); err != nil {
		ln.Close()
		return err
	}
	return b.startHTTP(ctx, cfg, ln)
}

// createDatabase makes outreach_bench_<random> on the configured server,
// migrates it and returns the configuration pointing at it.
func (b *bench) createDatabase(ctx context.Context, cfg config) (config, error) {
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return cfg, fmt.Errorf("database URL: %w", err)
	}
	b.dbName = "outreach_bench_" + b.suffix
	u.Path = "/" + b.dbName
	cfg.DatabaseURL = u.String()
	b.progress("database %s", b.dbName)
	if err := migrate(ctx, b.e, cfg); err != nil {
		return cfg, fmt.Errorf("create bench database: %w", err)
	}
	b.onClose(func() error { return b.dropDatabase(cfg.DatabaseURL) })
	if b.db, err = openCurrentDB(ctx, cfg.DatabaseURL); err != nil {
		return cfg, err
	}
	b.onClose(b.db.Close)
	return cfg, nil
}

// dropDatabase removes the bench database, even after an interrupt.
func (b *bench) dropDatabase(dsn string) error {
	if b.keep {
		b.progress("kept database %s", b.dbName)
		return nil
	}
	u, _ := url.Parse(dsn) // parsed before
	u.Path = "/postgres"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := openDB(ctx, u.String())
	if err != nil {
		return fmt.Errorf("drop database %s: %w", b.dbName, err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(b.dbName)+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", b.dbName, err)
	}
	b.progress("dropped database %s", b.dbName)
	return nil
}

// startSink starts the loopback SMTP sink the campaign is sent to.
func (b *bench) startSink() (*smtptest.Counter, error) {
	sink, err := smtptest.StartCounter()
	if err != nil {
		return nil, fmt.Errorf("start SMTP sink: %w", err)
	}
	b.onClose(sink.Close)
	return sink, nil
}

// sendingConfig points the configuration at the sink, signs with a fresh
// Ed25519 DKIM key and builds links to the bench's HTTP server.
func (b *bench) sendingConfig(cfg config) (config, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return cfg, fmt.Errorf("DKIM key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return cfg, fmt.Errorf("DKIM key: %w", err)
	}
	dir, err := os.MkdirTemp("", "outreach-bench-")
	if err != nil {
		return cfg, fmt.Errorf("DKIM key: %w", err)
	}
	b.onClose(func() error { return os.RemoveAll(dir) })
	file := filepath.Join(dir, "dkim.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return cfg, fmt.Errorf("DKIM key: %w", err)
	}
	cfg.DKIMKeyFile, cfg.DKIMSelector, cfg.DKIMDomain = file, "bench", benchDKIMDomain
	cfg.SMTPURL, cfg.IMAPURL = "smtp://"+b.sink.Addr+"?tls=none", ""
	cfg.BaseURL, cfg.Secret = b.baseURL, ""
	return cfg, nil
}

// startWorker builds the worker as serve does and runs it in this
// process, on a queue and limiter keys of its own.
func (b *bench) startWorker(ctx context.Context, cfg config) error {
	w, closeSender, err := newWorker(ctx, cfg, b.db, b.rdb, b.log)
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	b.onClose(func() error { closeSender(); return nil })
	w.Config.Queue = "outreach-bench-" + b.suffix
	limitPrefix := "outreach:bench:" + b.suffix + ":"
	w.Limiter = worker.NewLimiter(b.rdb, limitPrefix)
	b.w = w
	b.onClose(func() error { return b.cleanRedis(w, limitPrefix) })
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan error, 1)
	go func() { done <- runWorker(wctx, w, nil) }()
	b.onClose(func() error { stop(); return <-done })
	return nil
}

// cleanRedis removes the bench's queue, the queue's statistics (which
// deleting the queue leaves) and the limiter keys.
func (b *bench) cleanRedis(w *worker.Worker, limitPrefix string) error {
	ctx := context.Background()
	insp := asynq.NewInspector(w.Redis)
	defer insp.Close()
	if err := insp.DeleteQueue(w.Config.Queue, true); err != nil && !errors.Is(err, asynq.ErrQueueNotFound) {
		return fmt.Errorf("delete bench queue: %w", err)
	}
	for _, pattern := range []string{"asynq:{" + w.Config.Queue + "}:*", limitPrefix + "*"} {
		iter := b.rdb.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			if err := b.rdb.Del(ctx, iter.Val()).Err(); err != nil {
				return fmt.Errorf("delete bench keys in Redis: %w", err)
			}
		}
		if err := iter.Err(); err != nil {
			return fmt.Errorf("delete bench keys in Redis: %w", err)
		}
	}
	return nil
}

// startHTTP serves the mux of `outreach serve` with its tracker on ln.
func (b *bench) startHTTP(ctx context.Context, cfg config, ln net.Listener) error {
	tracker := &campaigns.Tracker{DB: b.db, Signer: b.w.Links.Signer, Log: b.log}
	mux, err := newMux(b.db, b.rdb, b.w, tracker, cfg, b.log)
	if err != nil {
		ln.Close()
		return err
	}
	tctx, stopTracker := context.WithCancel(context.WithoutCancel(ctx))
	trackDone := make(chan struct{})
	go func() { tracker.Run(tctx); close(trackDone) }()
	b.onClose(func() error { stopTracker(); <-trackDone; return nil })
	hctx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	httpDone := make(chan error, 1)
	go func() { httpDone <- serveHTTP(hctx, ln, mux, b.log) }()
	b.onClose(func() error { stopHTTP(); return <-httpDone })
	return nil
}

// stageResult is one row of the table.
type stageResult struct {
	name  string
	items int
	unit  string // what items are: rows, msgs, req, calls
	wall  time.Duration
	lat   []time.Duration // one per item; nil where a latency means nothing
	cpu   time.Duration   // this process's user+system time
}

// measure times f, which does a stage's measured work and returns how
// many items it handled and, where meaningful, each one's latency.
func (b *bench) measure(name, unit string, f func() (int, []time.Duration, error)) error {
	cpu0, start := cpuTime(), time.Now()
	items, lat, err := f()
	r := stageResult{name: name, unit: unit, items: items, lat: lat, wall: time.Since(start), cpu: cpuTime() - cpu0}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if items == 0 {
		return fmt.Errorf("%s: nothing was done", name)
	}
	b.results = append(b.results, r)
	b.progress("%s: %d %s in %s", name, items, unit, fmtDuration(r.wall))
	return nil
}

// timed runs f n times and returns each call's duration.
func timed(n int, f func() error) (int, []time.Duration, error) {
	lat := make([]time.Duration, 0, n)
	for range n {
		t0 := time.Now()
		if err := f(); err != nil {
			return len(lat), lat, err
		}
		lat = append(lat, time.Since(t0))
	}
	return n, lat, nil
}

func (b *bench) runStages(ctx context.Context) error {
	for _, stage := range []func(context.Context) error{
		b.generate, b.importContacts, b.segment, b.send, b.track, b.ingestReplies, b.report,
	} {
		if err := stage(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (b *bench) generate(ctx context.Context) error {
	b.progress("generating %d contacts", b.n)
	return b.measure("generate CSV", "rows", func() (int, []time.Duration, error) {
		err := demo.WriteCSV(&b.csv, demo.Options{Seed: 1, Contacts: b.n})
		return b.n, nil, err
	})
}

func (b *bench) importContacts(ctx context.Context) error {
	b.progress("importing %d contacts (%d MiB of CSV)", b.n, b.csv.Len()>>20)
	return b.measure("import CSV", "rows", func() (int, []time.Duration, error) {
		res, err := crm.ImportCSV(ctx, b.db, &b.csv, crm.ImportOptions{Source: "bench"})
		b.csv = bytes.Buffer{} // read: let the memory go before sending
		if err == nil && len(res.Rejected) > 0 {
			err = fmt.Errorf("%d rows rejected, first: %+v", len(res.Rejected), res.Rejected[0])
		}
		return res.Inserted, nil, err
	})
}

// segment saves a segment, then counts it and breaks it down the way the
// segment builder does on every keystroke.
func (b *bench) segment(ctx context.Context) error {
	f := crm.Filter{Where: benchSegmentWhere, Segment: campaigns.SegmentOptions()}
	if _, err := crm.CreateSegment(ctx, b.db, "Bench: middle managers in business support, DACH", f.Where, f); err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	b.progress("counting a segment %d times", benchSegmentCalls)
	err := b.measure("segment count", "calls", func() (int, []time.Duration, error) {
		return timed(benchSegmentCalls, func() error { _, err := crm.Count(ctx, b.db, f); return err })
	})
	if err != nil {
		return err
	}
	return b.measure("segment breakdown", "calls", func() (int, []time.Duration, error) {
		return timed(benchSegmentCalls, func() error { _, err := crm.BreakdownOf(ctx, b.db, f); return err })
	})
}

// send creates a campaign to everyone and sends it through the worker to
// the sink, until the campaign is done.
func (b *bench) send(ctx context.Context) error {
	all := ""
	c, err := campaigns.Create(ctx, b.db, campaigns.Input{
		Name: "Bench invitation", Audience: campaigns.Audience{Where: &all},
		From: "Network <invite@" + benchDKIMDomain + ">", ReplyTo: "replies+@" + benchDKIMDomain,
		Subject: `Invitation for {{ .Contact.FirstName | default "you" }}: access to finance`, HTML: benchHTML,
	}, b.w.Segment)
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	b.campaign = c.ID
	b.progress("sending campaign %d to every contact", c.ID)
	return b.measure("send campaign", "msgs", func() (int, []time.Duration, error) {
		if _, err := campaigns.Send(ctx, b.db, c.ID, b.w.Segment); err != nil {
			return 0, nil, err
		}
		if err := b.waitDone(ctx, c.ID); err != nil {
			return 0, nil, err
		}
		counts, err := campaigns.CountsOf(ctx, b.db, c.ID)
		if err == nil && counts.Sent != b.sink.Count() {
			err = fmt.Errorf("%d recipients marked sent but the SMTP sink accepted %d messages", counts.Sent, b.sink.Count())
		}
		b.sent = counts.Sent
		return b.sink.Count(), nil, err
	})
}

// waitDone polls the campaign's status, reporting progress, and gives up
// when the sink has accepted nothing for benchStall.
func (b *bench) waitDone(ctx context.Context, id int64) error {
	lastCount, lastChange, lastReport := -1, time.Now(), time.Now()
	for {
		status, err := campaigns.Status(ctx, b.db, id)
		if err != nil || status == campaigns.StatusDone {
			return err
		}
		now, n := time.Now(), b.sink.Count()
		if n != lastCount {
			lastCount, lastChange = n, now
		}
		if now.Sub(lastChange) > benchStall {
			counts, _ := campaigns.CountsOf(ctx, b.db, id)
			return fmt.Errorf("campaign %d stalled at %d messages: %+v", id, n, counts)
		}
		if now.Sub(lastReport) >= 5*time.Second {
			b.progress("sending: %d messages accepted", n)
			lastReport = now
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// sampled is a recipient the stages after sending act for.
type sampled struct {
	ID        int64     `db:"id"`
	MessageID string    `db:"message_id"`
	SentAt    time.Time `db:"sent_at"`
	Email     string    `db:"email"`
	FirstName string    `db:"first_name"`
}

func (b *bench) sample(ctx context.Context, n int) ([]sampled, error) {
	var out []sampled
	err := b.db.SelectContext(ctx, &out, `SELECT r.id, r.message_id, r.sent_at, c.email, coalesce(c.first_name, '') AS first_name
		FROM recipients r JOIN contacts c ON c.id = r.contact_id
		WHERE r.campaign_id = $1 AND r.status = 'sent' ORDER BY random() LIMIT $2`, b.campaign, n)
	if err != nil {
		return nil, fmt.Errorf("sample recipients: %w", err)
	}
	return out, nil
}

// track opens and clicks for a sample of recipients over HTTP, with the
// links signed as the composer signs them.
func (b *bench) track(ctx context.Context) error {
	rs, err := b.sample(ctx, min(max(b.sent/10, 50), benchMaxTracked))
	if err != nil {
		return err
	}
	urls := make([]string, 0, 2*len(rs))
	for _, r := range rs {
		urls = append(urls, b.w.Links.Open(r.ID, r.SentAt), b.w.Links.Click(r.ID, r.SentAt, benchClickTarget))
	}
	var before int
	if err := b.db.GetContext(ctx, &before, `SELECT count(*) FROM recipient_events`); err != nil {
		return fmt.Errorf("count events: %w", err)
	}
	b.progress("tracking: %d requests from %d clients", len(urls), benchHTTPClients)
	err = b.measure("tracking HTTP", "req", func() (int, []time.Duration, error) {
		return hitAll(ctx, urls)
	})
	if err != nil {
		return err
	}
	return b.waitEvents(ctx, before+len(urls))
}

// hitAll fetches every URL from benchHTTPClients keep-alive clients and
// returns each request's latency; an answer other than the pixel or the
// redirect is an error.
func hitAll(ctx context.Context, urls []string) (int, []time.Duration, error) {
	tr := &http.Transport{MaxIdleConnsPerHost: benchHTTPClients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	lat := make([][]time.Duration, benchHTTPClients)
	errs := make([]error, benchHTTPClients)
	var wg sync.WaitGroup
	for c := range benchHTTPClients {
		wg.Go(func() {
			for i := c; i < len(urls) && errs[c] == nil; i += benchHTTPClients {
				t0 := time.Now()
				errs[c] = hit(ctx, client, urls[i])
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	all := slices.Concat(lat...)
	return len(all), all, errors.Join(errs...)
}

func hit(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", benchUserAgent) // a person's browser, not a scanner
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusFound {
		return fmt.Errorf("tracking request: %s", resp.Status)
	}
	return nil
}

// waitEvents waits for the tracker's batches to reach Postgres, so the
// report sees them.
func (b *bench) waitEvents(ctx context.Context, want int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		if err := b.db.GetContext(ctx, &got, `SELECT count(*) FROM recipient_events`); err != nil {
			return fmt.Errorf("count events: %w", err)
		}
		if got >= want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("tracking: %d of %d events reached Postgres", got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ingestReplies takes replies from a sample of recipients in one after
// another, as the IMAP poller does.
func (b *bench) ingestReplies(ctx context.Context) error {
	rs, err := b.sample(ctx, max(b.sent*benchReplyPercent/100, 5))
	if err != nil {
		return err
	}
	msgs := make([][]byte, len(rs))
	for i, r := range rs {
		msgs[i] = b.reply(r)
	}
	key, _, err := crm.CreateAPIKey(ctx, b.db, "bench", crm.RoleCoordinator)
	if err != nil {
		return fmt.Errorf("ingest: API key: %w", err)
	}
	b.progress("ingesting %d replies through POST /api/v1/replies/ingest", len(msgs))
	client := &http.Client{Timeout: 30 * time.Second}
	return b.measure("ingest replies", "msgs", func() (int, []time.Duration, error) {
		i := 0
		n, lat, err := timed(len(msgs), func() error {
			res, err := b.postReply(ctx, client, key, msgs[i])
			if err == nil && (!res.Matched || res.Kind != campaigns.InboundReply || res.RecipientID == nil || *res.RecipientID != rs[i].ID) {
				err = fmt.Errorf("reply from recipient %d taken as %+v", rs[i].ID, res)
			}
			i++
			return err
		})
		b.replies = n
		return n, lat, err
	})
}

// postReply hands one raw reply to the ingest endpoint, as a mail
// server's pipe or a forwarding script would.
func (b *bench) postReply(ctx context.Context, client *http.Client, key string, raw []byte) (campaigns.IngestResult, error) {
	var res campaigns.IngestResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.baseURL+"/api/v1/replies/ingest", bytes.NewReader(raw))
	if err != nil {
		return res, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "message/rfc822")
	resp, err := client.Do(req)
	if err != nil {
		return res, fmt.Errorf("ingest: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return res, fmt.Errorf("ingest: %s: %s", resp.Status, body)
	}
	return res, json.NewDecoder(resp.Body).Decode(&res)
}

// reply is what a mail client sends back: threaded on the invitation's
// Message-ID, to the per-recipient Reply-To, quoting the original.
func (b *bench) reply(r sampled) []byte {
	to := "replies+" + b.w.Links.Signer.Token(campaigns.LinkReply, r.ID, "") + "@" + benchDKIMDomain
	var m bytes.Buffer
	fmt.Fprintf(&m, "Return-Path: <%s>\r\nMIME-Version: 1.0\r\nFrom: %s <%s>\r\nTo: Network <%s>\r\n", r.Email, r.FirstName, r.Email, to)
	fmt.Fprintf(&m, "Subject: Re: Invitation: access to finance\r\nDate: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&m, "Message-ID: <bench-reply-%d@mail.example.com>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\n", r.ID, r.MessageID, r.MessageID)
	m.WriteString("Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n")
	m.WriteString("Hi,\r\n\r\nThanks, I would love to join. Can I bring a colleague from our regional office?\r\n\r\nBest\r\n\r\n")
	m.WriteString("> Dear colleague,\r\n> you may want to join our community of practice session in Vienna.\r\n\r\n")
	m.WriteString("--b1\r\nContent-Type: text/html; charset=\"UTF-8\"\r\n\r\n<div>Hi,<br><br>Thanks, I would love to join. Can I bring a colleague?<br><br>Best</div>")
	m.WriteString("<blockquote>Dear colleague, you may want to join our community of practice session in Vienna.</blockquote>\r\n--b1--\r\n")
	return m.Bytes()
}

// report builds the report by seniority and checks it saw the sends and
// the replies.
func (b *bench) report(ctx context.Context) error {
	q := campaigns.ReportQuery{CampaignIDs: []int64{b.campaign}, By: []string{"seniority"}}
	b.progress("building the report %d times", benchReportCalls)
	return b.measure("report by seniority", "calls", func() (int, []time.Duration, error) {
		return timed(benchReportCalls, func() error {
			rep, err := campaigns.BuildReport(ctx, b.db, q)
			if err == nil && (rep.Total.Sent != b.sent || rep.Total.Replied != b.replies) {
				err = fmt.Errorf("report counts %d sent and %d replied, want %d and %d", rep.Total.Sent, rep.Total.Replied, b.sent, b.replies)
			}
			return err
		})
	})
}

// print writes the machine facts and the table to stdout.
func (b *bench) print() error {
	w := b.e.stdout
	fmt.Fprintf(w, "outreach bench: %s contacts; %d CPUs, %s/%s, %s, PostgreSQL %s",
		thousands(b.n), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), b.pgVer)
	if b.load != "" {
		fmt.Fprintf(w, "; load average %s before the run", b.load)
	}
	fmt.Fprint(w, "\n\n")
	fmt.Fprintln(w, "| stage | items | time | rate | p50 | p99 | CPU |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range b.results {
		p50, p99 := "–", "–"
		if len(r.lat) > 0 {
			p50, p99 = fmtDuration(percentile(r.lat, 0.50)), fmtDuration(percentile(r.lat, 0.99))
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s %s/s | %s | %s | %s |\n", r.name, thousands(r.items), fmtDuration(r.wall),
			fmtRate(float64(r.items)/r.wall.Seconds()), r.unit, p50, p99, fmtDuration(r.cpu))
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return fmt.Errorf("getrusage: %w", err)
	}
	fmt.Fprintf(w, "\nProcess CPU %s (user %s, system %s), peak RSS %d MiB. CPU is this process only: the stages, "+
		"workers, HTTP server, SMTP sink and HTTP clients; Postgres and Redis run apart.\n",
		fmtDuration(cpuTime()), fmtDuration(time.Duration(ru.Utime.Nano())), fmtDuration(time.Duration(ru.Stime.Nano())), maxRSS(ru)>>20)
	return nil
}

// loadAverage is the one-minute load average on Linux, so a reader can
// tell a run on a busy machine; elsewhere it is empty.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	one, _, _ := strings.Cut(string(b), " ")
	return one
}

// maxRSS is the peak resident set in bytes: Linux reports KiB, the BSDs
// and macOS bytes.
func maxRSS(ru syscall.Rusage) int64 {
	if runtime.GOOS == "linux" {
		return int64(ru.Maxrss) << 10
	}
	return int64(ru.Maxrss)
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// percentile is the nearest-rank percentile of d, which it sorts.
func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	i := int(float64(len(d))*p+0.999999) - 1
	return d[min(max(i, 0), len(d)-1)]
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func fmtRate(r float64) string {
	if r < 100 {
		return strconv.FormatFloat(r, 'f', 1, 64)
	}
	return thousands(int(r + 0.5))
}

// thousands writes n with comma separators: 100,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
