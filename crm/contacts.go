package crm

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Contact is one person in the CRM, with their organisation's name and type
// joined in for convenience.
type Contact struct {
	ID                int64           `db:"id" json:"id"`
	Email             string          `db:"email" json:"email"`
	FirstName         string          `db:"first_name" json:"first_name"`
	LastName          string          `db:"last_name" json:"last_name"`
	JobTitle          string          `db:"job_title" json:"job_title"`
	Seniority         string          `db:"seniority" json:"seniority"`
	SeniorityInferred bool            `db:"seniority_inferred" json:"seniority_inferred"`
	OrganisationID    *int64          `db:"organisation_id" json:"organisation_id"`
	Organisation      string          `db:"organisation" json:"organisation"`
	OrganisationType  string          `db:"organisation_type" json:"organisation_type"`
	Country           string          `db:"country" json:"country"`
	Language          string          `db:"language" json:"language"`
	Topics            pq.StringArray  `db:"topics" json:"topics"`
	Tags              pq.StringArray  `db:"tags" json:"tags"`
	Consent           string          `db:"consent" json:"consent"`
	ConsentSource     string          `db:"consent_source" json:"consent_source"`
	ConsentAt         time.Time       `db:"consent_at" json:"consent_at"`
	Attributes        json.RawMessage `db:"attributes" json:"attributes"`
	Source            string          `db:"source" json:"source"`
	CreatedAt         time.Time       `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time       `db:"updated_at" json:"updated_at"`
}

// Name is the contact's full name, or their email when no name is known.
func (c Contact) Name() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Email
}

// contactColumns selects a Contact from contacts c left-joined to
// organisations o; erased rows never reach it (their email is NULL).
const contactColumns = `c.id, c.email, c.first_name, c.last_name, c.job_title, c.seniority,
	c.seniority_inferred, c.organisation_id, coalesce(o.name, '') AS organisation,
	coalesce(o.type, '') AS organisation_type, c.country, c.language, c.topics, c.tags,
	c.consent, c.consent_source, c.consent_at, c.attributes, c.source, c.created_at, c.updated_at`

// ContactByID returns one contact; ErrErased if their data was erased.
func ContactByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Contact, error) {
	var c Contact
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+contactColumns+`
		FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE c.id = $1 AND c.erased_at IS NULL`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, contactMissing(ctx, q, id)
	}
	if err != nil {
		return c, fmt.Errorf("crm: contact %d: %w", id, err)
	}
	return c, nil
}

// contactMissing tells a contact that never existed from an erased one.
func contactMissing(ctx context.Context, q sqlx.QueryerContext, id int64) error {
	var erased bool
	err := sqlx.GetContext(ctx, q, &erased, `SELECT erased_at IS NOT NULL FROM contacts WHERE id = $1`, id)
	if err == nil && erased {
		return ErrErased
	}
	return ErrNotFound
}

// ContactList is one page of contacts matching a segment expression.
type ContactList struct {
	Total    int       `json:"total"`
	Page     int       `json:"page"`
	PerPage  int       `json:"per_page"`
	Contacts []Contact `json:"contacts"`
}

// MaxPerPage bounds a page of contacts.
const MaxPerPage = 500

// Contacts lists the contacts a filter selects, ordered by id, page
// counting from 1.
func Contacts(ctx context.Context, q sqlx.QueryerContext, f Filter, page, perPage int) (ContactList, error) {
	list := ContactList{Page: max(page, 1), PerPage: perPage, Contacts: []Contact{}}
	if perPage < 1 || perPage > MaxPerPage {
		return list, invalid("per_page", "must be between 1 and %d", MaxPerPage)
	}
	cond, args, err := f.compile(1)
	if err != nil {
		return list, err
	}
	if err := sqlx.GetContext(ctx, q, &list.Total, `SELECT count(*) FROM contacts c WHERE c.erased_at IS NULL AND `+cond, args...); err != nil {
		return list, fmt.Errorf("crm: count contacts: %w", err)
	}
	args = append(args, perPage, (list.Page-1)*perPage)
	err = sqlx.SelectContext(ctx, q, &list.Contacts, `SELECT `+contactColumns+`
		FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE c.erased_at IS NULL AND `+cond+fmt.Sprintf(` ORDER BY c.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return list, fmt.Errorf("crm: list contacts: %w", err)
	}
	return list, nil
}
