package campaigns

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"outreach/crm"
	"outreach/templates"
	"outreach/templates/web"
)

// The wizard's steps, in order. The campaign is created only at the end:
// until then everything typed travels in a hidden field (wizardState as
// JSON), and Create validates all of it again.
var wizardSteps = []struct{ Key, Label string }{
	{"audience", "Audience"}, {"event", "Event"}, {"content", "Content"},
	{"followups", "Follow-ups"}, {"schedule", "Schedule"}, {"review", "Review"},
}

// maxFollowUps is how many follow-up rows the wizard offers.
const maxFollowUps = 2

// previewContacts is how many of the audience the content step previews.
const previewContacts = 3

func stepIndex(key string) int {
	for i, s := range wizardSteps {
		if s.Key == key {
			return i
		}
	}
	return -1
}

// wizardState is what the wizard carries from step to step.
type wizardState struct {
	Input    Input  `json:"input"`
	FromName string `json:"from_name"`
	FromAddr string `json:"from_addr"`
	At       string `json:"at"`    // datetime-local value: "2006-01-02T15:04"
	AtZone   string `json:"at_tz"` // IANA zone of At
	// EditID is the draft being edited; 0 creates a new campaign. A
	// tampered id can only reach another draft, which the same role may
	// edit anyway.
	EditID int64 `json:"edit_id,omitempty"`
}

type stepLink struct {
	Key, Label string
	Current    bool
}

type audienceCount struct {
	N     int
	Error string
	None  bool // nothing chosen yet
}

type wizardPreview struct {
	Contact string
	Out     Outgoing
	Error   string
}

type windowDay struct {
	Key, Label string
	Checked    bool
}

type wizardPage struct {
	web.Base
	Step      string
	Steps     []stepLink
	Prev      string
	Next      string
	State     string // wizardState as JSON, for the hidden field
	W         wizardState
	Where     string
	SegmentID int64
	EventID   int64
	Tracking  bool
	Segments  []crm.Segment
	Events    []Event
	Count     audienceCount
	Errors    map[string]string
	Previews  []wizardPreview
	FollowUps []FollowUp
	Window    Window
	Days      []windowDay
	Summary   AudienceCounts
	EventName string
	SegName   string
}

// wizardStart opens the wizard: empty; with ?from=ID filled in from an
// earlier campaign, as the next invitation usually differs from the last
// in its date, event and a few words; with ?edit=ID on a draft, to change it.
func (p *Pages) wizardStart(w http.ResponseWriter, r *http.Request) {
	st := wizardState{AtZone: "UTC"}
	q := r.URL.Query()
	edit := q.Get("edit") != ""
	ref := q.Get("from")
	if edit {
		ref = q.Get("edit")
	}
	if ref != "" {
		id, err := strconv.ParseInt(ref, 10, 64)
		if err != nil {
			p.Web.Problem(w, r, crm.ErrNotFound)
			return
		}
		c, err := ByID(r.Context(), p.DB, id)
		if err != nil {
			p.Web.Problem(w, r, err)
			return
		}
		if c.Notice != "" {
			p.Web.Fail(w, r, http.StatusBadRequest, "An event notice goes with its event; start a new campaign instead.")
			return
		}
		st.Input = c.Input()
		st.FromAddr, st.FromName = c.From, c.FromName
		switch {
		case !edit:
			st.Input.Name = "Copy of " + c.Name
		case c.Status != StatusDraft:
			p.Web.Fail(w, r, http.StatusConflict, "Only a draft can be edited; this campaign is "+c.Status+". Start a new campaign from it instead.")
			return
		default:
			st.EditID = c.ID
		}
	}
	p.renderWizard(w, r, http.StatusOK, "audience", st, nil, nil)
}

func (p *Pages) wizardPost(w http.ResponseWriter, r *http.Request) {
	var st wizardState
	// A tampered or missing state only loses what was typed; Create checks
	// everything again at the end.
	_ = json.Unmarshal([]byte(r.FormValue("state")), &st)
	cur, next, finish := r.FormValue("current"), r.FormValue("step"), r.FormValue("finish")
	errs := p.applyStep(r, &st, cur)
	forward := stepIndex(next) > stepIndex(cur) || stepIndex(next) < 0
	if len(errs) > 0 && forward && stepIndex(cur) >= 0 {
		p.renderWizard(w, r, http.StatusBadRequest, cur, st, errs, nil)
		return
	}
	switch {
	case finish == "send" || finish == "schedule" || finish == "draft":
		p.wizardFinish(w, r, st, finish)
	case next == "preview":
		p.wizardPreview(w, r, st)
	default:
		if stepIndex(next) < 0 {
			next = "audience"
		}
		p.renderWizard(w, r, http.StatusOK, next, st, nil, nil)
	}
}

