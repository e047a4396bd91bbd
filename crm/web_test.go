package crm_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"outreach/crm"
)

// frontDoor is the UI with two test routes behind the front door: a page
// any role may see that names the signed-in user, and a change only a
// coordinator may make.
func frontDoor(t *testing.T) testUI {
	return newUI(t, uiOptions{routes: func(front *crm.Web, mux *http.ServeMux) {
		mux.HandleFunc("GET /whoami", front.Page(crm.RoleViewer, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello "+crm.SessionFrom(r.Context()).User.Email)
		}))
		mux.HandleFunc("POST /contacts/touch", front.Page(crm.RoleCoordinator, func(w http.ResponseWriter, r *http.Request) {
			front.DB.MustExec(`INSERT INTO organisations (name) VALUES ('touched')`)
			io.WriteString(w, "changed")
		}))
	}})
}

// browser is a fresh browser on the UI: it keeps cookies, does not follow
// redirects and has no session until it signs in through the form.
func browser(t *testing.T, ui testUI) uiUser {
	jar, _ := cookiejar.New(nil)
	return uiUser{t: t, base: ui.url, client: noRedirects(jar)}
}

var hiddenCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn loads the sign-in form and posts it; it returns the answer's
// status and headers.
func signIn(b uiUser, email, password string) (int, http.Header) {
	b.t.Helper()
	_, form, _ := b.get("/login", false)
	m := hiddenCSRF.FindStringSubmatch(form)
	if m == nil {
		b.t.Fatalf("no CSRF field on the sign-in form:\n%s", form)
	}
	status, _, h := b.post("/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}, "next": {"/contacts"}}, false, false)
	return status, h
}

// sessionCSRF reads the CSRF token the layout puts in the sign-out form of
// an error page (every rendered page carries it).
func sessionCSRF(b uiUser) string {
	b.t.Helper()
	_, page, _ := b.post("/contacts/touch", url.Values{"csrf": {"forged"}}, false, false)
	m := hiddenCSRF.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("no CSRF token on the page:\n%s", page)
	}
	return m[1]
}

func TestSignInSessionAndSignOut(t *testing.T) {
	ui := frontDoor(t)
	c := browser(t, ui)
	if code, _, _ := c.get("/whoami", false); code != http.StatusSeeOther {
		t.Fatalf("a page without a session: %d, want a redirect to sign-in", code)
	}
	if code, _ := signIn(c, "coordinator@example.org", "wrong password!"); code != http.StatusUnauthorized {
		t.Errorf("wrong password: %d, want 401", code)
	}
	code, h := signIn(c, "Coordinator@Example.org", "a-long-password")
	if code != http.StatusSeeOther || h.Get("Location") != "/contacts" {
		t.Fatalf("sign-in: %d to %q", code, h.Get("Location"))
	}
	for _, ck := range (&http.Response{Header: h}).Cookies() {
		if ck.Name == "outreach_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie not HttpOnly and SameSite=Lax: %+v", ck)
		}
	}
	if code, body, _ := c.get("/whoami", false); code != 200 || body != "hello coordinator@example.org" {
		t.Fatalf("signed in: %d %q", code, body)
	}
	// Sign-out needs the session's CSRF token like any other form.
	if code, _, _ := c.post("/logout", nil, false, false); code != http.StatusForbidden {
		t.Errorf("sign-out without token: %d, want 403", code)
	}
	c.csrf = sessionCSRF(c)
	if code, _, _ := c.post("/logout", nil, true, false); code != http.StatusSeeOther {
		t.Errorf("sign-out: %d", code)
	}
	if code, _, _ := c.get("/whoami", false); code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign-in", code)
	}
}

func TestCSRFAndRolesGuardChanges(t *testing.T) {
	ui := frontDoor(t)
	touched := func() (n int) {
		ui.db.Get(&n, `SELECT count(*) FROM organisations WHERE name = 'touched'`)
		return n
	}
	coord := browser(t, ui)
	signIn(coord, "coordinator@example.org", "a-long-password")
	coord.csrf = sessionCSRF(coord)
	for name, form := range map[string]url.Values{"no token": {}, "forged token": {"csrf": {"forged"}}} {
		if code, _, _ := coord.post("/contacts/touch", form, false, false); code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, code)
		}
	}
	// A cross-site form post with the right token still fails on Origin.
	req, _ := http.NewRequest("POST", ui.url+"/contacts/touch", strings.NewReader(url.Values{"csrf": {coord.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example.com")
	if code, _, _ := coord.do(req); code != http.StatusForbidden {
		t.Errorf("foreign origin: %d, want 403", code)
	}
	if n := touched(); n != 0 {
		t.Fatalf("%d changes made by rejected requests", n)
	}
	if code, _, _ := coord.post("/contacts/touch", nil, true, false); code != 200 || touched() != 1 {
		t.Errorf("coordinator with token: %d, %d changes", code, touched())
	}
	viewer := browser(t, ui)
	signIn(viewer, "viewer@example.org", "a-long-password")
	viewer.csrf = sessionCSRF(viewer)
	if code, _, _ := viewer.post("/contacts/touch", nil, true, false); code != http.StatusForbidden || touched() != 1 {
		t.Errorf("viewer write: %d, %d changes; want 403 and none", code, touched())
	}
}

func TestSignInIsThrottled(t *testing.T) {
	c := browser(t, frontDoor(t))
	for i := 0; i < crm.LoginFailureLimit; i++ {
		if code, _ := signIn(c, "coordinator@example.org", "guess number "+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, code)
		}
	}
	// Now even the right password is refused until the window passes.
	code, h := signIn(c, "coordinator@example.org", "a-long-password")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("after %d failures: %d, want 429 with Retry-After", crm.LoginFailureLimit, code)
	}
}

func TestSignInFormNeedsItsToken(t *testing.T) {
	c := browser(t, frontDoor(t))
	code, _, _ := c.post("/login", url.Values{"email": {"coordinator@example.org"}, "password": {"a-long-password"}}, false, false)
	if code != http.StatusForbidden {
		t.Errorf("sign-in post without the form's token: %d, want 403", code)
	}
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	c := browser(t, frontDoor(t))
	_, form, _ := c.get("/login", false)
	token := hiddenCSRF.FindStringSubmatch(form)[1]
	for _, next := range []string{"//evil.example.com/", "https://evil.example.com/", "/\\evil.example.com"} {
		_, _, h := c.post("/login", url.Values{"csrf": {token}, "email": {"coordinator@example.org"}, "password": {"a-long-password"}, "next": {next}}, false, false)
		if loc := h.Get("Location"); loc != "/contacts" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}
