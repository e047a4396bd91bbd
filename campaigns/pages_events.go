package campaigns

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"outreach/crm"
	"outreach/crm/vocab"
	"outreach/templates/web"
)

func (p *Pages) eventRoutes(mux *http.ServeMux) {
	view, edit := crm.RoleViewer, crm.RoleCoordinator
	mux.HandleFunc("GET /events", p.Web.Page(view, p.eventsMonth))
	mux.HandleFunc("POST /events", p.Web.Page(edit, p.eventsCreate))
	mux.HandleFunc("GET /events/{id}", p.Web.Page(view, p.eventPage))
	mux.HandleFunc("POST /events/{id}/attendance", p.Web.Page(edit, p.eventAttendanceForm))
	mux.HandleFunc("POST /events/{id}/attendance.csv", p.Web.Page(edit, p.eventAttendanceCSV))
}

// eventsZone is the zone the month view lays days out in: the network
// meets in Brussels, so its calendar is read in Brussels time whatever
// zone the server runs in. Each event's own page uses the event's zone.
var eventsZone = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Brussels"); err == nil {
		return loc
	}
	return time.Local
}()

// eventsItem is an event in a day cell of the month grid.
type eventsItem struct {
	ID        int64
	Title     string
	Time      string // start time in the calendar's zone, "" when it began on an earlier day
	Partner   bool
	Cancelled bool
}

// eventsDay is one cell of the month grid.
type eventsDay struct {
	Date   time.Time
	Other  bool // a day of the previous or next month
	Today  bool
	Events []eventsItem
}

// eventsLine is an event in the plain list below the grid.
type eventsLine struct {
	ID                       int64
	Title, When, Place, Kind string
	Topic, Source, Status    string
	Partner, Cancelled       bool
}

// eventForm is the new-event form as typed.
type eventForm struct {
	Title, Kind, Topic, StartsAt, EndsAt, TimeZone string
	Location, City, Country, URL, Capacity         string
	Public                                         bool
}

type eventsPageData struct {
	web.Base
	MonthLabel, MonthValue string
	PrevURL, NextURL       string
	ThisMonthURL           string
	Zone                   string
	Source, Topic          string
	Weekdays               []string
	Days                   []eventsDay
	List                   []eventsLine
	Kinds                  []reportOption
	Form                   eventForm
	Errors                 map[string]string // field → message
	FormOpen               bool
}

func (p *Pages) eventsMonth(w http.ResponseWriter, r *http.Request) {
	d := p.newEventsPage(r)
	p.renderEventsMonth(w, r, http.StatusOK, &d)
}

func (p *Pages) newEventsPage(r *http.Request) eventsPageData {
	q := r.URL.Query()
	return eventsPageData{Base: p.Web.Base(r, "Events", "events"), Errors: map[string]string{},
		Source: q.Get("source"), Topic: q.Get("topic"), MonthValue: q.Get("month"),
		Weekdays: []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}, Kinds: eventKindOptions(),
		Form: eventForm{Kind: "workshop", TimeZone: eventsZone.String(), Public: true}}
}