// applyStep copies the current step's fields into the state and checks
// them, so the wizard does not move on past a mistake.
func (p *Pages) applyStep(r *http.Request, st *wizardState, step string) map[string]string {
	errs := map[string]string{}
	in := &st.Input
	f := r.PostForm
	switch step {
	case "audience":
		in.Name = strings.TrimSpace(f.Get("name"))
		st.FromAddr, st.FromName = strings.TrimSpace(f.Get("from")), strings.TrimSpace(f.Get("from_name"))
		in.ReplyTo = strings.TrimSpace(f.Get("reply_to"))
		in.Audience = audienceFrom(f)
		if in.Name == "" {
			errs["name"] = "Give the campaign a name."
		}
		if a, err := mail.ParseAddress(st.FromAddr); err != nil {
			errs["from"] = fmt.Sprintf("%q is not an email address.", st.FromAddr)
			in.From = st.FromAddr
		} else {
			if st.FromName == "" {
				st.FromName = a.Name
			}
			st.FromAddr = a.Address
			in.From = (&mail.Address{Name: st.FromName, Address: a.Address}).String()
		}
		if in.ReplyTo != "" {
			if _, err := mail.ParseAddress(in.ReplyTo); err != nil {
				errs["reply_to"] = fmt.Sprintf("%q is not an email address.", in.ReplyTo)
			}
		}
		if c := p.count(r, in.Audience); c.Error != "" {
			errs["where"] = c.Error
		}
	case "event":
		in.EventID = nil
		if id, err := strconv.ParseInt(f.Get("event_id"), 10, 64); err == nil && id > 0 {
			in.EventID = &id
		}
	case "content":
		in.Subject, in.HTML, in.Text = f.Get("subject"), f.Get("html"), f.Get("text")
		if _, err := templates.Compile(templates.Message{Subject: in.Subject, HTML: in.HTML, Text: in.Text}); err != nil {
			errs["content"] = err.Error()
		}
	case "followups":
		in.Followup = nil
		for i := range maxFollowUps {
			n := strconv.Itoa(i)
			fu := FollowUp{After: strings.TrimSpace(f.Get("after_" + n)), Subject: f.Get("followup_subject_" + n), HTML: f.Get("followup_html_" + n)}
			if fu.After == "" && strings.TrimSpace(fu.Subject) == "" && strings.TrimSpace(fu.HTML) == "" {
				continue // an empty row is no follow-up
			}
			in.Followup = append(in.Followup, fu)
			key := "followup" + strconv.Itoa(len(in.Followup)-1)
			if _, err := ParseAfter(fu.After); err != nil {
				errs[key] = "After: " + err.Error()
			} else if _, err := templates.Compile(templates.Message{Subject: fu.Subject, HTML: fu.HTML}); err != nil {
				errs[key] = err.Error()
			}
		}
	case "schedule":
		applySchedule(f, st, errs)
	}
	return errs
}

func audienceFrom(f url.Values) Audience {
	if id, err := strconv.ParseInt(f.Get("segment_id"), 10, 64); err == nil && id > 0 {
		return Audience{SegmentID: &id}
	}
	if where := strings.TrimSpace(f.Get("where")); where != "" {
		return Audience{Where: &where}
	}
	return Audience{}
}

func applySchedule(f url.Values, st *wizardState, errs map[string]string) {
	in := &st.Input
	st.At, st.AtZone = strings.TrimSpace(f.Get("at")), strings.TrimSpace(f.Get("at_tz"))
	if st.AtZone == "" {
		st.AtZone = "UTC"
	}
	if st.At != "" {
		if _, err := scheduleTime(*st); err != nil {
			errs["at"] = err.Error()
		}
	}
	in.Throttle = Throttle{}
	for name, dst := range map[string]*int{"per_minute": &in.Throttle.PerMinute, "per_domain_per_minute": &in.Throttle.PerDomainPerMinute} {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs["throttle"] = "Rates are whole numbers: 0 or empty for no limit."
			continue
		}
		*dst = n
	}
	win := Window{Days: f["window_days"], From: strings.TrimSpace(f.Get("window_from")),
		To: strings.TrimSpace(f.Get("window_to")), TimeZone: strings.TrimSpace(f.Get("window_tz"))}
	in.Window = nil
	if len(win.Days) > 0 || win.From != "" || win.To != "" {
		if win.TimeZone == "" {
			win.TimeZone = "UTC"
		}
		check := win
		check.Days = append([]string(nil), win.Days...)
		if err := check.validate(); err != nil {
			errs["window"] = err.Error()
		}
		in.Window = &win
	}
	tracking := f.Get("tracking") != ""
	in.Tracking = &tracking
}

