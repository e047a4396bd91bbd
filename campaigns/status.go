package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/segment"
)

// TransitionError is a status change the state machine does not allow.
type TransitionError struct {
	From, Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s a campaign that is %s", e.Action, e.From)
}

// allowed lists, per action, the statuses it may start from and where it leads.
var allowed = map[string]struct {
	from []string
	to   string
}{
	"send":     {[]string{StatusDraft, StatusScheduled}, StatusRunning},
	"schedule": {[]string{StatusDraft, StatusScheduled}, StatusScheduled},
	"pause":    {[]string{StatusRunning, StatusScheduled}, StatusPaused},
	"resume":   {[]string{StatusPaused}, StatusRunning},
	"cancel":   {[]string{StatusDraft, StatusScheduled, StatusRunning, StatusPaused}, StatusCancelled},
}

// lockForAction locks the campaign row and checks the transition.
func lockForAction(ctx context.Context, tx *sqlx.Tx, id int64, action string) (Campaign, error) {
	var c Campaign
	err := tx.GetContext(ctx, &c, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1 FOR UPDATE`, id)
	if err != nil {
		return c, crm.ErrNotFound
	}
	for _, s := range allowed[action].from {
		if c.Status == s {
			return c, nil
		}
	}
	return c, &TransitionError{From: c.Status, Action: action}
}

// DispatchChannel is the Postgres notification channel on which starting
// or resuming a campaign wakes the dispatchers, in whichever processes
// they run, so its first batches are queued at once instead of on their
// next tick.
const DispatchChannel = "outreach_dispatch"

// wakeDispatchers notifies DispatchChannel; Postgres delivers it when tx
// commits, and not at all if it rolls back.
func wakeDispatchers(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, DispatchChannel)
	return err
}

// Send starts a campaign now: its audience is snapshotted into recipient
// rows in the same transaction that marks it running.
func Send(ctx context.Context, db *sqlx.DB, id int64, opts segment.Options) (Campaign, error) {
	return transition(ctx, db, id, "send", func(tx *sqlx.Tx, c Campaign) error {
		return start(ctx, tx, c, opts)
	})
}

// Schedule sets when a campaign starts; the dispatcher starts it then.
func Schedule(ctx context.Context, db *sqlx.DB, id int64, at time.Time) (Campaign, error) {
	return transition(ctx, db, id, "schedule", func(tx *sqlx.Tx, c Campaign) error {
		_, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = 'scheduled', scheduled_at = $2, updated_at = now() WHERE id = $1`, id, at)
		return err
	})
}

// Pause stops sending; messages in flight finish, the rest wait.
func Pause(ctx context.Context, db *sqlx.DB, id int64) (Campaign, error) {
	return setStatus(ctx, db, id, "pause")
}

// Resume continues a paused campaign.
func Resume(ctx context.Context, db *sqlx.DB, id int64) (Campaign, error) {
	return setStatus(ctx, db, id, "resume")
}

// Cancel ends a campaign for good; unsent recipients stay unsent.
func Cancel(ctx context.Context, db *sqlx.DB, id int64) (Campaign, error) {
	return transition(ctx, db, id, "cancel", func(tx *sqlx.Tx, c Campaign) error {
		_, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = 'cancelled', finished_at = now(), updated_at = now() WHERE id = $1`, id)
		return err
	})
}

func setStatus(ctx context.Context, db *sqlx.DB, id int64, action string) (Campaign, error) {
	return transition(ctx, db, id, action, func(tx *sqlx.Tx, c Campaign) error {
		to := allowed[action].to
		if action == "resume" && c.StartedAt == nil {
			to = StatusScheduled // a campaign paused before it started waits for its time again
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET status = $2, updated_at = now() WHERE id = $1`, id, to); err != nil {
			return err
		}
		if to == StatusRunning {
			return wakeDispatchers(ctx, tx)
		}
		return nil
	})
}

