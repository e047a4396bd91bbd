package campaigns

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"outreach/campaigns/stats"
	"outreach/crm"
	"outreach/templates/web"
)

func (p *Pages) reportRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /reports", p.Web.Page(crm.RoleViewer, p.reportsPage))
	mux.HandleFunc("GET /reports.csv", p.Web.Page(crm.RoleViewer, p.reportsCSV))
}

// reportMetricLabels name the metrics in column headings and menus.
var reportMetricLabels = map[string]string{
	"opened": "Opened", "clicked": "Clicked", "replied": "Replied", "rsvp_yes": "RSVP yes", "rsvp_no": "RSVP no",
	"rsvp_tentative": "RSVP maybe", "attended": "Attended", "unsubscribed": "Unsubscribed", "bounced": "Bounced",
}

// reportOption is one entry of a menu on the reports page.
type reportOption struct {
	Value, Label string
}

// reportCell is one metric of one row: "22% (15–31%)" and "5 of 23".
type reportCell struct {
	Count, Base int
	Rate        string
}

// reportLine is one row of the report table.
type reportLine struct {
	Group      []string
	Recipients int
	Delivered  int
	Cells      []reportCell
}

// reportCampaignLine is one campaign's total in a pooled report.
type reportCampaignLine struct {
	ID         int64
	Name       string
	Recipients int
	Cell       reportCell
}

// reportForm is the report's query as the form shows it.
type reportForm struct {
	Campaigns []int64
	From, To  string
	By        []string // as asked, possibly invalid
	Metric    string
	Machine   bool
	A, B      string
}

type reportsPageData struct {
	web.Base
	NoCampaigns bool
	Campaigns   []Campaign
	Selected    map[int64]bool
	Form        reportForm
	Errors      map[string]string // field → message, shown beside the input
	Dimensions  []reportOption
	Metrics     []reportOption

	HasReport    bool
	Scope        string
	DimLabels    []string
	GroupedBy    string // "seniority and country"
	MetricLabels []string
	Rows         []reportLine
	Total        reportLine
	Chart        template.HTML
	ChartCaption string
	PerCampaign  []reportCampaignLine
	MetricLabel  string
	Groups       []string // the values A and B may take; only for one dimension
	Comparison   *stats.Comparison
	CSVURL       string
}

// reportPageQuery reads the page's query: campaign (repeated) or from/to
// for the campaigns pooled, by (repeated or comma-separated), metric,
// machine, and a/b for a comparison. Errors name the field they are about.
func reportPageQuery(ctx context.Context, p *Pages, r *http.Request) (reportForm, ReportQuery, error) {
	v := r.URL.Query()
	f := reportForm{From: v.Get("from"), To: v.Get("to"), Metric: v.Get("metric"), Machine: v.Get("machine") == "include",
		A: v.Get("a"), B: v.Get("b")}
	for _, s := range v["by"] {
		for _, d := range strings.Split(s, ",") {
			if d = strings.TrimSpace(d); d != "" {
				f.By = append(f.By, d)
			}
		}
	}
	if len(f.By) == 0 {
		f.By = []string{"seniority"}
	}
	if f.Metric == "" {
		f.Metric = "replied"
	}
	q := ReportQuery{By: f.By, Machine: f.Machine}
	for _, s := range v["campaign"] {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return f, q, invalid("campaign", "%q is not a campaign id", s)
		}
		if _, err := ByID(ctx, p.DB, id); errors.Is(err, crm.ErrNotFound) {
			return f, q, invalid("campaign", "there is no campaign %d", id)
		} else if err != nil {
			return f, q, err
		}
		f.Campaigns = append(f.Campaigns, id)
	}
	q.CampaignIDs = f.Campaigns
	if !contains(Metrics, f.Metric) {
		return f, q, invalid("metric", "unknown metric %q (use %s)", f.Metric, strings.Join(Metrics, ", "))
	}
	var err error
	if q.Since, err = queryTime(r, "from"); err != nil {
		return f, q, err
	}
	if q.Until, err = queryTime(r, "to"); err != nil {
		return f, q, err
	}
	// "to 2026-03-31" means up to the end of that day, not its first moment.
	if len(strings.TrimSpace(f.To)) == len(time.DateOnly) {
		q.Until = q.Until.AddDate(0, 0, 1)
	}
	return f, q, q.validate()
}