// scheduleTime reads the wizard's start time in its time zone.
func scheduleTime(st wizardState) (time.Time, error) {
	loc, err := time.LoadLocation(st.AtZone)
	if err != nil {
		return time.Time{}, fmt.Errorf("unknown time zone %q (use an IANA name such as Europe/Berlin)", st.AtZone)
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", st.At, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date and time such as 2026-12-01T09:00", st.At)
	}
	return at, nil
}

// count is the live size of an audience choice, or the expression's error.
func (p *Pages) count(r *http.Request, a Audience) audienceCount {
	where, err := AudienceWhere(r.Context(), p.DB, Input{Audience: a})
	if err != nil {
		if a.SegmentID == nil && a.Where == nil {
			return audienceCount{None: true, Error: "Choose a saved segment or write an expression."}
		}
		return audienceCount{Error: err.Error()}
	}
	n, err := crm.Count(r.Context(), p.DB, crm.Filter{Where: where, Segment: p.Segment})
	if err != nil {
		return audienceCount{Error: err.Error()}
	}
	return audienceCount{N: n}
}

// wizardCount answers the audience step's live count as it is typed.
func (p *Pages) wizardCount(w http.ResponseWriter, r *http.Request) {
	c := p.count(r, audienceFrom(r.URL.Query()))
	if c.None {
		c.Error = ""
	}
	p.Web.Pages.Partial(w, http.StatusOK, "wizard", "wizard-count", c)
}

func (p *Pages) renderWizard(w http.ResponseWriter, r *http.Request, status int, step string, st wizardState, errs map[string]string, previews []wizardPreview) {
	ctx := r.Context()
	state, _ := json.Marshal(st)
	title := "New campaign"
	if st.EditID != 0 {
		title = "Edit campaign"
	}
	data := wizardPage{Base: p.Web.Base(r, title, "campaigns"), Step: step, State: string(state), W: st,
		Errors: errs, Previews: previews, Tracking: st.Input.Tracking == nil || *st.Input.Tracking}
	i := stepIndex(step)
	for j, s := range wizardSteps {
		data.Steps = append(data.Steps, stepLink{Key: s.Key, Label: s.Label, Current: j == i})
	}
	if i > 0 {
		data.Prev = wizardSteps[i-1].Key
	}
	if i+1 < len(wizardSteps) {
		data.Next = wizardSteps[i+1].Key
	}
	in := st.Input
	if in.Audience.Where != nil {
		data.Where = *in.Audience.Where
	}
	if in.Audience.SegmentID != nil {
		data.SegmentID = *in.Audience.SegmentID
	}
	if in.EventID != nil {
		data.EventID = *in.EventID
	}
	var err error
	switch step {
	case "audience":
		if data.Segments, err = crm.Segments(ctx, p.DB); err != nil {
			p.Web.Internal(w, r, err)
			return
		}
		data.Count = p.count(r, in.Audience)
		if data.Count.None && errs["where"] == "" {
			data.Count.Error = "" // nothing chosen yet is a hint, not a mistake
		}
	case "event":
		data.Events, err = ListEvents(ctx, p.DB, EventFilter{From: time.Now(), Source: "ours", Live: true})
		if err != nil {
			p.Web.Internal(w, r, err)
			return
		}
	case "followups":
		data.FollowUps = append([]FollowUp(nil), in.Followup...)
		for len(data.FollowUps) < maxFollowUps {
			data.FollowUps = append(data.FollowUps, FollowUp{})
		}
	case "schedule":
		if in.Window != nil {
			data.Window = *in.Window
		}
		data.Days = windowDays(data.Window.Days)
	case "review":
		if !p.fillReview(w, r, &data) {
			return
		}
	}
	p.Web.Render(w, r, status, "wizard", &data, &data.Base)
}

func (p *Pages) fillReview(w http.ResponseWriter, r *http.Request, data *wizardPage) bool {
	in := data.W.Input
	sum, err := AudienceSummary(r.Context(), p.DB, in, p.Segment)
	var ve *crm.ValidationError
	switch {
	case errors.As(err, &ve):
		if data.Errors == nil {
			data.Errors = map[string]string{}
		}
		data.Errors["audience"] = ve.Error()
	case err != nil:
		p.Web.Internal(w, r, err)
		return false
	}
	data.Summary = sum
	if in.Audience.SegmentID != nil {
		if s, err := crm.SegmentByID(r.Context(), p.DB, *in.Audience.SegmentID); err == nil {
			data.SegName = s.Name
		}
	}
	if in.EventID != nil {
		if e, err := EventByID(r.Context(), p.DB, *in.EventID); err == nil {
			data.EventName = e.Title
		}
	}
	return true
}

