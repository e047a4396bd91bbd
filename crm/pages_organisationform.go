package crm

import (
	"fmt"
	"net/http"

	"outreach/crm/vocab"
	"outreach/templates/web"
)

func (p *Pages) organisationFormRoutes(mux *http.ServeMux) {
	edit := RoleCoordinator
	mux.HandleFunc("GET /organisations/{id}/edit", p.Web.Page(edit, p.organisationEditForm))
	mux.HandleFunc("POST /organisations/{id}/edit", p.Web.Page(edit, p.organisationSave))
}

// The organisation form corrects an organisation: its type and country
// are what segments and reports group by.

type organisationFields struct {
	Name, Type, Country, City, Website string
}

type organisationFormData struct {
	web.Base
	fieldProblem
	ID    int64
	Form  organisationFields
	Types []string
}

func (p *Pages) organisationEditForm(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	o, err := OrganisationByID(r.Context(), p.DB, id)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	d := organisationFormData{Base: p.Web.Base(r, "Edit "+o.Name, "contacts"), ID: id, Types: vocab.OrganisationTypes,
		Form: organisationFields{Name: o.Name, Type: o.Type, Country: o.Country, City: o.City, Website: o.Website}}
	p.Web.Render(w, r, http.StatusOK, "organisationform", &d, &d.Base)
}

func (p *Pages) organisationSave(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	v := r.PostFormValue
	f := organisationFields{Name: v("name"), Type: v("type"), Country: v("country"), City: v("city"), Website: v("website")}
	patch := OrganisationPatch{Name: &f.Name, Type: &f.Type, Country: &f.Country, City: &f.City, Website: &f.Website}
	o, err := UpdateOrganisation(r.Context(), p.DB, id, patch, PrincipalFrom(r.Context()).Name)
	if err == nil {
		p.Web.Redirect(w, r, fmt.Sprintf("/organisations/%d", id), "Saved "+o.Name+".")
		return
	}
	status, fp, summary, ok := refusal(err, "name", "Another organisation already has this name.")
	if !ok {
		p.Web.Problem(w, r, err)
		return
	}
	d := organisationFormData{Base: p.Web.Base(r, "Edit organisation", "contacts"), fieldProblem: fp, ID: id, Form: f,
		Types: vocab.OrganisationTypes}
	d.Error = summary
	p.Web.Render(w, r, status, "organisationform", &d, &d.Base)
}
