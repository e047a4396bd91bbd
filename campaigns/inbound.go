package campaigns

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"

	"outreach/campaigns/ical"
)

// The kinds of inbound message.
const (
	InboundReply       = "reply"
	InboundAutoReply   = "auto_reply"
	InboundBounce      = "bounce"
	InboundUnsubscribe = "unsubscribe" // a mail to the mailto: unsubscribe address (local part "unsubscribe+TOKEN")
	InboundComplaint   = "complaint"   // a spam complaint: an ARF feedback report (RFC 5965) from a provider's feedback loop
)

// MaxInboundSize is the largest raw message ParseInbound accepts. Replies
// and bounces are small; anything bigger is a mis-sent attachment or abuse.
const MaxInboundSize = 25 << 20

// Errors returned by ParseInbound, wrapped with details.
var (
	ErrInboundTooLarge  = errors.New("inbound message too large")
	ErrInboundMalformed = errors.New("not a mail message")
)

// Limits that keep parsing cheap whatever the input.
const (
	maxInboundParts = 200      // MIME parts visited
	maxInboundDepth = 10       // multipart nesting
	maxInboundText  = 1 << 20  // decoded bytes kept per body part
	maxInboundScan  = 64 << 10 // text scanned for bounce details and snippets
	maxInboundRefs  = 100      // identifiers kept; matching looks each one up
	maxSnippet      = 2000
	maxDiagnostic   = 300
	maxSubject      = 1000
)

// Inbound is what Outreach needs to know about one received message.
type Inbound struct {
	Kind      string
	MessageID string   // this message's own Message-ID, without <>
	From      string   // sender address, lower-case
	To        []string // all recipient addresses (Delivered-To, X-Original-To, Envelope-To, X-Envelope-To, To, Cc; at most 1000), lower-case — used to find a plus-address token
	Subject   string   // decoded, whitespace collapsed, at most 1000 characters
	// References holds In-Reply-To first, then References (newest first),
	// without <>, de-duplicated — for a bounce: the Message-ID(s) of the
	// ORIGINAL message taken from the returned message/rfc822 or
	// text/rfc822-headers part (and its In-Reply-To/References), then the
	// bounce's own. At most 100: the newest 99 and the oldest, because a
	// thread's root is where our invitation usually sits.
	References []string
	Date       time.Time // zero if missing or unparseable

	// Bounces
	Hard          bool   // permanent failure (5.x.x / Action: failed); false for soft (4.x.x / delayed)
	Status        string // e.g. "5.1.1"; "5.0.0"/"4.0.0" when only a basic SMTP code was given
	FailedAddress string // the failed recipient (Original-Recipient / Final-Recipient; or parsed from a non-standard bounce body), lower-case
	Diagnostic    string // Diagnostic-Code text, trimmed to 300 chars

	// Snippet is, for replies and auto-replies, the new text written by the
	// person, with quoted history and signatures cut where recognisable
	// (Gmail "On ... wrote:", Outlook "-----Original Message-----" and
	// "From: ... Sent: ...", German "Am ... schrieb", French "Le ... a
	// écrit", "> " lines), trimmed to 2000 chars. Empty for bounces.
	Snippet string
	// UnsubscribeToken is the part after "unsubscribe+" in a recipient
	// address, lower-cased, if any.
	UnsubscribeToken string
	// Calendar is the iTIP REPLY (accept, decline, tentative) a calendar
	// client sent in answer to an invitation's calendar entry; nil if none.
	Calendar *ical.Reply
	// PlusTokens holds every "+token" found in a recipient address of the
	// form local+TOKEN@domain (e.g. reply+TOKEN@...), for matching by
	// tokenised Reply-To. Kept as received, since a token's case may matter.
	PlusTokens []string
}

// ParseInbound reads and classifies one raw message (RFC 5322, CRLF or LF
// line ends, an mbox "From " first line tolerated). It never panics; it
// refuses input over MaxInboundSize (ErrInboundTooLarge) and input with no
// mail header fields (ErrInboundMalformed). Broken header lines are skipped
// and undecodable body parts kept as far as they decode, because a real
// reply is worth more than strictness.
//
// Rules, checked in this order:
//
//  1. Bounce (RFC 3464): Content-Type multipart/report with
//     report-type=delivery-status (or a message/delivery-status part). The
//     per-recipient fields decide: the first recipient with Action failed,
//     else delayed, else the first. FailedAddress is Original-Recipient
//     (the address we sent to) or else Final-Recipient; Status and
//     Diagnostic-Code are taken as given. Action delayed or Status 4.x.x is
//     soft, 5.x.x hard. A report whose recipients were all delivered,
//     relayed or expanded is a success notice and counts as an auto-reply.
//     1a. Spam complaint: a multipart/report with report-type=feedback-report
//     (ARF, RFC 5965), as mailbox providers' feedback loops send them. The
//     complaining address is Original-Rcpt-To; the message complained of
//     is the returned copy, matched like a bounce's.
//  2. Unsubscribe: a recipient address with local part "unsubscribe+TOKEN".
//     The signed token is stronger evidence than the heuristics below.
//  3. Non-standard bounce: From MAILER-DAEMON, postmaster or "Mail Delivery
//     Subsystem/System", an X-Failed-Recipients header, or a subject such as
//     "Undeliverable:", "Undelivered Mail Returned to Sender", "Delivery
//     Status Notification (Failure)", "Mail delivery failed", "failure
//     notice", "Unzustellbar:", "Non remis :", "Onbestelbaar:", "No se
//     puede entregar:", "Impossibile recapitare:". Status codes ("550
//     5.1.1", "5.4.1", or a bare "550" read as 5.0.0) and the failed
//     address (Exchange "Your message to x@y couldn't be delivered",
//     Postfix/qmail "<x@y>: ...", Exim "The following address(es) failed:")
//     come from the text before any returned copy of the message. Without a
//     code the bounce is hard only if the text says user unknown, does not
//     exist, mailbox unavailable, no such user or the like.
//  4. Auto-reply (RFC 3834): Auto-Submitted present and not "no";
//     X-Autoreply or X-Autorespond present; Precedence auto_reply, bulk or
//     junk; any other multipart/report (read receipts);
//     or a subject that starts, also after "Re:"/"AW:", with "Out of
//     Office", "Automatic reply", "Auto Reply", "Autoreply", "Abwesenheitsnotiz",
//     "Automatische Antwort", "Abwesend", "Absence", "Réponse automatique",
//     "Absent du bureau", "Respuesta automática", "Fuera de la oficina",
//     "Risposta automatica", "Fuori sede", "Fuori ufficio", "Automatisch
//     antwoord", "Afwezig", "Niet aanwezig" or similar.
//     X-Auto-Response-Suppress is not a signal: it asks others not to
//     answer automatically and says nothing about the message itself.
//  5. A message with an iTIP REPLY (text/calendar; method=REPLY, or an
//     .ics attachment) is a reply carrying an RSVP (Calendar).
//  6. Otherwise a human reply. A forwarded invitation ("Fwd:", "WG:",
//     "TR:") is a reply too; whether it belongs to one of our sends is
//     decided where References and PlusTokens are matched, not here.
func ParseInbound(raw []byte) (Inbound, error) {
	if len(raw) > MaxInboundSize {
		return Inbound{}, fmt.Errorf("campaigns: inbound message of %d bytes: %w (limit %d)", len(raw), ErrInboundTooLarge, MaxInboundSize)
	}
	h, body, err := splitMessage(raw)
	if err != nil {
		return Inbound{}, err
	}
	in := envelope(h)
	var p inboundParts
	p.walk(h, bytes.NewReader(body), 0)
	in.classify(h, &p)
	return in, nil
}

