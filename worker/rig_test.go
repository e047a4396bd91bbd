package worker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/migrations/testdb"
	"outreach/worker/smtptest"
)

// rig is a database with contacts, Redis, a sink and a worker wired to them.
type rig struct {
	t     testing.TB
	db    *sqlx.DB
	rdb   *redis.Client
	sink  *smtptest.Server
	opt   asynq.RedisClientOpt
	queue string
	dsn   string
}

// limiter returns a limiter on its own Redis connection, as another
// process would have, sharing the rig's keys.
func (r *rig) limiter() *Limiter {
	c := redis.NewClient(&redis.Options{Addr: r.opt.Addr, DB: testRedisDB})
	r.t.Cleanup(func() { c.Close() })
	return NewLimiter(c, "test:limit:"+r.queue+":")
}

// testRedisDB keeps the worker tests' queues apart from anything else on
// the server; the tests of this package run one after another.
const testRedisDB = 9

func newRig(t testing.TB, contactsCSV string) *rig {
	db, dsn := testdb.New(t)
	addr := os.Getenv("OUTREACH_TEST_REDIS_ADDR")
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr, DB: testRedisDB})
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		testdb.Unavailable(t, "redis", err)
	}
	t.Cleanup(func() { rdb.Close() })
	if _, err := crm.ImportCSV(context.Background(), db, strings.NewReader(contactsCSV), crm.ImportOptions{Source: "test"}); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, db: db, rdb: rdb, sink: smtptest.NewServer(t), opt: asynq.RedisClientOpt{Addr: addr, DB: testRedisDB},
		queue: fmt.Sprintf("test-%d", time.Now().UnixNano()), dsn: dsn}
	// Registered first, so it runs after the workers have stopped: the
	// rig's queue goes with it. Other tests share the Redis database, so
	// it is not flushed.
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: testRedisDB})
		defer c.Close()
		ctx := context.Background()
		keys, _ := c.Keys(ctx, "asynq:{"+r.queue+"}:*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
		c.SRem(ctx, "asynq:queues", r.queue)
	})
	return r
}

// worker returns a worker sending to the sink with quick test timings.
func (r *rig) worker(cfg Config) *Worker { return r.workerTo(r.sink.Addr, cfg) }

// workerTo returns a worker sending to the SMTP server at addr.
func (r *rig) workerTo(addr string, cfg Config) *Worker {
	sc, err := ParseSMTPURL("smtp://" + addr + "?tls=none&max_conns=4")
	if err != nil {
		r.t.Fatal(err)
	}
	smtpc, err := NewSMTP(sc)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { smtpc.Close() })
	// Each rig has its own queue and limiter keys, so test processes that
	// share a Redis server never take each other's tasks.
	cfg.Queue = r.queue
	if cfg.Tick == 0 {
		cfg.Tick = 200 * time.Millisecond
	}
	if cfg.RetryBase == 0 {
		cfg.RetryBase = 500 * time.Millisecond
	}
	return &Worker{
		DB: r.db, DatabaseURL: r.dsn, Redis: r.opt, Limiter: r.limiter(),
		Sender: SMTPSender{SMTP: smtpc}, Log: slog.New(slog.NewTextHandler(testLogOutput(), nil)),
		Links:  campaigns.Links{BaseURL: "https://outreach.example.org", Signer: campaigns.NewSigner([]byte("test secret 0123456789"))},
		Config: cfg,
	}
}

// run starts a worker's handlers and dispatcher until the test ends or
// stop is called.
func (r *rig) run(w *Worker) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv := w.Server()
		if err := srv.Start(w.Mux()); err != nil {
			r.t.Error(err)
			return
		}
		w.Dispatch(ctx)
		srv.Shutdown()
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	r.t.Cleanup(stop)
	return stop
}

func (r *rig) create(in campaigns.Input) campaigns.Campaign {
	c, err := campaigns.Create(context.Background(), r.db, in, emptyOpts)
	if err != nil {
		r.t.Fatalf("create campaign: %v", err)
	}
	return c
}

func (r *rig) send(id int64) {
	if _, err := campaigns.Send(context.Background(), r.db, id, emptyOpts); err != nil {
		r.t.Fatalf("send: %v", err)
	}
}

// waitStatus polls until the campaign reaches status or the deadline.
func (r *rig) waitStatus(id int64, status string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if s, _ := campaigns.Status(context.Background(), r.db, id); s == status {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	counts, _ := campaigns.CountsOf(context.Background(), r.db, id)
	r.t.Fatalf("campaign %d did not become %s within %s: counts %+v", id, status, within, counts)
}

func (r *rig) counts(id int64) campaigns.Counts {
	c, err := campaigns.CountsOf(context.Background(), r.db, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

func header(t testing.TB, raw []byte, name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	return m.Header.Get(name)
}

// part returns the decoded body of the first MIME part of a type
// (text/html, text/plain) in a message.
func part(t testing.TB, raw []byte, mediaType string) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no %s part: %v", mediaType, err)
		}
		if mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); mt == mediaType {
			b, _ := io.ReadAll(p) // multipart decodes quoted-printable
			return string(b)
		}
	}
}

func contactsCSV(n int, domain func(i int) string) string {
	var b strings.Builder
	b.WriteString("email,first_name,last_name,seniority,country\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "p%03d@%s,Person%d,Test,middle,DE\n", i, domain(i), i)
	}
	return b.String()
}

func basicInput(where string) campaigns.Input {
	w := where
	return campaigns.Input{
		Name: "Test invitation", Audience: campaigns.Audience{Where: &w}, From: "Network <invite@network.example.org>",
		ReplyTo: "replies@network.example.org",
		Subject: "Hello {{ .Contact.FirstName | default \"colleague\" }}",
		HTML:    `<p>Dear {{ .Contact.FirstName }}, see <a href="https://example.org/agenda?x=1&amp;y=2">the agenda</a>.</p><p><a href="{{ .UnsubscribeURL }}">Unsubscribe</a></p>`,
	}
}

// testLogOutput shows the worker's logs with OUTREACH_TEST_LOG=1.
func testLogOutput() io.Writer {
	if os.Getenv("OUTREACH_TEST_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
