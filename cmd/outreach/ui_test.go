package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/migrations/testdb"
	"outreach/worker/smtptest"
)

// browserUI drives the web UI in headless Chromium. A failing step leaves
// a screenshot in the test's temporary directory; with
// OUTREACH_SCREENSHOTS set to a directory, the steps that show the product
// are also saved there (the README's pictures come from here).
type browserUI struct {
	t      *testing.T
	ctx    context.Context
	base   string
	failed string // where failure screenshots go
	shots  string
	dialog chan string
}

func newBrowser(t *testing.T, base string) *browserUI {
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &browserUI{t: t, ctx: ctx, base: base, failed: t.TempDir(), shots: os.Getenv("OUTREACH_SCREENSHOTS"), dialog: make(chan string, 10)}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	// A script injected through contact data would most likely open a
	// dialog: record it, dismiss it, and fail the step.
	// An uncaught JavaScript error (htmx failing, say) fails it too.
	chromedp.Listen(ctx, func(ev any) {
		report := func(msg string) {
			select {
			case b.dialog <- msg:
			default:
			}
		}
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			report("a script opened a dialog: " + ev.Message)
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		case *runtime.EventExceptionThrown:
			report("uncaught JavaScript error: " + ev.ExceptionDetails.Text)
		}
	})
	return b
}

// step runs browser actions; on failure it saves a screenshot and stops.
func (b *browserUI) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (screenshot: %s)", name, err, b.screenshot(b.failed, name))
	}
	select {
	case msg := <-b.dialog:
		b.t.Fatalf("%s: %s (screenshot: %s)", name, msg, b.screenshot(b.failed, name))
	default:
	}
}

// show saves a screenshot of the current page for the documentation.
func (b *browserUI) show(name string) {
	if b.shots != "" {
		b.screenshot(b.shots, "ui-"+name)
	}
}

func (b *browserUI) screenshot(dir, name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "none: " + err.Error()
	}
	file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".png")
	os.WriteFile(file, png, 0o644)
	return file
}

// value runs an action that reads something from the page.
func value[T any](b *browserUI, name string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v (screenshot: %s)", name, err, b.screenshot(b.failed, name))
	}
	return v
}

