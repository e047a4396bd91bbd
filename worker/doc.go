// Package worker will run the asynq worker pool: dispatch of due campaign
// steps, the Redis-backed rate limiter, the SMTP mailer, IMAP polling and
// the reconciler that re-enqueues from Postgres after Redis loses work.
package worker
