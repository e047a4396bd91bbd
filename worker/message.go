package worker

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wneessen/go-mail"
)

// Message is one personalised outgoing email, ready to be rendered to the
// bytes that are DKIM-signed and handed to SMTP.Send.
type Message struct {
	From, FromName string // header From; also the envelope sender unless the caller passes another to Send
	ReplyTo        string
	To, ToName     string
	Subject        string
	HTML, Text     string // with both, a multipart/alternative with the text first

	// MessageID is the Message-ID without angle brackets, for example
	// "r123.abc@outreach.example.org". It is required: replies are matched
	// by it, so it must be known before the message is sent.
	MessageID string

	// InReplyTo lists the IDs of earlier messages of the same sequence,
	// oldest first, so that a follow-up lands in the same thread.
	InReplyTo []string

	// UnsubscribeURL (https, or http for local development) and
	// UnsubscribeMailto (mailto:...) become List-Unsubscribe and, when the
	// URL is set, List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058).
	UnsubscribeURL    string
	UnsubscribeMailto string

	// Calendar is an optional iCalendar object with a METHOD line
	// (REQUEST for invitations). It is added both as a text/calendar
	// alternative, which calendar clients turn into accept/decline buttons,
	// and as an invite.ics attachment for clients that only show attachments.
	Calendar []byte

	// Headers are extra headers whose names start with "X-", such as
	// X-Outreach-Campaign.
	Headers map[string]string
}

// Bytes renders the message as RFC 5322 text with CRLF line endings. A
// control character in any header field is an error naming the field, not
// silently removed: it means a template or an import let through something
// that could inject headers.
func (m Message) Bytes() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	m.setHeaders(msg)
	if err := m.setUnsubscribe(msg); err != nil {
		return nil, err
	}
	if err := m.setBody(msg); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(m.sizeHint())
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("worker: render message: %w", err)
	}
	return buf.Bytes(), nil
}

// sizeHint estimates the rendered size, so the output buffer is allocated
// once: quoted-printable adds a fifth to HTML full of tracked links (every
// "=" of a URL becomes "=3D"), the calendar appears twice (once base64),
// and headers with their signed unsubscribe and reply addresses take up
// to two kilobytes.
func (m Message) sizeHint() int {
	body := len(m.HTML) + len(m.Text)
	return body + body/5 + 3*len(m.Calendar) + 2560
}

// setHeaders writes every header except List-Unsubscribe; the inputs are
// already validated.
func (m Message) setHeaders(msg *mail.Msg) {
	setAddress(msg, "From", m.FromName, m.From)
	setAddress(msg, "To", m.ToName, m.To)
	if m.ReplyTo != "" {
		msg.ReplyToMailAddress(&netmail.Address{Address: m.ReplyTo})
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	if n := len(m.InReplyTo); n > 0 {
		// In-Reply-To names the direct parent; References the whole chain,
		// which is what clients thread on.
		msg.SetGenHeader(mail.HeaderInReplyTo, "<"+m.InReplyTo[n-1]+">")
		msg.SetGenHeader(mail.HeaderReferences, "<"+strings.Join(m.InReplyTo, "> <")+">")
	}
	for k, v := range m.Headers {
		msg.SetGenHeader(mail.Header(k), v)
	}
}

// setAddress writes a From or To header with a display name. net/mail
// (and go-mail through it) Q-encodes a name that needs encoding unless it
// holds one of a list of specials, and the backslash is missing from that
// list: "Ѯ\" became =?utf-8?q?=D1=AE\?=, an encoded word that RFC 2047
// (5.3) does not allow in a phrase and that readers cannot parse. Such a
// name is base64-encoded here instead, and the header set as written.
func setAddress(msg *mail.Msg, field, name, addr string) {
	a := &netmail.Address{Name: name, Address: addr}
	// The cheap test first: this runs twice for every message sent.
	if !strings.Contains(name, `\`) || !strings.HasPrefix(a.String(), "=?utf-8?q?") {
		if field == "From" {
			msg.FromMailAddress(a)
		} else {
			msg.ToMailAddress(a)
		}
		return
	}
	msg.SetGenHeader(mail.Header(field), mime.BEncoding.Encode("utf-8", name)+" "+(&netmail.Address{Address: addr}).String())
}

// setUnsubscribe writes both List-Unsubscribe headers. go-mail's
// SetListUnsubscribeOneClick only takes https URLs; for the http URL of a
// development setup the same two headers are set through its lower-level
// setters.
func (m Message) setUnsubscribe(msg *mail.Msg) error {
	var uris []string
	if m.UnsubscribeURL != "" {
		uris = append(uris, m.UnsubscribeURL)
	}
	if m.UnsubscribeMailto != "" {
		uris = append(uris, m.UnsubscribeMailto)
	}
	switch {
	case len(uris) == 0:
		return nil
	case strings.HasPrefix(m.UnsubscribeURL, "https:"):
		if err := msg.SetListUnsubscribeOneClick(uris[0], uris[1:]...); err != nil {
			return fmt.Errorf("worker: message UnsubscribeURL: %w", err)
		}
	default:
		msg.SetListUnsubscribe(uris...)
		if m.UnsubscribeURL != "" {
			msg.SetListUnsubscribePost()
		}
	}
	return nil
}

// setBody adds the text, HTML and calendar parts.
func (m Message) setBody(msg *mail.Msg) error {
	add := msg.SetBodyString
	if m.Text != "" {
		add(mail.TypeTextPlain, m.Text)
		add = msg.AddAlternativeString
	}
	if m.HTML != "" {
		add(mail.TypeTextHTML, m.HTML)
		add = msg.AddAlternativeString
	}
	if len(m.Calendar) == 0 {
		return nil
	}
	method, _ := calendarMethod(m.Calendar)
	add(mail.ContentType("text/calendar; method="+method), string(m.Calendar))
	err := msg.AttachReader("invite.ics", bytes.NewReader(m.Calendar),
		mail.WithFileContentType(mail.ContentType("application/ics")))
	if err != nil {
		return fmt.Errorf("worker: message Calendar: %w", err)
	}
	return nil
}

// validate checks every input before anything is rendered.
func (m Message) validate() error {
	checks := []func() error{m.checkAddresses, m.checkTexts, m.checkIDs, m.checkUnsubscribe, m.checkHeaders, m.checkBody}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (m Message) checkAddresses() error {
	if err := checkAddress("From", m.From); err != nil {
		return err
	}
	if err := checkAddress("To", m.To); err != nil {
		return err
	}
	if m.ReplyTo == "" {
		return nil
	}
	return checkAddress("ReplyTo", m.ReplyTo)
}

// checkAddress accepts a bare addr-spec ("ana@example.org"): a display
// name belongs in FromName or ToName.
func checkAddress(field, addr string) error {
	if addr == "" {
		return fmt.Errorf("worker: message %s is empty", field)
	}
	if err := checkHeaderValue(field, addr); err != nil {
		return err
	}
	a, err := netmail.ParseAddress(addr)
	if err != nil || a.Address != addr || a.Name != "" {
		return fmt.Errorf("worker: message %s %q is not an email address", field, addr)
	}
	return nil
}

func (m Message) checkTexts() error {
	fields := []struct{ name, val string }{
		{"FromName", m.FromName}, {"ToName", m.ToName}, {"Subject", m.Subject},
	}
	for _, f := range fields {
		if err := checkHeaderValue(f.name, f.val); err != nil {
			return err
		}
	}
	return nil
}

func (m Message) checkIDs() error {
	if m.MessageID == "" {
		return errors.New("worker: message MessageID is empty")
	}
	if err := checkMessageID("MessageID", m.MessageID); err != nil {
		return err
	}
	for i, id := range m.InReplyTo {
		if err := checkMessageID(fmt.Sprintf("InReplyTo[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// checkMessageID accepts left@right made of printable ASCII without the
// brackets, spaces or quotes that would break the header.
func checkMessageID(field, id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return fmt.Errorf("worker: message %s %q is not of the form left@right", field, id)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`<>"\()[],;:`, c) >= 0 {
			return fmt.Errorf("worker: message %s %q contains %q", field, id, c)
		}
	}
	return nil
}

