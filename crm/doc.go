// Package crm owns the contacts database: organisations, contacts with
// their seniority, topics, tags and consent, CSV import and export, saved
// segments, the activity timeline, and the coordinators (users, roles, API
// keys) who work with it, plus the JSON API over all of these.
//
// Core functions take a context and a database handle and know nothing of
// HTTP; api.go translates requests into calls and errors into statuses.
// crm knows nothing of campaigns: campaign data reaches it only through the
// hooks the segment compiler offers.
package crm