// mailHeaderFields are the fields of which a mail message has at least one.
var mailHeaderFields = []string{"From", "Sender", "To", "Cc", "Subject", "Date", "Message-Id",
	"Return-Path", "Received", "Delivered-To", "Mime-Version", "Content-Type", "In-Reply-To", "References"}

// splitMessage separates the header from the body and refuses input that
// has no mail header fields.
func splitMessage(raw []byte) (textproto.MIMEHeader, []byte, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(raw, []byte("From ")) { // mbox separator added by some MTA pipes
		_, raw = nextLine(raw)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil, fmt.Errorf("campaigns: inbound message: %w: empty input", ErrInboundMalformed)
	}
	h, body := readFieldBlock(raw)
	for _, k := range mailHeaderFields {
		if _, ok := h[k]; ok {
			return h, body, nil
		}
	}
	return nil, nil, fmt.Errorf("campaigns: inbound message: %w: no mail header fields (From, To, Subject, Date, Message-ID...)", ErrInboundMalformed)
}

// nextLine returns the first line of b without its line end, and the rest.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
	return bytes.TrimSuffix(b[:i], []byte("\r")), b[i+1:]
}

// readFieldBlock parses "Name: value" lines up to the first blank line and
// returns the fields and what follows that line. Unlike net/textproto it
// skips a malformed line (with its continuations) rather than failing: one
// broken header must not lose a reply. Used for message headers, body part
// headers and the blocks of a delivery-status report.
func readFieldBlock(b []byte) (textproto.MIMEHeader, []byte) {
	h := textproto.MIMEHeader{}
	var key string
	var val []byte
	flush := func() {
		if key != "" {
			h[key] = append(h[key], string(bytes.TrimSpace(val)))
		}
	}
	for len(b) > 0 {
		var line []byte
		line, b = nextLine(b)
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if key != "" { // unfold: a continuation joins its field with one space
				val = append(append(val, ' '), bytes.TrimSpace(line)...)
			}
			continue
		}
		flush()
		key, val = fieldStart(line)
	}
	flush()
	return h, b
}

// fieldStart splits a header line into its canonical key and value; the key
// is empty if the line is not a header field. "Key : value" is accepted.
func fieldStart(line []byte) (string, []byte) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", nil
	}
	k := bytes.TrimRight(line[:i], " \t")
	if len(k) == 0 {
		return "", nil
	}
	for _, c := range k {
		if !isTokenByte(c) {
			return "", nil
		}
	}
	v := append([]byte(nil), bytes.TrimSpace(line[i+1:])...)
	return textproto.CanonicalMIMEHeaderKey(string(k)), v
}

// isTokenByte reports whether c may appear in a header field name (RFC 7230 tchar).
func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// envelope reads the header fields every kind of message needs.
func envelope(h textproto.MIMEHeader) Inbound {
	in := Inbound{
		MessageID:  firstMsgID(h.Get("Message-Id")),
		Subject:    cleanSubject(decodeWords(h.Get("Subject"))),
		References: threadRefs(h),
	}
	if d, err := mail.ParseDate(h.Get("Date")); err == nil {
		in.Date = d
	}
	if from := parseAddresses(h.Get("From")); len(from) > 0 {
		in.From = strings.ToLower(from[0].Address)
	}
	in.setRecipients(h)
	return in
}

// recipientFields are the header fields that may name our address. The
// envelope fields come first: added by the receiving MTA, they name our
// mailbox (and its plus token) even when To shows a list or we were a BCC,
// and they must survive the cap on recipients. Envelope-To is Exim's.
var recipientFields = []string{"Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc"}

// maxRecipients bounds To: a mail to thousands of addresses is not a reply.
const maxRecipients = 1000

// setRecipients fills To, PlusTokens and UnsubscribeToken.
func (in *Inbound) setRecipients(h textproto.MIMEHeader) {
	seen := map[string]bool{}
	for _, k := range recipientFields {
		for _, v := range h[k] {
			for _, a := range parseAddresses(v) {
				if len(in.To) == maxRecipients {
					return
				}
				in.addRecipient(a.Address, seen)
			}
		}
	}
}

// addRecipient records one recipient address and any token in it.
func (in *Inbound) addRecipient(addr string, seen map[string]bool) {
	lower := strings.ToLower(addr)
	if seen[lower] {
		return
	}
	seen[lower] = true
	in.To = append(in.To, lower)
	local, _, _ := strings.Cut(addr, "@")
	_, token, ok := strings.Cut(local, "+")
	if !ok || token == "" {
		return
	}
	in.PlusTokens = append(in.PlusTokens, token)
	if in.UnsubscribeToken == "" && strings.HasPrefix(strings.ToLower(local), "unsubscribe+") {
		in.UnsubscribeToken = strings.ToLower(token)
	}
}

