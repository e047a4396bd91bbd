package worker

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"outreach/campaigns"
)

// HandleSendBatch sends the recipients of one batch. It is idempotent:
// rows are claimed with a conditional update, so a second run of the same
// task finds nothing left to send.
func (w *Worker) HandleSendBatch(ctx context.Context, t *asynq.Task) error {
	batch, err := parseBatch(t)
	if err != nil {
		return err
	}
	id, err := campaigns.BatchCampaign(ctx, w.DB, batch)
	if err != nil || id == 0 {
		return err // nothing left in the batch: an earlier run finished it
	}
	c, err := campaigns.ByID(ctx, w.DB, id)
	if err != nil {
		return fmt.Errorf("batch %d: %w", batch, err)
	}
	if c.Status != campaigns.StatusRunning || !c.Window().Open(time.Now()) {
		return campaigns.ReleaseBatch(ctx, w.DB, batch)
	}
	comp, err := w.composer(ctx, c)
	if err != nil {
		return fmt.Errorf("batch %d: %w", batch, asynq.SkipRetry)
	}
	return w.sendBatch(ctx, batch, c, comp)
}

// sendBatch works through the batch chunk by chunk, checking between
// chunks that the campaign is still running and inside its window.
func (w *Worker) sendBatch(ctx context.Context, batch int64, c campaigns.Campaign, comp *campaigns.Composer) error {
	for {
		rows, err := campaigns.ClaimChunk(ctx, w.DB, c.ID, batch, w.conf().ChunkSize, c.MessageDomain())
		if err != nil || len(rows) == 0 {
			return err
		}
		unsent, err := w.sendChunk(ctx, c, comp, batch, rows)
		if err != nil {
			return err
		}
		if err := campaigns.ReleaseRows(context.WithoutCancel(ctx), w.DB, unsent); err != nil {
			return err
		}
		if len(unsent) > 0 || w.draining.Load() || !w.stillSending(ctx, c) {
			return campaigns.ReleaseBatch(context.WithoutCancel(ctx), w.DB, batch)
		}
	}
}

func (w *Worker) stillSending(ctx context.Context, c campaigns.Campaign) bool {
	s, err := campaigns.Status(ctx, w.DB, c.ID)
	return err == nil && s == campaigns.StatusRunning && c.Window().Open(time.Now())
}

// sendChunk sends claimed rows within their reserved slots, recording
// outcomes as it goes, and returns the ids of rows it did not get to
// (throttle horizon, pause, shutdown), which go back to pending.
func (w *Worker) sendChunk(ctx context.Context, c campaigns.Campaign, comp *campaigns.Composer, batch int64, rows []campaigns.Claimed) ([]int64, error) {
	rec := recorder{w: w, batch: batch}
	defer rec.report(ctx, c.ID)
	var mailable []campaigns.Claimed
	for _, r := range rows {
		if r.Suppressed != "" {
			rec.add(campaigns.Result{ID: r.ID, ContactID: r.ContactID, Outcome: campaigns.OutcomeSuppressed, Error: r.Suppressed, At: time.Now()})
			continue
		}
		mailable = append(mailable, r)
	}
	delays, err := w.Limiter.Reserve(ctx, w.limits(c, mailable), w.conf().Horizon)
	if err != nil {
		w.Log.WarnContext(ctx, "rate limiter unavailable", "campaign_id", c.ID, "err", err)
		return ids(mailable), rec.flush(ctx)
	}
	start := time.Now()
	check := statusCheck{w: w, c: c, at: start}
	for i, d := range delays {
		// Record before idling, so a crash while waiting leaves nothing
		// sent but unrecorded: under a throttle, a killed worker causes no
		// duplicate sends; at full speed, at most recordEvery per worker.
		if time.Until(start.Add(d)) > 5*time.Millisecond || len(rec.pending) >= recordEvery {
			if err := rec.flush(ctx); err != nil {
				return ids(mailable[i:]), err
			}
		}
		if w.draining.Load() || !w.waitUntil(ctx, c, start.Add(d)) || !check.running(ctx) {
			return ids(mailable[i:]), rec.flush(ctx)
		}
		rec.add(w.sendOne(ctx, comp, mailable[i]))
	}
	return ids(mailable[len(delays):]), rec.flush(ctx)
}

// statusCheck rereads the campaign's status at most twice a second, so a
// pause or cancel stops a chunk within half a second without a query per
// message.
type statusCheck struct {
	w  *Worker
	c  campaigns.Campaign
	at time.Time
}

func (s *statusCheck) running(ctx context.Context) bool {
	if time.Since(s.at) < 500*time.Millisecond {
		return true
	}
	s.at = time.Now()
	return s.w.stillSending(ctx, s.c)
}

// recordEvery bounds how many sent messages a worker holds unrecorded:
// the duplicates a killed worker can cause when sending at full speed.
const recordEvery = 25

// recorder buffers outcomes and writes them in one statement.
type recorder struct {
	w       *Worker
	batch   int64 // the rows' batch
	pending []campaigns.Result
	retries int    // temporary failures in this chunk
	lastErr string // the last one's error
}

