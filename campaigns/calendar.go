package campaigns

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"outreach/campaigns/ical"
	"outreach/crm/vocab"
)

// MaxCalendar bounds an imported calendar file or feed.
const MaxCalendar = 10 << 20

// The span of a partner's calendar that is imported: recurring series are
// expanded within it, and events outside it are not worth planning around.
const (
	importPast   = 31 * 24 * time.Hour
	importFuture = 2 * 365 * 24 * time.Hour
)

// ICalEvent is the calendar form of an event, with the event's own
// organiser (invitations replace it with the address answers go to).
func (e Event) ICalEvent() ical.Event {
	out := ical.Event{
		UID: e.uid(), Sequence: e.Sequence, Title: e.Title, Description: e.Description,
		Start: e.StartsAt, End: e.EndsAt, TimeZone: e.TimeZone, Location: e.place(), URL: e.URL,
		Cancelled: e.Status == EventCancelled, Modified: e.UpdatedAt,
		Organizer: ical.Address{Name: e.Organiser, Email: e.OrganiserEmail},
	}
	if e.Topic != "" {
		out.Categories = append(out.Categories, e.Topic)
	}
	return out
}

func (e Event) uid() string {
	if e.UID != nil && *e.UID != "" {
		return *e.UID
	}
	return fmt.Sprintf("event-%d@outreach.invalid", e.ID)
}

// place is the LOCATION line: the venue, with the city when the venue
// text does not already name it.
func (e Event) place() string {
	switch {
	case e.City == "" || containsFold(e.Location, e.City):
		return e.Location
	case e.Location == "":
		return e.City
	}
	return e.Location + ", " + e.City
}

// Feed is the shared calendar: our public events (cancelled ones too, so
// subscribed calendars drop them), optionally of one topic.
func Feed(ctx context.Context, q sqlx.QueryerContext, name, topic string) ([]byte, error) {
	events, err := ListEvents(ctx, q, EventFilter{Source: "ours", Public: true, Topic: topic})
	if err != nil {
		return nil, err
	}
	items := make([]ical.Event, len(events))
	for i, e := range events {
		items[i] = e.ICalEvent()
	}
	if topic != "" {
		name += " – " + strings.ReplaceAll(vocab.Topic(topic), "_", " ")
	}
	return ical.Feed(name, items, time.Now())
}

