package campaigns

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns/ical"
	"outreach/templates"
)

// Links builds the public URLs that go into messages.
type Links struct {
	BaseURL string // public root, e.g. https://outreach.example.org
	Signer  *Signer
}

// url is the link at path carrying a token; extra is joined into the
// token's extra data.
func (l Links) url(path string, kind byte, rid int64, extra ...string) string {
	return l.Signer.signed(strings.TrimRight(l.BaseURL, "/"), path, "", kind, rid, extra...)
}

// Unsubscribe is the recipient's one-click unsubscribe page (RFC 8058 POST target).
func (l Links) Unsubscribe(rid int64) string {
	return l.url("/u/", LinkUnsubscribe, rid)
}

// UnsubscribeMailto is the mailto: alternative, answered by reply ingest.
func (l Links) UnsubscribeMailto(rid int64, domain string) string {
	return l.Signer.signed("mailto:unsubscribe+", "", "@"+domain, LinkUnsubscribe, rid)
}

// RSVP is the recipient's yes or no link.
func (l Links) RSVP(rid int64, yes bool) string {
	kind := LinkRSVPNo
	if yes {
		kind = LinkRSVPYes
	}
	return l.url("/t/r/", kind, rid)
}

// Open is the tracking pixel. It carries the time the message was made,
// so a hit seconds after delivery can be told from a person without a
// database read on the hot path.
func (l Links) Open(rid int64, sent time.Time) string {
	return l.url("/t/o/", LinkOpen, rid, strconv.FormatInt(sent.Unix(), 10))
}

// Click redirects to target after recording the click; like Open, it
// carries the send time.
func (l Links) Click(rid int64, sent time.Time, target string) string {
	return l.url("/t/c/", LinkClick, rid, strconv.FormatInt(sent.Unix(), 10), " ", target)
}

// Outgoing is one composed message, ready for the mailer.
type Outgoing struct {
	RecipientID       int64
	CampaignID        int64
	To, ToName        string
	From, FromName    string
	ReplyTo           string
	Subject           string
	HTML, Text        string
	MessageID         string
	InReplyTo         []string
	UnsubscribeURL    string
	UnsubscribeMailto string
	// Calendar is the iTIP entry of an event invitation (REQUEST) or
	// cancellation (CANCEL), addressed to this recipient; nil without an event.
	Calendar []byte
}

// Composer renders a campaign's messages; it compiles each step's
// templates once and is safe for concurrent use.
type Composer struct {
	campaign Campaign
	steps    map[int]*templates.Compiled
	event    *templates.Event
	calEvent *Event // the event as stored, for the calendar entry
	links    Links
	now      func() time.Time // the send time in tracking links; fixed in tests

	// Worked out once rather than for every message:
	base              string // links.BaseURL without a trailing "/"
	mailAt            string // "@" and the domain of the mailto: unsubscribe
	replyPre, replyAt string // around the token of a personalised Reply-To
	personalReply     bool
}

// NewComposer prepares the templates and event data of a campaign.
func NewComposer(ctx context.Context, q sqlx.QueryerContext, c Campaign, links Links) (*Composer, error) {
	comp := &Composer{campaign: c, steps: map[int]*templates.Compiled{}, links: links, now: time.Now,
		base: strings.TrimRight(links.BaseURL, "/"), mailAt: "@" + mailDomain(c)}
	if local, domain, ok := strings.Cut(c.ReplyTo, "+@"); ok {
		comp.replyPre, comp.replyAt, comp.personalReply = local+"+", "@"+domain, true
	}
	for _, s := range c.Steps {
		t, err := templates.Compile(templates.Message{Subject: s.Subject, HTML: s.HTML, Text: s.Text})
		if err != nil {
			return nil, fmt.Errorf("campaign %d step %d: %w", c.ID, s.Position, err)
		}
		comp.steps[s.Position] = t
	}
	if c.EventID != nil {
		ev, err := EventByID(ctx, q, *c.EventID)
		if err != nil {
			return nil, err
		}
		comp.calEvent = &ev
		comp.event = &templates.Event{Title: ev.Title, Start: ev.StartsAt, End: ev.EndsAt, TimeZone: ev.TimeZone,
			Location: ev.place(), URL: ev.URL}
	}
	return comp, nil
}

// calendar builds the recipient's calendar entry. The organiser is the
// campaign's (per-recipient) reply address, so that the accept or decline
// a calendar client sends comes back to the reply ingest and is matched.
func (c *Composer) calendar(r Claimed, to, replyTo string) ([]byte, error) {
	if c.calEvent == nil {
		return nil, nil
	}
	organiser := ical.Address{Name: c.campaign.FromName, Email: replyTo}
	if organiser.Email == "" {
		organiser.Email = c.campaign.From
	}
	ev := c.calEvent.ICalEvent()
	ev.Organizer = organiser // replies must reach us, whoever organises
	method := "REQUEST"
	if c.campaign.Notice == "cancel" || c.calEvent.Status == EventCancelled {
		method = "CANCEL"
	}
	cal, err := ical.Invitation(method, ev, ical.Address{Name: strings.TrimSpace(r.FirstName + " " + r.LastName), Email: to}, time.Now())
	if err != nil {
		return nil, fmt.Errorf("campaigns: recipient %d: calendar entry: %w", r.ID, err)
	}
	return cal, nil
}

