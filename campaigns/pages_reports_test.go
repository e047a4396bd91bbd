package campaigns_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"outreach/campaigns"
	"outreach/campaigns/stats"
	"outreach/crm"
)

func rateText(successes, n int) string {
	iv := stats.Wilson(successes, n)
	return fmt.Sprintf("%.0f%% (%.0f–%.0f%%)", 100*iv.Value, 100*iv.Low, 100*iv.High)
}

func TestReportsPageShowsTableChartAndComparison(t *testing.T) {
	s, id := reportFixture(t)
	ui := newPagesUI(t, s.db)
	res := ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=seniority&metric=replied&a=middle&b=executive", id))
	if res.status != 200 {
		t.Fatalf("report page: %d\n%s", res.status, res.body)
	}
	table := pageElement(res.body, "report-table")
	// Middle: three delivered (m4 bounced), m1 replied and said yes.
	for _, want := range []string{`<th scope="row">middle</th>`, `<th scope="row">executive</th>`, rateText(1, 3), "1 of 3", `<th scope="col" class="num">Recipients</th>`} {
		if !strings.Contains(table, want) {
			t.Errorf("report table lacks %q:\n%s", want, table)
		}
	}
	chart := pageElement(res.body, "report-chart")
	if !strings.Contains(chart, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(chart, "<figcaption>Replied rate by seniority") {
		t.Errorf("report chart has no inline svg or caption:\n%s", chart)
	}
	cmp, err := campaigns.Compare(context.Background(), s.db, campaigns.CompareQuery{
		Report: campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"seniority"}}, A: "middle", B: "executive", Metric: "replied"})
	if err != nil {
		t.Fatal(err)
	}
	sentence := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(pageElement(res.body, "report-compare"), ""))
	if !strings.Contains(sentence, "middle vs executive: "+cmp.Verdict) {
		t.Errorf("comparison says %q, want the verdict %q", sentence, cmp.Verdict)
	}
	link := pageElement(res.body, "report-csv")
	if !strings.Contains(link, fmt.Sprintf(`href="/reports.csv?by=seniority&amp;campaign=%d&amp;metric=replied"`, id)) {
		t.Errorf("csv link: %s", link)
	}
	// Pooled over all started campaigns: the per-campaign table appears.
	res = ui.get(crm.RoleViewer, "/reports?by=country&metric=opened")
	if res.status != 200 || !strings.Contains(res.body, "All started campaigns pooled (1)") || pageElement(res.body, "report-campaigns") == "" ||
		!strings.Contains(pageElement(res.body, "report-table"), `<th scope="row">AT</th>`) {
		t.Errorf("pooled report: %d\n%s", res.status, res.body)
	}
}

func TestReportsPageEscapesGroupsAndTakesTwoDimensions(t *testing.T) {
	s, id := reportFixture(t)
	ui := newPagesUI(t, s.db)
	s.db.MustExec(`UPDATE recipients r SET organisation = '<script>alert(1)</script>' FROM contacts c
		WHERE c.id = r.contact_id AND c.email = 'm1@x.org'`)
	res := ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=organisation", id))
	if res.status != 200 || strings.Contains(res.body, "<script>alert(1)") {
		t.Fatalf("organisation report: %d, or a group value is not escaped", res.status)
	}
	if !strings.Contains(pageElement(res.body, "report-table"), "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(pageElement(res.body, "report-chart"), "&lt;script&gt;alert(1)&lt;/script&gt;</text>") {
		t.Errorf("the escaped group is missing from the table or the chart:\n%s", pageElement(res.body, "report-chart"))
	}
	res = ui.get(crm.RoleViewer, fmt.Sprintf("/reports?campaign=%d&by=seniority&by=country", id))
	table := pageElement(res.body, "report-table")
	if res.status != 200 || !strings.Contains(table, `<th scope="col">Seniority</th>`) || !strings.Contains(table, `<th scope="col">Country</th>`) ||
		!strings.Contains(table, `<th scope="row">middle</th>`) || !strings.Contains(table, "<td>AT</td>") {
		t.Errorf("two dimensions: %d\n%s", res.status, table)
	}
	if strings.Contains(res.body, `id="compare-a"`) {
		t.Error("the comparison form is offered for two dimensions")
	}
}

func TestReportsCSVDownload(t *testing.T) {
	s, id := reportFixture(t)
	ui := newPagesUI(t, s.db)
	res := ui.get(crm.RoleViewer, fmt.Sprintf("/reports.csv?campaign=%d&by=seniority", id))
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;") || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q %q", res.status, res.header.Get("Content-Type"), res.header.Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0][:3], ",") != "seniority,recipients,sent" {
		t.Fatalf("csv:\n%s", res.body)
	}
	if got := []string{recs[1][0], recs[1][1], recs[2][0], recs[2][1], recs[3][0], recs[3][1]}; strings.Join(got, ",") != "executive,3,middle,4,(all),7" {
		t.Errorf("csv rows %v", got)
	}
}

func TestReportsPageShowsBadQuery(t *testing.T) {
	s, id := reportFixture(t)
	ui := newPagesUI(t, s.db)
	cases := []struct{ query, field, want string }{
		{fmt.Sprintf("campaign=%d&by=shoe_size", id), "report-by-error", `unknown or repeated dimension "shoe_size"`},
		{"campaign=abc", "report-campaign-error", `"abc" is not a campaign id`},
		{"campaign=99999", "report-campaign-error", "there is no campaign 99999"},
		{fmt.Sprintf("campaign=%d&metric=happiness", id), "report-metric-error", `unknown metric "happiness"`},
		{"from=last+week", "report-from-error", "want a date"},
		{fmt.Sprintf("campaign=%d&by=seniority&by=country&a=middle&b=executive", id), "", "compare needs exactly one dimension"},
	}
	for _, tc := range cases {
		res := ui.get(crm.RoleViewer, "/reports?"+tc.query)
		text := html.UnescapeString(res.body)
		if res.status != 400 || !strings.Contains(text, tc.want) || (tc.field != "" && !strings.Contains(html.UnescapeString(pageElement(res.body, tc.field)), tc.want)) {
			t.Errorf("%s: %d, want 400 saying %q by the field %s", tc.query, res.status, tc.want, tc.field)
		}
		if !strings.Contains(res.body, `id="report-campaign"`) {
			t.Errorf("%s: the form is not shown again", tc.query)
		}
	}
	if res := ui.get(crm.RoleViewer, "/reports.csv?by=shoe_size"); res.status != 400 || !strings.Contains(html.UnescapeString(res.body), "shoe_size") {
		t.Errorf("csv with a bad dimension: %d", res.status)
	}
}

func TestReportsPageWithoutCampaigns(t *testing.T) {
	s := newServer(t)
	ui := newPagesUI(t, s.db)
	res := ui.get(crm.RoleViewer, "/reports")
	if res.status != 200 || !strings.Contains(res.body, "No campaigns yet") || strings.Contains(res.body, `id="report-table"`) {
		t.Errorf("empty reports page: %d\n%s", res.status, res.body)
	}
	if res := ui.get("", "/reports"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/login") {
		t.Errorf("signed out: %d %s", res.status, res.location)
	}
}
