package campaigns

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Running returns the campaigns that are sending.
func Running(ctx context.Context, q sqlx.QueryerContext) ([]Campaign, error) {
	out := []Campaign{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+campaignColumns+` FROM campaigns WHERE status = 'running' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: running: %w", err)
	}
	return out, nil
}

// BatchesInFlight counts a campaign's batches that are queued or sending.
func BatchesInFlight(ctx context.Context, q sqlx.QueryerContext, id int64) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(DISTINCT batch_id) FROM recipients
		WHERE campaign_id = $1 AND status IN ('queued', 'sending')`, id)
	if err != nil {
		return 0, fmt.Errorf("campaigns: in flight %d: %w", id, err)
	}
	return n, nil
}

// noAnswer is true for a contact who has neither replied to, RSVP'd to,
// unsubscribed from nor bounced on any step of the campaign: only they get
// follow-ups.
const noAnswer = `NOT EXISTS (SELECT 1 FROM recipients a WHERE a.campaign_id = p.campaign_id
	AND a.contact_id = p.contact_id AND (a.replied_at IS NOT NULL OR a.rsvp IS NOT NULL
	OR a.unsubscribed_at IS NOT NULL OR a.bounced_at IS NOT NULL))`

// MaterializeFollowUps creates the recipient rows of follow-up steps that
// have come due: the previous step was sent at least the step's delay ago
// and the contact has not answered.
func MaterializeFollowUps(ctx context.Context, db sqlx.ExecerContext) (int64, error) {
	res, err := db.ExecContext(ctx, `
		INSERT INTO recipients (campaign_id, step, contact_id, seniority, organisation_id, organisation,
			organisation_type, country, language, topics)
		SELECT p.campaign_id, s.position, p.contact_id, p.seniority, p.organisation_id, p.organisation,
			p.organisation_type, p.country, p.language, p.topics
		FROM recipients p
		JOIN campaigns k ON k.id = p.campaign_id AND k.status = 'running'
		JOIN campaign_steps s ON s.campaign_id = p.campaign_id AND s.position = p.step + 1
		WHERE p.status = 'sent' AND p.sent_at + make_interval(secs => s.after_seconds) <= now() AND `+noAnswer+`
		ON CONFLICT (campaign_id, step, contact_id) DO NOTHING`)
	if err != nil {
		return 0, fmt.Errorf("campaigns: follow-ups: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return n, err
	}
	return n, analyzeRecipients(ctx, db, n)
}

// FinishCompleted marks running campaigns done when their audience
// snapshot is complete, nothing is left to send and no follow-up can still
// come due. It runs on every dispatcher tick, so
// it first finds, by index, the few campaigns with nothing in flight, and
// only for those looks for follow-ups still to come.
func FinishCompleted(ctx context.Context, db sqlx.ExtContext) ([]int64, error) {
	var idle []int64
	err := sqlx.SelectContext(ctx, db, &idle, `SELECT k.id FROM campaigns k WHERE k.status = 'running'
		AND k.snapshot_after IS NULL AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.campaign_id = k.id AND r.status IN ('pending', 'queued', 'sending'))`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: finish: %w", err)
	}
	var done []int64
	for _, id := range idle {
		res, err := db.ExecContext(ctx, `UPDATE campaigns k SET status = 'done', finished_at = now(), updated_at = now()
			WHERE k.id = $1 AND k.status = 'running' AND k.snapshot_after IS NULL
			AND NOT EXISTS (SELECT 1 FROM recipients r WHERE r.campaign_id = k.id AND r.status IN ('pending', 'queued', 'sending'))
			AND NOT EXISTS (
				SELECT 1 FROM recipients p JOIN campaign_steps s ON s.campaign_id = p.campaign_id AND s.position = p.step + 1
				WHERE p.campaign_id = k.id AND p.status = 'sent' AND `+noAnswer+`
				AND NOT EXISTS (SELECT 1 FROM recipients n WHERE n.campaign_id = p.campaign_id
					AND n.contact_id = p.contact_id AND n.step = s.position))`, id)
		if err != nil {
			return done, fmt.Errorf("campaigns: finish %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			done = append(done, id)
		}
	}
	return done, nil
}

// ResolveStuck handles rows left in sending by a worker that died, claimed
// before cutoff. A row whose Message-ID is in the outbox was delivered;
// the rest go back to pending and are sent again (at-least-once: a message
// the SMTP server accepted just before the crash may be sent twice, and
// keeps its Message-ID so receivers can tell). It returns the number of
// rows resent and found delivered.
func ResolveStuck(ctx context.Context, db *sqlx.DB, cutoff time.Time) (resent, delivered int64, err error) {
	res, err := db.ExecContext(ctx, `UPDATE recipients r SET status = 'sent', sent_at = o.created_at, finished_at = o.created_at
		FROM outbox o WHERE r.status = 'sending' AND r.claimed_at < $1 AND o.message_id = r.message_id`, cutoff)
	if err != nil {
		return 0, 0, fmt.Errorf("campaigns: stuck (outbox): %w", err)
	}
	delivered, _ = res.RowsAffected()
	res, err = db.ExecContext(ctx, `UPDATE recipients SET status = 'pending', batch_id = NULL,
		last_error = 'worker stopped while sending; sent again'
		WHERE status = 'sending' AND claimed_at < $1`, cutoff)
	if err != nil {
		return 0, delivered, fmt.Errorf("campaigns: stuck: %w", err)
	}
	resent, _ = res.RowsAffected()
	return resent, delivered, nil
}

// StaleBatches returns batches whose rows have waited in queued since
// before cutoff: their task may have been lost with Redis.
func StaleBatches(ctx context.Context, q sqlx.QueryerContext, cutoff time.Time) ([]int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, `SELECT DISTINCT batch_id FROM recipients
		WHERE status = 'queued' AND queued_at < $1 AND batch_id IS NOT NULL`, cutoff)
	if err != nil {
		return nil, fmt.Errorf("campaigns: stale batches: %w", err)
	}
	return ids, nil
}

// BatchCampaign returns the campaign a batch belongs to, or 0 when the
// batch has no queued rows left.
func BatchCampaign(ctx context.Context, q sqlx.QueryerContext, batch int64) (int64, error) {
	var ids []int64
	err := sqlx.SelectContext(ctx, q, &ids, `SELECT campaign_id FROM recipients WHERE batch_id = $1 AND status IN ('queued', 'sending') LIMIT 1`, batch)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return ids[0], nil
}
