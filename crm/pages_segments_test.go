package crm_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
)

// segmentsUI is the UI over a database with a few contacts.
func segmentsUI(t *testing.T) testUI {
	t.Helper()
	ui := newUI(t, uiOptions{maxImportBytes: 1 << 20})
	importString(t, ui.db, `email,first_name,organisation,organisation_type,country,seniority,topics
a@example.org,Ann,Hub One,business_support,DE,middle,access_to_finance
b@example.org,Ben,Hub One,business_support,AT,operational,
c@example.org,Cem,Bank,finance,DE,executive,access_to_finance
d@example.org,<script>alert(1)</script>,NGO,ngo,FR,middle,
`)
	return ui
}

func segmentCount(t *testing.T, db *sqlx.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM segments`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSegmentBuilderPagePreview(t *testing.T) {
	ui := segmentsUI(t)
	c := ui.as[crm.RoleCoordinator]

	status, body, _ := c.get("/segments/new", false)
	if status != http.StatusOK {
		t.Fatalf("builder: %d\n%s", status, body)
	}
	for _, id := range []string{`id="expression"`, `name="expression"`, `id="segment-name"`, `id="segment-save"`, `id="segment-count"`, `id="breakdown"`, `hx-trigger="input changed delay:300ms"`} {
		if !strings.Contains(body, id) {
			t.Errorf("builder lacks %s", id)
		}
	}
	if got := elementText(t, body, "segment-count"); got != "4" {
		t.Errorf("blank expression counts %s, want all 4", got)
	}

	status, body, _ = c.get("/segments/preview?expression="+url.QueryEscape("country = DE or organisation_type = ngo"), true)
	if status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", status, body)
	}
	if strings.Contains(body, "<html") {
		t.Error("the preview partial carries the whole layout")
	}
	if got := elementText(t, body, "segment-count"); got != "3" {
		t.Errorf("count = %s, want 3", got)
	}
	breakdown := body[strings.Index(body, `id="breakdown"`):]
	for _, want := range []string{
		`<td>middle</td><td class="num">2</td>`,
		`<td>executive</td><td class="num">1</td>`,
		`<td>operational</td><td class="num">0</td>`,
		`<td>business support</td><td class="num">1</td>`,
		`<td>Germany (DE)</td><td class="num">2</td>`,
		`<td>France (FR)</td><td class="num">1</td>`,
	} {
		if !strings.Contains(breakdown, want) {
			t.Errorf("breakdown lacks %s:\n%s", want, breakdown)
		}
	}
	if strings.Contains(body, "expression-error") {
		t.Error("a valid expression shows an error")
	}
}

func TestSegmentBuilderShowsPositionedError(t *testing.T) {
	ui := segmentsUI(t)
	c := ui.as[crm.RoleViewer]
	status, body, _ := c.get("/segments/preview?expression="+url.QueryEscape("country = DE and senority = middle"), true)
	if status != http.StatusOK {
		t.Fatalf("preview: %d", status)
	}
	msg := elementText(t, body, "expression-error")
	if !strings.Contains(msg, "position 18") || !strings.Contains(msg, "seniority") {
		t.Errorf("error = %q, want the position of the unknown field and a suggestion", msg)
	}
	if !strings.Contains(body, `class="field-error" id="expression-error"`) {
		t.Error("the error is not a .field-error")
	}
	if strings.Contains(body, "segment-count") {
		t.Error("a malformed expression still shows a count")
	}
}

func TestSegmentBuilderAddsConditions(t *testing.T) {
	ui := segmentsUI(t)
	c := ui.as[crm.RoleCoordinator]

	// add posts the picker's condition as htmx does.
	add := func(expression, field, op, value string) (int, string) {
		t.Helper()
		status, body, _ := c.post("/segments/builder/add", url.Values{
			"expression": {expression}, "field": {field}, "op": {op}, "value": {value}}, true, true)
		return status, body
	}
	status, body := add("country = DE or country = AT", "organisation", "=", `Hub "One"`)
	if status != http.StatusOK {
		t.Fatalf("add: %d\n%s", status, body)
	}
	want := `(country = DE or country = AT) and organisation = "Hub \"One\""`
	if got := elementText(t, body, "expression"); got != want {
		t.Errorf("expression = %s, want %s", got, want)
	}
	if !strings.Contains(body, `id="segment-preview" hx-swap-oob="true"`) {
		t.Errorf("the preview is not swapped out of band:\n%s", body)
	}

	// A list operator takes comma-separated values; the count follows.
	_, body = add("seniority = middle", "country", "in", "DE, France")
	if got := elementText(t, body, "expression"); got != "seniority = middle and country in (DE, France)" {
		t.Errorf("expression = %s", got)
	}
	if got := elementText(t, body, "segment-count"); got != "2" {
		t.Errorf("count after adding = %s, want 2", got)
	}

	// A refused condition leaves the expression alone and says why.
	_, body = add("seniority = middle", "seniority", "=", "")
	if got := elementText(t, body, "expression"); got != "seniority = middle" {
		t.Errorf("expression changed to %s", got)
	}
	if got := elementText(t, body, "picker-error"); !strings.Contains(got, "value") {
		t.Errorf("picker error = %q", got)
	}

	// Choosing a field offers its operators and values.
	status, body, _ = c.get("/segments/builder/controls?field=organisation_type", true)
	if status != http.StatusOK || !strings.Contains(body, `<option value="chamber">`) || !strings.Contains(body, `<option value="not in">`) {
		t.Errorf("controls for organisation_type: %d\n%s", status, body)
	}
}

func TestSegmentSaveListAndDelete(t *testing.T) {
	ui := segmentsUI(t)
	db := ui.db
	c := ui.as[crm.RoleCoordinator]

	status, body, h := c.post("/segments", url.Values{"name": {"German contacts"}, "expression": {"country = DE"}}, true, false)
	if status != http.StatusSeeOther || h.Get("Location") != "/segments" {
		t.Fatalf("save: %d %s\n%s", status, h.Get("Location"), body)
	}
	list, err := crm.Segments(context.Background(), db)
	if err != nil || len(list) != 1 || list[0].Name != "German contacts" || list[0].Where != "country = DE" {
		t.Fatalf("saved segments = %+v, %v", list, err)
	}

	status, body, _ = c.get("/segments", false)
	if status != http.StatusOK {
		t.Fatalf("list: %d", status)
	}
	row := body[strings.Index(body, `id="segment-`):]
	for _, want := range []string{"German contacts", "<code>country = DE</code>", `<td class="num">2</td>`,
		`href="/contacts?q=country%20%3d%20DE"`, `action="/segments/` + itoa(list[0].ID) + `/delete"`, `href="/segments/new"`} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %s:\n%s", want, row)
		}
	}

	// A malformed expression or a missing name saves nothing and says why.
	status, body, _ = c.post("/segments", url.Values{"name": {"Broken"}, "expression": {"country = "}}, true, false)
	if status != http.StatusBadRequest || !strings.Contains(elementText(t, body, "expression-error"), "position") {
		t.Errorf("bad expression: %d\n%s", status, body)
	}
	if got := elementText(t, body, "expression"); got != "country =" && got != "country = " {
		t.Errorf("the typed expression was not kept: %q", got)
	}
	status, body, _ = c.post("/segments", url.Values{"name": {" "}, "expression": {"country = AT"}}, true, false)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="segment-name-error"`) {
		t.Errorf("blank name: %d\n%s", status, body)
	}
	status, _, _ = c.post("/segments", url.Values{"name": {"German contacts"}, "expression": {"country = AT"}}, true, false)
	if status != http.StatusConflict {
		t.Errorf("duplicate name: %d", status)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("%d segments after refused saves, want 1", n)
	}

	status, _, _ = c.post("/segments/"+itoa(list[0].ID)+"/delete", nil, true, false)
	if status != http.StatusSeeOther {
		t.Errorf("delete: %d", status)
	}
	if n := segmentCount(t, db); n != 0 {
		t.Errorf("%d segments after delete", n)
	}
}

func TestSegmentViewerCannotSave(t *testing.T) {
	ui := segmentsUI(t)
	db := ui.db
	coord := ui.as[crm.RoleCoordinator]
	coord.post("/segments", url.Values{"name": {"Keep"}, "expression": {"country = DE"}}, true, false)
	v := ui.as[crm.RoleViewer]

	status, body, _ := v.get("/segments/new", false)
	if status != http.StatusOK || strings.Contains(body, `id="segment-save"`) {
		t.Errorf("viewer's builder: %d, save button shown: %v", status, strings.Contains(body, `id="segment-save"`))
	}
	status, _, _ = v.post("/segments", url.Values{"name": {"Mine"}, "expression": {"country = AT"}}, true, false)
	if status != http.StatusForbidden {
		t.Errorf("viewer save: %d, want 403", status)
	}
	status, _, _ = v.post("/segments/1/delete", nil, true, false)
	if status != http.StatusForbidden {
		t.Errorf("viewer delete: %d, want 403", status)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("%d segments, want the coordinator's one", n)
	}
	if _, body, _ := v.get("/segments", false); strings.Contains(body, "/delete") || strings.Contains(body, `id="segment-new"`) {
		t.Error("the viewer is offered changes")
	}
}

func TestSegmentBuilderEscapesContactData(t *testing.T) {
	ui := segmentsUI(t)
	c := ui.as[crm.RoleCoordinator]
	_, body, _ := c.get("/segments/new?expression="+url.QueryEscape(`first_name = "<script>alert(1)</script>"`), false)
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the expression is not escaped")
	}
	if got := elementText(t, body, "segment-count"); got != "1" {
		t.Errorf("count = %s, want 1", got)
	}
}
