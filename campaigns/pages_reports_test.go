package campaigns_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/campaigns/stats"
	"outreach/crm"
	"outreach/templates/web"
)

// reportsUI is the web UI of the reports and events pages on a test
// database, with a signed-in coordinator and viewer.
type reportsUI struct {
	t      *testing.T
	url    string
	secret map[crm.Role]string
	csrf   map[crm.Role]string
	client *http.Client
}

func newReportsUI(t *testing.T, db *sqlx.DB) *reportsUI {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := web.New(log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ui := &crm.Web{DB: db, Pages: pages, Log: log}
	ui.Routes(mux)
	links := campaigns.Links{BaseURL: "https://o.example.org", Signer: signer}
	(&campaigns.Pages{Web: ui, DB: db, Links: links, Log: log}).Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u := &reportsUI{t: t, url: srv.URL, secret: map[crm.Role]string{}, csrf: map[crm.Role]string{},
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for _, role := range []crm.Role{crm.RoleCoordinator, crm.RoleViewer} {
		user, err := crm.AddUser(ctx, db, string(role)+"@ui.example.org", string(role), role, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		secret, sess, err := crm.CreateSession(ctx, db, user.ID)
		if err != nil {
			t.Fatal(err)
		}
		u.secret[role], u.csrf[role] = secret, sess.CSRF
	}
	return u
}

// send sends a request as role and returns the status, body and headers.
func (u *reportsUI) send(role crm.Role, req *http.Request) (int, string, http.Header) {
	u.t.Helper()
	req.AddCookie(&http.Cookie{Name: "outreach_session", Value: u.secret[role]})
	resp, err := u.client.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (u *reportsUI) get(role crm.Role, path string) (int, string, http.Header) {
	u.t.Helper()
	req, _ := http.NewRequest("GET", u.url+path, nil)
	return u.send(role, req)
}

// post sends a form with the role's CSRF token, as a browser would.
func (u *reportsUI) post(role crm.Role, path string, form url.Values) (int, string, http.Header) {
	u.t.Helper()
	form.Set("csrf", u.csrf[role])
	req, _ := http.NewRequest("POST", u.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.send(role, req)
}

// upload sends a file in a multipart form with the role's CSRF token.
func (u *reportsUI) upload(role crm.Role, path, field, filename, content string) (int, string) {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", u.csrf[role])
	fw, _ := mw.CreateFormFile(field, filename)
	io.WriteString(fw, content)
	mw.Close()
	req, _ := http.NewRequest("POST", u.url+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, body, _ := u.send(role, req)
	return status, body
}

// pageElement returns the element with the given id, up to its matching
// end tag, or "" if the page has none.
func pageElement(page, id string) string {
	at := strings.Index(page, `id="`+id+`"`)
	if at < 0 {
		return ""
	}
	start := strings.LastIndex(page[:at], "<")
	name := regexp.MustCompile(`^<([a-zA-Z0-9]+)`).FindStringSubmatch(page[start:])
	if name == nil {
		return ""
	}
	open, end := regexp.MustCompile(`<`+name[1]+`[\s>]`), "</"+name[1]+">"
	depth, pos := 0, start
	for {
		e := strings.Index(page[pos:], end)
		if e < 0 {
			return page[start:]
		}
		depth += len(open.FindAllStringIndex(page[pos:pos+e], -1))
		depth--
		pos += e + len(end)
		if depth <= 0 {
			return page[start:pos]
		}
	}
}

func rateText(successes, n int) string {
	iv := stats.Wilson(successes, n)
	return fmt.Sprintf("%.0f%% (%.0f–%.0f%%)", 100*iv.Value, 100*iv.Low, 100*iv.High)
}

func TestReportsPageShowsTableChartAndComparison(t *testing.T) {
	s, id := reportFixture(t)
	ui := newReportsUI(t, s.db)
	status, body, _ := ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=seniority&metric=replied&a=middle&b=executive", id))
	if status != 200 {
		t.Fatalf("report page: %d\n%s", status, body)
	}
	table := pageElement(body, "report-table")
	// Middle: three delivered (m4 bounced), m1 replied and said yes.
	for _, want := range []string{`<th scope="row">middle</th>`, `<th scope="row">executive</th>`, rateText(1, 3), "1 of 3", `<th scope="col" class="num">Recipients</th>`} {
		if !strings.Contains(table, want) {
			t.Errorf("report table lacks %q:\n%s", want, table)
		}
	}
	chart := pageElement(body, "report-chart")
	if !strings.Contains(chart, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(chart, "<figcaption>Replied rate by seniority") {
		t.Errorf("report chart has no inline svg or caption:\n%s", chart)
	}
	cmp, err := campaigns.Compare(context.Background(), s.db, campaigns.CompareQuery{
		Report: campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"seniority"}}, A: "middle", B: "executive", Metric: "replied"})
	if err != nil {
		t.Fatal(err)
	}
	sentence := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(pageElement(body, "report-compare"), ""))
	if !strings.Contains(sentence, "middle vs executive: "+cmp.Verdict) {
		t.Errorf("comparison says %q, want the verdict %q", sentence, cmp.Verdict)
	}
	link := pageElement(body, "report-csv")
	if !strings.Contains(link, fmt.Sprintf(`href="/reports.csv?by=seniority&amp;campaign=%d&amp;metric=replied"`, id)) {
		t.Errorf("csv link: %s", link)
	}
	// Pooled over all started campaigns: the per-campaign table appears.
	status, body, _ = ui.get(crm.RoleViewer, "/reports?by=country&metric=opened")
	if status != 200 || !strings.Contains(body, "All started campaigns pooled (1)") || pageElement(body, "report-campaigns") == "" ||
		!strings.Contains(pageElement(body, "report-table"), `<th scope="row">AT</th>`) {
		t.Errorf("pooled report: %d\n%s", status, body)
	}
}

func TestReportsPageEscapesGroupsAndTakesTwoDimensions(t *testing.T) {
	s, id := reportFixture(t)
	ui := newReportsUI(t, s.db)
	s.db.MustExec(`UPDATE recipients r SET organisation = '<script>alert(1)</script>' FROM contacts c
		WHERE c.id = r.contact_id AND c.email = 'm1@x.org'`)
	status, body, _ := ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=organisation", id))
	if status != 200 || strings.Contains(body, "<script>alert(1)") {
		t.Fatalf("organisation report: %d, or a group value is not escaped", status)
	}
	if !strings.Contains(pageElement(body, "report-table"), "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(pageElement(body, "report-chart"), "&lt;script&gt;alert(1)&lt;/script&gt;</text>") {
		t.Errorf("the escaped group is missing from the table or the chart:\n%s", pageElement(body, "report-chart"))
	}
	status, body, _ = ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=seniority&by=country", id))
	table := pageElement(body, "report-table")
	if status != 200 || !strings.Contains(table, `<th scope="col">Seniority</th>`) || !strings.Contains(table, `<th scope="col">Country</th>`) ||
		!strings.Contains(table, `<th scope="row">middle</th>`) || !strings.Contains(table, "<td>AT</td>") {
		t.Errorf("two dimensions: %d\n%s", status, table)
	}
	if strings.Contains(body, `id="compare-a"`) {
		t.Error("the comparison form is offered for two dimensions")
	}
}

func TestReportsCSVDownload(t *testing.T) {
	s, id := reportFixture(t)
	ui := newReportsUI(t, s.db)
	status, body, h := ui.get(crm.RoleViewer, fmt.Sprintf("/reports.csv?campaign=%d&by=seniority", id))
	if status != 200 || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q %q", status, h.Get("Content-Type"), h.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0][:3], ",") != "seniority,recipients,sent" {
		t.Fatalf("csv:\n%s", body)
	}
	if got := []string{recs[1][0], recs[1][1], recs[2][0], recs[2][1], recs[3][0], recs[3][1]}; strings.Join(got, ",") != "executive,3,middle,4,(all),7" {
		t.Errorf("csv rows %v", got)
	}
}

func TestReportsPageShowsBadQuery(t *testing.T) {
	s, id := reportFixture(t)
	ui := newReportsUI(t, s.db)
	cases := []struct{ query, field, want string }{
		{fmt.Sprintf("campaign=%d&by=shoe_size", id), "report-by-error", `unknown or repeated dimension "shoe_size"`},
		{"campaign=abc", "report-campaign-error", `"abc" is not a campaign id`},
		{"campaign=99999", "report-campaign-error", "there is no campaign 99999"},
		{fmt.Sprintf("campaign=%d&metric=happiness", id), "report-metric-error", `unknown metric "happiness"`},
		{"from=last+week", "report-from-error", "want a date"},
		{fmt.Sprintf("campaign=%d&by=seniority&by=country&a=middle&b=executive", id), "", "compare needs exactly one dimension"},
	}
	for _, tc := range cases {
		status, body, _ := ui.get(crm.RoleViewer, "/reports?"+tc.query)
		text := html.UnescapeString(body)
		if status != 400 || !strings.Contains(text, tc.want) || (tc.field != "" && !strings.Contains(html.UnescapeString(pageElement(body, tc.field)), tc.want)) {
			t.Errorf("%s: %d, want 400 saying %q by the field %s", tc.query, status, tc.want, tc.field)
		}
		if !strings.Contains(body, `id="report-campaign"`) {
			t.Errorf("%s: the form is not shown again", tc.query)
		}
	}
	if status, body, _ := ui.get(crm.RoleViewer, "/reports.csv?by=shoe_size"); status != 400 || !strings.Contains(html.UnescapeString(body), "shoe_size") {
		t.Errorf("csv with a bad dimension: %d", status)
	}
}

func TestReportsPageWithoutCampaigns(t *testing.T) {
	s := newServer(t)
	ui := newReportsUI(t, s.db)
	status, body, _ := ui.get(crm.RoleViewer, "/reports")
	if status != 200 || !strings.Contains(body, "No campaigns yet") || strings.Contains(body, `id="report-table"`) {
		t.Errorf("empty reports page: %d\n%s", status, body)
	}
	if status, _, h := ui.get("", "/reports"); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s", status, h.Get("Location"))
	}
}
