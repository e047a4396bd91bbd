package crm

import (
	"log/slog"
	"net/http"

	"github.com/jmoiron/sqlx"

	"outreach/crm/segment"
)

// Pages are the CRM's web UI pages: contacts, organisations, import and
// export, segments, and the admin's users and API keys.
type Pages struct {
	Web            *Web
	DB             *sqlx.DB
	Segment        segment.Options
	MaxImportBytes int64
	Log            *slog.Logger
}

// Routes registers the CRM pages.
func (p *Pages) Routes(mux *http.ServeMux) {
	p.contactRoutes(mux)
	p.contactFormRoutes(mux)
	p.organisationFormRoutes(mux)
	p.segmentRoutes(mux)
	p.settingsRoutes(mux)
}
