package crm_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
)

type apiClient struct {
	t   *testing.T
	srv *httptest.Server
	key string
}

// newAPI serves the CRM API over a fresh database and returns one client
// per role.
func newAPI(t *testing.T) (*sqlx.DB, map[crm.Role]apiClient) {
	db := newDB(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	(&crm.API{DB: db, Auth: crm.Auth{DB: db, Log: log}, Log: log, MaxImportBytes: 4096}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clients := map[crm.Role]apiClient{}
	for _, r := range []crm.Role{crm.RoleAdmin, crm.RoleCoordinator, crm.RoleViewer} {
		secret, _, err := crm.CreateAPIKey(context.Background(), db, "test "+string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		clients[r] = apiClient{t: t, srv: srv, key: secret}
	}
	return db, clients
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (c apiClient) do(method, path, contentType, body string, out any) int {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

type apiError struct {
	Error string `json:"error"`
}

func TestAPIAuthentication(t *testing.T) {
	_, c := newAPI(t)
	anon := c[crm.RoleViewer]
	anon.key = ""
	var e apiError
	if got := anon.do("GET", "/api/v1/contacts", "", "", &e); got != 401 || e.Error == "" {
		t.Errorf("no key: %d %q, want 401 with a message", got, e.Error)
	}
	forged := c[crm.RoleAdmin]
	forged.key = forged.key[:len(forged.key)-1] + "x"
	if got := forged.do("GET", "/api/v1/contacts", "", "", &e); got != 401 {
		t.Errorf("altered key: %d, want 401", got)
	}
	if got := c[crm.RoleViewer].do("GET", "/api/v1/contacts", "", "", nil); got != 200 {
		t.Errorf("viewer read: %d, want 200", got)
	}
}

func TestAPIRoles(t *testing.T) {
	_, c := newAPI(t)
	writes := []struct{ method, path, ctype, body string }{
		{"POST", "/api/v1/contacts", "application/json", `{"email":"v@example.org"}`},
		{"POST", "/api/v1/contacts/import", "text/csv", "email\nv@example.org\n"},
		{"POST", "/api/v1/segments", "application/json", `{"name":"x","where":""}`},
		{"PATCH", "/api/v1/contacts/1", "application/json", `{"first_name":"V"}`},
		{"DELETE", "/api/v1/contacts/1", "", ""},
	}
	for _, w := range writes {
		var e apiError
		if got := c[crm.RoleViewer].do(w.method, w.path, w.ctype, w.body, &e); got != 403 || !strings.Contains(e.Error, "coordinator") {
			t.Errorf("viewer %s %s: %d %q, want 403 naming the role needed", w.method, w.path, got, e.Error)
		}
	}
	if got := c[crm.RoleCoordinator].do("POST", "/api/v1/contacts", "application/json", `{"email":"co@example.org"}`, nil); got != 201 {
		t.Errorf("coordinator create: %d, want 201", got)
	}
}

func TestAPIContactLifecycle(t *testing.T) {
	db, c := newAPI(t)
	admin := c[crm.RoleAdmin]
	var created crm.Contact
	if got := admin.do("POST", "/api/v1/contacts", "application/json",
		`{"email":" Lena.Koch@Example.org ","first_name":"Lena","job_title":"Geschäftsführerin","organisation":"Impact Hub Wien","country":"Austria","topics":["Access to finance"]}`, &created); got != 201 {
		t.Fatalf("create: %d", got)
	}
	if created.Email != "lena.koch@example.org" || created.Seniority != "executive" || !created.SeniorityInferred || created.Country != "AT" || created.Organisation != "Impact Hub Wien" {
		t.Errorf("created %+v", created)
	}
	path := "/api/v1/contacts/" + itoa(created.ID)
	var patched crm.Contact
	if got := admin.do("PATCH", path, "application/json", `{"seniority":"middle"}`, &patched); got != 200 || patched.Seniority != "middle" || patched.SeniorityInferred {
		t.Errorf("override: %d %s inferred=%v, want middle, not inferred", got, patched.Seniority, patched.SeniorityInferred)
	}
	var tl struct{ Activities []crm.Activity }
	admin.do("GET", path+"/timeline", "", "", &tl)
	if len(tl.Activities) != 2 || tl.Activities[0].Kind != "contact.updated" || tl.Activities[1].Kind != "contact.created" {
		t.Errorf("timeline %+v", tl.Activities)
	}
	var export crm.DataExport
	if got := admin.do("GET", path+"/export", "", "", &export); got != 200 || export.Contact.Email != "lena.koch@example.org" || export.Organisation == nil || len(export.Timeline) != 2 {
		t.Errorf("GDPR export: %d %+v", got, export)
	}
	if got := admin.do("POST", "/api/v1/contacts", "application/json", `{"email":"LENA.KOCH@example.org"}`, nil); got != 409 {
		t.Errorf("duplicate email (other case): %d, want 409", got)
	}
	if got := admin.do("DELETE", path, "", "", nil); got != 204 {
		t.Fatalf("erase: %d", got)
	}
	if got := admin.do("GET", path, "", "", nil); got != 410 {
		t.Errorf("get erased: %d, want 410", got)
	}
	assertErased(t, db, created.ID)
	var e apiError
	if got := admin.do("POST", "/api/v1/contacts", "application/json", `{"email":"lena.koch@example.org"}`, &e); got != 400 || !strings.Contains(e.Error, "erased") {
		t.Errorf("re-adding an erased person: %d %q, want 400", got, e.Error)
	}
}

func assertErased(t *testing.T, db *sqlx.DB, id int64) {
	t.Helper()
	var row struct {
		Email     *string `db:"email"`
		FirstName string  `db:"first_name"`
		JobTitle  string  `db:"job_title"`
		Seniority string  `db:"seniority"`
		Country   string  `db:"country"`
	}
	if err := db.Get(&row, `SELECT email, first_name, job_title, seniority, country FROM contacts WHERE id = $1`, id); err != nil {
		t.Fatalf("the anonymous row must stay: %v", err)
	}
	if row.Email != nil || row.FirstName != "" || row.JobTitle != "" {
		t.Errorf("personal data left after erasure: %+v", row)
	}
	if row.Seniority != "middle" || row.Country != "AT" {
		t.Errorf("anonymous counts lost: %+v", row)
	}
	var leaked int
	db.Get(&leaked, `SELECT count(*) FROM timeline WHERE contact_id = $1 AND details::text LIKE '%lena%'`, id)
	if leaked != 0 {
		t.Errorf("%d timeline entries still mention the person", leaked)
	}
	res, err := crm.ImportCSV(context.Background(), db, strings.NewReader("email\nlena.koch@example.org\n"), crm.ImportOptions{})
	if err != nil || res.Inserted != 0 || len(res.Rejected) != 1 || res.Rejected[0].Column != "email" {
		t.Errorf("re-import of an erased person: %+v %v", res, err)
	}
}

func TestAPIRefusesBadBodies(t *testing.T) {
	_, c := newAPI(t)
	admin := c[crm.RoleAdmin]
	cases := []struct {
		name, method, path, ctype, body string
		status                          int
		msg                             string
	}{
		{"unknown field", "POST", "/api/v1/contacts", "application/json", `{"email":"a@example.org","nickname":"x"}`, 400, `unknown field "nickname"`},
		{"wrong type", "POST", "/api/v1/contacts", "application/json", `{"email":"a@example.org","topics":"finance"}`, 400, "topics"},
		{"malformed json", "POST", "/api/v1/contacts", "application/json", `{"email":`, 400, "JSON"},
		{"trailing data", "POST", "/api/v1/segments", "application/json", `{"name":"a","where":""} {}`, 400, "after the JSON"},
		{"bad email", "POST", "/api/v1/contacts", "application/json", `{"email":"nope"}`, 400, "email"},
		{"bad seniority", "POST", "/api/v1/contacts", "application/json", `{"email":"a@example.org","seniority":"boss"}`, 400, "seniority"},
		{"bad where", "GET", "/api/v1/contacts?where=seniority+in+(middle", "", "", 400, "position"},
		{"bad segment", "POST", "/api/v1/segments", "application/json", `{"name":"s","where":"country = Atlantis"}`, 400, "position"},
		{"bad page", "GET", "/api/v1/contacts?page=0", "", "", 400, "page"},
		{"import json", "POST", "/api/v1/contacts/import", "application/json", `{}`, 415, "CSV"},
		{"import empty", "POST", "/api/v1/contacts/import", "text/csv", ``, 400, "empty"},
		{"import no email", "POST", "/api/v1/contacts/import", "text/csv", "name\nx\n", 400, "no email column"},
		{"import too large", "POST", "/api/v1/contacts/import", "text/csv", "email\n" + strings.Repeat("x@example.org\n", 400), 413, "limit"},
		{"missing contact", "GET", "/api/v1/contacts/999", "", "", 404, "not found"},
		{"non-numeric id", "GET", "/api/v1/contacts/abc", "", "", 404, "not found"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e apiError
			if got := admin.do(tc.method, tc.path, tc.ctype, tc.body, &e); got != tc.status || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("%d %q, want %d containing %q", got, e.Error, tc.status, tc.msg)
			}
		})
	}
	var list crm.ContactList
	admin.do("GET", "/api/v1/contacts", "", "", &list)
	if list.Total != 0 {
		t.Errorf("bad requests wrote %d contacts", list.Total)
	}
}

func TestAPIImportListAndSegments(t *testing.T) {
	_, c := newAPI(t)
	admin := c[crm.RoleAdmin]
	var res crm.ImportResult
	csv := "email,first_name,seniority,organisation_type,organisation,country,topics\n" +
		"a@example.org,A,middle,business_support,Hub A,DE,access_to_finance\n" +
		"b@example.org,B,executive,business_support,Hub A,DE,\n" +
		"c@example.org,C,operational,ngo,Verein C,AT,access_to_finance\n" +
		"bad,D,,,,,\n"
	if got := admin.do("POST", "/api/v1/contacts/import", "text/csv; charset=utf-8", csv, &res); got != 200 {
		t.Fatalf("import: %d", got)
	}
	if res.Inserted != 3 || len(res.Rejected) != 1 || res.Rejected[0].Line != 5 || res.Rejected[0].Column != "email" {
		t.Errorf("import result %+v", res)
	}
	var raw map[string]any
	admin.do("GET", "/api/v1/contacts?where=country+%3D+DE&per_page=1&page=2", "", "", &raw)
	list := raw["contacts"].([]any)
	if raw["total"].(float64) != 2 || len(list) != 1 || list[0].(map[string]any)["email"] != "b@example.org" {
		t.Errorf("page 2 of DE contacts: %v", raw)
	}
	if _, ok := list[0].(map[string]any)["seniority_inferred"]; !ok {
		t.Errorf("contact JSON lacks seniority_inferred: %v", list[0])
	}
	var seg struct {
		ID        int64
		Name      string
		Where     string
		Count     int
		Breakdown crm.Breakdown
	}
	if got := admin.do("POST", "/api/v1/segments", "application/json", `{"name":"Finance","where":"topics contains access_to_finance"}`, &seg); got != 201 {
		t.Fatalf("create segment: %d", got)
	}
	admin.do("GET", "/api/v1/segments/"+itoa(seg.ID), "", "", &seg)
	if seg.Count != 2 || seg.Breakdown.Seniority["middle"] != 1 || seg.Breakdown.Seniority["operational"] != 1 ||
		seg.Breakdown.Seniority["executive"] != 0 || seg.Breakdown.Country["AT"] != 1 || seg.Breakdown.OrganisationType["ngo"] != 1 {
		t.Errorf("segment %+v", seg)
	}
	if got := admin.do("POST", "/api/v1/segments", "application/json", `{"name":"finance","where":""}`, nil); got != 409 {
		t.Errorf("duplicate segment name: %d, want 409", got)
	}
	req, _ := http.NewRequest("GET", admin.srv.URL+"/api/v1/contacts?where=country+%3D+AT", nil)
	req.Header.Set("Authorization", "Bearer "+admin.key)
	req.Header.Set("Accept", "text/csv")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(body), "c@example.org,C,,Verein C,ngo,AT") || strings.Contains(string(body), "a@example.org") {
		t.Errorf("CSV export: %s\n%s", resp.Header.Get("Content-Type"), body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
