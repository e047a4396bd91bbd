package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/vocab"
)

// EventKinds are the kinds of event Outreach invites to.
var EventKinds = []string{"conference", "cop_session", "workshop", "webinar"}

// The event statuses.
const (
	EventConfirmed = "confirmed"
	EventCancelled = "cancelled"
)

// piggybackSlack is how far outside its host's dates a piggyback workshop
// may lie: the evening before or the morning after still counts as "at the
// fringe" of the host event.
const piggybackSlack = 24 * time.Hour

// Event is one of our events or one imported from a partner's calendar
// (Source set).
type Event struct {
	ID             int64      `db:"id" json:"id"`
	Title          string     `db:"title" json:"title"`
	Kind           string     `db:"kind" json:"kind"`
	Topic          string     `db:"topic" json:"topic"`
	Description    string     `db:"description" json:"description"`
	StartsAt       time.Time  `db:"starts_at" json:"starts_at"`
	EndsAt         time.Time  `db:"ends_at" json:"ends_at"`
	TimeZone       string     `db:"time_zone" json:"time_zone"`
	Location       string     `db:"location" json:"location"`
	City           string     `db:"city" json:"city"`
	Country        string     `db:"country" json:"country"`
	URL            string     `db:"url" json:"url"`
	Capacity       *int       `db:"capacity" json:"capacity"`
	Organiser      string     `db:"organiser" json:"organiser"`
	OrganiserEmail string     `db:"organiser_email" json:"organiser_email"`
	Public         bool       `db:"public" json:"public"`
	HostEventID    *int64     `db:"host_event_id" json:"host_event_id"`
	Status         string     `db:"status" json:"status"`
	Sequence       int        `db:"sequence" json:"sequence"`
	Source         *string    `db:"source" json:"source"`
	UID            *string    `db:"uid" json:"uid,omitempty"`
	RecurrenceID   *time.Time `db:"recurrence_id" json:"recurrence_id,omitempty"`
	CreatedAt      time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// Ours reports whether the event is one of ours rather than a partner's.
func (e Event) Ours() bool { return e.Source == nil }

const eventColumns = `e.id, e.title, e.kind, e.topic, e.description, e.starts_at, e.ends_at, e.time_zone,
	e.location, e.city, e.country, e.url, e.capacity, e.organiser, e.organiser_email, e.public,
	e.host_event_id, e.status, e.sequence, s.name AS source, e.uid, e.recurrence_id, e.created_at, e.updated_at`

const eventFrom = ` FROM events e LEFT JOIN calendar_sources s ON s.id = e.source_id`

// EventInput creates or (with only some fields set) changes an event.
// Times are RFC 3339 ("2027-03-15T09:00:00+01:00") or local wall-clock
// times ("2027-03-15T09:00") read in TimeZone.
type EventInput struct {
	Title          *string `json:"title"`
	Kind           *string `json:"kind"`
	Topic          *string `json:"topic"`
	Description    *string `json:"description"`
	StartsAt       *string `json:"starts_at"`
	EndsAt         *string `json:"ends_at"`
	TimeZone       *string `json:"time_zone"`
	Location       *string `json:"location"`
	City           *string `json:"city"`
	Country        *string `json:"country"`
	URL            *string `json:"url"`
	Capacity       *int    `json:"capacity"`
	NoCapacity     bool    `json:"no_capacity"` // PATCH: remove the limit
	Organiser      *string `json:"organiser"`
	OrganiserEmail *string `json:"organiser_email"`
	Public         *bool   `json:"public"`
	HostEventID    *int64  `json:"host_event_id"`
	NoHost         bool    `json:"no_host"` // PATCH: no longer a piggyback event
}

// Conflict is an event of the shared calendar that overlaps another in
// time and shares its topic or its city.
type Conflict struct {
	Event  Event  `json:"event"`
	Reason string `json:"reason"` // "same topic", "same city" or "same topic and city"
}

// EventByID returns one event.
func EventByID(ctx context.Context, q sqlx.QueryerContext, id int64) (Event, error) {
	var e Event
	err := sqlx.GetContext(ctx, q, &e, `SELECT `+eventColumns+eventFrom+` WHERE e.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return e, crm.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("campaigns: event %d: %w", id, err)
	}
	return e, nil
}

// EventFilter narrows ListEvents; zero values do not filter.
type EventFilter struct {
	From, To time.Time // events that end after From and start before To
	Topic    string
	Source   string // "ours" or "partners" (imported); empty: both
	Public   bool   // only public events
	Live     bool   // not cancelled
}

// ListEvents returns events in start order, ours and imported ones.
func ListEvents(ctx context.Context, q sqlx.QueryerContext, f EventFilter) ([]Event, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if !f.From.IsZero() {
		add("e.ends_at > $%d", f.From)
	}
	if !f.To.IsZero() {
		add("e.starts_at < $%d", f.To)
	}
	if f.Topic != "" {
		add("e.topic = $%d", vocab.Topic(f.Topic))
	}
	switch f.Source {
	case "ours":
		conds = append(conds, "e.source_id IS NULL")
	case "partners":
		conds = append(conds, "e.source_id IS NOT NULL")
	case "":
	default:
		return nil, invalid("source", "%q: use ours or partners (or leave it out for both)", f.Source)
	}
	if f.Public {
		conds = append(conds, "e.public")
	}
	if f.Live {
		conds = append(conds, "e.status = 'confirmed'")
	}
	query := `SELECT ` + eventColumns + eventFrom
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	out := []Event{}
	if err := sqlx.SelectContext(ctx, q, &out, query+" ORDER BY e.starts_at, e.id", args...); err != nil {
		return nil, fmt.Errorf("campaigns: list events: %w", err)
	}
	return out, nil
}

// CreateEvent validates and stores one of our events. domain names the
// event's calendar UID ("event-7@domain"), fixed at creation so that
// calendar clients recognise every later update as the same event.
func CreateEvent(ctx context.Context, db *sqlx.DB, in EventInput, domain string) (Event, error) {
	e := Event{Kind: "workshop", TimeZone: "UTC", Public: true, Status: EventConfirmed}
	if err := in.apply(&e); err != nil {
		return e, err
	}
	if in.Title == nil || in.StartsAt == nil || in.EndsAt == nil {
		return e, invalid(firstMissing(in), "is required")
	}
	if err := validateEvent(ctx, db, e); err != nil {
		return e, err
	}
	var id int64
	err := db.GetContext(ctx, &id, `INSERT INTO events (title, kind, topic, description, starts_at, ends_at, time_zone,
			location, city, country, url, capacity, organiser, organiser_email, public, host_event_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		RETURNING id`, e.Title, e.Kind, e.Topic, e.Description, e.StartsAt, e.EndsAt, e.TimeZone,
		e.Location, e.City, e.Country, e.URL, e.Capacity, e.Organiser, e.OrganiserEmail, e.Public, e.HostEventID)
	if err != nil {
		return e, fmt.Errorf("campaigns: create event: %w", err)
	}
	uid := fmt.Sprintf("event-%d@%s", id, domain)
	if _, err := db.ExecContext(ctx, `UPDATE events SET uid = $2 WHERE id = $1`, id, uid); err != nil {
		return e, fmt.Errorf("campaigns: create event: %w", err)
	}
	return EventByID(ctx, db, id)
}

func firstMissing(in EventInput) string {
	switch {
	case in.Title == nil:
		return "title"
	case in.StartsAt == nil:
		return "starts_at"
	}
	return "ends_at"
}

// UpdateEvent changes the fields set in in. A change attendees must hear
// about (time, place, online link) increments the event's sequence, so an
// update sent afterwards replaces the entry in their calendars.
func UpdateEvent(ctx context.Context, db *sqlx.DB, id int64, in EventInput) (Event, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Event{}, fmt.Errorf("campaigns: update event %d: %w", id, err)
	}
	defer tx.Rollback()
	old, err := lockEvent(ctx, tx, id)
	if err != nil {
		return old, err
	}
	e := old
	if err := in.apply(&e); err != nil {
		return old, err
	}
	if err := validateEvent(ctx, tx, e); err != nil {
		return old, err
	}
	if significantChange(old, e) {
		e.Sequence++
	}
	_, err = tx.ExecContext(ctx, `UPDATE events SET title = $2, kind = $3, topic = $4, description = $5,
			starts_at = $6, ends_at = $7, time_zone = $8, location = $9, city = $10, country = $11, url = $12,
			capacity = $13, organiser = $14, organiser_email = $15, public = $16, host_event_id = $17,
			sequence = $18, updated_at = now()
		WHERE id = $1`, id, e.Title, e.Kind, e.Topic, e.Description, e.StartsAt, e.EndsAt, e.TimeZone,
		e.Location, e.City, e.Country, e.URL, e.Capacity, e.Organiser, e.OrganiserEmail, e.Public, e.HostEventID, e.Sequence)
	if err != nil {
		return old, fmt.Errorf("campaigns: update event %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return old, fmt.Errorf("campaigns: update event %d: %w", id, err)
	}
	return EventByID(ctx, db, id)
}

// CancelEvent marks one of our events cancelled (a new sequence, so the
// cancellation supersedes the invitation in calendars). Cancelling twice
// changes nothing.
func CancelEvent(ctx context.Context, db *sqlx.DB, id int64) (Event, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Event{}, fmt.Errorf("campaigns: cancel event %d: %w", id, err)
	}
	defer tx.Rollback()
	e, err := lockEvent(ctx, tx, id)
	if err != nil || e.Status == EventCancelled {
		return e, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE events SET status = 'cancelled', sequence = sequence + 1, updated_at = now()
		WHERE id = $1`, id); err != nil {
		return e, fmt.Errorf("campaigns: cancel event %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return e, fmt.Errorf("campaigns: cancel event %d: %w", id, err)
	}
	return EventByID(ctx, db, id)
}

// lockEvent reads one of our events for change; partners' events change
// only by re-importing their calendar.
func lockEvent(ctx context.Context, tx *sqlx.Tx, id int64) (Event, error) {
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM events WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Event{}, fmt.Errorf("campaigns: event %d: %w", id, err)
	}
	e, err := EventByID(ctx, tx, id)
	if err != nil {
		return e, err
	}
	if !e.Ours() {
		return e, invalid("id", "event %d comes from the partner calendar %q: change it there and re-import", id, *e.Source)
	}
	return e, nil
}

// significantChange is what RFC 5546 counts as a change attendees must be
// told about: when and where.
func significantChange(a, b Event) bool {
	return !a.StartsAt.Equal(b.StartsAt) || !a.EndsAt.Equal(b.EndsAt) || a.TimeZone != b.TimeZone ||
		a.Location != b.Location || a.City != b.City || a.URL != b.URL || a.Title != b.Title
}

// apply copies the fields set in in onto e, normalising them; times are
// read in the (possibly new) time zone.
func (in EventInput) apply(e *Event) error {
	setString(&e.Title, in.Title)
	setString(&e.Description, in.Description)
	setString(&e.Location, in.Location)
	setString(&e.City, in.City)
	setString(&e.URL, in.URL)
	setString(&e.Organiser, in.Organiser)
	setString(&e.OrganiserEmail, in.OrganiserEmail)
	if in.Kind != nil {
		e.Kind = strings.ToLower(strings.TrimSpace(*in.Kind))
	}
	if in.Topic != nil {
		e.Topic = vocab.Topic(*in.Topic)
	}
	if in.Country != nil {
		e.Country = strings.TrimSpace(*in.Country)
		if e.Country != "" {
			code, ok := vocab.Country(e.Country)
			if !ok {
				return invalid("country", "%q is not a country: give an ISO code such as DE or an English name", e.Country)
			}
			e.Country = code
		}
	}
	if in.Public != nil {
		e.Public = *in.Public
	}
	if in.Capacity != nil {
		e.Capacity = in.Capacity
	}
	if in.NoCapacity {
		e.Capacity = nil
	}
	if in.HostEventID != nil {
		e.HostEventID = in.HostEventID
	}
	if in.NoHost {
		e.HostEventID = nil
	}
	return in.applyTimes(e)
}

func (in EventInput) applyTimes(e *Event) error {
	if in.TimeZone != nil {
		e.TimeZone = strings.TrimSpace(*in.TimeZone)
		if e.TimeZone == "" {
			e.TimeZone = "UTC"
		}
	}
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return invalid("time_zone", "%q is not a time zone: give an IANA name such as Europe/Berlin", e.TimeZone)
	}
	if in.StartsAt != nil {
		if e.StartsAt, err = ParseEventTime(*in.StartsAt, loc); err != nil {
			return invalid("starts_at", "%v", err)
		}
	}
	if in.EndsAt != nil {
		if e.EndsAt, err = ParseEventTime(*in.EndsAt, loc); err != nil {
			return invalid("ends_at", "%v", err)
		}
	}
	return nil
}

func setString(dst *string, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

// ParseEventTime reads an RFC 3339 time, or a wall-clock time without an
// offset ("2027-03-15T09:00", "2027-03-15 09:00") in loc.
func ParseEventTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give 2027-03-15T09:00 (in the event's time zone) or RFC 3339", s)
}

// validateEvent checks an event as it would be stored.
func validateEvent(ctx context.Context, q sqlx.QueryerContext, e Event) error {
	switch {
	case e.Title == "":
		return invalid("title", "is required")
	case !slices.Contains(EventKinds, e.Kind):
		return invalid("kind", "%q is not a kind of event: use %s", e.Kind, strings.Join(EventKinds, ", "))
	case e.StartsAt.IsZero() || e.EndsAt.IsZero():
		return invalid("starts_at", "start and end are required")
	case e.EndsAt.Before(e.StartsAt):
		return invalid("ends_at", "the event ends (%s) before it starts (%s)",
			e.EndsAt.In(e.location()).Format("2006-01-02 15:04 MST"), e.StartsAt.In(e.location()).Format("2006-01-02 15:04 MST"))
	case e.Capacity != nil && *e.Capacity <= 0:
		return invalid("capacity", "must be at least 1 (leave it out for no limit)")
	}
	if e.URL != "" {
		if u, err := url.Parse(e.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid("url", "%q is not an http(s) address", e.URL)
		}
	}
	if e.OrganiserEmail != "" {
		if a, err := mail.ParseAddress(e.OrganiserEmail); err != nil || a.Address != e.OrganiserEmail {
			return invalid("organiser_email", "%q is not an email address", e.OrganiserEmail)
		}
	}
	if e.HostEventID != nil {
		return validateHost(ctx, q, e)
	}
	return nil
}

// validateHost checks that a piggyback event is held at the fringe of its
// host: within a day of its dates, and in the same place unless one of
// them is online.
func validateHost(ctx context.Context, q sqlx.QueryerContext, e Event) error {
	if *e.HostEventID == e.ID {
		return invalid("host_event_id", "an event cannot piggyback on itself")
	}
	host, err := EventByID(ctx, q, *e.HostEventID)
	if errors.Is(err, crm.ErrNotFound) {
		return invalid("host_event_id", "there is no event %d", *e.HostEventID)
	}
	if err != nil {
		return err
	}
	if host.HostEventID != nil {
		return invalid("host_event_id", "event %d is itself a piggyback event; choose the main event it belongs to", host.ID)
	}
	if host.Status == EventCancelled {
		return invalid("host_event_id", "the host event %q is cancelled", host.Title)
	}
	if e.StartsAt.Before(host.StartsAt.Add(-piggybackSlack)) || e.EndsAt.After(host.EndsAt.Add(piggybackSlack)) {
		return invalid("starts_at", "a piggyback event must fall within a day of its host %q (%s to %s)",
			host.Title, host.StartsAt.In(e.location()).Format("2006-01-02 15:04"), host.EndsAt.In(e.location()).Format("2006-01-02 15:04 MST"))
	}
	if !samePlace(e, host) {
		return invalid("city", "a piggyback event is held where its host is: %q is in %s, not %s",
			host.Title, placeOf(host), placeOf(e))
	}
	return nil
}

func (e Event) location() *time.Location {
	if loc, err := time.LoadLocation(e.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// online reports whether an event has no physical place.
func (e Event) online() bool {
	return e.Kind == "webinar" || (e.City == "" && e.Location == "" && e.URL != "")
}

// samePlace compares cities where both are known; an imported event
// often has only a free-text location, which must then mention the city.
func samePlace(a, b Event) bool {
	if a.online() || b.online() {
		return true
	}
	switch {
	case a.City != "" && b.City != "":
		return strings.EqualFold(a.City, b.City)
	case a.City != "" && b.Location != "":
		return containsFold(b.Location, a.City)
	case b.City != "" && a.Location != "":
		return containsFold(a.Location, b.City)
	}
	return true // too little known to say they differ
}

func placeOf(e Event) string {
	if e.City != "" {
		return e.City
	}
	if e.Location != "" {
		return fmt.Sprintf("%q", e.Location)
	}
	return "an unknown place"
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Conflicts lists the live events of the shared calendar (ours and
// partners') that overlap e in time and share its topic or city, leaving
// out e itself and its host (a piggyback overlaps its host on purpose).
func Conflicts(ctx context.Context, q sqlx.QueryerContext, e Event) ([]Conflict, error) {
	near, err := ListEvents(ctx, q, EventFilter{From: e.StartsAt, To: e.EndsAt, Live: true})
	if err != nil {
		return nil, err
	}
	out := []Conflict{}
	for _, o := range near {
		if o.ID == e.ID || (e.HostEventID != nil && o.ID == *e.HostEventID) || (o.HostEventID != nil && *o.HostEventID == e.ID) {
			continue
		}
		if !o.StartsAt.Before(e.EndsAt) || !e.StartsAt.Before(o.EndsAt) {
			continue // touching, not overlapping
		}
		topic := e.Topic != "" && (o.Topic == e.Topic || containsFold(o.Description+" "+o.Title, strings.ReplaceAll(e.Topic, "_", " ")))
		city := e.City != "" && !o.online() && (strings.EqualFold(o.City, e.City) || containsFold(o.Location, e.City))
		switch {
		case topic && city:
			out = append(out, Conflict{o, "same topic and city"})
		case topic:
			out = append(out, Conflict{o, "same topic"})
		case city:
			out = append(out, Conflict{o, "same city"})
		}
	}
	return out, nil
}
