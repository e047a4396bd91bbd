package crm_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"outreach/crm"
)

func TestContactFormAddsAContact(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	coord, viewer := c[crm.RoleCoordinator], c[crm.RoleViewer]

	if _, page, _ := coord.get("/contacts", false); !strings.Contains(page, `href="/contacts/new"`) {
		t.Error("a coordinator is not offered to add a contact")
	}
	if _, page, _ := viewer.get("/contacts", false); strings.Contains(page, `href="/contacts/new"`) {
		t.Error("a viewer is offered to add a contact")
	}
	if status, _, _ := viewer.get("/contacts/new", false); status != 403 {
		t.Errorf("viewer GET /contacts/new: %d, want 403", status)
	}
	status, page, _ := coord.get("/contacts/new", false)
	if status != 200 || !strings.Contains(page, `id="contact-form"`) || !strings.Contains(page, `<option value="legitimate_interest" selected>`) {
		t.Fatalf("new contact form: %d\n%s", status, page)
	}

	form := url.Values{"email": {" Dana.Roth@Example.ORG "}, "first_name": {"Dana"}, "last_name": {"Roth"},
		"job_title": {"Programme Coordinator"}, "organisation": {"Impact Hub Wien"}, "country": {"Austria"},
		"language": {"de"}, "topics": {"access_to_finance, mentoring,"}, "tags": {"summit-2026"}, "seniority": {""}, "consent": {"opt_in"}}
	for name, post := range map[string]func() (int, string){
		"viewer": func() (int, string) {
			s, b, _ := viewer.post("/contacts/new", cloneForm(form), true, false)
			return s, b
		},
		"no token": func() (int, string) {
			s, b, _ := coord.post("/contacts/new", cloneForm(form), false, false)
			return s, b
		},
		"bad email":   func() (int, string) { return coord.postWith("/contacts/new", form, "email", "dana at example") },
		"bad country": func() (int, string) { return coord.postWith("/contacts/new", form, "country", "Atlantis") },
	} {
		status, body := post()
		if status != 403 && status != 400 {
			t.Errorf("%s: %d, want 403 or 400", name, status)
		}
		if status == 400 && !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: the refused field is not marked:\n%s", name, body)
		}
	}
	if n := countContacts(t, db); n != 0 {
		t.Fatalf("refused posts added %d contacts", n)
	}
	// What was typed is kept, with the reason next to the field.
	_, body := coord.postWith("/contacts/new", form, "country", "Atlantis")
	if !strings.Contains(body, `value="Programme Coordinator"`) || !strings.Contains(body, `id="country-error"`) || !strings.Contains(body, "Atlantis") {
		t.Errorf("the refused form lost its values or its reason:\n%s", body)
	}

	status, _, h := coord.post("/contacts/new", cloneForm(form), true, false)
	if status != 303 || !strings.HasPrefix(h.Get("Location"), "/contacts/") {
		t.Fatalf("add: %d to %q", status, h.Get("Location"))
	}
	got := contactByEmail(t, db, "dana.roth@example.org")
	if got.FirstName != "Dana" || got.Organisation != "Impact Hub Wien" || got.Country != "AT" || got.Consent != "opt_in" ||
		got.Seniority != "middle" || !got.SeniorityInferred || strings.Join(got.Topics, ",") != "access_to_finance,mentoring" ||
		strings.Join(got.Tags, ",") != "summit-2026" {
		t.Errorf("added contact: %+v", got)
	}
	if h.Get("Location") != fmt.Sprintf("/contacts/%d", got.ID) {
		t.Errorf("redirected to %q, want the new contact", h.Get("Location"))
	}

	// The same address again is a conflict, said next to the email.
	status, body, _ = coord.post("/contacts/new", cloneForm(form), true, false)
	if status != 409 || !strings.Contains(body, `id="email-error"`) || countContacts(t, db) != 1 {
		t.Errorf("second add of the same address: %d\n%s", status, body)
	}
}

