package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
)

// Attendee is one contact's answer to an event and whether they came.
type Attendee struct {
	ContactID    int64      `db:"contact_id" json:"contact_id"`
	Email        *string    `db:"email" json:"email"`
	FirstName    string     `db:"first_name" json:"first_name"`
	LastName     string     `db:"last_name" json:"last_name"`
	Organisation string     `db:"organisation" json:"organisation"` // the contact's organisation now, "" if none
	RSVP         *string    `db:"rsvp" json:"rsvp"`
	RSVPAt       *time.Time `db:"rsvp_at" json:"rsvp_at"`
	Waitlisted   bool       `db:"waitlisted" json:"waitlisted"`
	Attended     *bool      `db:"attended" json:"attended"`
}

// EventCounts summarises an event's answers and attendance.
type EventCounts struct {
	Yes        int `db:"yes" json:"yes"`
	No         int `db:"no" json:"no"`
	Tentative  int `db:"tentative" json:"tentative"`
	Waitlisted int `db:"waitlisted" json:"waitlisted"`
	Attended   int `db:"attended" json:"attended"`
	NoShow     int `db:"no_show" json:"no_show"`
}

// Attendees lists everyone who answered or was marked, confirmed first,
// then the waitlist in the order it fills places.
func Attendees(ctx context.Context, q sqlx.QueryerContext, eventID int64) ([]Attendee, error) {
	out := []Attendee{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT a.contact_id, c.email, c.first_name, c.last_name,
			coalesce(o.name, '') AS organisation, a.rsvp, a.rsvp_at, a.waitlisted, a.attended
		FROM event_attendees a JOIN contacts c ON c.id = a.contact_id
		LEFT JOIN organisations o ON o.id = c.organisation_id
		WHERE a.event_id = $1
		ORDER BY a.waitlisted, a.rsvp = 'yes' DESC, a.rsvp_at, a.contact_id`, eventID)
	if err != nil {
		return nil, fmt.Errorf("campaigns: attendees of event %d: %w", eventID, err)
	}
	return out, nil
}

// CountsOfEvent counts an event's answers.
func CountsOfEvent(ctx context.Context, q sqlx.QueryerContext, eventID int64) (EventCounts, error) {
	var c EventCounts
	err := sqlx.GetContext(ctx, q, &c, `SELECT
			count(*) FILTER (WHERE rsvp = 'yes' AND NOT waitlisted) AS yes,
			count(*) FILTER (WHERE rsvp = 'no') AS no,
			count(*) FILTER (WHERE rsvp = 'tentative') AS tentative,
			count(*) FILTER (WHERE waitlisted) AS waitlisted,
			count(*) FILTER (WHERE attended) AS attended,
			count(*) FILTER (WHERE attended = false) AS no_show
		FROM event_attendees WHERE event_id = $1`, eventID)
	if err != nil {
		return c, fmt.Errorf("campaigns: counts of event %d: %w", eventID, err)
	}
	return c, nil
}

// eventAnswer records a contact's answer to an event inside the RSVP's
// transaction. The event row is locked, so concurrent answers cannot
// overfill it: a yes beyond capacity is waitlisted, and a confirmed yes
// that turns into a no or tentative frees its place for the first on the
// waitlist.
func eventAnswer(ctx context.Context, tx *sqlx.Tx, eventID, contactID, recipientID int64, answer string) (RSVPOutcome, error) {
	var capacity *int
	if err := tx.GetContext(ctx, &capacity, `SELECT capacity FROM events WHERE id = $1 FOR UPDATE`, eventID); err != nil {
		return RSVPOutcome{}, fmt.Errorf("campaigns: rsvp: event %d: %w", eventID, err)
	}
	var prev struct {
		RSVP       *string `db:"rsvp"`
		Waitlisted bool    `db:"waitlisted"`
	}
	err := tx.GetContext(ctx, &prev, `SELECT rsvp, waitlisted FROM event_attendees WHERE event_id = $1 AND contact_id = $2`, eventID, contactID)
	if err != nil && !isNoRows(err) {
		return RSVPOutcome{}, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	wasConfirmed := prev.RSVP != nil && *prev.RSVP == "yes" && !prev.Waitlisted
	waitlisted := false
	if answer == "yes" && !wasConfirmed && capacity != nil {
		var confirmed int
		if err := tx.GetContext(ctx, &confirmed, `SELECT count(*) FROM event_attendees
			WHERE event_id = $1 AND rsvp = 'yes' AND NOT waitlisted AND contact_id <> $2`, eventID, contactID); err != nil {
			return RSVPOutcome{}, fmt.Errorf("campaigns: rsvp: %w", err)
		}
		waitlisted = confirmed >= *capacity
	}
	if answer == "yes" && prev.Waitlisted {
		waitlisted = true // keeps its place in line
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO event_attendees (event_id, contact_id, recipient_id, rsvp, rsvp_at, waitlisted)
		VALUES ($1, $2, $3, $4, now(), $5)
		ON CONFLICT (event_id, contact_id) DO UPDATE SET recipient_id = EXCLUDED.recipient_id, rsvp = EXCLUDED.rsvp,
			rsvp_at = CASE WHEN event_attendees.rsvp IS DISTINCT FROM EXCLUDED.rsvp THEN now() ELSE event_attendees.rsvp_at END,
			waitlisted = EXCLUDED.waitlisted`, eventID, contactID, recipientID, answer, waitlisted)
	if err != nil {
		return RSVPOutcome{}, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	if wasConfirmed && answer != "yes" {
		if err := promoteWaitlisted(ctx, tx, eventID); err != nil {
			return RSVPOutcome{}, err
		}
	}
	return RSVPOutcome{Waitlisted: waitlisted}, nil
}

// promoteWaitlisted gives a freed place to whoever has waited longest and
// notes it on their timeline, so a coordinator can tell them.
func promoteWaitlisted(ctx context.Context, tx *sqlx.Tx, eventID int64) error {
	_, err := tx.ExecContext(ctx, `WITH next AS (
			SELECT contact_id FROM event_attendees WHERE event_id = $1 AND waitlisted
			ORDER BY rsvp_at, contact_id LIMIT 1),
		promoted AS (
			UPDATE event_attendees a SET waitlisted = false FROM next
			WHERE a.event_id = $1 AND a.contact_id = next.contact_id RETURNING a.contact_id)
		INSERT INTO activities (contact_id, kind, details)
		SELECT contact_id, 'event.promoted', jsonb_build_object('event_id', $1::bigint) FROM promoted`, eventID)
	if err != nil {
		return fmt.Errorf("campaigns: promote from waitlist of event %d: %w", eventID, err)
	}
	return nil
}

// Mark is one line of an attendance list: a contact (by id or email) and
// whether they came.
type Mark struct {
	ContactID int64  `json:"contact_id"`
	Email     string `json:"email"`
	Attended  bool   `json:"attended"`
	Line      int    `json:"-"` // the CSV line, for rejections
}

// MarkResult says what an attendance list changed.
type MarkResult struct {
	Marked   int             `json:"marked"`
	Rejected []crm.Rejection `json:"rejected"`
}

// MarkAttendance records who attended an event that has begun. Lines
// naming no known contact are rejected with the reason; the others are
// stored, and each change lands on the contact's timeline. Marking a
// contact who never answered (a walk-in) is fine.
func MarkAttendance(ctx context.Context, db *sqlx.DB, eventID int64, marks []Mark) (MarkResult, error) {
	res := MarkResult{Rejected: []crm.Rejection{}}
	e, err := EventByID(ctx, db, eventID)
	if err != nil {
		return res, err
	}
	if e.StartsAt.After(time.Now()) {
		return res, invalid("event", "%q has not begun yet (it starts %s): attendance is marked afterwards", e.Title, e.StartsAt.Format(time.RFC3339))
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("campaigns: attendance: %w", err)
	}
	defer tx.Rollback()
	for i, m := range marks {
		id, reason, err := markContact(ctx, tx, m)
		if err != nil {
			return res, err
		}
		if reason != "" {
			line := m.Line
			if line == 0 {
				line = i + 1
			}
			res.Rejected = append(res.Rejected, crm.Rejection{Line: line, Column: "email", Reason: reason})
			continue
		}
		changed, err := setAttended(ctx, tx, eventID, id, m.Attended)
		if err != nil {
			return res, err
		}
		if changed {
			res.Marked++
		}
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("campaigns: attendance: %w", err)
	}
	return res, nil
}

// markContact finds the contact a mark names; reason says why not.
func markContact(ctx context.Context, tx *sqlx.Tx, m Mark) (int64, string, error) {
	var id int64
	var err error
	switch {
	case m.ContactID != 0:
		err = tx.GetContext(ctx, &id, `SELECT id FROM contacts WHERE id = $1 AND erased_at IS NULL`, m.ContactID)
	case strings.TrimSpace(m.Email) != "":
		email, nerr := crm.NormaliseEmail(m.Email)
		if nerr != nil {
			return 0, nerr.Error(), nil
		}
		err = tx.GetContext(ctx, &id, `SELECT id FROM contacts WHERE email = $1 AND erased_at IS NULL`, email)
	default:
		return 0, "no email or contact_id", nil
	}
	if isNoRows(err) {
		return 0, fmt.Sprintf("no contact %s", firstNonEmpty(m.Email, strconv.FormatInt(m.ContactID, 10))), nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("campaigns: attendance: %w", err)
	}
	return id, "", nil
}

func setAttended(ctx context.Context, tx *sqlx.Tx, eventID, contactID int64, attended bool) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO event_attendees (event_id, contact_id, attended, marked_at)
		VALUES ($1, $2, $3, now())
		ON CONFLICT (event_id, contact_id) DO UPDATE SET attended = EXCLUDED.attended, marked_at = now()
		WHERE event_attendees.attended IS DISTINCT FROM EXCLUDED.attended`, eventID, contactID, attended)
	if err != nil {
		return false, fmt.Errorf("campaigns: attendance: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	kind := "event.attended"
	if !attended {
		kind = "event.no_show"
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details)
		VALUES ($1, $2, jsonb_build_object('event_id', $3::bigint))`, contactID, kind, eventID)
	if err != nil {
		return false, fmt.Errorf("campaigns: attendance: %w", err)
	}
	return true, nil
}

