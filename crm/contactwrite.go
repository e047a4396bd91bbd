package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/crm/vocab"
)

// ContactPatch is a change to a contact; nil fields stay as they are. The
// same type creates a contact, where Email is required.
type ContactPatch struct {
	Email        *string            `json:"email"`
	FirstName    *string            `json:"first_name"`
	LastName     *string            `json:"last_name"`
	JobTitle     *string            `json:"job_title"`
	Seniority    *string            `json:"seniority"`
	Organisation *string            `json:"organisation"`
	Country      *string            `json:"country"`
	Language     *string            `json:"language"`
	Topics       *[]string          `json:"topics"`
	Tags         *[]string          `json:"tags"`
	Consent      *string            `json:"consent"`
	Attributes   *map[string]string `json:"attributes"`
}

// contactRecord is the writable part of a contacts row.
type contactRecord struct {
	Email             string          `db:"email"`
	FirstName         string          `db:"first_name"`
	LastName          string          `db:"last_name"`
	JobTitle          string          `db:"job_title"`
	Seniority         string          `db:"seniority"`
	SeniorityInferred bool            `db:"seniority_inferred"`
	OrganisationID    *int64          `db:"organisation_id"`
	Country           string          `db:"country"`
	Language          string          `db:"language"`
	Topics            pq.StringArray  `db:"topics"`
	Tags              pq.StringArray  `db:"tags"`
	Consent           string          `db:"consent"`
	Attributes        json.RawMessage `db:"attributes"`
}

// apply validates p and writes it onto r, returning the names of the
// fields it changed.
func (p ContactPatch) apply(r *contactRecord) ([]string, error) {
	var changed []string
	set := func(name string, dst *string, v string) {
		if *dst != v {
			*dst = v
			changed = append(changed, name)
		}
	}
	if p.Email != nil {
		e, err := NormaliseEmail(*p.Email)
		if err != nil {
			return nil, err
		}
		set("email", &r.Email, e)
	}
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{{"first_name", p.FirstName, &r.FirstName}, {"last_name", p.LastName, &r.LastName}, {"job_title", p.JobTitle, &r.JobTitle}} {
		if f.src != nil {
			if len(*f.src) > maxCell {
				return nil, invalid(f.name, "longer than %d bytes", maxCell)
			}
			v, err := oneLine(f.name, *f.src)
			if err != nil {
				return nil, err
			}
			set(f.name, f.dst, v)
		}
	}
	if err := p.applyEnums(r, set); err != nil {
		return nil, err
	}
	return p.applyLists(r, changed)
}

func (p ContactPatch) applyEnums(r *contactRecord, set func(string, *string, string)) error {
	type parser func(string) (string, bool)
	for _, f := range []struct {
		name  string
		src   *string
		dst   *string
		parse parser
		hint  string
	}{
		{"country", p.Country, &r.Country, vocab.Country, "an ISO 3166 code such as DE or an English name"},
		{"language", p.Language, &r.Language, vocab.Language, "an ISO 639-1 code such as de"},
		{"consent", p.Consent, &r.Consent, vocab.ParseConsent, strings.Join(vocab.Consents, ", ")},
		{"seniority", p.Seniority, &r.Seniority, vocab.ParseSeniority, strings.Join(vocab.Seniorities, ", ")},
	} {
		if f.src == nil {
			continue
		}
		v, ok := "", strings.TrimSpace(*f.src) == ""
		if !ok {
			v, ok = f.parse(*f.src)
		}
		if !ok || (v == "" && f.name != "country" && f.name != "language") {
			return invalid(f.name, "unknown value %q (expected %s)", *f.src, f.hint)
		}
		set(f.name, f.dst, v)
	}
	// A coordinator's seniority is a fact, not a guess: it clears the mark.
	if p.Seniority != nil {
		r.SeniorityInferred = false
	} else if p.JobTitle != nil && r.SeniorityInferred {
		set("seniority", &r.Seniority, vocab.InferSeniority(r.JobTitle))
	}
	return nil
}

func (p ContactPatch) applyLists(r *contactRecord, changed []string) ([]string, error) {
	if p.Topics != nil {
		t := pq.StringArray(normaliseAll(*p.Topics, vocab.Topic))
		if strings.Join(t, "\x00") != strings.Join(r.Topics, "\x00") {
			r.Topics, changed = t, append(changed, "topics")
		}
	}
	if p.Tags != nil {
		t := pq.StringArray(normaliseAll(*p.Tags, vocab.Tag))
		if strings.Join(t, "\x00") != strings.Join(r.Tags, "\x00") {
			r.Tags, changed = t, append(changed, "tags")
		}
	}
	if p.Attributes != nil {
		b, _ := json.Marshal(*p.Attributes) // a map of strings always marshals
		r.Attributes, changed = b, append(changed, "attributes")
	}
	return changed, nil
}