// renderEventsMonth fills the month grid and the list for d's month and
// filter, and renders the page; a bad month or filter is shown, not fatal.
func (p *Pages) renderEventsMonth(w http.ResponseWriter, r *http.Request, status int, d *eventsPageData) {
	now := time.Now().In(eventsZone)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, eventsZone)
	if d.MonthValue != "" {
		m, err := time.ParseInLocation("2006-01", d.MonthValue, eventsZone)
		if err != nil {
			d.Errors["month"] = fmt.Sprintf("%q is not a month: give it as 2026-11", d.MonthValue)
			d.Error, status = "month: "+d.Errors["month"], http.StatusBadRequest
		} else {
			first = m
		}
	}
	d.MonthValue, d.MonthLabel, d.Zone = first.Format("2006-01"), first.Format("January 2006"), eventsZone.String()
	d.PrevURL = eventsMonthURL(first.AddDate(0, -1, 0), d.Source, d.Topic)
	d.NextURL = eventsMonthURL(first.AddDate(0, 1, 0), d.Source, d.Topic)
	d.ThisMonthURL = eventsMonthURL(now, d.Source, d.Topic)

	// The grid runs Monday to Sunday, from the week the month starts in to
	// the week it ends in.
	start := first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	last := first.AddDate(0, 1, -1)
	end := last.AddDate(0, 0, 7-((int(last.Weekday())+6)%7))
	list, err := ListEvents(r.Context(), p.DB, EventFilter{From: start, To: end, Topic: d.Topic, Source: d.Source})
	var ve *crm.ValidationError
	switch {
	case errors.As(err, &ve):
		d.Errors[ve.Field] = ve.Reason
		d.Error, status = ve.Error(), http.StatusBadRequest
	case err != nil:
		p.Web.Internal(w, r, err)
		return
	}
	for day := start; day.Before(end); day = day.AddDate(0, 0, 1) {
		next := day.AddDate(0, 0, 1)
		cell := eventsDay{Date: day, Other: day.Month() != first.Month(), Today: !now.Before(day) && now.Before(next)}
		for _, e := range list {
			if !eventDuring(e, day, next) {
				continue
			}
			item := eventsItem{ID: e.ID, Title: e.Title, Partner: !e.Ours(), Cancelled: e.Status == EventCancelled}
			if !e.StartsAt.Before(day) && !eventAllDay(e) {
				item.Time = e.StartsAt.In(eventsZone).Format("15:04")
			}
			cell.Events = append(cell.Events, item)
		}
		d.Days = append(d.Days, cell)
	}
	monthEnd := first.AddDate(0, 1, 0)
	for _, e := range list {
		if eventDuring(e, first, monthEnd) {
			d.List = append(d.List, eventsLineOf(e))
		}
	}
	p.Web.Render(w, r, status, "events", d, &d.Base)
}

// eventKindLabels name the kinds of event for people.
var eventKindLabels = map[string]string{"conference": "Conference", "cop_session": "CoP session", "workshop": "Workshop", "webinar": "Webinar"}

func eventKindLabel(kind string) string {
	if l, ok := eventKindLabels[kind]; ok {
		return l
	}
	return reportWords(kind)
}

func eventsMonthURL(month time.Time, source, topic string) string {
	v := url.Values{"month": {month.Format("2006-01")}}
	if source != "" {
		v.Set("source", source)
	}
	if topic != "" {
		v.Set("topic", topic)
	}
	return "/events?" + v.Encode()
}

func eventsLineOf(e Event) eventsLine {
	l := eventsLine{ID: e.ID, Title: e.Title, When: eventWhen(e), Place: eventPlace(e), Kind: eventKindLabel(e.Kind),
		Topic: reportWords(e.Topic), Status: e.Status, Partner: !e.Ours(), Cancelled: e.Status == EventCancelled}
	if e.Source != nil {
		l.Source = *e.Source
	}
	return l
}

// eventDuring reports whether e takes place in [from, to), calendar days
// of the grid. An all-day event covers its own dates, whatever zone the
// grid is in: a partner's all-day fair on the 15th is on the 15th only.
func eventDuring(e Event, from, to time.Time) bool {
	if eventAllDay(e) {
		loc := e.location()
		return e.StartsAt.In(loc).Format(time.DateOnly) < to.Format(time.DateOnly) &&
			e.EndsAt.In(loc).Format(time.DateOnly) > from.Format(time.DateOnly)
	}
	if e.StartsAt.Equal(e.EndsAt) {
		return !e.StartsAt.Before(from) && e.StartsAt.Before(to)
	}
	return e.StartsAt.Before(to) && e.EndsAt.After(from)
}

// eventAllDay reports whether e runs from midnight to midnight in its zone,
// as all-day entries in partners' calendars do.
func eventAllDay(e Event) bool {
	loc := e.location()
	s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
	midnight := func(x time.Time) bool { return x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 }
	return midnight(s) && midnight(t) && t.After(s)
}

