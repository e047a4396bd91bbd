package campaigns_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/migrations/testdb"
)

// newCampaignUI is the UI over a fresh database holding three contacts,
// two of them middle managers.
func newCampaignUI(t *testing.T) *pagesUI {
	t.Helper()
	db, _ := testdb.New(t)
	_, err := crm.ImportCSV(context.Background(), db, strings.NewReader("email,first_name,seniority\n"+
		"a@example.org,Ana,middle\nb@example.org,Ben,executive\nc@example.org,Cleo,middle\n"), crm.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return newPagesUI(t, db)
}

func (c *pagesUI) campaignCount() int {
	c.t.Helper()
	var n int
	if err := c.db.Get(&n, `SELECT count(*) FROM campaigns`); err != nil {
		c.t.Fatal(err)
	}
	return n
}

var cuiStateField = regexp.MustCompile(`name="state" value="([^"]*)"`)

// wizard posts one step of the wizard, carrying the state the previous
// answer held, and returns the answer.
// next is the step to go to, or for the review step's buttons "finish:"
// and the button's value (send, schedule, draft).
func (c *pagesUI) wizard(role crm.Role, prev uiAnswer, current, next string, fields url.Values) uiAnswer {
	c.t.Helper()
	form := url.Values{"current": {current}, "step": {next}}
	if action, ok := strings.CutPrefix(next, "finish:"); ok {
		form = url.Values{"current": {current}, "finish": {action}}
	}
	if m := cuiStateField.FindStringSubmatch(prev.body); m != nil {
		form.Set("state", html.UnescapeString(m[1]))
	}
	for k, v := range fields {
		form[k] = v
	}
	return c.post(role, "/campaigns/new", form)
}

func cuiStep(body string) string {
	m := regexp.MustCompile(`<li aria-current="step">([^<]*)</li>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func cuiHas(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func cuiAudience() url.Values {
	return url.Values{"name": {"Spring <b>CoP</b>"}, "where": {"seniority = middle"},
		"from": {"team@network.example.org"}, "from_name": {"Network Team"}}
}

func TestCampaignPagesList(t *testing.T) {
	c := newCampaignUI(t)
	where := "seniority = middle"
	_, err := campaigns.Create(context.Background(), c.db, campaigns.Input{Name: "Autumn <script>alert(1)</script>",
		Audience: campaigns.Audience{Where: &where}, From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>"}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	// A second campaign, started, so each row must show its own counts
	// (the list counts every campaign in one query).
	all := ""
	started, err := campaigns.Create(context.Background(), c.db, campaigns.Input{Name: "Everyone",
		Audience: campaigns.Audience{Where: &all}, From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>"}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.Send(context.Background(), c.db, started.ID, campaigns.SegmentOptions()); err != nil {
		t.Fatal(err)
	}
	a := c.get(crm.RoleCoordinator, "/campaigns")
	if a.status != 200 {
		t.Fatalf("list: %d", a.status)
	}
	if row := pageElement(a.body, "campaign-"+itoa(started.ID)); !strings.Contains(row, `<td class="num recipients">3</td>`) {
		t.Errorf("the started campaign's row does not show its 3 recipients: %s", row)
	}
	cuiHas(t, "campaign to everyone", c.get(crm.RoleViewer, "/campaigns/"+itoa(started.ID)).body, "Every contact who may be mailed")
	cuiHas(t, "campaign list", a.body, `id="new-campaign"`, `Autumn &lt;script&gt;alert(1)&lt;/script&gt;`, `class="badge draft"`)
	if strings.Contains(a.body, "<script>alert(1)") {
		t.Error("campaign name not escaped")
	}
	if v := c.get(crm.RoleViewer, "/campaigns"); v.status != 200 || strings.Contains(v.body, `id="new-campaign"`) {
		t.Errorf("viewer list: %d, new-campaign link shown: %v", v.status, strings.Contains(v.body, `id="new-campaign"`))
	}
	if v := c.get(crm.RoleViewer, "/campaigns/new"); v.status != 403 {
		t.Errorf("viewer wizard: %d, want 403", v.status)
	}
}

func TestCampaignWizardHappyPath(t *testing.T) {
	c := newCampaignUI(t)
	a := c.get(crm.RoleCoordinator, "/campaigns/new")
	if a.status != 200 || cuiStep(a.body) != "Audience" {
		t.Fatalf("start: %d, step %q", a.status, cuiStep(a.body))
	}
	cuiHas(t, "audience step", a.body, `<ol class="steps">`, `id="campaign-name"`, `id="audience-segment"`, `id="audience-where"`, `id="campaign-from"`)

	if n := c.get(crm.RoleCoordinator, "/campaigns/new/count?where="+url.QueryEscape("seniority = middle")); !strings.Contains(n.body, "<b>2</b> contacts") {
		t.Errorf("live count: %s", n.body)
	}
	if n := c.get(crm.RoleCoordinator, "/campaigns/new/count?where="+url.QueryEscape("seniority = ")); !strings.Contains(n.body, `class="field-error"`) {
		t.Errorf("live count of a broken expression: %s", n.body)
	}

	a = c.wizard(crm.RoleCoordinator, a, "audience", "event", cuiAudience())
	if a.status != 200 || cuiStep(a.body) != "Event" {
		t.Fatalf("to event: %d %q", a.status, cuiStep(a.body))
	}
	cuiHas(t, "event step", a.body, `id="campaign-event"`)
	a = c.wizard(crm.RoleCoordinator, a, "event", "content", url.Values{"event_id": {""}})
	if cuiStep(a.body) != "Content" {
		t.Fatalf("to content: %d %q", a.status, cuiStep(a.body))
	}
	content := url.Values{"subject": {"Hello {{ .Contact.FirstName }}"}, "html": {"<p>Hi {{ .Contact.FirstName }}</p>"}}
	a = c.wizard(crm.RoleCoordinator, a, "content", "preview", content)
	if a.status != 200 || strings.Count(a.body, `<iframe class="mail" sandbox srcdoc=`) != 2 {
		t.Errorf("preview: %d, %d frames, want one per middle manager", a.status, strings.Count(a.body, `<iframe class="mail"`))
	}
	cuiHas(t, "preview", a.body, `class="preview"`, `Hello Ana`, `&lt;p&gt;Hi Ana&lt;/p&gt;`)
	a = c.wizard(crm.RoleCoordinator, a, "content", "followups", content)
	if cuiStep(a.body) != "Follow-ups" {
		t.Fatalf("to follow-ups: %d %q", a.status, cuiStep(a.body))
	}
	a = c.wizard(crm.RoleCoordinator, a, "followups", "schedule", url.Values{
		"after_0": {"3d"}, "followup_subject_0": {"Reminder"}, "followup_html_0": {"<p>Reminder</p>"}})
	if cuiStep(a.body) != "Schedule" {
		t.Fatalf("to schedule: %d %q\n%s", a.status, cuiStep(a.body), a.body)
	}
	// Back keeps what was typed.
	back := c.wizard(crm.RoleCoordinator, a, "schedule", "followups", url.Values{"per_minute": {"60"}, "tracking": {"1"}})
	if cuiStep(back.body) != "Follow-ups" || !strings.Contains(back.body, `value="Reminder"`) {
		t.Errorf("back to follow-ups: %q, reminder kept: %v", cuiStep(back.body), strings.Contains(back.body, `value="Reminder"`))
	}
	a = c.wizard(crm.RoleCoordinator, back, "followups", "schedule", url.Values{
		"after_0": {"3d"}, "followup_subject_0": {"Reminder"}, "followup_html_0": {"<p>Reminder</p>"}})
	if !strings.Contains(a.body, `id="campaign-per-minute" name="per_minute" value="60"`) {
		t.Error("schedule step lost the rate typed before going back")
	}
	a = c.wizard(crm.RoleCoordinator, a, "schedule", "review", url.Values{"per_minute": {"60"}, "per_domain_per_minute": {"10"},
		"window_days": {"mon", "tue"}, "window_from": {"09:00"}, "window_to": {"17:00"}, "window_tz": {"Europe/Berlin"}, "tracking": {"1"}})
	if cuiStep(a.body) != "Review" {
		t.Fatalf("to review: %d %q\n%s", a.status, cuiStep(a.body), a.body)
	}
	cuiHas(t, "review", a.body, `id="campaign-send"`, `id="campaign-schedule"`, `id="review-receive"><b>2</b>`, `Spring &lt;b&gt;CoP&lt;/b&gt;`)
	if n := c.campaignCount(); n != 0 {
		t.Fatalf("%d campaigns before the end of the wizard", n)
	}

	a = c.wizard(crm.RoleCoordinator, a, "review", "finish:send", nil)
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, "/campaigns/") {
		t.Fatalf("send: %d to %q\n%s", a.status, a.location, a.body)
	}
	list, err := campaigns.List(context.Background(), c.db)
	if err != nil || len(list) != 1 {
		t.Fatalf("campaigns after the wizard: %v %v", list, err)
	}
	got, _ := campaigns.ByID(context.Background(), c.db, list[0].ID)
	if got.Status != "running" || got.Name != "Spring <b>CoP</b>" || got.FromName != "Network Team" || len(got.Steps) != 2 ||
		got.PerMinute != 60 || got.PerDomainPerMinute != 10 || got.WindowTimeZone != "Europe/Berlin" || len(got.WindowDays) != 2 {
		t.Errorf("created campaign: %+v", got)
	}
	if a.location != "/campaigns/"+itoa(got.ID) {
		t.Errorf("redirect to %q", a.location)
	}
	page := c.get(crm.RoleCoordinator, a.location)
	cuiHas(t, "campaign page", page.body, `id="campaign-status" role="status">running<`, `hx-trigger="every 2s"`, `href="/reports?campaign=`+itoa(got.ID)+`"`)
}

func TestCampaignWizardScheduleAndDraft(t *testing.T) {
	c := newCampaignUI(t)
	a := c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", cuiAudience())
	a = c.wizard(crm.RoleCoordinator, a, "content", "followups", url.Values{"subject": {"Hi"}, "html": {"<p>Hi</p>"}})
	// Scheduling without a time is refused on the review step.
	r := c.wizard(crm.RoleCoordinator, a, "review", "finish:schedule", nil)
	if r.status != 400 || !strings.Contains(r.body, `id="create-error"`) || c.campaignCount() != 0 {
		t.Fatalf("schedule without a time: %d, %d campaigns", r.status, c.campaignCount())
	}
	a = c.wizard(crm.RoleCoordinator, a, "schedule", "review", url.Values{"at": {"2031-03-04T09:30"}, "at_tz": {"Europe/Berlin"}})
	r = c.wizard(crm.RoleCoordinator, a, "review", "finish:schedule", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%s", r.status, r.body)
	}
	list, _ := campaigns.List(context.Background(), c.db)
	if len(list) != 1 || list[0].Status != "scheduled" || list[0].ScheduledAt == nil || list[0].ScheduledAt.UTC().Format("2006-01-02 15:04") != "2031-03-04 08:30" {
		t.Errorf("scheduled campaign: %+v", list)
	}
	r = c.wizard(crm.RoleCoordinator, a, "review", "finish:draft", nil)
	list, _ = campaigns.List(context.Background(), c.db)
	if r.status != http.StatusSeeOther || len(list) != 2 || list[0].Status != "draft" {
		t.Errorf("draft: %d, %+v", r.status, list)
	}
}

func TestCampaignWizardTemplateErrorStays(t *testing.T) {
	c := newCampaignUI(t)
	a := c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", cuiAudience())
	broken := url.Values{"subject": {"Hello"}, "html": {"<p>Hi\n\n  {{ .Contact.Nmae }}</p>"}}
	for _, next := range []string{"followups", "preview"} {
		r := c.wizard(crm.RoleCoordinator, a, "content", next, broken)
		if r.status != 400 || cuiStep(r.body) != "Content" {
			t.Errorf("%s with a broken template: %d, step %q", next, r.status, cuiStep(r.body))
		}
		cuiHas(t, "content error", r.body, `<p class="field-error" id="content-error" role="alert">html:3:15: `, "Nmae")
	}
	// A broken template that reaches the end anyway (a tampered state) is
	// refused by Create and shown on the review step.
	r := c.wizard(crm.RoleCoordinator, a, "content", "event", broken) // going back is allowed
	r = c.wizard(crm.RoleCoordinator, r, "review", "finish:send", nil)
	if r.status != 400 || cuiStep(r.body) != "Review" || !strings.Contains(r.body, "html:3:15") {
		t.Errorf("send with a broken template: %d, step %q", r.status, cuiStep(r.body))
	}
	if n := c.campaignCount(); n != 0 {
		t.Errorf("%d campaigns created from a broken template", n)
	}
	// Audience mistakes stop the first step, with the expression's position.
	bad := cuiAudience()
	bad.Set("where", "seniority = ")
	bad.Set("from", "not an address")
	r = c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", bad)
	if r.status != 400 || cuiStep(r.body) != "Audience" {
		t.Errorf("bad audience: %d %q", r.status, cuiStep(r.body))
	}
	cuiHas(t, "audience errors", r.body, `id="where-error"`, `id="from-error"`)
}

func TestCampaignWizardReviewShowsSuppressed(t *testing.T) {
	c := newCampaignUI(t)
	_, err := c.db.Exec(`UPDATE contacts SET consent = 'unsubscribed' WHERE email = 'a@example.org'`)
	if err != nil {
		t.Fatal(err)
	}
	fields := cuiAudience()
	fields.Set("where", "seniority in (middle, executive)")
	a := c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", fields)
	a = c.wizard(crm.RoleCoordinator, a, "content", "followups", url.Values{"subject": {"Hi"}, "html": {"<p>Hi</p>"}})
	a = c.wizard(crm.RoleCoordinator, a, "schedule", "review", url.Values{})
	cuiHas(t, "review", a.body, `id="review-receive"><b>2</b>`, `id="review-matching"><b>3</b>`,
		`id="review-suppressed"><b>1</b>`, `id="suppressed-unsubscribed">1<`, `id="suppressed-bounced">0<`)
}

func TestAudienceSummaryCountsSuppressedByReason(t *testing.T) {
	c := newCampaignUI(t)
	ctx := context.Background()
	_, err := crm.ImportCSV(ctx, c.db, strings.NewReader("email,first_name,seniority\n"+
		"d@example.org,Dan,middle\ne@example.org,Eve,middle\nf@example.org,Fay,middle\ng@example.org,Gus,middle\n"), crm.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE contacts SET consent = 'unsubscribed', bounced_at = now() WHERE email = 'a@example.org'`, // counts once, as unsubscribed
		`UPDATE contacts SET bounced_at = now() WHERE email = 'd@example.org'`,
		`UPDATE contacts SET complained_at = now() WHERE email = 'e@example.org'`,
	} {
		if _, err := c.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var g crm.Contact
	if err := c.db.Get(&g.ID, `SELECT id FROM contacts WHERE email = 'g@example.org'`); err != nil {
		t.Fatal(err)
	}
	if err := crm.EraseContact(ctx, c.db, g.ID, "test"); err != nil {
		t.Fatal(err)
	}
	where := "seniority = middle"
	got, err := campaigns.AudienceSummary(ctx, c.db, campaigns.Input{Audience: campaigns.Audience{Where: &where}}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Middle managers: a, c, d, e, f live; g erased (erasure keeps seniority).
	want := campaigns.AudienceCounts{Matching: 5, Unsubscribed: 1, Bounced: 1, Complained: 1, Erased: 1}
	if got != want || got.Receive() != 2 || got.Suppressed() != 3 {
		t.Errorf("summary %+v (receive %d), want %+v", got, got.Receive(), want)
	}
	bad := "seniority ="
	if _, err := campaigns.AudienceSummary(ctx, c.db, campaigns.Input{Audience: campaigns.Audience{Where: &bad}}, campaigns.SegmentOptions()); err == nil {
		t.Error("a broken expression was counted")
	}
}

func TestCampaignPagesViewerCannotChange(t *testing.T) {
	c := newCampaignUI(t)
	// A coordinator's complete wizard state, posted by a viewer.
	a := c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", cuiAudience())
	a = c.wizard(crm.RoleCoordinator, a, "content", "review", url.Values{"subject": {"Hi"}, "html": {"<p>Hi</p>"}})
	if r := c.wizard(crm.RoleViewer, a, "review", "finish:send", nil); r.status != 403 {
		t.Errorf("viewer send: %d, want 403", r.status)
	}
	if n := c.campaignCount(); n != 0 {
		t.Errorf("viewer created %d campaigns", n)
	}
	where := "seniority = middle"
	camp, err := campaigns.Create(context.Background(), c.db, campaigns.Input{Name: "X", Audience: campaigns.Audience{Where: &where},
		From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>"}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r := c.post(crm.RoleViewer, "/campaigns/"+itoa(camp.ID)+"/send", url.Values{}); r.status != 403 {
		t.Errorf("viewer send of a draft: %d", r.status)
	}
	if got, _ := campaigns.ByID(context.Background(), c.db, camp.ID); got.Status != "draft" {
		t.Errorf("status after a viewer's send: %s", got.Status)
	}
	page := c.get(crm.RoleViewer, "/campaigns/"+itoa(camp.ID))
	if page.status != 200 || strings.Contains(page.body, `id="action-send"`) {
		t.Errorf("viewer page: %d, shows send button: %v", page.status, strings.Contains(page.body, `id="action-send"`))
	}
	// Without the CSRF token, even a coordinator changes nothing.
	req, _ := http.NewRequest("POST", c.url+"/campaigns/"+itoa(camp.ID)+"/send", strings.NewReader(""))
	resp := c.send(crm.RoleCoordinator, req)
	if got, _ := campaigns.ByID(context.Background(), c.db, camp.ID); resp.status != 403 || got.Status != "draft" {
		t.Errorf("send without CSRF: %d, status %s", resp.status, got.Status)
	}
}

func TestCampaignProgressAndActions(t *testing.T) {
	c := newCampaignUI(t)
	ctx := context.Background()
	where := "seniority = middle"
	camp, err := campaigns.Create(ctx, c.db, campaigns.Input{Name: "Progress", Audience: campaigns.Audience{Where: &where},
		From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>"}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	path := "/campaigns/" + itoa(camp.ID)
	if r := c.post(crm.RoleCoordinator, path+"/send", url.Values{}); r.status != http.StatusSeeOther || r.location != path {
		t.Fatalf("send: %d %q", r.status, r.location)
	}
	// One recipient sent, one suppressed, as the worker would record them.
	if _, err := c.db.Exec(`UPDATE recipients SET status = CASE WHEN contact_id = (SELECT min(contact_id) FROM recipients WHERE campaign_id = $1)
		THEN 'sent' ELSE 'suppressed' END WHERE campaign_id = $1`, camp.ID); err != nil {
		t.Fatal(err)
	}
	p := c.get(crm.RoleViewer, path+"/progress")
	if p.status != 200 || strings.Contains(p.body, "<html") {
		t.Fatalf("progress partial: %d, whole page: %v", p.status, strings.Contains(p.body, "<html"))
	}
	cuiHas(t, "progress", p.body, `id="progress"`, `hx-trigger="every 2s"`, `id="count-sent"><b>1</b>`, `id="count-suppressed"><b>1</b>`,
		`id="count-queued"><b>0</b>`, `id="count-failed"><b>0</b>`, `id="count-bounced"><b>0</b>`, `class="progress"`, `width: 100%`,
		`id="campaign-status" role="status">running<`)

	if r := c.post(crm.RoleCoordinator, path+"/pause", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("pause: %d", r.status)
	}
	page := c.get(crm.RoleCoordinator, path)
	cuiHas(t, "paused page", page.body, `>paused<`, `id="action-resume"`, "Campaign paused.")
	if strings.Contains(page.body, `id="action-pause"`) {
		t.Error("pause offered for a paused campaign")
	}
	if r := c.post(crm.RoleCoordinator, path+"/resume", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("resume: %d", r.status)
	}
	if got, _ := campaigns.ByID(ctx, c.db, camp.ID); got.Status != "running" {
		t.Errorf("after resume: %s", got.Status)
	}
	r := c.post(crm.RoleCoordinator, path+"/resume", url.Values{})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "cannot resume a campaign that is running") {
		t.Errorf("resuming a running campaign: %d", r.status)
	}
	c.post(crm.RoleCoordinator, path+"/cancel", url.Values{})
	p = c.get(crm.RoleViewer, path+"/progress")
	if strings.Contains(p.body, "hx-trigger") || !strings.Contains(p.body, ">cancelled<") {
		t.Errorf("a cancelled campaign still polls or hides its status:\n%s", p.body)
	}
	if r := c.post(crm.RoleCoordinator, path+"/explode", url.Values{}); r.status != 404 {
		t.Errorf("unknown action: %d", r.status)
	}
}

func TestCampaignPreviewEscapesContactData(t *testing.T) {
	c := newCampaignUI(t)
	ctx := context.Background()
	if _, err := c.db.Exec(`UPDATE contacts SET first_name = '<script>alert(1)</script>' WHERE email = 'a@example.org'`); err != nil {
		t.Fatal(err)
	}
	// In the wizard.
	a := c.wizard(crm.RoleCoordinator, uiAnswer{}, "audience", "event", cuiAudience())
	a = c.wizard(crm.RoleCoordinator, a, "content", "preview", url.Values{"subject": {"Hi {{ .Contact.FirstName }}"}, "html": {"<p>Hi {{ .Contact.FirstName }}</p>"}})
	cuiEscaped(t, "wizard preview", a.body)
	// On the campaign page.
	where := "seniority = middle"
	camp, err := campaigns.Create(ctx, c.db, campaigns.Input{Name: "P", Audience: campaigns.Audience{Where: &where},
		From: "team@network.example.org", Subject: "Hi {{ .Contact.FirstName }}", HTML: "<p>Hi {{ .Contact.FirstName }}</p>"}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	c.db.Get(&id, `SELECT id FROM contacts WHERE email = 'a@example.org'`)
	p := c.get(crm.RoleViewer, "/campaigns/"+itoa(camp.ID)+"/preview?step=0&contact="+itoa(id))
	if p.status != 200 {
		t.Fatalf("preview: %d", p.status)
	}
	cuiEscaped(t, "campaign preview", p.body)
	if r := c.get(crm.RoleViewer, "/campaigns/"+itoa(camp.ID)+"/preview?step=5&contact="+itoa(id)); r.status != 400 {
		t.Errorf("preview of a missing step: %d", r.status)
	}
}

func cuiEscaped(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, "<script>alert(1)") {
		t.Errorf("%s: contact data not escaped", what)
	}
	// The message escapes the name once; the srcdoc attribute once more.
	cuiHas(t, what, body, `srcdoc="&lt;p&gt;Hi &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;`, `Hi &lt;script&gt;alert(1)&lt;/script&gt;`)
}

// The next invitation starts from the last one: every setting is carried
// into the wizard, and finishing it creates a second campaign like the first.
func TestCampaignWizardStartsFromAnEarlierCampaign(t *testing.T) {
	c := newCampaignUI(t)
	where, off := "seniority = middle", false
	orig, err := campaigns.Create(context.Background(), c.db, campaigns.Input{Name: "Finance CoP, spring",
		Audience: campaigns.Audience{Where: &where}, From: "Network Team <team@network.example.org>", ReplyTo: "cop@network.example.org",
		Subject: "Join us, {{ .Contact.FirstName }}", HTML: "<p>Dear {{ .Contact.FirstName }}</p>", Text: "Dear {{ .Contact.FirstName }}",
		Throttle: campaigns.Throttle{PerMinute: 30, PerDomainPerMinute: 5},
		Window:   &campaigns.Window{Days: []string{"mon", "tue"}, From: "09:00", To: "17:00", TimeZone: "Europe/Vienna"},
		Followup: []campaigns.FollowUp{{After: "3d", Subject: "Reminder", HTML: "<p>Still time</p>"}, {After: "2w", Subject: "Last call", HTML: "<p>Last</p>"}},
		Tracking: &off}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	page := c.get(crm.RoleCoordinator, "/campaigns/"+itoa(orig.ID))
	cuiHas(t, "campaign page", page.body, `href="/campaigns/new?from=`+itoa(orig.ID)+`"`)
	if v := c.get(crm.RoleViewer, "/campaigns/"+itoa(orig.ID)); strings.Contains(v.body, "new?from=") {
		t.Error("a viewer is offered to copy the campaign")
	}
	if v := c.get(crm.RoleViewer, "/campaigns/new?from="+itoa(orig.ID)); v.status != 403 {
		t.Errorf("viewer: %d, want 403", v.status)
	}
	for _, bad := range []string{"999999", "x"} {
		if a := c.get(crm.RoleCoordinator, "/campaigns/new?from="+bad); a.status != 404 {
			t.Errorf("from=%s: %d, want 404", bad, a.status)
		}
	}

	a := c.get(crm.RoleCoordinator, "/campaigns/new?from="+itoa(orig.ID))
	if a.status != 200 {
		t.Fatalf("wizard from a campaign: %d", a.status)
	}
	cuiHas(t, "audience step", a.body, `value="Copy of Finance CoP, spring"`, `seniority = middle`, `value="team@network.example.org"`, `value="Network Team"`)
	r := c.wizard(crm.RoleCoordinator, a, "review", "finish:draft", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("finish: %d\n%s", r.status, r.body)
	}
	list, _ := campaigns.List(context.Background(), c.db)
	if len(list) != 2 {
		t.Fatalf("%d campaigns, want 2", len(list))
	}
	copied, err := campaigns.ByID(context.Background(), c.db, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	want := orig
	want.ID, want.Name, want.CreatedAt = copied.ID, "Copy of Finance CoP, spring", copied.CreatedAt
	if copied.Name != want.Name || copied.Status != "draft" || copied.From != want.From || copied.FromName != want.FromName ||
		copied.ReplyTo != want.ReplyTo || copied.AudienceWhere != want.AudienceWhere || copied.PerMinute != 30 ||
		copied.PerDomainPerMinute != 5 || copied.Tracking || copied.Window().From != "09:00" ||
		strings.Join(copied.WindowDays, ",") != "mon,tue" || copied.WindowTimeZone != "Europe/Vienna" {
		t.Errorf("copy differs:\n got %+v\nwant %+v", copied, want)
	}
	if len(copied.Steps) != 3 {
		t.Fatalf("copy has %d steps, want 3", len(copied.Steps))
	}
	for i, s := range copied.Steps {
		o := orig.Steps[i]
		if s.Subject != o.Subject || s.HTML != o.HTML || s.Text != o.Text || s.AfterSec != o.AfterSec {
			t.Errorf("step %d: %+v, want %+v", i, s, o)
		}
	}
}

// A draft opens in the wizard with everything it says and is saved in
// place; a started campaign is not offered for editing.
func TestCampaignWizardEditsADraft(t *testing.T) {
	c := newCampaignUI(t)
	where := "seniority = middle"
	draft, err := campaigns.Create(context.Background(), c.db, campaigns.Input{Name: "Workshop, Lisbon",
		Audience: campaigns.Audience{Where: &where}, From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>",
		Followup: []campaigns.FollowUp{{After: "3d", Subject: "Reminder", HTML: "<p>Reminder</p>"}}}, campaigns.SegmentOptions())
	if err != nil {
		t.Fatal(err)
	}
	page := c.get(crm.RoleCoordinator, "/campaigns/"+itoa(draft.ID))
	cuiHas(t, "draft page", page.body, `href="/campaigns/new?edit=`+itoa(draft.ID)+`"`)

	a := c.get(crm.RoleCoordinator, "/campaigns/new?edit="+itoa(draft.ID))
	if a.status != 200 {
		t.Fatalf("edit: %d", a.status)
	}
	cuiHas(t, "edit wizard", a.body, "<h1>Edit campaign</h1>", `value="Workshop, Lisbon"`)
	// Both parameters: the edit wins; the two ids are never read as one.
	if both := c.get(crm.RoleCoordinator, "/campaigns/new?from=9&edit="+itoa(draft.ID)); both.status != 200 || !strings.Contains(both.body, `value="Workshop, Lisbon"`) {
		t.Errorf("from and edit together: %d", both.status)
	}
	a = c.wizard(crm.RoleCoordinator, a, "content", "followups", url.Values{"subject": {"Hi {{ .Contact.FirstName }}"}, "html": {"<p>Hello again</p>"}})
	stale := a
	r := c.wizard(crm.RoleCoordinator, a, "review", "finish:draft", nil)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/campaigns/"+itoa(draft.ID) {
		t.Fatalf("save: %d to %q\n%s", r.status, r.header.Get("Location"), r.body)
	}
	got, _ := campaigns.ByID(context.Background(), c.db, draft.ID)
	if c.campaignCount() != 1 || got.Name != "Workshop, Lisbon" || got.Steps[0].HTML != "<p>Hello again</p>" || len(got.Steps) != 2 {
		t.Errorf("after saving: %d campaigns, %+v", c.campaignCount(), got)
	}

	if _, err := campaigns.Send(context.Background(), c.db, draft.ID, campaigns.SegmentOptions()); err != nil {
		t.Fatal(err)
	}
	if page := c.get(crm.RoleCoordinator, "/campaigns/"+itoa(draft.ID)); strings.Contains(page.body, "new?edit=") {
		t.Error("a running campaign is offered for editing")
	}
	if a := c.get(crm.RoleCoordinator, "/campaigns/new?edit="+itoa(draft.ID)); a.status != 409 {
		t.Errorf("edit of a running campaign: %d, want 409", a.status)
	}
	// A state saved while it was a draft cannot change it now.
	r = c.wizard(crm.RoleCoordinator, stale, "review", "finish:draft", nil)
	if got2, _ := campaigns.ByID(context.Background(), c.db, draft.ID); r.status != 400 || !strings.Contains(r.body, "cannot edit a campaign that is running") ||
		got2.Status != "running" || c.campaignCount() != 1 {
		t.Errorf("finishing a stale edit: %d, %s, %d campaigns\n%s", r.status, got2.Status, c.campaignCount(), r.body)
	}
}