// query is the form's report query as URL parameters, for the CSV link
// and the comparison form.
func (f reportForm) query() url.Values {
	v := url.Values{}
	for _, id := range f.Campaigns {
		v.Add("campaign", strconv.FormatInt(id, 10))
	}
	if f.From != "" {
		v.Set("from", f.From)
	}
	if f.To != "" {
		v.Set("to", f.To)
	}
	for _, d := range f.By {
		v.Add("by", d)
	}
	v.Set("metric", f.Metric)
	if f.Machine {
		v.Set("machine", "include")
	}
	return v
}

func (p *Pages) reportsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := reportsPageData{Base: p.Web.Base(r, "Reports", "reports"), Errors: map[string]string{}, Selected: map[int64]bool{}}
	for _, dim := range Dimensions {
		d.Dimensions = append(d.Dimensions, reportOption{dim, reportWords(dim)})
	}
	for _, m := range Metrics {
		d.Metrics = append(d.Metrics, reportOption{m, reportMetricLabels[m]})
	}
	list, err := List(ctx, p.DB)
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	d.Campaigns = list
	if len(list) == 0 {
		d.NoCampaigns = true
		p.Web.Render(w, r, http.StatusOK, "reports", &d, &d.Base)
		return
	}
	form, q, err := reportPageQuery(ctx, p, r)
	d.Form = form
	for _, id := range form.Campaigns {
		d.Selected[id] = true
	}
	if err == nil {
		err = p.fillReport(ctx, &d, q)
	}
	if err != nil {
		var ve *crm.ValidationError
		if !errors.As(err, &ve) {
			p.Web.Internal(w, r, err)
			return
		}
		d.Error = ve.Error()
		d.Errors[ve.Field] = ve.Reason
		d.HasReport = false
		p.Web.Render(w, r, http.StatusBadRequest, "reports", &d, &d.Base)
		return
	}
	p.Web.Render(w, r, http.StatusOK, "reports", &d, &d.Base)
}

// fillReport builds the report (each campaign's too, when several are
// pooled), the chart and, when asked, the comparison.
func (p *Pages) fillReport(ctx context.Context, d *reportsPageData, q ReportQuery) error {
	var rep Report
	names := map[int64]string{}
	for _, c := range d.Campaigns {
		names[c.ID] = c.Name
	}
	if len(q.CampaignIDs) == 1 {
		var err error
		if rep, err = BuildReport(ctx, p.DB, q); err != nil {
			return err
		}
	} else {
		cr, err := BuildCrossReport(ctx, p.DB, q)
		if err != nil {
			return err
		}
		rep = cr.Pooled
		for _, c := range cr.Campaigns {
			d.PerCampaign = append(d.PerCampaign, reportCampaignLine{ID: c.ID, Name: c.Name,
				Recipients: c.Total.Recipients, Cell: reportCellOf(c.Total, d.Form.Metric)})
		}
	}
	d.HasReport = true
	d.Scope = reportScope(q, rep, names)
	d.MetricLabel = reportMetricLabels[d.Form.Metric]
	d.GroupedBy = strings.ReplaceAll(strings.Join(rep.By, " and "), "_", " ")
	for _, dim := range rep.By {
		d.DimLabels = append(d.DimLabels, reportWords(dim))
	}
	for _, m := range Metrics {
		d.MetricLabels = append(d.MetricLabels, reportMetricLabels[m])
	}
	for _, row := range rep.Rows {
		line := reportLineOf(row)
		for _, dim := range rep.By {
			line.Group = append(line.Group, row.Group[dim])
		}
		d.Rows = append(d.Rows, line)
		if len(rep.By) == 1 {
			d.Groups = append(d.Groups, row.Group[rep.By[0]])
		}
	}
	d.Total = reportLineOf(rep.Total)
	if len(d.Rows) > 0 {
		svg := rep.SVG(d.Form.Metric)
		if reportSVGOK(svg) {
			d.Chart = template.HTML(svg) // our own chart package's output, checked above
		} else {
			p.Log.ErrorContext(ctx, "reports: chart output not inlined", "bytes", len(svg))
		}
		d.ChartCaption = reportCaption(rep, d.Form.Metric)
	}
	d.CSVURL = "/reports.csv?" + d.Form.query().Encode()
	if d.Form.A != "" || d.Form.B != "" {
		cmp, err := Compare(ctx, p.DB, CompareQuery{Report: q, A: d.Form.A, B: d.Form.B, Metric: d.Form.Metric})
		if err != nil {
			return err
		}
		d.Comparison = &cmp
	}
	return nil
}

