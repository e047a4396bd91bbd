package crm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"outreach/crm/segment"
	"outreach/crm/vocab"
	"outreach/templates/web"
)

const (
	// contactsPerPage is how many rows the contact and organisation lists show.
	contactsPerPage = 50
	// maxSearchRunes bounds the free-text search, which is compiled into a
	// segment expression that has a length limit of its own.
	maxSearchRunes = 200
	// maxSearchWords bounds how many words of the free-text search count.
	maxSearchWords = 8
	// maxSourceRunes bounds an import's source name.
	maxSourceRunes = 200
)

func (p *Pages) contactRoutes(mux *http.ServeMux) {
	view, edit := RoleViewer, RoleCoordinator
	mux.HandleFunc("GET /contacts", p.Web.Page(view, p.contactList))
	mux.HandleFunc("GET /contacts/export", p.Web.Page(view, p.contactExport))
	mux.HandleFunc("GET /contacts/import", p.Web.Page(edit, p.contactImportForm))
	mux.HandleFunc("POST /contacts/import", p.Web.Page(edit, p.contactImportUpload))
	mux.HandleFunc("GET /contacts/{id}", p.Web.Page(view, p.contactDetails))
	mux.HandleFunc("POST /contacts/{id}/seniority", p.Web.Page(edit, p.contactSetSeniority))
	mux.HandleFunc("POST /contacts/{id}/consent", p.Web.Page(edit, p.contactSetConsent))
	mux.HandleFunc("GET /organisations", p.Web.Page(view, p.organisationList))
	mux.HandleFunc("GET /organisations/{id}", p.Web.Page(view, p.organisationDetails))
}

// htmxFragment reports whether htmx asked for a fragment. A history restore
// (the back button after the cache expired) needs the whole page.
func htmxFragment(r *http.Request) bool {
	return r.Header.Get("HX-Request") != "" && r.Header.Get("HX-History-Restore-Request") == ""
}

