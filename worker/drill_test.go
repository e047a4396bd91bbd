package worker

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/migrations/testdb"
)

// Fault drills: a campaign runs while one of the worker's services goes
// away and comes back. Each drill checks what an operator would check
// afterwards: everyone was mailed, nobody twice, the campaign finished,
// its counters add up, and the worker's log said what went wrong. The
// outcome is logged in one fixed format, for the reliability notes:
//
//	drill <name>: recipients=N delivered=N duplicates=N lost=N

// drillLog collects a worker's log lines for the drill to read, and shows
// them too with OUTREACH_TEST_LOG=1.
type drillLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *drillLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	testLogOutput().Write(p)
	return l.buf.Write(p)
}

// problems returns the warning and error lines.
func (l *drillLog) problems() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.buf.String(), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") {
			out = append(out, line)
		}
	}
	return out
}

// requireProblem fails unless some warning or error line contains every
// one of words, and returns the first such line.
func (l *drillLog) requireProblem(t *testing.T, what string, words ...string) string {
	t.Helper()
	lines := l.problems()
	for _, line := range lines {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return line
		}
	}
	t.Errorf("the worker logged no warning or error about %s (a line with %q); its %d warning/error lines:\n%s",
		what, words, len(lines), strings.Join(lines[:min(len(lines), 20)], "\n"))
	return ""
}

// useLog points the worker's slog output at a drillLog.
func useLog(w *Worker) *drillLog {
	l := &drillLog{}
	w.Log = slog.New(slog.NewTextHandler(l, nil))
	return l
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("a fault drill: twenty to forty seconds")
	}
}

// drillAddrs lists the addresses contactsCSV(n, sameDomain) creates.
func drillAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("p%03d@example.org", i)
	}
	return out
}

type drillOutcome struct{ recipients, delivered, duplicates, lost int }

// report tallies what the SMTP server received against who should have
// been mailed, logs it in the fixed format and checks the campaign's own
// counters agree: every row sent, none failed, bounced or still in flight.
func report(t *testing.T, r *rig, name string, id int64, want []string, got map[string]int, took time.Duration) drillOutcome {
	t.Helper()
	o := drillOutcome{recipients: len(want)}
	for _, addr := range want {
		switch k := got[addr]; {
		case k == 0:
			o.lost++
		default:
			o.delivered++
			o.duplicates += k - 1
		}
	}
	t.Logf("drill %s: recipients=%d delivered=%d duplicates=%d lost=%d", name, o.recipients, o.delivered, o.duplicates, o.lost)
	t.Logf("drill %s: took %s", name, took.Round(100*time.Millisecond))
	if o.lost > 0 {
		var missing []string
		for _, addr := range want {
			if got[addr] == 0 {
				missing = append(missing, addr)
			}
		}
		t.Errorf("%d of %d recipients never mailed: %v", o.lost, o.recipients, missing)
	}
	n := r.counts(id)
	if n.Recipients != len(want) || n.Sent != len(want) || n.Failed+n.Bounced+n.Suppressed+n.Pending+n.Queued+n.Sending != 0 {
		t.Errorf("campaign counters %+v, want all %d recipients sent and nothing else", n, len(want))
	}
	return o
}

// throttled is a campaign slow enough that a drill can strike mid-send:
// ten messages a second.
func throttled() campaigns.Input {
	in := basicInput("")
	in.Throttle.PerMinute = 600
	return in
}

// longCampaign scales a long campaign down to a drill: at the defaults a
// throttled batch is ten seconds of sending and a chunk five, so an
// outage of a few seconds meets tasks waiting in Redis, limiter calls and
// recording; smaller batches and chunks give a fifteen-second campaign
// the same mix. Rows stay claimed (sending) for at most a chunk's time,
// about two seconds here, so a StuckAfter of six seconds only ever finds
// rows an outage left behind.
var longCampaign = Config{BatchSize: 20, ChunkSize: 10, StuckAfter: 6 * time.Second, LostAfter: 2 * time.Second}

// drillRedisDB is the Redis database the Redis drill's worker uses and
// empties, apart from the one other worker tests share, so that a test
// process running those at the same time keeps its queue.
const drillRedisDB = 12

func flushDB(ctx context.Context, addr string, db int) error {
	c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
	defer c.Close()
	return c.FlushDB(ctx).Err()
}

