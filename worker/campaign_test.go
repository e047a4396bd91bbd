package worker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
	"outreach/templates"
)

var emptyOpts = segment.Options{}

func sameDomain(int) string { return "example.org" }

func TestCampaignMailsEveryoneOnceAndSkipsSuppressed(t *testing.T) {
	csv := "email,first_name,last_name,seniority,country,consent\n" +
		"ana@example.org,Ana,Lima,middle,DE,opt_in\n" +
		"evil@example.org,<script>alert(1)</script>,X,middle,DE,opt_in\n" +
		"gone@example.org,Gone,Away,middle,DE,unsubscribed\n" +
		"erased@example.org,Erased,Person,middle,DE,opt_in\n" +
		"boss@example.org,Boss,Person,executive,DE,opt_in\n"
	r := newRig(t, csv)
	ctx := context.Background()
	var erasedID int64
	r.db.Get(&erasedID, `SELECT id FROM contacts WHERE email = 'erased@example.org'`)
	c := r.create(basicInput("seniority = middle"))
	r.run(r.worker(Config{}))
	r.send(c.ID)
	// Erased after the snapshot: the send-time check must still catch it.
	if err := crm.EraseContact(ctx, r.db, erasedID, "test"); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(c.ID, campaigns.StatusDone, 20*time.Second)
	got := r.sink.PerRecipient()
	if len(got) != 2 || got["ana@example.org"] != 1 || got["evil@example.org"] != 1 {
		t.Fatalf("delivered %v, want ana and evil once each", got)
	}
	if n := r.counts(c.ID); n.Recipients != 4 || n.Sent != 2 || n.Suppressed != 2 {
		t.Errorf("counts %+v, want 4 recipients, 2 sent, 2 suppressed", n)
	}
	for _, m := range r.sink.Messages() {
		html, text := part(t, m.Raw, "text/html"), part(t, m.Raw, "text/plain")
		if m.To == "evil@example.org" && (strings.Contains(html, "<script>alert") || !strings.Contains(html, "&lt;script&gt;")) {
			t.Errorf("contact data not escaped in HTML:\n%s", html)
		}
		if m.To == "evil@example.org" && !strings.Contains(text, "Dear <script>alert(1)</script>,") {
			t.Errorf("text part should carry the name verbatim:\n%s", text)
		}
		if m.To == "ana@example.org" && header(t, m.Raw, "Subject") != "Hello Ana" {
			t.Errorf("subject %q", header(t, m.Raw, "Subject"))
		}
		if lu := header(t, m.Raw, "List-Unsubscribe"); !strings.Contains(lu, "<https://outreach.example.org/u/") || !strings.Contains(lu, "<mailto:unsubscribe+") {
			t.Errorf("List-Unsubscribe %q", lu)
		}
		if header(t, m.Raw, "List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post missing")
		}
		if !strings.Contains(html, `href="https://outreach.example.org/t/c/`) || !strings.Contains(html, `<img src="https://outreach.example.org/t/o/`) {
			t.Errorf("links not rewritten for tracking or no pixel")
		}
	}
	var sentEvents int
	r.db.Get(&sentEvents, `SELECT count(*) FROM timeline WHERE kind = 'email.sent'`)
	if sentEvents != 2 {
		t.Errorf("%d email.sent timeline entries, want 2", sentEvents)
	}
}

func TestTemplateErrorIsRefusedWithItsPlace(t *testing.T) {
	r := newRig(t, contactsCSV(1, sameDomain))
	in := basicInput("")
	in.HTML = "<p>Hello</p>\n<p>{{ .Contact.Nmae }}</p>"
	_, err := campaigns.Create(context.Background(), r.db, in, emptyOpts)
	var te *templates.Error
	if !errors.As(err, &te) || te.Part != "html" || te.Line != 2 {
		t.Fatalf("err = %v, want a template error in html at line 2", err)
	}
	var n int
	r.db.Get(&n, `SELECT count(*) FROM campaigns`)
	if n != 0 {
		t.Errorf("a refused campaign was stored")
	}
}

