package crm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"outreach/crm/segment"
	"outreach/crm/vocab"
	"outreach/templates/web"
)

func (p *Pages) segmentRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /segments", p.Web.Page(RoleViewer, p.segmentList))
	mux.HandleFunc("GET /segments/new", p.Web.Page(RoleViewer, p.segmentBuilder))
	mux.HandleFunc("GET /segments/preview", p.Web.Page(RoleViewer, p.segmentPreview))
	mux.HandleFunc("GET /segments/builder/controls", p.Web.Page(RoleViewer, p.segmentControls))
	// Adding a condition only rewrites the text in the form; it saves
	// nothing, so viewers exploring the data may use it too.
	mux.HandleFunc("POST /segments/builder/add", p.Web.Page(RoleViewer, p.segmentAdd))
	mux.HandleFunc("POST /segments", p.Web.Page(RoleCoordinator, p.segmentSave))
	mux.HandleFunc("POST /segments/{id}/delete", p.Web.Page(RoleCoordinator, p.segmentDelete))
}

func (p *Pages) segmentFilter(where string) Filter { return Filter{Where: where, Segment: p.Segment} }

type segmentsPage struct {
	web.Base
	Segments []segmentRow
}

// segmentRow is a saved segment with its live count, or the reason it can
// no longer be counted (an engagement predicate without campaign data).
type segmentRow struct {
	Segment
	Count   int
	Problem string
}

func (p *Pages) segmentList(w http.ResponseWriter, r *http.Request) {
	list, err := Segments(r.Context(), p.DB)
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	page := segmentsPage{Base: p.Web.Base(r, "Segments", "segments"), Segments: make([]segmentRow, len(list))}
	for i, s := range list {
		row := segmentRow{Segment: s}
		row.Count, err = Count(r.Context(), p.DB, p.segmentFilter(s.Where))
		if msg, ok := filterMessage(err); ok {
			row.Problem, err = msg, nil
		}
		if err != nil {
			p.Web.Internal(w, r, err)
			return
		}
		page.Segments[i] = row
	}
	p.Web.Render(w, r, http.StatusOK, "segments", &page, &page.Base)
}

// builderPage is the segment builder: the expression, its live preview,
// the condition picker and the save form.
type builderPage struct {
	web.Base
	Expression  string
	Name        string
	NameError   string
	Preview     segmentPreview
	Fields      []pickerField
	Controls    pickerControls
	PickerError string
	OOB         bool // the expression is answered with the preview swapped out of band
}

// segmentPreview is what the expression selects now, or why it cannot.
type segmentPreview struct {
	Error  string
	Count  int
	Tables []breakdownTable // by seniority, organisation type and country
	OOB    bool
}

type breakdownTable struct {
	Title string
	Rows  []breakdownRow
}

type breakdownRow struct {
	Value string
	Label string
	N     int
}

type pickerField struct {
	Name  string
	Label string
}

// pickerControls are the operator and value inputs for one field.
type pickerControls struct {
	Field       string
	Operators   []string
	Choices     []string // a closed vocabulary: offered as a select
	Suggestions []string // common values of an open field: a datalist
	Hint        string
}

func (p *Pages) segmentBuilder(w http.ResponseWriter, r *http.Request) {
	page := p.builder(r, r.URL.Query().Get("expression"))
	if err := p.fillPreview(r.Context(), &page); err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	p.Web.Render(w, r, http.StatusOK, "segment", &page, &page.Base)
}

func (p *Pages) builder(r *http.Request, expr string) builderPage {
	page := builderPage{Base: p.Web.Base(r, "Segment builder", "segments"), Expression: expr}
	// The fields coordinators select by most come first.
	fields := []string{"seniority", "organisation_type", "country", "language", "topics", "consent"}
	for _, f := range segment.Fields {
		if !slices.Contains(fields, f) {
			fields = append(fields, f)
		}
	}
	for _, f := range fields {
		page.Fields = append(page.Fields, pickerField{Name: f, Label: strings.ReplaceAll(f, "_", " ")})
	}
	// Engagement predicates compile only where campaign data is wired in.
	if p.Segment.Engagement != nil {
		for _, k := range segment.Engagements {
			page.Fields = append(page.Fields, pickerField{Name: k, Label: k + " (campaign engagement)"})
		}
	}
	page.Controls = segmentControlsFor(page.Fields[0].Name)
	return page
}

func (p *Pages) fillPreview(ctx context.Context, page *builderPage) error {
	var err error
	page.Preview, err = p.preview(ctx, page.Expression)
	return err
}

// preview counts and breaks down what expr selects. The count is the sum
// of the seniority breakdown, which lists every contact once, so one scan
// of the matching rows answers both.
func (p *Pages) preview(ctx context.Context, expr string) (segmentPreview, error) {
	b, err := BreakdownOf(ctx, p.DB, p.segmentFilter(expr))
	if msg, ok := filterMessage(err); ok {
		return segmentPreview{Error: msg}, nil
	}
	if err != nil {
		return segmentPreview{}, err
	}
	var pv segmentPreview
	seniority := breakdownTable{Title: "Seniority"}
	for _, s := range vocab.Seniorities {
		seniority.Rows = append(seniority.Rows, breakdownRow{Value: s, Label: s, N: b.Seniority[s]})
		pv.Count += b.Seniority[s]
	}
	orgType := breakdownTable{Title: "Organisation type", Rows: breakdownRows(b.OrganisationType, func(v string) string {
		return strings.ReplaceAll(v, "_", " ")
	})}
	country := breakdownTable{Title: "Country", Rows: breakdownRows(b.Country, func(v string) string {
		if name := vocab.CountryName(v); name != "" {
			return name + " (" + v + ")"
		}
		return v
	})}
	pv.Tables = []breakdownTable{seniority, orgType, country}
	return pv, nil
}

