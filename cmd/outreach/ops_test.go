package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/hibiken/asynq"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
	"outreach/migrations/testdb"
	"outreach/worker/smtptest"
)

// opsRedis returns the Redis URL for a served instance, on an emptied
// database that is emptied again when the test ends.
// lockedBuffer collects a served instance's logs, written from many
// goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// instance is one `outreach serve` run in-process.
type instance struct {
	base string
	logs *lockedBuffer
	stop func() error // cancels, as SIGTERM does, and waits for serve to return
}

func startServe(t *testing.T, vars map[string]string, flags ...string) *instance {
	t.Helper()
	addr := freeAddr(t)
	vars["OUTREACH_LISTEN"] = addr
	return startCommand(t, vars, addr, append([]string{"serve"}, flags...))
}

// startCommand runs a long-lived command (serve, or a worker with a
// metrics listener) in this process and waits until addr answers
// /healthz with 200.
func startCommand(t *testing.T, vars map[string]string, addr string, args []string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &lockedBuffer{}
	go func() {
		done <- run(ctx, env{stdin: strings.NewReader(""), stdout: logs, stderr: logs, getenv: func(k string) string { return vars[k] }}, args)
	}()
	var once sync.Once
	var err error
	in := &instance{base: "http://" + addr, logs: logs, stop: func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}}
	t.Cleanup(func() { in.stop() })
	for i := 0; ; i++ {
		res, err := http.Get(in.base + "/healthz")
		if err == nil && res.StatusCode == 200 {
			res.Body.Close()
			return in
		}
		if err == nil {
			res.Body.Close()
		}
		select {
		case err := <-done:
			t.Fatalf("%s exited: %v\n%s", args[0], err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
		if i > 200 {
			t.Fatalf("%s did not become healthy\n%s", args[0], logs.String())
		}
	}
}

// scrape fetches /metrics with the given headers and returns the status
// and the metric lines as name{labels} -> value.
func scrape(t *testing.T, base string, header map[string]string) (int, map[string]float64) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]float64{}
	if res.StatusCode != 200 {
		return res.StatusCode, out
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return res.StatusCode, out
}