func windowDays(checked []string) []windowDay {
	var out []windowDay
	for _, d := range []struct{ k, l string }{{"mon", "Mon"}, {"tue", "Tue"}, {"wed", "Wed"}, {"thu", "Thu"}, {"fri", "Fri"}, {"sat", "Sat"}, {"sun", "Sun"}} {
		o := windowDay{Key: d.k, Label: d.l}
		for _, c := range checked {
			o.Checked = o.Checked || strings.EqualFold(strings.TrimSpace(c), d.k)
		}
		out = append(out, o)
	}
	return out
}

// wizardPreview renders the content for up to three real contacts of the
// audience, exactly as a send would (links carry no valid token).
func (p *Pages) wizardPreview(w http.ResponseWriter, r *http.Request, st wizardState) {
	var previews []wizardPreview
	where, err := AudienceWhere(r.Context(), p.DB, st.Input)
	if err != nil {
		p.renderWizard(w, r, http.StatusBadRequest, "content", st, map[string]string{"preview": "Choose the audience first: " + err.Error()}, nil)
		return
	}
	list, err := crm.Contacts(r.Context(), p.DB, crm.Filter{Where: where, Segment: p.Segment}, 1, previewContacts)
	if err != nil {
		p.renderWizard(w, r, http.StatusBadRequest, "content", st, map[string]string{"preview": err.Error()}, nil)
		return
	}
	for _, ct := range list.Contacts {
		v := wizardPreview{Contact: strings.TrimSpace(ct.FirstName + " " + ct.LastName + " <" + ct.Email + ">")}
		out, err := PreviewInput(r.Context(), p.DB, p.Links, st.Input, ct.ID)
		var te *templates.Error
		switch {
		case err == nil:
			v.Out = out
		case errors.As(err, &te):
			v.Error = te.Error()
		default:
			p.Web.Internal(w, r, err)
			return
		}
		previews = append(previews, v)
	}
	errs := map[string]string{}
	if len(previews) == 0 {
		errs["preview"] = "The audience has no contacts to preview for."
	}
	p.renderWizard(w, r, http.StatusOK, "content", st, errs, previews)
}

// wizardFinish creates the campaign and, as asked, sends it now, schedules
// it or leaves it a draft. A mistake is shown on the review step and
// nothing is created.
func (p *Pages) wizardFinish(w http.ResponseWriter, r *http.Request, st wizardState, action string) {
	fail := func(msg string) {
		p.renderWizard(w, r, http.StatusBadRequest, "review", st, map[string]string{"create": msg}, nil)
	}
	var at time.Time
	if action == "schedule" {
		if st.At == "" {
			fail("Choose a date and time on the Schedule step to schedule the campaign.")
			return
		}
		var err error
		if at, err = scheduleTime(st); err != nil {
			fail(err.Error())
			return
		}
	}
	ctx := r.Context()
	var c Campaign
	var err error
	done := "created"
	if st.EditID != 0 {
		c, err = UpdateDraft(ctx, p.DB, st.EditID, st.Input, p.Segment)
		done = "saved"
	} else {
		c, err = Create(ctx, p.DB, st.Input, p.Segment)
	}
	var ve *crm.ValidationError
	var te *templates.Error
	var tr *TransitionError
	if errors.As(err, &ve) || errors.As(err, &te) || errors.As(err, &tr) {
		fail(err.Error())
		return
	}
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	to := "/campaigns/" + strconv.FormatInt(c.ID, 10)
	flash := "Campaign " + done + " as a draft."
	switch action {
	case "send":
		flash = "Campaign " + done + "; sending started."
		_, err = Send(ctx, p.DB, c.ID, p.Segment)
	case "schedule":
		flash = "Campaign " + done + "; it starts " + at.Format("Mon 2 Jan 2006 15:04 MST") + "."
		_, err = Schedule(ctx, p.DB, c.ID, at)
	}
	if err != nil {
		// The campaign exists as a draft; say so rather than lose it.
		p.Web.Log.ErrorContext(ctx, "wizard: start failed", "campaign_id", c.ID, "err", err)
		flash = "Campaign " + done + " as a draft, but it could not be started: " + err.Error()
	}
	p.Web.Redirect(w, r, to, flash)
}