func (b *browserUI) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(value(b, "read "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// waitText waits until the element's text is want (htmx updates it).
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(document.querySelector(%q)?.innerText || "").trim() === %q`, sel, want)
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(45*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))
}

func (b *browserUI) signIn(email, password string) {
	b.step("sign in as "+email,
		chromedp.Navigate(b.base+"/contacts"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#contacts-total")))
}

func (b *browserUI) signOut() {
	b.step("sign out", chromedp.Submit(chromedp.CSS(".signout button")), chromedp.WaitVisible(chromedp.CSS("#email")))
}

// postStatus posts a form from the page with fetch and returns the status;
// token is sent as the csrf field when not empty.
func (b *browserUI) postStatus(path, token string) int {
	b.t.Helper()
	js := fmt.Sprintf(`fetch(%q, {method: "POST", redirect: "manual", headers: {"Content-Type": "application/x-www-form-urlencoded"},
		body: %q}).then(r => r.status)`, path, "seniority=executive&csrf="+token)
	return value(b, "post "+path, chromedp.Evaluate[int](js, chromedp.EvalAwaitPromise))
}

const uiContacts = `email,first_name,last_name,organisation,organisation_type,country,job_title,seniority
ana@hub.example.org,Ana,Ruiz,Migrant Hub,business_support,ES,Programme manager,middle
ben@hub.example.org,Ben,Okafor,Migrant Hub,business_support,ES,Director,executive
cem@fund.example.org,<script>alert(1)</script>,Yilmaz,Diaspora Fund,finance,DE,Project officer,middle
not an email,Broken,Row,,,,,
`

func TestWebUIInABrowser(t *testing.T) {
	db, dsn := testdb.New(t)
	redisURL := testRedis(t, serveRedisDB)
	sink := smtptest.NewServer(t)
	ctx := context.Background()
	for email, role := range map[string]crm.Role{"ada@network.example.org": crm.RoleAdmin, "vic@network.example.org": crm.RoleViewer} {
		if _, err := crm.AddUser(ctx, db, email, strings.Split(email, "@")[0], role, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	base := serve(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_REDIS_ADDR": redisURL,
		"OUTREACH_SMTP_URL": "smtp://" + sink.Addr + "?tls=none", "OUTREACH_SECRET": "browser test secret 0123456789"})
	b := newBrowser(t, base)
	csvFile := filepath.Join(t.TempDir(), "contacts.csv")
	os.WriteFile(csvFile, []byte(uiContacts), 0o644)

	b.signIn("ada@network.example.org", "correct horse battery")

	// Import through the upload form: three contacts and a rejected line.
	b.step("import a CSV",
		chromedp.Navigate(base+"/contacts/import"),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{csvFile}),
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS("#import-result")))
	if got := b.text("#import-inserted"); got != "3" {
		t.Errorf("inserted: %q, want 3", got)
	}
	if got := b.text("#import-rejected"); !strings.Contains(got, "5") || !strings.Contains(strings.ToLower(got), "email") {
		t.Errorf("rejected lines: %q, want line 5's email", got)
	}

	// The contact list shows the <script> name as text, and runs nothing.
	b.step("contact list", chromedp.Navigate(base+"/contacts"), chromedp.WaitVisible(chromedp.CSS("#contacts")))
	injected := value(b, "script inert", chromedp.Evaluate[int](`document.querySelectorAll("#contacts script").length`))
	if list := b.text("#contacts"); !strings.Contains(list, "<script>alert(1)</script>") || injected != 0 {
		t.Errorf("the <script> contact name is not shown as text (%d script elements): %q", injected, list)
	}

	// The segment builder counts as the coordinator types.
	b.step("segment builder",
		chromedp.Navigate(base+"/segments/new"),
		chromedp.WaitVisible(chromedp.CSS("#expression")),
		chromedp.SendKeys(chromedp.CSS("#expression"), "seniority = middle"),
		waitText("#segment-count", "2"))
	b.show("segment builder")
	b.step("segment error",
		clearField("#expression"),
		chromedp.SendKeys(chromedp.CSS("#expression"), "seniority = = middle"),
		chromedp.WaitVisible(chromedp.CSS("#expression-error")))
	if msg := b.text("#expression-error"); !strings.Contains(msg, "1:") && !strings.Contains(msg, "column") && !strings.Contains(msg, "position") {
		t.Errorf("the expression error does not say where: %q", msg)
	}
	b.step("save segment",
		clearField("#expression"),
		chromedp.SendKeys(chromedp.CSS("#expression"), "seniority = middle"),
		waitText("#segment-count", "2"),
		chromedp.SendKeys(chromedp.CSS("#segment-name"), "Middle managers"),
		chromedp.Click(chromedp.CSS("#segment-save")),
		chromedp.WaitVisible(chromedp.CSS(".flash")))

	campaignID := b.createAndSendCampaign()

	// Live progress reaches done without a reload, and the sink got both.
	b.step("progress to done", waitText("#campaign-status", "done"))
	if got := b.text("#count-sent b"); got != "3" {
		t.Errorf("sent count on the campaign page: %q, want 3", got)
	}
	if n := sink.Count(); n != 3 {
		t.Errorf("the SMTP server received %d messages, want 3", n)
	}
	// Ana answers; her reply comes in through the ingest command.
	var msgID string
	if err := db.Get(&msgID, `SELECT r.message_id FROM recipients r JOIN contacts c ON c.id = r.contact_id
		WHERE c.email = 'ana@hub.example.org'`); err != nil {
		t.Fatal(err)
	}
	reply := "From: Ana Ruiz <ana@hub.example.org>\r\nTo: team@network.example.org\r\nSubject: Re: Join us in Vienna\r\n" +
		"Message-ID: <ana-reply@hub.example.org>\r\nIn-Reply-To: <" + msgID + ">\r\n\r\nCount me in!\r\n"
	if _, _, err := runCmd(t, map[string]string{"OUTREACH_DATABASE_URL": dsn, "OUTREACH_SECRET": "browser test secret 0123456789"}, reply, "replies", "ingest"); err != nil {
		t.Fatal(err)
	}
	b.step("reply on the campaign page", chromedp.Reload(), waitText("#count-replied b", "1"))
	b.show("campaign")

	b.step("report chart",
		chromedp.Navigate(fmt.Sprintf("%s/reports?campaign=%d&by=seniority", base, campaignID)),
		chromedp.WaitVisible(chromedp.CSS("#report-chart svg")),
		chromedp.WaitVisible(chromedp.CSS("#report-table")))
	if table := b.text("#report-table"); !strings.Contains(table, "1 of 2") {
		t.Errorf("the report does not show the middle managers' reply (1 of 2): %q", table)
	}
	b.show("report")

	b.visitEveryPage(db)

	// A form whose token was tampered with is refused and changes nothing.
	var contactID int64
	if err := db.Get(&contactID, `SELECT id FROM contacts WHERE email = 'ana@hub.example.org'`); err != nil {
		t.Fatal(err)
	}
	b.step("contact page", chromedp.Navigate(fmt.Sprintf("%s/contacts/%d", base, contactID)), chromedp.WaitVisible(chromedp.CSS(".signout")))
	if status := b.postStatus(fmt.Sprintf("/contacts/%d/seniority", contactID), "forged"); status != 403 {
		t.Errorf("a post with a forged CSRF token: %d, want 403", status)
	}
	if s := seniorityOf(t, db, contactID); s != "middle" {
		t.Errorf("seniority after a forged post: %q", s)
	}

	// A contact met at an event is added by hand: a mistyped country is
	// refused next to the field, with what was typed kept.
	b.step("add a contact: refused",
		chromedp.Navigate(base+"/contacts"),
		chromedp.Click(chromedp.CSS("#contacts-new")),
		chromedp.WaitVisible(chromedp.CSS("#contact-form")),
		chromedp.SendKeys(chromedp.CSS("#email"), "lena@coop.example.org"),
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Lena"),
		chromedp.SendKeys(chromedp.CSS("#job_title"), "Trainee"),
		chromedp.SendKeys(chromedp.CSS("#country"), "Atlantis"),
		chromedp.Click(chromedp.CSS("#contact-save")),
		chromedp.WaitVisible(chromedp.CSS("#country-error")))
	b.show("contact form refused")
	if got := value(b, "kept name", chromedp.Value(chromedp.CSS("#first_name"))); got != "Lena" {
		t.Errorf("the refused form lost the name: %q", got)
	}
	b.step("add a contact",
		clearField("#country"),
		chromedp.SendKeys(chromedp.CSS("#country"), "PT"),
		chromedp.Click(chromedp.CSS("#contact-save")),
		chromedp.WaitVisible(chromedp.CSS("#contact-details")))
	if got := b.text("#contact-details"); !strings.Contains(got, "lena@coop.example.org") || !strings.Contains(got, "PT") {
		t.Errorf("the added contact's page shows %q", got)
	}
	b.step("edit the contact",
		chromedp.Click(chromedp.CSS("#contact-edit")),
		chromedp.WaitVisible(chromedp.CSS("#contact-form")),
		clearField("#job_title"),
		chromedp.SendKeys(chromedp.CSS("#job_title"), "Programme Officer"),
		chromedp.Click(chromedp.CSS("#contact-save")),
		chromedp.WaitVisible(chromedp.CSS("#contact-details")))
	if got := b.text("#contact-details"); !strings.Contains(got, "Programme Officer") {
		t.Errorf("after the edit the page shows %q", got)
	}

	// The organisation's city, which the file left out, is set on its page.
	var hubID int64
	if err := db.Get(&hubID, `SELECT id FROM organisations WHERE name = 'Migrant Hub'`); err != nil {
		t.Fatal(err)
	}
	b.step("edit an organisation",
		chromedp.Navigate(fmt.Sprintf("%s/organisations/%d", base, hubID)),
		chromedp.Click(chromedp.CSS("#organisation-edit")),
		chromedp.WaitVisible(chromedp.CSS("#organisation-form")),
		chromedp.SendKeys(chromedp.CSS("#city"), "Madrid"))
	b.show("organisation form")
	b.step("save the organisation",
		chromedp.Click(chromedp.CSS("#organisation-save")),
		chromedp.WaitVisible(chromedp.CSS("#organisation-details")))
	if got := b.text("#organisation-details"); !strings.Contains(got, "Madrid") || !strings.Contains(got, "business_support") {
		t.Errorf("after the edit the organisation shows %q", got)
	}

	// A viewer sees the pages but cannot change anything, even by posting
	// the form's request by hand with a valid token.
	b.signOut()
	b.signIn("vic@network.example.org", "correct horse battery")
	b.step("viewer contact page",
		chromedp.Navigate(fmt.Sprintf("%s/contacts/%d", base, contactID)),
		chromedp.WaitVisible(chromedp.CSS(".signout")))
	token := value(b, "viewer token", chromedp.Value(chromedp.CSS(`.signout input[name="csrf"]`)))
	if status := b.postStatus(fmt.Sprintf("/contacts/%d/seniority", contactID), token); status != 403 {
		t.Errorf("a viewer's write: %d, want 403", status)
	}
	if s := seniorityOf(t, db, contactID); s != "middle" {
		t.Errorf("seniority after a viewer's post: %q", s)
	}

	// On a phone-sized screen the list still works.
	b.step("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/contacts"), chromedp.WaitVisible(chromedp.CSS("#contacts")))
}

func seniorityOf(t *testing.T, db interface {
	Get(any, string, ...any) error
}, id int64) string {
	var s string
	if err := db.Get(&s, `SELECT seniority FROM contacts WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	return s
}

// createAndSendCampaign goes through the campaign wizard, is stopped once
// by a template error shown at its position, and sends to the middle
// managers and executives; it returns the campaign's id from the page it lands on.
func (b *browserUI) createAndSendCampaign() int64 {
	next := func(waitFor string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Click(chromedp.CSS("#wizard-next")), chromedp.WaitVisible(chromedp.CSS(waitFor)))
	}
	b.step("wizard: audience",
		chromedp.Navigate(b.base+"/campaigns"),
		chromedp.Click(chromedp.CSS("#new-campaign")),
		chromedp.WaitVisible(chromedp.CSS("#campaign-name")),
		chromedp.SendKeys(chromedp.CSS("#campaign-name"), "Finance CoP, Vienna"),
		chromedp.SendKeys(chromedp.CSS("#audience-where"), "seniority in (middle, executive)"),
		waitText("#audience-count", "3 contacts match this audience."),
		chromedp.SendKeys(chromedp.CSS("#campaign-from"), "team@network.example.org"),
		next("#campaign-event"),
		next("#campaign-subject"))
	b.step("wizard: a template error",
		chromedp.SendKeys(chromedp.CSS("#campaign-subject"), "Join us in Vienna, {{ .Contact.FirstName }}"),
		clearField("#campaign-html"),
		chromedp.SendKeys(chromedp.CSS("#campaign-html"), "<p>Dear {{ .Contact.Nmae }},</p>"),
		next("#content-error"))
	if msg := b.text("#content-error"); !strings.Contains(msg, "html:1:") || !strings.Contains(msg, "Nmae") {
		b.t.Errorf("the template error does not say where: %q", msg)
	}
	b.step("wizard: content to review",
		clearField("#campaign-html"),
		chromedp.SendKeys(chromedp.CSS("#campaign-html"), `<p>Dear {{ .Contact.FirstName | default "colleague" }},</p><p>join our workshop.</p>`),
		next("#followup-after-0"),
		next("#campaign-per-minute"),
		next("#campaign-send"))
	if got := b.text("#review-receive"); !strings.HasPrefix(got, "3") {
		b.t.Errorf("review: %q will receive it, want 3", got)
	}
	b.step("wizard: send", chromedp.Click(chromedp.CSS("#campaign-send")), chromedp.WaitVisible(chromedp.CSS("#campaign-status")))
	path := value(b, "campaign url", chromedp.Evaluate[string](`location.pathname`))
	var id int64
	if _, err := fmt.Sscanf(path, "/campaigns/%d", &id); err != nil {
		b.t.Fatalf("landed on %q after sending, want the campaign page", path)
	}
	return id
}

