package campaigns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/jsonhttp"
	"outreach/crm/segment"
	"outreach/templates"
)

// API serves the campaign part of the JSON API.
type API struct {
	DB      *sqlx.DB
	Auth    crm.Auth
	Segment segment.Options
	Links   Links
	Log     *slog.Logger
	// HTTP fetches partners' calendar feeds; a client with a 30 s timeout
	// if nil.
	HTTP *http.Client
}

// Routes registers the campaign endpoints on mux.
func (a *API) Routes(mux *http.ServeMux) {
	view, edit := crm.RoleViewer, crm.RoleCoordinator
	mux.HandleFunc("GET /api/v1/campaigns", a.Auth.Require(view, a.list))
	mux.HandleFunc("POST /api/v1/campaigns", a.Auth.Require(edit, a.create))
	mux.HandleFunc("GET /api/v1/campaigns/{id}", a.Auth.Require(view, a.show))
	mux.HandleFunc("PUT /api/v1/campaigns/{id}", a.Auth.Require(edit, a.update))
	mux.HandleFunc("GET /api/v1/campaigns/{id}/preview", a.Auth.Require(view, a.preview))
	mux.HandleFunc("POST /api/v1/campaigns/{id}/send", a.Auth.Require(edit, a.send))
	mux.HandleFunc("POST /api/v1/campaigns/{id}/schedule", a.Auth.Require(edit, a.schedule))
	mux.HandleFunc("POST /api/v1/campaigns/{id}/pause", a.Auth.Require(edit, a.action(Pause)))
	mux.HandleFunc("POST /api/v1/campaigns/{id}/resume", a.Auth.Require(edit, a.action(Resume)))
	mux.HandleFunc("POST /api/v1/campaigns/{id}/cancel", a.Auth.Require(edit, a.action(Cancel)))
	mux.HandleFunc("POST /api/v1/replies/ingest", a.Auth.Require(edit, a.ingest))
	a.reportRoutes(mux)
	mux.HandleFunc("GET /api/v1/outbox", a.Auth.Require(view, a.outboxList))
	mux.HandleFunc("GET /api/v1/outbox/{id}", a.Auth.Require(view, a.outboxShow))
	a.EventRoutes(mux)
}

// fail maps campaign errors, then leaves the rest to crm's mapping.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var te *TransitionError
	var tmpl *templates.Error
	switch {
	case errors.As(err, &te):
		jsonhttp.Fail(w, http.StatusConflict, err.Error())
	case errors.As(err, &tmpl):
		jsonhttp.Fail(w, http.StatusBadRequest, err.Error())
	default:
		crm.WriteError(w, r, a.Log, err)
	}
}

// view is a campaign as the API shows it: the contract's id, status and
// counts, plus its definition.
type view struct {
	Campaign
	Counts Counts `json:"counts"`
}

func (a *API) writeCampaign(w http.ResponseWriter, r *http.Request, status int, c Campaign) {
	counts, err := CountsOf(r.Context(), a.DB, c.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, status, view{Campaign: c, Counts: counts})
}

func (a *API) create(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := jsonhttp.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := Create(r.Context(), a.DB, in, a.Segment)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusCreated, c)
}

func (a *API) update(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	var in Input
	if err == nil {
		err = jsonhttp.Decode(w, r, &in)
	}
	var c Campaign
	if err == nil {
		c, err = UpdateDraft(r.Context(), a.DB, id, in, a.Segment)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, c)
}

func (a *API) list(w http.ResponseWriter, r *http.Request) {
	list, err := List(r.Context(), a.DB)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"campaigns": list})
}

func (a *API) show(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err == nil {
		var c Campaign
		if c, err = ByID(r.Context(), a.DB, id); err == nil {
			a.writeCampaign(w, r, http.StatusOK, c)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) send(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err == nil {
		var c Campaign
		if c, err = Send(r.Context(), a.DB, id, a.Segment); err == nil {
			a.writeCampaign(w, r, http.StatusOK, c)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) schedule(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in struct {
		At time.Time `json:"at"`
	}
	if err := jsonhttp.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if in.At.IsZero() {
		a.fail(w, r, invalid("at", "give an RFC 3339 time such as 2026-12-01T09:00:00+01:00"))
		return
	}
	c, err := Schedule(r.Context(), a.DB, id, in.At)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusOK, c)
}

func (a *API) action(do func(ctx context.Context, db *sqlx.DB, id int64) (Campaign, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := crm.PathID(r)
		if err == nil {
			var c Campaign
			if c, err = do(r.Context(), a.DB, id); err == nil {
				a.writeCampaign(w, r, http.StatusOK, c)
				return
			}
		}
		a.fail(w, r, err)
	}
}

func (a *API) preview(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	contact, err := strconv.ParseInt(r.URL.Query().Get("contact_id"), 10, 64)
	if err != nil {
		a.fail(w, r, invalid("contact_id", "give the id of a contact to preview for"))
		return
	}
	step, _ := strconv.Atoi(r.URL.Query().Get("step"))
	out, err := Preview(r.Context(), a.DB, a.Links, id, step, contact)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, out)
}

// MaxInbound bounds an ingested message; bounces that return a large
// original are cut by the mail server well before this.
const MaxInbound = 25 << 20

func (a *API) ingest(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxInbound))
	if err != nil {
		jsonhttp.Fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("message larger than %d MiB", MaxInbound>>20))
		return
	}
	res, err := Ingest(r.Context(), a.DB, a.Links.Signer, raw)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, res)
}
