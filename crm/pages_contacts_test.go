package crm_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"outreach/crm"
	"outreach/crm/segment"
)

const pageContactsCSV = `email,first_name,last_name,organisation,country,job_title,consent
ana@example.org,Ana,Lima,Acme GmbH,DE,Project Manager,opt_in
ben@example.org,Ben,Okafor,Acme GmbH,AT,CEO,
cleo@example.org,Cleo,Martin,Beta SARL,FR,,unsubscribed
`

func TestContactPagesListAndFilter(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	viewer := c[crm.RoleViewer]

	status, page, _ := viewer.get("/contacts", false)
	if status != 200 || len(tableRows(t, page, "contacts")) != 3 || elementText(t, page, "contacts-total") != "3" {
		t.Fatalf("GET /contacts: %d, want 3 rows and a total of 3:\n%s", status, page)
	}
	for _, want := range []string{"ana@example.org", "Ana Lima", "Acme GmbH", "(inferred)", "/organisations/", "opt_in", "unsubscribed"} {
		if !strings.Contains(page, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(page, `href="/contacts/import"`) {
		t.Error("a viewer is offered the import")
	}
	if _, page, _ := c[crm.RoleCoordinator].get("/contacts", false); !strings.Contains(page, `href="/contacts/import"`) {
		t.Error("a coordinator is not offered the import")
	}

	// The expression filters; htmx gets the results block alone.
	status, part, _ := viewer.get("/contacts?q="+url.QueryEscape("country in (DE, AT) and organisation = \"acme gmbh\""), true)
	rows := tableRows(t, part, "contacts")
	if status != 200 || len(rows) != 2 || strings.Contains(part, "cleo@") || elementText(t, part, "contacts-total") != "2" {
		t.Errorf("filtered: %d, %d rows:\n%s", status, len(rows), part)
	}
	if strings.Contains(part, "<html") || !strings.Contains(part, `id="contacts-results"`) {
		t.Errorf("htmx answer is not the results block alone:\n%s", part)
	}
	if !strings.Contains(part, `href="/contacts/export?q=country`) {
		t.Errorf("export link does not keep the expression:\n%s", part)
	}

	// The free-text search looks in names, emails and organisations.
	for s, want := range map[string]int{"lima": 1, "acme": 2, "BETA": 1, "example.org": 3, "ben okafor": 1, `"quoted\`: 0} {
		_, page, _ := viewer.get("/contacts?s="+url.QueryEscape(s), false)
		if got := len(tableRows(t, page, "contacts")); got != want {
			t.Errorf("search %q: %d rows, want %d", s, got, want)
		}
	}
	_, page, _ = viewer.get("/contacts?s=acme&q="+url.QueryEscape("country = AT"), false)
	if rows := tableRows(t, page, "contacts"); len(rows) != 1 || !strings.Contains(rows[0], "ben@example.org") {
		t.Errorf("search and expression together: %v", rows)
	}

	// The export is a CSV download of what the list shows.
	status, csv, h := viewer.get("/contacts/export?q="+url.QueryEscape("country = FR"), false)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
		!strings.Contains(csv, "cleo@example.org") || strings.Contains(csv, "ana@") || !strings.HasPrefix(csv, "email,") {
		t.Errorf("export: %d %q:\n%s", status, h.Get("Content-Disposition"), csv)
	}
	if status, body, _ := viewer.get("/contacts/export?q="+url.QueryEscape("country = "), false); status != 400 || !strings.Contains(body, "position") {
		t.Errorf("export with a bad expression: %d\n%s", status, body)
	}
}

func TestContactPagesPaginate(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	var csv strings.Builder
	csv.WriteString("email,country\n")
	for i := range 120 {
		fmt.Fprintf(&csv, "p%03d@example.org,DE\n", i)
	}
	importString(t, db, csv.String())
	q := url.QueryEscape("country = DE")
	_, page, _ := c[crm.RoleViewer].get("/contacts?q="+q+"&page=2", false)
	if n := len(tableRows(t, page, "contacts")); n != 50 || !strings.Contains(page, "p050@") || strings.Contains(page, "p049@") {
		t.Errorf("page 2 has %d rows or the wrong ones", n)
	}
	inHTML := strings.ReplaceAll(q, "+", "&#43;") // html/template escapes + in attributes
	for _, want := range []string{`href="/contacts?page=3&amp;q=` + inHTML + `"`, `href="/contacts?q=` + inHTML + `"`, "Page 2 of 3"} {
		if !strings.Contains(page, want) {
			t.Errorf("pager lacks %s:\n%s", want, page[strings.Index(page, `<nav class="pager"`):])
		}
	}
}

func TestContactPagesShowExpressionErrors(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	for _, q := range []string{"country in (DE, AT", "seniority = boss", "countryy = DE", "replied(campaign 1)"} {
		var se *segment.Error
		_, err := crm.Contacts(context.Background(), db, crm.Filter{Where: q}, 1, 50)
		if !errors.As(err, &se) {
			t.Fatalf("%q: %v, want a segment error", q, err)
		}
		for _, htmx := range []bool{false, true} {
			status, page, _ := c[crm.RoleViewer].get("/contacts?q="+url.QueryEscape(q), htmx)
			if status != 200 {
				t.Errorf("%q: status %d", q, status)
			}
			msg := elementText(t, page, "q-error")
			if !strings.Contains(msg, "position "+strconv.Itoa(se.Pos)) {
				t.Errorf("%q: error %q, want position %d", q, msg, se.Pos)
			}
			if rows := tableRows(t, page, "contacts"); len(rows) != 0 {
				t.Errorf("%q: %d rows shown with a bad expression", q, len(rows))
			}
		}
	}
}

func TestContactPageTimelineAndOverrides(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	id := contactByEmail(t, db, "ana@example.org").ID
	path := fmt.Sprintf("/contacts/%d", id)
	coord, viewer := c[crm.RoleCoordinator], c[crm.RoleViewer]

	status, page, _ := viewer.get(path, false)
	for _, want := range []string{"Ana Lima", "Project Manager", "middle", "inferred", "contact.created", "test", `id="contact-timeline"`} {
		if !strings.Contains(page, want) {
			t.Errorf("contact page lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(page, `id="seniority-form"`) {
		t.Errorf("viewer: %d, or offered the override form", status)
	}

	// A viewer and a post without the token change nothing.
	if status, _, _ := viewer.post(path+"/seniority", url.Values{"seniority": {"executive"}}, true, false); status != 403 {
		t.Errorf("viewer override: %d, want 403", status)
	}
	if status, _, _ := coord.post(path+"/seniority", url.Values{"seniority": {"executive"}}, false, false); status != 403 {
		t.Errorf("override without CSRF token: %d, want 403", status)
	}
	if status, _, _ := coord.post(path+"/consent", url.Values{"consent": {"unsubscribed"}}, false, false); status != 403 {
		t.Errorf("consent without CSRF token: %d, want 403", status)
	}
	if got, _ := crm.ContactByID(context.Background(), db, id); got.Seniority != "middle" || !got.SeniorityInferred || got.Consent != "opt_in" {
		t.Fatalf("refused posts changed the contact: %+v", got)
	}

	// A coordinator's override is a fact, recorded on the timeline.
	status, _, h := coord.post(path+"/seniority", url.Values{"seniority": {"executive"}}, true, false)
	if status != 303 || h.Get("Location") != path {
		t.Fatalf("override: %d to %q", status, h.Get("Location"))
	}
	if status, _, _ := coord.post(path+"/consent", url.Values{"consent": {"unsubscribed"}}, true, false); status != 303 {
		t.Fatalf("consent: %d", status)
	}
	got, _ := crm.ContactByID(context.Background(), db, id)
	if got.Seniority != "executive" || got.SeniorityInferred || got.Consent != "unsubscribed" {
		t.Errorf("after the overrides: %s inferred=%v %s", got.Seniority, got.SeniorityInferred, got.Consent)
	}
	_, page, _ = coord.get(path, false)
	if s := elementText(t, page, "contact-seniority"); s != "executive" || !strings.Contains(page, "contact.updated") ||
		!strings.Contains(page, "seniority") || !strings.Contains(page, "coordinator@example.org") {
		t.Errorf("page after override shows %q:\n%s", s, page)
	}
	if !strings.Contains(page, `<option value="executive" selected>`) {
		t.Error("the form does not preselect the current seniority")
	}

	// A value outside the vocabulary is refused with its reason.
	if status, body, _ := coord.post(path+"/seniority", url.Values{"seniority": {"boss"}}, true, false); status != 400 || !strings.Contains(body, "boss") {
		t.Errorf("bad seniority: %d\n%s", status, body)
	}
	if status, _, _ := viewer.get("/contacts/999999", false); status != 404 {
		t.Errorf("unknown contact: %d, want 404", status)
	}
	if status, _, _ := viewer.get("/contacts/nope", false); status != 404 {
		t.Errorf("non-numeric id: %d, want 404", status)
	}
}

func TestContactPagesEscapeContactData(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	name, email := "<script>alert(1)</script>", "x@example.org"
	ct, err := crm.CreateContact(context.Background(), db, crm.ContactPatch{Email: &email, FirstName: &name}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/contacts", fmt.Sprintf("/contacts/%d", ct.ID)} {
		_, page, _ := c[crm.RoleViewer].get(path, false)
		if strings.Contains(page, name) || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not escape the name:\n%s", path, page)
		}
	}
}

func TestContactPagesNeedASession(t *testing.T) {
	c := newUI(t, uiOptions{}).as
	anon := c[crm.RoleViewer]
	anon.secret = ""
	status, _, h := anon.get("/contacts?q=x", false)
	if status != 303 || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
		t.Errorf("GET /contacts without a session: %d to %q, want a redirect to /login", status, h.Get("Location"))
	}
}

func TestContactImportPage(t *testing.T) {
	ui := newUI(t, uiOptions{maxImportBytes: 64 << 10})
	db, c := ui.db, ui.as
	importString(t, db, "email,first_name,country\nsame@example.org,Sam,DE\nold@example.org,Old,DE\n")
	coord := c[crm.RoleCoordinator]

	if status, page, _ := coord.get("/contacts/import", false); status != 200 || !strings.Contains(page, `id="import-form"`) ||
		!strings.Contains(page, `name="csrf"`) || !strings.Contains(page, "64 KiB") {
		t.Errorf("import form: %d\n%s", status, page)
	}
	if status, _, _ := c[crm.RoleViewer].get("/contacts/import", false); status != 403 {
		t.Errorf("viewer import form: %d, want 403", status)
	}

	file := "email;first_name;country\r\nsame@example.org;Sam;DE\r\nold@example.org;Renamed;DE\r\nnew@example.org;New;FR\r\nnot-an-email;Bad;DE\r\n"
	for _, htmx := range []bool{true, false} {
		status, page, _ := coord.upload("people.csv", file, "Summit 2026", htmx)
		want := map[string]string{"import-inserted": "1", "import-updated": "1", "import-unchanged": "1"}
		if !htmx { // the same file again: everything is known now
			want = map[string]string{"import-inserted": "0", "import-updated": "0", "import-unchanged": "3"}
		}
		for id, n := range want {
			if got := elementText(t, page, id); got != n {
				t.Errorf("htmx=%v: %s = %s, want %s", htmx, id, got, n)
			}
		}
		rows := tableRows(t, page, "import-rejected")
		if status != 200 || len(rows) != 1 || !strings.Contains(rows[0], ">5<") || !strings.Contains(rows[0], ">email<") ||
			!strings.Contains(rows[0], "&#34;not-an-email&#34; is not a valid email address") {
			t.Errorf("htmx=%v: %d, rejected rows %q", htmx, status, rows)
		}
		if htmx == strings.Contains(page, "<html") {
			t.Errorf("htmx=%v: whole page %v", htmx, !htmx)
		}
	}
	if got, _ := crm.ContactByID(context.Background(), db, contactByEmail(t, db, "new@example.org").ID); got.ConsentSource != "Summit 2026" {
		t.Errorf("consent source %q, want the source name", got.ConsentSource)
	}

	// A file refused as a whole says why and imports nothing.
	var before int
	db.Get(&before, `SELECT count(*) FROM contacts`)
	for _, tc := range []struct {
		name, content, want string
		status              int
	}{
		{"names.csv", "name,country\nAna,DE\n", "no email column", 400},
		{"photo.csv", "\x89PNG\x00\x01", "not a CSV text file", 400},
		{"big.csv", "email\n" + strings.Repeat("a@example.org\n", 6000), "larger than the limit of 64 KiB", 413},
	} {
		status, page, _ := coord.upload(tc.name, tc.content, "", false)
		if status != tc.status || !strings.Contains(elementText(t, page, "import-error"), tc.want) || strings.Contains(page, `id="import-result"`) {
			t.Errorf("%s: %d, want %d and %q:\n%s", tc.name, status, tc.status, tc.want, page)
		}
		// htmx swaps only 2xx answers, so it gets the message with a 200.
		if status, part, _ := coord.upload(tc.name, tc.content, "", true); status != 200 || !strings.Contains(part, tc.want) {
			t.Errorf("%s via htmx: %d\n%s", tc.name, status, part)
		}
	}
	var after int
	db.Get(&after, `SELECT count(*) FROM contacts`)
	if after != before {
		t.Errorf("refused files changed the contacts: %d to %d", before, after)
	}

	// A viewer's upload and one without a token import nothing.
	if status, _, _ := c[crm.RoleViewer].upload("v.csv", "email\nv@example.org\n", "", true); status != 403 {
		t.Errorf("viewer upload: %d, want 403", status)
	}
	noToken := coord
	noToken.csrf = ""
	if status, _, _ := noToken.upload("n.csv", "email\nn@example.org\n", "", false); status != 403 {
		t.Errorf("upload without a token: %d, want 403", status)
	}
	db.Get(&after, `SELECT count(*) FROM contacts`)
	if after != before {
		t.Errorf("refused uploads changed the contacts: %d to %d", before, after)
	}
}

func TestOrganisationPages(t *testing.T) {
	ui := newUI(t, uiOptions{})
	db, c := ui.db, ui.as
	importString(t, db, pageContactsCSV)
	ctx := context.Background()
	var orgID int64
	db.Get(&orgID, `SELECT id FROM organisations WHERE name = 'Acme GmbH'`)
	ana, ben := contactByEmail(t, db, "ana@example.org").ID, contactByEmail(t, db, "ben@example.org").ID
	title := "Head of Finance"
	if _, err := crm.UpdateContact(ctx, db, ana, crm.ContactPatch{JobTitle: &title}, "test"); err != nil {
		t.Fatal(err)
	}

	// The domain function lists the people, without erased ones.
	if err := crm.EraseContact(ctx, db, ben, "test"); err != nil {
		t.Fatal(err)
	}
	people, err := crm.OrganisationContacts(ctx, db, orgID, 50, 0)
	if err != nil || len(people) != 1 || people[0].Email != "ana@example.org" || people[0].Organisation != "Acme GmbH" {
		t.Fatalf("OrganisationContacts: %v %+v", err, people)
	}

	viewer := c[crm.RoleViewer]
	_, page, _ := viewer.get("/organisations", false)
	if rows := tableRows(t, page, "organisations"); len(rows) != 2 {
		t.Errorf("organisations: %d rows", len(rows))
	}
	_, part, _ := viewer.get("/organisations?search=acme", true)
	if rows := tableRows(t, part, "organisations"); len(rows) != 1 || !strings.Contains(rows[0], fmt.Sprintf(`href="/organisations/%d"`, orgID)) {
		t.Errorf("search: %v", rows)
	}

	status, page, _ := viewer.get(fmt.Sprintf("/organisations/%d", orgID), false)
	people2 := tableRows(t, page, "organisation-people")
	if status != 200 || len(people2) != 1 || !strings.Contains(people2[0], fmt.Sprintf(`href="/contacts/%d"`, ana)) {
		t.Errorf("organisation page: %d, people %v", status, people2)
	}
	timeline := tableRows(t, page, "organisation-timeline")
	if len(timeline) == 0 || !strings.Contains(timeline[0], "contact.updated") || !strings.Contains(timeline[0], "Ana Lima") {
		t.Errorf("organisation timeline: %v", timeline)
	}
	if status, _, _ := viewer.get("/organisations/999999", false); status != 404 {
		t.Errorf("unknown organisation: %d, want 404", status)
	}
}
