package vocab

// Consents lists the canonical consent states, as stored in contacts.consent.
var Consents = []string{"opt_in", "legitimate_interest", "unsubscribed"}

// consentNames maps folded inputs to a consent state. Every "opt out"
// spelling maps to unsubscribed: reading a refusal as consent would mail
// someone who said no, while the reverse only costs an invitation.
var consentNames = map[string]string{
	"optin":       "opt_in",
	"opted in":    "opt_in",
	"opt out":     "unsubscribed",
	"optout":      "unsubscribed",
	"opted out":   "unsubscribed",
	"unsubscribe": "unsubscribed",
}

func init() {
	for _, c := range Consents {
		consentNames[foldKey(c)] = c
	}
}

// ParseConsent returns the canonical consent state for s: a canonical value
// in any case, or the same words with spaces or hyphens ("Opt-In", "opt in",
// "Legitimate interest"). ok is false otherwise, including for "": an
// importer must decide the default, not the parser.
func ParseConsent(s string) (string, bool) {
	c, ok := consentNames[foldKey(s)]
	return c, ok
}