// TestDrillRedisRestartMidSend takes Redis away from the worker for five
// seconds in the middle of a campaign and brings it back empty, as a
// restart without persistence does: queued tasks and throttle state are
// gone, connections drop and reconnect.
func TestDrillRedisRestartMidSend(t *testing.T) {
	skipShort(t)
	const n = 150
	ctx := context.Background()
	r := newRig(t, contactsCSV(n, sameDomain))
	px := newDrillProxy(t, r.opt.Addr)
	w := r.worker(longCampaign)
	w.Redis = asynq.RedisClientOpt{Addr: px.Addr, DB: drillRedisDB}
	lc := redis.NewClient(&redis.Options{Addr: px.Addr, DB: drillRedisDB})
	t.Cleanup(func() { lc.Close() })
	// Before the worker starts, so it runs after the worker has stopped.
	t.Cleanup(func() { flushDB(context.Background(), r.opt.Addr, drillRedisDB) })
	w.Limiter = NewLimiter(lc, "test:limit:"+r.queue+":")
	logs := useLog(w)
	c := r.create(throttled())
	start := time.Now()
	r.run(w)
	r.send(c.ID)
	waitSent(t, r, 20)
	px.Cut()
	if err := flushDB(ctx, r.opt.Addr, drillRedisDB); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	px.Restore()
	r.waitStatus(c.ID, campaigns.StatusDone, 50*time.Second)
	o := report(t, r, "redis-restart", c.ID, drillAddrs(n), r.sink.PerRecipient(), time.Since(start))
	if o.duplicates > 0 {
		t.Errorf("%d duplicate messages", o.duplicates)
	}
	// Whether a handler asks the limiter during the cut depends on timing,
	// so "rate limiter unavailable" may or may not appear; the queue's
	// errors always do.
	logs.requireProblem(t, "Redis going away", "redis", "connection reset")
	logs.requireProblem(t, "tasks lost with Redis", "re-enqueueing a batch whose task was lost")
}

// TestDrillPostgresRestartMidSend cuts the worker's database connections
// for five seconds in the middle of a campaign: open connections drop and
// new ones are refused, then the database is back.
func TestDrillPostgresRestartMidSend(t *testing.T) {
	skipShort(t)
	const n = 150
	r := newRig(t, contactsCSV(n, sameDomain))
	px := newDrillProxy(t, postgresAddr(t))
	pdb := proxiedDB(t, r.db, px.Addr)
	w := r.worker(longCampaign)
	w.DB = pdb
	logs := useLog(w)
	c := r.create(throttled())
	start := time.Now()
	r.run(w)
	r.send(c.ID)
	waitSent(t, r, 20)
	px.Cut()
	time.Sleep(5 * time.Second)
	px.Restore()
	r.waitStatus(c.ID, campaigns.StatusDone, 50*time.Second)
	o := report(t, r, "postgres-restart", c.ID, drillAddrs(n), r.sink.PerRecipient(), time.Since(start))
	// A message sent just before its outcome could be recorded is sent
	// again once the reconciler finds its row left in sending: under a
	// throttle the worker records before each wait, so at most the one
	// message of each batch in flight (two here).
	if o.duplicates > 2 {
		t.Errorf("%d duplicate messages, want at most one per batch in flight (2)", o.duplicates)
	}
	logs.requireProblem(t, "the database going away", "campaigns: ", "connection")
}

// postgresAddr is the host:port of the test database server.
func postgresAddr(t *testing.T) string {
	u, err := url.Parse(testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), "5432")
	}
	return u.Host
}

