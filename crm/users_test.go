package crm_test

import (
	"context"
	"errors"
	"testing"

	"outreach/crm"
)

func TestUsersDisableAndAPIKeys(t *testing.T) {
	ctx := context.Background()
	db := newDB(t)
	b, _ := crm.AddUser(ctx, db, "b@example.org", "B", crm.RoleViewer, "a-long-password")
	crm.AddUser(ctx, db, "a@example.org", "A", crm.RoleAdmin, "a-long-password")
	if err := crm.SetUserDisabled(ctx, db, b.ID, true); err != nil {
		t.Fatal(err)
	}
	users, err := crm.Users(ctx, db)
	if err != nil || len(users) != 2 || users[0].Email != "a@example.org" || users[0].DisabledAt != nil || users[1].DisabledAt == nil {
		t.Fatalf("Users = %+v, %v", users, err)
	}
	if _, err := crm.CheckPassword(ctx, db, "b@example.org", "a-long-password"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("a disabled user signs in: %v", err)
	}
	if err := crm.SetUserDisabled(ctx, db, b.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := crm.CheckPassword(ctx, db, "b@example.org", "a-long-password"); err != nil {
		t.Errorf("a re-enabled user cannot sign in: %v", err)
	}
	if err := crm.SetUserDisabled(ctx, db, 9999, true); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("disabling a missing user: %v", err)
	}

	_, k1, _ := crm.CreateAPIKey(ctx, db, "one", crm.RoleViewer)
	_, k2, _ := crm.CreateAPIKey(ctx, db, "two", crm.RoleAdmin)
	if err := crm.RevokeAPIKey(ctx, db, k1.ID); err != nil {
		t.Fatal(err)
	}
	keys, err := crm.APIKeys(ctx, db)
	if err != nil || len(keys) != 1 || keys[0].ID != k2.ID {
		t.Errorf("APIKeys = %+v, %v; want only the live key", keys, err)
	}
	if err := crm.RevokeAPIKey(ctx, db, k1.ID); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("revoking twice: %v", err)
	}
}
