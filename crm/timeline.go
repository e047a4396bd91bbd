package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Activity is one entry on a contact's or organisation's timeline.
type Activity struct {
	ID             int64           `db:"id" json:"id"`
	ContactID      *int64          `db:"contact_id" json:"contact_id"`
	OrganisationID *int64          `db:"organisation_id" json:"organisation_id"`
	Kind           string          `db:"kind" json:"kind"`
	OccurredAt     time.Time       `db:"occurred_at" json:"occurred_at"`
	Details        json.RawMessage `db:"details" json:"details"`
}

// TimelineLimit bounds how many entries one timeline call returns.
const TimelineLimit = 1000

// AddActivity records an event on a contact's timeline. Other parts of
// Outreach (sends, opens, replies) record theirs through it.
func AddActivity(ctx context.Context, db sqlx.ExecerContext, contactID int64, kind string, details any) error {
	return addActivity(ctx, db, contactID, kind, details)
}

func addActivity(ctx context.Context, db sqlx.ExecerContext, contactID int64, kind string, details any) error {
	b, err := json.Marshal(details)
	if err != nil {
		return fmt.Errorf("crm: activity %s: %w", kind, err)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO activities (contact_id, organisation_id, kind, details)
		SELECT id, organisation_id, $2, $3 FROM contacts WHERE id = $1`, contactID, kind, b)
	if err != nil {
		return fmt.Errorf("crm: activity %s: %w", kind, err)
	}
	return nil
}

// Timeline returns a contact's activities, newest first, ending with the
// contact's creation (derived from the contact row, which records its source).
// The timeline view adds each campaign message's outcome, which is kept on
// its recipient row rather than copied into activities.
func Timeline(ctx context.Context, q sqlx.QueryerContext, contactID int64) ([]Activity, error) {
	if _, err := ContactByID(ctx, q, contactID); err != nil {
		return nil, err
	}
	out := []Activity{}
	err := sqlx.SelectContext(ctx, q, &out, `
		SELECT id, contact_id, organisation_id, kind, occurred_at, details FROM (
			SELECT id, contact_id, organisation_id, kind, occurred_at, details FROM timeline WHERE contact_id = $1
			UNION ALL
			SELECT 0, id, organisation_id, 'contact.created', created_at, jsonb_build_object('source', source)
			FROM contacts WHERE id = $1
		) t ORDER BY occurred_at DESC, id DESC LIMIT $2`, contactID, TimelineLimit)
	if err != nil {
		return nil, fmt.Errorf("crm: timeline: %w", err)
	}
	return out, nil
}

// OrganisationTimeline returns the activities of an organisation and its
// people, newest first.
func OrganisationTimeline(ctx context.Context, q sqlx.QueryerContext, orgID int64) ([]Activity, error) {
	if _, err := OrganisationByID(ctx, q, orgID); err != nil {
		return nil, err
	}
	out := []Activity{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, contact_id, organisation_id, kind, occurred_at, details
		FROM timeline WHERE organisation_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT $2`, orgID, TimelineLimit)
	if err != nil {
		return nil, fmt.Errorf("crm: timeline: %w", err)
	}
	return out, nil
}
