package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/crm"
)

// The campaign statuses.
const (
	StatusDraft     = "draft"
	StatusScheduled = "scheduled"
	StatusRunning   = "running"
	StatusPaused    = "paused"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
)

// Campaign is a campaign as stored, with its steps.
type Campaign struct {
	ID                 int64          `db:"id" json:"id"`
	Name               string         `db:"name" json:"name"`
	Status             string         `db:"status" json:"status"`
	AudienceWhere      string         `db:"audience_where" json:"-"`
	AudienceSegmentID  *int64         `db:"audience_segment_id" json:"-"`
	From               string         `db:"from_address" json:"from"`
	FromName           string         `db:"from_name" json:"from_name"`
	ReplyTo            string         `db:"reply_to" json:"reply_to"`
	EventID            *int64         `db:"event_id" json:"event_id"`
	PerMinute          int            `db:"per_minute" json:"-"`
	PerDomainPerMinute int            `db:"per_domain_per_minute" json:"-"`
	WindowDays         pq.StringArray `db:"window_days" json:"-"`
	WindowFrom         string         `db:"window_from" json:"-"`
	WindowTo           string         `db:"window_to" json:"-"`
	WindowTimeZone     string         `db:"window_time_zone" json:"-"`
	Tracking           bool           `db:"tracking" json:"tracking"`
	Notice             string         `db:"notice" json:"notice,omitempty"`
	ScheduledAt        *time.Time     `db:"scheduled_at" json:"scheduled_at"`
	StartedAt          *time.Time     `db:"started_at" json:"started_at"`
	FinishedAt         *time.Time     `db:"finished_at" json:"finished_at"`
	CreatedAt          time.Time      `db:"created_at" json:"created_at"`
	Steps              []Step         `db:"-" json:"steps"`
}

// Step is the invitation (position 0) or a follow-up.
type Step struct {
	Position int           `db:"position" json:"position"`
	After    time.Duration `db:"-" json:"-"`
	AfterSec int64         `db:"after_seconds" json:"after_seconds"`
	Subject  string        `db:"subject" json:"subject"`
	HTML     string        `db:"html" json:"html"`
	Text     string        `db:"text" json:"text"`
}

// Window is the campaign's send window.
func (c Campaign) Window() Window {
	return Window{Days: c.WindowDays, From: c.WindowFrom, To: c.WindowTo, TimeZone: c.WindowTimeZone}
}

// Filter returns the crm filter of the campaign's audience.
func (c Campaign) audience(ctx context.Context, q sqlx.QueryerContext) (string, error) {
	if c.AudienceSegmentID == nil {
		return c.AudienceWhere, nil
	}
	s, err := crm.SegmentByID(ctx, q, *c.AudienceSegmentID)
	if err != nil {
		return "", fmt.Errorf("campaign %d: audience segment %d: %w", c.ID, *c.AudienceSegmentID, err)
	}
	return s.Where, nil
}

const campaignColumns = `id, name, status, audience_where, audience_segment_id, from_address, from_name, reply_to,
	event_id, per_minute, per_domain_per_minute, window_days, window_from, window_to, window_time_zone,
	tracking, notice, scheduled_at, started_at, finished_at, created_at`

// ByID returns one campaign with its steps.
func ByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Campaign, error) {
	var c Campaign
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, crm.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("campaigns: campaign %d: %w", id, err)
	}
	err = sqlx.SelectContext(ctx, q, &c.Steps, `SELECT position, after_seconds, subject, html, text
		FROM campaign_steps WHERE campaign_id = $1 ORDER BY position`, id)
	if err != nil {
		return c, fmt.Errorf("campaigns: campaign %d steps: %w", id, err)
	}
	for i := range c.Steps {
		c.Steps[i].After = time.Duration(c.Steps[i].AfterSec) * time.Second
	}
	return c, nil
}

// List returns all campaigns, newest first, without their steps.
func List(ctx context.Context, q sqlx.QueryerContext) ([]Campaign, error) {
	out := []Campaign{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT `+campaignColumns+` FROM campaigns ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("campaigns: list: %w", err)
	}
	return out, nil
}

// Counts are a campaign's recipients by send state.
type Counts struct {
	Recipients int `db:"recipients" json:"recipients"`
	Pending    int `db:"pending" json:"pending"`
	Queued     int `db:"queued" json:"queued"`
	Sending    int `db:"sending" json:"sending"`
	Sent       int `db:"sent" json:"sent"`
	Failed     int `db:"failed" json:"failed"`
	Bounced    int `db:"bounced" json:"bounced"`
	Suppressed int `db:"suppressed" json:"suppressed"`
}

// CountsOf counts a campaign's recipient rows (all steps) by status.
func CountsOf(ctx context.Context, q sqlx.QueryerContext, id int64) (Counts, error) {
	all, err := CountsByCampaign(ctx, q, []int64{id})
	return all[id], err
}

// CountsByCampaign counts the recipient rows of several campaigns by
// status in one query (the campaign list); a campaign without rows is
// absent from the map, which reads as zero counts.
func CountsByCampaign(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]Counts, error) {
	var rows []struct {
		CampaignID int64 `db:"campaign_id"`
		Counts
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT campaign_id, count(*) AS recipients,
		count(*) FILTER (WHERE status = 'pending') AS pending,
		count(*) FILTER (WHERE status = 'queued') AS queued,
		count(*) FILTER (WHERE status = 'sending') AS sending,
		count(*) FILTER (WHERE status = 'sent') AS sent,
		count(*) FILTER (WHERE status = 'failed') AS failed,
		count(*) FILTER (WHERE status = 'bounced') AS bounced,
		count(*) FILTER (WHERE status = 'suppressed') AS suppressed
		FROM recipients WHERE campaign_id = ANY($1) GROUP BY campaign_id`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("campaigns: counts of %d campaigns: %w", len(ids), err)
	}
	out := make(map[int64]Counts, len(rows))
	for _, r := range rows {
		out[r.CampaignID] = r.Counts
	}
	return out, nil
}