// CreateContact adds one contact; the email must be new.
func CreateContact(ctx context.Context, db *sqlx.DB, p ContactPatch, actor string) (Contact, error) {
	if p.Email == nil {
		return Contact{}, invalid("email", "is required")
	}
	r := contactRecord{Seniority: vocab.Unknown, Consent: "legitimate_interest", Topics: pq.StringArray{}, Tags: pq.StringArray{}, Attributes: json.RawMessage("{}")}
	if _, err := p.apply(&r); err != nil {
		return Contact{}, err
	}
	if p.Seniority == nil && r.JobTitle != "" {
		r.Seniority = vocab.InferSeniority(r.JobTitle)
		r.SeniorityInferred = r.Seniority != vocab.Unknown
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Contact{}, fmt.Errorf("crm: create contact: %w", err)
	}
	defer tx.Rollback()
	if err := resolveOrganisation(ctx, tx, p.Organisation, &r); err != nil {
		return Contact{}, err
	}
	id, err := insertContact(ctx, tx, r, actor)
	if err != nil {
		return Contact{}, err
	}
	if err := tx.Commit(); err != nil {
		return Contact{}, fmt.Errorf("crm: create contact: %w", err)
	}
	return ContactByID(ctx, db, id)
}

func insertContact(ctx context.Context, tx *sqlx.Tx, r contactRecord, actor string) (int64, error) {
	var erased bool
	if err := tx.GetContext(ctx, &erased, `SELECT EXISTS (SELECT 1 FROM contacts WHERE erased_at IS NOT NULL AND email_hash = $1)`, emailHash(r.Email)); err != nil {
		return 0, fmt.Errorf("crm: create contact: %w", err)
	}
	if erased {
		return 0, invalid("email", "this person's data was erased at their request; they cannot be re-added")
	}
	var id int64
	err := tx.GetContext(ctx, &id, `INSERT INTO contacts (email, first_name, last_name, job_title, seniority,
		seniority_inferred, organisation_id, country, language, topics, tags, consent, consent_source, attributes, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13) RETURNING id`,
		r.Email, r.FirstName, r.LastName, r.JobTitle, r.Seniority, r.SeniorityInferred, r.OrganisationID,
		r.Country, r.Language, r.Topics, r.Tags, r.Consent, "api:"+actor, r.Attributes)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("a contact with email %s already exists: %w", r.Email, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("crm: create contact: %w", err)
	}
	return id, nil
}

func isUniqueViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}

// resolveOrganisation finds or creates the organisation a patch names; an
// empty name detaches the contact.
func resolveOrganisation(ctx context.Context, tx *sqlx.Tx, name *string, r *contactRecord) error {
	if name == nil {
		return nil
	}
	n, err := oneLine("organisation", *name)
	if err != nil {
		return err
	}
	if n == "" {
		r.OrganisationID = nil
		return nil
	}
	id, err := OrganisationIDByName(ctx, tx, n, r.Country)
	if err != nil {
		return err
	}
	r.OrganisationID = &id
	return nil
}

// UpdateContact applies a patch and records what changed on the timeline.
func UpdateContact(ctx context.Context, db *sqlx.DB, id int64, p ContactPatch, actor string) (Contact, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Contact{}, fmt.Errorf("crm: update contact: %w", err)
	}
	defer tx.Rollback()
	var r contactRecord
	err = tx.GetContext(ctx, &r, `SELECT email, first_name, last_name, job_title, seniority, seniority_inferred,
		organisation_id, country, language, topics, tags, consent, attributes
		FROM contacts WHERE id = $1 AND erased_at IS NULL FOR UPDATE`, id)
	if err != nil {
		return Contact{}, contactMissing(ctx, tx, id)
	}
	before := r
	changed, err := p.apply(&r)
	if err != nil {
		return Contact{}, err
	}
	if err := resolveOrganisation(ctx, tx, p.Organisation, &r); err != nil {
		return Contact{}, err
	}
	if !sameOrg(before.OrganisationID, r.OrganisationID) {
		changed = append(changed, "organisation")
	}
	if r.SeniorityInferred != before.SeniorityInferred && !contains(changed, "seniority") {
		changed = append(changed, "seniority")
	}
	if len(changed) > 0 {
		if err := writeContact(ctx, tx, id, r, before.Consent, actor); err != nil {
			return Contact{}, err
		}
		if err := addActivity(ctx, tx, id, "contact.updated", map[string]any{"by": actor, "fields": changed}); err != nil {
			return Contact{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return Contact{}, fmt.Errorf("crm: update contact: %w", err)
	}
	return ContactByID(ctx, db, id)
}

func writeContact(ctx context.Context, tx *sqlx.Tx, id int64, r contactRecord, oldConsent, actor string) error {
	_, err := tx.ExecContext(ctx, `UPDATE contacts SET email = $2, first_name = $3, last_name = $4,
		job_title = $5, seniority = $6, seniority_inferred = $7, organisation_id = $8, country = $9,
		language = $10, topics = $11, tags = $12, consent = $13, attributes = $14, updated_at = now(),
		consent_source = CASE WHEN consent <> $13 THEN $15 ELSE consent_source END,
		consent_at = CASE WHEN consent <> $13 THEN now() ELSE consent_at END
		WHERE id = $1`,
		id, r.Email, r.FirstName, r.LastName, r.JobTitle, r.Seniority, r.SeniorityInferred, r.OrganisationID,
		r.Country, r.Language, r.Topics, r.Tags, r.Consent, r.Attributes, "api:"+actor)
	if isUniqueViolation(err) {
		return fmt.Errorf("a contact with email %s already exists: %w", r.Email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("crm: update contact %d: %w", id, err)
	}
	return nil
}

func sameOrg(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
