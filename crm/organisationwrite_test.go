package crm_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"outreach/crm"
)

// An organisation that came without a type is given one, and segments see
// its people under it from then on.
func TestAPIOrganisationPatch(t *testing.T) {
	db, c := newAPI(t)
	importString(t, db, pageContactsCSV) // Acme GmbH (DE, AT people), Beta SARL; no types
	acme := contactByEmail(t, db, "ana@example.org").OrganisationID
	path := "/api/v1/organisations/" + itoa(*acme)
	businessSupport := func() int {
		var out struct{ Count int }
		q := url.QueryEscape("organisation_type = business_support")
		if status := c[crm.RoleViewer].do("GET", "/api/v1/segments/preview?where="+q, "", "", &out); status != 200 {
			t.Fatalf("segment preview: %d", status)
		}
		return out.Count
	}
	if n := businessSupport(); n != 0 {
		t.Fatalf("before: %d business-support contacts", n)
	}

	if status := c[crm.RoleViewer].do("PATCH", path, "application/json", `{"type":"business_support"}`, nil); status != 403 {
		t.Errorf("viewer: %d, want 403", status)
	}
	for body, field := range map[string]string{
		`{"type":"bakery"}`:                         "type",
		`{"country":"Atlantis"}`:                    "country",
		`{"name":"  "}`:                             "name",
		`{"website":"javascript:alert(1)"}`:         "website",
		`{"website":"not a site"}`:                  "website",
		`{"website":"ftp://files.example.org"}`:     "website",
		`{"type":"business_support","country":"X"}`: "country",
	} {
		var e struct{ Error, Field string }
		if status := c[crm.RoleCoordinator].do("PATCH", path, "application/json", body, &e); status != 400 || !strings.Contains(e.Error, field) {
			t.Errorf("%s: %d %+v, want 400 naming %s", body, status, e, field)
		}
	}
	if status := c[crm.RoleCoordinator].do("PATCH", path, "application/json", `{"name":"beta sarl"}`, nil); status != 409 {
		t.Errorf("renamed to another organisation's name: %d, want 409", status)
	}
	if n := businessSupport(); n != 0 {
		t.Fatalf("refused patches changed the organisation: %d business-support contacts", n)
	}

	var o crm.Organisation
	status := c[crm.RoleCoordinator].do("PATCH", path, "application/json",
		`{"type":"Business support","country":"Germany","city":" Berlin ","website":"acme.example.org"}`, &o)
	if status != 200 || o.Type != "business_support" || o.Country != "DE" || o.City != "Berlin" || o.Website != "acme.example.org" || o.Name != "Acme GmbH" {
		t.Fatalf("patch: %d %+v", status, o)
	}
	if n := businessSupport(); n != 2 {
		t.Errorf("after the patch: %d business-support contacts, want Acme's 2", n)
	}
	acts, err := crm.OrganisationTimeline(context.Background(), db, *acme)
	if err != nil || len(acts) == 0 || acts[0].Kind != "organisation.updated" || !strings.Contains(string(acts[0].Details), `"type"`) {
		t.Errorf("timeline: %v %+v", err, acts)
	}
	// The same patch again changes nothing and records nothing.
	c[crm.RoleCoordinator].do("PATCH", path, "application/json", `{"type":"business_support"}`, nil)
	if again, _ := crm.OrganisationTimeline(context.Background(), db, *acme); len(again) != len(acts) {
		t.Errorf("an empty change was recorded: %d entries, then %d", len(acts), len(again))
	}
	if status := c[crm.RoleCoordinator].do("PATCH", "/api/v1/organisations/999999", "application/json", `{"city":"x"}`, nil); status != 404 {
		t.Errorf("unknown organisation: %d, want 404", status)
	}
}

func TestOrganisationForm(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	acme := *contactByEmail(t, db, "ana@example.org").OrganisationID
	path := fmt.Sprintf("/organisations/%d", acme)
	coord, viewer := c[crm.RoleCoordinator], c[crm.RoleViewer]

	if _, page, _ := viewer.get(path, false); strings.Contains(page, path+"/edit") {
		t.Error("a viewer is offered to edit the organisation")
	}
	if _, page, _ := coord.get(path, false); !strings.Contains(page, path+"/edit") {
		t.Error("a coordinator is not offered to edit the organisation")
	}
	status, page, _ := coord.get(path+"/edit", false)
	if status != 200 || !strings.Contains(page, `value="Acme GmbH"`) || !strings.Contains(page, `<option value="business_support">`) {
		t.Fatalf("edit form: %d\n%s", status, page)
	}
	form := url.Values{"name": {"Acme GmbH"}, "type": {"business_support"}, "country": {"Atlantis"}, "city": {"Wien"}, "website": {""}}
	status, page, _ = coord.post(path+"/edit", form, true, false)
	if status != 400 || !strings.Contains(page, `id="country-error"`) || !strings.Contains(page, `value="Wien"`) {
		t.Errorf("bad country: %d\n%s", status, page)
	}
	if status, _, _ := viewer.post(path+"/edit", url.Values{"name": {"Acme GmbH"}, "type": {"finance"}}, true, false); status != 403 {
		t.Errorf("viewer post: %d, want 403", status)
	}
	if o, _ := crm.OrganisationByID(context.Background(), db, acme); o.Type != "" || o.City != "" {
		t.Fatalf("refused posts changed the organisation: %+v", o)
	}
	form.Set("country", "AT")
	status, _, h := coord.post(path+"/edit", form, true, false)
	if status != 303 || h.Get("Location") != path {
		t.Fatalf("save: %d to %q", status, h.Get("Location"))
	}
	_, page, _ = coord.get(path, false)
	details, _, _ := strings.Cut(page, "</table>")
	if !strings.Contains(details, "<td>business_support</td>") || !strings.Contains(details, "<td>Wien</td>") || !strings.Contains(details, "<td>AT</td>") {
		t.Errorf("the page after saving shows:\n%s", details)
	}
	if !strings.Contains(page, "organisation.updated") {
		t.Error("the change is not on the organisation's timeline")
	}
}