func seedCampaign(t *testing.T, db *sqlx.DB, n int, throttle campaigns.Throttle) campaigns.Campaign {
	t.Helper()
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("email,first_name\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&csv, "ops%03d@example.org,Person%d\n", i, i)
	}
	if _, err := crm.ImportCSV(ctx, db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	all := ""
	c, err := campaigns.Create(ctx, db, campaigns.Input{Name: "ops", Audience: campaigns.Audience{Where: &all},
		From: "invite@network.example.org", Subject: "Hello", Throttle: throttle,
		HTML: `<p>Hello {{ .Contact.FirstName }}, <a href="https://example.org/agenda">the agenda</a>.</p><p><a href="{{ .UnsubscribeURL }}">Unsubscribe</a></p>`,
	}, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const opsSecret = "ops test secret 0123456789"

// TestMetricsShowSendsQueueDepthAndTrackingHits sends a small campaign
// through a served instance and reads /metrics as Prometheus would: the
// sent counter, the queue gauge, each kind of tracking hit, who may read
// it, and the JSON logs asked for with OUTREACH_LOG_FORMAT.
func TestMetricsShowSendsQueueDepthAndTrackingHits(t *testing.T) {
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	sink := smtptest.NewServer(t)
	const n = 5
	c := seedCampaign(t, db, n, campaigns.Throttle{})
	keys := map[string]string{}
	for _, role := range []string{"admin", "viewer"} {
		k, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn}, "", "apikey", "create", "--name", role, "--role", role)
		if err != nil {
			t.Fatal(err)
		}
		keys[role] = strings.TrimSpace(k)
	}
	srv := startServe(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL,
		"OUTREACH_SMTP_URL": "smtp://" + sink.Addr + "?tls=none", "OUTREACH_SECRET": opsSecret,
		"OUTREACH_LOG_FORMAT": "json"}, "--migrate")

	status, before := scrape(t, srv.base, nil)
	if status != 200 {
		t.Fatalf("GET /metrics from loopback: %d", status)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", `outreach_queue_up`, `outreach_campaign_recipients_up`} {
		if _, ok := before[name]; !ok {
			t.Errorf("%s missing from /metrics", name)
		}
	}
	if _, err := campaigns.Send(context.Background(), db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, db, c.ID, 30*time.Second)

	// A scheduled task in a queue of its own, so the gauge has something
	// to count that this test put there.
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: redisAddrOf(t, redisURL), DB: serveRedisDB})
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("ops:probe", nil), asynq.Queue("ops-probe"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// One hit on each kind of recipient link, and a forged pixel that must
	// not count.
	var rid int64
	var sentAt time.Time
	if err := db.QueryRow(`SELECT id, sent_at FROM recipients WHERE campaign_id = $1 ORDER BY id LIMIT 1`, c.ID).Scan(&rid, &sentAt); err != nil {
		t.Fatal(err)
	}
	links := campaigns.Links{BaseURL: srv.base, Signer: campaigns.NewSigner([]byte(opsSecret))}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	hit := func(method, u string, want int) {
		t.Helper()
		req, _ := http.NewRequest(method, u, nil)
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("%s %s: %d, want %d", method, u, res.StatusCode, want)
		}
	}
	hit("GET", links.Open(rid, sentAt), 200)
	hit("GET", srv.base+"/t/o/forged", 404)
	hit("GET", links.Click(rid, sentAt, "https://example.org/agenda"), 302)
	hit("POST", links.RSVP(rid, true), 200)
	hit("POST", links.Unsubscribe(rid), 200)

	_, after := scrape(t, srv.base, nil)
	delta := func(name string) float64 { return after[name] - before[name] }
	if d := delta(`outreach_messages_total{outcome="sent"}`); d != n {
		t.Errorf("sent counter went up by %v, want %d", d, n)
	}
	if sink.Count() != n {
		t.Errorf("the sink got %d messages, want %d", sink.Count(), n)
	}
	for _, kind := range []string{"open", "click", "rsvp", "unsubscribe"} {
		if d := delta(`outreach_tracking_hits_total{kind="` + kind + `"}`); d != 1 {
			t.Errorf("tracking %s counter went up by %v, want 1", kind, d)
		}
	}
	want := map[string]float64{
		`outreach_queue_up`: 1,
		`outreach_queue_tasks{queue="ops-probe",state="scheduled"}`: 1,
		`outreach_queue_tasks{queue="outreach",state="pending"}`:    0,
		`outreach_queue_tasks{queue="outreach",state="active"}`:     0,
	}
	for k, v := range want {
		if g, ok := after[k]; !ok || g != v {
			t.Errorf("%s = %v (present: %v), want %v", k, g, ok, v)
		}
	}

	// Through a proxy, or from another host, only an admin key opens it.
	proxied := map[string]string{"X-Forwarded-For": "203.0.113.9"}
	if status, _ := scrape(t, srv.base, proxied); status != 401 {
		t.Errorf("proxied without a key: %d, want 401", status)
	}
	proxied["Authorization"] = "Bearer " + keys["viewer"]
	if status, _ := scrape(t, srv.base, proxied); status != 403 {
		t.Errorf("proxied with a viewer key: %d, want 403", status)
	}
	proxied["Authorization"] = "Bearer " + keys["admin"]
	if status, m := scrape(t, srv.base, proxied); status != 200 || m[`outreach_queue_up`] != 1 {
		t.Errorf("proxied with an admin key: %d", status)
	}

	if err := srv.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	// OUTREACH_LOG_FORMAT=json: every line is one JSON object.
	lines := strings.Split(strings.TrimSpace(srv.logs.String()), "\n")
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Errorf("log line is not JSON: %q", l)
		}
	}
	if !strings.Contains(srv.logs.String(), `"msg":"outreach listening"`) || !strings.Contains(srv.logs.String(), `"msg":"schema is up to date"`) {
		t.Errorf("no start line in the logs:\n%s", srv.logs.String())
	}
	if _, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_LOG_FORMAT": "xml"}, "", "serve"); err == nil || !strings.Contains(err.Error(), "OUTREACH_LOG_FORMAT") {
		t.Errorf("serve with OUTREACH_LOG_FORMAT=xml: %v, want a refusal naming the variable", err)
	}
}

