package campaigns_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/crm"
	"outreach/migrations/testdb"
)

var signer = campaigns.NewSigner([]byte("campaign test secret 0123"))

type server struct {
	t   testing.TB
	db  *sqlx.DB
	url string
	key map[crm.Role]string
}

func newServer(t testing.TB) *server {
	db, _ := testdb.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	auth := crm.Auth{DB: db, Log: log}
	links := campaigns.Links{BaseURL: "https://o.example.org", Signer: signer}
	// Feeds in these tests are served by httptest on loopback, which the
	// default feed client refuses.
	(&campaigns.API{DB: db, Auth: auth, Links: links, Log: log, HTTP: campaigns.FeedClient(true)}).Routes(mux)
	(&campaigns.Public{DB: db, Signer: signer, Log: log}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s := &server{t: t, db: db, url: srv.URL, key: map[crm.Role]string{}}
	for _, r := range []crm.Role{crm.RoleCoordinator, crm.RoleViewer} {
		k, _, err := crm.CreateAPIKey(context.Background(), db, string(r), r)
		if err != nil {
			t.Fatal(err)
		}
		s.key[r] = k
	}
	_, err := crm.ImportCSV(context.Background(), db, strings.NewReader("email,first_name,seniority\na@example.org,Ana,middle\nb@example.org,Ben,executive\n"), crm.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *server) do(role crm.Role, method, path, body string, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.key[role])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		json.Unmarshal(b, out)
	}
	return resp.StatusCode
}

// doRaw sends a request and copies the raw answer into out.
func (s *server) doRaw(role crm.Role, method, path string, out *strings.Builder) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.key[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(out, resp.Body)
	return resp.StatusCode
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

const validCampaign = `{"name":"Spring CoP","audience":{"where":"seniority = middle"},"from":"Team <team@network.example.org>",
	"subject":"Hello {{ .Contact.FirstName }}","html":"<p>Hi {{ .Contact.FirstName | default \"there\" }}</p>",
	"throttle":{"per_minute":60},"followups":[{"after":"3d","subject":"Reminder","html":"<p>Reminder</p>"}]}`

type campaignView struct {
	ID     int64
	Status string
	Counts campaigns.Counts
	Error  string
}

func TestCampaignAPILifecycle(t *testing.T) {
	s := newServer(t)
	var c campaignView
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &c); got != 201 || c.Status != "draft" {
		t.Fatalf("create: %d %+v", got, c)
	}
	path := "/api/v1/campaigns/" + strconv.FormatInt(c.ID, 10)
	if got := s.do(crm.RoleCoordinator, "POST", path+"/pause", "", &c); got != 409 || !strings.Contains(c.Error, "cannot pause") {
		t.Errorf("pausing a draft: %d %q, want 409", got, c.Error)
	}
	if got := s.do(crm.RoleViewer, "POST", path+"/send", "", nil); got != 403 {
		t.Errorf("viewer send: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", path+"/send", "", &c); got != 200 || c.Status != "running" || c.Counts.Recipients != 1 || c.Counts.Pending != 1 {
		t.Fatalf("send: %d %+v, want running with the one middle manager", got, c)
	}
	if got := s.do(crm.RoleCoordinator, "POST", path+"/send", "", &c); got != 409 {
		t.Errorf("sending twice: %d", got)
	}
	for _, step := range []struct{ action, want string }{{"pause", "paused"}, {"resume", "running"}, {"cancel", "cancelled"}} {
		if got := s.do(crm.RoleCoordinator, "POST", path+"/"+step.action, "", &c); got != 200 || c.Status != step.want {
			t.Errorf("%s: %d %s", step.action, got, c.Status)
		}
	}
	var shown campaignView
	s.do(crm.RoleViewer, "GET", path, "", &shown)
	if shown.Status != "cancelled" || shown.Counts.Recipients != 1 {
		t.Errorf("show: %+v", shown)
	}
}

func TestCampaignAPIRefusesBadInput(t *testing.T) {
	s := newServer(t)
	cases := []struct{ name, body, want string }{
		{"unknown template field", strings.Replace(validCampaign, `Hi {{`, `Hi\n{{ .Contact.Nmae }} {{`, 1), "html:2:"},
		{"broken subject", strings.Replace(validCampaign, `Hello {{ .Contact.FirstName }}`, `Hello {{ .Contact.FirstName`, 1), "subject:1:"},
		{"bad follow-up template", strings.Replace(validCampaign, `<p>Reminder</p>`, `{{ .Nope }}`, 1), "followups[0]"},
		{"bad audience", strings.Replace(validCampaign, `seniority = middle`, `seniority = boss`, 1), "audience.where"},
		{"bad from", strings.Replace(validCampaign, `Team <team@network.example.org>`, `nobody`, 1), "from"},
		{"bad delay", strings.Replace(validCampaign, `"3d"`, `"soon"`, 1), "followups[0].after"},
		{"unknown field", strings.Replace(validCampaign, `"name"`, `"nmae"`, 1), "unknown field"},
		{"negative throttle", strings.Replace(validCampaign, `"per_minute":60`, `"per_minute":-1`, 1), "throttle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c campaignView
			if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", tc.body, &c); got != 400 || !strings.Contains(c.Error, tc.want) {
				t.Errorf("%d %q, want 400 mentioning %q", got, c.Error, tc.want)
			}
		})
	}
	var n int
	s.db.Get(&n, `SELECT count(*) FROM campaigns`)
	if n != 0 {
		t.Errorf("%d campaigns stored from bad input", n)
	}
}