// eventWhen says when an event is, in its own time zone: "Tue 11 May
// 2027, 09:00–17:00 (Europe/Brussels)".
func eventWhen(e Event) string {
	loc := e.location()
	s, t := e.StartsAt.In(loc), e.EndsAt.In(loc)
	zone := " (" + loc.String() + ")"
	switch {
	case eventAllDay(e):
		lastDay := t.AddDate(0, 0, -1)
		if lastDay.YearDay() == s.YearDay() && lastDay.Year() == s.Year() {
			return s.Format("Mon 2 Jan 2006") + ", all day"
		}
		return s.Format("Mon 2 Jan 2006") + " – " + lastDay.Format("Mon 2 Jan 2006") + ", all day"
	case s.Year() == t.Year() && s.YearDay() == t.YearDay():
		return s.Format("Mon 2 Jan 2006, 15:04") + "–" + t.Format("15:04") + zone
	}
	return s.Format("Mon 2 Jan 2006, 15:04") + " – " + t.Format("Mon 2 Jan 2006, 15:04") + zone
}

// eventPlace says where an event is: venue, city and country, or online.
func eventPlace(e Event) string {
	var parts []string
	for _, s := range []string{e.Location, e.City} {
		if s != "" && !containsFold(strings.Join(parts, ", "), s) {
			parts = append(parts, s)
		}
	}
	if e.Country != "" {
		if name := vocab.CountryName(e.Country); name != "" {
			parts = append(parts, name)
		} else {
			parts = append(parts, e.Country)
		}
	}
	if len(parts) == 0 && e.URL != "" {
		return "Online"
	}
	return strings.Join(parts, ", ")
}

func (p *Pages) eventsCreate(w http.ResponseWriter, r *http.Request) {
	f := eventForm{Public: r.PostFormValue("public") != ""}
	for name, dst := range map[string]*string{"title": &f.Title, "kind": &f.Kind, "topic": &f.Topic,
		"starts_at": &f.StartsAt, "ends_at": &f.EndsAt, "time_zone": &f.TimeZone, "location": &f.Location,
		"city": &f.City, "country": &f.Country, "url": &f.URL, "capacity": &f.Capacity} {
		*dst = strings.TrimSpace(r.PostFormValue(name))
	}
	in, err := f.input()
	var e Event
	if err == nil {
		e, err = CreateEvent(r.Context(), p.DB, in, p.uidDomain())
	}
	var ve *crm.ValidationError
	switch {
	case errors.As(err, &ve):
		d := p.newEventsPage(r)
		d.Form, d.FormOpen = f, true
		d.Errors[ve.Field] = ve.Reason
		d.Error = "The event was not created: " + ve.Error()
		p.renderEventsMonth(w, r, http.StatusBadRequest, &d)
	case err != nil:
		p.Web.Internal(w, r, err)
	default:
		p.Web.Redirect(w, r, "/events/"+strconv.FormatInt(e.ID, 10), fmt.Sprintf("Event “%s” created.", e.Title))
	}
}

// input turns the form into an EventInput; empty times are left out so
// the error says they are required rather than that "" is not a time.
func (f eventForm) input() (EventInput, error) {
	in := EventInput{Title: &f.Title, Kind: &f.Kind, Topic: &f.Topic, TimeZone: &f.TimeZone, Location: &f.Location,
		City: &f.City, Country: &f.Country, URL: &f.URL, Public: &f.Public}
	if f.StartsAt != "" {
		in.StartsAt = &f.StartsAt
	}
	if f.EndsAt != "" {
		in.EndsAt = &f.EndsAt
	}
	if f.Capacity != "" {
		n, err := strconv.Atoi(f.Capacity)
		if err != nil {
			return in, invalid("capacity", "%q is not a whole number (leave it empty for no limit)", f.Capacity)
		}
		in.Capacity = &n
	}
	return in, nil
}