// A worker on another machine can be scraped like serve: its own send
// counters, the queue, and serve's access rule.
func TestWorkerServesMetrics(t *testing.T) {
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	sink := smtptest.NewServer(t)
	const n = 4
	c := seedCampaign(t, db, n, campaigns.Throttle{})
	key, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn}, "", "apikey", "create", "--name", "ops", "--role", "admin")
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	w := startCommand(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL,
		"OUTREACH_SMTP_URL": "smtp://" + sink.Addr + "?tls=none", "OUTREACH_SECRET": opsSecret},
		addr, []string{"worker", "--metrics-listen", addr})
	base := "http://" + addr

	_, before := scrape(t, base, nil)
	if _, err := campaigns.Send(context.Background(), db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, db, c.ID, 30*time.Second)
	status, after := scrape(t, base, nil)
	if status != 200 {
		t.Fatalf("GET /metrics from loopback: %d", status)
	}
	if d := after[`outreach_messages_total{outcome="sent"}`] - before[`outreach_messages_total{outcome="sent"}`]; d != n || sink.Count() != n {
		t.Errorf("sent counter went up by %v and the sink got %d, want %d each", d, sink.Count(), n)
	}
	if after[`outreach_queue_up`] != 1 {
		t.Errorf("outreach_queue_up = %v, want 1", after[`outreach_queue_up`])
	}
	proxied := map[string]string{"X-Forwarded-For": "203.0.113.9"}
	if status, _ := scrape(t, base, proxied); status != 401 {
		t.Errorf("proxied without a key: %d, want 401", status)
	}
	proxied["Authorization"] = "Bearer " + strings.TrimSpace(key)
	if status, _ := scrape(t, base, proxied); status != 200 {
		t.Errorf("proxied with an admin key: %d, want 200", status)
	}
	if err := w.stop(); err != nil {
		t.Fatalf("worker: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the metrics listener still answers after the worker stopped")
	}
	// A listener that cannot start stops the worker with a reason.
	if _, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL},
		"", "worker", "--metrics-listen", "203.0.113.9:1"); err == nil || !strings.Contains(err.Error(), "--metrics-listen") {
		t.Errorf("worker with an address it cannot bind: %v, want a refusal naming --metrics-listen", err)
	}
}

// waitDone waits until a campaign is marked done.
func waitDone(t *testing.T, db *sqlx.DB, id int64, within time.Duration) {
	t.Helper()
	waitFor(t, within, func() bool {
		s, _ := campaigns.Status(context.Background(), db, id)
		return s == campaigns.StatusDone
	})
}

func redisAddrOf(t *testing.T, u string) string {
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return o.Addr
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signedIn returns a client holding a session of a new user with role.
func signedIn(t *testing.T, base, dsn, email, role string) *http.Client {
	t.Helper()
	const password = "a long enough password"
	if _, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn}, password+"\n", "user", "add", email, "--role", role); err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in form")
	}
	res, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}, "next": {"/contacts"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in as %s: %d", email, res.StatusCode)
	}
	return c
}

// TestQueueDashboardIsForAdminsOnly checks the asynq dashboard's guard:
// sign-in, the admin role, and same-origin writes from its own script.
func TestQueueDashboardIsForAdminsOnly(t *testing.T) {
	_, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	srv := startServe(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL, "OUTREACH_SECRET": opsSecret})
	opt := asynq.RedisClientOpt{Addr: redisAddrOf(t, redisURL), DB: serveRedisDB}
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("ops:probe", nil), asynq.Queue("ops-probe"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	paused := func() bool {
		info, err := insp.GetQueueInfo("ops-probe")
		if err != nil {
			t.Fatal(err)
		}
		return info.Paused
	}
	admin := signedIn(t, srv.base, dsn, "admin@example.org", "admin")
	viewer := signedIn(t, srv.base, dsn, "viewer@example.org", "viewer")
	anonymous := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(c *http.Client, method, path string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.base+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	if status, _ := do(anonymous, "GET", "/admin/queues/", nil); status != http.StatusSeeOther {
		t.Errorf("dashboard without a session: %d, want a redirect to sign-in", status)
	}
	if status, _ := do(viewer, "GET", "/admin/queues/", nil); status != 403 {
		t.Errorf("dashboard as a viewer: %d, want 403", status)
	}
	if status, _ := do(viewer, "GET", "/admin/queues/api/queues", nil); status != 403 {
		t.Errorf("dashboard API as a viewer: %d, want 403", status)
	}
	status, body := do(admin, "GET", "/admin/queues/", nil)
	if status != 200 || !strings.Contains(body, "<title>Asynq - Monitoring</title>") || !strings.Contains(body, `"/admin/queues/static/js/`) {
		t.Errorf("dashboard as an admin: %d\n%.300s", status, body)
	}
	if status, body := do(admin, "GET", "/admin/queues/api/queues", nil); status != 200 || !strings.Contains(body, "ops-probe") {
		t.Errorf("dashboard API as an admin: %d %.300s", status, body)
	}

	// The dashboard's own writes: refused cross-site and without origin
	// headers, refused to a viewer, done for an admin from this origin.
	pause := "/admin/queues/api/queues/ops-probe:pause"
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}, {}} {
		if status, _ := do(admin, "POST", pause, h); status != 403 || paused() {
			t.Errorf("admin POST with %v: %d, paused %v; want 403 and nothing changed", h, status, paused())
		}
	}
	if status, _ := do(viewer, "POST", pause, map[string]string{"Sec-Fetch-Site": "same-origin"}); status != 403 || paused() {
		t.Errorf("viewer POST from this origin: %d, paused %v; want 403", status, paused())
	}
	if status, _ := do(admin, "POST", pause, map[string]string{"Sec-Fetch-Site": "same-origin"}); status != 204 || !paused() {
		t.Errorf("admin POST from this origin: %d, paused %v; want the queue paused", status, paused())
	}
	if status, _ := do(admin, "POST", "/admin/queues/api/queues/ops-probe:resume", map[string]string{"Origin": srv.base}); status != 204 || paused() {
		t.Errorf("admin POST with a same-site Origin: %d, paused %v; want the queue resumed", status, paused())
	}
}