func TestBatchHandlerRunTwiceSendsOnce(t *testing.T) {
	r := newRig(t, contactsCSV(5, sameDomain))
	ctx := context.Background()
	c := r.create(basicInput(""))
	r.send(c.ID)
	batch, n, err := campaigns.QueueBatch(ctx, r.db, c.ID, 100)
	if err != nil || n != 5 {
		t.Fatalf("queue: %d %v", n, err)
	}
	w := r.worker(Config{})
	task, _ := NewSendBatchTask(DefaultQueue, batch)
	for i := 0; i < 2; i++ {
		if err := w.HandleSendBatch(ctx, task); err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
	}
	if got := len(r.sink.Messages()); got != 5 {
		t.Errorf("%d messages for 5 recipients after two runs", got)
	}
}

func TestTemporaryFailureRetriesThenDelivers(t *testing.T) {
	r := newRig(t, contactsCSV(2, sameDomain))
	r.sink.Refuse("p000@example.org", 451, 451)
	c := r.create(basicInput(""))
	r.run(r.worker(Config{RetryBase: 300 * time.Millisecond}))
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 30*time.Second)
	if got := r.sink.PerRecipient(); got["p000@example.org"] != 1 || got["p001@example.org"] != 1 {
		t.Fatalf("delivered %v", got)
	}
	var attempts int
	r.db.Get(&attempts, `SELECT r.attempts FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = 'p000@example.org'`)
	if attempts != 3 {
		t.Errorf("attempts %d, want 3 (two 451s, then success)", attempts)
	}
}

func TestHardBounceSuppressesTheAddress(t *testing.T) {
	r := newRig(t, contactsCSV(2, sameDomain))
	r.sink.Refuse("p001@example.org", 550)
	c := r.create(basicInput(""))
	r.run(r.worker(Config{}))
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 20*time.Second)
	if n := r.counts(c.ID); n.Sent != 1 || n.Bounced != 1 {
		t.Fatalf("counts %+v", n)
	}
	var bounced bool
	r.db.Get(&bounced, `SELECT bounced_at IS NOT NULL FROM contacts WHERE email = 'p001@example.org'`)
	if !bounced {
		t.Error("bounced address not suppressed")
	}
	var events int
	r.db.Get(&events, `SELECT count(*) FROM timeline a JOIN contacts c ON c.id = a.contact_id WHERE c.email = 'p001@example.org' AND a.kind = 'email.bounced'`)
	if events != 1 {
		t.Errorf("%d bounce entries on the timeline", events)
	}
	second := r.create(basicInput(""))
	r.send(second.ID)
	r.waitStatus(second.ID, campaigns.StatusDone, 20*time.Second)
	if n := r.counts(second.ID); n.Sent != 1 || n.Suppressed != 1 {
		t.Errorf("second campaign counts %+v, want the bounced address suppressed", n)
	}
}

func TestPauseResumeCancelTakeEffectQuickly(t *testing.T) {
	r := newRig(t, contactsCSV(30, sameDomain))
	ctx := context.Background()
	in := basicInput("")
	in.Throttle.PerMinute = 240 // one every 250 ms
	c := r.create(in)
	r.run(r.worker(Config{}))
	r.send(c.ID)
	waitSent(t, r, 3)
	paused := r.pause(c.ID)
	time.Sleep(2 * time.Second)
	if now := len(r.sink.Messages()); now != paused {
		t.Fatalf("sent %d more while paused", now-paused)
	}
	if _, err := campaigns.Resume(ctx, r.db, c.ID); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r, paused+3)
	if _, err := campaigns.Cancel(ctx, r.db, c.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cancelled := len(r.sink.Messages())
	time.Sleep(2 * time.Second)
	if now := len(r.sink.Messages()); now != cancelled || cancelled >= 30 {
		t.Fatalf("sent %d after cancel (total %d of 30)", now-cancelled, now)
	}
	if _, err := campaigns.Resume(ctx, r.db, c.ID); err == nil {
		t.Error("a cancelled campaign resumed")
	}
}

