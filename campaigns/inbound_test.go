package campaigns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// readMail returns a fixture from testdata/mail.
func readMail(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "mail", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// crlf converts a fixture to the line ends it has on the wire.
func crlf(raw []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
}

func TestParseInboundFixtures(t *testing.T) {
	tests := []struct {
		file    string
		kind    string
		ref     string // References[0]
		failed  string
		hard    bool
		status  string
		snippet string // prefix
		absent  string // must not be in the snippet
		token   string
		subject string // if set, the exact decoded subject
	}{
		{file: "gmail_reply.eml", kind: InboundReply, ref: "r12.gm1@network.example.org",
			snippet: "Hi Ana,\n\nThanks, I’d love to join.", absent: "wrote"},
		{file: "outlook_reply.eml", kind: InboundReply, ref: "r12.ol1@network.example.org",
			snippet: "Hello Ana,\n\nYes, count me in for the 14th. I’ll also", absent: "From: Ana"},
		{file: "apple_de_reply.eml", kind: InboundReply, ref: "r12.ap1@network.example.org",
			snippet: "Hallo Frau Lopez,\n\nvielen Dank für die Einladung.", absent: "schrieb",
			subject: "Re: Einladung: Community of Practice, 14. April in Brüssel"},
		{file: "postfix_dsn_hard.eml", kind: InboundBounce, ref: "r12.abc@network.example.org",
			failed: "nobody@example.com", hard: true, status: "5.1.1"},
		{file: "dsn_soft_delayed.eml", kind: InboundBounce, ref: "r13.def@network.example.org",
			failed: "full.box@example.com", hard: false, status: "4.2.2"},
		{file: "exchange_ndr.eml", kind: InboundBounce, ref: "r14.ghi@network.example.org",
			failed: "bernd.nobody@example.com", hard: true, status: "5.1.10"},
		{file: "qmail_bounce.eml", kind: InboundBounce, ref: "r15.jkl@network.example.org",
			failed: "olaf.jensen@example.com", hard: true, status: "5.1.1"},
		{file: "ooo_de.eml", kind: InboundAutoReply, ref: "r16.mno@network.example.org",
			snippet: "Vielen Dank für Ihre Nachricht.\n\nIch bin bis einschließlich 20.03.2026 nicht im Büro"},
		{file: "ooo_en_outlook.eml", kind: InboundAutoReply, ref: "r18.oof@network.example.org",
			snippet: "Thank you for your message. I am out of the office until 23 March 2026 with limited"},
		{file: "ooo_fr.eml", kind: InboundAutoReply, ref: "r19.fr1@network.example.org",
			snippet: "Bonjour,\n\nJe suis absente du bureau jusqu'au 20 mars 2026 inclus, avec un accès limité",
			subject: "Réponse automatique : Invitation : réunion de la communauté de pratique, 14 avril"},
		{file: "forward.eml", kind: InboundReply, ref: "r17.pqr@network.example.org",
			snippet: "Hi Grace,\n\nFYI — this might interest you", absent: "Forwarded message"},
		{file: "unsubscribe.eml", kind: InboundUnsubscribe, token: "oubq.5t64wg6qsplk7qq3njls7lwvhi"},
	}
	for _, tt := range tests {
		for _, form := range []string{"lf", "crlf"} {
			t.Run(tt.file+"/"+form, func(t *testing.T) {
				raw := readMail(t, tt.file)
				if form == "crlf" {
					raw = crlf(raw)
				}
				in, err := ParseInbound(raw)
				if err != nil {
					t.Fatalf("ParseInbound: %v", err)
				}
				got := fmt.Sprintf("kind=%s failed=%s hard=%t status=%s token=%s", in.Kind, in.FailedAddress, in.Hard, in.Status, in.UnsubscribeToken)
				want := fmt.Sprintf("kind=%s failed=%s hard=%t status=%s token=%s", tt.kind, tt.failed, tt.hard, tt.status, tt.token)
				if got != want {
					t.Errorf("got  %s\nwant %s", got, want)
				}
				if tt.ref != "" && (len(in.References) == 0 || in.References[0] != tt.ref) {
					t.Errorf("References = %q, want first %q", in.References, tt.ref)
				}
				if !strings.HasPrefix(in.Snippet, tt.snippet) {
					t.Errorf("Snippet = %q, want prefix %q", in.Snippet, tt.snippet)
				}
				if tt.absent != "" && strings.Contains(in.Snippet, tt.absent) {
					t.Errorf("Snippet = %q, holds %q from the quoted history", in.Snippet, tt.absent)
				}
				if tt.subject != "" && in.Subject != tt.subject {
					t.Errorf("Subject = %q, want %q", in.Subject, tt.subject)
				}
				if in.From == "" || in.Date.IsZero() || len(in.To) == 0 {
					t.Errorf("From %q, Date %v, To %q: want all set", in.From, in.Date, in.To)
				}
			})
		}
	}
}

func TestParseInboundFields(t *testing.T) {
	in, err := ParseInbound(readMail(t, "outlook_reply.eml"))
	if err != nil {
		t.Fatal(err)
	}
	want := Inbound{
		Kind:       InboundReply,
		MessageID:  "AM9PR01MB74123F0A1C2B3D4E5F6A7B8CD9E0@AM9PR01MB7412.eurprd01.prod.example.com",
		From:       "carla.rossi@example.com",
		To:         []string{"reply+p7m2c4wq9zrt5kfe@network.example.org", "jan.devries@example.com"},
		Subject:    "RE: Invitation: Community of Practice meeting, 14 April",
		References: []string{"r12.ol1@network.example.org", "r10.st1@network.example.org"},
		Date:       in.Date,
		Snippet: "Hello Ana,\n\nYes, count me in for the 14th. I’ll also forward this to our head of unit, " +
			"who may want to attend the afternoon workshop.\n\nKind regards\nCarla Rossi\nPolicy Officer – Regional Development",
		PlusTokens: []string{"p7m2c4wq9zrt5kfe"},
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("ParseInbound(outlook_reply.eml) mismatch (-want +got):\n%s", diff)
	}
	if got := in.Date.UTC().Format("2006-01-02 15:04:05"); got != "2026-03-12 10:41:02" {
		t.Errorf("Date = %s", got)
	}

	b, err := ParseInbound(readMail(t, "postfix_dsn_hard.eml"))
	if err != nil {
		t.Fatal(err)
	}
	wantDiag := "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table"
	if b.Diagnostic != wantDiag {
		t.Errorf("Diagnostic = %q, want %q", b.Diagnostic, wantDiag)
	}
}

func TestParseInboundRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"empty", nil, ErrInboundMalformed},
		{"blank lines", []byte("\r\n\r\n  \r\n"), ErrInboundMalformed},
		{"garbage text", []byte("hello world, this is not a mail message"), ErrInboundMalformed},
		{"binary", []byte{0x00, 0xff, 0xfe, ':', 0x01, '\n', '\n', 0x80}, ErrInboundMalformed},
		{"body only", []byte("\r\nDear Ana,\r\nsee you there.\r\n"), ErrInboundMalformed},
		{"unknown fields only", []byte("X-Foo: bar\r\nX-Bar: baz\r\n\r\nbody"), ErrInboundMalformed},
		{"26 MB", bytes.Repeat([]byte("a"), 26<<20), ErrInboundTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInbound(tt.raw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseInbound = %+v, %v; want error %v", in, err, tt.want)
			}
		})
	}
}