// proxiedDB opens a second pool on the test database whose connections go
// through proxy; the test keeps its own checks on the direct one.
func proxiedDB(t *testing.T, direct *sqlx.DB, proxy string) *sqlx.DB {
	var name string
	if err := direct.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Host, u.Path = proxy, "/"+name
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxIdleConns(20)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestDrillSMTPOutageThenRecovery starts a campaign while the SMTP server
// is down (connections reset), then has it answer 421 at the greeting,
// then 451 to every recipient, then accept. Retries back off
// exponentially, so a phase lasts at least a few seconds and until some
// attempt has met it; with the short backoff below the whole outage takes
// about fifteen seconds and the last retries come within about thirty.
func TestDrillSMTPOutageThenRecovery(t *testing.T) {
	skipShort(t)
	const n = 50
	r := newRig(t, contactsCSV(n, sameDomain))
	sink := newFlakySink(t)
	// Attempts at about 0, 0.2, 0.6, 1.4, 3, 6.2, 12.6 and 25.4 s (plus up
	// to a quarter of jitter): the seventh meets the 421 and 451 phases,
	// the eighth the recovered server. Ten attempts leave room for jitter
	// without letting the drill count a failure it did not cause.
	w := r.workerTo(sink.Addr, Config{RetryBase: 200 * time.Millisecond, MaxAttempts: 10})
	logs := useLog(w)
	c := r.create(basicInput(""))
	start := time.Now()
	r.run(w)
	r.send(c.ID)
	time.Sleep(10 * time.Second)
	sink.phase.Store(phase421)
	waitMet(t, 3*time.Second, &sink.greeted421)
	sink.phase.Store(phase451)
	waitMet(t, 3*time.Second, &sink.rcpt451)
	sink.phase.Store(phaseAccept)
	recovered := time.Since(start)
	r.waitStatus(c.ID, campaigns.StatusDone, 45*time.Second)
	o := report(t, r, "smtp-outage", c.ID, drillAddrs(n), sink.PerRecipient(), time.Since(start))
	if o.duplicates > 0 {
		t.Errorf("%d duplicate messages", o.duplicates)
	}
	t.Logf("drill smtp-outage: server back after %s; it reset %d connections, greeted %d with 421, answered %d RCPT with 451",
		recovered.Round(100*time.Millisecond), sink.refused.Load(), sink.greeted421.Load(), sink.rcpt451.Load())
	if sink.refused.Load() == 0 {
		t.Error("no attempt met the server down")
	}
	logs.requireProblem(t, "temporary delivery failures", "smtp")
}

// waitMet waits at least d and until counter is above zero, for at most
// 30 s: a phase of the outage lasts until some retry has met it.
func waitMet(t *testing.T, d time.Duration, counter *atomic.Int64) {
	t.Helper()
	time.Sleep(d)
	deadline := time.Now().Add(30 * time.Second)
	for counter.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no retry came during a phase of the outage")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The phases of a flaky SMTP server.
const (
	phaseDown   int32 = iota // every connection is reset at once
	phase421                 // greets with 421 and hangs up
	phase451                 // refuses every recipient with 451
	phaseAccept              // takes every message
)

// flakySink is a minimal SMTP server whose whole service fails in phases,
// which smtptest.Server (failures per recipient) cannot express. It
// counts accepted messages per recipient.
type flakySink struct {
	Addr                         string
	phase                        atomic.Int32
	refused, greeted421, rcpt451 atomic.Int64

	mu   sync.Mutex
	rcpt map[string]int
}

func newFlakySink(t *testing.T) *flakySink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &flakySink{Addr: ln.Addr().String(), rcpt: map[string]int{}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(conn)
		}
	}()
	return s
}

func (s *flakySink) PerRecipient() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.rcpt))
	for k, v := range s.rcpt {
		out[k] = v
	}
	return out
}

func (s *flakySink) session(conn net.Conn) {
	defer conn.Close()
	switch s.phase.Load() {
	case phaseDown:
		s.refused.Add(1)
		reset(conn)
		return
	case phase421:
		s.greeted421.Add(1)
		io.WriteString(conn, "421 4.3.2 sink.test Service not available, closing transmission channel\r\n")
		return
	}
	conn.SetDeadline(time.Now().Add(time.Minute))
	rd := bufio.NewReader(conn)
	reply := func(line string) bool {
		_, err := io.WriteString(conn, line+"\r\n")
		return err == nil
	}
	reply("220 sink.test ESMTP")
	var to string
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return
		}
		verb := strings.ToUpper(line[:min(4, len(line))])
		ok := true
		switch verb {
		case "EHLO":
			ok = reply("250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800")
		case "HELO", "MAIL", "RSET", "NOOP":
			ok = reply("250 2.0.0 OK")
		case "RCPT":
			if s.phase.Load() == phase451 {
				s.rcpt451.Add(1)
				ok = reply("451 4.3.0 Try again later")
				break
			}
			i, j := strings.IndexByte(line, '<'), strings.IndexByte(line, '>')
			if i >= 0 && j > i {
				to = line[i+1 : j]
			}
			ok = reply("250 2.1.5 OK")
		case "DATA":
			if !reply("354 Go ahead") {
				return
			}
			for {
				l, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
			}
			s.mu.Lock()
			s.rcpt[to]++
			s.mu.Unlock()
			ok = reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			ok = reply("502 5.5.2 Command not implemented")
		}
		if !ok {
			return
		}
	}
}