// pause pauses a campaign, waits the second a pause may take to reach
// every worker, and returns how many messages the sink has by then.
func (r *rig) pause(id int64) int {
	r.t.Helper()
	if _, err := campaigns.Pause(context.Background(), r.db, id); err != nil {
		r.t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	return len(r.sink.Messages())
}

func waitSent(t *testing.T, r *rig, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(r.sink.Messages()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d messages arrived", len(r.sink.Messages()), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestThrottleHoldsAcrossTwoWorkers(t *testing.T) {
	const n, perMinute = 21, 240 // (n-1)/R = 5 s
	r := newRig(t, contactsCSV(n, sameDomain))
	in := basicInput("")
	in.Throttle.PerMinute = perMinute
	c := r.create(in)
	a, b := r.worker(Config{}), r.worker(Config{})
	r.run(a)
	r.run(b)
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 30*time.Second)
	msgs := r.sink.Messages()
	if len(msgs) != n {
		t.Fatalf("%d messages, want %d", len(msgs), n)
	}
	span := msgs[len(msgs)-1].At.Sub(msgs[0].At)
	want := time.Duration(n-1) * time.Minute / perMinute
	if span < want*9/10 || span > want*11/10 {
		t.Errorf("%d messages at %d/min took %s, want %s ±10%%", n, perMinute, span, want)
	}
}

func TestRedisFlushMidCampaignLosesNothing(t *testing.T) {
	const n = 40
	r := newRig(t, contactsCSV(n, sameDomain))
	in := basicInput("")
	in.Throttle.PerMinute = 600
	c := r.create(in)
	r.run(r.worker(Config{LostAfter: time.Second}))
	r.send(c.ID)
	waitSent(t, r, 5)
	if err := r.rdb.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(c.ID, campaigns.StatusDone, 60*time.Second)
	got := r.sink.PerRecipient()
	for addr, k := range got {
		if k != 1 {
			t.Errorf("%s got %d messages", addr, k)
		}
	}
	if len(got) != n {
		t.Errorf("%d of %d recipients mailed", len(got), n)
	}
}

func TestFollowUpGoesOnlyToThoseWhoDidNotAnswer(t *testing.T) {
	r := newRig(t, contactsCSV(3, sameDomain))
	ctx := context.Background()
	in := basicInput("")
	in.Followup = []campaigns.FollowUp{{After: "2s", Subject: "Reminder for {{ .Contact.FirstName }}", HTML: "<p>Still time to join.</p>"}}
	c := r.create(in)
	r.run(r.worker(Config{}))
	r.send(c.ID)
	waitSent(t, r, 3)
	// p000 replies, p001 RSVPs: only p002 should get the reminder.
	r.db.MustExec(`UPDATE recipients r SET replied_at = now() FROM contacts c WHERE c.id = r.contact_id AND c.email = 'p000@example.org'`)
	r.db.MustExec(`UPDATE recipients r SET rsvp = 'yes', rsvp_at = now() FROM contacts c WHERE c.id = r.contact_id AND c.email = 'p001@example.org'`)
	r.waitStatus(c.ID, campaigns.StatusDone, 30*time.Second)
	got := r.sink.PerRecipient()
	if got["p000@example.org"] != 1 || got["p001@example.org"] != 1 || got["p002@example.org"] != 2 {
		t.Fatalf("delivered %v, want the follow-up only for p002", got)
	}
	var first, second string
	for _, m := range r.sink.Messages() {
		if m.To != "p002@example.org" {
			continue
		}
		if strings.HasPrefix(header(t, m.Raw, "Subject"), "Reminder") {
			second = header(t, m.Raw, "In-Reply-To")
		} else {
			first = header(t, m.Raw, "Message-ID")
		}
	}
	if first == "" || second != first {
		t.Errorf("follow-up In-Reply-To %q, want the invitation's Message-ID %q", second, first)
	}
	_ = ctx
}

func TestNothingIsSentOutsideTheWindow(t *testing.T) {
	r := newRig(t, contactsCSV(3, sameDomain))
	in := basicInput("")
	// A one-minute window twelve hours away is closed now, whatever the
	// time of the test run; 23:59 moves back a minute so it ends the same day.
	start := time.Now().UTC().Add(12 * time.Hour)
	if start.Hour() == 23 && start.Minute() == 59 {
		start = start.Add(-time.Minute)
	}
	in.Window = &campaigns.Window{From: start.Format("15:04"), To: start.Add(time.Minute).Format("15:04"), TimeZone: "UTC"}
	c := r.create(in)
	r.run(r.worker(Config{}))
	r.send(c.ID)
	time.Sleep(2 * time.Second)
	if n := len(r.sink.Messages()); n != 0 {
		t.Fatalf("%d messages sent outside the window", n)
	}
	if n := r.counts(c.ID); n.Pending != 3 {
		t.Errorf("counts %+v, want 3 pending", n)
	}
}

func TestOutboxKeepsMessagesWhenNoSMTPServerIsSet(t *testing.T) {
	r := newRig(t, contactsCSV(4, sameDomain))
	w := r.worker(Config{})
	w.Sender = Outbox{DB: r.db}
	c := r.create(basicInput(""))
	r.run(w)
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 20*time.Second)
	list, err := campaigns.Outbox(context.Background(), r.db, c.ID, 100, 0)
	if err != nil || len(list) != 4 || len(r.sink.Messages()) != 0 {
		t.Fatalf("outbox %d messages (err %v), sink %d", len(list), err, len(r.sink.Messages()))
	}
	m, err := campaigns.OutboxByID(context.Background(), r.db, list[0].ID)
	if err != nil || !strings.Contains(string(m.Raw), "Subject: Hello Person") {
		t.Errorf("outbox message: %v\n%s", err, m.Raw)
	}
}

