package crm_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"outreach/crm"
)

func TestSettingsAdminOnly(t *testing.T) {
	ui := segmentsUI(t)
	db := ui.db
	for _, role := range []crm.Role{crm.RoleCoordinator, crm.RoleViewer} {
		c := ui.as[role]
		if status, _, _ := c.get("/settings", false); status != http.StatusForbidden {
			t.Errorf("%s GET /settings: %d, want 403", role, status)
		}
		status, _, _ := c.post("/settings/users", url.Values{"email": {"sneaky@example.org"}, "role": {"admin"}, "password": {"a-long-password"}}, true, false)
		if status != http.StatusForbidden {
			t.Errorf("%s adds a user: %d, want 403", role, status)
		}
		status, _, _ = c.post("/settings/api-keys", url.Values{"name": {"sneaky"}, "role": {"admin"}}, true, false)
		if status != http.StatusForbidden {
			t.Errorf("%s creates a key: %d, want 403", role, status)
		}
	}
	var users, keys int
	db.Get(&users, `SELECT count(*) FROM users WHERE email = 'sneaky@example.org'`)
	db.Get(&keys, `SELECT count(*) FROM api_keys`)
	if users != 0 || keys != 0 {
		t.Errorf("refused requests left %d users and %d keys", users, keys)
	}
}

func TestSettingsUsers(t *testing.T) {
	ui := segmentsUI(t)
	db := ui.db
	admin := ui.as[crm.RoleAdmin]

	status, body, _ := admin.get("/settings", false)
	if status != http.StatusOK || !strings.Contains(body, "admin@example.org") || !strings.Contains(body, `href="/settings/mail"`) {
		t.Fatalf("settings: %d\n%s", status, body)
	}
	var signedIn int // the harness's admin, coordinator and viewer
	db.Get(&signedIn, `SELECT count(*) FROM users`)

	status, body, _ = admin.post("/settings/users", url.Values{"email": {"New.Person@Example.org"}, "name": {"<script>alert(1)</script>"},
		"role": {"viewer"}, "password": {"a-long-password"}}, true, false)
	if status != http.StatusSeeOther {
		t.Fatalf("add user: %d\n%s", status, body)
	}
	if _, err := crm.CheckPassword(context.Background(), db, "new.person@example.org", "a-long-password"); err != nil {
		t.Fatalf("the new user cannot sign in: %v", err)
	}
	_, body, _ = admin.get("/settings", false)
	if !strings.Contains(body, "new.person@example.org") || strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("the new user is not listed, or not escaped:\n%s", body)
	}

	// Bad input says where and why and adds nobody.
	status, body, _ = admin.post("/settings/users", url.Values{"email": {"short@example.org"}, "role": {"viewer"}, "password": {"short"}}, true, false)
	if status != http.StatusBadRequest || !strings.Contains(elementText(t, body, "user-password-error"), "at least 10") {
		t.Errorf("short password: %d\n%s", status, body)
	}
	if !strings.Contains(body, `value="short@example.org"`) {
		t.Error("the typed email was not kept")
	}
	status, body, _ = admin.post("/settings/users", url.Values{"email": {"new.person@example.org"}, "role": {"viewer"}, "password": {"a-long-password"}}, true, false)
	if status != http.StatusBadRequest || !strings.Contains(elementText(t, body, "user-email-error"), "already exists") {
		t.Errorf("duplicate email: %d\n%s", status, body)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM users`)
	if n != signedIn+1 {
		t.Errorf("%d users, want the %d signed in and the one added", n, signedIn)
	}

	// Disabling ends the user's sessions; enabling lets them back in.
	users, _ := crm.Users(context.Background(), db)
	var added crm.UserAccount
	for _, u := range users {
		if u.Email == "new.person@example.org" {
			added = u
		}
	}
	secret, _, _ := crm.CreateSession(context.Background(), db, added.ID)
	status, _, _ = admin.post("/settings/users/"+itoa(added.ID)+"/disable", nil, true, false)
	if status != http.StatusSeeOther {
		t.Fatalf("disable: %d", status)
	}
	if _, err := crm.SessionBySecret(context.Background(), db, secret); err == nil {
		t.Error("a disabled user's session still works")
	}
	if _, body, _ = admin.get("/settings", false); !strings.Contains(body, "/settings/users/"+itoa(added.ID)+"/enable") {
		t.Error("the disabled user is not offered for enabling")
	}
	admin.post("/settings/users/"+itoa(added.ID)+"/enable", nil, true, false)
	if _, err := crm.SessionBySecret(context.Background(), db, secret); err != nil {
		t.Errorf("the re-enabled user's session: %v", err)
	}
	if status, _, _ = admin.post("/settings/users/"+itoa(admin.user.ID)+"/disable", nil, true, false); status != http.StatusBadRequest {
		t.Errorf("an admin disabling themselves: %d, want 400", status)
	}
}

func TestSettingsAPIKeys(t *testing.T) {
	ui := segmentsUI(t)
	db := ui.db
	admin := ui.as[crm.RoleAdmin]

	status, body, _ := admin.post("/settings/api-keys", url.Values{"name": {"newsletter sync"}, "role": {"coordinator"}}, true, false)
	if status != http.StatusOK {
		t.Fatalf("create key: %d\n%s", status, body)
	}
	secret := elementText(t, body, "new-api-key")
	k, err := crm.APIKeyBySecret(context.Background(), db, secret)
	if err != nil || k.Name != "newsletter sync" || k.Role != crm.RoleCoordinator {
		t.Fatalf("the shown secret is not the key's: %+v, %v", k, err)
	}
	_, body, _ = admin.get("/settings", false)
	if strings.Contains(body, secret) || strings.Contains(body, "new-api-key") {
		t.Error("the secret is shown again")
	}
	if !strings.Contains(body, "newsletter sync") || !strings.Contains(body, k.Prefix) {
		t.Error("the key is not listed")
	}

	status, body, _ = admin.post("/settings/api-keys", url.Values{"name": {"  "}, "role": {"viewer"}}, true, false)
	if status != http.StatusBadRequest || !strings.Contains(body, `id="api-key-error"`) || strings.Contains(body, `id="new-api-key"`) {
		t.Errorf("blank key name: %d\n%s", status, body)
	}

	status, _, _ = admin.post("/settings/api-keys/"+itoa(k.ID)+"/revoke", nil, true, false)
	if status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", status)
	}
	if _, err := crm.APIKeyBySecret(context.Background(), db, secret); err == nil {
		t.Error("a revoked key still works")
	}
	if status, _, _ = admin.post("/settings/api-keys/"+itoa(k.ID)+"/revoke", nil, true, false); status != http.StatusNotFound {
		t.Errorf("revoking twice: %d, want 404", status)
	}
}