func (m Message) checkUnsubscribe() error {
	if u := m.UnsubscribeURL; u != "" {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || !uriSafe(u) {
			return fmt.Errorf("worker: message UnsubscribeURL %q is not an http(s) URL", u)
		}
	}
	if u := m.UnsubscribeMailto; u != "" {
		if !strings.HasPrefix(u, "mailto:") || len(u) == len("mailto:") || !uriSafe(u) {
			return fmt.Errorf("worker: message UnsubscribeMailto %q is not a mailto: URI", u)
		}
	}
	return nil
}

// uriSafe reports whether s can sit between the angle brackets of
// List-Unsubscribe: no spaces, controls, brackets or non-ASCII.
func uriSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' {
			return false
		}
	}
	return true
}

func (m Message) checkHeaders() error {
	for k, v := range m.Headers {
		if len(k) < 3 || !strings.EqualFold(k[:2], "X-") || !validHeaderName(k) {
			return fmt.Errorf("worker: message header name %q: want X-Something", k)
		}
		if err := checkHeaderValue("header "+k, v); err != nil {
			return err
		}
	}
	return nil
}

func validHeaderName(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

func (m Message) checkBody() error {
	if m.Text == "" && m.HTML == "" {
		return errors.New("worker: message has neither Text nor HTML")
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return errors.New("worker: message body is not valid UTF-8")
	}
	if len(m.Calendar) == 0 {
		return nil
	}
	if _, err := calendarMethod(m.Calendar); err != nil {
		return err
	}
	return nil
}

// calendarMethod returns the iTIP method (REQUEST, CANCEL, ...) of an
// iCalendar object: the text/calendar part must carry the same one, or
// clients ignore the invitation.
func calendarMethod(cal []byte) (string, error) {
	if !utf8.Valid(cal) || !bytes.HasPrefix(cal, []byte("BEGIN:VCALENDAR")) {
		return "", errors.New("worker: message Calendar is not an iCalendar object")
	}
	for line := range bytes.SplitSeq(cal, []byte("\n")) {
		name, val, ok := bytes.Cut(bytes.TrimRight(line, "\r"), []byte(":"))
		if ok && string(name) == "METHOD" && isToken(val) {
			return string(val), nil
		}
	}
	return "", errors.New("worker: message Calendar has no METHOD line")
}

func isToken(b []byte) bool {
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return len(b) > 0
}

// checkHeaderValue refuses control characters (CR and LF above all) and
// invalid UTF-8 in a header field.
func checkHeaderValue(field, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("worker: message %s is not valid UTF-8", field)
	}
	if hasControl(v) {
		return fmt.Errorf("worker: message %s contains a control character (CR, LF or similar)", field)
	}
	return nil
}

// hasControl reports whether s holds a C0 or C1 control character or DEL.
func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}