func TestParseInboundHeaderOnly(t *testing.T) {
	raw := "From: Ana <Ana@Example.org>\r\nTo: Reply+Tok9Q@network.example.org\r\nSubject: Re: Invitation"
	in, err := ParseInbound([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	want := Inbound{Kind: InboundReply, From: "ana@example.org", To: []string{"reply+tok9q@network.example.org"},
		Subject: "Re: Invitation", PlusTokens: []string{"Tok9Q"}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestParseInboundManyReferences(t *testing.T) {
	var refs strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&refs, " <ref%d@example.org>\r\n", i)
	}
	raw := "From: a@example.org\r\nMessage-ID: <me@example.org>\r\nIn-Reply-To: <ref999@example.org>\r\n" +
		"References:" + refs.String() + "Subject: Re: x\r\n\r\nok\r\n"
	in, err := ParseInbound([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.References) != maxInboundRefs {
		t.Fatalf("len(References) = %d, want %d", len(in.References), maxInboundRefs)
	}
	first, second, last := in.References[0], in.References[1], in.References[len(in.References)-1]
	if first != "ref999@example.org" || second != "ref998@example.org" || last != "ref0@example.org" {
		t.Errorf("References = %s, %s ... %s; want the newest first and the root kept last", first, second, last)
	}
	if in.Snippet != "ok" {
		t.Errorf("Snippet = %q", in.Snippet)
	}
}

// message builds a small test message from header lines and a body.
func message(body string, header ...string) []byte {
	return []byte(strings.Join(header, "\r\n") + "\r\n\r\n" + body)
}

func TestParseInboundClassification(t *testing.T) {
	const from, to = "From: Ana <ana@example.org>", "To: reply+t1@network.example.org"
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"Auto-Submitted: no", message("Yes.", from, to, "Subject: Re: x", "Auto-Submitted: no"), InboundReply},
		{"Auto-Submitted", message("Away.", from, to, "Subject: Re: x", "Auto-Submitted: auto-generated"), InboundAutoReply},
		{"X-Autoreply", message("Away.", from, to, "Subject: Re: x", "X-Autoreply: yes"), InboundAutoReply},
		{"X-Autorespond", message("Away.", from, to, "Subject: Re: x", "X-Autorespond: Away"), InboundAutoReply},
		{"Precedence bulk", message("Away.", from, to, "Subject: Re: x", "Precedence: bulk"), InboundAutoReply},
		{"Precedence list", message("Yes.", from, to, "Subject: Re: x", "Precedence: list"), InboundReply},
		{"suppress alone", message("Yes.", from, to, "Subject: RE: x", "X-Auto-Response-Suppress: All"), InboundReply},
		{"AW: Abwesend", message("Away.", from, to, "Subject: AW: Abwesend: x"), InboundAutoReply},
		{"Re: Out of Office", message("Away.", from, to, "Subject: Re: Out of Office Re: x"), InboundAutoReply},
		{"Fuori ufficio", message("Away.", from, to, "Subject: Fuori ufficio: x"), InboundAutoReply},
		{"Niet aanwezig", message("Away.", from, to, "Subject: Niet aanwezig"), InboundAutoReply},
		{"encoded Respuesta", message("Away.", from, to, "Subject: =?utf-8?Q?Respuesta_autom=C3=A1tica=3A_x?="), InboundAutoReply},
		{"Absences word", message("Yes.", from, to, "Subject: Absences next week"), InboundReply},
		{"Fwd", message("FYI", from, to, "Subject: Fwd: Invitation"), InboundReply},
		{"WG", message("FYI", from, to, "Subject: WG: Invitation"), InboundReply},
		{"unsubscribe beats auto", message("", from, "To: unsubscribe+abc.def@network.example.org", "Auto-Submitted: auto-generated", "Subject: unsubscribe"), InboundUnsubscribe},
		{"read receipt", message("--b\r\nContent-Type: text/plain\r\n\r\nRead.\r\n--b--\r\n", from, to, "Subject: Read: x",
			`Content-Type: multipart/report; report-type=disposition-notification; boundary="b"`), InboundAutoReply},
		{"feedback report", message("--b\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\n--b--\r\n", from, to,
			"Subject: complaint", `Content-Type: multipart/report; report-type=feedback-report; boundary="b"`), InboundComplaint},
		{"success DSN", message("--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; x@example.com\r\nAction: delivered\r\nStatus: 2.0.0\r\n--b--\r\n",
			"From: MAILER-DAEMON@mx.example.com", to, "Subject: Successful Mail Delivery Report",
			`Content-Type: multipart/report; report-type=delivery-status; boundary="b"`), InboundAutoReply},
		{"postmaster", message("Sorry.", "From: postmaster@example.com", to, "Subject: x"), InboundBounce},
		{"mbox From line", []byte("From ana@example.org Thu Mar 12 10:00:00 2026\n" + string(message("Yes.", from, to, "Subject: Re: x"))), InboundReply},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInbound(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.Kind != tt.want {
				t.Errorf("Kind = %q, want %q (%+v)", in.Kind, tt.want, in)
			}
		})
	}
}

