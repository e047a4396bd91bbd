package worker

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"outreach/campaigns"
)

// The counters are per process, like the Go runtime's: every serve or
// worker process counts what it did itself, and Prometheus sums them.
var (
	messagesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outreach_messages_total",
		Help: "Messages whose outcome this process decided and recorded, by outcome (sent, retry, bounced, failed, suppressed).",
	}, []string{"outcome"})
	smtpErrorsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outreach_smtp_errors_total",
		Help: "Failed deliveries by class: temporary (4xx), permanent (5xx), network (no SMTP reply: connect, TLS, timeout, dropped connection; the outbox's database errors count here too).",
	}, []string{"class"})
	trackingHitsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outreach_tracking_hits_total",
		Help: "Answered requests on recipients' links, by kind (open, click, unsubscribe, rsvp); hits with invalid tokens are not counted.",
	}, []string{"kind"})
)

func init() {
	// Every label value exists from the start, so a rate() over a counter
	// that has not moved yet is 0 rather than missing.
	for _, o := range []string{campaigns.OutcomeSent, campaigns.OutcomeRetry, campaigns.OutcomeBounced, campaigns.OutcomeFailed, campaigns.OutcomeSuppressed} {
		messagesTotal.WithLabelValues(outcomeLabel(o))
	}
	for _, c := range []string{"temporary", "permanent", "network"} {
		smtpErrorsTotal.WithLabelValues(c)
	}
	for _, k := range trackingRoutes {
		trackingHitsTotal.WithLabelValues(k)
	}
}

// countOutcomes counts a chunk of outcomes as the worker records them,
// also when the write fails: the messages went out all the same, and the
// reconciler repairs their rows.
func countOutcomes(results []campaigns.Result) {
	for _, r := range results {
		messagesTotal.WithLabelValues(outcomeLabel(r.Outcome)).Inc()
	}
}

// outcomeLabel names a temporary failure "retry": the row goes back to
// pending, but what happened to the message is a retry.
func outcomeLabel(outcome string) string {
	if outcome == campaigns.OutcomeRetry {
		return "retry"
	}
	return outcome
}

// countSMTPError counts a failed delivery by class. A message that could
// not be composed never reaches it.
func countSMTPError(err error) {
	if err == nil {
		return
	}
	smtpErrorsTotal.WithLabelValues(smtpErrorClass(err)).Inc()
}

func smtpErrorClass(err error) string {
	var se *SendError
	switch {
	case !errors.As(err, &se) || se.Code == 0:
		return "network"
	case se.Code/100 == 5:
		// A 5xx to MAIL FROM is retried (it is about the account, see
		// SendError) but is still the server's permanent answer.
		return "permanent"
	default:
		return "temporary"
	}
}

// trackingRoutes names the recipient-facing routes (as registered by
// campaigns.Tracker and campaigns.Public) whose answered requests count as
// tracking hits.
var trackingRoutes = map[string]string{
	"GET /t/o/{token}":  "open",
	"GET /t/c/{token}":  "click",
	"POST /u/{token}":   "unsubscribe",
	"POST /t/r/{token}": "rsvp",
}

