// Command outreach is the one binary of Outreach: the HTTP server, the
// workers and every administrative command.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// Events and send windows need time zones even where the system has
	// no tz database (minimal container images).
	_ "time/tzdata"
)

// env is what a command gets from the process; tests pass their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server (API, tracking) with the scheduler and workers", runServe},
		{"worker", "run sending workers only (more capacity on other machines)", runWorkerCmd},
		{"migrate", "apply database migrations (creates the database if missing)", runMigrate},
		{"demo", "load a generated demo network of organisations and contacts", runDemo},
		{"import", "import contacts FILE: import contacts from a CSV file", runImport},
		{"export", "export contacts [--where EXPR]: write contacts as CSV to stdout", runExport},
		{"segment", "segment count|list|show|create|delete: work with segments", runSegment},
		{"user", "user add EMAIL --role ROLE: add a coordinator (password on stdin)", runUser},
		{"apikey", "apikey create --name NAME [--role ROLE]: print a new API key", runAPIKey},
		{"campaign", "campaign create FILE | send | schedule | pause | resume | cancel | status | preview | list", runCampaign},
		{"event", "event create FILE | list | show | update | cancel | notify | attendees | attendance ID FILE | conflicts", runEvent},
		{"calendar", "calendar import --source NAME (URL | FILE) | export [--topic T]: the shared calendar", runCalendar},
		{"report", "report CAMPAIGN[,...] --by DIM [--format table|csv|json] [--compare A,B --metric M]: response rates per segment", runReport},
		{"replies", "replies ingest (raw message on stdin, for an MTA pipe) | replies poll (read the IMAP mailbox once)", runReplies},
		{"outbox", "outbox list [--campaign ID] | show ID: messages kept when no SMTP server is set", runOutbox},
		{"bench", "bench [--contacts N] [--keep]: time import, segments, sending, tracking, replies and reports on a fresh database", runBench},
	}
}

// errUsage marks a mistake in the command line; main exits with 2 for it.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "outreach:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(e.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	printUsage(e.stderr)
	return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: outreach <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w, "\nConfiguration comes from OUTREACH_* environment variables; see the README.")
}
