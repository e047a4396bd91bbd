package crm_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/migrations/testdb"
	"outreach/templates/web"
)

// segPagesServer serves the CRM pages as newMux does, over a database with
// a few contacts.
func segPagesServer(t *testing.T) (*sqlx.DB, string) {
	t.Helper()
	db, _ := testdb.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log)
	if err != nil {
		t.Fatal(err)
	}
	ui := &crm.Web{DB: db, Pages: pages, Log: log}
	mux := http.NewServeMux()
	ui.Routes(mux)
	(&crm.Pages{Web: ui, DB: db, Log: log, MaxImportBytes: 1 << 20}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	importString(t, db, `email,first_name,organisation,organisation_type,country,seniority,topics
a@example.org,Ann,Hub One,business_support,DE,middle,access_to_finance
b@example.org,Ben,Hub One,business_support,AT,operational,
c@example.org,Cem,Bank,finance,DE,executive,access_to_finance
d@example.org,<script>alert(1)</script>,NGO,ngo,FR,middle,
`)
	return db, srv.URL
}

// segClient is a signed-in user of the UI.
type segClient struct {
	t      *testing.T
	base   string
	secret string
	csrf   string
	user   crm.User
}

func segSignIn(t *testing.T, db *sqlx.DB, base string, role crm.Role) segClient {
	t.Helper()
	ctx := context.Background()
	u, err := crm.AddUser(ctx, db, string(role)+"@staff.example.org", strings.ToUpper(string(role[:1]))+string(role[1:]), role, "a-long-password")
	if err != nil {
		t.Fatal(err)
	}
	secret, sess, err := crm.CreateSession(ctx, db, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return segClient{t: t, base: base, secret: secret, csrf: sess.CSRF, user: u}
}

func (c segClient) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	req.AddCookie(&http.Cookie{Name: "outreach_session", Value: c.secret})
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c segClient) get(path string, htmx bool) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	res, body := c.do(req)
	return res.StatusCode, body
}

// post sends a form with the session's CSRF token, as the pages' forms do.
func (c segClient) post(path string, form url.Values, htmx bool) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return c.do(req)
}

