package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Organisation is a member or partner organisation of the network.
type Organisation struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Type      string    `db:"type" json:"type"`
	Country   string    `db:"country" json:"country"`
	City      string    `db:"city" json:"city"`
	Website   string    `db:"website" json:"website"`
	Domain    string    `db:"domain" json:"domain"`
	Contacts  int       `db:"contacts" json:"contacts"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

const organisationColumns = `o.id, o.name, o.type, o.country, o.city, o.website, o.domain, o.created_at, o.updated_at,
	(SELECT count(*) FROM contacts c WHERE c.organisation_id = o.id AND c.erased_at IS NULL) AS contacts`

// OrganisationByID returns one organisation with its number of contacts.
func OrganisationByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Organisation, error) {
	var o Organisation
	err := sqlx.GetContext(ctx, q, &o, `SELECT `+organisationColumns+` FROM organisations o WHERE o.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound
	}
	if err != nil {
		return o, fmt.Errorf("crm: organisation %d: %w", id, err)
	}
	return o, nil
}

// Organisations lists organisations whose name contains search
// (case-insensitively; "" for all), by name.
func Organisations(ctx context.Context, q sqlx.QueryerContext, search string, limit, offset int) ([]Organisation, error) {
	out := []Organisation{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+organisationColumns+` FROM organisations o
		WHERE $1 = '' OR strpos(lower(o.name), lower($1)) > 0
		ORDER BY lower(o.name) LIMIT $2 OFFSET $3`, search, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("crm: organisations: %w", err)
	}
	return out, nil
}

// OrganisationIDByName finds an organisation by name, case-insensitively,
// or creates it in the given country.
func OrganisationIDByName(ctx context.Context, db sqlx.QueryerContext, name, country string) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, db, &id, `INSERT INTO organisations (name, country) VALUES ($1, $2)
		ON CONFLICT ((lower(name))) DO UPDATE SET name = organisations.name
		RETURNING id`, name, country)
	if err != nil {
		return 0, fmt.Errorf("crm: organisation %q: %w", name, err)
	}
	return id, nil
}

// OrganisationContacts lists an organisation's people by name, a page at a
// time, for the organisation's page; erased contacts are left out.
func OrganisationContacts(ctx context.Context, q sqlx.QueryerContext, orgID int64, limit, offset int) ([]Contact, error) {
	out := []Contact{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+contactColumns+`
		FROM contacts c JOIN organisations o ON o.id = c.organisation_id
		WHERE c.organisation_id = $1 AND c.erased_at IS NULL
		ORDER BY lower(c.last_name), lower(c.first_name), c.id LIMIT $2 OFFSET $3`, orgID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("crm: people of organisation %d: %w", orgID, err)
	}
	return out, nil
}