// uidDomain names our events' calendar UIDs after the public address, as
// the API does.
func (p *Pages) uidDomain() string {
	if u, err := url.Parse(p.Links.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "outreach.invalid"
}

// eventAttendeeLine is one row of the RSVP list.
type eventAttendeeLine struct {
	ContactID    int64
	Name, Email  string
	Organisation string
	Answer       string
	Waitlisted   bool
	Attended     string // "yes", "no" (a no-show) or "" (not marked)
}

// eventConflictLine is an overlapping event.
type eventConflictLine struct {
	ID                  int64
	Title, When, Reason string
	Partner             bool
}

type eventPageData struct {
	web.Base
	Event     Event
	When      string
	Place     string
	Topic     string
	Kind      string
	Month     string // the month view the event is in
	Capacity  string
	Source    string
	Host      *Event
	HostWhen  string
	Counts    EventCounts
	Attendees []eventAttendeeLine
	Conflicts []eventConflictLine
	Begun     bool
	Rejected  []crm.Rejection
}

func (p *Pages) eventPage(w http.ResponseWriter, r *http.Request) {
	p.renderEvent(w, r, http.StatusOK, nil)
}

// renderEvent loads the event of the path and everything its page shows,
// lets change adjust the data (an error, a flash, rejected lines), and
// renders it.
func (p *Pages) renderEvent(w http.ResponseWriter, r *http.Request, status int, change func(*eventPageData)) {
	ctx := r.Context()
	id, err := crm.PathID(r)
	var e Event
	if err == nil {
		e, err = EventByID(ctx, p.DB, id)
	}
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	d := eventPageData{Base: p.Web.Base(r, e.Title, "events"), Event: e, When: eventWhen(e), Place: eventPlace(e),
		Topic: reportWords(e.Topic), Kind: eventKindLabel(e.Kind), Begun: !e.StartsAt.After(time.Now()),
		Month: e.StartsAt.In(eventsZone).Format("2006-01"), Capacity: "No limit"}
	if e.Capacity != nil {
		d.Capacity = fmt.Sprintf("%d %s", *e.Capacity, eventsPlural(*e.Capacity, "place", "places"))
	}
	if e.Source != nil {
		d.Source = *e.Source
	}
	if e.HostEventID != nil {
		if host, err := EventByID(ctx, p.DB, *e.HostEventID); err == nil {
			d.Host, d.HostWhen = &host, eventWhen(host)
		} else if !errors.Is(err, crm.ErrNotFound) {
			p.Web.Internal(w, r, err)
			return
		}
	}
	if d.Counts, err = CountsOfEvent(ctx, p.DB, id); err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	list, err := Attendees(ctx, p.DB, id)
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	for _, a := range list {
		d.Attendees = append(d.Attendees, eventAttendeeLineOf(a))
	}
	conflicts, err := Conflicts(ctx, p.DB, e)
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	for _, c := range conflicts {
		d.Conflicts = append(d.Conflicts, eventConflictLine{ID: c.Event.ID, Title: c.Event.Title, When: eventWhen(c.Event),
			Reason: c.Reason, Partner: !c.Event.Ours()})
	}
	if change != nil {
		change(&d)
	}
	p.Web.Render(w, r, status, "event", &d, &d.Base)
}

func eventAttendeeLineOf(a Attendee) eventAttendeeLine {
	l := eventAttendeeLine{ContactID: a.ContactID, Name: strings.TrimSpace(a.FirstName + " " + a.LastName),
		Organisation: a.Organisation, Waitlisted: a.Waitlisted}
	if a.Attended != nil {
		l.Attended = map[bool]string{true: "yes", false: "no"}[*a.Attended]
	}
	if a.Email != nil {
		l.Email = *a.Email
	}
	if l.Name == "" {
		l.Name = l.Email
	}
	if l.Name == "" {
		l.Name = fmt.Sprintf("Contact %d (erased)", a.ContactID)
	}
	if a.RSVP != nil {
		l.Answer = map[string]string{"yes": "Yes", "no": "No", "tentative": "Maybe"}[*a.RSVP]
		if l.Answer == "" {
			l.Answer = *a.RSVP
		}
	}
	return l
}

// eventAttendanceForm saves the attendance checkboxes. A listed contact
// left unticked is marked absent only if they were expected (a confirmed
// yes) or already marked; someone who said no is left unmarked rather
// than counted as a no-show.
func (p *Pages) eventAttendanceForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := crm.PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20) // no effect if the CSRF check already read the form
	if err := r.ParseForm(); err != nil {
		p.eventProblem(w, r, invalid("attended", "the form could not be read: %v", err))
		return
	}
	current, err := Attendees(ctx, p.DB, id)
	if err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	byID := map[int64]Attendee{}
	for _, a := range current {
		byID[a.ContactID] = a
	}
	ticked := map[int64]bool{}
	for _, s := range r.PostForm["attended"] {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			ticked[n] = true
		}
	}
	var marks []Mark
	for _, s := range r.PostForm["listed"] {
		cid, err := strconv.ParseInt(s, 10, 64)
		a, known := byID[cid]
		if err != nil || !known {
			continue // not on this event's list (any more)
		}
		expected := a.Attended != nil || (a.RSVP != nil && *a.RSVP == "yes" && !a.Waitlisted)
		if ticked[cid] || expected {
			marks = append(marks, Mark{ContactID: cid, Attended: ticked[cid]})
		}
	}
	res, err := MarkAttendance(ctx, p.DB, id, marks)
	if err != nil {
		p.eventProblem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, "/events/"+strconv.FormatInt(id, 10), fmt.Sprintf("Attendance saved: %d %s changed.", res.Marked, eventsPlural(res.Marked, "mark", "marks")))
}

