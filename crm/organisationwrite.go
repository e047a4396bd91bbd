package crm

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"

	"outreach/crm/vocab"
)

// OrganisationPatch is a change to an organisation; nil fields stay as
// they are. Type and country are what segments and reports group by, and
// exports from partners often lack them, so coordinators set them here.
type OrganisationPatch struct {
	Name    *string `json:"name"`
	Type    *string `json:"type"`
	Country *string `json:"country"`
	City    *string `json:"city"`
	Website *string `json:"website"`
}

// organisationRecord is the writable part of an organisations row.
type organisationRecord struct {
	Name    string `db:"name"`
	Type    string `db:"type"`
	Country string `db:"country"`
	City    string `db:"city"`
	Website string `db:"website"`
}

// UpdateOrganisation applies a patch and records what changed on the
// organisation's timeline. A name already taken by another organisation
// (names are unique regardless of case) is a conflict.
func UpdateOrganisation(ctx context.Context, db *sqlx.DB, id int64, p OrganisationPatch, actor string) (Organisation, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Organisation{}, fmt.Errorf("crm: update organisation %d: %w", id, err)
	}
	defer tx.Rollback()
	var r organisationRecord
	err = tx.GetContext(ctx, &r, `SELECT name, type, country, city, website FROM organisations WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, ErrNotFound
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("crm: update organisation %d: %w", id, err)
	}
	changed, err := p.apply(&r)
	if err != nil {
		return Organisation{}, err
	}
	if len(changed) > 0 {
		if err := writeOrganisation(ctx, tx, id, r); err != nil {
			return Organisation{}, err
		}
		if err := addOrganisationActivity(ctx, tx, id, "organisation.updated", map[string]any{"by": actor, "fields": changed}); err != nil {
			return Organisation{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return Organisation{}, fmt.Errorf("crm: update organisation %d: %w", id, err)
	}
	return OrganisationByID(ctx, db, id)
}

func writeOrganisation(ctx context.Context, tx *sqlx.Tx, id int64, r organisationRecord) error {
	_, err := tx.ExecContext(ctx, `UPDATE organisations SET name = $2, type = $3, country = $4, city = $5, website = $6,
		updated_at = now() WHERE id = $1`, id, r.Name, r.Type, r.Country, r.City, r.Website)
	if isUniqueViolation(err) {
		return fmt.Errorf("an organisation named %s already exists: %w", r.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("crm: update organisation %d: %w", id, err)
	}
	return nil
}

func addOrganisationActivity(ctx context.Context, tx *sqlx.Tx, orgID int64, kind string, details map[string]any) error {
	b, err := json.Marshal(details)
	if err == nil {
		_, err = tx.ExecContext(ctx, `INSERT INTO activities (organisation_id, kind, details) VALUES ($1, $2, $3)`, orgID, kind, b)
	}
	if err != nil {
		return fmt.Errorf("crm: activity %s: %w", kind, err)
	}
	return nil
}

// apply validates p and writes it onto r, returning the names of the
// fields it changed.
func (p OrganisationPatch) apply(r *organisationRecord) ([]string, error) {
	var changed []string
	set := func(name string, dst *string, v string) {
		if *dst != v {
			*dst, changed = v, append(changed, name)
		}
	}
	if p.Name != nil {
		n, err := oneLine("name", *p.Name)
		if err != nil {
			return nil, err
		}
		if n == "" {
			return nil, invalid("name", "is required")
		}
		if len(n) > maxCell {
			return nil, invalid("name", "longer than %d bytes", maxCell)
		}
		set("name", &r.Name, n)
	}
	for _, f := range []struct {
		name  string
		src   *string
		dst   *string
		parse func(string) (string, bool)
		hint  string
	}{
		{"type", p.Type, &r.Type, vocab.ParseOrganisationType, strings.Join(vocab.OrganisationTypes, ", ")},
		{"country", p.Country, &r.Country, vocab.Country, "an ISO 3166 code such as DE or an English name"},
	} {
		if f.src == nil {
			continue
		}
		v, ok := "", strings.TrimSpace(*f.src) == "" // empty: not known
		if !ok {
			v, ok = f.parse(*f.src)
		}
		if !ok || (v == "" && strings.TrimSpace(*f.src) != "") {
			return nil, invalid(f.name, "unknown value %q (expected %s)", *f.src, f.hint)
		}
		set(f.name, f.dst, v)
	}
	if p.City != nil {
		if len(*p.City) > maxCell {
			return nil, invalid("city", "longer than %d bytes", maxCell)
		}
		c, err := oneLine("city", *p.City)
		if err != nil {
			return nil, err
		}
		set("city", &r.City, c)
	}
	if p.Website != nil {
		w, err := parseWebsite(*p.Website)
		if err != nil {
			return nil, err
		}
		set("website", &r.Website, w)
	}
	return changed, nil
}

// parseWebsite accepts an http(s) address or a bare host name such as
// network.example.org; anything else (javascript:, spaces, a path without
// a host) is refused, as the organisation's page links to it.
func parseWebsite(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	full := s
	if !strings.Contains(s, "://") {
		full = "https://" + s
	}
	u, err := url.Parse(full)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !validDomain(strings.ToLower(u.Hostname())) ||
		strings.ContainsAny(s, " \t\r\n") || len(s) > maxCell {
		return "", invalid("website", "%q is not a web address (expected something like https://network.example.org)", s)
	}
	return s, nil
}