func TestParseInboundUnsubscribeTokenCase(t *testing.T) {
	raw := message("", "From: lena@example.com", "To: UNSUBSCRIBE+OUBQ.5T64WG6QSPLK7QQ3NJLS7LWVHI@Network.Example.org", "Subject: unsubscribe")
	in, err := ParseInbound(raw)
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != InboundUnsubscribe || in.UnsubscribeToken != "oubq.5t64wg6qsplk7qq3njls7lwvhi" {
		t.Errorf("Kind %q, UnsubscribeToken %q", in.Kind, in.UnsubscribeToken)
	}
}

func TestParseInboundTextBounces(t *testing.T) {
	const to = "To: bounces+t2@network.example.org"
	tests := []struct {
		name, failed, status string
		hard                 bool
		raw                  []byte
	}{
		{"exim", "gone@example.com", "5.0.0", true, message(
			"This message was created automatically by mail delivery software.\r\n\r\n"+
				"A message that you sent could not be delivered to one or more of its\r\nrecipients. This is a permanent error. The following address(es) failed:\r\n\r\n"+
				"  gone@example.com\r\n    host mx.example.com [192.0.2.9]\r\n    SMTP error from remote mail server after RCPT TO:<gone@example.com>:\r\n    550 Unrouteable address\r\n",
			"From: Mail Delivery System <Mailer-Daemon@mx.network.example.org>", to,
			"Subject: Mail delivery failed: returning message to sender", "X-Failed-Recipients: gone@example.com")},
		{"no code, unknown", "lost@example.com", "", true, message(
			"Your message wasn't delivered to lost@example.com because the address couldn't be found: no such user.\r\n",
			"From: Mail Delivery Subsystem <mailer-daemon@example.net>", to, "Subject: Delivery Status Notification (Failure)")},
		{"no code, soft", "busy@example.com", "", false, message(
			"<busy@example.com>: the mailbox is temporarily disabled, retrying later.\r\n",
			"From: postmaster@example.com", to, "Subject: Returned mail: see transcript for details")},
		{"German Exchange", "kein.name@example.de", "5.1.1", true, message(
			"Ihre Nachricht an kein.name@example.de konnte nicht zugestellt werden.\r\n\r\nRemote Server returned '550 5.1.1 RESOLVER.ADR.RecipNotFound; not found'\r\n",
			"From: postmaster@example.de", to, "Subject: Unzustellbar: Einladung")},
		{"IP address is not a code", "ip@example.com", "4.4.1", false, message(
			"<ip@example.com>: connect to 10.5.1.1[10.5.1.1]:25: Connection timed out (4.4.1)\r\n",
			"From: MAILER-DAEMON@example.com", to, "Subject: Undelivered Mail Returned to Sender")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInbound(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprintf("%s failed=%s status=%s hard=%t", in.Kind, in.FailedAddress, in.Status, in.Hard)
			want := fmt.Sprintf("%s failed=%s status=%s hard=%t", InboundBounce, tt.failed, tt.status, tt.hard)
			if got != want {
				t.Errorf("got  %s\nwant %s\n(diagnostic %q)", got, want, in.Diagnostic)
			}
		})
	}
}

