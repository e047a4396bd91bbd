package crm

import (
	"fmt"
	"mime"
	"net/http"

	"outreach/crm/jsonhttp"
)

func (a *API) contactList(w http.ResponseWriter, r *http.Request) {
	where := r.URL.Query().Get("where")
	if wantsCSV(r) {
		a.contactExportCSV(w, r, where)
		return
	}
	page, err := queryInt(r, "page", 1)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	perPage, err := queryInt(r, "per_page", 50)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := Contacts(r.Context(), a.DB, a.filter(where), page, perPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, list)
}

func (a *API) contactExportCSV(w http.ResponseWriter, r *http.Request, where string) {
	// Compile first, so a bad expression is a 400 and not a broken download.
	if _, _, err := a.filter(where).compile(1); err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="contacts.csv"`)
	if err := ExportCSV(r.Context(), a.DB, w, a.filter(where)); err != nil {
		a.Log.ErrorContext(r.Context(), "contact export failed", "err", err)
	}
}

func (a *API) contactCreate(w http.ResponseWriter, r *http.Request) {
	var p ContactPatch
	if err := jsonhttp.Decode(w, r, &p); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := CreateContact(r.Context(), a.DB, p, PrincipalFrom(r.Context()).Name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusCreated, c)
}

// csvTypes are the content types browsers and scripts send CSV files as.
var csvTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true,
	"application/vnd.ms-excel": true, "application/octet-stream": true,
}

func (a *API) contactImport(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || !csvTypes[mt] {
			jsonhttp.Fail(w, http.StatusUnsupportedMediaType, fmt.Sprintf("expected a CSV body (Content-Type: text/csv), got %q", ct))
			return
		}
	}
	limit := a.MaxImportBytes
	if limit <= 0 {
		limit = DefaultMaxImportBytes
	}
	body := http.MaxBytesReader(w, r.Body, limit+1)
	res, err := ImportCSV(r.Context(), a.DB, body, ImportOptions{Source: PrincipalFrom(r.Context()).Name, MaxBytes: limit})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, res)
}

func (a *API) contactShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var c Contact
		if c, err = ContactByID(r.Context(), a.DB, id); err == nil {
			jsonhttp.Write(w, http.StatusOK, c)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) contactPatch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var p ContactPatch
	if err := jsonhttp.Decode(w, r, &p); err != nil {
		a.fail(w, r, err)
		return
	}
	c, err := UpdateContact(r.Context(), a.DB, id, p, PrincipalFrom(r.Context()).Name)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, c)
}

func (a *API) contactErase(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = EraseContact(r.Context(), a.DB, id, PrincipalFrom(r.Context()).Name)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) contactTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var acts []Activity
		if acts, err = Timeline(r.Context(), a.DB, id); err == nil {
			jsonhttp.Write(w, http.StatusOK, map[string]any{"activities": acts})
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) contactExport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var d DataExport
		if d, err = ExportContactData(r.Context(), a.DB, id); err == nil {
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="contact-%d.json"`, id))
			jsonhttp.Write(w, http.StatusOK, d)
			return
		}
	}
	a.fail(w, r, err)
}