func TestPreviewRendersForAContact(t *testing.T) {
	s := newServer(t)
	var c campaignView
	s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &c)
	var id int64
	s.db.Get(&id, `SELECT id FROM contacts WHERE email = 'a@example.org'`)
	var out campaigns.Outgoing
	path := "/api/v1/campaigns/" + strconv.FormatInt(c.ID, 10) + "/preview?contact_id=" + strconv.FormatInt(id, 10)
	if got := s.do(crm.RoleViewer, "GET", path, "", &out); got != 200 || out.Subject != "Hello Ana" || !strings.Contains(out.Text, "Hi Ana") {
		t.Errorf("preview: %d %+v", got, out)
	}
	var sent int
	s.db.Get(&sent, `SELECT count(*) FROM recipients`)
	if sent != 0 {
		t.Error("a preview created recipients")
	}
}

func recipientFor(t testing.TB, s *server, email string) int64 {
	var c campaignView
	s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &c)
	s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+strconv.FormatInt(c.ID, 10)+"/send", "", nil)
	var rid int64
	if err := s.db.Get(&rid, `SELECT r.id FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = $1 ORDER BY r.id DESC LIMIT 1`, email); err != nil {
		t.Fatal(err)
	}
	return rid
}

func consent(t *testing.T, db *sqlx.DB, email string) string {
	var c string
	db.Get(&c, `SELECT consent FROM contacts WHERE email = $1`, email)
	return c
}

func TestUnsubscribeLink(t *testing.T) {
	s := newServer(t)
	rid := recipientFor(t, s, "a@example.org")
	token := signer.Token(campaigns.LinkUnsubscribe, rid, "")
	resp, err := http.Get(s.url + "/u/" + token)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `<form method="post"`) || consent(t, s.db, "a@example.org") != "opt_in" && consent(t, s.db, "a@example.org") != "legitimate_interest" {
		t.Fatalf("GET: %d, consent %q; a GET must only show the button", resp.StatusCode, consent(t, s.db, "a@example.org"))
	}
	for _, bad := range []string{token[:len(token)-2], strings.Replace(token, "a", "b", 1), signer.Token(campaigns.LinkOpen, rid, ""), "garbage", token + "x"} {
		r, _ := http.PostForm(s.url+"/u/"+bad, nil)
		r.Body.Close()
		if r.StatusCode != 404 {
			t.Errorf("forged token %q: %d, want 404", bad, r.StatusCode)
		}
	}
	if c := consent(t, s.db, "a@example.org"); c == "unsubscribed" {
		t.Fatal("a forged token unsubscribed the contact")
	}
	// RFC 8058 one-click: a POST with List-Unsubscribe=One-Click.
	r, err := http.PostForm(s.url+"/u/"+token, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 || consent(t, s.db, "a@example.org") != "unsubscribed" {
		t.Fatalf("one-click: %d, consent %q", r.StatusCode, consent(t, s.db, "a@example.org"))
	}
	r, _ = http.PostForm(s.url+"/u/"+token, nil)
	r.Body.Close()
	var events int
	s.db.Get(&events, `SELECT count(*) FROM activities WHERE kind = 'email.unsubscribed'`)
	if r.StatusCode != 200 || events != 1 {
		t.Errorf("repeating: %d, %d timeline entries, want 200 and 1", r.StatusCode, events)
	}
}

