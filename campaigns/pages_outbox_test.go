package campaigns_test

import (
	"fmt"
	"strings"
	"testing"

	"outreach/campaigns"
	"outreach/crm"
)

// outboxRaw is a message as the mailer stores it: mixed, holding an
// alternative of quoted-printable text and HTML, and a calendar file.
func outboxRaw(subject string) string {
	return strings.ReplaceAll(`From: "Network Team" <team@network.example.org>
To: "Ana" <a@example.org>
Subject: =?UTF-8?q?`+subject+`?=
Date: Tue, 03 Mar 2026 10:00:00 +0000
Message-ID: <r1.abc@network.example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Hi Ana, gr=C3=BC=C3=9Fe & welcome. This line is long enough to need a soft=
 break.
--inner
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

<p style=3D"color:red">Hi Ana, gr=C3=BC=C3=9Fe</p><script>alert(1)</script=
>
--inner--

--outer
Content-Type: text/calendar; charset=UTF-8; method=REQUEST
Content-Disposition: attachment; filename="invite.ics"

BEGIN:VCALENDAR
END:VCALENDAR
--outer--
`, "\n", "\r\n")
}

func TestOutboxPages(t *testing.T) {
	c := newCampaignUI(t)
	for i := range 3 {
		_, err := c.db.Exec(`INSERT INTO outbox (message_id, mail_from, rcpt_to, subject, raw) VALUES ($1, $2, $3, $4, $5)`,
			fmt.Sprintf("r%d@network.example.org", i), "team@network.example.org", "a@example.org",
			fmt.Sprintf("Welcome <%d>", i), []byte(outboxRaw(fmt.Sprintf("Welcome_=3C%d=3E", i))))
		if err != nil {
			t.Fatal(err)
		}
	}
	list := c.get(crm.RoleViewer, "/outbox")
	if list.status != 200 {
		t.Fatalf("outbox: %d", list.status)
	}
	cuiHas(t, "outbox list", list.body, "Welcome &lt;0&gt;", "Welcome &lt;2&gt;", "a@example.org", `aria-current="page">Outbox`)
	var id int64
	c.db.Get(&id, `SELECT id FROM outbox WHERE message_id = 'r1@network.example.org'`)
	m := c.get(crm.RoleViewer, "/outbox/"+itoa(id))
	if m.status != 200 {
		t.Fatalf("message: %d", m.status)
	}
	cuiHas(t, "outbox message", m.body,
		// The HTML part, decoded from quoted-printable, escaped into the sandboxed frame.
		`<iframe class="mail" sandbox srcdoc="&lt;p style=&#34;color:red&#34;&gt;Hi Ana, grüße&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
		// The text part with its soft break joined.
		"Hi Ana, grüße &amp; welcome. This line is long enough to need a soft break.",
		`id="mail-subject">Welcome &lt;1&gt;<`, `id="mail-from">&#34;Network Team&#34; &lt;team@network.example.org&gt;<`,
		"<details", "BEGIN:VCALENDAR", "quoted-printable")
	if strings.Contains(m.body, "<script>alert(1)") {
		t.Error("the message's HTML reached the page unescaped")
	}
	if r := c.get(crm.RoleViewer, "/outbox/999999"); r.status != 404 {
		t.Errorf("missing message: %d", r.status)
	}
}

func TestOutboxPagination(t *testing.T) {
	c := newCampaignUI(t)
	for i := range 51 {
		if _, err := c.db.Exec(`INSERT INTO outbox (message_id, mail_from, rcpt_to, subject, raw) VALUES ($1, 'f@x.org', 't@x.org', $2, '')`,
			fmt.Sprintf("m%d@x.org", i), fmt.Sprintf("Message %d.", i)); err != nil {
			t.Fatal(err)
		}
	}
	first := c.get(crm.RoleViewer, "/outbox")
	second := c.get(crm.RoleViewer, "/outbox?page=2")
	if !strings.Contains(first.body, "Message 50.") || strings.Contains(first.body, "Message 0.") || !strings.Contains(first.body, `href="/outbox?page=2"`) {
		t.Error("first page: want the 50 newest and a link to the next page")
	}
	if !strings.Contains(second.body, "Message 0.") || strings.Contains(second.body, "Message 50.") || !strings.Contains(second.body, `href="/outbox?page=1"`) {
		t.Error("second page: want the oldest and a link back")
	}
}

func TestReadMail(t *testing.T) {
	v, err := campaigns.ReadMail([]byte(outboxRaw("Hello")))
	if err != nil {
		t.Fatal(err)
	}
	if v.Subject != "Hello" || v.To != `"Ana" <a@example.org>` || !strings.HasPrefix(v.HTML, `<p style="color:red">Hi Ana, grüße</p>`) ||
		!strings.Contains(v.Text, "need a soft break.") {
		t.Errorf("read %+v", v)
	}
	if _, err := campaigns.ReadMail(nil); err == nil {
		t.Error("an empty message was read")
	}
}