// Compose renders the message for one claimed recipient.
func (c *Composer) Compose(r Claimed) (Outgoing, error) {
	tmpl, ok := c.steps[r.Step]
	if !ok || r.Email == nil {
		return Outgoing{}, fmt.Errorf("campaigns: recipient %d: no step %d or no address", r.ID, r.Step)
	}
	data := c.data(r)
	out, err := tmpl.Render(data)
	if err != nil {
		return Outgoing{}, fmt.Errorf("campaigns: recipient %d: %w", r.ID, err)
	}
	html := out.HTML
	if c.campaign.Tracking {
		// The send time goes into every tracking link: format it once.
		sent := strconv.FormatInt(c.now().Unix(), 10)
		html = templates.RewriteLinks(html, c.clickRewriter(r.ID, sent, data.UnsubscribeURL), c.links.url("/t/o/", LinkOpen, r.ID, sent))
	}
	replyTo := c.replyTo(r.ID)
	cal, err := c.calendar(r, *r.Email, replyTo)
	if err != nil {
		return Outgoing{}, err
	}
	return Outgoing{
		RecipientID: r.ID, CampaignID: r.CampaignID, To: *r.Email, ToName: strings.TrimSpace(r.FirstName + " " + r.LastName),
		From: c.campaign.From, FromName: c.campaign.FromName, ReplyTo: replyTo, Calendar: cal,
		Subject: out.Subject, HTML: html, Text: out.Text, MessageID: r.MessageID, InReplyTo: r.Thread,
		UnsubscribeURL: data.UnsubscribeURL, UnsubscribeMailto: c.unsubscribeMailto(data.UnsubscribeURL),
	}, nil
}

// unsubscribeMailto is Links.UnsubscribeMailto with the token taken from
// the unsubscribe URL (base + "/u/" + token), saving a second HMAC.
func (c *Composer) unsubscribeMailto(unsubscribe string) string {
	return "mailto:unsubscribe+" + unsubscribe[len(c.base)+len("/u/"):] + c.mailAt
}

// clickRewriter sends every link through the click redirect, except the
// unsubscribe and RSVP links, which record their own answers. sent is the
// send time as Unix seconds.
func (c *Composer) clickRewriter(rid int64, sent, unsubscribe string) func(string) (string, bool) {
	return func(target string) (string, bool) {
		if target == unsubscribe || c.ownLink(target) {
			return "", false
		}
		return c.links.url("/t/c/", LinkClick, rid, sent, " ", target), true
	}
}

// ownLink tells the tracking, RSVP and unsubscribe links of this server.
func (c *Composer) ownLink(target string) bool {
	rest, ok := strings.CutPrefix(target, c.base)
	return ok && (strings.HasPrefix(rest, "/t/") || strings.HasPrefix(rest, "/u/"))
}

func (c *Composer) data(r Claimed) templates.Data {
	return templates.Data{
		Contact: templates.Contact{
			FirstName: r.FirstName, LastName: r.LastName, Email: *r.Email, JobTitle: r.JobTitle,
			Seniority: r.Seniority, Organisation: r.Organisation, OrganisationType: r.OrganisationType,
			Country: r.Country, Language: r.Language, Topics: r.Topics, Attributes: attributes(r.Attributes),
		},
		Event:          c.event,
		Campaign:       templates.Campaign{Name: c.campaign.Name},
		UnsubscribeURL: c.links.Unsubscribe(r.ID),
		RSVPYesURL:     c.links.RSVP(r.ID, true),
		RSVPNoURL:      c.links.RSVP(r.ID, false),
	}
}

// attributes decodes a contact's attributes, stored by crm: always an
// object of strings, most often empty, which needs no decoding (a nil map
// reads in templates as an empty one).
func attributes(raw json.RawMessage) map[string]string {
	if len(raw) == 0 || string(raw) == "{}" {
		return nil
	}
	var attrs map[string]string
	json.Unmarshal(raw, &attrs)
	return attrs
}

// replyTo personalises a Reply-To written with an empty plus part
// ("replies+@network.example.org") into a per-recipient address
// ("replies+TOKEN@..."), so a reply is matched even when the mail client
// drops In-Reply-To and References.
func (c *Composer) replyTo(rid int64) string {
	if !c.personalReply {
		return c.campaign.ReplyTo
	}
	return c.links.Signer.signed(c.replyPre, "", c.replyAt, LinkReply, rid)
}

// mailDomain is where replies and the mailto: unsubscribe go: the reply
// address's domain, else the sender's.
func mailDomain(c Campaign) string {
	addr := c.ReplyTo
	if addr == "" {
		addr = c.From
	}
	return addr[strings.LastIndexByte(addr, '@')+1:]
}

// MessageDomain is the right-hand side of the campaign's Message-IDs.
func (c Campaign) MessageDomain() string {
	if u, err := url.Parse("mailto:" + c.From); err == nil && strings.Contains(u.Opaque, "@") {
		return u.Opaque[strings.LastIndexByte(u.Opaque, '@')+1:]
	}
	return "outreach.invalid"
}
