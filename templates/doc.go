// Package templates is the personalisation engine for invitation emails:
// it parses and validates a campaign's templates, renders them for each
// recipient, rewrites links for click tracking, derives the plain-text part
// and carries the default invitation and follow-up emails.
//
// # Writing templates
//
// A message has three parts, each a Go template (text/template syntax): the
// subject, the HTML body and the plain-text body. The HTML body is executed
// with html/template, so everything inserted is escaped for where it lands
// (text, attribute, URL). The subject and text body are inserted verbatim.
// When the text body is left empty it is derived from the rendered HTML.
// The subject must stay on one line; a subject that renders with a line
// break is refused, so contact data can never add a mail header.
//
// Templates see this data:
//
//	.Contact.FirstName .LastName .Email .JobTitle .Seniority .Organisation
//	         .OrganisationType .Country .Language
//	         .Topics        list of topics, e.g. {{ .Contact.Topics | join ", " }}
//	         .Attributes    free-form values: {{ .Contact.Attributes.city }}
//	                        (a missing key renders as "")
//	.Event.Title .Start .End .TimeZone .Location .URL
//	         .Event is empty when the campaign has no event: put event fields
//	         inside {{ with .Event }} ... {{ end }}, where the dot is the event
//	         ({{ .Title }}) and the rest of the data is reached through $
//	         ({{ $.RSVPYesURL }})
//	.Campaign.Name
//	.UnsubscribeURL .RSVPYesURL .RSVPNoURL
//
// Compile refuses a template that does not parse or names a field or
// function that does not exist, and says where: "html:3:14: unknown field
// Nmae in .Contact". It checks every branch, including those a particular
// recipient would never reach, so a typo cannot wait for the one contact
// whose data takes that branch.
//
// # Functions
//
//	default FALLBACK VALUE    VALUE, or FALLBACK when VALUE is empty or blank:
//	                          {{ .Contact.FirstName | default "colleague" }}
//	upper, lower              change case, for any script
//	title                     capitalises each word and lower-cases the rest:
//	                          "ANNA-LENA" becomes "Anna-Lena"
//	join SEP LIST             {{ .Contact.Topics | join ", " }}
//	date STYLE TIME           {{ .Event.Start | date "long" }}
//	dateIn LANG STYLE TIME    {{ .Event.Start | dateIn "en" "long" }}
//
// date takes a style or a Go layout. The styles are "long" (Thursday,
// 12 March 2026), "short" (12 Mar 2026), "time" (15:00) and "datetime"
// (Thursday, 12 March 2026 at 15:00), written as the contact's language
// writes them, e.g. German "Donnerstag, 12. März 2026" and "12.03.2026",
// French "jeudi 12 mars 2026" and "15 h 00". Languages: en, de, fr, es, it,
// nl, pt, pl, taken from .Contact.Language ("de", "de-AT" and "DE" all
// work); any other language gets English. dateIn pins the language, for a
// template written in one language whatever its reader speaks (the default
// emails are English and use it). A Go layout has its month and day names
// translated too: {{ .Event.Start | date "Mon 2 Jan, 15:04 MST" }}. Times
// are shown in the event's time zone (.Event.TimeZone); an unset .Event.End
// formats as "", so {{ with .Event.End | date "15:04" }}–{{ . }}{{ end }}
// shows an end time only when there is one. {{ .Event.Start }} on its own
// prints the "datetime" style.
//
// The Go template builtins (if, with, range, eq, and, printf, index, len,
// ...) work as usual.
//
// # How date knows the language
//
// A template function cannot see the data it is rendered with, and
// swapping functions per message would mean cloning and re-escaping the
// templates for every send. Instead the templates execute on an internal
// copy of Data in which .Event.Start and .Event.End are already moved to
// the event's time zone and carry the contact's language; date reads both
// from the value it is given. The parsed templates are never changed after
// Compile, so one Compiled serves concurrent Render calls without locks or
// copies.
//
// # Tracking and plain text
//
// RewriteLinks replaces http(s) links for click tracking and adds the open
// pixel, leaving every other byte of the HTML as it was; Links lists the
// links; TextFromHTML turns HTML into readable plain text.
package templates