func TestInboundSnippet(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"gmail", "Yes, I'll come.\n\nOn Thu, 12 Mar 2026 at 10:02, Ana <ana@network.example.org> wrote:\n\n> Dear Ben,\n", "Yes, I'll come."},
		{"gmail wrapped", "Yes.\r\n\r\nOn Thu, 12 Mar 2026 at 10:02, Ana Lopez <\r\nana@network.example.org> wrote:\r\n\r\n> Dear Ben,\r\n", "Yes."},
		{"german", "Gerne.\n\nAm 12.03.2026 um 10:02 schrieb Ana Lopez <ana@network.example.org>:\n\nSehr geehrter Herr Müller,\n", "Gerne."},
		{"french", "Avec plaisir.\n\nLe jeu. 12 mars 2026 à 10:02, Ana Lopez <ana@network.example.org> a écrit :\n\nBonjour,\n", "Avec plaisir."},
		{"spanish", "Sí.\n\nEl jue, 12 mar 2026 a las 10:02, Ana (<ana@network.example.org>) escribió:\nHola\n", "Sí."},
		{"original message", "Count me in.\n\n-----Original Message-----\nFrom: Ana\nSent: Thursday\n\nDear Carla\n", "Count me in."},
		{"german outlook block", "Ja.\n\n________________________________\nVon: Ana Lopez <ana@network.example.org>\nGesendet: Donnerstag, 12. März 2026 10:02\nAn: Dieter\n", "Ja."},
		{"outlook bold block", "Yes.\n\n*From:* Ana Lopez\n*Sent:* Thursday, March 12, 2026 10:02 AM\n", "Yes."},
		{"french outlook block", "Oui.\n\nDe : Ana Lopez\nEnvoyé : jeudi 12 mars 2026 10:02\nÀ : Claire\n", "Oui."},
		{"interleaved quotes", "> Can you come?\nYes.\n> Will you bring someone?\nMy colleague Jan.\n", "Yes.\nMy colleague Jan."},
		{"unknown writer attribution", "Fine.\n\nana@network.example.org wrote:\n> Dear Ben\n", "Fine."},
		{"signature", "See you.\n-- \nBen Okafor\nHead of Unit\n", "See you."},
		{"iphone", "Thanks!\n\nSent from my iPhone\n\n> On 12 Mar 2026, at 10:02, Ana wrote:\n", "Thanks!"},
		{"forward", "FYI\n\n---------- Forwarded message ---------\nFrom: Ana\n", "FYI"},
		{"apple forward", "FYI\n\nBegin forwarded message:\n\nFrom: Ana\n", "FYI"},
		{"blank runs", "\n\nA\n\n\n\nB\n\n", "A\n\nB"},
		{"from in text", "From: the team's point of view, yes.\nThanks", "From: the team's point of view, yes.\nThanks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replyText(tt.text, false); got != tt.want {
				t.Errorf("replyText(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestInboundFlowed(t *testing.T) {
	raw := message("Thanks for the \r\ninvitation, I will \r\n come.\r\n\r\n-- \r\nBen\r\n", "From: b@example.com", "Subject: Re: x",
		"Content-Type: text/plain; charset=utf-8; format=flowed; delsp=no")
	in, err := ParseInbound(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Thanks for the invitation, I will come."; in.Snippet != want {
		t.Errorf("Snippet = %q, want %q", in.Snippet, want)
	}
}

func TestInboundSnippetLength(t *testing.T) {
	long := strings.Repeat("é", 3000)
	got := replyText(long, false)
	if n := utf8.RuneCountInString(got); n != maxSnippet {
		t.Errorf("snippet of %d characters, want %d", n, maxSnippet)
	}
}

func TestInboundHTMLOnly(t *testing.T) {
	tests := []struct{ name, html, want string }{
		{"gmail", `<div dir="ltr">Hi Ana,<div><br></div><div>I&#39;ll be there &amp; bring a colleague.</div></div><br>` +
			`<div class="gmail_quote"><div class="gmail_attr">On Thu, 12 Mar 2026 at 10:02, Ana wrote:<br></div><blockquote>Dear Ben</blockquote></div>`,
			"Hi Ana,\n\nI'll be there & bring a colleague."},
		{"outlook", `<html><head><style>p {margin:0}</style><!--[if gte mso 9]><xml><o:shapedefaults/></xml><![endif]--></head>` +
			`<body><p class=MsoNormal>Yes,<o:p></o:p></p><p class=MsoNormal>count me in.<o:p></o:p></p><p>&nbsp;</p><p>Carla</p>` +
			`<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> Ana<br><b>Sent:</b> Thursday</p></div><p>Dear Carla</p></body></html>`,
			"Yes,\ncount me in.\n\nCarla"},
		{"script dropped", `<script>alert("x")</script><p>Hello</p><style>.a{}</style>`, "Hello"},
		{"unclosed tag", `<p>Hello <b`, "Hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := message(tt.html, "From: x@example.com", "To: y@example.org", "Subject: Re: x", "Content-Type: text/html; charset=utf-8")
			in, err := ParseInbound(raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.Snippet != tt.want {
				t.Errorf("Snippet = %q, want %q", in.Snippet, tt.want)
			}
		})
	}
}

func TestInboundCharsets(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		subj string
		snip string
	}{
		{"latin-1 label holding windows-1252", message("It\x92s fine \x96 caf\xe9", "From: a@example.org",
			"Subject: =?windows-1252?Q?Re=3A_Caf=E9_=93x=94?=", "Content-Type: text/plain; charset=iso-8859-1"), "Re: Café “x”", "It’s fine – café"},
		{"unknown charset, latin-1 bytes", message("Gr\xfc\xdfe", "From: a@example.org", "Subject: x",
			"Content-Type: text/plain; charset=x-unknown"), "x", "Grüße"},
		{"raw 8-bit header", message("ok", "From: a@example.org", "Subject: Re: R\xe9union"), "Re: Réunion", "ok"},
		{"utf-8 header", message("ok", "From: a@example.org", "Subject: Re: Réunion"), "Re: Réunion", "ok"},
		{"base64 with junk", message("SGFsbG8g\r\n V2VsdA==\r\n", "From: a@example.org", "Subject: x",
			"Content-Transfer-Encoding: base64"), "x", "Hallo Welt"},
		{"iso-8859-2", message("Dzi\xeakuj\xea", "From: a@example.org", "Subject: x",
			`Content-Type: text/plain; charset="ISO_8859-2"`), "x", "Dziękuję"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := ParseInbound(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if in.Subject != tt.subj || in.Snippet != tt.snip {
				t.Errorf("Subject %q, Snippet %q; want %q, %q", in.Subject, in.Snippet, tt.subj, tt.snip)
			}
		})
	}
}