// reportSVGOK checks that bytes about to be inlined as HTML are the chart
// package's SVG document: an <svg> root in the SVG namespace and no
// element or attribute that could run script or load anything. The chart
// escapes every label, so text cannot open a tag; this guards against a
// future change to the chart opening a hole in the page.
func reportSVGOK(svg []byte) bool {
	if !bytes.HasPrefix(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" `)) ||
		!bytes.HasSuffix(bytes.TrimSpace(svg), []byte("</svg>")) {
		return false
	}
	return !reportSVGUnsafe.Match(svg)
}

// reportSVGUnsafe finds scriptable or linking elements, and event handler
// or link attributes inside a tag.
var reportSVGUnsafe = regexp.MustCompile(`(?i)<\s*(script|foreignobject|iframe|object|embed|a|use|image|animate|set)[\s>/]|<[^>]*\s(on[a-z]+|href|xlink:href)\s*=`)

// reportCaption writes the chart out in words, for the figure's caption.
func reportCaption(rep Report, metric string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s rate by %s, with 95%% intervals: ", reportMetricLabels[metric],
		strings.ReplaceAll(strings.Join(rep.By, " and "), "_", " "))
	for i, row := range rep.Rows {
		if i > 0 {
			b.WriteString("; ")
		}
		var group []string
		for _, dim := range rep.By {
			group = append(group, row.Group[dim])
		}
		c := reportCellOf(row, metric)
		fmt.Fprintf(&b, "%s %s of %d", strings.Join(group, " · "), c.Rate, c.Base)
	}
	b.WriteString(". The table above has the same figures.")
	return b.String()
}

func reportScope(q ReportQuery, rep Report, names map[int64]string) string {
	switch {
	case len(q.CampaignIDs) == 1:
		return fmt.Sprintf("Campaign “%s”", names[q.CampaignIDs[0]])
	case len(q.CampaignIDs) > 1:
		return fmt.Sprintf("%d campaigns pooled", len(q.CampaignIDs))
	case q.Since.IsZero() && q.Until.IsZero():
		return fmt.Sprintf("All started campaigns pooled (%d)", len(rep.CampaignIDs))
	}
	return fmt.Sprintf("Campaigns started in the chosen dates, pooled (%d)", len(rep.CampaignIDs))
}

func reportLineOf(row Row) reportLine {
	l := reportLine{Recipients: row.Recipients, Delivered: row.Delivered}
	for _, m := range Metrics {
		l.Cells = append(l.Cells, reportCellOf(row, m))
	}
	return l
}

func reportCellOf(row Row, metric string) reportCell {
	iv := row.Rates[metric]
	return reportCell{Count: row.count(metric), Base: row.base(metric), Rate: reportRate(iv)}
}

// reportRate formats a rate with its interval: "22% (15–31%)".
func reportRate(iv stats.Interval) string {
	return fmt.Sprintf("%.0f%% (%.0f–%.0f%%)", 100*iv.Value, 100*iv.Low, 100*iv.High)
}

// reportWords turns a dimension name into words: "organisation_type" →
// "Organisation type".
func reportWords(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func (p *Pages) reportsCSV(w http.ResponseWriter, r *http.Request) {
	_, q, err := reportPageQuery(r.Context(), p, r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	rep, err := BuildReport(r.Context(), p.DB, q)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	name := "report"
	if len(q.CampaignIDs) == 1 {
		name += "-campaign-" + strconv.FormatInt(q.CampaignIDs[0], 10)
	}
	name += "-by-" + strings.Join(q.By, "-") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := rep.WriteCSV(w); err != nil {
		p.Log.ErrorContext(r.Context(), "reports: csv write failed", "err", err)
	}
}