func TestReplyAfterFollowUpWasQueuedStillStopsIt(t *testing.T) {
	r := newRig(t, contactsCSV(1, sameDomain))
	ctx := context.Background()
	in := basicInput("")
	in.Followup = []campaigns.FollowUp{{After: "1s", Subject: "Reminder", HTML: "<p>Reminder</p>"}}
	c := r.create(in)
	r.send(c.ID)
	r.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now() - interval '1 minute', message_id = 'first@x' WHERE campaign_id = $1`, c.ID)
	if n, err := campaigns.MaterializeFollowUps(ctx, r.db); err != nil || n != 1 {
		t.Fatalf("follow-ups %d %v", n, err)
	}
	batch, n, err := campaigns.QueueBatch(ctx, r.db, c.ID, 10)
	if err != nil || n != 1 {
		t.Fatalf("queue %d %v", n, err)
	}
	r.db.MustExec(`UPDATE recipients SET replied_at = now() WHERE campaign_id = $1 AND step = 0`, c.ID) // the reply arrives now
	task, _ := NewSendBatchTask(DefaultQueue, batch)
	if err := r.worker(Config{}).HandleSendBatch(ctx, task); err != nil {
		t.Fatal(err)
	}
	var status, reason string
	r.db.QueryRow(`SELECT status, last_error FROM recipients WHERE campaign_id = $1 AND step = 1`, c.ID).Scan(&status, &reason)
	if len(r.sink.Messages()) != 0 || status != "suppressed" || reason != "answered" {
		t.Errorf("follow-up %s (%s), %d sent; want suppressed because answered, none sent", status, reason, len(r.sink.Messages()))
	}
}

// A batch whose task gave up after its retries (archived by asynq) still
// has its rows queued in Postgres: the reconciler replaces the archived
// task, so those recipients are mailed instead of waiting for ever.
func TestArchivedBatchTaskIsReplaced(t *testing.T) {
	const n = 5
	r := newRig(t, contactsCSV(n, sameDomain))
	c := r.create(basicInput(""))
	r.send(c.ID)
	ctx := context.Background()
	batch, queued, err := campaigns.QueueBatch(ctx, r.db, c.ID, 100)
	if err != nil || queued != n {
		t.Fatalf("queue batch: %d rows, %v", queued, err)
	}
	client := asynq.NewClient(r.opt)
	defer client.Close()
	task, opts := NewSendBatchTask(r.queue, batch)
	if _, err := client.Enqueue(task, opts...); err != nil {
		t.Fatal(err)
	}
	insp := asynq.NewInspector(r.opt)
	defer insp.Close()
	if err := insp.ArchiveTask(r.queue, batchTaskID(batch)); err != nil {
		t.Fatal(err)
	}
	r.run(r.worker(Config{LostAfter: time.Millisecond}))
	r.waitStatus(c.ID, campaigns.StatusDone, 30*time.Second)
	if got := r.sink.PerRecipient(); len(got) != n {
		t.Errorf("%d of %d recipients mailed after their batch's task was archived", len(got), n)
	}
}

// An audience larger than a snapshot slice starts sending after the first
// slice; the dispatcher takes the rest while the first messages go out,
// and everyone is mailed exactly once.
func TestLargeAudienceIsMailedWhileItsSnapshotCompletes(t *testing.T) {
	const n = 12_000 // three slices
	r := newRig(t, contactsCSV(n, func(i int) string { return fmt.Sprintf("org%d.example.org", i%50) }))
	c := r.create(basicInput(""))
	r.run(r.worker(Config{}))
	r.send(c.ID)
	if got := r.counts(c.ID).Recipients; got >= n {
		t.Errorf("%d recipients right after the send, want only the first slice", got)
	}
	r.waitStatus(c.ID, campaigns.StatusDone, 2*time.Minute)
	got := r.sink.PerRecipient()
	for addr, k := range got {
		if k != 1 {
			t.Errorf("%s got %d messages", addr, k)
		}
	}
	if len(got) != n || r.counts(c.ID).Sent != n {
		t.Errorf("%d of %d recipients mailed, counts %+v", len(got), n, r.counts(c.ID))
	}
}

// Starting or resuming a campaign wakes the dispatcher at once: with a
// tick of an hour, the first messages still go out within seconds.
func TestStartAndResumeWakeTheDispatcher(t *testing.T) {
	r := newRig(t, contactsCSV(20, sameDomain))
	ctx := context.Background()
	in := basicInput("")
	in.Throttle.PerMinute = 600 // one every 100 ms, so the pause comes mid-campaign
	c := r.create(in)
	r.run(r.worker(Config{Tick: time.Hour}))
	// The dispatcher listens once its first pass is done; a campaign sent
	// before that would be found by the pass itself.
	deadline := time.Now().Add(10 * time.Second)
	for listening := 0; listening == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the dispatcher never listened for started campaigns")
		}
		time.Sleep(20 * time.Millisecond)
		if err := r.db.Get(&listening, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'LISTEN%'`); err != nil {
			t.Fatal(err)
		}
	}
	r.send(c.ID)
	waitSent(t, r, 1)
	before := r.pause(c.ID)
	if before >= 20 {
		t.Fatalf("all %d went out despite the pause", before)
	}
	if _, err := campaigns.Resume(ctx, r.db, c.ID); err != nil {
		t.Fatal(err)
	}
	waitSent(t, r, before+1)
}

// A dispatcher that cannot listen (its database unreachable for LISTEN)
// keeps to its ticks, and stops when asked.
func TestDispatcherTicksWhenItCannotListen(t *testing.T) {
	r := newRig(t, contactsCSV(5, sameDomain))
	c := r.create(basicInput(""))
	w := r.worker(Config{})
	w.DatabaseURL = "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=1"
	stop := r.run(w)
	r.send(c.ID)
	r.waitStatus(c.ID, campaigns.StatusDone, 20*time.Second)
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("the dispatcher did not stop")
	}
}
