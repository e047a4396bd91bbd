package campaigns_test

import (
	"context"
	"fmt"
	"testing"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
)

const sliceCampaign = `{"name":"Big CoP","audience":{"segment_id":%d},"from":"team@network.example.org",
	"subject":"Hello","html":"<p>Hi</p>"}`

// A large audience is snapshotted a slice at a time: the send returns
// after the first slice, the dispatcher takes the rest, and until the last
// slice the campaign cannot finish. The audience is the one resolved at
// the start, whatever happens to the saved segment meanwhile.
func TestSnapshotInSlices(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	campaigns.SetSnapshotSlice(t, 100)
	// 250 middle managers in all (one from newServer), executives between them.
	s.db.MustExec(`INSERT INTO contacts (email, seniority)
		SELECT 'p' || g || '@example.org', CASE WHEN g % 2 = 0 THEN 'middle' ELSE 'executive' END
		FROM generate_series(1, 498) g`)
	seg, err := crm.CreateSegment(ctx, s.db, "middle", "seniority = middle", crm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var c campaignView
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", fmt.Sprintf(sliceCampaign, seg.ID), &c); got != 201 {
		t.Fatalf("create: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(c.ID)+"/send", "", &c); got != 200 {
		t.Fatalf("send: %d", got)
	}
	if c.Status != campaigns.StatusRunning || c.Counts.Recipients != 100 {
		t.Fatalf("after send: %s with %d recipients, want running with the first slice of 100", c.Status, c.Counts.Recipients)
	}
	// Meanwhile the segment changes and a contact of a later slice is erased.
	s.db.MustExec(`UPDATE segments SET expression = 'seniority = executive' WHERE id = $1`, seg.ID)
	var erased int64
	s.db.Get(&erased, `SELECT id FROM contacts WHERE email = 'p498@example.org'`)
	if err := crm.EraseContact(ctx, s.db, erased, "test"); err != nil {
		t.Fatal(err)
	}
	// Everything sent so far: still not done, the audience is not all in.
	s.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now(), finished_at = now() WHERE campaign_id = $1`, c.ID)
	if done, err := campaigns.FinishCompleted(ctx, s.db); err != nil || len(done) != 0 {
		t.Fatalf("finished %v (%v) before the snapshot was complete", done, err)
	}
	for i, want := range []int{200, 249, 249} {
		if err := campaigns.ContinueSnapshots(ctx, s.db, segment.Options{}); err != nil {
			t.Fatal(err)
		}
		if n, _ := campaigns.CountsOf(ctx, s.db, c.ID); n.Recipients != want {
			t.Fatalf("after slice %d: %d recipients, want %d", i+2, n.Recipients, want)
		}
	}
	var wrong int
	s.db.Get(&wrong, `SELECT count(*) FROM recipients r JOIN contacts c ON c.id = r.contact_id
		WHERE r.campaign_id = $1 AND (c.seniority <> 'middle' OR c.id = $2)`, c.ID, erased)
	if wrong != 0 {
		t.Errorf("%d recipients outside the audience resolved at the start", wrong)
	}
	s.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now(), finished_at = now() WHERE campaign_id = $1`, c.ID)
	if done, err := campaigns.FinishCompleted(ctx, s.db); err != nil || len(done) != 1 {
		t.Fatalf("finished %v (%v) once the snapshot was complete and all sent", done, err)
	}
}

// A cancelled campaign takes no further slice; a paused one completes its
// audience, so that resuming sends to everyone.
func TestSnapshotStopsOnCancelContinuesOnPause(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	campaigns.SetSnapshotSlice(t, 10)
	s.db.MustExec(`INSERT INTO contacts (email, seniority) SELECT 'p' || g || '@example.org', 'middle' FROM generate_series(1, 29) g`)
	seg, err := crm.CreateSegment(ctx, s.db, "middle", "seniority = middle", crm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 2)
	for i := range ids {
		var c campaignView
		s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", fmt.Sprintf(sliceCampaign, seg.ID), &c)
		if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(c.ID)+"/send", "", &c); got != 200 || c.Counts.Recipients != 10 {
			t.Fatalf("send: %d, %d recipients", got, c.Counts.Recipients)
		}
		ids[i] = c.ID
	}
	cancelled, paused := ids[0], ids[1]
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(cancelled)+"/cancel", "", nil); got != 200 {
		t.Fatalf("cancel: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(paused)+"/pause", "", nil); got != 200 {
		t.Fatalf("pause: %d", got)
	}
	for range 3 {
		if err := campaigns.ContinueSnapshots(ctx, s.db, segment.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := campaigns.CountsOf(ctx, s.db, cancelled); n.Recipients != 10 {
		t.Errorf("cancelled campaign: %d recipients, want the 10 of the first slice", n.Recipients)
	}
	if n, _ := campaigns.CountsOf(ctx, s.db, paused); n.Recipients != 30 {
		t.Errorf("paused campaign: %d recipients, want all 30", n.Recipients)
	}
}