// ParseAttendanceCSV reads an attendance list: an email column (any of the
// import's spellings) and optionally an attended column (yes/no, true/false,
// 1/0, x or empty for no). Without that column every listed person came.
// A line whose attended value is not understood is rejected.
func ParseAttendanceCSV(r io.Reader, limit int64) ([]Mark, []crm.Rejection, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, nil, &crm.FileError{Reason: err.Error()}
	}
	if int64(len(raw)) > limit {
		return nil, nil, &crm.FileError{Reason: fmt.Sprintf("file larger than %d bytes", limit), TooLarge: true}
	}
	cr, err := crm.OpenCSV(raw)
	if err != nil {
		return nil, nil, err
	}
	head, err := cr.Read()
	if err != nil {
		return nil, nil, &crm.FileError{Reason: "header: " + err.Error()}
	}
	emailCol, attendedCol := attendanceColumns(head)
	if emailCol < 0 {
		return nil, nil, &crm.FileError{Reason: "header: no email column (found " + strings.Join(head, ", ") + ")"}
	}
	var marks []Mark
	rejected := []crm.Rejection{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			rejected = append(rejected, crm.Rejection{Line: line, Column: "email", Reason: err.Error()})
			continue
		}
		m := Mark{Line: line, Attended: true}
		if emailCol < len(rec) {
			m.Email = rec[emailCol]
		}
		if attendedCol >= 0 && attendedCol < len(rec) {
			v, ok := parseAttended(rec[attendedCol])
			if !ok {
				rejected = append(rejected, crm.Rejection{Line: line, Column: "attended",
					Reason: fmt.Sprintf("%q is not yes or no", rec[attendedCol])})
				continue
			}
			m.Attended = v
		}
		if strings.TrimSpace(m.Email) == "" {
			continue // blank lines Excel leaves at the end
		}
		marks = append(marks, m)
	}
	return marks, rejected, nil
}

func attendanceColumns(head []string) (email, attended int) {
	email, attended = -1, -1
	for i, h := range head {
		switch strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))) {
		case "email", "emailaddress", "mail":
			email = i
		case "attended", "present", "attendance", "came":
			attended = i
		}
	}
	return email, attended
}

func parseAttended(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "1", "x", "attended", "present", "ja", "oui", "si", "sí":
		return true, true
	case "no", "n", "false", "0", "", "no-show", "no_show", "noshow", "absent", "nein", "non":
		return false, true
	}
	return false, false
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
