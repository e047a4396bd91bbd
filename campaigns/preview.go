package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/jsonhttp"
)

// Preview renders a campaign step for one contact exactly as a send would,
// with links that carry no valid token (recipient 0), so a preview never
// counts as an open, click or answer.
func Preview(ctx context.Context, db *sqlx.DB, links Links, campaignID int64, step int, contactID int64) (Outgoing, error) {
	c, err := ByID(ctx, db, campaignID)
	if err != nil {
		return Outgoing{}, err
	}
	if step < 0 || step >= len(c.Steps) {
		return Outgoing{}, invalid("step", "campaign %d has steps 0 to %d", campaignID, len(c.Steps)-1)
	}
	return previewFor(ctx, db, links, c, step, contactID)
}

// PreviewInput renders the first message of a campaign not yet created
// (the wizard's input) for one contact, as Preview does for a stored one.
// Template errors come back as *templates.Error with their place.
func PreviewInput(ctx context.Context, db *sqlx.DB, links Links, in Input, contactID int64) (Outgoing, error) {
	c := Campaign{Name: strings.TrimSpace(in.Name), Tracking: in.Tracking == nil || *in.Tracking, EventID: in.EventID,
		Steps: []Step{{Position: 0, Subject: in.Subject, HTML: in.HTML, Text: in.Text}}}
	// The content is worth seeing before the sender is right; Create
	// refuses a bad address later.
	_ = in.validateAddresses(&c)
	return previewFor(ctx, db, links, c, 0, contactID)
}

func previewFor(ctx context.Context, db *sqlx.DB, links Links, c Campaign, step int, contactID int64) (Outgoing, error) {
	comp, err := NewComposer(ctx, db, c, links)
	if err != nil {
		return Outgoing{}, err
	}
	ct, err := crm.ContactByID(ctx, db, contactID)
	if err != nil {
		return Outgoing{}, err
	}
	email := ct.Email
	return comp.Compose(Claimed{
		CampaignID: c.ID, ContactID: ct.ID, Step: step, MessageID: "preview@" + c.MessageDomain(), Email: &email,
		FirstName: ct.FirstName, LastName: ct.LastName, JobTitle: ct.JobTitle, Seniority: ct.Seniority,
		Organisation: ct.Organisation, OrganisationType: ct.OrganisationType, Country: ct.Country,
		Language: ct.Language, Topics: ct.Topics, Attributes: ct.Attributes,
	})
}

// OutboxMessage is a message kept in the outbox.
type OutboxMessage struct {
	ID          int64     `db:"id" json:"id"`
	CampaignID  *int64    `db:"campaign_id" json:"campaign_id"`
	RecipientID *int64    `db:"recipient_id" json:"recipient_id"`
	MessageID   string    `db:"message_id" json:"message_id"`
	From        string    `db:"mail_from" json:"from"`
	To          string    `db:"rcpt_to" json:"to"`
	Subject     string    `db:"subject" json:"subject"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	Raw         []byte    `db:"raw" json:"-"`
}

// Outbox lists outbox messages, newest first; campaignID 0 lists all.
func Outbox(ctx context.Context, q sqlx.QueryerContext, campaignID int64, limit, offset int) ([]OutboxMessage, error) {
	out := []OutboxMessage{}
	err := sqlx.SelectContext(ctx, q, &out, `SELECT id, campaign_id, recipient_id, message_id, mail_from, rcpt_to, subject, created_at, ''::bytea AS raw
		FROM outbox WHERE $1 = 0 OR campaign_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, campaignID, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("campaigns: outbox: %w", err)
	}
	return out, nil
}

// OutboxByID returns one outbox message with its raw bytes.
func OutboxByID(ctx context.Context, q sqlx.QueryerContext, id int64) (OutboxMessage, error) {
	var m OutboxMessage
	err := sqlx.GetContext(ctx, q, &m, `SELECT id, campaign_id, recipient_id, message_id, mail_from, rcpt_to, subject, created_at, raw
		FROM outbox WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return m, crm.ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("campaigns: outbox %d: %w", id, err)
	}
	return m, nil
}

func (a *API) outboxList(w http.ResponseWriter, r *http.Request) {
	var campaign int64
	if s := r.URL.Query().Get("campaign_id"); s != "" {
		fmt.Sscan(s, &campaign)
	}
	list, err := Outbox(r.Context(), a.DB, campaign, 100, 0)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"messages": list})
}

// outboxShow answers the message as JSON with its raw source, or the raw
// source itself (message/rfc822) for format=eml.
func (a *API) outboxShow(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err == nil {
		var m OutboxMessage
		if m, err = OutboxByID(r.Context(), a.DB, id); err == nil {
			if r.URL.Query().Get("format") == "eml" {
				w.Header().Set("Content-Type", "message/rfc822")
				w.Write(m.Raw)
				return
			}
			jsonhttp.Write(w, http.StatusOK, struct {
				OutboxMessage
				Source string `json:"source"`
			}{m, string(m.Raw)})
			return
		}
	}
	a.fail(w, r, err)
}
