package crm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"outreach/templates/web"
)

func (p *Pages) settingsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /settings", p.Web.Page(RoleAdmin, p.settingsPage))
	mux.HandleFunc("POST /settings/users", p.Web.Page(RoleAdmin, p.userAdd))
	mux.HandleFunc("POST /settings/users/{id}/disable", p.Web.Page(RoleAdmin, p.userDisable(true)))
	mux.HandleFunc("POST /settings/users/{id}/enable", p.Web.Page(RoleAdmin, p.userDisable(false)))
	mux.HandleFunc("POST /settings/api-keys", p.Web.Page(RoleAdmin, p.apiKeyCreate))
	mux.HandleFunc("POST /settings/api-keys/{id}/revoke", p.Web.Page(RoleAdmin, p.apiKeyRevoke))
}

// settingsData is the admin's page: users, API keys and a link to the
// mail settings. The add-user and new-key forms keep what was typed when
// it is refused, with the reason beside the field.
type settingsData struct {
	web.Base
	Users     []UserAccount
	Keys      []APIKey
	Roles     []Role
	UserForm  userForm
	KeyName   string
	KeyRole   Role
	KeyError  string
	NewKey    string // the secret of the key just created: shown this once
	NewKeyFor string
}

type userForm struct {
	Email, Name string
	Role        Role
	Errors      map[string]string // by field: email, name, role, password
}

func (p *Pages) settings(w http.ResponseWriter, r *http.Request, status int, d *settingsData) {
	var err error
	if d.Users, err = Users(r.Context(), p.DB); err == nil {
		d.Keys, err = APIKeys(r.Context(), p.DB)
	}
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	d.Base = p.Web.Base(r, "Settings", "settings")
	d.Roles = []Role{RoleViewer, RoleCoordinator, RoleAdmin}
	if d.UserForm.Role == "" {
		d.UserForm.Role = RoleCoordinator
	}
	if d.KeyRole == "" {
		d.KeyRole = RoleViewer
	}
	p.Web.Render(w, r, status, "settings", d, &d.Base)
}

func (p *Pages) settingsPage(w http.ResponseWriter, r *http.Request) {
	p.settings(w, r, http.StatusOK, &settingsData{})
}

func (p *Pages) userAdd(w http.ResponseWriter, r *http.Request) {
	f := userForm{Email: strings.TrimSpace(r.FormValue("email")), Name: strings.TrimSpace(r.FormValue("name")), Errors: map[string]string{}}
	role, err := ParseRole(r.FormValue("role"))
	if err == nil {
		f.Role = role
		var u User
		if u, err = AddUser(r.Context(), p.DB, f.Email, f.Name, role, r.FormValue("password")); err == nil {
			p.Web.Redirect(w, r, "/settings", fmt.Sprintf("Added %s as %s.", u.Email, u.Role))
			return
		}
	}
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		f.Errors[ve.Field] = ve.Reason
	case errors.Is(err, ErrConflict):
		f.Errors["email"] = "a user with this email already exists"
	default:
		p.Web.Internal(w, r, err)
		return
	}
	d := &settingsData{UserForm: f}
	d.Error = "The user was not added."
	p.settings(w, r, http.StatusBadRequest, d)
}

func (p *Pages) userDisable(disabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err == nil && disabled && id == SessionFrom(r.Context()).User.ID {
			// An admin who disables themselves may leave nobody to undo it.
			p.Web.Fail(w, r, http.StatusBadRequest, "You cannot disable your own account; ask another admin.")
			return
		}
		if err == nil {
			err = SetUserDisabled(r.Context(), p.DB, id, disabled)
		}
		if err != nil {
			p.Web.Problem(w, r, err)
			return
		}
		msg := "User enabled."
		if disabled {
			msg = "User disabled; their sessions have ended."
		}
		p.Web.Redirect(w, r, "/settings", msg)
	}
}

// apiKeyCreate answers with the page itself rather than a redirect: the
// secret is shown this once and is never stored where a later page could
// read it.
func (p *Pages) apiKeyCreate(w http.ResponseWriter, r *http.Request) {
	d := &settingsData{KeyName: strings.TrimSpace(r.FormValue("name"))}
	role, err := ParseRole(r.FormValue("role"))
	if err == nil {
		d.KeyRole = role
		var k APIKey
		if d.NewKey, k, err = CreateAPIKey(r.Context(), p.DB, d.KeyName, role); err == nil {
			d.NewKeyFor, d.KeyName = k.Name, ""
			p.settings(w, r, http.StatusOK, d)
			return
		}
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		p.Web.Internal(w, r, err)
		return
	}
	d.KeyError, d.Error = ve.Error(), "The API key was not created."
	p.settings(w, r, http.StatusBadRequest, d)
}

func (p *Pages) apiKeyRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = RevokeAPIKey(r.Context(), p.DB, id)
	}
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, "/settings", "API key revoked; requests using it are now refused.")
}
