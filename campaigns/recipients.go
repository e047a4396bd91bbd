package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// QueueBatch moves up to size due pending recipients of a campaign into a
// new batch (status queued) and returns the batch id and how many rows it
// holds (0: nothing due). The caller enqueues the batch's task only after
// this commits, so a task never points at rows that do not exist.
func QueueBatch(ctx context.Context, db *sqlx.DB, campaignID int64, size int) (int64, int, error) {
	var batch int64
	if err := db.GetContext(ctx, &batch, `SELECT nextval('recipient_batches')`); err != nil {
		return 0, 0, fmt.Errorf("campaigns: batch id: %w", err)
	}
	stmt, err := prepare(ctx, db, queueSQL)
	if err != nil {
		return 0, 0, fmt.Errorf("campaigns: queue batch: %w", err)
	}
	res, err := stmt.ExecContext(ctx, campaignID, size, batch)
	if err != nil {
		return 0, 0, fmt.Errorf("campaigns: queue batch: %w", err)
	}
	n, _ := res.RowsAffected()
	return batch, int(n), nil
}

// SKIP LOCKED lets several dispatchers run at once without taking the
// same rows; each row lands in exactly one batch.
const queueSQL = `
	WITH picked AS (
		SELECT id FROM recipients
		WHERE campaign_id = $1 AND status = 'pending' AND next_attempt_at <= now()
		ORDER BY next_attempt_at, id LIMIT $2
		FOR UPDATE SKIP LOCKED)
	UPDATE recipients r SET status = 'queued', batch_id = $3, queued_at = now()
	WHERE r.id = ANY(ARRAY(SELECT id FROM picked))`

// Claimed is a recipient a worker is about to mail, with what the message
// needs from the contact as it is now.
type Claimed struct {
	ID               int64           `db:"id"`
	CampaignID       int64           `db:"campaign_id"`
	ContactID        int64           `db:"contact_id"`
	Step             int             `db:"step"`
	Attempts         int             `db:"attempts"`
	MessageID        string          `db:"message_id"`
	Thread           pq.StringArray  `db:"thread"`
	Email            *string         `db:"email"`
	FirstName        string          `db:"first_name"`
	LastName         string          `db:"last_name"`
	JobTitle         string          `db:"job_title"`
	Seniority        string          `db:"seniority"`
	Organisation     string          `db:"organisation"`
	OrganisationType string          `db:"organisation_type"`
	Country          string          `db:"country"`
	Language         string          `db:"language"`
	Topics           pq.StringArray  `db:"topics"`
	Attributes       json.RawMessage `db:"attributes"`
	Suppressed       string          `db:"suppressed"`
}

// ClaimChunk marks up to n queued rows of a batch as sending and returns
// them. Only rows still queued are taken, so running a batch twice (asynq
// delivers at least once) never mails anyone twice. Each row gets its
// Message-ID here, once: a retry reuses it, so receivers can tell a resend.
//
// The statement is written so that each lookup has one sensible index
// whatever the planner's statistics say, because they go stale within
// seconds while a campaign runs: the batch's rows come from the small
// in-flight index (the campaign's status is a one-time check, not a join
// that would invite a scan of the campaign's rows), and the earlier steps'
// Message-IDs, needed only by follow-ups, are found by contact rather than
// by the Message-ID index, which looks empty to a planner that analysed the
// table before sending began.
func ClaimChunk(ctx context.Context, db *sqlx.DB, campaignID, batch int64, n int, msgDomain string) ([]Claimed, error) {
	out := []Claimed{}
	stmt, err := prepare(ctx, db, claimSQL)
	if err == nil {
		err = stmt.SelectContext(ctx, &out, batch, n, msgDomain, campaignID)
	}
	if err != nil {
		return nil, fmt.Errorf("campaigns: claim batch %d: %w", batch, err)
	}
	return out, nil
}

const claimSQL = `
		WITH picked AS (
			SELECT r.id FROM recipients r
			WHERE r.batch_id = $1 AND r.status = 'queued'
				AND (SELECT k.status FROM campaigns k WHERE k.id = $4) = 'running'
			ORDER BY r.id LIMIT $2 FOR UPDATE SKIP LOCKED),
		u AS (
			UPDATE recipients r SET status = 'sending', claimed_at = now(), attempts = attempts + 1,
				message_id = coalesce(r.message_id, 'r' || r.id || '.' || substr(md5(random()::text), 1, 12) || '@' || $3)
			WHERE r.id = ANY(ARRAY(SELECT id FROM picked))
			RETURNING r.id, r.campaign_id, r.contact_id, r.step, r.attempts, r.message_id)
		SELECT u.id, u.campaign_id, u.contact_id, u.step, u.attempts, u.message_id, c.email, c.first_name, c.last_name,
			c.job_title, c.seniority, coalesce(o.name, '') AS organisation, coalesce(o.type, '') AS organisation_type,
			c.country, c.language, c.topics, c.attributes,
			CASE WHEN c.email IS NULL THEN 'erased'
			     WHEN c.consent = 'unsubscribed' THEN 'unsubscribed'
			     WHEN c.bounced_at IS NOT NULL THEN 'bounced'
			     WHEN c.complained_at IS NOT NULL THEN 'complained'
			     -- A reply that arrived after the follow-up was created still stops it.
			     WHEN u.step > 0 AND EXISTS (SELECT 1 FROM recipients a WHERE a.campaign_id = u.campaign_id
			          AND a.contact_id = u.contact_id AND (a.replied_at IS NOT NULL OR a.rsvp IS NOT NULL
			          OR a.unsubscribed_at IS NOT NULL OR a.bounced_at IS NOT NULL)) THEN 'answered'
			     ELSE '' END AS suppressed,
			CASE WHEN u.step = 0 THEN '{}' ELSE array_remove(ARRAY(SELECT p.message_id FROM recipients p
				WHERE p.campaign_id = u.campaign_id AND p.contact_id = u.contact_id AND p.step < u.step
				ORDER BY p.step), NULL) END AS thread
		FROM u JOIN contacts c ON c.id = u.contact_id LEFT JOIN organisations o ON o.id = c.organisation_id
		ORDER BY u.id`