func (r *recorder) add(res campaigns.Result) {
	if res.Outcome == campaigns.OutcomeRetry {
		r.retries++
		r.lastErr = res.Error
	}
	r.pending = append(r.pending, res)
}

// report logs a chunk's temporary failures in one line, so an SMTP outage
// shows in the log without a line per message. Servers often quote the
// recipient in their reply, so addresses are masked.
func (r *recorder) report(ctx context.Context, campaignID int64) {
	if r.retries > 0 {
		r.w.Log.WarnContext(ctx, "temporary delivery failures, will retry", "campaign_id", campaignID,
			"messages", r.retries, "last_err", maskAddresses(r.lastErr))
	}
}

// maskAddresses replaces every word that holds an @ with "<address>".
func maskAddresses(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if strings.Contains(w, "@") {
			words[i] = "<address>"
		}
	}
	return strings.Join(words, " ")
}

func (r *recorder) flush(ctx context.Context) error {
	err := campaigns.RecordResults(context.WithoutCancel(ctx), r.w.DB, r.batch, r.pending)
	countOutcomes(r.pending)
	r.pending = r.pending[:0]
	return err
}

func ids(rows []campaigns.Claimed) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// limits lists the throttles each message must respect: the campaign's
// rate, the sending account's and the recipient domain's.
func (w *Worker) limits(c campaigns.Campaign, rows []campaigns.Claimed) [][]Limit {
	out := make([][]Limit, len(rows))
	for i, r := range rows {
		domain := strings.ToLower((*r.Email)[strings.LastIndexByte(*r.Email, '@')+1:])
		out[i] = []Limit{
			{Key: fmt.Sprintf("c:%d", c.ID), PerMinute: c.PerMinute},
			{Key: "a:" + w.conf().Account, PerMinute: w.conf().AccountPerMinute},
			{Key: fmt.Sprintf("d:%d:%s", c.ID, domain), PerMinute: c.PerDomainPerMinute},
		}
	}
	return out
}

// waitUntil sleeps until t, checking every second that the campaign still
// runs, so a pause takes effect within a second even under a slow throttle.
func (w *Worker) waitUntil(ctx context.Context, c campaigns.Campaign, t time.Time) bool {
	for {
		d := time.Until(t)
		if d <= 0 {
			return ctx.Err() == nil
		}
		step := min(d, time.Second)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(step):
		}
		if w.draining.Load() {
			return false
		}
		if d > time.Second && !w.stillSending(ctx, c) {
			return false
		}
	}
}

// sendOne composes, builds, signs and delivers one message.
func (w *Worker) sendOne(ctx context.Context, comp *campaigns.Composer, r campaigns.Claimed) campaigns.Result {
	res := campaigns.Result{ID: r.ID, ContactID: r.ContactID}
	out, err := comp.Compose(r)
	var raw []byte
	if err == nil {
		raw, err = w.build(out)
	}
	if err != nil { // a broken message does not get better by retrying
		res.Outcome, res.Error, res.At = campaigns.OutcomeFailed, err.Error(), time.Now()
		return res
	}
	err = w.Sender.Deliver(ctx, Envelope{From: out.From, To: out.To, MessageID: out.MessageID, Subject: out.Subject,
		CampaignID: out.CampaignID, RecipientID: out.RecipientID}, raw)
	res.At = time.Now()
	return w.classify(res, r.Attempts, err)
}

func (w *Worker) build(out campaigns.Outgoing) ([]byte, error) {
	raw, err := Message{
		From: out.From, FromName: out.FromName, ReplyTo: out.ReplyTo, To: out.To, ToName: out.ToName,
		Subject: out.Subject, HTML: out.HTML, Text: out.Text, MessageID: out.MessageID, InReplyTo: out.InReplyTo,
		UnsubscribeURL: out.UnsubscribeURL, UnsubscribeMailto: out.UnsubscribeMailto, Calendar: out.Calendar,
		Headers: map[string]string{"X-Outreach-Campaign": fmt.Sprint(out.CampaignID)},
	}.Bytes()
	if err != nil || w.DKIM == nil {
		return raw, err
	}
	return w.DKIM.Sign(raw)
}

// classify turns a delivery error into an outcome: 5xx bounces, anything
// else temporary retries with exponential backoff until MaxAttempts.
func (w *Worker) classify(res campaigns.Result, attempts int, err error) campaigns.Result {
	countSMTPError(err)
	if err == nil {
		res.Outcome = campaigns.OutcomeSent
		return res
	}
	res.Error = err.Error()
	var se *SendError
	if errors.As(err, &se) && !se.Temporary {
		res.Outcome = campaigns.OutcomeBounced
		return res
	}
	if attempts >= w.conf().MaxAttempts {
		res.Outcome = campaigns.OutcomeFailed
		return res
	}
	res.Outcome, res.RetryAt = campaigns.OutcomeRetry, res.At.Add(w.backoff(attempts))
	return res
}

func (w *Worker) backoff(attempts int) time.Duration {
	d := w.conf().RetryBase << min(attempts-1, 10)
	d = min(d, 6*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d)/4+1)) // jitter spreads retries after an outage
}