// listPage reads ?page=; anything that is not a positive number is page 1,
// as a mistyped link should still show the list.
func listPage(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// pagerURL builds a list link that keeps the search.
func pagerURL(path string, params map[string]string, page int) string {
	v := url.Values{}
	for k, s := range params {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

type contactListData struct {
	web.Base
	Q, S      string // the segment expression and the free-text search
	QError    string // what is wrong with the expression, with its position
	List      ContactList
	Pages     int
	PrevURL   string
	NextURL   string
	ExportURL string
}

func (p *Pages) contactList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := contactListData{Base: p.Web.Base(r, "Contacts", "contacts"), Q: q.Get("q"), S: strings.TrimSpace(q.Get("s"))}
	d.List = ContactList{Page: 1, PerPage: contactsPerPage, Contacts: []Contact{}}
	f, err := p.contactFilter(d.Q, d.S)
	if err == nil {
		d.List, err = Contacts(r.Context(), p.DB, f, listPage(r), contactsPerPage)
	}
	if err != nil {
		msg, ok := filterMessage(err)
		if !ok {
			p.Web.Internal(w, r, err)
			return
		}
		// A half-typed expression is normal while the list updates as one
		// types: show where it goes wrong, with an empty list, not an error page.
		d.QError = msg
		d.List = ContactList{Page: 1, PerPage: contactsPerPage, Contacts: []Contact{}}
	}
	params := map[string]string{"q": d.Q, "s": d.S}
	d.Pages = max(1, (d.List.Total+contactsPerPage-1)/contactsPerPage)
	if d.List.Page > 1 {
		d.PrevURL = pagerURL("/contacts", params, min(d.List.Page-1, d.Pages))
	}
	if d.List.Page < d.Pages {
		d.NextURL = pagerURL("/contacts", params, d.List.Page+1)
	}
	d.ExportURL = pagerURL("/contacts/export", params, 1)
	w.Header().Set("Vary", "HX-Request")
	if htmxFragment(r) {
		p.Web.Pages.Partial(w, http.StatusOK, "contacts", "contacts-results", &d)
		return
	}
	p.Web.Render(w, r, http.StatusOK, "contacts", &d, &d.Base)
}

// contactFilter combines the coordinator's segment expression with the
// free-text search, which is compiled as an expression of its own terms.
func (p *Pages) contactFilter(q, s string) (Filter, error) {
	f := Filter{Where: q, Segment: p.Segment}
	// Compile the expression alone first, so that an error's position
	// counts from the start of what the coordinator typed.
	if _, _, err := f.compile(1); err != nil {
		return f, err
	}
	if utf8.RuneCountInString(s) > maxSearchRunes {
		return f, invalid("search", "longer than %d characters", maxSearchRunes)
	}
	text := freeTextSearch(s)
	switch {
	case text == "":
	case strings.TrimSpace(q) == "":
		f.Where = text
	default:
		f.Where = "(" + q + ") and " + text
	}
	return f, nil
}

// freeTextSearch turns free text into a segment expression: every word must
// appear in the first or last name, the email or the organisation's name.
// Each word is quoted, so it is a value whatever it contains.
func freeTextSearch(s string) string {
	words := strings.Fields(strings.ReplaceAll(s, "\x00", ""))
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	terms := make([]string, len(words))
	for i, w := range words {
		v := `"` + quote.Replace(w) + `"`
		terms[i] = fmt.Sprintf("(first_name ~ %[1]s or last_name ~ %[1]s or email ~ %[1]s or organisation ~ %[1]s)", v)
	}
	return strings.Join(terms, " and ")
}

// filterMessage returns the message, with its position, of an error in
// a coordinator's expression (contact filter or segment); ok is false for
// errors that are not theirs to fix.
func filterMessage(err error) (string, bool) {
	var se *segment.Error
	var ve *ValidationError
	switch {
	case errors.As(err, &se):
		return se.Error(), true
	case errors.As(err, &ve):
		return ve.Error(), true
	}
	return "", false
}

func (p *Pages) contactExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := p.contactFilter(q.Get("q"), strings.TrimSpace(q.Get("s")))
	if err != nil {
		if msg, ok := filterMessage(err); ok {
			p.Web.Fail(w, r, http.StatusBadRequest, "The filter expression is not valid, so nothing was exported: "+msg)
			return
		}
		p.Web.Internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="contacts-%s.csv"`, time.Now().Format("2006-01-02")))
	w.Header().Set("Cache-Control", "no-store")
	if err := ExportCSV(r.Context(), p.DB, w, f); err != nil {
		// The download has started; all that is left is to log it.
		p.Log.ErrorContext(r.Context(), "contact export failed", "err", err)
	}
}

// timelineEntry is an activity as the pages show it.
type timelineEntry struct {
	Kind        string
	When        time.Time
	ContactID   int64
	ContactName string
	Details     []timelineDetail
}

type timelineDetail struct {
	Key, Value string
}

// timelineEntries makes activities readable; names maps contact ids to the
// names to show, where known.
func timelineEntries(acts []Activity, names map[int64]string) []timelineEntry {
	out := make([]timelineEntry, len(acts))
	for i, a := range acts {
		e := timelineEntry{Kind: a.Kind, When: a.OccurredAt, Details: timelineDetails(a.Details)}
		if a.ContactID != nil {
			e.ContactID = *a.ContactID
			e.ContactName = names[e.ContactID]
		}
		out[i] = e
	}
	return out
}

// timelineDetails turns an activity's JSON details into labelled values,
// sorted by label.
func timelineDetails(raw json.RawMessage) []timelineDetail {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		if s := strings.TrimSpace(string(raw)); s != "" && s != "null" {
			return []timelineDetail{{Value: s}}
		}
		return nil
	}
	out := make([]timelineDetail, 0, len(m))
	for k, v := range m {
		out = append(out, timelineDetail{Key: strings.ReplaceAll(k, "_", " "), Value: detailValue(v)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func detailValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = detailValue(e)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v) // decoded from JSON, so it encodes again
	return string(b)
}

type contactData struct {
	web.Base
	Contact     Contact
	Attributes  map[string]any
	Timeline    []timelineEntry
	Seniorities []string
	Consents    []string
}

func (p *Pages) contactDetails(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	c, err := ContactByID(r.Context(), p.DB, id)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	acts, err := Timeline(r.Context(), p.DB, id)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	d := contactData{Base: p.Web.Base(r, c.Name(), "contacts"), Contact: c,
		Timeline: timelineEntries(acts, nil), Seniorities: vocab.Seniorities, Consents: vocab.Consents}
	json.Unmarshal(c.Attributes, &d.Attributes) // stored by Outreach: always an object
	p.Web.Render(w, r, http.StatusOK, "contact", &d, &d.Base)
}

// contactProblem is Web.Problem, plus the contact whose data was erased.
func (p *Pages) contactProblem(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrErased) {
		p.Web.Fail(w, r, http.StatusGone, "This contact's personal data was erased at their request.")
		return
	}
	p.Web.Problem(w, r, err)
}

func (p *Pages) contactSetSeniority(w http.ResponseWriter, r *http.Request) {
	p.contactUpdate(w, r, "seniority", func(v string) ContactPatch { return ContactPatch{Seniority: &v} },
		func(c Contact) string { return "Seniority set to " + c.Seniority + "." })
}

func (p *Pages) contactSetConsent(w http.ResponseWriter, r *http.Request) {
	p.contactUpdate(w, r, "consent", func(v string) ContactPatch { return ContactPatch{Consent: &v} },
		func(c Contact) string { return "Consent set to " + c.Consent + "." })
}

// contactUpdate applies one form field through UpdateContact, the API's
// PATCH, so the change is validated and recorded on the timeline alike.
func (p *Pages) contactUpdate(w http.ResponseWriter, r *http.Request, field string, patch func(string) ContactPatch, flash func(Contact) string) {
	id, err := PathID(r)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBodyBytes)
	c, err := UpdateContact(r.Context(), p.DB, id, patch(r.PostFormValue(field)), PrincipalFrom(r.Context()).Name)
	if err != nil {
		p.contactProblem(w, r, err)
		return
	}
	p.Web.Redirect(w, r, fmt.Sprintf("/contacts/%d", id), flash(c))
}

type organisationListData struct {
	web.Base
	Search        string
	Organisations []Organisation
	Page          int
	PrevURL       string
	NextURL       string
}

func (p *Pages) organisationList(w http.ResponseWriter, r *http.Request) {
	d := organisationListData{Base: p.Web.Base(r, "Organisations", "contacts"),
		Search: strings.TrimSpace(r.URL.Query().Get("search")), Page: listPage(r)}
	// One more than a page tells whether there is a next one.
	list, err := Organisations(r.Context(), p.DB, d.Search, contactsPerPage+1, (d.Page-1)*contactsPerPage)
	if err != nil {
		p.Web.Problem(w, r, err) // a search Postgres cannot store (a NUL byte) is the user's to fix
		return
	}
	params := map[string]string{"search": d.Search}
	if len(list) > contactsPerPage {
		list = list[:contactsPerPage]
		d.NextURL = pagerURL("/organisations", params, d.Page+1)
	}
	if d.Page > 1 {
		d.PrevURL = pagerURL("/organisations", params, d.Page-1)
	}
	d.Organisations = list
	w.Header().Set("Vary", "HX-Request")
	if htmxFragment(r) {
		p.Web.Pages.Partial(w, http.StatusOK, "organisations", "organisations-results", &d)
		return
	}
	p.Web.Render(w, r, http.StatusOK, "organisations", &d, &d.Base)
}

type organisationData struct {
	web.Base
	Organisation Organisation
	WebsiteURL   string
	People       []Contact
	Page, Pages  int
	PrevURL      string
	NextURL      string
	Timeline     []timelineEntry
}

func (p *Pages) organisationDetails(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	o, err := OrganisationByID(r.Context(), p.DB, id)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	d := organisationData{Base: p.Web.Base(r, o.Name, "contacts"), Organisation: o, WebsiteURL: orgWebsiteURL(o.Website),
		Page: listPage(r), Pages: max(1, (o.Contacts+contactsPerPage-1)/contactsPerPage)}
	if d.People, err = OrganisationContacts(r.Context(), p.DB, id, contactsPerPage, (d.Page-1)*contactsPerPage); err != nil {
		p.Web.Internal(w, r, err)
		return
	}
	acts, err := OrganisationTimeline(r.Context(), p.DB, id)
	if err != nil {
		p.Web.Problem(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, c := range d.People {
		names[c.ID] = c.Name()
	}
	d.Timeline = timelineEntries(acts, names)
	path := fmt.Sprintf("/organisations/%d", id)
	if d.Page > 1 {
		d.PrevURL = pagerURL(path, nil, min(d.Page-1, d.Pages))
	}
	if d.Page < d.Pages {
		d.NextURL = pagerURL(path, nil, d.Page+1)
	}
	p.Web.Render(w, r, http.StatusOK, "organisation", &d, &d.Base)
}

// orgWebsiteURL makes a stored website ("example.org") a link; html/template
// still refuses schemes other than http(s) and mailto.
func orgWebsiteURL(site string) string {
	site = strings.TrimSpace(site)
	if site == "" || strings.Contains(site, "://") {
		return site
	}
	return "https://" + site
}

type importData struct {
	web.Base
	Limit   string // the largest file accepted, for people
	Source  string
	Problem string        // why the file as a whole was refused
	Result  *ImportResult // what an import did
}

func (p *Pages) importLimit() int64 {
	if p.MaxImportBytes > 0 {
		return p.MaxImportBytes
	}
	return DefaultMaxImportBytes
}

func (p *Pages) newImportData(r *http.Request) importData {
	return importData{Base: p.Web.Base(r, "Import contacts", "contacts"), Limit: importSizeLabel(p.importLimit())}
}

func importSizeLabel(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (p *Pages) contactImportForm(w http.ResponseWriter, r *http.Request) {
	d := p.newImportData(r)
	p.Web.Render(w, r, http.StatusOK, "import", &d, &d.Base)
}

// contactImportUpload runs the API's import on an uploaded file and shows
// what it did. The form posts through htmx, whose token header spares the
// CSRF check from reading the upload; without JavaScript it posts as usual.
func (p *Pages) contactImportUpload(w http.ResponseWriter, r *http.Request) {
	d := p.newImportData(r)
	limit := p.importLimit()
	// Room beyond the file's own limit for the other fields and the
	// multipart framing.
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	status, problem := p.importUpload(r, limit, &d)
	if problem != "" {
		d.Problem = problem
		d.Result = nil
	}
	if htmxFragment(r) {
		// htmx swaps only successful answers by default; the message is the point.
		p.Web.Pages.Partial(w, http.StatusOK, "import", "import-output", &d)
		return
	}
	p.Web.Render(w, r, status, "import", &d, &d.Base)
}

// importUpload reads the upload and imports it, returning the status and,
// for a file refused as a whole, why.
func (p *Pages) importUpload(r *http.Request, limit int64, d *importData) (int, string) {
	tooLarge := fmt.Sprintf("The file is larger than the limit of %s.", importSizeLabel(limit))
	var mbe *http.MaxBytesError
	if err := r.ParseMultipartForm(8 << 20); errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, tooLarge
	} else if err != nil {
		return http.StatusBadRequest, "The upload could not be read; choose the file again. (" + err.Error() + ")"
	}
	d.Source = strings.TrimSpace(r.FormValue("source"))
	if utf8.RuneCountInString(d.Source) > maxSourceRunes {
		return http.StatusBadRequest, fmt.Sprintf("The source name is longer than %d characters.", maxSourceRunes)
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return http.StatusBadRequest, "Choose a CSV file to import."
	}
	defer file.Close()
	if hdr.Size > limit {
		return http.StatusRequestEntityTooLarge, tooLarge
	}
	source := d.Source
	if source == "" {
		source = hdr.Filename
	}
	res, err := ImportCSV(r.Context(), p.DB, file, ImportOptions{Source: source, MaxBytes: limit, Log: p.Log})
	var fe *FileError
	switch {
	case errors.As(err, &fe) && fe.TooLarge:
		return http.StatusRequestEntityTooLarge, tooLarge
	case errors.As(err, &fe):
		return http.StatusBadRequest, "The file was not imported: " + fe.Reason + "."
	case err != nil:
		p.Log.ErrorContext(r.Context(), "import failed", "source", source, "err", err)
		return http.StatusInternalServerError, "The import failed on our side and changed nothing; it has been logged."
	}
	p.Log.InfoContext(r.Context(), "contacts imported", "user_id", SessionFrom(r.Context()).User.ID, "source", source,
		"inserted", res.Inserted, "updated", res.Updated, "unchanged", res.Unchanged, "rejected", len(res.Rejected))
	d.Result = &res
	return http.StatusOK, ""
}
