package campaigns

import (
	"net/http"
	"strconv"

	"outreach/crm"
	"outreach/templates/web"
)

// outboxPerPage is how many outbox messages a page lists.
const outboxPerPage = 50

func (p *Pages) outboxRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /outbox", p.Web.Page(crm.RoleViewer, p.outboxList))
	mux.HandleFunc("GET /outbox/{id}", p.Web.Page(crm.RoleViewer, p.outboxMessage))
}

type outboxListPage struct {
	web.Base
	Messages   []OutboxMessage
	Campaign   int64 // the campaign filter; 0 for all
	Page       int
	PrevPage   int // 0: none
	NextPage   int // 0: none
	FilterPart string
}

// outboxList lists what was "sent" into the outbox (no SMTP server
// configured), newest first, optionally for one campaign.
func (p *Pages) outboxList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	campaign, _ := strconv.ParseInt(q.Get("campaign"), 10, 64)
	campaign = max(campaign, 0)
	// One more than a page tells whether there is a next page without a count.
	list, err := Outbox(r.Context(), p.DB, campaign, outboxPerPage+1, (page-1)*outboxPerPage)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	data := outboxListPage{Base: p.Web.Base(r, "Outbox", "outbox"), Messages: list, Campaign: campaign, Page: page}
	if len(list) > outboxPerPage {
		data.Messages, data.NextPage = list[:outboxPerPage], page+1
	}
	if page > 1 {
		data.PrevPage = page - 1
	}
	if campaign > 0 {
		data.FilterPart = "campaign=" + strconv.FormatInt(campaign, 10) + "&"
	}
	p.Web.Render(w, r, http.StatusOK, "outbox", &data, &data.Base)
}

type outboxMessagePage struct {
	web.Base
	M         OutboxMessage
	Mail      MailView
	Raw       string
	ReadError string
}

// outboxMessage shows a message as its recipient would see it: the HTML
// part in a sandboxed frame (its markup can neither run nor restyle the
// page), the text part, and the raw source.
func (p *Pages) outboxMessage(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	m, err := OutboxByID(r.Context(), p.DB, id)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	data := outboxMessagePage{Base: p.Web.Base(r, m.Subject, "outbox"), M: m, Raw: string(m.Raw)}
	if data.Title == "" {
		data.Title = "Outbox message"
	}
	if data.Mail, err = ReadMail(m.Raw); err != nil {
		data.ReadError = err.Error()
	}
	p.Web.Render(w, r, http.StatusOK, "outboxmessage", &data, &data.Base)
}