// CountTrackingHits wraps the server's mux and counts answered requests
// on the tracking routes. It reads the pattern the mux matched, so the
// handlers themselves stay free of metrics; a 4xx or 5xx (a forged or
// stale token, a failure) is not a hit.
func CountTrackingHits(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(sw, r)
		if kind, ok := trackingRoutes[r.Pattern]; ok && sw.status < 400 {
			trackingHitsTotal.WithLabelValues(kind).Inc()
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flushes,
// deadlines) through the wrapper.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// NewRegistry returns the registry behind /metrics: the message, SMTP
// error and tracking counters, the Go runtime and process collectors, and
// any collectors given (QueueCollector, RecipientCollector).
func NewRegistry(extra ...prometheus.Collector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	cs := append([]prometheus.Collector{
		messagesTotal, smtpErrorsTotal, trackingHitsTotal,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}, extra...)
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// scrapeTimeout bounds what one scrape spends on Redis or Postgres, well
// inside Prometheus's default scrape timeout of 10 s: a slow dependency
// shows as its *_up gauge at 0 instead of a failed scrape.
const scrapeTimeout = 3 * time.Second

var (
	queueTasksDesc = prometheus.NewDesc("outreach_queue_tasks",
		"Tasks (batches of recipients) in the asynq queue by state, read from Redis at scrape time.",
		[]string{"queue", "state"}, nil)
	queueUpDesc = prometheus.NewDesc("outreach_queue_up",
		"1 if the queue could be read from Redis at this scrape, 0 if not.", nil, nil)
	recipientsDesc = prometheus.NewDesc("outreach_campaign_recipients",
		"Recipients of running campaigns by status, read from Postgres at scrape time.",
		[]string{"campaign_id", "status"}, nil)
	recipientsUpDesc = prometheus.NewDesc("outreach_campaign_recipients_up",
		"1 if the recipients of running campaigns could be counted at this scrape, 0 if not.", nil, nil)
)

// QueueCollector reports the depth of the task queues at scrape time.
// Inspector calls take no context, so each scrape reads Redis in a
// goroutine and gives up after the timeout; give the Inspector a Redis
// client with short read and write timeouts so that goroutine ends too.
type QueueCollector struct {
	Inspector *asynq.Inspector
	Queues    []string      // always reported, as zeros before their first task
	Timeout   time.Duration // default scrapeTimeout
}

func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueTasksDesc
	ch <- queueUpDesc
}

type queueDepth struct {
	name                                       string
	pending, active, scheduled, retry, archive int
}

func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	timeout := q.Timeout
	if timeout <= 0 {
		timeout = scrapeTimeout
	}
	res := make(chan []queueDepth, 1)
	go func() { res <- q.read() }()
	var depths []queueDepth
	select {
	case depths = <-res:
	case <-time.After(timeout):
	}
	if depths == nil {
		ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, 1)
	for _, d := range depths {
		for _, s := range []struct {
			state string
			n     int
		}{{"pending", d.pending}, {"active", d.active}, {"scheduled", d.scheduled}, {"retry", d.retry}, {"archived", d.archive}} {
			ch <- prometheus.MustNewConstMetric(queueTasksDesc, prometheus.GaugeValue, float64(s.n), d.name, s.state)
		}
	}
}

// read returns every queue's depth, or nil if Redis did not answer.
func (q *QueueCollector) read() []queueDepth {
	names, err := q.Inspector.Queues()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	out := []queueDepth{}
	for _, name := range names {
		seen[name] = true
		info, err := q.Inspector.GetQueueInfo(name)
		if err != nil {
			return nil
		}
		out = append(out, queueDepth{name, info.Pending, info.Active, info.Scheduled, info.Retry, info.Archived})
	}
	for _, name := range q.Queues {
		if !seen[name] { // asynq knows a queue only once a task was put in it
			out = append(out, queueDepth{name: name})
		}
	}
	return out
}

// RecipientCollector reports how far the running campaigns have got, in
// one grouped query on the (campaign_id, status) index per scrape.
type RecipientCollector struct {
	DB      *sqlx.DB
	Timeout time.Duration // default scrapeTimeout
}

func (c *RecipientCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- recipientsDesc
	ch <- recipientsUpDesc
}

func (c *RecipientCollector) Collect(ch chan<- prometheus.Metric) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = scrapeTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var rows []struct {
		CampaignID int64  `db:"campaign_id"`
		Status     string `db:"status"`
		N          int64  `db:"n"`
	}
	err := c.DB.SelectContext(ctx, &rows, `SELECT r.campaign_id, r.status, count(*) AS n FROM recipients r
		WHERE r.campaign_id IN (SELECT id FROM campaigns WHERE status = 'running')
		GROUP BY r.campaign_id, r.status`)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(recipientsUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(recipientsUpDesc, prometheus.GaugeValue, 1)
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(recipientsDesc, prometheus.GaugeValue, float64(r.N), strconv.FormatInt(r.CampaignID, 10), r.Status)
	}
}