func TestContactFormEditsAndErases(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	coord, viewer := c[crm.RoleCoordinator], c[crm.RoleViewer]
	ana := contactByEmail(t, db, "ana@example.org")
	path := fmt.Sprintf("/contacts/%d", ana.ID)

	if _, page, _ := viewer.get(path, false); strings.Contains(page, path+"/edit") || strings.Contains(page, `id="erase-form"`) {
		t.Error("a viewer is offered to edit or erase")
	}
	status, page, _ := coord.get(path+"/edit", false)
	if status != 200 || !strings.Contains(page, `value="ana@example.org"`) || !strings.Contains(page, `value="Acme GmbH"`) {
		t.Fatalf("edit form: %d\n%s", status, page)
	}

	// The form posts every field it shows; only what changed is recorded.
	form := url.Values{"email": {"ana@example.org"}, "first_name": {"Ana"}, "last_name": {"Lima-Souza"},
		"job_title": {"Project Manager"}, "organisation": {"Acme GmbH"}, "country": {"DE"}, "language": {""},
		"topics": {"mentoring"}, "tags": {""}}
	if status, _, _ := viewer.post(path+"/edit", cloneForm(form), true, false); status != 403 {
		t.Errorf("viewer edit: %d, want 403", status)
	}
	if status, body := coord.postWith(path+"/edit", form, "email", "ben@example.org"); status != 409 || !strings.Contains(body, "Another contact") {
		t.Errorf("edit to another contact's address: %d\n%s", status, body)
	}
	if got := contactByEmail(t, db, "ana@example.org"); got.LastName != "Lima" {
		t.Fatalf("a refused edit changed the contact: %+v", got)
	}
	status, _, h := coord.post(path+"/edit", cloneForm(form), true, false)
	if status != 303 || h.Get("Location") != path {
		t.Fatalf("edit: %d to %q", status, h.Get("Location"))
	}
	got := contactByEmail(t, db, "ana@example.org")
	if got.LastName != "Lima-Souza" || strings.Join(got.Topics, ",") != "mentoring" || got.Consent != "opt_in" || !got.SeniorityInferred {
		t.Errorf("after the edit: %+v", got)
	}
	acts, err := crm.Timeline(context.Background(), db, ana.ID)
	if err != nil || len(acts) == 0 || acts[0].Kind != "contact.updated" ||
		!strings.Contains(string(acts[0].Details), "last_name") || strings.Contains(string(acts[0].Details), "first_name") {
		t.Errorf("timeline after the edit: %v %+v", err, acts)
	}

	// Erasing needs the confirmation; then the personal data is gone.
	if status, _, _ := coord.post(path+"/erase", url.Values{}, true, false); status != 400 {
		t.Errorf("erase without confirmation: %d, want 400", status)
	}
	if got := contactByEmail(t, db, "ana@example.org"); got.ID != ana.ID {
		t.Fatal("an unconfirmed erase erased")
	}
	if status, _, _ := viewer.post(path+"/erase", url.Values{"confirm": {"erase"}}, true, false); status != 403 {
		t.Errorf("viewer erase: %d, want 403", status)
	}
	status, _, h = coord.post(path+"/erase", url.Values{"confirm": {"erase"}}, true, false)
	if status != 303 || h.Get("Location") != "/contacts" {
		t.Fatalf("erase: %d to %q", status, h.Get("Location"))
	}
	if _, err := crm.ContactByID(context.Background(), db, ana.ID); err == nil {
		t.Error("the erased contact is still readable")
	}
	if status, _, _ := coord.get(path+"/edit", false); status != 410 {
		t.Errorf("edit form of an erased contact: %d, want 410", status)
	}
	if status, _, _ := coord.post(path+"/edit", cloneForm(form), true, false); status != 410 {
		t.Errorf("edit of an erased contact: %d, want 410", status)
	}
}

// postWith posts form with one field replaced, with the session's token.
func (u uiUser) postWith(path string, form url.Values, field, value string) (int, string) {
	u.t.Helper()
	f := cloneForm(form)
	f.Set(field, value)
	status, body, _ := u.post(path, f, true, false)
	return status, body
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func countContacts(t *testing.T, db interface {
	Get(any, string, ...any) error
}) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM contacts`); err != nil {
		t.Fatal(err)
	}
	return n
}
