package campaigns

import (
	"context"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"outreach/crm"
	"outreach/crm/jsonhttp"
)

// MaxAttendanceCSV bounds an uploaded attendance list.
const MaxAttendanceCSV = 8 << 20

// EventRoutes registers the event, attendance and calendar endpoints.
func (a *API) EventRoutes(mux *http.ServeMux) {
	view, edit := crm.RoleViewer, crm.RoleCoordinator
	mux.HandleFunc("GET /api/v1/events", a.Auth.Require(view, a.eventList))
	mux.HandleFunc("POST /api/v1/events", a.Auth.Require(edit, a.eventCreate))
	mux.HandleFunc("GET /api/v1/events/{id}", a.Auth.Require(view, a.eventShow))
	mux.HandleFunc("PATCH /api/v1/events/{id}", a.Auth.Require(edit, a.eventUpdate))
	mux.HandleFunc("POST /api/v1/events/{id}/cancel", a.Auth.Require(edit, a.eventCancel))
	mux.HandleFunc("POST /api/v1/events/{id}/notify", a.Auth.Require(edit, a.eventNotify))
	mux.HandleFunc("GET /api/v1/events/{id}/attendees", a.Auth.Require(view, a.eventAttendees))
	mux.HandleFunc("POST /api/v1/events/{id}/attendance", a.Auth.Require(edit, a.eventAttendance))
	mux.HandleFunc("GET /api/v1/events/{id}/conflicts", a.Auth.Require(view, a.eventConflicts))
	mux.HandleFunc("POST /api/v1/calendar/import", a.Auth.Require(edit, a.calendarImport))
}

// eventView is an event as the API shows it: the stored event, its
// answers and, for a new or changed event, the overlapping ones.
type eventView struct {
	Event
	Counts    *EventCounts `json:"counts,omitempty"`
	Conflicts []Conflict   `json:"conflicts"`
}

// uidDomain names our events' calendar UIDs after the public address.
func (a *API) uidDomain() string {
	if u, err := url.Parse(a.Links.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "outreach.invalid"
}

func (a *API) writeEvent(w http.ResponseWriter, r *http.Request, status int, e Event) {
	v := eventView{Event: e}
	var err error
	if v.Conflicts, err = Conflicts(r.Context(), a.DB, e); err == nil {
		var c EventCounts
		if c, err = CountsOfEvent(r.Context(), a.DB, e.ID); err == nil {
			v.Counts = &c
			jsonhttp.Write(w, status, v)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) eventList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := EventFilter{Topic: q.Get("topic"), Source: q.Get("source")}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := ParseEventTime(v, time.UTC)
			if err != nil {
				a.fail(w, r, invalid(name, "%v", err))
				return
			}
			*dst = t
		}
	}
	list, err := ListEvents(r.Context(), a.DB, f)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"events": list})
}

func (a *API) eventCreate(w http.ResponseWriter, r *http.Request) {
	var in EventInput
	if err := jsonhttp.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	e, err := CreateEvent(r.Context(), a.DB, in, a.uidDomain())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeEvent(w, r, http.StatusCreated, e)
}

func (a *API) eventShow(w http.ResponseWriter, r *http.Request) {
	a.withEvent(w, r, func(ctx context.Context, id int64) (Event, error) { return EventByID(ctx, a.DB, id) })
}

func (a *API) eventUpdate(w http.ResponseWriter, r *http.Request) {
	var in EventInput
	if err := jsonhttp.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	a.withEvent(w, r, func(ctx context.Context, id int64) (Event, error) { return UpdateEvent(ctx, a.DB, id, in) })
}

func (a *API) eventCancel(w http.ResponseWriter, r *http.Request) {
	a.withEvent(w, r, func(ctx context.Context, id int64) (Event, error) { return CancelEvent(ctx, a.DB, id) })
}

func (a *API) withEvent(w http.ResponseWriter, r *http.Request, do func(context.Context, int64) (Event, error)) {
	id, err := crm.PathID(r)
	if err == nil {
		var e Event
		if e, err = do(r.Context(), id); err == nil {
			a.writeEvent(w, r, http.StatusOK, e)
			return
		}
	}
	a.fail(w, r, err)
}