// clearField empties an input or textarea (chromedp's Clear refuses an
// empty textarea), so the next keys replace its text.
func clearField(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel))(ctx, t)
		return err
	})
}

// visitEveryPage opens the pages the main path did not go through, each
// until the element that carries its content shows, and tests the SMTP
// connection from the mail settings.
func (b *browserUI) visitEveryPage(db *sqlx.DB) {
	ctx := context.Background()
	if err := loadDemoEvents(ctx, db, "network.example.org"); err != nil {
		b.t.Fatal(err)
	}
	var orgID, eventID int64
	var month string
	if err := db.Get(&orgID, `SELECT id FROM organisations WHERE name = 'Migrant Hub'`); err != nil {
		b.t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT id, to_char(starts_at AT TIME ZONE 'Europe/Brussels', 'YYYY-MM') FROM events ORDER BY id LIMIT 1`).Scan(&eventID, &month); err != nil {
		b.t.Fatal(err)
	}
	pages := []struct{ path, shows string }{
		{"/organisations", "#organisations"},
		{fmt.Sprintf("/organisations/%d", orgID), "#organisation-people"},
		{"/segments", ".flash, table"},
		{"/events?month=" + month, "#calendar .ev"},
		{fmt.Sprintf("/events/%d", eventID), "#event-details"},
		{"/outbox", "main h1"},
		{"/settings", "#users"},
		{"/settings/mail", "#smtp-config"},
	}
	for _, p := range pages {
		b.step("page "+p.path, chromedp.Navigate(b.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.shows)))
	}
	b.step("SMTP connection test", chromedp.Click(chromedp.CSS("#smtp-test")), chromedp.Poll[chromedp.Void](
		`/connected/i.test(document.querySelector("#smtp-test-result")?.innerText || "")`, chromedp.WithPollingTimeout(20*time.Second)))
}