// TestStopMidCampaignLosesAndRepeatsNothing stops `outreach serve` (as
// SIGTERM does) while a throttled campaign is sending, then checks what
// an operator relies on when restarting: every message the SMTP server
// accepted is recorded as sent, nothing is left claimed, the rest is
// waiting, and a second serve finishes with everyone mailed exactly once.
func TestStopMidCampaignLosesAndRepeatsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("stops and restarts serve during a throttled campaign; about half a minute")
	}
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	sink := smtptest.NewServer(t)
	// 5 a second: the dispatcher gives such a campaign batches of about
	// ten seconds, two at a time, so the stop lands inside running batches.
	const n, perMinute = 60, 300
	c := seedCampaign(t, db, n, campaigns.Throttle{PerMinute: perMinute})
	vars := func() map[string]string {
		return map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL,
			"OUTREACH_SMTP_URL": "smtp://" + sink.Addr + "?tls=none", "OUTREACH_SECRET": opsSecret}
	}
	first := startServe(t, vars())
	if _, err := campaigns.Send(context.Background(), db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { return sink.Count() >= 10 })

	// While it sends, /metrics shows the campaign's recipients by status.
	_, m := scrape(t, first.base, nil)
	total, prefix := 0.0, fmt.Sprintf(`outreach_campaign_recipients{campaign_id="%d",`, c.ID)
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			total += v
		}
	}
	if total != n || m[prefix+`status="sent"}`] < 1 {
		t.Errorf("recipients gauge of the running campaign: %v in all, %v sent; want %d in all and some sent", total, m[prefix+`status="sent"}`], n)
	}

	stoppedAt, stopStart := sink.Count(), time.Now()
	if err := first.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	drain := time.Since(stopStart)
	accepted := sink.PerRecipient()
	var rows []struct {
		Email  string `db:"email"`
		Status string `db:"status"`
	}
	if err := db.Select(&rows, `SELECT c.email, r.status FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE r.campaign_id = $1`, c.ID); err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]int{}
	for _, r := range rows {
		byStatus[r.Status]++
		switch {
		case accepted[r.Email] > 0 && r.Status != "sent":
			t.Errorf("%s: accepted by the SMTP server but recorded as %s", r.Email, r.Status)
		case accepted[r.Email] == 0 && r.Status != "pending" && r.Status != "queued":
			// queued: in a batch whose task waits in Redis for the next worker
			t.Errorf("%s: never sent but left %s", r.Email, r.Status)
		}
	}
	t.Logf("stopped after %d messages; serve returned in %s with %d accepted; rows %v", stoppedAt, drain.Round(100*time.Millisecond), len(accepted), byStatus)
	if byStatus["sent"] >= n {
		t.Fatalf("the campaign finished before serve stopped; the test proves nothing")
	}

	second := startServe(t, vars())
	waitDone(t, db, c.ID, 60*time.Second)
	if err := second.stop(); err != nil {
		t.Fatalf("second serve: %v", err)
	}
	got := sink.PerRecipient()
	if len(got) != n {
		t.Errorf("%d of %d recipients mailed", len(got), n)
	}
	for to, k := range got {
		if k != 1 {
			t.Errorf("%s mailed %d times", to, k)
		}
	}
}

// slowSink is an SMTP server that takes half a second to accept each
// message, as a distant or overloaded provider does.
type slowSink struct {
	mu  sync.Mutex
	got map[string]int
}

func (s *slowSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &slowSession{s: s}, nil }

type slowSession struct {
	s  *slowSink
	to string
}

