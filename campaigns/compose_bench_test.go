package campaigns

import (
	"encoding/json"
	"testing"
	"time"
)

// benchHTML is the message of the worker's send benchmark (worker/bench_test.go).
const benchHTML = `<html><body><h1>Invitation: Access to finance for migrant entrepreneurs</h1>
<p>Dear {{ .Contact.FirstName | default "colleague" }},</p>
<p>as {{ .Contact.JobTitle | default "a member" }} at {{ .Contact.Organisation | default "your organisation" }} you may
want to join our community of practice session in Vienna. We will discuss <a href="https://network.example.org/cop/finance?utm_source=invite">microfinance</a>,
<a href="https://network.example.org/cop/guarantees">guarantee schemes</a> and <a href="https://network.example.org/cop/mentoring">mentoring</a>.</p>
<p><a href="{{ .RSVPYesURL }}">Yes, I'll come</a> · <a href="{{ .RSVPNoURL }}">No, thanks</a></p>
<p style="font-size:small">You receive this because you work with migrant entrepreneurs. <a href="{{ .UnsubscribeURL }}">Unsubscribe</a></p>
</body></html>`

// benchCampaign is the send benchmark's campaign, with tracking on and a
// per-recipient Reply-To.
func benchCampaign() Campaign {
	return Campaign{
		ID: 42, Name: "Test invitation", From: "invite@network.example.org", FromName: "Network",
		ReplyTo: "replies+@network.example.org", Tracking: true,
		Steps: []Step{{Position: 0, Subject: `Hello {{ .Contact.FirstName | default "colleague" }}`, HTML: benchHTML}},
	}
}

func benchRecipient() Claimed {
	email := "p017@org17.example.org"
	return Claimed{
		ID: 123457, CampaignID: 42, ContactID: 9017, MessageID: "<c42.r123457.0@network.example.org>",
		Email: &email, FirstName: "Person17", LastName: "Test", Seniority: "middle", Country: "DE",
		Attributes: json.RawMessage(`{}`),
	}
}

func newTestComposer(t testing.TB, c Campaign, base string) *Composer {
	t.Helper()
	links := Links{BaseURL: base, Signer: NewSigner([]byte("bench-secret-0123456789abcdef"))}
	comp, err := NewComposer(t.Context(), nil, c, links) // no event: no query
	if err != nil {
		t.Fatal(err)
	}
	return comp
}

// BenchmarkCompose measures the per-message work of a send with
// personalisation, click tracking and the open pixel.
func BenchmarkCompose(b *testing.B) {
	comp := newTestComposer(b, benchCampaign(), "https://outreach.example.org")
	comp.now = func() time.Time { return time.Unix(1767225600, 0) }
	r := benchRecipient()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := comp.Compose(r); err != nil {
			b.Fatal(err)
		}
	}
}
