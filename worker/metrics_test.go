package worker

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
)

// counterDeltas reads the outcome and SMTP error counters, so a test can
// compare what one campaign added (the counters are per process).
func counterDeltas() func() map[string]float64 {
	read := func() map[string]float64 {
		m := map[string]float64{}
		for _, o := range []string{"sent", "retry", "bounced", "failed", "suppressed"} {
			m[o] = testutil.ToFloat64(messagesTotal.WithLabelValues(o))
		}
		for _, c := range []string{"temporary", "permanent", "network"} {
			m["smtp_"+c] = testutil.ToFloat64(smtpErrorsTotal.WithLabelValues(c))
		}
		return m
	}
	before := read()
	return func() map[string]float64 {
		after := read()
		for k := range after {
			after[k] -= before[k]
		}
		return after
	}
}

func TestMetricsCountEveryOutcomeAndSMTPErrorClass(t *testing.T) {
	r := newRig(t, contactsCSV(6, sameDomain))
	r.sink.Refuse("p001@example.org", 451) // retried, then delivered
	r.sink.Refuse("p002@example.org", 550) // bounced
	delta := counterDeltas()
	c := r.create(basicInput(""))
	r.send(c.ID)
	// Unsubscribed after the snapshot: suppressed at send time.
	r.db.MustExec(`UPDATE contacts SET consent = 'unsubscribed' WHERE email = 'p003@example.org'`)
	stop := r.run(r.worker(Config{RetryBase: 200 * time.Millisecond}))
	r.waitStatus(c.ID, campaigns.StatusDone, 30*time.Second)
	stop()
	// No SMTP server at all: a network error, failed at once with one attempt.
	dead := r.create(basicInput(`email = "p000@example.org"`))
	r.send(dead.ID)
	r.run(r.workerTo(closedAddr(t), Config{MaxAttempts: 1}))
	r.waitStatus(dead.ID, campaigns.StatusDone, 30*time.Second)

	got := delta()
	want := map[string]float64{"sent": 4, "retry": 1, "bounced": 1, "suppressed": 1, "failed": 1,
		"smtp_temporary": 1, "smtp_permanent": 1, "smtp_network": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s went up by %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	if n := r.counts(c.ID); n.Sent != 4 || n.Bounced != 1 || n.Suppressed != 1 {
		t.Errorf("the database disagrees with the test's premise: %+v", n)
	}
}

func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// gather collects one scrape of the given collectors into name{labels} ->
// value, labels in Prometheus's order.
func gather(t *testing.T, cs ...prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	for _, c := range cs {
		reg.MustRegister(c)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			out[f.GetName()+labels(m)] = m.GetGauge().GetValue()
		}
	}
	return out
}

func labels(m *dto.Metric) string {
	if len(m.GetLabel()) == 0 {
		return ""
	}
	s := "{"
	for i, l := range m.GetLabel() {
		if i > 0 {
			s += ","
		}
		s += l.GetName() + "=" + l.GetValue()
	}
	return s + "}"
}

func TestQueueAndRecipientCollectorsReadAtScrapeTime(t *testing.T) {
	r := newRig(t, contactsCSV(3, sameDomain))
	client := asynq.NewClient(r.opt)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("ops:test", nil), asynq.Queue(r.queue), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		insp := asynq.NewInspector(r.opt)
		insp.DeleteQueue(r.queue, true)
		insp.Close()
	})
	rc := redis.NewClient(&redis.Options{Addr: r.opt.Addr, DB: testRedisDB, ReadTimeout: time.Second, WriteTimeout: time.Second})
	defer rc.Close()
	idle := r.queue + "-idle" // configured but never used: reported as zeros
	queues := &QueueCollector{Inspector: asynq.NewInspectorFromRedisClient(rc), Queues: []string{idle}}
	c := r.create(basicInput(""))
	r.send(c.ID) // running, but no worker: all three pending
	done := r.create(basicInput(""))
	r.db.MustExec(`UPDATE campaigns SET status = 'done' WHERE id = $1`, done.ID)
	got := gather(t, queues, &RecipientCollector{DB: r.db})
	want := map[string]float64{
		"outreach_queue_up": 1,
		"outreach_queue_tasks{queue=" + r.queue + ",state=scheduled}":                 1,
		"outreach_queue_tasks{queue=" + r.queue + ",state=pending}":                   0,
		"outreach_queue_tasks{queue=" + idle + ",state=pending}":                      0,
		"outreach_campaign_recipients_up":                                             1,
		"outreach_campaign_recipients{campaign_id=" + itoa(c.ID) + ",status=pending}": 3,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	for k := range got {
		if k == "outreach_campaign_recipients{campaign_id="+itoa(done.ID)+",status=pending}" {
			t.Errorf("a campaign that is not running is reported: %s", k)
		}
	}

	// A Redis that accepts connections and never answers: the scrape
	// reports the queue as down instead of hanging.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	mute := redis.NewClient(&redis.Options{Addr: ln.Addr().String(), ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond, MaxRetries: -1})
	defer mute.Close()
	got = gather(t, &QueueCollector{Inspector: asynq.NewInspectorFromRedisClient(mute), Timeout: 200 * time.Millisecond})
	if got["outreach_queue_up"] != 0 || len(got) != 1 {
		t.Errorf("silent Redis: %v, want only outreach_queue_up 0", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
