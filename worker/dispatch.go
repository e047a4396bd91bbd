package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/lib/pq"

	"outreach/campaigns"
)

// dispatchLock makes one process at a time the dispatcher; the others
// only send. Any number arbitrary but fixed.
const dispatchLock = 7_420_002

// Dispatch runs the dispatcher until ctx ends: it starts due campaigns,
// continues their audience snapshots, creates due follow-ups, queues batches of recipients and enqueues their
// tasks, re-enqueues batches whose task Redis lost, resolves rows left by
// dead workers and marks finished campaigns done.
func (w *Worker) Dispatch(ctx context.Context) error {
	client := asynq.NewClient(w.Redis)
	defer client.Close()
	insp := asynq.NewInspector(w.Redis)
	defer insp.Close()
	tick := time.NewTicker(w.conf().Tick)
	defer tick.Stop()
	var wake <-chan struct{}
	for n := 0; ; n++ {
		if err := w.dispatchOnce(ctx, client, insp, n); err != nil && ctx.Err() == nil {
			w.Log.WarnContext(ctx, "dispatch failed", "err", err)
		}
		if n == 0 {
			// Listening starts after the first pass, which picks up
			// whatever was started before.
			wake = w.wakeups(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		case <-wake:
		}
	}
}

// wakeups delivers a value soon after a campaign is started or resumed in
// any process (campaigns.DispatchChannel), several at once as one. Without
// DatabaseURL it is nil and the dispatcher keeps to its ticks, as it does
// while the listening connection is down: pq's Listen waits for a
// connection, so it runs apart from the dispatcher, and ends with ctx.
func (w *Worker) wakeups(ctx context.Context) <-chan struct{} {
	if w.DatabaseURL == "" {
		return nil
	}
	l := pq.NewListener(w.DatabaseURL, time.Second, time.Minute, func(_ pq.ListenerEventType, err error) {
		if err != nil && ctx.Err() == nil {
			w.Log.WarnContext(ctx, "dispatcher: listening for started campaigns", "err", err)
		}
	})
	go func() {
		<-ctx.Done()
		l.Close() // also ends a Listen still waiting for its connection
	}()
	out := make(chan struct{}, 1)
	go func() {
		if err := l.Listen(campaigns.DispatchChannel); err != nil {
			if ctx.Err() == nil {
				w.Log.WarnContext(ctx, "dispatcher: listening for started campaigns; ticks only", "err", err)
			}
			return
		}
		// A nil value follows a reconnect, when a notification may have
		// been missed: it wakes the dispatcher too. Close ends the range.
		for range l.Notify {
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}

// dispatchOnce is one tick; the slower chores run every few ticks (with the
// default tick: follow-ups every 5 s, reconciliation every 10 s).
func (w *Worker) dispatchOnce(ctx context.Context, client *asynq.Client, insp *asynq.Inspector, n int) error {
	conn, err := w.DB.Connx(ctx)
	if err != nil {
		return fmt.Errorf("dispatcher: database: %w", err)
	}
	defer conn.Close()
	var leader bool
	if err := conn.GetContext(ctx, &leader, `SELECT pg_try_advisory_lock($1)`, dispatchLock); err != nil {
		return fmt.Errorf("dispatcher: database: %w", err)
	}
	if !leader {
		return nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, dispatchLock)
	if _, err := campaigns.StartDue(ctx, w.DB, w.Segment); err != nil {
		return err
	}
	// Queueing comes before the next snapshot slice (about 0.1 s), so a
	// campaign just started has its first batches on their way at once.
	if err := w.queueAll(ctx, client); err != nil {
		return err
	}
	if err := campaigns.ContinueSnapshots(ctx, w.DB, w.Segment); err != nil {
		return err
	}
	if n%20 == 0 {
		if _, err := campaigns.MaterializeFollowUps(ctx, w.DB); err != nil {
			return err
		}
	}
	if n%40 == 0 {
		if err := w.reconcile(ctx, client, insp); err != nil {
			return err
		}
	}
	done, err := campaigns.FinishCompleted(ctx, w.DB)
	for _, id := range done {
		w.Log.InfoContext(ctx, "campaign done", "campaign_id", id)
	}
	return err
}

// queueAll keeps each running campaign supplied with a few batches.
func (w *Worker) queueAll(ctx context.Context, client *asynq.Client) error {
	running, err := campaigns.Running(ctx, w.DB)
	if err != nil {
		return err
	}
	for _, c := range running {
		if !c.Window().Open(time.Now()) {
			continue
		}
		if err := w.queueCampaign(ctx, client, c); err != nil {
			return err
		}
	}
	return nil
}

// queueCampaign tops up a campaign's batches in flight. A throttled
// campaign gets small batches (about ten seconds of sending each), so a
// worker slot is never held for long and pause stays quick.
func (w *Worker) queueCampaign(ctx context.Context, client *asynq.Client, c campaigns.Campaign) error {
	// Enough batches that workers never wait for the next tick: at the
	// defaults, 24 batches of 100 per 250 ms tick, far above what SMTP takes.
	size, want := w.conf().BatchSize, 3*w.conf().Concurrency
	if c.PerMinute > 0 {
		size, want = max(1, min(size, c.PerMinute/6)), 2
	}
	inFlight, err := campaigns.BatchesInFlight(ctx, w.DB, c.ID)
	if err != nil {
		return err
	}
	for ; inFlight < want; inFlight++ {
		batch, n, err := campaigns.QueueBatch(ctx, w.DB, c.ID, size)
		if err != nil || n == 0 {
			return err
		}
		if err := w.enqueue(ctx, client, batch); err != nil {
			return err // the rows stay queued; the reconciler enqueues them later
		}
	}
	return nil
}

func (w *Worker) enqueue(ctx context.Context, client *asynq.Client, batch int64) error {
	task, opts := NewSendBatchTask(w.conf().Queue, batch)
	_, err := client.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}

// reconcile repairs what a crash or a Redis loss left behind: rows stuck in
// sending, and queued batches whose task no longer exists.
func (w *Worker) reconcile(ctx context.Context, client *asynq.Client, insp *asynq.Inspector) error {
	resent, delivered, err := campaigns.ResolveStuck(ctx, w.DB, time.Now().Add(-w.conf().StuckAfter))
	if err != nil {
		return err
	}
	if resent+delivered > 0 {
		w.Log.WarnContext(ctx, "resolved rows left sending by a stopped worker or a lost database write", "resent", resent, "found_delivered", delivered)
	}
	stale, err := campaigns.StaleBatches(ctx, w.DB, time.Now().Add(-w.conf().LostAfter))
	if err != nil {
		return err
	}
	for _, b := range stale {
		info, err := insp.GetTaskInfo(w.conf().Queue, batchTaskID(b))
		switch {
		case err == nil && info.State != asynq.TaskStateArchived:
			continue // the task exists and will run
		case err == nil:
			// The task used up its retries (hours of failures) and was
			// archived, but its rows are still queued: under the same ID a
			// new task would be refused, so the archived one goes first.
			w.Log.WarnContext(ctx, "re-enqueueing a batch whose task gave up", "batch_id", b, "last_err", info.LastErr)
			if err := insp.DeleteTask(w.conf().Queue, batchTaskID(b)); err != nil {
				return fmt.Errorf("reconcile: delete archived batch %d: %w", b, err)
			}
		default:
			w.Log.WarnContext(ctx, "re-enqueueing a batch whose task was lost", "batch_id", b)
		}
		if err := w.enqueue(ctx, client, b); err != nil {
			return err
		}
	}
	return nil
}
