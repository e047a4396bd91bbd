package crm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"outreach/crm/vocab"
	"outreach/templates/web"
)

// The contact form adds one contact or corrects one, for the coordinator
// who meets someone at an event or spots a typo; files go through the
// import. It writes through CreateContact and UpdateContact, as the API
// does, so the rules and the timeline are the same.

func (p *Pages) contactFormRoutes(mux *http.ServeMux) {
	edit := RoleCoordinator
	mux.HandleFunc("GET /contacts/new", p.Web.Page(edit, p.contactNewForm))
	mux.HandleFunc("POST /contacts/new", p.Web.Page(edit, p.contactCreate))
	mux.HandleFunc("GET /contacts/{id}/edit", p.Web.Page(edit, p.contactEditForm))
	mux.HandleFunc("POST /contacts/{id}/edit", p.Web.Page(edit, p.contactSave))
	mux.HandleFunc("POST /contacts/{id}/erase", p.Web.Page(edit, p.contactEraseForm))
}

// contactFields are the form's values as typed; topics and tags are
// comma-separated.
type contactFields struct {
	Email, FirstName, LastName, JobTitle string
	Organisation, Country, Language      string
	Topics, Tags                         string
	Seniority, Consent                   string // the new-contact form only
}

type contactFormData struct {
	web.Base
	fieldProblem
	New         bool
	ID          int64
	Form        contactFields
	Seniorities []string
	Consents    []string
}

// fieldProblem is what a form shown again after a refused write marks: the
// field at fault and why. The layout's Error says that nothing was saved.
type fieldProblem struct {
	Field      string
	FieldError string
}

// refusal turns the error of a form's write into what the form shows
// again: a validation error at its field, a conflict at conflictField with
// conflictMsg. ok is false for any other error, which gets the usual pages.
func refusal(err error, conflictField, conflictMsg string) (status int, fp fieldProblem, summary string, ok bool) {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		fp = fieldProblem{Field: ve.Field, FieldError: ve.Reason} // the label names the field
		status = http.StatusBadRequest
	case errors.Is(err, ErrConflict):
		fp = fieldProblem{Field: conflictField, FieldError: conflictMsg}
		status = http.StatusConflict
	case BadText(err):
		return http.StatusBadRequest, fp, "A field contains a NUL byte or a character that cannot be stored. Nothing was saved.", true
	default:
		return 0, fp, "", false
	}
	return status, fp, "Nothing was saved: the marked field needs a correction.", true
}

func (p *Pages) contactFormPage(r *http.Request, title string) contactFormData {
	return contactFormData{Base: p.Web.Base(r, title, "contacts"), Seniorities: vocab.Seniorities, Consents: vocab.Consents}
}

func (p *Pages) contactNewForm(w http.ResponseWriter, r *http.Request) {
	d := p.contactFormPage(r, "New contact")
	d.New, d.Form.Consent = true, "legitimate_interest"
	p.Web.Render(w, r, http.StatusOK, "contactform", &d, &d.Base)
}

func (p *Pages) contactEditForm(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	c, err := ContactByID(r.Context(), p.DB, id)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	d := p.contactFormPage(r, "Edit "+c.Name())
	d.ID = id
	d.Form = contactFields{Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, JobTitle: c.JobTitle,
		Organisation: c.Organisation, Country: c.Country, Language: c.Language,
		Topics: strings.Join(c.Topics, ", "), Tags: strings.Join(c.Tags, ", ")}
	p.Web.Render(w, r, http.StatusOK, "contactform", &d, &d.Base)
}

// readContactFields reads the posted form; the body is bounded.
func readContactFields(w http.ResponseWriter, r *http.Request) contactFields {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	v := r.PostFormValue
	return contactFields{Email: v("email"), FirstName: v("first_name"), LastName: v("last_name"), JobTitle: v("job_title"),
		Organisation: v("organisation"), Country: v("country"), Language: v("language"),
		Topics: v("topics"), Tags: v("tags"), Seniority: v("seniority"), Consent: v("consent")}
}

// patch turns the form into a change of every field it shows. An empty
// seniority on a new contact means "guess from the job title".
func (f contactFields) patch(isNew bool) ContactPatch {
	topics, tags := splitList(f.Topics), splitList(f.Tags)
	p := ContactPatch{Email: &f.Email, FirstName: &f.FirstName, LastName: &f.LastName, JobTitle: &f.JobTitle,
		Organisation: &f.Organisation, Country: &f.Country, Language: &f.Language, Topics: &topics, Tags: &tags}
	if isNew {
		if f.Seniority != "" {
			p.Seniority = &f.Seniority
		}
		if f.Consent != "" {
			p.Consent = &f.Consent
		}
	}
	return p
}

// splitList reads a comma-separated list; blanks are dropped.
func splitList(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (p *Pages) contactCreate(w http.ResponseWriter, r *http.Request) {
	f := readContactFields(w, r)
	c, err := CreateContact(r.Context(), p.DB, f.patch(true), PrincipalFrom(r.Context()).Name)
	if err == nil {
		p.Web.Redirect(w, r, fmt.Sprintf("/contacts/%d", c.ID), "Contact added.")
		return
	}
	d := p.contactFormPage(r, "New contact")
	d.New, d.Form = true, f
	p.contactFormProblem(w, r, &d, err)
}

func (p *Pages) contactSave(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	f := readContactFields(w, r)
	c, err := UpdateContact(r.Context(), p.DB, id, f.patch(false), PrincipalFrom(r.Context()).Name)
	if err == nil {
		p.Web.Redirect(w, r, fmt.Sprintf("/contacts/%d", id), "Saved "+c.Name()+".")
		return
	}
	d := p.contactFormPage(r, "Edit contact")
	d.ID, d.Form = id, f
	p.contactFormProblem(w, r, &d, err)
}

// contactFormProblem shows the form again with what was typed and why it
// was refused; nothing was written. Other errors get the usual pages.
func (p *Pages) contactFormProblem(w http.ResponseWriter, r *http.Request, d *contactFormData, err error) {
	status, fp, summary, ok := refusal(err, "email", "Another contact already has this email; search for it instead of adding it twice.")
	if !ok {
		p.contactProblem(w, r, err)
		return
	}
	d.fieldProblem, d.Error = fp, summary
	p.Web.Render(w, r, status, "contactform", d, &d.Base)
}

// contactEraseForm erases a contact's personal data (GDPR Art. 17) after
// the coordinator ticked the confirmation; it cannot be undone.
func (p *Pages) contactEraseForm(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	if r.PostFormValue("confirm") != "erase" {
		p.Web.Fail(w, r, http.StatusBadRequest, "Tick the confirmation to erase this contact's personal data; nothing was erased.")
		return
	}
	if err := EraseContact(r.Context(), p.DB, id, PrincipalFrom(r.Context()).Name); err != nil {
		p.contactProblem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, "/contacts", fmt.Sprintf("The personal data of contact #%d was erased.", id))
}
