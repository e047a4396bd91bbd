// Package campaigns owns campaigns and their steps, the audience snapshot
// (one recipient row per contact and step), the campaign state machine,
// the signed links that go into every message, message composition from
// templates, the unsubscribe endpoint, and the campaign HTTP handlers.
//
// Postgres is the truth: every state a recipient passes through is a row
// update here; the worker package moves rows along and talks to Redis and
// SMTP. campaigns imports crm, never the other way round.
package campaigns