func transition(ctx context.Context, db *sqlx.DB, id int64, action string, apply func(*sqlx.Tx, Campaign) error) (Campaign, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Campaign{}, fmt.Errorf("campaigns: %s: %w", action, err)
	}
	defer tx.Rollback()
	c, err := lockForAction(ctx, tx, id, action)
	if err != nil {
		return c, err
	}
	if err := apply(tx, c); err != nil {
		var te *TransitionError
		if errors.As(err, &te) {
			return c, err
		}
		return c, fmt.Errorf("campaigns: %s %d: %w", action, id, err)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("campaigns: %s %d: %w", action, id, err)
	}
	return ByID(ctx, db, id)
}

// start marks a campaign running and snapshots its audience as step 0:
// the first slice of it here, the rest by the dispatcher (ContinueSnapshots).
func start(ctx context.Context, tx *sqlx.Tx, c Campaign, opts segment.Options) error {
	if c.Notice != "" {
		return startNotice(ctx, tx, c)
	}
	where, err := c.audience(ctx, tx)
	if err != nil {
		return err
	}
	s, err := takeSlice(ctx, tx, c.ID, where, 0, opts)
	if err != nil {
		return err
	}
	if err := saveCursor(ctx, tx, c.ID, where, s); err != nil {
		return err
	}
	if err := analyzeRecipients(ctx, tx, s.Added); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaigns SET status = 'running', started_at = coalesce(started_at, now()),
		updated_at = now() WHERE id = $1`, c.ID)
	if err != nil {
		return err
	}
	return wakeDispatchers(ctx, tx)
}

// startNotice snapshots an event notice's audience: everyone who accepted
// the event or answered tentative, waitlisted included, at this moment.
func startNotice(ctx context.Context, tx *sqlx.Tx, c Campaign) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO recipients (campaign_id, step, contact_id, seniority, organisation_id,
			organisation, organisation_type, country, language, topics)
		SELECT $1, 0, c.id, c.seniority, c.organisation_id, coalesce(o.name, ''), coalesce(o.type, ''),
			c.country, c.language, c.topics
		FROM event_attendees a JOIN contacts c ON c.id = a.contact_id
		LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE a.event_id = $2 AND a.rsvp IN ('yes', 'tentative') AND c.erased_at IS NULL
		ON CONFLICT (campaign_id, step, contact_id) DO NOTHING`, c.ID, c.EventID)
	if err != nil {
		return fmt.Errorf("snapshot attendees of event %d: %w", *c.EventID, err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaigns SET status = 'running', started_at = coalesce(started_at, now()),
		updated_at = now() WHERE id = $1`, c.ID)
	if err != nil {
		return err
	}
	return wakeDispatchers(ctx, tx)
}

// StartDue starts scheduled campaigns whose time has come, each in its own
// transaction, and returns their ids.
func StartDue(ctx context.Context, db *sqlx.DB, opts segment.Options) ([]int64, error) {
	var due []int64
	if err := db.SelectContext(ctx, &due, `SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= now() ORDER BY id`); err != nil {
		return nil, fmt.Errorf("campaigns: due: %w", err)
	}
	started := due[:0]
	for _, id := range due {
		_, err := Send(ctx, db, id, opts)
		var te *TransitionError
		if errors.As(err, &te) {
			continue // paused or cancelled meanwhile
		}
		if err != nil {
			return started, err
		}
		started = append(started, id)
	}
	return started, nil
}

// analyzeRecipients refreshes the planner's statistics after a snapshot
// or follow-ups added n rows, when n is enough to matter. Autovacuum would
// get to it only a minute or more later; until then the planner takes a
// new campaign's pending rows for a handful and sorts all of them for every
// batch the dispatcher queues (at 100,000 recipients, 80 ms per batch and
// half the database's time). Inside the snapshot's transaction ANALYZE
// already counts the rows it inserted. A few rows (a small campaign, the
// follow-ups that come due in one dispatcher tick) leave it to autovacuum:
// sampling a large table every few seconds would cost more than it saves.
func analyzeRecipients(ctx context.Context, db sqlx.ExecerContext, n int64) error {
	if n < analyzeAfterRows {
		return nil
	}
	if _, err := db.ExecContext(ctx, `ANALYZE recipients`); err != nil {
		return fmt.Errorf("campaigns: analyze recipients: %w", err)
	}
	return nil
}

const analyzeAfterRows = 1000