func (ss *slowSession) AuthPlain(string, string) error            { return nil }
func (ss *slowSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (ss *slowSession) Rcpt(to string, _ *smtp.RcptOptions) error { ss.to = to; return nil }
func (ss *slowSession) Reset()                                    {}
func (ss *slowSession) Logout() error                             { return nil }
func (ss *slowSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	ss.s.mu.Lock()
	ss.s.got[ss.to]++
	ss.s.mu.Unlock()
	return nil
}

// TestStopWithSlowSMTPRecordsEverySend stops serve while an unthrottled
// batch of 100 goes to a slow server, a batch that would take longer than
// the asynq shutdown timeout to finish: the stop must still leave every
// accepted message recorded as sent and no row claimed.
func TestStopWithSlowSMTPRecordsEverySend(t *testing.T) {
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	sink := &slowSink{got: map[string]int{}}
	srv := smtp.NewServer(sink)
	srv.Domain, srv.AllowInsecureAuth = "slow.test", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	c := seedCampaign(t, db, 100, campaigns.Throttle{})
	in := startServe(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL,
		"OUTREACH_SMTP_URL": "smtp://" + ln.Addr().String() + "?tls=none", "OUTREACH_SECRET": opsSecret})
	if _, err := campaigns.Send(context.Background(), db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, func() bool { sink.mu.Lock(); defer sink.mu.Unlock(); return len(sink.got) >= 3 })
	if err := in.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	sink.mu.Lock()
	accepted := len(sink.got)
	sink.mu.Unlock()
	var sent, sending int
	db.Get(&sent, `SELECT count(*) FROM recipients WHERE campaign_id = $1 AND status = 'sent'`, c.ID)
	db.Get(&sending, `SELECT count(*) FROM recipients WHERE campaign_id = $1 AND status = 'sending'`, c.ID)
	if sent != accepted || sending != 0 {
		t.Errorf("after the stop: %d accepted by the server, %d recorded as sent, %d left claimed", accepted, sent, sending)
	}
}

// Behind a reverse proxy (OUTREACH_TRUSTED_PROXIES), the public endpoints'
// rate limit counts each client by X-Forwarded-For, so one busy client
// does not use up the limit of every recipient behind the same proxy.
func TestTrustedProxyLimitsEachClient(t *testing.T) {
	_, dsn := testdb.New(t)
	base := serve(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": testRedis(t, serveRedisDB),
		"OUTREACH_TRUSTED_PROXIES": "127.0.0.1, ::1"})
	feed := func(client string) int {
		req, _ := http.NewRequest("GET", base+"/calendar.ics", nil)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	limited := false
	for i := 0; i < 300 && !limited; i++ {
		limited = feed("203.0.113.7") == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatal("300 quick requests from one client were never limited")
	}
	if got := feed("198.51.100.9"); got != http.StatusOK {
		t.Errorf("another client behind the same proxy: %d, want 200", got)
	}
	// The sign-in throttle counts clients the same way: five failures from
	// one client behind the proxy do not lock everyone else out.
	for i := 0; i < crm.LoginFailureLimit; i++ {
		if got := proxiedSignIn(t, base, "203.0.113.7", fmt.Sprintf("nobody%d@example.org", i)); got != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: %d", i, got)
		}
	}
	if got := proxiedSignIn(t, base, "203.0.113.7", "someone@example.org"); got != http.StatusTooManyRequests {
		t.Errorf("the failing client's next sign-in: %d, want 429", got)
	}
	if got := proxiedSignIn(t, base, "198.51.100.9", "someone@example.org"); got != http.StatusUnauthorized {
		t.Errorf("another client behind the same proxy: %d, want 401 (a wrong password, not throttled)", got)
	}
	if _, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_TRUSTED_PROXIES": "10.0.0.0/8, proxy.local"}, "", "serve"); err == nil || !strings.Contains(err.Error(), "OUTREACH_TRUSTED_PROXIES") {
		t.Errorf("a proxy given by name: %v, want a refusal naming the variable", err)
	}
}

// proxiedSignIn posts the sign-in form with a wrong password as a client
// behind the proxy and returns the status.
func proxiedSignIn(t *testing.T, base, client, email string) int {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(req *http.Request) (*http.Response, string) {
		req.Header.Set("X-Forwarded-For", client)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	req, _ := http.NewRequest("GET", base+"/login", nil)
	_, form := do(req)
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no sign-in form: %s", form)
	}
	req, _ = http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"csrf": {m[1]}, "email": {email}, "password": {"not the password"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ := do(req)
	return resp.StatusCode
}
