package campaigns_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"outreach/campaigns"
	"outreach/campaigns/stats"
	"outreach/crm"
	"outreach/crm/segment"
)

// reportFixture builds one campaign whose recipients did known things.
func reportFixture(t *testing.T) (*server, int64) {
	s := newServer(t)
	ctx := context.Background()
	csvData := "email,seniority,country,topics\n" +
		"m1@x.org,middle,DE,access_to_finance\nm2@x.org,middle,DE,\nm3@x.org,middle,AT,access_to_finance|coaching_mentoring\nm4@x.org,middle,AT,\n" +
		"e1@x.org,executive,DE,\ne2@x.org,executive,DE,\ne3@x.org,executive,AT,\n"
	if _, err := crm.ImportCSV(ctx, s.db, strings.NewReader(csvData), crm.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	all := `email ~ "@x.org"`
	c, err := campaigns.Create(ctx, s.db, campaigns.Input{Name: "Report", Audience: campaigns.Audience{Where: &all},
		From: "team@network.example.org", Subject: "Hi", HTML: "<p>Hi</p>",
		Followup: []campaigns.FollowUp{{After: "1d", Subject: "Reminder", HTML: "<p>Reminder</p>"}}}, segment.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := campaigns.Send(ctx, s.db, c.ID, segment.Options{}); err != nil {
		t.Fatal(err)
	}
	s.db.MustExec(`UPDATE recipients SET status = 'sent', sent_at = now() WHERE campaign_id = $1`, c.ID)
	set := func(email, sql string) {
		s.db.MustExec(`UPDATE recipients r SET `+sql+` FROM contacts c WHERE c.id = r.contact_id AND c.email = $1 AND r.campaign_id = $2`, email, c.ID)
	}
	set("m1@x.org", `opened_at = now(), replied_at = now(), rsvp = 'yes', rsvp_at = now()`)
	set("m3@x.org", `opened_at = now(), clicked_at = now()`)
	set("m4@x.org", `status = 'bounced', sent_at = NULL, bounced_at = now()`)
	set("e1@x.org", `unsubscribed_at = now()`)
	set("e3@x.org", `opened_at = now()`)
	event := func(email, kind string, machine bool) {
		s.db.MustExec(`INSERT INTO recipient_events (recipient_id, kind, machine) SELECT r.id, $2, $3
			FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = $1`, email, kind, machine)
	}
	event("m2@x.org", "open", true) // only a privacy proxy opened it
	for i := 0; i < 3; i++ {
		event("e3@x.org", "open", false) // repeated opens count once
	}
	// A follow-up to e2 that e2 answered: invitation and follow-up count as one recipient.
	s.db.MustExec(`INSERT INTO recipients (campaign_id, step, contact_id, seniority, country, status, sent_at, replied_at)
		SELECT r.campaign_id, 1, r.contact_id, r.seniority, r.country, 'sent', now(), now()
		FROM recipients r JOIN contacts c ON c.id = r.contact_id WHERE c.email = 'e2@x.org'`)
	return s, c.ID
}

func counts(r campaigns.Row) [11]int {
	return [11]int{r.Recipients, r.Sent, r.Delivered, r.Opened, r.Clicked, r.Replied, r.RSVPYes, r.RSVPNo, r.RSVPTentative, r.Unsubscribed, r.Bounced}
}

func TestReportCountsBySeniority(t *testing.T) {
	s, id := reportFixture(t)
	rep, err := campaigns.BuildReport(context.Background(), s.db, campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"seniority"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 2 || rep.Rows[0].Group["seniority"] != "executive" || rep.Rows[1].Group["seniority"] != "middle" {
		t.Fatalf("rows %+v", rep.Rows)
	}
	//            recipients sent delivered opened clicked replied yes no maybe unsub bounced
	want := map[string][11]int{
		"executive": {3, 3, 3, 1, 0, 1, 0, 0, 0, 1, 0},
		"middle":    {4, 4, 3, 2, 1, 1, 1, 0, 0, 0, 1},
	}
	for _, r := range rep.Rows {
		if diff := cmp.Diff(want[r.Group["seniority"]], counts(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", r.Group["seniority"], diff)
		}
	}
	if got := counts(rep.Total); got != [11]int{7, 7, 6, 3, 1, 2, 1, 0, 0, 1, 1} {
		t.Errorf("total %v", got)
	}
	middle := rep.Rows[1]
	if got, want := middle.Rates["replied"], stats.Wilson(1, 3); got != want {
		t.Errorf("replied rate %+v, want Wilson(1, 3) = %+v", got, want)
	}
	if got, want := middle.Rates["bounced"], stats.Wilson(1, 4); got != want {
		t.Errorf("bounce rate %+v, want over all sent: %+v", got, want)
	}
	withMachines, _ := campaigns.BuildReport(context.Background(), s.db, campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"seniority"}, Machine: true})
	if withMachines.Rows[1].Opened != 3 {
		t.Errorf("machine=include: middle opened %d, want 3", withMachines.Rows[1].Opened)
	}
}

func TestReportTwoDimensionsAndTopics(t *testing.T) {
	s, id := reportFixture(t)
	rep, err := campaigns.BuildReport(context.Background(), s.db, campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"seniority", "country"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range rep.Rows {
		got[r.Group["seniority"]+"/"+r.Group["country"]] = r.Recipients
	}
	if diff := cmp.Diff(map[string]int{"executive/AT": 1, "executive/DE": 2, "middle/AT": 2, "middle/DE": 2}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	topics, err := campaigns.BuildReport(context.Background(), s.db, campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"topic"}})
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]int{}
	for _, r := range topics.Rows {
		got[r.Group["topic"]] = r.Recipients
	}
	if diff := cmp.Diff(map[string]int{"access_to_finance": 2, "coaching_mentoring": 1, "unknown": 5}, got); diff != "" {
		t.Errorf("topics (-want +got):\n%s", diff)
	}
	if _, err := campaigns.BuildReport(context.Background(), s.db, campaigns.ReportQuery{CampaignIDs: []int64{id}, By: []string{"salary"}}); err == nil {
		t.Error("unknown dimension accepted")
	}
}

func TestReportFormats(t *testing.T) {
	s, id := reportFixture(t)
	path := "/api/v1/campaigns/" + itoa(id)
	req := func(p string) (int, string) {
		var out strings.Builder
		code := s.doRaw(crm.RoleViewer, "GET", path+p, &out)
		return code, out.String()
	}
	code, body := req("/report?by=seniority&format=csv")
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(rows) != 4 || rows[0][0] != "seniority" || rows[3][0] != "(all)" || rows[2][1] != "4" {
		t.Fatalf("CSV %d %v:\n%s", code, err, body)
	}
	code, body = req("/report.svg?by=seniority&metric=replied")
	var svg struct {
		XMLName xml.Name
		Rects   []struct {
			Class string `xml:"class,attr"`
		} `xml:",any"`
	}
	if code != 200 || xml.NewDecoder(bytes.NewReader([]byte(body))).Decode(&svg) != nil || svg.XMLName.Local != "svg" ||
		!strings.Contains(body, "middle") || !strings.Contains(body, "executive") {
		t.Fatalf("SVG %d:\n%s", code, body)
	}
	var cmpRes stats.Comparison
	if code := s.do(crm.RoleViewer, "GET", path+"/compare?by=seniority&a=middle&b=executive&metric=replied", "", &cmpRes); code != 200 ||
		cmpRes.Test != "fisher" || cmpRes.Significant || cmpRes.Verdict == "" || cmpRes.Warning == "" {
		t.Errorf("compare: %d %+v", code, cmpRes)
	}
	var e struct{ Error string }
	if code := s.do(crm.RoleViewer, "GET", path+"/compare?by=seniority&a=middle&b=middle&metric=replied", "", &e); code != 400 {
		t.Errorf("comparing a group with itself: %d", code)
	}
	var cross campaigns.CrossReport
	if code := s.do(crm.RoleViewer, "GET", "/api/v1/reports/segments?by=seniority&campaigns="+itoa(id), "", &cross); code != 200 ||
		len(cross.Campaigns) != 1 || cross.Pooled.Total.Recipients != 7 {
		t.Errorf("cross report: %d %+v", code, cross)
	}
}
