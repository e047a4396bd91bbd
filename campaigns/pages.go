package campaigns

import (
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/segment"
)

// Pages are the campaigns' web UI pages: the campaign wizard and live
// progress, reports, events and the calendar, and the outbox.
type Pages struct {
	Web     *crm.Web
	DB      *sqlx.DB
	Segment segment.Options
	Links   Links
	Log     *slog.Logger
}

// Routes registers the campaign pages.
func (p *Pages) Routes(mux *http.ServeMux) {
	p.campaignRoutes(mux)
	p.reportRoutes(mux)
	p.eventRoutes(mux)
	p.outboxRoutes(mux)
}