// inboundAddresses decodes RFC 2047 display names in any charset we know.
var inboundAddresses = &mail.AddressParser{WordDecoder: inboundWords}

// parseAddresses returns the addresses in a header value; if the value is
// not a valid address list it falls back to anything that looks like one.
func parseAddresses(v string) []*mail.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	if list, err := inboundAddresses.ParseList(v); err == nil {
		return list
	}
	return looseAddresses(v)
}

// looseAddresses finds address-like words (local@domain) in s.
func looseAddresses(s string) []*mail.Address {
	var out []*mail.Address
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" \t,;<>\"()[]", r) }) {
		w = strings.Trim(w, ".:'")
		if i := strings.LastIndexByte(w, '@'); i > 0 && i < len(w)-1 {
			out = append(out, &mail.Address{Address: w})
		}
	}
	return out
}

// msgIDs returns the message identifiers in a header value, without <>.
func msgIDs(v string) []string {
	var ids []string
	for {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		v = v[i+j+1:]
	}
	if ids == nil && !strings.ContainsAny(v, "<>") { // some software drops the brackets
		ids = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	}
	return ids
}

// firstMsgID returns the first identifier in a Message-ID field.
func firstMsgID(v string) string {
	if ids := msgIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// threadRefs lists In-Reply-To, then References newest first (References
// is written oldest first).
func threadRefs(h textproto.MIMEHeader) []string {
	var ids []string
	for _, v := range h["In-Reply-To"] {
		ids = append(ids, msgIDs(v)...)
	}
	var refs []string
	for _, v := range h["References"] {
		refs = append(refs, msgIDs(v)...)
	}
	for i := len(refs) - 1; i >= 0; i-- {
		ids = append(ids, refs[i])
	}
	return ids
}

// capRefs removes duplicates and keeps at most maxInboundRefs identifiers:
// the newest and the root of the thread.
func capRefs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if len(out) > maxInboundRefs {
		out = append(out[:maxInboundRefs-1], out[len(out)-1])
	}
	return out
}

// cleanSubject collapses whitespace (folding leaves runs of it) and bounds the length.
func cleanSubject(s string) string {
	return truncateRunes(strings.Join(strings.Fields(s), " "), maxSubject)
}

// truncateRunes cuts s to at most n characters.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// classify sets Kind and the kind's fields, following the rules documented
// on ParseInbound.
func (in *Inbound) classify(h textproto.MIMEHeader, p *inboundParts) {
	in.References = capRefs(in.References)
	switch {
	case p.isDeliveryReport():
		in.readReport(h, p)
	case in.UnsubscribeToken != "":
		in.Kind = InboundUnsubscribe
	case in.looksBounced(h):
		in.Kind = InboundBounce
		in.readBounceText(h, p)
	case p.reportType == "feedback-report":
		in.readComplaint(p)
	case p.calendar != nil:
		// An accept or decline is a person's answer even when the calendar
		// server sends it for them (Google marks some auto-generated).
		in.Kind, in.Calendar = InboundReply, p.calendar
	case p.reportType != "" || autoSubmitted(h) || autoReplySubject(in.Subject):
		in.Kind = InboundAutoReply
	default:
		in.Kind = InboundReply
	}
	if in.Kind != InboundBounce {
		in.Snippet = p.snippet()
	}
}

// inboundParts collects what classification needs from the MIME tree. It
// does not descend into attached messages: their text is history, not news.
type inboundParts struct {
	count      int
	plain      []string             // text/plain bodies, in order
	html       []string             // text/html bodies, in order
	reportType string               // report-type of a multipart/report, lower-case
	status     []byte               // the first message/delivery-status body
	original   textproto.MIMEHeader // header of the returned message of a bounce
	calendar   *ical.Reply          // the first iTIP REPLY part
	feedback   textproto.MIMEHeader // the fields of an ARF message/feedback-report part
}

// walk visits one MIME entity and, for a multipart, its parts.
func (p *inboundParts) walk(h textproto.MIMEHeader, body io.Reader, depth int) {
	p.count++
	if p.count > maxInboundParts || depth > maxInboundDepth {
		return
	}
	mt, params := mediaType(h.Get("Content-Type"))
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if mt == "multipart/report" && p.reportType == "" {
			p.reportType = strings.ToLower(params["report-type"])
		}
		p.walkMultipart(params["boundary"], body, depth)
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		if p.status == nil {
			p.status = readPart(h, body)
		}
	case isReturnedMessage(mt):
		if p.original == nil {
			p.original, _ = readFieldBlock(readPart(h, body))
		}
	case mt == "message/feedback-report":
		if p.feedback == nil {
			p.feedback, _ = readFieldBlock(readPart(h, body))
		}
	case mt == "text/calendar" || mt == "application/ics":
		if p.calendar == nil {
			if r, err := ical.ParseReply(readPart(h, body)); err == nil {
				p.calendar = &r
			}
		}
	case (mt == "text/plain" || mt == "text/html") && !isAttachment(h):
		text := decodeCharset(readPart(h, body), params["charset"])
		if mt == "text/plain" && strings.EqualFold(params["format"], "flowed") {
			text = unflow(text, strings.EqualFold(params["delsp"], "yes"))
		}
		p.addText(mt, text)
	}
}

// walkMultipart visits the parts of a multipart body; a broken part ends
// the walk but keeps what was found.
func (p *inboundParts) walkMultipart(boundary string, body io.Reader, depth int) {
	if boundary == "" {
		return
	}
	mr := multipart.NewReader(body, boundary)
	for p.count <= maxInboundParts {
		part, err := mr.NextRawPart()
		if err != nil {
			return
		}
		p.walk(part.Header, part, depth+1)
	}
}