// The outcomes of one send attempt.
const (
	OutcomeSent       = "sent"
	OutcomeRetry      = "pending" // temporary failure: try again at RetryAt
	OutcomeFailed     = "failed"  // gave up after too many temporary failures
	OutcomeBounced    = "bounced" // permanent failure: the address is suppressed
	OutcomeSuppressed = "suppressed"
)

// Result is what happened to one claimed recipient.
type Result struct {
	ID        int64
	ContactID int64
	Outcome   string
	Error     string
	RetryAt   time.Time
	At        time.Time
}

// RecordResults writes a chunk's outcomes in one statement and suppresses
// bounced addresses. An outcome shows on the contact's timeline from its
// recipient row (finished_at), not from an activities row per message.
//
// batch is the batch the rows were claimed from: looking them up by it
// keeps the statement to the batch's rows whatever the planner's
// statistics say. Statistics taken before sending began see no row in
// sending, so with only the ids to go by, the planner scanned every row in
// flight (thousands, for every 25 messages) rather than use the primary key.
func RecordResults(ctx context.Context, db *sqlx.DB, batch int64, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	ids, contacts, outcomes, errs, retry, at := resultArrays(results)
	stmt, err := prepare(ctx, db, recordSQL)
	if err == nil {
		_, err = stmt.ExecContext(ctx,
			pq.Array(ids), pq.Array(contacts), pq.Array(outcomes), pq.Array(errs), pq.Array(retry), pq.Array(at), batch)
	}
	if err != nil {
		return fmt.Errorf("campaigns: record %d results: %w", len(results), err)
	}
	return nil
}

const recordSQL = `
		WITH r AS (
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
				AS t(id, contact_id, outcome, error, retry_at, at)),
		u AS (
			UPDATE recipients x SET status = r.outcome, last_error = r.error,
				next_attempt_at = coalesce(r.retry_at, x.next_attempt_at),
				sent_at = CASE WHEN r.outcome = 'sent' THEN r.at ELSE x.sent_at END,
				bounced_at = CASE WHEN r.outcome = 'bounced' THEN r.at ELSE x.bounced_at END,
				finished_at = CASE WHEN r.outcome = 'pending' THEN NULL ELSE r.at END,
				batch_id = CASE WHEN r.outcome = 'pending' THEN NULL ELSE x.batch_id END
			FROM r WHERE x.batch_id = $7 AND x.id = r.id AND x.status = 'sending')
		UPDATE contacts c SET bounced_at = r.at, updated_at = now()
		FROM r WHERE c.id = r.contact_id AND r.outcome = 'bounced' AND c.bounced_at IS NULL`

func resultArrays(results []Result) ([]int64, []int64, []string, []string, []*time.Time, []time.Time) {
	ids := make([]int64, len(results))
	contacts := make([]int64, len(results))
	outcomes := make([]string, len(results))
	errs := make([]string, len(results))
	retry := make([]*time.Time, len(results))
	at := make([]time.Time, len(results))
	for i, r := range results {
		ids[i], contacts[i], outcomes[i], errs[i], at[i] = r.ID, r.ContactID, r.Outcome, r.Error, r.At
		if r.Outcome == OutcomeRetry {
			t := r.RetryAt
			retry[i] = &t
		}
	}
	return ids, contacts, outcomes, errs, retry, at
}

// ReleaseBatch returns a batch's unclaimed rows to pending, for a paused
// campaign or a closed send window; the dispatcher queues them again later.
func ReleaseBatch(ctx context.Context, db *sqlx.DB, batch int64) error {
	_, err := db.ExecContext(ctx, `UPDATE recipients SET status = 'pending', batch_id = NULL
		WHERE batch_id = $1 AND status = 'queued'`, batch)
	if err != nil {
		return fmt.Errorf("campaigns: release batch %d: %w", batch, err)
	}
	return nil
}

// ReleaseRows returns claimed rows that were not sent (a pause between
// claim and send) to pending, without counting the attempt.
func ReleaseRows(ctx context.Context, db *sqlx.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := db.ExecContext(ctx, `UPDATE recipients SET status = 'pending', batch_id = NULL, attempts = attempts - 1
		WHERE id = ANY($1) AND status = 'sending'`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("campaigns: release rows: %w", err)
	}
	return nil
}

// Status returns a campaign's status; the worker checks it between chunks
// so that pause and cancel take effect within seconds.
func Status(ctx context.Context, q sqlx.QueryerContext, id int64) (string, error) {
	var s string
	if err := sqlx.GetContext(ctx, q, &s, `SELECT status FROM campaigns WHERE id = $1`, id); err != nil {
		return "", fmt.Errorf("campaigns: status %d: %w", id, err)
	}
	return s, nil
}
