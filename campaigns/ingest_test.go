package campaigns_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/crm/segment"
)

// sentTo sets up a campaign with a follow-up whose invitation was "sent"
// to each address with the given Message-ID, as the worker would have.
func sentTo(t *testing.T, s *server, ids map[string]string) int64 {
	t.Helper()
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("email\n")
	for addr := range ids {
		csv.WriteString(addr + "\n")
	}
	if _, err := crm.ImportCSV(ctx, s.db, strings.NewReader(csv.String()), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	all := `email ~ "example"`
	c, err := campaigns.Create(ctx, s.db, campaigns.Input{Name: "Ingest", Audience: campaigns.Audience{Where: &all},
		From: "ana.lopez@network.example.org", Subject: "Invitation", HTML: "<p>Hi</p>",
		Followup: []campaigns.FollowUp{{After: "1s", Subject: "Reminder", HTML: "<p>Reminder</p>"}}}, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.Send(ctx, s.db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	for addr, id := range ids {
		s.db.MustExec(`UPDATE recipients r SET status = 'sent', sent_at = now() - interval '1 hour', message_id = $2
			FROM contacts c WHERE c.id = r.contact_id AND c.email = $1 AND r.campaign_id = $3`, addr, id, c.ID)
	}
	s.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now() - interval '1 hour' WHERE campaign_id = $1`, c.ID)
	return c.ID
}

func ingestFile(t *testing.T, s *server, name string) campaigns.IngestResult {
	t.Helper()
	raw, err := os.ReadFile("testdata/mail/" + name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := campaigns.Ingest(context.Background(), s.db, signer, raw)
	if err != nil {
		t.Fatalf("ingest %s: %v", name, err)
	}
	return res
}

func recipientState(t *testing.T, s *server, email, column string) bool {
	var set bool
	s.db.Get(&set, `SELECT `+column+` IS NOT NULL FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = $1 AND r.step = 0`, email)
	return set
}

func TestIngestMatchesAndRecordsResponses(t *testing.T) {
	s := newServer(t)
	campaign := sentTo(t, s, map[string]string{
		"ben.okafor@example.com":  "r12.gm1@network.example.org",
		"carla.rossi@example.com": "r12.ol1@network.example.org",
		"tom.harris@example.org":  "r18.oof@network.example.org",
		"nobody@example.com":      "r12.abc@network.example.org",
		"full.box@example.com":    "r13.def@network.example.org",
		"d.mueller@example.com":   "r12.ap1@network.example.org",
	})
	cases := []struct {
		file, kind, email string
	}{
		{"gmail_reply.eml", "reply", "ben.okafor@example.com"},
		{"outlook_reply.eml", "reply", "carla.rossi@example.com"},
		{"apple_de_reply.eml", "reply", "d.mueller@example.com"},
		{"ooo_en_outlook.eml", "auto_reply", "tom.harris@example.org"},
		{"postfix_dsn_hard.eml", "bounce", "nobody@example.com"},
		{"dsn_soft_delayed.eml", "bounce", "full.box@example.com"},
	}
	for _, c := range cases {
		res := ingestFile(t, s, c.file)
		var want int64
		s.db.Get(&want, `SELECT r.id FROM recipients r JOIN contacts k ON k.id = r.contact_id WHERE k.email = $1 AND r.step = 0`, c.email)
		if !res.Matched || res.Kind != c.kind || res.RecipientID == nil || *res.RecipientID != want {
			t.Errorf("%s: %+v, want %s matched to %s (%d)", c.file, res, c.kind, c.email, want)
		}
	}
	if !recipientState(t, s, "ben.okafor@example.com", "replied_at") || recipientState(t, s, "tom.harris@example.org", "replied_at") {
		t.Error("a reply must mark replied; an auto-reply must not")
	}
	var hard, soft bool
	s.db.Get(&hard, `SELECT bounced_at IS NOT NULL FROM contacts WHERE email = 'nobody@example.com'`)
	s.db.Get(&soft, `SELECT bounced_at IS NOT NULL FROM contacts WHERE email = 'full.box@example.com'`)
	if !hard || soft {
		t.Errorf("hard bounce suppressed %v (want true), soft %v (want false)", hard, soft)
	}
	var timeline int
	s.db.Get(&timeline, `SELECT count(*) FROM activities a JOIN contacts c ON c.id = a.contact_id
		WHERE c.email = 'ben.okafor@example.com' AND a.kind = 'email.replied' AND a.details->>'snippet' <> ''`)
	if timeline != 1 {
		t.Errorf("%d reply entries with a snippet on the timeline", timeline)
	}
	// Follow-ups: only those who did not answer (auto-replies do not count).
	if _, err := campaigns.MaterializeFollowUps(context.Background(), s.db); err != nil {
		t.Fatal(err)
	}
	var followed []string
	s.db.Select(&followed, `SELECT c.email FROM recipients r JOIN contacts c ON c.id = r.contact_id
		WHERE r.campaign_id = $1 AND r.step = 1 ORDER BY c.email`, campaign)
	// a and b never answered; the soft bounce and the out-of-office do not count as answers.
	if strings.Join(followed, ",") != "a@example.org,b@example.org,full.box@example.com,tom.harris@example.org" {
		t.Errorf("follow-ups for %v, want everyone but those who replied or hard-bounced", followed)
	}
}

func TestIngestIsIdempotentAndUnmatchedIsHarmless(t *testing.T) {
	s := newServer(t)
	sentTo(t, s, map[string]string{"ben.okafor@example.com": "r12.gm1@network.example.org"})
	first := ingestFile(t, s, "gmail_reply.eml")
	second := ingestFile(t, s, "gmail_reply.eml")
	var events int
	s.db.Get(&events, `SELECT count(*) FROM recipient_events WHERE kind = 'reply'`)
	if !first.Matched || *second.RecipientID != *first.RecipientID || events != 1 {
		t.Errorf("ingesting twice: %+v %+v, %d reply events", first, second, events)
	}
	res := ingestFile(t, s, "forward.eml") // refers to a Message-ID we never sent, from a known sender
	if res.Kind != "reply" {
		t.Errorf("forward: %+v", res)
	}
	if _, err := campaigns.Ingest(context.Background(), s.db, signer, []byte("not a message")); err == nil {
		t.Error("garbage accepted")
	}
}

func TestUnsubscribeByMail(t *testing.T) {
	s := newServer(t)
	rid := recipientFor(t, s, "a@example.org")
	token := signer.Token(campaigns.LinkUnsubscribe, rid, "")
	raw := fmt.Sprintf("From: Ana <a@example.org>\r\nTo: unsubscribe+%s@network.example.org\r\nSubject: unsubscribe\r\nMessage-ID: <u1@example.org>\r\n\r\n", token)
	res, err := campaigns.Ingest(context.Background(), s.db, signer, []byte(raw))
	if err != nil || !res.Matched || res.Kind != "unsubscribe" || consent(t, s.db, "a@example.org") != "unsubscribed" {
		t.Fatalf("%+v %v, consent %q", res, err, consent(t, s.db, "a@example.org"))
	}
	// A token of another kind in the unsubscribe address unsubscribes nobody.
	s.db.MustExec(`UPDATE contacts SET consent = 'opt_in' WHERE email = 'a@example.org'`)
	forged := strings.Replace(raw, token, signer.Token(campaigns.LinkOpen, rid, ""), 1)
	forged = strings.Replace(strings.Replace(forged, "u1@", "u2@", 1), "From: Ana <a@example.org>", "From: Someone <x@elsewhere.example>", 1)
	if _, err := campaigns.Ingest(context.Background(), s.db, signer, []byte(forged)); err != nil {
		t.Fatal(err)
	}
	if consent(t, s.db, "a@example.org") == "unsubscribed" {
		t.Error("a forged unsubscribe address unsubscribed the contact")
	}
}

func TestIngestAPI(t *testing.T) {
	s := newServer(t)
	sentTo(t, s, map[string]string{"ben.okafor@example.com": "r12.gm1@network.example.org"})
	raw, _ := os.ReadFile("testdata/mail/gmail_reply.eml")
	var res struct {
		Matched     bool
		Kind        string
		RecipientID *int64 `json:"recipient_id"`
		Error       string
	}
	if got := s.do(crm.RoleViewer, "POST", "/api/v1/replies/ingest", string(raw), &res); got != 403 {
		t.Errorf("viewer ingest: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/replies/ingest", string(raw), &res); got != 200 || !res.Matched || res.Kind != "reply" || res.RecipientID == nil {
		t.Errorf("ingest: %d %+v", got, res)
	}
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/replies/ingest", "", &res); got != 400 {
		t.Errorf("empty body: %d %q", got, res.Error)
	}
}

func TestReplyMatchedByTokenisedReplyTo(t *testing.T) {
	s := newServer(t)
	rid := recipientFor(t, s, "a@example.org")
	tok := signer.Token(campaigns.LinkReply, rid, "")
	// A client that keeps no In-Reply-To or References, from another address.
	raw := "From: Ana Private <ana.private@elsewhere.example>\r\nTo: Team <replies+" + tok + "@network.example.org>\r\n" +
		"Subject: about your invitation\r\nMessage-ID: <p1@elsewhere.example>\r\n\r\nI would like to come.\r\n"
	res, err := campaigns.Ingest(context.Background(), s.db, signer, []byte(raw))
	if err != nil || !res.Matched || *res.RecipientID != rid || res.Kind != "reply" {
		t.Fatalf("%+v %v", res, err)
	}
	forged := strings.Replace(strings.Replace(raw, tok, signer.Token(campaigns.LinkOpen, rid, ""), 1), "p1@", "p2@", 1)
	if res, _ := campaigns.Ingest(context.Background(), s.db, signer, []byte(forged)); res.Matched {
		t.Errorf("a token of another kind matched: %+v", res)
	}
}

func TestSpamComplaintSuppressesTheAddress(t *testing.T) {
	s := newServer(t)
	sentTo(t, s, map[string]string{"complainer@example.org": "r41.complaint@network.example.org"})
	res := ingestFile(t, s, "arf_complaint.eml")
	var want int64
	s.db.Get(&want, `SELECT r.id FROM recipients r JOIN contacts k ON k.id = r.contact_id WHERE k.email = 'complainer@example.org' AND r.step = 0`)
	if !res.Matched || res.Kind != "complaint" || *res.RecipientID != want {
		t.Fatalf("complaint: %+v, want matched to recipient %d", res, want)
	}
	var complained bool
	s.db.Get(&complained, `SELECT complained_at IS NOT NULL FROM contacts WHERE email = 'complainer@example.org'`)
	var events, timeline int
	s.db.Get(&events, `SELECT count(*) FROM recipient_events WHERE recipient_id = $1 AND kind = 'complaint'`, want)
	s.db.Get(&timeline, `SELECT count(*) FROM activities WHERE kind = 'email.complained'`)
	if !complained || events != 1 || timeline != 1 {
		t.Errorf("complained %v, %d events, %d timeline entries", complained, events, timeline)
	}
	// Without the returned copy's Message-ID, the report's Original-Rcpt-To matches.
	raw, _ := os.ReadFile("testdata/mail/arf_complaint.eml")
	raw = bytes.Replace(raw, []byte("<r41.complaint@network.example.org>"), []byte("<unknown@elsewhere>"), 1)
	raw = bytes.Replace(raw, []byte("<arf.20261126091203.1@"), []byte("<arf.2@"), 1)
	res, err := campaigns.Ingest(context.Background(), s.db, signer, raw)
	if err != nil || !res.Matched || *res.RecipientID != want {
		t.Errorf("complaint matched by Original-Rcpt-To: %+v %v", res, err)
	}
}
