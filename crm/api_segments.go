package crm

import (
	"net/http"

	"outreach/crm/jsonhttp"
)

// segmentView is a saved segment with its live count and breakdown.
type segmentView struct {
	Segment
	Count     int       `json:"count"`
	Breakdown Breakdown `json:"breakdown"`
}

func (a *API) segmentCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name  string `json:"name"`
		Where string `json:"where"`
	}
	if err := jsonhttp.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := CreateSegment(r.Context(), a.DB, in.Name, in.Where, a.filter(""))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeSegment(w, r, http.StatusCreated, s)
}

func (a *API) segmentShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var s Segment
		if s, err = SegmentByID(r.Context(), a.DB, id); err == nil {
			a.writeSegment(w, r, http.StatusOK, s)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) writeSegment(w http.ResponseWriter, r *http.Request, status int, s Segment) {
	v := segmentView{Segment: s}
	var err error
	if v.Breakdown, err = BreakdownOf(r.Context(), a.DB, a.filter(s.Where)); err != nil {
		a.fail(w, r, err)
		return
	}
	for _, n := range v.Breakdown.Seniority {
		v.Count += n
	}
	jsonhttp.Write(w, status, v)
}

func (a *API) segmentPreview(w http.ResponseWriter, r *http.Request) {
	b, err := BreakdownOf(r.Context(), a.DB, a.filter(r.URL.Query().Get("where")))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	n := 0
	for _, c := range b.Seniority {
		n += c
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"where": r.URL.Query().Get("where"), "count": n, "breakdown": b})
}

func (a *API) segmentList(w http.ResponseWriter, r *http.Request) {
	list, err := Segments(r.Context(), a.DB)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"segments": list})
}

func (a *API) segmentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = DeleteSegment(r.Context(), a.DB, id)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) organisationList(w http.ResponseWriter, r *http.Request) {
	page, err := queryInt(r, "page", 1)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	perPage, err := queryInt(r, "per_page", 50)
	if err != nil || perPage > MaxPerPage {
		a.fail(w, r, invalid("per_page", "must be between 1 and %d", MaxPerPage))
		return
	}
	list, err := Organisations(r.Context(), a.DB, r.URL.Query().Get("search"), perPage, (page-1)*perPage)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"organisations": list})
}

func (a *API) organisationShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var o Organisation
		if o, err = OrganisationByID(r.Context(), a.DB, id); err == nil {
			jsonhttp.Write(w, http.StatusOK, o)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) organisationPatch(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var p OrganisationPatch
	if err == nil {
		err = jsonhttp.Decode(w, r, &p)
	}
	if err == nil {
		var o Organisation
		if o, err = UpdateOrganisation(r.Context(), a.DB, id, p, PrincipalFrom(r.Context()).Name); err == nil {
			jsonhttp.Write(w, http.StatusOK, o)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) organisationTimeline(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var acts []Activity
		if acts, err = OrganisationTimeline(r.Context(), a.DB, id); err == nil {
			jsonhttp.Write(w, http.StatusOK, map[string]any{"activities": acts})
			return
		}
	}
	a.fail(w, r, err)
}