// addText keeps a text body.
func (p *inboundParts) addText(mt, text string) {
	if mt == "text/html" {
		p.html = append(p.html, text)
	} else {
		p.plain = append(p.plain, text)
	}
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676), so
// a snippet shows the writer's paragraphs rather than the client's wrapping.
// Quoted lines are left alone: they are dropped later anyway.
func unflow(text string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, line := range lines {
		if isQuotedLine(line) {
			b.WriteString(line + "\n")
			continue
		}
		line = strings.TrimPrefix(line, " ") // space-stuffing
		soft := strings.HasSuffix(line, " ") && line != "-- " && i+1 < len(lines) && !isQuotedLine(lines[i+1])
		if soft && delsp {
			line = line[:len(line)-1]
		}
		b.WriteString(line)
		if !soft {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// isDeliveryReport reports whether the message is an RFC 3464 DSN.
func (p *inboundParts) isDeliveryReport() bool {
	return p.reportType == "delivery-status" || p.reportType == "global-delivery-status" || p.status != nil
}

// isReturnedMessage reports whether a media type carries the returned
// message (or its header) in a bounce.
func isReturnedMessage(mt string) bool {
	switch mt {
	case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers":
		return true
	}
	return false
}

// mediaType parses a Content-Type; missing or unparseable means text/plain
// (RFC 2045 default).
func mediaType(v string) (string, map[string]string) {
	mt, params, _ := mime.ParseMediaType(v)
	if mt == "" {
		return "text/plain", params
	}
	return mt, params
}

// isAttachment reports whether a text part is an attached file rather
// than the message text.
func isAttachment(h textproto.MIMEHeader) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Get("Content-Disposition"))), "attachment")
}

// readPart returns a body part with its transfer encoding undone, at most
// maxInboundText bytes. Decoding errors keep what decoded before them.
func readPart(h textproto.MIMEHeader, body io.Reader) []byte {
	var r io.Reader
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, base64Filter{body})
	default:
		r = body
	}
	b, _ := io.ReadAll(io.LimitReader(r, maxInboundText))
	return b
}

// base64Filter drops bytes outside the base64 alphabet (spaces, stray
// punctuation) that the standard decoder would reject.
type base64Filter struct{ r io.Reader }

func (f base64Filter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	j := 0
	for _, c := range p[:n] {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=' {
			p[j] = c
			j++
		}
	}
	return j, err
}

// inboundCharsets maps charset labels to decoders; UTF-8 and US-ASCII need
// none. ISO-8859-1 is read as its superset Windows-1252, as browsers do,
// because mail labelled Latin-1 often holds Windows quotes and dashes.
var inboundCharsets = map[string]encoding.Encoding{
	"iso-8859-1": charmap.Windows1252, "latin1": charmap.Windows1252, "windows-1252": charmap.Windows1252,
	"iso-8859-2": charmap.ISO8859_2, "iso-8859-3": charmap.ISO8859_3, "iso-8859-4": charmap.ISO8859_4,
	"iso-8859-5": charmap.ISO8859_5, "iso-8859-6": charmap.ISO8859_6, "iso-8859-7": charmap.ISO8859_7,
	"iso-8859-8": charmap.ISO8859_8, "iso-8859-9": charmap.ISO8859_9, "iso-8859-10": charmap.ISO8859_10,
	"iso-8859-13": charmap.ISO8859_13, "iso-8859-14": charmap.ISO8859_14, "iso-8859-15": charmap.ISO8859_15,
	"iso-8859-16": charmap.ISO8859_16, "windows-1250": charmap.Windows1250, "windows-1251": charmap.Windows1251,
	"windows-1253": charmap.Windows1253, "windows-1254": charmap.Windows1254, "windows-1255": charmap.Windows1255,
	"windows-1256": charmap.Windows1256, "windows-1257": charmap.Windows1257, "windows-1258": charmap.Windows1258,
	"koi8-r": charmap.KOI8R, "koi8-u": charmap.KOI8U, "macintosh": charmap.Macintosh,
	"ibm850": charmap.CodePage850, "ibm852": charmap.CodePage852, "ibm866": charmap.CodePage866,
}

// charsetLabel normalises the many spellings of a charset name.
func charsetLabel(s string) string {
	s = strings.ToLower(strings.Trim(strings.TrimSpace(s), `"'`))
	s, _, _ = strings.Cut(s, ":") // iso_8859-1:1987
	s = strings.ReplaceAll(s, "_", "-")
	switch {
	case strings.HasPrefix(s, "iso8859-"):
		s = "iso-8859-" + s[len("iso8859-"):]
	case strings.HasPrefix(s, "x-cp125"):
		s = "windows-" + s[len("x-cp"):]
	case strings.HasPrefix(s, "cp125"):
		s = "windows-" + s[len("cp"):]
	case strings.HasPrefix(s, "cp8"):
		s = "ibm" + s[len("cp"):]
	case s == "latin-1" || s == "l1" || s == "cp819":
		s = "latin1"
	}
	return s
}

// decodeCharset converts text to UTF-8. Unknown or wrong labels fall back
// to UTF-8 if the bytes are valid UTF-8, else to Windows-1252, which maps
// every byte: a garbled accent beats a lost reply.
func decodeCharset(b []byte, charset string) string {
	if enc := inboundCharsets[charsetLabel(charset)]; enc != nil {
		if out, err := enc.NewDecoder().Bytes(b); err == nil {
			return string(out)
		}
	}
	if utf8.Valid(b) {
		return string(b)
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out)
}

// inboundWords decodes RFC 2047 encoded words in any charset decodeCharset knows.
var inboundWords = &mime.WordDecoder{CharsetReader: func(charset string, r io.Reader) (io.Reader, error) {
	b, _ := io.ReadAll(io.LimitReader(r, maxInboundText))
	return strings.NewReader(decodeCharset(b, charset)), nil
}}

// decodeWords decodes a header value: encoded words, and raw 8-bit bytes
// that some mailers put in headers.
func decodeWords(v string) string {
	if d, err := inboundWords.DecodeHeader(v); err == nil {
		v = d
	}
	if !utf8.ValidString(v) {
		v = decodeCharset([]byte(v), "")
	}
	return v
}

// autoSubmitted reports whether the header marks an automatic message (RFC 3834 and common practice).
func autoSubmitted(h textproto.MIMEHeader) bool {
	if v := firstWord(h.Get("Auto-Submitted")); v != "" && v != "no" {
		return true
	}
	if len(h["X-Autoreply"]) > 0 || len(h["X-Autorespond"]) > 0 {
		return true
	}
	switch firstWord(h.Get("Precedence")) {
	case "auto_reply", "bulk", "junk":
		return true
	}
	return false
}

// firstWord returns the lower-case value of a field up to any ";" parameter or comment.
func firstWord(v string) string {
	v, _, _ = strings.Cut(v, ";")
	v, _, _ = strings.Cut(v, "(")
	return strings.ToLower(strings.TrimSpace(v))
}

