package campaigns

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"sync"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/compose.golden.json from the current output")

// composeCases are messages whose composed output is pinned byte for byte
// in testdata/compose.golden.json, written by the composer before it was
// made faster: tokens, links, HTML and text must not change with it.
func composeCases() map[string]struct {
	c    Campaign
	base string
	r    Claimed
} {
	tricky := Campaign{
		ID: 7, Name: "Spring café", From: "hello@ngo.example.net", Tracking: true,
		Steps: []Step{{Position: 1, Subject: "Re: {{ .Contact.Attributes.city }} – {{ .Campaign.Name }}", HTML: `<!DOCTYPE html>
<P CLASS=x>Grüße, {{ .Contact.FirstName }}! <A  Href = ' https://a.example/x?q=1&amp;region=de&reg=2 ' title="t">a</A>
<a href=http://b.example/ÄÖ>b</a> <a href="mailto:x@example.org">mail</a> <a href="#top">top</a> <a>none</a>
<a href="{{ .Contact.Attributes.site }}">site</a> <a href="{{ .UnsubscribeURL }}">stop</a> <a href="{{ .RSVPYesURL }}">yes</a>
<map><area shape=rect href="https://c.example/area" alt=x></map><!-- <a href="https://hidden.example/">x</a> -->
<script>var s = '<a href="https://script.example/">';</script><div style="display:none">preheader</div>
<ul><li>one&nbsp;two <a href="https://d.example/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on">https://d.example/very/long/path/that/goes/on/and/on/and/on/and/on/and/on/and/on</a></li><li>ünïcödé words wrapping across the line width of seventy-six characters here</li></ul>
<p>{{ range .Contact.Topics }}{{ . }} <a href="https://topics.example/{{ . }}">more</a>{{ end }}</p>`}},
	}
	textPart := Campaign{
		ID: 8, Name: "Plain", From: "news@ngo.example.net", Tracking: false,
		Steps: []Step{{Position: 0, Subject: "Hi {{ .Contact.FirstName }}", HTML: `<p>Hi <a href="https://e.example/">e</a> <a href="{{ .UnsubscribeURL }}">u</a></p>`,
			Text: "Hi {{ .Contact.FirstName }}, stop: {{ .UnsubscribeURL }} yes: {{ .RSVPYesURL }}\n"}},
	}
	email := "anna@example.org"
	anna := Claimed{
		ID: 1<<40 + 3, CampaignID: 7, Step: 1, MessageID: "<m@x>", Thread: []string{"<a@x>"}, Email: &email,
		FirstName: "Änna <b>", LastName: "Kowalska & Co", JobTitle: "Manager", Topics: []string{"finance", "a b&c"},
		Attributes: json.RawMessage(`{"city":"Hamburg","site":"https://gz-nord.example/?a=1&b=2 x"}`),
	}
	plain := anna
	plain.Step, plain.CampaignID, plain.Attributes = 0, 8, nil
	return map[string]struct {
		c    Campaign
		base string
		r    Claimed
	}{
		"bench":     {benchCampaign(), "https://outreach.example.org", benchRecipient()},
		"tricky":    {tricky, "https://outreach.example.org/", anna},
		"text part": {textPart, "http://localhost:8080", plain},
	}
}

type composed struct {
	Subject, HTML, Text, UnsubscribeURL, UnsubscribeMailto, ReplyTo string
}

func TestComposeOutputPinned(t *testing.T) {
	const file = "testdata/compose.golden.json"
	got := map[string]composed{}
	for name, tc := range composeCases() {
		comp := newTestComposer(t, tc.c, tc.base)
		comp.now = func() time.Time { return time.Unix(1767225600, 0) }
		out, err := comp.Compose(tc.r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[name] = composed{out.Subject, out.HTML, out.Text, out.UnsubscribeURL, out.UnsubscribeMailto, out.ReplyTo}
	}
	if *updateGolden {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "\t")
		enc.Encode(got)
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]composed
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		if g := got[name]; g != w {
			t.Errorf("%s: composed\n%#v\nwant\n%#v", name, g, w)
		}
	}
}

// TestComposeConcurrent composes from many goroutines at once, as the
// worker does; run with -race it checks the shared state of the composer
// and the signer.
func TestComposeConcurrent(t *testing.T) {
	tc := composeCases()["tricky"]
	comp := newTestComposer(t, tc.c, tc.base)
	comp.now = func() time.Time { return time.Unix(1767225600, 0) }
	want, err := comp.Compose(tc.r)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := comp.Compose(tc.r)
				if err != nil || got.HTML != want.HTML || got.Text != want.Text || got.ReplyTo != want.ReplyTo ||
					got.UnsubscribeMailto != want.UnsubscribeMailto {
					t.Errorf("concurrent Compose differs: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestLinksUnchanged holds the public link builders to the URLs they made
// before they were built in one allocation.
func TestLinksUnchanged(t *testing.T) {
	key := []byte("links-secret-0123456789")
	l := Links{BaseURL: "https://outreach.example.org/", Signer: NewSigner(key)}
	base := "https://outreach.example.org"
	sent := time.Unix(1767225600, 0)
	const rid, target = 1<<33 + 5, "https://example.org/a?b=c&d=é"
	for _, c := range [][2]string{
		{l.Unsubscribe(rid), base + "/u/" + referenceToken(key, LinkUnsubscribe, rid, "")},
		{l.UnsubscribeMailto(rid, "example.org"), "mailto:unsubscribe+" + referenceToken(key, LinkUnsubscribe, rid, "") + "@example.org"},
		{l.RSVP(rid, true), base + "/t/r/" + referenceToken(key, LinkRSVPYes, rid, "")},
		{l.RSVP(rid, false), base + "/t/r/" + referenceToken(key, LinkRSVPNo, rid, "")},
		{l.Open(rid, sent), base + "/t/o/" + referenceToken(key, LinkOpen, rid, "1767225600")},
		{l.Click(rid, sent, target), base + "/t/c/" + referenceToken(key, LinkClick, rid, "1767225600 "+target)},
		{l.Signer.Token(LinkReply, rid, "x"), referenceToken(key, LinkReply, rid, "x")},
	} {
		if got, want := c[0], c[1]; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