func (a *API) eventNotify(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in NoticeInput
	if r.ContentLength != 0 {
		if err := jsonhttp.Decode(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	c, err := NotifyAttendees(r.Context(), a.DB, id, in, a.Segment)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeCampaign(w, r, http.StatusCreated, c)
}

func (a *API) eventAttendees(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err == nil {
		if _, err = EventByID(r.Context(), a.DB, id); err == nil {
			var list []Attendee
			if list, err = Attendees(r.Context(), a.DB, id); err == nil {
				jsonhttp.Write(w, http.StatusOK, map[string]any{"attendees": list})
				return
			}
		}
	}
	a.fail(w, r, err)
}

// eventAttendance takes a JSON list of marks or an attendance CSV.
func (a *API) eventAttendance(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var marks []Mark
	rejected := []crm.Rejection{}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "text/csv" {
		marks, rejected, err = ParseAttendanceCSV(http.MaxBytesReader(w, r.Body, MaxAttendanceCSV), MaxAttendanceCSV)
	} else {
		var in struct {
			Marks []Mark `json:"marks"`
		}
		err = jsonhttp.Decode(w, r, &in)
		marks = in.Marks
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := MarkAttendance(r.Context(), a.DB, id, marks)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res.Rejected = append(rejected, res.Rejected...)
	jsonhttp.Write(w, http.StatusOK, res)
}

func (a *API) eventConflicts(w http.ResponseWriter, r *http.Request) {
	id, err := crm.PathID(r)
	if err == nil {
		var e Event
		if e, err = EventByID(r.Context(), a.DB, id); err == nil {
			var list []Conflict
			if list, err = Conflicts(r.Context(), a.DB, e); err == nil {
				jsonhttp.Write(w, http.StatusOK, map[string]any{"conflicts": list})
				return
			}
		}
	}
	a.fail(w, r, err)
}

// calendarImport takes {"source": NAME, "url": URL} to fetch a partner's
// feed, or the .ics file itself (text/calendar) with ?source=NAME.
func (a *API) calendarImport(w http.ResponseWriter, r *http.Request) {
	var source, feedURL string
	var data []byte
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "text/calendar" {
		source = r.URL.Query().Get("source")
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxCalendar))
		if err != nil {
			jsonhttp.Fail(w, http.StatusRequestEntityTooLarge, "calendar larger than 10 MiB")
			return
		}
	} else {
		var in struct {
			Source string `json:"source"`
			URL    string `json:"url"`
		}
		if err := jsonhttp.Decode(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
		source, feedURL = in.Source, strings.TrimSpace(in.URL)
		if feedURL == "" {
			a.fail(w, r, invalid("url", "give the partner calendar's address, or send the .ics file as text/calendar"))
			return
		}
		if data, err = FetchCalendar(r.Context(), a.httpClient(), feedURL); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	res, err := ImportCalendar(r.Context(), a.DB, source, feedURL, data)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, res)
}

// httpClient is a.HTTP or, by default, a client that fetches only from
// public addresses: a feed URL must not let a coordinator (or a partner's
// redirect) reach services inside our network.
func (a *API) httpClient() *http.Client {
	if a.HTTP != nil {
		return a.HTTP
	}
	return FeedClient(false)
}

// calendarFeed serves the shared calendar, /calendar.ics, or one topic's,
// /calendar/access_to_finance.ics. Calendar apps poll it without
// credentials, so it holds only public events.
func (p *Public) calendarFeed(w http.ResponseWriter, r *http.Request) {
	topic := ""
	if f := r.PathValue("file"); f != "" {
		var ok bool
		if topic, ok = strings.CutSuffix(f, ".ics"); !ok || topic == "" {
			http.NotFound(w, r)
			return
		}
	}
	name := p.CalendarName
	if name == "" {
		name = "Events"
	}
	data, err := Feed(r.Context(), p.DB, name, topic)
	if err != nil {
		p.Log.ErrorContext(r.Context(), "calendar feed failed", "topic", topic, "err", err)
		http.Error(w, "The calendar is unavailable; please try again later.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(data)
}
