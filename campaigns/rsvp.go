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
	if err := RecordRSVP(r.Context(), p.DB, rid, answer, "link"); err != nil {
		if errors.Is(err, errNoRecipient) {
			http.NotFound(w, r)
			return
		}
		p.Log.ErrorContext(r.Context(), "rsvp failed", "recipient_id", rid, "err", err)
		http.Error(w, "Something went wrong; please try again.", http.StatusInternalServerError)
		return
	}
	p.render(w, "rsvp.html", rsvpView{Done: true, Yes: yes})
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

// RecordRSVP stores a recipient's answer (yes, no or tentative); a later
// answer replaces an earlier one, and each lands on the timeline. An
// answer also stops the campaign's follow-ups for the contact.
func RecordRSVP(ctx context.Context, db *sqlx.DB, recipientID int64, answer, via string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("campaigns: rsvp: %w", err)
	}
	defer tx.Rollback()
	var r struct {
		ContactID  int64   `db:"contact_id"`
		CampaignID int64   `db:"campaign_id"`
		Previous   *string `db:"previous"`
	}
	err = tx.GetContext(ctx, &r, `UPDATE recipients x SET rsvp = $2, rsvp_at = now()
		FROM recipients old WHERE x.id = $1 AND old.id = x.id
		RETURNING x.contact_id, x.campaign_id, old.rsvp AS previous`, recipientID, answer)
	if err != nil {
		return errNoRecipient
	}
	if r.Previous != nil && *r.Previous == answer {
		return tx.Commit() // the same answer again changes nothing
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_events (recipient_id, kind) VALUES ($1, $2)`, recipientID, "rsvp_"+answer); err != nil {
		return fmt.Errorf("campaigns: rsvp: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details)
		VALUES ($1, 'rsvp.' || $2, jsonb_build_object('campaign_id', $3::bigint, 'recipient_id', $4::bigint, 'via', $5::text))`,
		r.ContactID, answer, r.CampaignID, recipientID, via); err != nil {
		return fmt.Errorf("campaigns: rsvp: %w", err)
	}
	return tx.Commit()
}
