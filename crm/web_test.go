package crm_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
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

// frontDoor serves sign-in and one guarded page per role, like the UI.
func frontDoor(t *testing.T) (*sqlx.DB, *httptest.Server) {
	db, _ := testdb.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log)
	if err != nil {
		t.Fatal(err)
	}
	ui := &crm.Web{DB: db, Pages: pages, Log: log}
	mux := http.NewServeMux()
	ui.Routes(mux)
	mux.HandleFunc("GET /contacts", ui.Page(crm.RoleViewer, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+crm.SessionFrom(r.Context()).User.Email)
	}))
	mux.HandleFunc("POST /contacts/touch", ui.Page(crm.RoleCoordinator, func(w http.ResponseWriter, r *http.Request) {
		db.MustExec(`INSERT INTO organisations (name) VALUES ('touched')`)
		io.WriteString(w, "changed")
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for email, role := range map[string]crm.Role{"coord@example.org": crm.RoleCoordinator, "viewer@example.org": crm.RoleViewer} {
		if _, err := crm.AddUser(context.Background(), db, email, "", role, "a-long-password"); err != nil {
			t.Fatal(err)
		}
	}
	return db, srv
}

// browser is a cookie-keeping client that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn loads the sign-in form and posts it; it returns the response.
func signIn(t *testing.T, c *http.Client, base, email, password string) *http.Response {
	t.Helper()
	res, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := hiddenCSRF.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field on the sign-in form:\n%s", body)
	}
	res, err = c.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}, "next": {"/contacts"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestSignInSessionAndSignOut(t *testing.T) {
	_, srv := frontDoor(t)
	c := browser(t)
	if code, _ := get(t, c, srv.URL+"/contacts"); code != http.StatusSeeOther {
		t.Fatalf("a page without a session: %d, want a redirect to sign-in", code)
	}
	if res := signIn(t, c, srv.URL, "coord@example.org", "wrong password!"); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", res.StatusCode)
	}
	res := signIn(t, c, srv.URL, "Coord@Example.org", "a-long-password")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/contacts" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "outreach_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie not HttpOnly and SameSite=Lax: %+v", ck)
		}
	}
	if code, body := get(t, c, srv.URL+"/contacts"); code != 200 || body != "hello coord@example.org" {
		t.Fatalf("signed in: %d %q", code, body)
	}
	// Sign-out needs the session's CSRF token like any other form.
	res, _ = c.PostForm(srv.URL+"/logout", url.Values{})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without token: %d, want 403", res.StatusCode)
	}
	token := sessionCSRF(t, c, srv.URL)
	res, _ = c.PostForm(srv.URL+"/logout", url.Values{"csrf": {token}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-out: %d", res.StatusCode)
	}
	if code, _ := get(t, c, srv.URL+"/contacts"); code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign-in", code)
	}
}

// sessionCSRF reads the CSRF token the layout puts in the sign-out form of
// an error page (every rendered page carries it).
func sessionCSRF(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	res, err := c.PostForm(base+"/contacts/touch", url.Values{"csrf": {"forged"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := hiddenCSRF.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", body)
	}
	return string(m[1])
}

func TestCSRFAndRolesGuardChanges(t *testing.T) {
	db, srv := frontDoor(t)
	touched := func() (n int) {
		db.Get(&n, `SELECT count(*) FROM organisations WHERE name = 'touched'`)
		return n
	}
	coord := browser(t)
	signIn(t, coord, srv.URL, "coord@example.org", "a-long-password")
	token := sessionCSRF(t, coord, srv.URL)
	for name, form := range map[string]url.Values{"no token": {}, "forged token": {"csrf": {"forged"}}} {
		res, _ := coord.PostForm(srv.URL+"/contacts/touch", form)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, res.StatusCode)
		}
	}
	// A cross-site form post with the right token still fails on Origin.
	req, _ := http.NewRequest("POST", srv.URL+"/contacts/touch", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example.com")
	if res, _ := coord.Do(req); res.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %d, want 403", res.StatusCode)
	}
	if n := touched(); n != 0 {
		t.Fatalf("%d changes made by rejected requests", n)
	}
	if res, _ := coord.PostForm(srv.URL+"/contacts/touch", url.Values{"csrf": {token}}); res.StatusCode != 200 || touched() != 1 {
		t.Errorf("coordinator with token: %d, %d changes", res.StatusCode, touched())
	}
	viewer := browser(t)
	signIn(t, viewer, srv.URL, "viewer@example.org", "a-long-password")
	vt := sessionCSRF(t, viewer, srv.URL)
	res, _ := viewer.PostForm(srv.URL+"/contacts/touch", url.Values{"csrf": {vt}})
	if res.StatusCode != http.StatusForbidden || touched() != 1 {
		t.Errorf("viewer write: %d, %d changes; want 403 and none", res.StatusCode, touched())
	}
}

func TestSignInIsThrottled(t *testing.T) {
	_, srv := frontDoor(t)
	c := browser(t)
	for i := 0; i < crm.LoginFailureLimit; i++ {
		if res := signIn(t, c, srv.URL, "coord@example.org", "guess number "+string(rune('a'+i))); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, res.StatusCode)
		}
	}
	// Now even the right password is refused until the window passes.
	res := signIn(t, c, srv.URL, "coord@example.org", "a-long-password")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d, want 429 with Retry-After", crm.LoginFailureLimit, res.StatusCode)
	}
}

func TestSignInFormNeedsItsToken(t *testing.T) {
	_, srv := frontDoor(t)
	c := browser(t)
	res, err := c.PostForm(srv.URL+"/login", url.Values{"email": {"coord@example.org"}, "password": {"a-long-password"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in post without the form's token: %d, want 403", res.StatusCode)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	_, srv := frontDoor(t)
	c := browser(t)
	res, _ := c.Get(srv.URL + "/login")
	body, _ := io.ReadAll(res.Body)
	token := string(hiddenCSRF.FindSubmatch(body)[1])
	for _, next := range []string{"//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com"} {
		res, _ := c.PostForm(srv.URL+"/login", url.Values{"csrf": {token}, "email": {"coord@example.org"}, "password": {"a-long-password"}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != "/contacts" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}