// breakdownRows orders counts largest first, then by value.
func breakdownRows(m map[string]int, label func(string) string) []breakdownRow {
	rows := make([]breakdownRow, 0, len(m))
	for v, n := range m {
		rows = append(rows, breakdownRow{Value: v, Label: label(v), N: n})
	}
	slices.SortFunc(rows, func(a, b breakdownRow) int { return cmp.Or(b.N-a.N, strings.Compare(a.Value, b.Value)) })
	return rows
}

func (p *Pages) segmentPreview(w http.ResponseWriter, r *http.Request) {
	pv, err := p.preview(r.Context(), r.URL.Query().Get("expression"))
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	p.Web.Pages.Partial(w, http.StatusOK, "segment", "segment-preview", pv)
}

// segmentControlsFor picks the operator and value inputs that suit a field.
func segmentControlsFor(field string) pickerControls {
	c := pickerControls{Field: field, Operators: segment.Operators(field)}
	switch field {
	case "seniority":
		c.Choices = vocab.Seniorities
	case "organisation_type":
		c.Choices = vocab.OrganisationTypes
	case "consent":
		c.Choices = vocab.Consents
	case "topics":
		c.Suggestions, c.Hint = vocab.Topics, "a topic; for several, separate them with commas and use “in”"
	case "country":
		c.Hint = "an ISO code such as DE or a name such as Germany; for several, separate them with commas and use “in”"
	case "language":
		c.Hint = "a code such as de or a name such as German"
	case "created_at":
		c.Hint = "a date such as 2026-01-31"
	case "invited", "opened", "clicked", "replied", "rsvp":
		c.Hint = "optional: a campaign number; empty means any campaign"
	default:
		c.Hint = "for several values, separate them with commas and use “in”"
	}
	return c
}

func (p *Pages) segmentControls(w http.ResponseWriter, r *http.Request) {
	field := r.URL.Query().Get("field")
	if segment.Operators(field) == nil {
		p.Web.Fail(w, r, http.StatusBadRequest, fmt.Sprintf("Unknown field %q.", field))
		return
	}
	p.Web.Pages.Partial(w, http.StatusOK, "segment", "segment-picker-controls", segmentControlsFor(field))
}

// segmentAdd appends the picked condition to the expression with "and".
// htmx gets the new textarea with the preview and the picker's message
// swapped out of band; a browser without JavaScript gets the whole builder.
func (p *Pages) segmentAdd(w http.ResponseWriter, r *http.Request) {
	field, op, expr := r.FormValue("field"), r.FormValue("op"), r.FormValue("expression")
	page := p.builder(r, expr)
	if segment.Operators(field) != nil {
		page.Controls = segmentControlsFor(field)
	}
	cond, err := segment.Condition(field, op, segmentPickedValues(op, r.FormValue("value")))
	if err != nil {
		page.PickerError = err.Error()
	} else {
		page.Expression = segment.And(expr, cond)
	}
	if err := p.fillPreview(r.Context(), &page); err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "" {
		p.Web.Render(w, r, http.StatusOK, "segment", &page, &page.Base)
		return
	}
	page.OOB, page.Preview.OOB = true, true
	p.Web.Pages.Partial(w, http.StatusOK, "segment", "segment-added", &page)
}

// segmentPickedValues reads the picker's value: one value, or for the list
// operators a comma-separated list.
func segmentPickedValues(op, raw string) []string {
	op = strings.Join(strings.Fields(strings.ToLower(op)), " ")
	if op != "in" && op != "not in" {
		if raw = strings.TrimSpace(raw); raw == "" {
			return nil
		}
		return []string{raw}
	}
	return splitList(raw)
}

func (p *Pages) segmentSave(w http.ResponseWriter, r *http.Request) {
	name, expr := r.FormValue("name"), r.FormValue("expression")
	s, err := CreateSegment(r.Context(), p.DB, name, expr, p.segmentFilter(""))
	if err == nil {
		p.Web.Redirect(w, r, "/segments", fmt.Sprintf("Segment “%s” saved.", s.Name))
		return
	}
	// Show the builder again with what was typed and why it was refused.
	page := p.builder(r, expr)
	page.Name = name
	status := http.StatusBadRequest
	var ve *ValidationError
	switch {
	case errors.As(err, &ve) && ve.Field == "name":
		page.NameError = "The name " + ve.Reason + "."
	case errors.Is(err, ErrConflict):
		status, page.NameError = http.StatusConflict, "A segment with this name already exists; choose another name."
	default:
		if _, ok := filterMessage(err); !ok {
			p.Web.Internal(w, r, err)
			return
		}
	}
	if err := p.fillPreview(r.Context(), &page); err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	page.Error = "The segment was not saved."
	p.Web.Render(w, r, status, "segment", &page, &page.Base)
}

func (p *Pages) segmentDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = DeleteSegment(r.Context(), p.DB, id)
	}
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, "/segments", "Segment deleted.")
}
