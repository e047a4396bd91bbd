package crm

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// EraseContact removes a person's personal data (GDPR Art. 17) while
// keeping an anonymous row, so counts of past invitations stay right. What
// remains: the row's id, seniority and country, the kinds and times of past
// activities, and a hash of the address that stops a later import or API
// call from adding the person again.
func EraseContact(ctx context.Context, db *sqlx.DB, id int64, actor string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("crm: erase contact %d: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE contacts SET
		email_hash = encode(sha256(convert_to(email, 'UTF8')), 'hex'), email = NULL,
		first_name = '', last_name = '', job_title = '', organisation_id = NULL, language = '',
		topics = '{}', tags = '{}', attributes = '{}', consent = 'unsubscribed',
		consent_source = 'erased', source = '', consent_at = now(), updated_at = now(), erased_at = now()
		WHERE id = $1 AND erased_at IS NULL`, id)
	if err != nil {
		return fmt.Errorf("crm: erase contact %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return contactMissing(ctx, tx, id)
	}
	// Activity details may quote the person (sources, later reply excerpts);
	// only the kind and time stay.
	if _, err := tx.ExecContext(ctx, `UPDATE activities SET details = '{}', organisation_id = NULL WHERE contact_id = $1`, id); err != nil {
		return fmt.Errorf("crm: erase contact %d timeline: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details) VALUES ($1, 'contact.erased', jsonb_build_object('by', $2::text))`, id, actor); err != nil {
		return fmt.Errorf("crm: erase contact %d: %w", id, err)
	}
	return tx.Commit()
}

// DataExport is everything Outreach holds on one person (GDPR Art. 15).
type DataExport struct {
	Contact      Contact       `json:"contact"`
	Organisation *Organisation `json:"organisation"`
	Timeline     []Activity    `json:"timeline"`
}

// ExportContactData gathers a DataExport for one contact.
func ExportContactData(ctx context.Context, q sqlx.QueryerContext, id int64) (DataExport, error) {
	var d DataExport
	c, err := ContactByID(ctx, q, id)
	if err != nil {
		return d, err
	}
	d.Contact = c
	if c.OrganisationID != nil {
		o, err := OrganisationByID(ctx, q, *c.OrganisationID)
		if err != nil {
			return d, err
		}
		d.Organisation = &o
	}
	d.Timeline, err = Timeline(ctx, q, id)
	return d, err
}
