package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Segment is a saved, named segment expression.
type Segment struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Where     string    `db:"expression" json:"where"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// Breakdown counts a set of contacts by seniority, organisation type and
// country; every canonical seniority appears, with 0 where none match.
type Breakdown struct {
	Seniority        map[string]int `json:"seniority"`
	OrganisationType map[string]int `json:"organisation_type"`
	Country          map[string]int `json:"country"`
}

// CreateSegment validates the expression and saves it under a unique name.
func CreateSegment(ctx context.Context, db sqlx.ExtContext, name, where string, opts Filter) (Segment, error) {
	var s Segment
	name = strings.TrimSpace(name)
	if name == "" {
		return s, invalid("name", "must not be empty")
	}
	opts.Where = where
	if _, _, err := opts.compile(1); err != nil {
		return s, err
	}
	err := sqlx.GetContext(ctx, db, &s, `INSERT INTO segments (name, expression) VALUES ($1, $2)
		RETURNING id, name, expression, created_at, updated_at`, name, where)
	if pe := (*pq.Error)(nil); errors.As(err, &pe) && pe.Code == "23505" {
		return s, fmt.Errorf("segment %q already exists: %w", name, ErrConflict)
	}
	if err != nil {
		return s, fmt.Errorf("crm: create segment: %w", err)
	}
	return s, nil
}

// SegmentByID returns one saved segment.
func SegmentByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Segment, error) {
	var s Segment
	err := sqlx.GetContext(ctx, q, &s, `SELECT id, name, expression, created_at, updated_at FROM segments WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	if err != nil {
		return s, fmt.Errorf("crm: segment %d: %w", id, err)
	}
	return s, nil
}

// Segments lists every saved segment by name.
func Segments(ctx context.Context, q sqlx.QueryerContext) ([]Segment, error) {
	out := []Segment{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, name, expression, created_at, updated_at FROM segments ORDER BY lower(name)`)
	if err != nil {
		return nil, fmt.Errorf("crm: segments: %w", err)
	}
	return out, nil
}

// DeleteSegment removes a saved segment.
func DeleteSegment(ctx context.Context, db sqlx.ExecerContext, id int64) error {
	res, err := db.ExecContext(ctx, `DELETE FROM segments WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("crm: delete segment %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Count returns how many live contacts a filter selects.
func Count(ctx context.Context, q sqlx.QueryerContext, f Filter) (int, error) {
	cond, args, err := f.compile(1)
	if err != nil {
		return 0, err
	}
	var n int
	err = sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM contacts c WHERE c.erased_at IS NULL AND `+cond, args...)
	if err != nil {
		return 0, fmt.Errorf("crm: count: %w", err)
	}
	return n, nil
}

// BreakdownOf counts the contacts a filter selects per seniority,
// organisation type and country in one pass over the matching rows.
func BreakdownOf(ctx context.Context, q sqlx.QueryerContext, f Filter) (Breakdown, error) {
	b := Breakdown{Seniority: map[string]int{}, OrganisationType: map[string]int{}, Country: map[string]int{}}
	cond, args, err := f.compile(1)
	if err != nil {
		return b, err
	}
	var rows []struct {
		Dim   string `db:"dim"`
		Value string `db:"value"`
		N     int    `db:"n"`
	}
	// GROUPING SETS scans the matching contacts once for all three counts.
	err = sqlx.SelectContext(ctx, q, &rows, `
		SELECT CASE WHEN GROUPING(c.seniority) = 0 THEN 'seniority'
		            WHEN GROUPING(o.type) = 0 THEN 'organisation_type' ELSE 'country' END AS dim,
		       coalesce(CASE WHEN GROUPING(c.seniority) = 0 THEN c.seniority
		            WHEN GROUPING(o.type) = 0 THEN o.type ELSE c.country END, '') AS value,
		       count(*) AS n
		FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE c.erased_at IS NULL AND `+cond+`
		GROUP BY GROUPING SETS ((c.seniority), (o.type), (c.country))`, args...)
	if err != nil {
		return b, fmt.Errorf("crm: breakdown: %w", err)
	}
	for _, s := range []string{"executive", "senior", "middle", "operational", "unknown"} {
		b.Seniority[s] = 0
	}
	for _, r := range rows {
		b.add(r.Dim, r.Value, r.N)
	}
	return b, nil
}

func (b *Breakdown) add(dim, value string, n int) {
	if value == "" {
		value = "unknown"
	}
	switch dim {
	case "seniority":
		b.Seniority[value] += n
	case "organisation_type":
		b.OrganisationType[value] += n
	case "country":
		b.Country[value] += n
	}
}
