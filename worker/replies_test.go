package worker

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/emersion/go-imap/v2"

	"outreach/campaigns"
)

// TestRepliesFromAnIMAPMailboxReachTheCRM runs the whole inbound path: a
// mailbox holding a reply, an out-of-office and a bounce is polled, each
// message is ingested and matched to the recipient it answers.
func TestRepliesFromAnIMAPMailboxReachTheCRM(t *testing.T) {
	r := newRig(t, "email\nben.okafor@example.com\ntom.harris@example.org\nnobody@example.com\n")
	ctx := context.Background()
	c := r.create(basicInput(""))
	r.send(c.ID)
	for addr, id := range map[string]string{
		"ben.okafor@example.com": "r12.gm1@network.example.org",
		"tom.harris@example.org": "r18.oof@network.example.org",
		"nobody@example.com":     "r12.abc@network.example.org",
	} {
		r.db.MustExec(`UPDATE recipients x SET status = 'sent', sent_at = now(), message_id = $2
			FROM contacts k WHERE k.id = x.contact_id AND k.email = $1`, addr, id)
	}
	srv := startIMAP(t, nil)
	for _, f := range []string{"gmail_reply.eml", "ooo_en_outlook.eml", "postfix_dsn_hard.eml"} {
		raw, err := os.ReadFile("../campaigns/testdata/mail/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	signer := campaigns.NewSigner([]byte("test secret 0123456789"))
	var state IMAPState
	p := &Poller{
		Config: srv.config(IMAPAfterSeen), Log: r.worker(Config{}).Log,
		Handle: func(ctx context.Context, raw []byte) error {
			_, err := campaigns.Ingest(ctx, r.db, signer, raw)
			return err
		},
		Load: func(context.Context) (IMAPState, error) { return state, nil },
		Save: func(_ context.Context, s IMAPState) error { state = s; return nil },
	}
	n, err := p.PollOnce(ctx)
	if err != nil || n != 3 {
		t.Fatalf("poll: %d %v", n, err)
	}
	var kinds []string
	r.db.Select(&kinds, `SELECT e.kind FROM recipient_events e JOIN recipients x ON x.id = e.recipient_id
		JOIN contacts k ON k.id = x.contact_id ORDER BY k.email`)
	if len(kinds) != 3 || kinds[0] != "reply" || kinds[1] != "bounce" || kinds[2] != "auto_reply" {
		t.Errorf("events %v, want reply (ben), bounce (nobody), auto_reply (tom)", kinds)
	}
	if n, _ := p.PollOnce(ctx); n != 0 {
		t.Errorf("second poll handled %d messages again", n)
	}
}
