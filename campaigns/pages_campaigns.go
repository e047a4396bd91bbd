package campaigns

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"outreach/crm"
	"outreach/templates"
	"outreach/templates/web"
)

func (p *Pages) campaignRoutes(mux *http.ServeMux) {
	view, edit := crm.RoleViewer, crm.RoleCoordinator
	mux.HandleFunc("GET /campaigns", p.Web.Page(view, p.campaignList))
	mux.HandleFunc("GET /campaigns/new", p.Web.Page(edit, p.wizardStart))
	mux.HandleFunc("POST /campaigns/new", p.Web.Page(edit, p.wizardPost))
	mux.HandleFunc("GET /campaigns/new/count", p.Web.Page(edit, p.wizardCount))
	mux.HandleFunc("GET /campaigns/{id}", p.Web.Page(view, p.campaignPage))
	mux.HandleFunc("GET /campaigns/{id}/progress", p.Web.Page(view, p.campaignProgress))
	mux.HandleFunc("GET /campaigns/{id}/preview", p.Web.Page(view, p.campaignPreview))
	mux.HandleFunc("POST /campaigns/{id}/{action}", p.Web.Page(edit, p.campaignAction))
}

type campaignRow struct {
	Campaign
	Counts Counts
}

type campaignListPage struct {
	web.Base
	Campaigns []campaignRow
}

func (p *Pages) campaignList(w http.ResponseWriter, r *http.Request) {
	list, err := List(r.Context(), p.DB)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	counts, err := CountsByCampaign(r.Context(), p.DB, ids)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	data := campaignListPage{Base: p.Web.Base(r, "Campaigns", "campaigns"), Campaigns: make([]campaignRow, 0, len(list))}
	for _, c := range list {
		data.Campaigns = append(data.Campaigns, campaignRow{Campaign: c, Counts: counts[c.ID]})
	}
	p.Web.Render(w, r, http.StatusOK, "campaigns", &data, &data.Base)
}

// progressView is the live part of the campaign page, polled by htmx
// while the campaign can still change; it carries the action buttons too,
// so they follow the status without a reload.
type progressView struct {
	ID                       int64
	Status                   string
	Counts                   Counts
	Opened, Clicked, Replied int
	Percent                  int // recipients with a final outcome
	Live                     bool
	CanEdit                  bool
	CSRF                     string
	CanSend, CanPause        bool
	CanResume, CanCancel     bool
}

type campaignPageData struct {
	web.Base
	C        Campaign
	Steps    []stepView
	Segment  string
	Event    *Event
	Progress progressView
	// Preview of one step for one contact, when asked for.
	Contact      int64
	PreviewStep  int
	Preview      *Outgoing
	PreviewError string
}

func (p *Pages) progress(r *http.Request, c Campaign) (progressView, error) {
	counts, err := CountsOf(r.Context(), p.DB, c.ID)
	if err != nil {
		return progressView{}, err
	}
	rep, err := BuildReport(r.Context(), p.DB, ReportQuery{CampaignIDs: []int64{c.ID}})
	if err != nil {
		return progressView{}, err
	}
	base := p.Web.Base(r, "", "")
	v := progressView{ID: c.ID, Status: c.Status, Counts: counts, Opened: rep.Total.Opened, Clicked: rep.Total.Clicked,
		Replied: rep.Total.Replied, Live: c.Status != StatusDone && c.Status != StatusCancelled,
		CanEdit: base.User.CanEdit(), CSRF: base.CSRF}
	if counts.Recipients > 0 {
		v.Percent = 100 * (counts.Sent + counts.Failed + counts.Bounced + counts.Suppressed) / counts.Recipients
	}
	v.CanSend, v.CanPause = canDo("send", c.Status), canDo("pause", c.Status)
	v.CanResume, v.CanCancel = canDo("resume", c.Status), canDo("cancel", c.Status)
	return v, nil
}

// stepView is a campaign step as the page lists it.
type stepView struct {
	Position int
	Subject  string
	After    string
}

