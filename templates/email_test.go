package templates

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultMessages(t *testing.T) {
	messages := map[string]Message{"invitation": DefaultInvitation(), "follow-up": DefaultFollowUp()}
	withEvent := sampleData()
	noEvent := sampleData()
	noEvent.Event, noEvent.RSVPYesURL, noEvent.RSVPNoURL = nil, "", ""
	noName := sampleData()
	noName.Contact.FirstName = ""
	for name, m := range messages {
		c := mustCompile(t, m)
		t.Run(name+" with event", func(t *testing.T) {
			r := mustRender(t, c, withEvent)
			for _, part := range []string{r.HTML, r.Text} {
				mustContain(t, part, "Dear Anna,", "Access to finance: community of practice",
					"Thursday, 12 March 2026", "15:00", "Haus der Wirtschaft, Berlin",
					"https://outreach.example/r/yes/t0k", "https://outreach.example/r/no/t0k",
					"https://outreach.example/u/t0k")
			}
			mustContain(t, r.Subject, "Access to finance: community of practice", "12 Mar 2026")
			mustContain(t, r.HTML, "https://example.org/events/42?lang=de&amp;ref=mail")
		})
		t.Run(name+" without event", func(t *testing.T) {
			r := mustRender(t, c, noEvent)
			mustContain(t, r.HTML, "Dear Anna,", "https://outreach.example/u/t0k")
			mustContain(t, r.Text, "Dear Anna,", "https://outreach.example/u/t0k")
			for _, part := range []string{r.Subject, r.HTML, r.Text} {
				if strings.Contains(part, "/r/") || strings.Contains(part, "<no value>") {
					t.Errorf("part without event mentions RSVP links or missing values:\n%s", part)
				}
			}
		})
		t.Run(name+" without a first name", func(t *testing.T) {
			r := mustRender(t, c, noName)
			mustContain(t, r.HTML, "Dear colleague,")
			mustContain(t, r.Text, "Dear colleague,")
		})
	}
}

func TestDefaultEventNotices(t *testing.T) {
	update := mustRender(t, mustCompile(t, DefaultEventUpdate()), sampleData())
	mustContain(t, update.Subject, "Changed: Access to finance: community of practice, now 12 Mar 2026")
	for _, part := range []string{update.HTML, update.Text} {
		mustContain(t, part, "Dear Anna,", "have changed", "Thursday, 12 March 2026", "15:00–17:30 CET",
			"Haus der Wirtschaft, Berlin", "https://outreach.example/r/no/t0k", "https://outreach.example/u/t0k")
	}
	cancel := mustRender(t, mustCompile(t, DefaultEventCancel()), sampleData())
	mustContain(t, cancel.Subject, "Cancelled: Access to finance: community of practice, 12 Mar 2026")
	for _, part := range []string{cancel.HTML, cancel.Text} {
		mustContain(t, part, "Dear Anna,", "will not take place", "Thursday, 12 March 2026", "https://outreach.example/u/t0k")
		if strings.Contains(part, "/r/") {
			t.Errorf("a cancellation asks for no answer:\n%s", part)
		}
	}
}

func TestDefaultInvitationWithoutEndTime(t *testing.T) {
	c := mustCompile(t, DefaultInvitation())
	d := sampleData()
	mustContain(t, mustRender(t, c, d).Text, "15:00–17:30 CET")
	d.Event.End = time.Time{}
	r := mustRender(t, c, d)
	mustContain(t, r.Text, "2026, 15:00 CET")
	mustContain(t, r.HTML, "<br>15:00 CET")
}

func mustRender(t *testing.T, c *Compiled, d Data) Rendered {
	t.Helper()
	r, err := c.Render(d)
	if err != nil {
		t.Fatalf("Render() = %v", err)
	}
	return r
}

func mustContain(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in:\n%s", w, s)
		}
	}
}