// autoReplySubjects start the subject of an out-of-office message in the
// languages of our audience.
var autoReplySubjects = []string{
	"out of office", "out of the office", "automatic reply", "auto reply", "auto-reply", "autoreply",
	"auto response", "auto-response", "autoresponse", "abwesenheitsnotiz", "automatische antwort",
	"abwesend", "absence", "réponse automatique", "reponse automatique", "absent du bureau",
	"respuesta automática", "respuesta automatica", "fuera de la oficina", "risposta automatica",
	"fuori sede", "fuori ufficio", "automatisch antwoord", "afwezig", "niet aanwezig",
}

// autoReplySubject reports whether a subject announces an automatic reply.
// Only prefixes count: a human may well write about "absence" later in a subject.
func autoReplySubject(subject string) bool {
	s := strings.ToLower(stripReplyPrefixes(subject))
	s = strings.TrimLeft(s, "[( ")
	for _, p := range autoReplySubjects {
		if strings.HasPrefix(s, p) {
			r, _ := utf8.DecodeRuneInString(s[len(p):])
			if r == utf8.RuneError || !unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}

// replyPrefixes are the "Re:" of various mail clients and languages.
var replyPrefixes = map[string]bool{
	"re": true, "aw": true, "antw": true, "antwort": true, "sv": true, "r": true, "rif": true,
	"ref": true, "res": true, "rép": true, "odp": true, "vs": true, "atb": true,
}

// stripReplyPrefixes removes leading "Re:", "AW:", "Re[2]:" and the like.
func stripReplyPrefixes(s string) string {
	for range 10 {
		word, rest, ok := strings.Cut(s, ":")
		if !ok {
			break
		}
		w := strings.ToLower(strings.TrimSpace(word))
		if i := strings.IndexAny(w, "[("); i > 0 { // "Re[2]", "AW (2)"
			w = strings.TrimSpace(w[:i])
		}
		if !replyPrefixes[w] {
			break
		}
		s = rest
	}
	return strings.TrimSpace(s)
}

// readReport fills the bounce fields from an RFC 3464 delivery report,
// falling back to the human-readable text for what the report lacks.
func (in *Inbound) readReport(h textproto.MIMEHeader, p *inboundParts) {
	r := pickRecipient(dsnRecipients(p.status))
	action := firstWord(r.Get("Action"))
	status, _ := findStatusCode(r.Get("Status"), "245")
	if isSuccessAction(action) || (action == "" && strings.HasPrefix(status, "2.")) {
		in.Kind = InboundAutoReply // a success notice, not a failure
		return
	}
	in.Kind = InboundBounce
	if !strings.HasPrefix(status, "2.") {
		in.Status = status
	}
	in.FailedAddress = dsnAddress(r.Get("Original-Recipient"))
	if in.FailedAddress == "" {
		in.FailedAddress = dsnAddress(r.Get("Final-Recipient"))
	}
	in.Diagnostic = dsnDiagnostic(r.Get("Diagnostic-Code"))
	if in.Status == "" {
		in.Status = statusFromText(in.Diagnostic)
	}
	text := p.bounceText()
	in.fillFromText(h, text)
	in.Hard = isHardBounce(action, in.Status, in.Diagnostic+"\n"+text)
	in.References = capRefs(append(p.originalRefs(), in.References...))
}

// readComplaint reads a spam complaint: the complaining address is the
// report's Original-Rcpt-To, the message complained of is the returned
// copy (matched by its Message-ID, like a bounce).
func (in *Inbound) readComplaint(p *inboundParts) {
	in.Kind = InboundComplaint
	if p.feedback != nil {
		in.FailedAddress = dsnAddress(p.feedback.Get("Original-Rcpt-To"))
	}
	in.References = capRefs(append(p.originalRefs(), in.References...))
}

// readBounceText fills the bounce fields of a bounce that is not a DSN.
func (in *Inbound) readBounceText(h textproto.MIMEHeader, p *inboundParts) {
	text := p.bounceText()
	in.fillFromText(h, text)
	in.Hard = isHardBounce("", in.Status, in.Diagnostic+"\n"+text)
	in.References = capRefs(append(p.originalRefs(), in.References...))
}

// fillFromText sets the bounce fields still empty from the explanation text.
func (in *Inbound) fillFromText(h textproto.MIMEHeader, text string) {
	if in.FailedAddress == "" {
		in.FailedAddress = failedAddress(h, text)
	}
	if in.Status != "" {
		return
	}
	code, at := findStatusCode(text, "45")
	if code == "" {
		code, at = basicReplyCode(text)
	}
	if code == "" {
		return
	}
	in.Status = code
	if in.Diagnostic == "" {
		in.Diagnostic = diagnosticAt(text, at)
	}
}

// dsnRecipients returns the per-recipient blocks of a delivery-status body
// (the first block is about the message, the others about recipients).
func dsnRecipients(b []byte) []textproto.MIMEHeader {
	var out []textproto.MIMEHeader
	for len(b) > 0 && len(out) < 100 {
		fields, rest := readFieldBlock(b)
		if len(fields["Final-Recipient"]) > 0 || len(fields["Original-Recipient"]) > 0 || len(fields["Action"]) > 0 {
			out = append(out, fields)
		}
		b = rest
	}
	return out
}

// pickRecipient chooses the recipient a bounce is about: we send one
// recipient per message, but a relay may report several (an alias that
// expanded), so a failure beats a delay beats anything else.
func pickRecipient(rs []textproto.MIMEHeader) textproto.MIMEHeader {
	for _, want := range []string{"failed", "delayed"} {
		for _, r := range rs {
			if firstWord(r.Get("Action")) == want {
				return r
			}
		}
	}
	if len(rs) > 0 {
		return rs[0]
	}
	return textproto.MIMEHeader{}
}

// isSuccessAction reports whether a DSN action means the message arrived.
func isSuccessAction(action string) bool {
	return action == "delivered" || action == "relayed" || action == "expanded"
}

// dsnAddress reads "rfc822; user@example.org" (the address type is
// optional in practice) as a lower-case address.
func dsnAddress(v string) string {
	if _, addr, ok := strings.Cut(v, ";"); ok {
		v = addr
	}
	v = strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
	if strings.ContainsAny(v, " \t") || strings.IndexByte(v, '@') <= 0 {
		return ""
	}
	return v
}

// dsnDiagnostic drops the diagnostic type ("smtp;") and bounds the length.
func dsnDiagnostic(v string) string {
	if typ, text, ok := strings.Cut(v, ";"); ok && !strings.ContainsAny(strings.TrimSpace(typ), " \t") {
		v = text
	}
	return truncateRunes(strings.Join(strings.Fields(v), " "), maxDiagnostic)
}

// statusCodeRE matches an enhanced status code (RFC 3463) candidate.
var statusCodeRE = regexp.MustCompile(`[245]\.[0-9]{1,3}\.[0-9]{1,3}`)

// findStatusCode returns the first enhanced status code of one of the
// classes in s and where it starts. A code inside a longer dotted number
// (an IP address, a version) does not count.
func findStatusCode(s, classes string) (string, int) {
	for _, m := range statusCodeRE.FindAllStringIndex(s, 50) {
		if !strings.ContainsRune(classes, rune(s[m[0]])) || !standaloneCode(s, m[0], m[1]) {
			continue
		}
		return s[m[0]:m[1]], m[0]
	}
	return "", -1
}

// standaloneCode reports whether s[i:j] is not part of a longer number.
func standaloneCode(s string, i, j int) bool {
	if i > 0 && (s[i-1] == '.' || isDigit(s[i-1])) {
		return false
	}
	if j < len(s) && isDigit(s[j]) {
		return false
	}
	return !(j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// smtpReplyRE matches a basic SMTP reply code where bounce texts quote one:
// after "said:", "returned '", "smtp;", "error:" or at the start of a line.
var smtpReplyRE = regexp.MustCompile(`(?im)(?:said:|returned\s*'|smtp;|error:?|^)[ \t]*([45][0-5][0-9])[ -]`)

// basicReplyCode finds a basic SMTP reply code and turns it into the
// enhanced code of its class (550 -> 5.0.0), as Postfix does.
func basicReplyCode(text string) (string, int) {
	m := smtpReplyRE.FindStringSubmatchIndex(text)
	if m == nil {
		return "", -1
	}
	return text[m[2]:m[2]+1] + ".0.0", m[2]
}

// statusFromText returns the enhanced status code in a diagnostic, or the
// one implied by its basic SMTP code.
func statusFromText(s string) string {
	if code, _ := findStatusCode(s, "45"); code != "" {
		return code
	}
	code, _ := basicReplyCode(s)
	return code
}

// diagnosticAt returns the line of text holding a status code at position
// at, from the SMTP reply code on, with indented continuation lines.
func diagnosticAt(text string, at int) string {
	if at >= 4 && isDigit(text[at-4]) && (text[at-1] == ' ' || text[at-1] == '-') {
		at -= 4 // "550 5.1.1": start at the basic code
	}
	end := at
	for end < len(text) {
		nl := strings.IndexByte(text[end:], '\n')
		if nl < 0 {
			end = len(text)
			break
		}
		end += nl + 1
		if end >= len(text) || (text[end] != ' ' && text[end] != '\t') {
			break
		}
	}
	d := strings.Join(strings.Fields(text[at:end]), " ")
	return truncateRunes(strings.Trim(d, `'" `), maxDiagnostic)
}

// hardBounceWords say, in a bounce without a status code, that the address
// itself is bad.
var hardBounceWords = []string{
	"user unknown", "unknown user", "does not exist", "doesn't exist", "mailbox unavailable",
	"no such user", "no such mailbox", "mailbox not found", "recipient not found", "invalid recipient",
	"unbekannt", "existiert nicht", "n'existe pas", "no existe", "inesistente", "bestaat niet",
}

// isHardBounce decides permanent (true) or temporary (false) failure.
func isHardBounce(action, status, text string) bool {
	switch {
	case action == "delayed":
		return false
	case strings.HasPrefix(status, "5."):
		return true
	case strings.HasPrefix(status, "4."):
		return false
	case action == "failed":
		return true
	}
	t := strings.ToLower(text)
	for _, w := range hardBounceWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// bounceSenders and bounceSubjects identify bounces that are not DSNs.
var (
	bounceSenders  = []string{"mailer-daemon", "mail delivery subsystem", "mail delivery system"}
	bounceSubjects = []string{
		"undeliverable:", "undelivered mail", "delivery status notification (failure)",
		"delivery status notification (delay)", "mail delivery failed", "failure notice",
		"returned mail:", "delivery failure", "unzustellbar:", "non remis :", "non remis:",
		"onbestelbaar:", "no se puede entregar:", "impossibile recapitare:",
	}
)

// looksBounced reports whether a message that is not a DSN is a bounce.
func (in *Inbound) looksBounced(h textproto.MIMEHeader) bool {
	if len(h["X-Failed-Recipients"]) > 0 {
		return true
	}
	from := strings.ToLower(decodeWords(h.Get("From")))
	local, _, _ := strings.Cut(in.From, "@")
	if local == "postmaster" || containsAny(from, bounceSenders) {
		return true
	}
	subject := strings.ToLower(in.Subject)
	for _, s := range bounceSubjects {
		if strings.HasPrefix(subject, s) {
			return true
		}
	}
	return false
}

// containsAny reports whether s contains one of words.
func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// returnedCopyMarkers start the copy of the original message that some
// bounces append to their text; codes and addresses after them are not
// about the failure.
var returnedCopyMarkers = []string{
	"--- Below this line is a copy of the message",
	"------ This is a copy of the message",
	"----- Original message -----",
	"Original message headers:",
}

// bounceText is the explanation of a bounce: its plain text (or HTML as
// text), cut before any returned copy, at most maxInboundScan bytes.
func (p *inboundParts) bounceText() string {
	text := strings.Join(p.plain, "\n")
	if strings.TrimSpace(text) == "" && len(p.html) > 0 {
		text = htmlText(p.html[0])
	}
	for _, m := range returnedCopyMarkers {
		if i := strings.Index(text, m); i >= 0 {
			text = text[:i]
		}
	}
	if len(text) > maxInboundScan {
		text = text[:maxInboundScan]
	}
	return text
}

// failedAddressREs find the failed recipient in the text of bounces of
// Exchange, Gmail, Exim, Postfix, qmail and others, most specific first.
var failedAddressREs = []*regexp.Regexp{
	regexp.MustCompile(`(?i)your message to:?\s+<?([^\s<>'"]+@[^\s<>'"]+?)>?\s+couldn.?t be delivered`),
	regexp.MustCompile(`(?i)(?:wasn.?t|was not|could not be|couldn.?t be) delivered to:?\s+<?([^\s<>'"]+@[^\s<>'"]+)`),
	regexp.MustCompile(`(?i)following address(?:\(es\)|es)? failed:\s*<?([^\s<>'"]+@[^\s<>'":]+)`),
	regexp.MustCompile(`(?i)delivery to the following recipients? failed[^:\n]*:\s*<?([^\s<>'"]+@[^\s<>'"]+)`),
	regexp.MustCompile(`(?m)^[ \t]*<([^\s<>@]+@[^\s<>]+)>:`),
	regexp.MustCompile(`(?im)^[ \t]*(?:original|final)-recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)`),
	regexp.MustCompile(`(?i)(?:nachricht an|message à|bericht aan)\s+<?([^\s<>'"]+@[^\s<>'"]+?)>?\s`),
}

// failedAddress finds the failed recipient of a bounce: X-Failed-Recipients
// (Exim) or a pattern in the text.
func failedAddress(h textproto.MIMEHeader, text string) string {
	if list := parseAddresses(h.Get("X-Failed-Recipients")); len(list) > 0 {
		return strings.ToLower(list[0].Address)
	}
	for _, re := range failedAddressREs {
		if m := re.FindStringSubmatch(text); m != nil {
			return strings.ToLower(strings.TrimRight(m[1], ".,;:"))
		}
	}
	return ""
}

// copiedMessageIDRE finds the Message-ID of a message copied into a bounce's text.
var copiedMessageIDRE = regexp.MustCompile(`(?im)^message-id:[ \t]*<([^>\s]+)>`)

// originalRefs returns the identifiers of the message a bounce returns:
// its Message-ID, In-Reply-To and References (newest first).
func (p *inboundParts) originalRefs() []string {
	if p.original != nil {
		if id := firstMsgID(p.original.Get("Message-Id")); id != "" {
			return append([]string{id}, threadRefs(p.original)...)
		}
	}
	for _, text := range p.plain {
		if m := copiedMessageIDRE.FindStringSubmatch(text); m != nil {
			return []string{m[1]}
		}
	}
	return nil
}

// snippet returns the new text of a reply: the first non-empty text/plain
// body, else the first HTML body as text, with history and signature cut.
func (p *inboundParts) snippet() string {
	for _, t := range p.plain {
		if strings.TrimSpace(t) != "" {
			return replyText(t, false)
		}
	}
	if len(p.html) > 0 {
		return replyText(htmlText(cutQuotedHTML(p.html[0])), true)
	}
	return ""
}

// replyText keeps the lines of text before the quoted history or the
// signature starts, without "> " quotes (so answers written between quotes
// survive), tidied and cut to maxSnippet characters.
func replyText(text string, fromHTML bool) string {
	if len(text) > maxInboundScan {
		text = text[:maxInboundScan]
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	size := 0
	for i, line := range lines {
		if historyStarts(lines, i) || size > 4*maxSnippet {
			break
		}
		if isQuotedLine(line) {
			continue
		}
		if fromHTML {
			line = strings.Join(strings.Fields(line), " ")
		}
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		out = append(out, line)
		size += len(line) + 1
	}
	return tidyLines(out)
}

// isQuotedLine reports whether a line quotes an earlier message.
func isQuotedLine(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">")
}

// Phrases that start quoted history or a signature in the mail clients
// and languages of our audience.
var (
	// forwardStarts begin a line that introduces a forwarded message.
	forwardStarts = []string{
		"begin forwarded message", "anfang der weitergeleiteten nachricht", "début du message réexpédié",
		"inicio del mensaje reenviado", "inizio messaggio inoltrato", "begin doorgestuurd bericht",
	}
	// separatorPhrases appear in "-----Original Message-----" style lines.
	separatorPhrases = []string{
		"original message", "ursprüngliche nachricht", "original-nachricht", "originalnachricht",
		"message d'origine", "mensaje original", "messaggio originale", "oorspronkelijk bericht",
		"forwarded message", "weitergeleitete nachricht", "message transféré", "mensaje reenviado",
		"messaggio inoltrato", "doorgestuurd bericht",
	}
	// mobileFooters begin the footer a phone or app appends.
	mobileFooters = []string{
		"sent from my ", "sent from outlook", "get outlook for ", "sent from mail for windows",
		"von meinem iphone", "von meinem ipad", "von meinem samsung", "gesendet von meinem", "gesendet mit der",
		"envoyé de mon ", "envoyé depuis mon", "enviado desde mi ", "inviato da iphone", "inviato dal mio",
		"verzonden vanaf mijn ", "verstuurd vanaf mijn ",
	}
	// attributionStarts and attributionVerbs make "On <date>, <name> wrote:" lines.
	attributionStarts = []string{"on ", "am ", "le ", "el ", "il ", "op ", "em ", "den ", "w dniu "}
	attributionVerbs  = []string{"wrote", "schrieb", "a écrit", "escribió", "ha scritto", "schreef", "escreveu", "skrev", "napisał"}
	// fromLabels and sentLabels make Outlook's "From: ... Sent: ..." block.
	fromLabels = map[string]bool{"from": true, "von": true, "de": true, "da": true, "van": true, "från": true, "fra": true, "od": true}
	sentLabels = map[string]bool{
		"sent": true, "date": true, "gesendet": true, "datum": true, "envoyé": true, "date d'envoi": true,
		"enviado": true, "fecha": true, "inviato": true, "data": true, "verzonden": true, "skickat": true, "sendt": true,
	}
)

// historyStarts reports whether lines[i] begins quoted history, a
// forwarded message or a signature.
func historyStarts(lines []string, i int) bool {
	if lines[i] == "-- " || lines[i] == "--" { // RFC 3676 signature delimiter
		return true
	}
	lt := strings.ToLower(strings.TrimSpace(lines[i]))
	switch {
	case lt == "":
		return false
	case hasAnyPrefix(lt, forwardStarts), hasAnyPrefix(lt, mobileFooters):
		return true
	case strings.IndexByte("-_=", lt[0]) >= 0 && containsAny(lt, separatorPhrases):
		return true
	case fromLabels[fieldLabel(lt)]:
		return isHeaderBlock(lines, i)
	case hasAnyPrefix(lt, attributionStarts) || containsAny(lt, attributionVerbs):
		return isAttribution(lines, i)
	}
	return false
}

// hasAnyPrefix reports whether s starts with one of prefixes.
func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// fieldLabel returns the lower-case label of a "Label: value" line, with
// Outlook's bold markers ("*From:*") and French spacing ("De :") removed.
func fieldLabel(line string) string {
	i := strings.IndexByte(line, ':')
	if i <= 0 || i > 30 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(strings.ReplaceAll(line[:i], "*", "")))
}

// isHeaderBlock reports whether a "From:" line at i is followed, within a
// few lines, by "Sent:" or "Date:": Outlook's header of the quoted message.
func isHeaderBlock(lines []string, i int) bool {
	for k := i + 1; k < len(lines) && k <= i+6; k++ {
		if sentLabels[fieldLabel(strings.TrimSpace(lines[k]))] {
			return true
		}
	}
	return false
}

// isAttribution reports whether lines[i], possibly wrapped over three
// lines, is an "On ..., X wrote:" line: it names the verb, ends with a
// colon, and starts like one or is followed by quoted lines.
func isAttribution(lines []string, i int) bool {
	var joined string
	for k := i; k < len(lines) && k < i+3; k++ {
		l := strings.TrimSpace(lines[k])
		if l == "" || (k > i && isQuotedLine(l)) {
			return false
		}
		joined = strings.TrimSpace(joined + " " + strings.ToLower(l))
		if strings.HasSuffix(joined, ":") && containsAny(joined, attributionVerbs) {
			return hasAnyPrefix(joined, attributionStarts) || nextIsQuoted(lines, k+1)
		}
	}
	return false
}

// nextIsQuoted reports whether the first non-blank line from k on is quoted.
func nextIsQuoted(lines []string, k int) bool {
	for ; k < len(lines); k++ {
		if strings.TrimSpace(lines[k]) != "" {
			return isQuotedLine(lines[k])
		}
	}
	return false
}

// tidyLines joins lines, dropping trailing rules (Outlook's "____" above
// its header block), collapsing runs of blank lines, and cuts to maxSnippet.
func tidyLines(lines []string) string {
	for len(lines) > 0 && strings.Trim(lines[len(lines)-1], " \t\u00a0_-=") == "" {
		lines = lines[:len(lines)-1]
	}
	var b strings.Builder
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n\n")
		} else if b.Len() > 0 {
			b.WriteByte('\n')
		}
		blank = false
		b.WriteString(l)
	}
	return strings.TrimSpace(truncateRunes(b.String(), maxSnippet))
}

// quotedHTMLMarkers start the quoted history in the HTML of Gmail,
// Outlook, Apple Mail, Thunderbird and Yahoo.
var quotedHTMLMarkers = []string{
	`<div class="gmail_quote`, `<blockquote`, `id="divrplyfwdmsg"`, `id="appendonsend"`,
	`class="moz-cite-prefix"`, `class="yahoo_quoted"`, `id="mail-editor-reference-message-container"`,
}

// cutQuotedHTML cuts HTML before the element that holds the quoted history.
func cutQuotedHTML(s string) string {
	if len(s) > 4*maxInboundScan {
		s = s[:4*maxInboundScan]
	}
	low := asciiLower(s)
	cut := len(s)
	for _, m := range quotedHTMLMarkers {
		if i := strings.Index(low[:cut], m); i >= 0 {
			cut = strings.LastIndexByte(low[:i+1], '<')
		}
	}
	if cut < 0 {
		return ""
	}
	return s[:cut]
}

// asciiLower lower-cases ASCII letters only, so byte offsets stay valid.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// htmlSpace turns HTML source line breaks into the spaces they render as.
var htmlSpace = strings.NewReplacer("\r", " ", "\n", " ", "\t", " ")

// htmlText renders HTML as plain text: tags dropped, block elements as
// line breaks, script/style/head content dropped, entities decoded.
func htmlText(s string) string {
	low := asciiLower(s)
	var b []byte
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b = append(b, htmlSpace.Replace(s[i:i+j])...)
			i += j
			continue
		}
		i, b = htmlTag(s, low, i, b)
	}
	return strings.ReplaceAll(html.UnescapeString(string(b)), "\u00a0", " ")
}