// segElementText returns the text inside the element with that id, or fails.
func segElementText(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)id="` + regexp.QuoteMeta(id) + `"[^>]*>(.*?)</`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no element #%s in:\n%s", id, body)
	}
	return html.UnescapeString(strings.TrimSpace(m[1]))
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
	db, base := segPagesServer(t)
	c := segSignIn(t, db, base, crm.RoleCoordinator)

	status, body := c.get("/segments/new", false)
	if status != http.StatusOK {
		t.Fatalf("builder: %d\n%s", status, body)
	}
	for _, id := range []string{`id="expression"`, `name="expression"`, `id="segment-name"`, `id="segment-save"`, `id="segment-count"`, `id="breakdown"`, `hx-trigger="input changed delay:300ms"`} {
		if !strings.Contains(body, id) {
			t.Errorf("builder lacks %s", id)
		}
	}
	if got := segElementText(t, body, "segment-count"); got != "4" {
		t.Errorf("blank expression counts %s, want all 4", got)
	}

	status, body = c.get("/segments/preview?expression="+url.QueryEscape("country = DE or organisation_type = ngo"), true)
	if status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", status, body)
	}
	if strings.Contains(body, "<html") {
		t.Error("the preview partial carries the whole layout")
	}
	if got := segElementText(t, body, "segment-count"); got != "3" {
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
	db, base := segPagesServer(t)
	c := segSignIn(t, db, base, crm.RoleViewer)
	status, body := c.get("/segments/preview?expression="+url.QueryEscape("country = DE and senority = middle"), true)
	if status != http.StatusOK {
		t.Fatalf("preview: %d", status)
	}
	msg := segElementText(t, body, "expression-error")
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
	db, base := segPagesServer(t)
	c := segSignIn(t, db, base, crm.RoleCoordinator)

	res, body := c.post("/segments/builder/add", url.Values{
		"expression": {"country = DE or country = AT"}, "field": {"organisation"}, "op": {"="}, "value": {`Hub "One"`},
	}, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("add: %d\n%s", res.StatusCode, body)
	}
	want := `(country = DE or country = AT) and organisation = "Hub \"One\""`
	if got := segElementText(t, body, "expression"); got != want {
		t.Errorf("expression = %s, want %s", got, want)
	}
	if !strings.Contains(body, `id="segment-preview" hx-swap-oob="true"`) {
		t.Errorf("the preview is not swapped out of band:\n%s", body)
	}

	// A list operator takes comma-separated values; the count follows.
	res, body = c.post("/segments/builder/add", url.Values{
		"expression": {"seniority = middle"}, "field": {"country"}, "op": {"in"}, "value": {"DE, France"},
	}, true)
	if got := segElementText(t, body, "expression"); got != "seniority = middle and country in (DE, France)" {
		t.Errorf("expression = %s", got)
	}
	if got := segElementText(t, body, "segment-count"); got != "2" {
		t.Errorf("count after adding = %s, want 2", got)
	}

	// A refused condition leaves the expression alone and says why.
	_, body = c.post("/segments/builder/add", url.Values{
		"expression": {"seniority = middle"}, "field": {"seniority"}, "op": {"="}, "value": {""},
	}, true)
	if got := segElementText(t, body, "expression"); got != "seniority = middle" {
		t.Errorf("expression changed to %s", got)
	}
	if got := segElementText(t, body, "picker-error"); !strings.Contains(got, "value") {
		t.Errorf("picker error = %q", got)
	}

	// Choosing a field offers its operators and values.
	status, body := c.get("/segments/builder/controls?field=organisation_type", true)
	if status != http.StatusOK || !strings.Contains(body, `<option value="chamber">`) || !strings.Contains(body, `<option value="not in">`) {
		t.Errorf("controls for organisation_type: %d\n%s", status, body)
	}
}

func TestSegmentSaveListAndDelete(t *testing.T) {
	db, base := segPagesServer(t)
	c := segSignIn(t, db, base, crm.RoleCoordinator)

	res, body := c.post("/segments", url.Values{"name": {"German contacts"}, "expression": {"country = DE"}}, false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/segments" {
		t.Fatalf("save: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	list, err := crm.Segments(context.Background(), db)
	if err != nil || len(list) != 1 || list[0].Name != "German contacts" || list[0].Where != "country = DE" {
		t.Fatalf("saved segments = %+v, %v", list, err)
	}

	status, body := c.get("/segments", false)
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
	res, body = c.post("/segments", url.Values{"name": {"Broken"}, "expression": {"country = "}}, false)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(segElementText(t, body, "expression-error"), "position") {
		t.Errorf("bad expression: %d\n%s", res.StatusCode, body)
	}
	if got := segElementText(t, body, "expression"); got != "country =" && got != "country = " {
		t.Errorf("the typed expression was not kept: %q", got)
	}
	res, body = c.post("/segments", url.Values{"name": {" "}, "expression": {"country = AT"}}, false)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="segment-name-error"`) {
		t.Errorf("blank name: %d\n%s", res.StatusCode, body)
	}
	res, _ = c.post("/segments", url.Values{"name": {"German contacts"}, "expression": {"country = AT"}}, false)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("duplicate name: %d", res.StatusCode)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("%d segments after refused saves, want 1", n)
	}

	res, _ = c.post("/segments/"+itoa(list[0].ID)+"/delete", nil, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: %d", res.StatusCode)
	}
	if n := segmentCount(t, db); n != 0 {
		t.Errorf("%d segments after delete", n)
	}
}

func TestSegmentViewerCannotSave(t *testing.T) {
	db, base := segPagesServer(t)
	coord := segSignIn(t, db, base, crm.RoleCoordinator)
	coord.post("/segments", url.Values{"name": {"Keep"}, "expression": {"country = DE"}}, false)
	v := segSignIn(t, db, base, crm.RoleViewer)

	status, body := v.get("/segments/new", false)
	if status != http.StatusOK || strings.Contains(body, `id="segment-save"`) {
		t.Errorf("viewer's builder: %d, save button shown: %v", status, strings.Contains(body, `id="segment-save"`))
	}
	res, _ := v.post("/segments", url.Values{"name": {"Mine"}, "expression": {"country = AT"}}, false)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer save: %d, want 403", res.StatusCode)
	}
	res, _ = v.post("/segments/1/delete", nil, false)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer delete: %d, want 403", res.StatusCode)
	}
	if n := segmentCount(t, db); n != 1 {
		t.Errorf("%d segments, want the coordinator's one", n)
	}
	if _, body := v.get("/segments", false); strings.Contains(body, "/delete") || strings.Contains(body, `id="segment-new"`) {
		t.Error("the viewer is offered changes")
	}
}

func TestSegmentBuilderEscapesContactData(t *testing.T) {
	db, base := segPagesServer(t)
	c := segSignIn(t, db, base, crm.RoleCoordinator)
	_, body := c.get("/segments/new?expression="+url.QueryEscape(`first_name = "<script>alert(1)</script>"`), false)
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("the expression is not escaped")
	}
	if got := segElementText(t, body, "segment-count"); got != "1" {
		t.Errorf("count = %s, want 1", got)
	}
}
