package crm_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/segment"
	"outreach/templates/web"
)

// uiOptions are what a test varies in the server newUI builds.
type uiOptions struct {
	maxImportBytes int64
	segment        segment.Options
	// routes adds test-only routes guarded by the same front door.
	routes func(front *crm.Web, mux *http.ServeMux)
}

// testUI is the CRM's web UI on a test server over a fresh database:
// the front door and the CRM pages, mounted as cmd/outreach's newMux
// mounts them, with an admin, a coordinator and a viewer signed in.
type testUI struct {
	db  *sqlx.DB
	url string
	as  map[crm.Role]uiUser
}

func newUI(t *testing.T, opt uiOptions) testUI {
	t.Helper()
	db := newDB(t)
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	renderer, err := web.New(discard)
	if err != nil {
		t.Fatal(err)
	}
	front := &crm.Web{DB: db, Pages: renderer, Log: discard, MaxUploadBytes: opt.maxImportBytes}
	mux := http.NewServeMux()
	front.Routes(mux)
	(&crm.Pages{Web: front, DB: db, Segment: opt.segment, MaxImportBytes: opt.maxImportBytes, Log: discard}).Routes(mux)
	if opt.routes != nil {
		opt.routes(front, mux)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ui := testUI{db: db, url: srv.URL, as: map[crm.Role]uiUser{}}
	ctx := context.Background()
	for _, role := range []crm.Role{crm.RoleAdmin, crm.RoleCoordinator, crm.RoleViewer} {
		user, err := crm.AddUser(ctx, db, string(role)+"@example.org", "", role, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		secret, sess, err := crm.CreateSession(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		ui.as[role] = uiUser{t: t, base: srv.URL, client: noRedirects(nil), secret: secret, csrf: sess.CSRF, user: user}
	}
	return ui
}

// noRedirects is a client that answers redirects rather than following
// them, so tests see the 303 and its Location.
func noRedirects(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// uiUser is one user of the UI. A user made by newUI sends its session
// cookie; one with an empty secret sends none (a cookie jar in the client
// may hold a session got through the sign-in form instead).
type uiUser struct {
	t      *testing.T
	base   string
	client *http.Client
	secret string
	csrf   string
	user   crm.User
}

// do sends a request as the user and returns the status, body and headers.
func (u uiUser) do(req *http.Request) (int, string, http.Header) {
	u.t.Helper()
	if u.secret != "" {
		req.AddCookie(&http.Cookie{Name: "outreach_session", Value: u.secret})
	}
	res, err := u.client.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

// get loads a page; with htmx it asks as htmx does, for the partial.
func (u uiUser) get(path string, htmx bool) (int, string, http.Header) {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.base+path, nil)
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return u.do(req)
}

// post sends a form; with csrf it adds the session's token as the pages'
// forms do, without it the form goes as given.
func (u uiUser) post(path string, form url.Values, csrf, htmx bool) (int, string, http.Header) {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", u.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, u.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if htmx {
		req.Header.Set("HX-Request", "true")
	}
	return u.do(req)
}

// upload posts the import form with a file. With htmx it sends the token
// as the header htmx adds, otherwise as the form's hidden field.
func (u uiUser) upload(filename, content, source string, htmx bool) (int, string, http.Header) {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if !htmx {
		mw.WriteField("csrf", u.csrf)
	}
	mw.WriteField("source", source)
	fw, _ := mw.CreateFormFile("file", filename)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.base+"/contacts/import", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if htmx {
		req.Header.Set("HX-Request", "true")
		req.Header.Set("X-CSRF-Token", u.csrf)
	}
	return u.do(req)
}

// elementText returns the text inside the element with that id, trimmed
// and unescaped, or fails.
func elementText(t *testing.T, page, id string) string {
	t.Helper()
	_, rest, found := strings.Cut(page, `id="`+id+`"`)
	if found {
		_, rest, found = strings.Cut(rest, ">")
	}
	text, _, closed := strings.Cut(rest, "</")
	if !found || !closed {
		t.Fatalf("no element #%s in page:\n%s", id, page)
	}
	return html.UnescapeString(strings.TrimSpace(text))
}

// tableRows returns the body rows of the table with the given id, leaving
// out the "nothing here" row.
func tableRows(t *testing.T, page, id string) []string {
	t.Helper()
	start := strings.Index(page, `<table id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no table %q in page:\n%s", id, page)
	}
	table := page[start:]
	table = table[:strings.Index(table, "</table>")]
	body := table[strings.Index(table, "<tbody>"):]
	var rows []string
	for _, r := range strings.Split(body, "<tr>")[1:] {
		if !strings.Contains(r, `colspan=`) {
			rows = append(rows, r)
		}
	}
	return rows
}
