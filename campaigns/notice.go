package campaigns

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"outreach/crm/segment"
)

// NoticeInput is an update or cancellation notice as the API and CLI give
// it; everything may be left out.
type NoticeInput struct {
	From     string   `json:"from"`
	ReplyTo  string   `json:"reply_to"`
	Subject  string   `json:"subject"`
	HTML     string   `json:"html"`
	Text     string   `json:"text"`
	Throttle Throttle `json:"throttle"`
}

// NotifyAttendees tells an event's attendees (yes and tentative, waitlist
// included) that it changed or, once cancelled, that it will not take
// place: it creates a notice campaign with a calendar entry of the
// event's current sequence (REQUEST, or CANCEL) and starts sending it.
// Sender and reply address default to those of the event's latest
// invitation, so the answers come back the same way.
func NotifyAttendees(ctx context.Context, db *sqlx.DB, eventID int64, in NoticeInput, opts segment.Options) (Campaign, error) {
	e, err := EventByID(ctx, db, eventID)
	if err != nil {
		return Campaign{}, err
	}
	if !e.Ours() {
		return Campaign{}, invalid("event", "%q is a partner's event: its organisers tell its attendees", e.Title)
	}
	if in.From == "" {
		var last struct {
			From    string `db:"from_address"`
			Name    string `db:"from_name"`
			ReplyTo string `db:"reply_to"`
		}
		err := db.GetContext(ctx, &last, `SELECT from_address, from_name, reply_to FROM campaigns
			WHERE event_id = $1 ORDER BY id DESC LIMIT 1`, eventID)
		if err != nil {
			return Campaign{}, invalid("from", "no invitation to %q was sent yet: give the sender address", e.Title)
		}
		in.From = last.From
		if last.Name != "" {
			in.From = fmt.Sprintf("%q <%s>", last.Name, last.From)
		}
		if in.ReplyTo == "" {
			in.ReplyTo = last.ReplyTo
		}
	}
	notice, name := "update", "Update: "+e.Title
	if e.Status == EventCancelled {
		notice, name = "cancel", "Cancelled: "+e.Title
	}
	c, err := Create(ctx, db, Input{
		Name: fmt.Sprintf("%s (sequence %d)", name, e.Sequence), Notice: notice, EventID: &eventID,
		From: in.From, ReplyTo: in.ReplyTo, Subject: in.Subject, HTML: in.HTML, Text: in.Text, Throttle: in.Throttle,
	}, opts)
	if err != nil {
		return c, err
	}
	return Send(ctx, db, c.ID, opts)
}
