package campaigns

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/crm"
	"outreach/crm/jsonhttp"
)

func (a *API) reportRoutes(mux *http.ServeMux) {
	view := crm.RoleViewer
	mux.HandleFunc("GET /api/v1/campaigns/{id}/report", a.Auth.Require(view, a.campaignReport))
	mux.HandleFunc("GET /api/v1/campaigns/{id}/report.svg", a.Auth.Require(view, a.campaignReportSVG))
	mux.HandleFunc("GET /api/v1/campaigns/{id}/compare", a.Auth.Require(view, a.campaignCompare))
	mux.HandleFunc("GET /api/v1/reports/segments", a.Auth.Require(view, a.segmentsReport))
	mux.HandleFunc("GET /api/v1/reports/segments.svg", a.Auth.Require(view, a.segmentsReportSVG))
	mux.HandleFunc("GET /api/v1/reports/compare", a.Auth.Require(view, a.segmentsCompare))
}

// reportQuery reads by and machine from the URL; campaigns are set by the caller.
func reportQuery(r *http.Request) ReportQuery {
	q := ReportQuery{Machine: r.URL.Query().Get("machine") == "include"}
	for _, d := range strings.Split(r.URL.Query().Get("by"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			q.By = append(q.By, d)
		}
	}
	return q
}

// campaignQuery is reportQuery for the campaign in the path.
func campaignQuery(ctx context.Context, db *sqlx.DB, r *http.Request) (ReportQuery, error) {
	q := reportQuery(r)
	id, err := crm.PathID(r)
	if err == nil {
		_, err = ByID(ctx, db, id)
	}
	q.CampaignIDs = []int64{id}
	return q, err
}

// crossQuery reads campaigns=1,4,7 or since/until (RFC 3339 or dates).
func crossQuery(r *http.Request) (ReportQuery, error) {
	q := reportQuery(r)
	for _, s := range strings.Split(r.URL.Query().Get("campaigns"), ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 1 {
			return q, invalid("campaigns", "%q is not a campaign id", s)
		}
		q.CampaignIDs = append(q.CampaignIDs, id)
	}
	var err error
	if q.Since, err = queryTime(r, "since"); err != nil {
		return q, err
	}
	q.Until, err = queryTime(r, "until")
	return q, err
}

func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalid(name, "want a date (2026-01-31) or an RFC 3339 time, got %q", s)
}

func (a *API) campaignReport(w http.ResponseWriter, r *http.Request) {
	q, err := campaignQuery(r.Context(), a.DB, r)
	if err == nil {
		var rep Report
		if rep, err = BuildReport(r.Context(), a.DB, q); err == nil {
			a.writeReport(w, r, rep)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) writeReport(w http.ResponseWriter, r *http.Request, rep Report) {
	if wantsCSV(r) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="report.csv"`)
		rep.WriteCSV(w)
		return
	}
	jsonhttp.Write(w, http.StatusOK, rep)
}

func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

func (a *API) campaignReportSVG(w http.ResponseWriter, r *http.Request) {
	q, err := campaignQuery(r.Context(), a.DB, r)
	if err == nil {
		a.writeSVG(w, r, q)
		return
	}
	a.fail(w, r, err)
}

func (a *API) writeSVG(w http.ResponseWriter, r *http.Request, q ReportQuery) {
	metric := r.URL.Query().Get("metric")
	if metric == "" {
		metric = "replied"
	}
	if !contains(Metrics, metric) {
		a.fail(w, r, invalid("metric", "unknown metric %q (use %s)", metric, strings.Join(Metrics, ", ")))
		return
	}
	rep, err := BuildReport(r.Context(), a.DB, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(rep.SVG(metric))
}

func (a *API) campaignCompare(w http.ResponseWriter, r *http.Request) {
	q, err := campaignQuery(r.Context(), a.DB, r)
	if err == nil {
		a.writeCompare(w, r, q)
		return
	}
	a.fail(w, r, err)
}

func (a *API) writeCompare(w http.ResponseWriter, r *http.Request, q ReportQuery) {
	v := r.URL.Query()
	cmp, err := Compare(r.Context(), a.DB, CompareQuery{Report: q, A: v.Get("a"), B: v.Get("b"), Metric: v.Get("metric")})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, cmp)
}

// CrossReport pools recipients over several campaigns, with each
// campaign's own rows beside the pooled ones.
type CrossReport struct {
	Campaigns []CampaignReport `json:"campaigns"`
	Pooled    Report           `json:"pooled"`
}

// CampaignReport is one campaign's part of a CrossReport.
type CampaignReport struct {
	ID   int64  `json:"campaign_id"`
	Name string `json:"name"`
	Report
}

// BuildCrossReport computes the pooled report and each campaign's.
func BuildCrossReport(ctx context.Context, db sqlx.QueryerContext, q ReportQuery) (CrossReport, error) {
	var cr CrossReport
	pooled, err := BuildReport(ctx, db, q)
	if err != nil {
		return cr, err
	}
	cr.Pooled, cr.Campaigns = pooled, []CampaignReport{}
	for _, id := range pooled.CampaignIDs {
		one := q
		one.CampaignIDs = []int64{id}
		rep, err := BuildReport(ctx, db, one)
		if err != nil {
			return cr, err
		}
		var name string
		sqlx.GetContext(ctx, db, &name, `SELECT name FROM campaigns WHERE id = $1`, id)
		cr.Campaigns = append(cr.Campaigns, CampaignReport{ID: id, Name: name, Report: rep})
	}
	return cr, nil
}

func (a *API) segmentsReport(w http.ResponseWriter, r *http.Request) {
	q, err := crossQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if wantsCSV(r) {
		rep, err := BuildReport(r.Context(), a.DB, q)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.writeReport(w, r, rep)
		return
	}
	cr, err := BuildCrossReport(r.Context(), a.DB, q)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, cr)
}

func (a *API) segmentsReportSVG(w http.ResponseWriter, r *http.Request) {
	q, err := crossQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeSVG(w, r, q)
}

func (a *API) segmentsCompare(w http.ResponseWriter, r *http.Request) {
	q, err := crossQuery(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCompare(w, r, q)
}
