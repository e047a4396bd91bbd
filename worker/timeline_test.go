package worker

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"outreach/campaigns"
	"outreach/crm"
)

// Each message's outcome shows on the contact's and the organisation's
// timelines, read from the recipient row, and erasure takes the SMTP
// error (which can quote the address) off them.
func TestSendOutcomesOnTimelines(t *testing.T) {
	r := newRig(t, "email,first_name,last_name,seniority,country,organisation\n"+
		"p000@example.org,Ana,Lima,middle,DE,Acme Foundation\n"+
		"p001@example.org,Ben,Ruiz,middle,DE,Acme Foundation\n")
	ctx := context.Background()
	r.sink.Refuse("p001@example.org", 550)
	r.run(r.worker(Config{}))
	first := r.create(basicInput(""))
	r.send(first.ID)
	r.waitStatus(first.ID, campaigns.StatusDone, 20*time.Second)
	second := r.create(basicInput(""))
	r.send(second.ID)
	r.waitStatus(second.ID, campaigns.StatusDone, 20*time.Second)

	ana, ben := contactID(t, r, "p000@example.org"), contactID(t, r, "p001@example.org")
	sent := sendEntries(t, must(crm.Timeline(ctx, r.db, ana)))
	if len(sent) != 2 || sent[0].kind != "email.sent" || sent[1].kind != "email.sent" ||
		sent[0].campaign != second.ID || sent[1].campaign != first.ID {
		t.Errorf("Ana's timeline %+v, want the second then the first campaign's email.sent", sent)
	}
	got := sendEntries(t, must(crm.Timeline(ctx, r.db, ben)))
	if len(got) != 2 || got[0].kind != "email.suppressed" || got[0].err != "bounced" ||
		got[1].kind != "email.bounced" || !strings.Contains(got[1].err, "550") {
		t.Errorf("Ben's timeline %+v, want the bounce with its SMTP error, then the suppression", got)
	}
	org := must(crm.OrganisationByID(ctx, r.db, *must(crm.ContactByID(ctx, r.db, ana)).OrganisationID))
	if n := len(sendEntries(t, must(crm.OrganisationTimeline(ctx, r.db, org.ID)))); n != 4 {
		t.Errorf("%d sends on the organisation's timeline, want 4", n)
	}

	if err := crm.EraseContact(ctx, r.db, ben, "test"); err != nil {
		t.Fatal(err)
	}
	// The erased contact's timeline is no longer served; what stays of it
	// must not quote the person either.
	var left []crm.Activity
	r.db.Select(&left, `SELECT id, contact_id, organisation_id, kind, occurred_at, details FROM timeline WHERE contact_id = $1`, ben)
	for _, e := range sendEntries(t, left) {
		if e.err != "" {
			t.Errorf("erased contact's timeline still holds the SMTP error %q", e.err)
		}
	}
	if n := len(sendEntries(t, must(crm.OrganisationTimeline(ctx, r.db, org.ID)))); n != 2 {
		t.Errorf("%d sends on the organisation's timeline after erasure, want Ana's 2", n)
	}
}

type sendEntry struct {
	kind     string
	campaign int64
	err      string
}

// sendEntries keeps a timeline's email.* entries, newest first.
func sendEntries(t *testing.T, acts []crm.Activity) []sendEntry {
	t.Helper()
	var out []sendEntry
	for _, a := range acts {
		if !strings.HasPrefix(a.Kind, "email.") {
			continue
		}
		var d struct {
			CampaignID int64  `json:"campaign_id"`
			Error      string `json:"error"`
		}
		if err := json.Unmarshal(a.Details, &d); err != nil {
			t.Fatalf("details of %s: %v", a.Kind, err)
		}
		out = append(out, sendEntry{a.Kind, d.CampaignID, d.Error})
	}
	return out
}

func contactID(t *testing.T, r *rig, email string) int64 {
	t.Helper()
	var id int64
	if err := r.db.Get(&id, `SELECT id FROM contacts WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	return id
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
