package crm

import (
	"errors"
	"github.com/lib/pq"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"outreach/crm/jsonhttp"
	"outreach/crm/segment"
)

// API serves the CRM part of the JSON API under /api/v1.
type API struct {
	DB             *sqlx.DB
	Auth           Auth
	Segment        segment.Options // engagement predicates, when campaign data exists
	MaxImportBytes int64
	Log            *slog.Logger
}

// Routes registers the CRM endpoints on mux.
func (a *API) Routes(mux *http.ServeMux) {
	view, edit := RoleViewer, RoleCoordinator
	mux.HandleFunc("GET /api/v1/contacts", a.Auth.Require(view, a.contactList))
	mux.HandleFunc("POST /api/v1/contacts", a.Auth.Require(edit, a.contactCreate))
	mux.HandleFunc("POST /api/v1/contacts/import", a.Auth.Require(edit, a.contactImport))
	mux.HandleFunc("GET /api/v1/contacts/{id}", a.Auth.Require(view, a.contactShow))
	mux.HandleFunc("PATCH /api/v1/contacts/{id}", a.Auth.Require(edit, a.contactPatch))
	mux.HandleFunc("DELETE /api/v1/contacts/{id}", a.Auth.Require(edit, a.contactErase))
	mux.HandleFunc("GET /api/v1/contacts/{id}/timeline", a.Auth.Require(view, a.contactTimeline))
	mux.HandleFunc("GET /api/v1/contacts/{id}/export", a.Auth.Require(edit, a.contactExport))
	mux.HandleFunc("GET /api/v1/organisations", a.Auth.Require(view, a.organisationList))
	mux.HandleFunc("GET /api/v1/organisations/{id}", a.Auth.Require(view, a.organisationShow))
	mux.HandleFunc("PATCH /api/v1/organisations/{id}", a.Auth.Require(edit, a.organisationPatch))
	mux.HandleFunc("GET /api/v1/organisations/{id}/timeline", a.Auth.Require(view, a.organisationTimeline))
	mux.HandleFunc("GET /api/v1/segments", a.Auth.Require(view, a.segmentList))
	mux.HandleFunc("POST /api/v1/segments", a.Auth.Require(edit, a.segmentCreate))
	mux.HandleFunc("GET /api/v1/segments/preview", a.Auth.Require(view, a.segmentPreview))
	mux.HandleFunc("GET /api/v1/segments/{id}", a.Auth.Require(view, a.segmentShow))
	mux.HandleFunc("DELETE /api/v1/segments/{id}", a.Auth.Require(edit, a.segmentDelete))
}

func (a *API) filter(where string) Filter { return Filter{Where: where, Segment: a.Segment} }

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) { WriteError(w, r, a.Log, err) }

// WriteError translates an error into its HTTP answer, in one place; other
// parts' handlers map their own errors first and hand the rest here.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var dec *jsonhttp.DecodeError
	var val *ValidationError
	var seg *segment.Error
	var file *FileError
	switch {
	case errors.As(err, &dec) && dec.TooLarge, errors.As(err, &file) && file.TooLarge:
		jsonhttp.Fail(w, http.StatusRequestEntityTooLarge, err.Error())
	case errors.As(err, &dec), errors.As(err, &val), errors.As(err, &file):
		jsonhttp.Fail(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &seg):
		jsonhttp.Fail(w, http.StatusBadRequest, "where: "+seg.Error())
	case errors.Is(err, ErrNotFound):
		jsonhttp.Fail(w, http.StatusNotFound, "not found")
	case errors.Is(err, ErrErased):
		jsonhttp.Fail(w, http.StatusGone, "this contact's data was erased")
	case errors.Is(err, ErrConflict):
		jsonhttp.Fail(w, http.StatusConflict, err.Error())
	case BadText(err):
		jsonhttp.Fail(w, http.StatusBadRequest, badTextMessage)
	default:
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		jsonhttp.Fail(w, http.StatusInternalServerError, "internal error")
	}
}

func pathID(r *http.Request) (int64, error) { return PathID(r) }

// PathID reads the {id} wildcard of a route; a non-numeric id is a
// not-found like any other id that does not exist.
func PathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, ErrNotFound
	}
	return id, nil
}

// queryInt reads an optional positive integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalid(name, "must be a positive whole number, got %q", s)
	}
	return n, nil
}

// wantsCSV reports whether the client asked for CSV rather than JSON.
func wantsCSV(r *http.Request) bool {
	if f := r.URL.Query().Get("format"); f != "" {
		return strings.EqualFold(f, "csv")
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt == "text/csv" {
			return true
		}
	}
	return false
}

// BadText reports whether Postgres refused a text value that cannot be
// stored (a NUL byte, an invalid encoding): the client's input, not a
// server fault.
func BadText(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}

const badTextMessage = "a text value contains a NUL byte or a character that cannot be stored"
