package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/crm"
	"outreach/crm/segment"
	"outreach/templates"
)

// Input is a campaign as the API and the CLI describe it.
type Input struct {
	Name     string     `json:"name"`
	Audience Audience   `json:"audience"`
	From     string     `json:"from"`
	ReplyTo  string     `json:"reply_to"`
	Subject  string     `json:"subject"`
	HTML     string     `json:"html"`
	Text     string     `json:"text"`
	EventID  *int64     `json:"event_id"`
	Throttle Throttle   `json:"throttle"`
	Window   *Window    `json:"window"`
	Followup []FollowUp `json:"followups"`
	// Tracking adds the open pixel and click redirects; default true.
	Tracking *bool `json:"tracking"`
	// Notice makes this an "update" or "cancel" notice of EventID to the
	// people who accepted it (or answered tentative): no audience, no
	// follow-ups, and the default notice templates unless others are given.
	Notice string `json:"notice"`
}

// Audience selects the recipients: a segment expression or a saved segment.
type Audience struct {
	Where     *string `json:"where"`
	SegmentID *int64  `json:"segment_id"`
}

// Throttle limits the sending rate; 0 means no limit of that kind.
type Throttle struct {
	PerMinute          int `json:"per_minute"`
	PerDomainPerMinute int `json:"per_domain_per_minute"`
}

// FollowUp is a later step, sent After the previous one to recipients who
// have neither replied nor RSVP'd.
type FollowUp struct {
	After   string `json:"after"`
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
}

// Create validates an input and stores it as a draft campaign. Template
// errors come back as *templates.Error with their part, line and column.
func Create(ctx context.Context, db *sqlx.DB, in Input, segOpts segment.Options) (Campaign, error) {
	c, err := in.validate(ctx, db, segOpts)
	if err != nil {
		return c, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("campaigns: create: %w", err)
	}
	defer tx.Rollback()
	err = tx.GetContext(ctx, &c.ID, `INSERT INTO campaigns (name, audience_where, audience_segment_id, from_address,
		from_name, reply_to, event_id, per_minute, per_domain_per_minute, window_days, window_from, window_to,
		window_time_zone, tracking, notice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		c.Name, c.AudienceWhere, c.AudienceSegmentID, c.From, c.FromName, c.ReplyTo, c.EventID, c.PerMinute,
		c.PerDomainPerMinute, c.WindowDays, c.WindowFrom, c.WindowTo, c.WindowTimeZone, c.Tracking, c.Notice)
	if err != nil {
		return c, fmt.Errorf("campaigns: create: %w", err)
	}
	if err := insertSteps(ctx, tx, c.ID, c.Steps); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("campaigns: create: %w", err)
	}
	return ByID(ctx, db, c.ID)
}

func insertSteps(ctx context.Context, tx *sqlx.Tx, id int64, steps []Step) error {
	for _, s := range steps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_steps (campaign_id, position, after_seconds, subject, html, text)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, s.Position, s.AfterSec, s.Subject, s.HTML, s.Text); err != nil {
			return fmt.Errorf("campaigns: campaign %d step %d: %w", id, s.Position, err)
		}
	}
	return nil
}

// UpdateDraft replaces a draft's whole definition with in, validated as
// Create validates. Only a draft changes: once a campaign is scheduled or
// started its recipients may already hold what it said, so an edit then is
// a *TransitionError (cancel it and start a new one from it instead).
func UpdateDraft(ctx context.Context, db *sqlx.DB, id int64, in Input, segOpts segment.Options) (Campaign, error) {
	c, err := in.validate(ctx, db, segOpts)
	if err != nil {
		return c, err
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("campaigns: update %d: %w", id, err)
	}
	defer tx.Rollback()
	var status string
	err = tx.GetContext(ctx, &status, `SELECT status FROM campaigns WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return c, crm.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("campaigns: update %d: %w", id, err)
	}
	if status != StatusDraft {
		return c, &TransitionError{From: status, Action: "edit"}
	}
	_, err = tx.ExecContext(ctx, `UPDATE campaigns SET name = $2, audience_where = $3, audience_segment_id = $4,
		from_address = $5, from_name = $6, reply_to = $7, event_id = $8, per_minute = $9, per_domain_per_minute = $10,
		window_days = $11, window_from = $12, window_to = $13, window_time_zone = $14, tracking = $15, notice = $16
		WHERE id = $1`,
		id, c.Name, c.AudienceWhere, c.AudienceSegmentID, c.From, c.FromName, c.ReplyTo, c.EventID, c.PerMinute,
		c.PerDomainPerMinute, c.WindowDays, c.WindowFrom, c.WindowTo, c.WindowTimeZone, c.Tracking, c.Notice)
	if err != nil {
		return c, fmt.Errorf("campaigns: update %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM campaign_steps WHERE campaign_id = $1`, id); err != nil {
		return c, fmt.Errorf("campaigns: update %d steps: %w", id, err)
	}
	if err := insertSteps(ctx, tx, id, c.Steps); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("campaigns: update %d: %w", id, err)
	}
	return ByID(ctx, db, id)
}