// ImportResult says what a calendar import changed.
type ImportResult struct {
	Source    string `json:"source"`
	Events    int    `json:"events"`
	Inserted  int    `json:"inserted"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	Removed   int    `json:"removed"` // gone from the feed: marked cancelled
}

// FetchCalendar downloads a partner's feed (http, https or webcal).
func FetchCalendar(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, invalid("url", "%q is not a URL: %v", rawURL, err)
	}
	if u.Scheme == "webcal" || u.Scheme == "webcals" {
		u.Scheme = "https"
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalid("url", "%q: give an http, https or webcal address", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, invalid("url", "%v", err)
	}
	req.Header.Set("Accept", "text/calendar")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("campaigns: fetch calendar %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("campaigns: fetch calendar %s: %s", u.Redacted(), resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxCalendar+1))
	if err != nil {
		return nil, fmt.Errorf("campaigns: fetch calendar %s: %w", u.Redacted(), err)
	}
	if len(data) > MaxCalendar {
		return nil, fmt.Errorf("campaigns: fetch calendar %s: larger than %d MiB", u.Redacted(), MaxCalendar>>20)
	}
	return data, nil
}

// ImportCalendar stores a partner's calendar under source: events are
// matched by UID (and occurrence), so importing the same feed again
// changes nothing; events that left the feed are marked cancelled rather
// than deleted, since our piggyback events may refer to them. A calendar
// that does not parse changes nothing.
func ImportCalendar(ctx context.Context, db *sqlx.DB, source, sourceURL string, data []byte) (ImportResult, error) {
	res := ImportResult{Source: strings.TrimSpace(source)}
	if res.Source == "" {
		return res, invalid("source", "name the partner calendar, e.g. \"Migrant Enterprise Network\"")
	}
	now := time.Now()
	parsed, err := ical.Parse(bytes.NewReader(data), now.Add(-importPast), now.Add(importFuture), time.UTC)
	if err != nil {
		return res, invalid("calendar", "%v", err)
	}
	events := dedupeImported(parsed)
	res.Events = len(events)
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	defer tx.Rollback()
	var sourceID int64
	err = tx.GetContext(ctx, &sourceID, `INSERT INTO calendar_sources (name, url, imported_at) VALUES ($1, $2, now())
		ON CONFLICT (lower(name)) DO UPDATE SET url = CASE WHEN EXCLUDED.url = '' THEN calendar_sources.url ELSE EXCLUDED.url END,
			imported_at = now()
		RETURNING id`, res.Source, sourceURL)
	if err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	if err := upsertImported(ctx, tx, sourceID, events, &res); err != nil {
		return res, err
	}
	if err := cancelVanished(ctx, tx, sourceID, events, now.Add(-importPast), now.Add(importFuture), &res); err != nil {
		return res, err
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("campaigns: import calendar: %w", err)
	}
	return res, nil
}

// dedupeImported keeps one event per UID and occurrence: the highest
// SEQUENCE, then the latest LAST-MODIFIED, then the last in the file, as
// calendar clients do when a feed repeats an event.
func dedupeImported(events []ical.Event) []ical.Event {
	type key struct {
		uid string
		rec time.Time // zero for a single event or a whole series
	}
	keep := map[key]int{}
	var out []ical.Event
	for _, e := range events {
		k := key{e.UID, e.RecurrenceID.UTC()}
		i, seen := keep[k]
		if !seen {
			keep[k] = len(out)
			out = append(out, e)
			continue
		}
		old := out[i]
		if e.Sequence > old.Sequence || (e.Sequence == old.Sequence && !e.Modified.Before(old.Modified)) {
			out[i] = e
		}
	}
	return out
}

func upsertImported(ctx context.Context, tx *sqlx.Tx, sourceID int64, events []ical.Event, res *ImportResult) error {
	for _, e := range events {
		title := strings.TrimSpace(e.Title)
		if title == "" {
			title = "(untitled)"
		}
		end := e.End
		if end.Before(e.Start) {
			end = e.Start
		}
		status := EventConfirmed
		if e.Cancelled {
			status = EventCancelled
		}
		var rec *time.Time
		if !e.RecurrenceID.IsZero() {
			rec = &e.RecurrenceID
		}
		var outcome string
		err := tx.GetContext(ctx, &outcome, `WITH old AS (
				SELECT id FROM events WHERE source_id = $1 AND uid = $2 AND coalesce(recurrence_id, '-infinity') = coalesce($3::timestamptz, '-infinity')),
			upd AS (
				UPDATE events SET title = $4, kind = $5, topic = $6, description = $7, starts_at = $8, ends_at = $9,
					time_zone = $10, location = $11, url = $12, organiser = $13, organiser_email = $14, status = $15,
					sequence = $16, updated_at = now()
				WHERE id = (SELECT id FROM old) AND (title, kind, topic, description, starts_at, ends_at, time_zone, location,
					url, organiser, organiser_email, status, sequence) IS DISTINCT FROM ($4, $5, $6, $7, $8, $9, $10, $11, $12,
					$13, $14, $15, $16)
				RETURNING 'updated'::text AS outcome),
			ins AS (
				INSERT INTO events (source_id, uid, recurrence_id, title, kind, topic, description, starts_at, ends_at,
					time_zone, location, url, organiser, organiser_email, status, sequence)
				SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
				WHERE NOT EXISTS (SELECT 1 FROM old)
				RETURNING 'inserted'::text AS outcome)
			SELECT coalesce((SELECT outcome FROM upd), (SELECT outcome FROM ins), 'unchanged')`,
			sourceID, e.UID, rec, title, importedKind(e), importedTopic(e), e.Description, e.Start, end,
			zoneOr(e.TimeZone), e.Location, e.URL, e.Organizer.Name, e.Organizer.Email, status, e.Sequence)
		if err != nil {
			return fmt.Errorf("campaigns: import calendar: event %q (%s): %w", title, e.UID, err)
		}
		switch outcome {
		case "inserted":
			res.Inserted++
		case "updated":
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return nil
}

// cancelVanished marks the source's live events within the imported span
// that the feed no longer has as cancelled. Events outside the span were
// not read this time, so their absence says nothing.
func cancelVanished(ctx context.Context, tx *sqlx.Tx, sourceID int64, events []ical.Event, from, to time.Time, res *ImportResult) error {
	uids := make([]string, len(events))
	recs := make([]string, len(events)) // "" for a whole series or a single event
	for i, e := range events {
		uids[i] = e.UID
		if !e.RecurrenceID.IsZero() {
			recs[i] = e.RecurrenceID.UTC().Format(time.RFC3339Nano)
		}
	}
	r, err := tx.ExecContext(ctx, `UPDATE events e SET status = 'cancelled', updated_at = now()
		WHERE e.source_id = $1 AND e.status = 'confirmed' AND e.ends_at > $4 AND e.starts_at < $5 AND NOT EXISTS (
			SELECT 1 FROM unnest($2::text[], $3::text[]) AS f(uid, rec)
			WHERE f.uid = e.uid AND coalesce(nullif(f.rec, '')::timestamptz, '-infinity') = coalesce(e.recurrence_id, '-infinity'))`,
		sourceID, pq.StringArray(uids), pq.StringArray(recs), from, to)
	if err != nil {
		return fmt.Errorf("campaigns: import calendar: %w", err)
	}
	n, _ := r.RowsAffected()
	res.Removed = int(n)
	return nil
}

// importedKind guesses the kind of a partner's event from its categories
// and title; most shared-calendar entries are conferences and meetings.
func importedKind(e ical.Event) string {
	words := strings.ToLower(strings.Join(append(slices.Clone(e.Categories), e.Title), " "))
	switch {
	case strings.Contains(words, "webinar") || strings.Contains(words, "online"):
		return "webinar"
	case strings.Contains(words, "workshop"):
		return "workshop"
	case strings.Contains(words, "community of practice") || strings.Contains(words, "cop "):
		return "cop_session"
	}
	return "conference"
}

// importedTopic takes the first category that is one of our communities
// of practice.
func importedTopic(e ical.Event) string {
	for _, c := range e.Categories {
		if t := vocab.Topic(c); vocab.IsTopic(t) {
			return t
		}
	}
	return ""
}

func zoneOr(tz string) string {
	if tz == "" {
		return "UTC"
	}
	return tz
}
