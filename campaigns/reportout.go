package campaigns

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns/chart"
	"outreach/campaigns/stats"
)

// csvHeader is the report's CSV columns after the group columns.
var csvCounts = []string{"recipients", "sent", "delivered", "opened", "clicked", "replied", "rsvp_yes", "rsvp_no", "rsvp_tentative", "attended", "unsubscribed", "bounced"}

func (r Row) counts() []int {
	return []int{r.Recipients, r.Sent, r.Delivered, r.Opened, r.Clicked, r.Replied, r.RSVPYes, r.RSVPNo, r.RSVPTentative, r.Attended, r.Unsubscribed, r.Bounced}
}

// WriteCSV writes the report: one line per group and a total line (its
// group columns say "(all)"), counts, then each rate with its interval.
func (rep Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append(append([]string{}, rep.By...), csvCounts...)
	for _, m := range Metrics {
		head = append(head, m+"_rate", m+"_low", m+"_high")
	}
	cw.Write(head)
	for _, r := range append(append([]Row{}, rep.Rows...), rep.Total) {
		cw.Write(rep.csvRecord(r))
	}
	cw.Flush()
	return cw.Error()
}

func (rep Report) csvRecord(r Row) []string {
	var rec []string
	for _, d := range rep.By {
		v, ok := r.Group[d]
		if !ok {
			v = "(all)"
		}
		rec = append(rec, v)
	}
	for _, n := range r.counts() {
		rec = append(rec, strconv.Itoa(n))
	}
	for _, m := range Metrics {
		iv := r.Rates[m]
		rec = append(rec, ratio(iv.Value), ratio(iv.Low), ratio(iv.High))
	}
	return rec
}

func ratio(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// tableMetrics are the rates an aligned table shows; CSV and JSON have all.
var tableMetrics = []string{"opened", "clicked", "replied", "rsvp_yes"}

// WriteTable writes the report as an aligned text table for a terminal.
func (rep Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := append(append([]string{}, rep.By...), "recipients", "delivered")
	for _, m := range tableMetrics {
		head = append(head, m)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range append(append([]Row{}, rep.Rows...), rep.Total) {
		var cells []string
		for _, d := range rep.By {
			v, ok := r.Group[d]
			if !ok {
				v = "total"
			}
			cells = append(cells, v)
		}
		cells = append(cells, strconv.Itoa(r.Recipients), strconv.Itoa(r.Delivered))
		for _, m := range tableMetrics {
			iv := r.Rates[m]
			cells = append(cells, fmt.Sprintf("%d  %.1f%% [%.1f–%.1f]", r.count(m), 100*iv.Value, 100*iv.Low, 100*iv.High))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

// SVG charts one metric of a one-dimension report, with interval whiskers.
func (rep Report) SVG(metric string) []byte {
	bars := make([]chart.Bar, 0, len(rep.Rows))
	for _, r := range rep.Rows {
		iv := r.Rates[metric]
		label := make([]string, 0, len(rep.By))
		for _, d := range rep.By {
			label = append(label, r.Group[d])
		}
		bars = append(bars, chart.Bar{Label: strings.Join(label, " · "), Value: iv.Value, Low: iv.Low, High: iv.High, N: r.base(metric)})
	}
	title := strings.ToUpper(metric[:1]) + strings.ReplaceAll(metric[1:], "_", " ") + ", by " + strings.ReplaceAll(strings.Join(rep.By, " and "), "_", " ")
	return chart.Bars(bars, chart.Options{Title: title, Metric: metric})
}

// CompareQuery asks whether group A's rate differs from group B's.
type CompareQuery struct {
	Report ReportQuery // By holds the one dimension A and B are values of
	A, B   string
	Metric string
}

// Compare answers a CompareQuery with the difference, its interval, a test
// (Fisher's exact test for small counts) and a plain-language verdict.
func Compare(ctx context.Context, db sqlx.QueryerContext, q CompareQuery) (stats.Comparison, error) {
	if len(q.Report.By) != 1 {
		return stats.Comparison{}, invalid("by", "compare needs exactly one dimension")
	}
	if !contains(Metrics, q.Metric) {
		return stats.Comparison{}, invalid("metric", "unknown metric %q (use %s)", q.Metric, strings.Join(Metrics, ", "))
	}
	if q.A == "" || q.B == "" || q.A == q.B {
		return stats.Comparison{}, invalid("a", "give two different groups a and b")
	}
	rep, err := BuildReport(ctx, db, q.Report)
	if err != nil {
		return stats.Comparison{}, err
	}
	a, b := rep.find(q.A), rep.find(q.B)
	return stats.Compare(q.A, a.count(q.Metric), a.base(q.Metric), q.B, b.count(q.Metric), b.base(q.Metric), metricWords[q.Metric]), nil
}

// metricWords say a metric the way a verdict reads.
var metricWords = map[string]string{
	"opened": "opened", "clicked": "clicked", "replied": "replied", "rsvp_yes": "said yes",
	"rsvp_no": "said no", "rsvp_tentative": "said maybe", "attended": "attended", "unsubscribed": "unsubscribed", "bounced": "bounced",
}

// find returns the row of a one-dimension report whose group is value
// (case-insensitively), or an empty row.
func (rep Report) find(value string) Row {
	for _, r := range rep.Rows {
		if strings.EqualFold(r.Group[rep.By[0]], value) {
			return r
		}
	}
	return Row{}
}
