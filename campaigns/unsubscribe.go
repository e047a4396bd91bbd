package campaigns

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"
)

//go:embed pages/*.html
var pageFiles embed.FS

// pages are parsed once at start-up: a broken page fails the build's tests,
// not a recipient's click.
var pages = template.Must(template.ParseFS(pageFiles, "pages/*.html"))

// Public serves the links recipients follow. They carry signed tokens and
// need no account; a forged or altered token gets a 404 and changes nothing.
type Public struct {
	DB     *sqlx.DB
	Signer *Signer
	Log    *slog.Logger
	// CalendarName is the shared calendar's name in subscribers' calendar
	// apps; "Events" if empty.
	CalendarName string
	// Limit is the per-client rate limit of these endpoints; nil: none
	// (serve sets one, tests that fire many requests leave it out).
	Limit *RateLimit
}

// Routes registers the public endpoints. Anyone on the internet can reach
// them, so each is rate limited per client and each POST body is bounded.
func (p *Public) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /u/{token}", p.Limit.Wrap(p.unsubscribeForm))
	mux.HandleFunc("POST /u/{token}", p.Limit.Wrap(limitBody(MaxPublicForm, p.unsubscribe)))
	mux.HandleFunc("GET /t/r/{token}", p.Limit.Wrap(p.rsvpForm))
	mux.HandleFunc("POST /t/r/{token}", p.Limit.Wrap(limitBody(MaxPublicForm, p.rsvp)))
	mux.HandleFunc("GET /calendar.ics", p.Limit.Wrap(p.calendarFeed))
	mux.HandleFunc("GET /calendar/{file}", p.Limit.Wrap(p.calendarFeed))
}

type unsubscribeView struct {
	Token string
	Done  bool
}

// unsubscribeForm only shows a button: mail scanners fetch every link in a
// message, and a GET must not unsubscribe anyone.
func (p *Public) unsubscribeForm(w http.ResponseWriter, r *http.Request) {
	if _, _, err := p.Signer.Parse(LinkUnsubscribe, r.PathValue("token")); err != nil {
		http.NotFound(w, r)
		return
	}
	p.render(w, "unsubscribe.html", unsubscribeView{Token: r.PathValue("token")})
}

// unsubscribe handles the confirmation button and the RFC 8058 one-click
// POST (body List-Unsubscribe=One-Click) the same way.
func (p *Public) unsubscribe(w http.ResponseWriter, r *http.Request) {
	rid, _, err := p.Signer.Parse(LinkUnsubscribe, r.PathValue("token"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if err := Unsubscribe(r.Context(), p.DB, rid, "link"); err != nil {
		if errors.Is(err, errNoRecipient) {
			http.NotFound(w, r)
			return
		}
		p.Log.ErrorContext(r.Context(), "unsubscribe failed", "recipient_id", rid, "err", err)
		http.Error(w, "Something went wrong; please try again.", http.StatusInternalServerError)
		return
	}
	p.render(w, "unsubscribe.html", unsubscribeView{Done: true})
}

func (p *Public) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		p.Log.Error("render page", "page", name, "err", err)
	}
}

var errNoRecipient = errors.New("no such recipient")

// Unsubscribe records a recipient's unsubscribe: the contact's consent
// becomes unsubscribed (so no campaign mails them again), the recipient row
// and the timeline say so. Repeating it changes nothing.
func Unsubscribe(ctx context.Context, db *sqlx.DB, recipientID int64, via string) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("campaigns: unsubscribe: %w", err)
	}
	defer tx.Rollback()
	var r struct {
		ContactID  int64 `db:"contact_id"`
		CampaignID int64 `db:"campaign_id"`
	}
	if err := tx.GetContext(ctx, &r, `UPDATE recipients SET unsubscribed_at = coalesce(unsubscribed_at, now())
		WHERE id = $1 RETURNING contact_id, campaign_id`, recipientID); err != nil {
		return errNoRecipient
	}
	res, err := tx.ExecContext(ctx, `UPDATE contacts SET consent = 'unsubscribed', consent_source = $2,
		consent_at = now(), updated_at = now() WHERE id = $1 AND consent <> 'unsubscribed'`,
		r.ContactID, fmt.Sprintf("unsubscribe:%s:campaign %d", via, r.CampaignID))
	if err != nil {
		return fmt.Errorf("campaigns: unsubscribe: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recipient_events (recipient_id, kind) VALUES ($1, 'unsubscribe')`, recipientID); err != nil {
			return fmt.Errorf("campaigns: unsubscribe: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO activities (contact_id, kind, details)
			VALUES ($1, 'email.unsubscribed', jsonb_build_object('campaign_id', $2::bigint, 'recipient_id', $3::bigint, 'via', $4::text))`,
			r.ContactID, r.CampaignID, recipientID, via); err != nil {
			return fmt.Errorf("campaigns: unsubscribe: %w", err)
		}
	}
	return tx.Commit()
}
