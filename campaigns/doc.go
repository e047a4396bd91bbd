// Package campaigns will own events and the shared calendar, campaigns and
// their steps, audience snapshots, tracking, reply matching and reports.
// It may import crm; crm never imports it.
package campaigns
