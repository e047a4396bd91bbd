package campaigns_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/templates/web"
)

// pagesUI is the web UI of the campaign pages (campaigns, reports,
// events, outbox) on a test server over db, mounted behind the CRM's front
// door as cmd/outreach's newMux mounts it, with a coordinator and a viewer
// signed in.
type pagesUI struct {
	t      *testing.T
	db     *sqlx.DB
	url    string
	signed map[crm.Role]uiSession
	// client keeps the flash cookie a redirect leaves, so the next page
	// shows it, and does not follow redirects.
	client *http.Client
}

// uiSession is a signed-in user's session cookie and CSRF token.
type uiSession struct{ secret, csrf string }

// uiAnswer is what the server answered.
type uiAnswer struct {
	status   int
	body     string
	location string
	header   http.Header
}

func newPagesUI(t *testing.T, db *sqlx.DB) *pagesUI {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tmpl, err := web.New(quiet)
	if err != nil {
		t.Fatal(err)
	}
	door := &crm.Web{DB: db, Pages: tmpl, Log: quiet}
	mux := http.NewServeMux()
	door.Routes(mux)
	links := campaigns.Links{BaseURL: "https://o.example.org", Signer: signer}
	(&campaigns.Pages{Web: door, DB: db, Segment: campaigns.SegmentOptions(), Links: links, Log: quiet}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	ui := &pagesUI{t: t, db: db, url: srv.URL, signed: map[crm.Role]uiSession{}, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, role := range []crm.Role{crm.RoleCoordinator, crm.RoleViewer} {
		user, err := crm.AddUser(context.Background(), db, string(role)+"@example.org", string(role), role, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		secret, sess, err := crm.CreateSession(context.Background(), db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		ui.signed[role] = uiSession{secret: secret, csrf: sess.CSRF}
	}
	return ui
}

// send sends a request as role; role "" sends it signed out.
func (u *pagesUI) send(role crm.Role, req *http.Request) uiAnswer {
	u.t.Helper()
	if s, ok := u.signed[role]; ok {
		req.AddCookie(&http.Cookie{Name: "outreach_session", Value: s.secret})
	}
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return uiAnswer{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

func (u *pagesUI) get(role crm.Role, path string) uiAnswer {
	u.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u.url+path, nil)
	return u.send(role, req)
}

// post sends a form with the role's CSRF token, as the pages' forms do.
func (u *pagesUI) post(role crm.Role, path string, form url.Values) uiAnswer {
	u.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", u.signed[role].csrf)
	req, _ := http.NewRequest(http.MethodPost, u.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.send(role, req)
}

// upload sends a file in a multipart form with the role's CSRF token.
func (u *pagesUI) upload(role crm.Role, path, field, filename, content string) uiAnswer {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", u.signed[role].csrf)
	fw, _ := mw.CreateFormFile(field, filename)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u.url+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return u.send(role, req)
}

// pageElement returns the element with the given id, up to its matching
// end tag, or "" if the page has none.
func pageElement(page, id string) string {
	at := strings.Index(page, `id="`+id+`"`)
	if at < 0 {
		return ""
	}
	start := strings.LastIndex(page[:at], "<")
	name := regexp.MustCompile(`^<([a-zA-Z0-9]+)`).FindStringSubmatch(page[start:])
	if name == nil {
		return ""
	}
	open, end := regexp.MustCompile(`<`+name[1]+`[\s>]`), "</"+name[1]+">"
	depth, pos := 0, start
	for {
		e := strings.Index(page[pos:], end)
		if e < 0 {
			return page[start:]
		}
		depth += len(open.FindAllStringIndex(page[pos:pos+e], -1))
		depth--
		pos += e + len(end)
		if depth <= 0 {
			return page[start:pos]
		}
	}
}