func invalid(field, format string, args ...any) error {
	return &crm.ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func (in Input) validate(ctx context.Context, db *sqlx.DB, segOpts segment.Options) (Campaign, error) {
	c := Campaign{Name: strings.TrimSpace(in.Name), Status: StatusDraft, Tracking: in.Tracking == nil || *in.Tracking,
		PerMinute: in.Throttle.PerMinute, PerDomainPerMinute: in.Throttle.PerDomainPerMinute, EventID: in.EventID,
		WindowDays: pq.StringArray{}, WindowTimeZone: "UTC"}
	if c.Name == "" {
		return c, invalid("name", "must not be empty")
	}
	if err := in.validateAddresses(&c); err != nil {
		return c, err
	}
	if in.Notice != "" {
		if err := in.validateNotice(&c); err != nil {
			return c, err
		}
		in = in.withNoticeTemplates()
	} else if err := in.validateAudience(ctx, db, &c, segOpts); err != nil {
		return c, err
	}
	if c.PerMinute < 0 || c.PerDomainPerMinute < 0 {
		return c, invalid("throttle", "rates must be 0 (no limit) or positive")
	}
	if err := in.validateWindow(&c); err != nil {
		return c, err
	}
	if err := in.validateEvent(ctx, db); err != nil {
		return c, err
	}
	return c, in.validateSteps(&c)
}

func (in Input) validateAddresses(c *Campaign) error {
	from, err := mail.ParseAddress(in.From)
	if err != nil {
		return invalid("from", "%q is not an email address (use \"Name <address>\" or an address)", in.From)
	}
	c.From, c.FromName = strings.ToLower(from.Address), from.Name
	if in.ReplyTo != "" {
		rt, err := mail.ParseAddress(in.ReplyTo)
		if err != nil {
			return invalid("reply_to", "%q is not an email address", in.ReplyTo)
		}
		c.ReplyTo = strings.ToLower(rt.Address)
	}
	return nil
}

func (in Input) validateAudience(ctx context.Context, db *sqlx.DB, c *Campaign, segOpts segment.Options) error {
	switch {
	case in.Audience.Where != nil && in.Audience.SegmentID != nil:
		return invalid("audience", "give either where or segment_id, not both")
	case in.Audience.SegmentID != nil:
		if _, err := crm.SegmentByID(ctx, db, *in.Audience.SegmentID); err != nil {
			return invalid("audience.segment_id", "segment %d does not exist", *in.Audience.SegmentID)
		}
		c.AudienceSegmentID = in.Audience.SegmentID
	case in.Audience.Where != nil:
		if _, err := segment.Where(*in.Audience.Where, segment.NewArgs(1), segOpts); err != nil {
			return invalid("audience.where", "%v", err)
		}
		c.AudienceWhere = *in.Audience.Where
	default:
		return invalid("audience", "give where (a segment expression) or segment_id")
	}
	return nil
}

// validateNotice checks an event notice: its audience is the event's
// attendees, so it names an event and nothing else to select by.
func (in Input) validateNotice(c *Campaign) error {
	switch {
	case in.Notice != "update" && in.Notice != "cancel":
		return invalid("notice", "%q: use update or cancel", in.Notice)
	case in.EventID == nil:
		return invalid("event_id", "a notice is about an event: give its id")
	case in.Audience.Where != nil || in.Audience.SegmentID != nil:
		return invalid("audience", "a notice goes to the event's attendees: leave the audience out")
	case len(in.Followup) > 0:
		return invalid("followups", "a notice has no follow-ups")
	}
	c.Notice = in.Notice
	return nil
}

// withNoticeTemplates fills in the default update or cancellation message
// when the input brings no templates of its own.
func (in Input) withNoticeTemplates() Input {
	if in.Subject != "" || in.HTML != "" || in.Text != "" {
		return in
	}
	m := templates.DefaultEventUpdate()
	if in.Notice == "cancel" {
		m = templates.DefaultEventCancel()
	}
	in.Subject, in.HTML, in.Text = m.Subject, m.HTML, m.Text
	return in
}

func (in Input) validateWindow(c *Campaign) error {
	if in.Window == nil {
		return nil
	}
	w := *in.Window
	if w.TimeZone == "" {
		w.TimeZone = "UTC"
	}
	if err := w.validate(); err != nil {
		return err
	}
	c.WindowDays, c.WindowFrom, c.WindowTo, c.WindowTimeZone = append(pq.StringArray{}, w.Days...), w.From, w.To, w.TimeZone
	return nil
}

func (in Input) validateEvent(ctx context.Context, db *sqlx.DB) error {
	if in.EventID == nil {
		return nil
	}
	e, err := EventByID(ctx, db, *in.EventID)
	if errors.Is(err, crm.ErrNotFound) {
		return invalid("event_id", "event %d does not exist", *in.EventID)
	}
	if err != nil {
		return err
	}
	switch {
	case !e.Ours():
		return invalid("event_id", "%q is in the partner calendar %q: invite to one of our events", e.Title, *e.Source)
	case in.Notice == "cancel" && e.Status != EventCancelled:
		return invalid("notice", "%q is not cancelled: cancel the event first", e.Title)
	case in.Notice != "cancel" && e.Status == EventCancelled:
		return invalid("event_id", "%q is cancelled", e.Title)
	}
	return nil
}

// validateSteps compiles every template now, so a broken one is refused
// at creation with its place, never discovered at send time.
func (in Input) validateSteps(c *Campaign) error {
	first := templates.Message{Subject: in.Subject, HTML: in.HTML, Text: in.Text}
	if _, err := templates.Compile(first); err != nil {
		return err
	}
	c.Steps = []Step{{Position: 0, Subject: in.Subject, HTML: in.HTML, Text: in.Text}}
	for i, f := range in.Followup {
		after, err := ParseAfter(f.After)
		if err != nil {
			return invalid(fmt.Sprintf("followups[%d].after", i), "%v", err)
		}
		if _, err := templates.Compile(templates.Message{Subject: f.Subject, HTML: f.HTML, Text: f.Text}); err != nil {
			return fmt.Errorf("followups[%d]: %w", i, err)
		}
		c.Steps = append(c.Steps, Step{Position: i + 1, After: after, AfterSec: int64(after / time.Second), Subject: f.Subject, HTML: f.HTML, Text: f.Text})
	}
	return nil
}

// ParseAfter reads a follow-up delay: a Go duration ("72h", "90m") or a
// whole number of days or weeks ("3d", "1w").
func ParseAfter(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		return wholeUnits(n, 24*time.Hour, s)
	}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		return wholeUnits(n, 7*24*time.Hour, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Second {
		return 0, fmt.Errorf("%q is not a delay such as 72h, 3d or 1w", s)
	}
	return d, nil
}

func wholeUnits(n string, unit time.Duration, s string) (time.Duration, error) {
	v, err := strconv.Atoi(n)
	if err != nil || v < 1 || v > 365 {
		return 0, fmt.Errorf("%q is not a delay such as 72h, 3d or 1w", s)
	}
	return time.Duration(v) * unit, nil
}

// Input returns what would create a campaign like c: its audience,
// sender, content, follow-ups, event, throttle, window and tracking. A
// coordinator starts the next invitation from the last one this way. The
// copy's audience is the expression or segment as it was chosen, so a
// saved segment is read again when the copy starts.
func (c Campaign) Input() Input {
	in := Input{Name: c.Name, From: (&mail.Address{Name: c.FromName, Address: c.From}).String(), ReplyTo: c.ReplyTo,
		EventID: c.EventID, Throttle: Throttle{PerMinute: c.PerMinute, PerDomainPerMinute: c.PerDomainPerMinute},
		Notice: c.Notice}
	tracking := c.Tracking
	in.Tracking = &tracking
	switch {
	case c.AudienceSegmentID != nil:
		id := *c.AudienceSegmentID
		in.Audience.SegmentID = &id
	default:
		where := c.AudienceWhere
		in.Audience.Where = &where
	}
	if w := c.Window(); len(w.Days) > 0 || w.From != "" || w.To != "" {
		w.Days = append([]string(nil), w.Days...)
		in.Window = &w
	}
	for _, s := range c.Steps {
		if s.Position == 0 {
			in.Subject, in.HTML, in.Text = s.Subject, s.HTML, s.Text
			continue
		}
		in.Followup = append(in.Followup, FollowUp{After: formatAfter(s.After), Subject: s.Subject, HTML: s.HTML, Text: s.Text})
	}
	return in
}

// formatAfter writes a follow-up delay the way ParseAfter reads it.
func formatAfter(d time.Duration) string {
	switch {
	case d > 0 && d%(7*24*time.Hour) == 0:
		return strconv.Itoa(int(d/(7*24*time.Hour))) + "w"
	case d > 0 && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}
