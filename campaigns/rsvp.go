package campaigns

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jmoiron/sqlx"
)

type rsvpView struct {
	Token  string
	Yes    bool
	Done   bool
	Event  string
	Answer string

	Waitlisted bool
}

// rsvpForm shows the answer the link stands for and a button: link
// scanners fetch every GET, so only the POST records it.
func (p *Public) rsvpForm(w http.ResponseWriter, r *http.Request) {
	_, yes, ok := p.rsvpToken(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	p.render(w, "rsvp.html", rsvpView{Token: r.PathValue("token"), Yes: yes})
}

func (p *Public) rsvp(w http.ResponseWriter, r *http.Request) {
	rid, yes, ok := p.rsvpToken(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	answer := "no"
	if yes {
		answer = "yes"
	}
	out, err := RecordRSVP(r.Context(), p.DB, rid, answer, "link")
	if err != nil {
		if errors.Is(err, errNoRecipient) {
			http.NotFound(w, r)
			return
		}
		p.Log.ErrorContext(r.Context(), "rsvp failed", "recipient_id", rid, "err", err)
		http.Error(w, "Something went wrong; please try again.", http.StatusInternalServerError)
		return
	}
	p.render(w, "rsvp.html", rsvpView{Done: true, Yes: yes, Waitlisted: out.Waitlisted})
}

func (p *Public) rsvpToken(r *http.Request) (int64, bool, bool) {
	tok := r.PathValue("token")
	if rid, _, err := p.Signer.Parse(LinkRSVPYes, tok); err == nil {
		return rid, true, true
	}
	if rid, _, err := p.Signer.Parse(LinkRSVPNo, tok); err == nil {
		return rid, false, true
	}
	return 0, false, false
}

// RSVPOutcome is what an answer led to.
type RSVPOutcome struct {
	Waitlisted bool // a yes beyond the event's capacity: waiting for a place
}

// RecordRSVP stores a recipient's answer (yes, no or tentative); a later
// answer replaces an earlier one, and each lands on the timeline. An
// answer also stops the campaign's follow-ups for the contact, and for a
// campaign that invites to an event, it is the contact's answer to the
// event (capacity and waitlist included).
func RecordRSVP(ctx context.Context, db *sqlx.DB, recipientID int64, answer, via string) (RSVPOutcome, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return RSVPOutcome{}, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	defer tx.Rollback()
	out, err := recordRSVP(ctx, tx, recipientID, answer, via)
	if err != nil {
		return out, err
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	return out, nil
}

func recordRSVP(ctx context.Context, tx *sqlx.Tx, recipientID int64, answer, via string) (RSVPOutcome, error) {
	var r struct {
		ContactID  int64   `db:"contact_id"`
		CampaignID int64   `db:"campaign_id"`
		EventID    *int64  `db:"event_id"`
		Previous   *string `db:"previous"`
	}
	err := tx.GetContext(ctx, &r, `UPDATE recipients x SET rsvp = $2, rsvp_at = now()
		FROM recipients old, campaigns k WHERE x.id = $1 AND old.id = x.id AND k.id = x.campaign_id
		RETURNING x.contact_id, x.campaign_id, k.event_id, old.rsvp AS previous`, recipientID, answer)
	if err != nil {
		return RSVPOutcome{}, errNoRecipient
	}
	var out RSVPOutcome
	if r.EventID != nil {
		if out, err = eventAnswer(ctx, tx, *r.EventID, r.ContactID, recipientID, answer); err != nil {
			return out, err
		}
	}
	if r.Previous != nil && *r.Previous == answer {
		return out, nil // the same answer again changes nothing
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_events (recipient_id, kind) VALUES ($1, $2)`, recipientID, "rsvp_"+answer); err != nil {
		return out, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details)
		VALUES ($1, 'rsvp.' || $2, jsonb_build_object('campaign_id', $3::bigint, 'recipient_id', $4::bigint, 'via', $5::text,
			'waitlisted', $6::boolean))`,
		r.ContactID, answer, r.CampaignID, recipientID, via, out.Waitlisted); err != nil {
		return out, fmt.Errorf("campaigns: rsvp: %w", err)
	}
	return out, nil
}