func TestTokens(t *testing.T) {
	tok := signer.Token(campaigns.LinkClick, 42, "https://example.org/a?b=c&d=é")
	id, extra, err := signer.Parse(campaigns.LinkClick, tok)
	if err != nil || id != 42 || extra != "https://example.org/a?b=c&d=é" {
		t.Fatalf("round trip: %d %q %v", id, extra, err)
	}
	if _, _, err := signer.Parse(campaigns.LinkClick, strings.ToUpper(tok)); err != nil {
		t.Errorf("a mail system that upper-cases the token should not break it: %v", err)
	}
	other := campaigns.NewSigner([]byte("another installation's secret"))
	if _, _, err := other.Parse(campaigns.LinkClick, tok); err == nil {
		t.Error("a token verified under another secret")
	}
	if _, _, err := signer.Parse(campaigns.LinkOpen, tok); err == nil {
		t.Error("a click token worked as an open token")
	}
}

func TestWindow(t *testing.T) {
	w := campaigns.Window{Days: []string{"mon", "tue"}, From: "09:00", To: "17:00", TimeZone: "Europe/Berlin"}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cases := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 11, 30, 9, 0, 0, 0, berlin), true},   // Monday 09:00
		{time.Date(2026, 11, 30, 16, 59, 0, 0, berlin), true}, // Monday 16:59
		{time.Date(2026, 11, 30, 17, 0, 0, 0, berlin), false}, // closes at 17:00
		{time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), true}, // 09:00 in Berlin
		{time.Date(2026, 12, 2, 10, 0, 0, 0, berlin), false},  // Wednesday
	}
	for _, c := range cases {
		if got := w.Open(c.at); got != c.want {
			t.Errorf("Open(%s) = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestParseAfter(t *testing.T) {
	for in, want := range map[string]time.Duration{"72h": 72 * time.Hour, "3d": 72 * time.Hour, "1w": 7 * 24 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := campaigns.ParseAfter(in); err != nil || got != want {
			t.Errorf("ParseAfter(%q) = %s, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "soon", "0d", "-1h", "500ms", "3.5d"} {
		if _, err := campaigns.ParseAfter(bad); err == nil {
			t.Errorf("ParseAfter(%q) accepted", bad)
		}
	}
}

// A campaign's start refreshes the planner's statistics: without it the
// dispatcher's scan for due rows sorted the whole snapshot for every batch
// (80 ms per batch of 100 at 100,000 recipients) until autovacuum came by.
func TestStartRefreshesPlannerStatistics(t *testing.T) {
	s := newServer(t)
	// A small campaign leaves statistics to autovacuum.
	var small campaignView
	s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &small)
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(small.ID)+"/send", "", &small); got != 200 {
		t.Fatalf("send small: %d", got)
	}
	var analyzed bool
	s.db.Get(&analyzed, `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'recipients'`)
	if analyzed {
		t.Error("a one-recipient campaign analysed the recipients table")
	}
	s.db.MustExec(`INSERT INTO contacts (email, seniority) SELECT 'p' || g || '@example.org', 'middle' FROM generate_series(1, 4000) g`)
	var c campaignView
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &c); got != 201 {
		t.Fatalf("create: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(c.ID)+"/send", "", &c); got != 200 || c.Counts.Recipients != 4001 {
		t.Fatalf("send: %d %+v", got, c.Counts)
	}
	var rows float64
	if err := s.db.Get(&rows, `SELECT reltuples FROM pg_class WHERE relname = 'recipients'`); err != nil || rows < 4001 {
		t.Errorf("planner's row count after the snapshot: %v (%v), want 4001", rows, err)
	}
	var plan []string
	if err := s.db.Select(&plan, `EXPLAIN SELECT id FROM recipients
		WHERE campaign_id = $1 AND status = 'pending' AND next_attempt_at <= now()
		ORDER BY next_attempt_at, id LIMIT 100`, c.ID); err != nil {
		t.Fatal(err)
	}
	if p := strings.Join(plan, "\n"); !strings.Contains(p, "recipients_pending_idx") || strings.Contains(p, "Sort") {
		t.Errorf("the scan for due rows sorts instead of reading the pending index in order:\n%s", p)
	}
}

// A draft is edited by sending its whole definition again; a broken
// template changes nothing, and once it has started it is no longer a draft.
func TestCampaignAPIEditsADraft(t *testing.T) {
	s := newServer(t)
	var c campaignView
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", validCampaign, &c); got != 201 {
		t.Fatalf("create: %d %+v", got, c)
	}
	path := "/api/v1/campaigns/" + itoa(c.ID)
	edited := strings.NewReplacer(`"Spring CoP"`, `"Spring CoP, Vienna"`, `Hello {{`, `Welcome {{`,
		`"followups":[{"after":"3d","subject":"Reminder","html":"<p>Reminder</p>"}]`,
		`"followups":[{"after":"1w","subject":"Last call","html":"<p>Last call</p>"},{"after":"2w","subject":"Really","html":"<p>Really</p>"}]`).Replace(validCampaign)
	if got := s.do(crm.RoleViewer, "PUT", path, edited, nil); got != 403 {
		t.Errorf("viewer: %d, want 403", got)
	}
	broken := strings.Replace(edited, `Welcome {{ .Contact.FirstName }}`, `Welcome {{ .Contact.Nmae }}`, 1)
	if got := s.do(crm.RoleCoordinator, "PUT", path, broken, &c); got != 400 || !strings.Contains(c.Error, "subject:1:") {
		t.Errorf("broken template: %d %q, want 400 with its position", got, c.Error)
	}
	if got, _ := campaigns.ByID(context.Background(), s.db, c.ID); got.Name != "Spring CoP" || got.Steps[0].Subject != "Hello {{ .Contact.FirstName }}" || len(got.Steps) != 2 {
		t.Fatalf("a refused edit changed the draft: %+v", got)
	}
	if got := s.do(crm.RoleCoordinator, "PUT", path, edited, &c); got != 200 || c.Status != "draft" {
		t.Fatalf("edit: %d %+v", got, c)
	}
	got, _ := campaigns.ByID(context.Background(), s.db, c.ID)
	if got.Name != "Spring CoP, Vienna" || got.Steps[0].Subject != "Welcome {{ .Contact.FirstName }}" || len(got.Steps) != 3 ||
		got.Steps[2].Subject != "Really" || got.Steps[1].After != 7*24*time.Hour {
		t.Errorf("after the edit: %+v", got)
	}
	if got := s.do(crm.RoleCoordinator, "PUT", "/api/v1/campaigns/999999", edited, nil); got != 404 {
		t.Errorf("unknown campaign: %d, want 404", got)
	}
	if got := s.do(crm.RoleCoordinator, "POST", path+"/send", "", &c); got != 200 {
		t.Fatalf("send: %d", got)
	}
	if got := s.do(crm.RoleCoordinator, "PUT", path, validCampaign, &c); got != 409 || !strings.Contains(c.Error, "cannot edit a campaign that is running") {
		t.Errorf("editing a running campaign: %d %q, want 409", got, c.Error)
	}
	if got, _ := campaigns.ByID(context.Background(), s.db, c.ID); got.Name != "Spring CoP, Vienna" {
		t.Errorf("the running campaign was changed: %q", got.Name)
	}
}

// A campaign whose saved segment is deleted keeps that segment's audience;
// it must never fall back to an empty expression, which selects everyone.
func TestDeletedSegmentKeepsTheCampaignsAudience(t *testing.T) {
	s := newServer(t)
	ctx := context.Background()
	seg, err := crm.CreateSegment(ctx, s.db, "Middle managers", "seniority = middle", crm.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var c campaignView
	body := strings.Replace(validCampaign, `"audience":{"where":"seniority = middle"}`, `"audience":{"segment_id":`+itoa(seg.ID)+`}`, 1)
	if got := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns", body, &c); got != 201 {
		t.Fatalf("create: %d %+v", got, c)
	}
	if err := crm.DeleteSegment(ctx, s.db, seg.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := campaigns.ByID(ctx, s.db, c.ID)
	if got.AudienceSegmentID != nil || got.AudienceWhere != "seniority = middle" {
		t.Errorf("after deleting its segment the campaign's audience is %v %q", got.AudienceSegmentID, got.AudienceWhere)
	}
	if in := got.Input(); in.Audience.Where == nil || *in.Audience.Where != "seniority = middle" {
		t.Errorf("a copy of it would go to %v", in.Audience.Where)
	}
	var all int
	s.db.Get(&all, `SELECT count(*) FROM contacts`)
	if code := s.do(crm.RoleCoordinator, "POST", "/api/v1/campaigns/"+itoa(c.ID)+"/send", "", &c); code != 200 || c.Counts.Recipients != 1 || all < 2 {
		t.Errorf("send: %d, %d recipients of %d contacts, want the one middle manager", code, c.Counts.Recipients, all)
	}
}
