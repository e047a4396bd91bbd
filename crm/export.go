package crm

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/jmoiron/sqlx"
)

// ExportCSV writes the contacts a filter selects as CSV in the import
// format, followed by one column per free attribute, so that importing the
// file again changes nothing. An inferred seniority is written empty: the
// import infers it again, and a coordinator's override stays an override.
func ExportCSV(ctx context.Context, q sqlx.QueryerContext, w io.Writer, f Filter) error {
	cond, args, err := f.compile(1)
	if err != nil {
		return err
	}
	var attrs []string
	err = sqlx.SelectContext(ctx, q, &attrs, `SELECT DISTINCT k FROM contacts c, jsonb_object_keys(c.attributes) k
		WHERE c.erased_at IS NULL AND `+cond+` ORDER BY k`, args...)
	if err != nil {
		return fmt.Errorf("crm: export attributes: %w", err)
	}
	rows, err := q.QueryxContext(ctx, `SELECT `+contactColumns+`
		FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE c.erased_at IS NULL AND `+cond+` ORDER BY c.id`, args...)
	if err != nil {
		return fmt.Errorf("crm: export: %w", err)
	}
	defer rows.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, Columns...), attrs...)); err != nil {
		return fmt.Errorf("crm: export: %w", err)
	}
	for rows.Next() {
		var c Contact
		if err := rows.StructScan(&c); err != nil {
			return fmt.Errorf("crm: export: %w", err)
		}
		if err := cw.Write(exportRecord(c, attrs)); err != nil {
			return fmt.Errorf("crm: export: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("crm: export: %w", err)
	}
	return rows.Err()
}

func exportRecord(c Contact, attrs []string) []string {
	seniority := c.Seniority
	if c.SeniorityInferred || seniority == "unknown" {
		seniority = ""
	}
	rec := []string{
		c.Email, c.FirstName, c.LastName, c.Organisation, c.OrganisationType, c.Country,
		c.JobTitle, seniority, c.Language, strings.Join(c.Topics, "|"), strings.Join(c.Tags, "|"), c.Consent,
	}
	var values map[string]any
	json.Unmarshal(c.Attributes, &values) // stored by Outreach: always an object
	for _, a := range attrs {
		s, _ := values[a].(string)
		rec = append(rec, s)
	}
	return rec
}