// afterLabel says a follow-up delay the way it was probably typed.
func afterLabel(d time.Duration) string {
	switch {
	case d%(7*24*time.Hour) == 0:
		return stepPlural(int(d/(7*24*time.Hour)), "week")
	case d%(24*time.Hour) == 0:
		return stepPlural(int(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return stepPlural(int(d/time.Hour), "hour")
	}
	return d.String()
}

func stepPlural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// canDo reports whether the state machine allows action from status.
func canDo(action, status string) bool {
	for _, s := range allowed[action].from {
		if s == status {
			return true
		}
	}
	return false
}

func (p *Pages) loadCampaignPage(r *http.Request) (campaignPageData, error) {
	id, err := crm.PathID(r)
	if err != nil {
		return campaignPageData{}, err
	}
	c, err := ByID(r.Context(), p.DB, id)
	if err != nil {
		return campaignPageData{}, err
	}
	data := campaignPageData{Base: p.Web.Base(r, c.Name, "campaigns"), C: c}
	for _, s := range c.Steps {
		data.Steps = append(data.Steps, stepView{Position: s.Position, Subject: s.Subject, After: afterLabel(s.After)})
	}
	if c.AudienceSegmentID != nil {
		if s, err := crm.SegmentByID(r.Context(), p.DB, *c.AudienceSegmentID); err == nil {
			data.Segment = s.Name
		}
	}
	if c.EventID != nil {
		if e, err := EventByID(r.Context(), p.DB, *c.EventID); err == nil {
			data.Event = &e
		}
	}
	if data.Progress, err = p.progress(r, c); err != nil {
		return data, err
	}
	// The preview form starts with the audience's first contact, so one
	// click shows a real message.
	if where, err := c.audience(r.Context(), p.DB); err == nil && where != "" {
		if list, err := crm.Contacts(r.Context(), p.DB, crm.Filter{Where: where, Segment: p.Segment}, 1, 1); err == nil && len(list.Contacts) > 0 {
			data.Contact = list.Contacts[0].ID
		}
	}
	return data, nil
}

func (p *Pages) campaignPage(w http.ResponseWriter, r *http.Request) {
	data, err := p.loadCampaignPage(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	p.Web.Render(w, r, http.StatusOK, "campaign", &data, &data.Base)
}

func (p *Pages) campaignProgress(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	c, err := ByID(r.Context(), p.DB, id)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	v, err := p.progress(r, c)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	p.Web.Pages.Partial(w, http.StatusOK, "campaign", "campaign-progress", v)
}

// campaignPreview shows the campaign page with one step rendered for one
// contact, exactly as it would be sent.
func (p *Pages) campaignPreview(w http.ResponseWriter, r *http.Request) {
	data, err := p.loadCampaignPage(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	q := r.URL.Query()
	data.PreviewStep, _ = strconv.Atoi(q.Get("step"))
	contact, err := strconv.ParseInt(q.Get("contact"), 10, 64)
	if err != nil || contact < 1 {
		data.PreviewError = "Give the id of a contact to preview the message for."
		p.Web.Render(w, r, http.StatusBadRequest, "campaign", &data, &data.Base)
		return
	}
	data.Contact = contact
	out, err := Preview(r.Context(), p.DB, p.Links, data.C.ID, data.PreviewStep, contact)
	status := http.StatusOK
	var ve *crm.ValidationError
	var te *templates.Error
	switch {
	case err == nil:
		data.Preview = &out
	case errors.Is(err, crm.ErrNotFound), errors.Is(err, crm.ErrErased):
		status, data.PreviewError = http.StatusNotFound, "Contact "+strconv.FormatInt(contact, 10)+" does not exist or was erased."
	case errors.As(err, &ve), errors.As(err, &te):
		status, data.PreviewError = http.StatusBadRequest, err.Error()
	default:
		p.Web.Internal(w, r, err)
		return
	}
	p.Web.Render(w, r, status, "campaign", &data, &data.Base)
}

// campaignAction sends, pauses, resumes or cancels a campaign with the
// same domain functions as the API; a change the status does not allow is
// shown on the campaign page with 409.
func (p *Pages) campaignAction(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	ctx := r.Context()
	var done string
	switch r.PathValue("action") {
	case "send":
		_, err = Send(ctx, p.DB, id, p.Segment)
		done = "Sending started."
	case "pause":
		_, err = Pause(ctx, p.DB, id)
		done = "Campaign paused."
	case "resume":
		_, err = Resume(ctx, p.DB, id)
		done = "Campaign resumed."
	case "cancel":
		_, err = Cancel(ctx, p.DB, id)
		done = "Campaign cancelled."
	default:
		p.Web.Fail(w, r, http.StatusNotFound, "No such campaign action.")
		return
	}
	var te *TransitionError
	if errors.As(err, &te) {
		data, lerr := p.loadCampaignPage(r)
		if lerr != nil {
			p.Web.Problem(w, r, lerr)
			return
		}
		data.Error = "Could not do that: " + te.Error() + "."
		p.Web.Render(w, r, http.StatusConflict, "campaign", &data, &data.Base)
		return
	}
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, "/campaigns/"+strconv.FormatInt(id, 10), done)
}