// htmlBlocks are the elements that start a new line (<br> breaks one).
var htmlBlocks = map[string]bool{
	"p": true, "div": true, "tr": true, "li": true, "hr": true, "table": true,
	"blockquote": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
}

// htmlTag handles the tag (or comment) at s[i] and returns where the text
// goes on; low is s lower-cased.
func htmlTag(s, low string, i int, b []byte) (int, []byte) {
	if strings.HasPrefix(low[i:], "<!--") {
		end := strings.Index(s[i+4:], "-->")
		if end < 0 {
			return len(s), b
		}
		return i + 4 + end + 3, b
	}
	end := strings.IndexByte(s[i:], '>')
	if end < 0 {
		return len(s), b
	}
	next := i + end + 1
	name := htmlTagName(low[i+1 : next-1])
	switch {
	case name == "script" || name == "style" || name == "head" || name == "title":
		if close := strings.Index(low[next:], "</"+name); close >= 0 {
			return next + close, b
		}
		return len(s), b
	case name == "br":
		b = append(b, '\n')
	case htmlBlocks[strings.TrimPrefix(name, "/")]:
		if len(b) > 0 && b[len(b)-1] != '\n' { // a block starts a line, but only one
			b = append(b, '\n')
		}
	case name == "td" || name == "th":
		b = append(b, ' ')
	}
	return next, b
}

// htmlTagName returns the name of a tag from its inside ("/p", "br").
func htmlTagName(t string) string {
	end := 0
	for end < len(t) && (t[end] == '/' && end == 0 || 'a' <= t[end] && t[end] <= 'z' || isDigit(t[end])) {
		end++
	}
	return t[:end]
}