// mailFixtures returns every fixture, for the fuzz seeds and the benchmark.
func mailFixtures(t testing.TB) [][]byte {
	files, err := filepath.Glob(filepath.Join("testdata", "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		out = append(out, readMail(t, filepath.Base(f)))
	}
	return out
}

var inboundKinds = map[string]bool{InboundReply: true, InboundAutoReply: true, InboundBounce: true, InboundUnsubscribe: true, InboundComplaint: true}

func BenchmarkParseInbound(b *testing.B) {
	fixtures := mailFixtures(b)
	size := 0
	for _, raw := range fixtures {
		size += len(raw)
	}
	b.SetBytes(int64(size / len(fixtures)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := ParseInbound(fixtures[n%len(fixtures)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func TestInboundHTMLFixtures(t *testing.T) {
	tests := []struct{ file, want string }{
		{"gmail_reply.eml", "Hi Ana,\n\nThanks, I’d love to join. Can I bring a colleague from our regional office?\n\nBest,\nBen"},
		{"outlook_reply.eml", "Hello Ana,\n\nYes, count me in for the 14th. I’ll also forward this to our head of unit, " +
			"who may want to attend the afternoon workshop.\n\nKind regards\nCarla Rossi\nPolicy Officer – Regional Development"},
		{"forward.eml", "Hi Grace,\n\nFYI — this might interest you; Ana (in copy) can add you to the list.\n\nBen"},
		{"ooo_en_outlook.eml", "Thank you for your message. I am out of the office until 23 March 2026 with limited access " +
			"to email. For urgent matters please contact secretariat@example.org.\n\nTom Harris"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			h, body, err := splitMessage(readMail(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var p inboundParts
			p.walk(h, bytes.NewReader(body), 0)
			p.plain = nil // as if the client had sent HTML only
			if got := p.snippet(); got != tt.want {
				t.Errorf("HTML snippet = %q, want %q", got, tt.want)
			}
		})
	}
}