// eventAttendanceCSV reads an uploaded attendance list (an email column
// and optionally an attended column) and marks it; lines it could not use
// are listed on the page with their line number and reason.
func (p *Pages) eventAttendanceCSV(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxAttendanceCSV+1<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		p.eventProblem(w, r, invalid("file", "choose a CSV file with an email column to upload"))
		return
	}
	defer file.Close()
	marks, rejected, err := ParseAttendanceCSV(file, MaxAttendanceCSV)
	if err != nil {
		p.eventProblem(w, r, err)
		return
	}
	res, err := MarkAttendance(r.Context(), p.DB, id, marks)
	if err != nil {
		p.eventProblem(w, r, err)
		return
	}
	rejected = append(rejected, res.Rejected...)
	sort.SliceStable(rejected, func(i, j int) bool { return rejected[i].Line < rejected[j].Line })
	msg := fmt.Sprintf("Attendance list read: %d %s changed.", res.Marked, eventsPlural(res.Marked, "mark", "marks"))
	if len(rejected) == 0 {
		p.Web.Redirect(w, r, "/events/"+strconv.FormatInt(id, 10), msg)
		return
	}
	p.renderEvent(w, r, http.StatusOK, func(d *eventPageData) {
		d.Flash = fmt.Sprintf("%s %d %s could not be used; see below.", msg, len(rejected), eventsPlural(len(rejected), "line", "lines"))
		d.Rejected = rejected
	})
}

// eventProblem shows a refused attendance change on the event's page: a
// validation or file error is the coordinator's to fix, so it is shown
// above the list it is about; anything else goes to the usual pages.
func (p *Pages) eventProblem(w http.ResponseWriter, r *http.Request, err error) {
	var ve *crm.ValidationError
	var fe *crm.FileError
	switch {
	case errors.As(err, &ve):
		p.renderEvent(w, r, http.StatusBadRequest, func(d *eventPageData) { d.Error = "Nothing was marked. " + ve.Error() })
	case errors.As(err, &fe):
		p.renderEvent(w, r, http.StatusBadRequest, func(d *eventPageData) {
			d.Error = "Nothing was marked: the file could not be read (" + fe.Reason + ")."
		})
	default:
		p.Web.Problem(w, r, err)
	}
}

func eventsPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func eventKindOptions() []reportOption {
	var out []reportOption
	for _, k := range EventKinds {
		out = append(out, reportOption{k, eventKindLabel(k)})
	}
	return out
}
