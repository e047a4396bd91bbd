package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
)

const campaignUsage = "campaign create FILE | update ID FILE | list | status ID | send ID | schedule ID --at TIME | pause ID | resume ID | cancel ID | preview ID --contact N [--step S]"

func runCampaign(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", campaignUsage, errUsage)
	}
	fs := flag.NewFlagSet("campaign "+args[0], flag.ContinueOnError)
	at := fs.String("at", "", "start time, RFC 3339 (schedule)")
	contact := fs.Int64("contact", 0, "contact id (preview)")
	step := fs.Int("step", 0, "step, 0 for the invitation (preview)")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, pos, db, err := openSubcommand(ctx, e, fs, campaignUsage, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	c := campaignCmd{db: db, e: e, json: *asJSON, baseURL: cfg.BaseURL, secret: cfg.Secret}
	if args[0] == "list" {
		return c.list(ctx)
	}
	if args[0] == "update" && len(pos) == 2 {
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("campaign update: %q is not a campaign id: %w", pos[0], errUsage)
		}
		return c.update(ctx, id, pos[1])
	}
	if len(pos) != 1 {
		return fmt.Errorf("%s: %w", campaignUsage, errUsage)
	}
	if args[0] == "create" {
		return c.create(ctx, pos[0])
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("campaign %s: %q is not a campaign id: %w", args[0], pos[0], errUsage)
	}
	return c.act(ctx, args[0], id, *at, *contact, *step)
}

type campaignCmd struct {
	db      *sqlx.DB
	e       env
	json    bool
	baseURL string
	secret  string
}

func (c campaignCmd) act(ctx context.Context, action string, id int64, at string, contact int64, step int) error {
	var camp campaigns.Campaign
	var err error
	switch action {
	case "status":
		camp, err = campaigns.ByID(ctx, c.db, id)
	case "send":
		camp, err = campaigns.Send(ctx, c.db, id, campaigns.SegmentOptions())
	case "schedule":
		t, perr := time.Parse(time.RFC3339, at)
		if perr != nil {
			return fmt.Errorf("campaign schedule: --at wants an RFC 3339 time such as 2026-12-01T09:00:00+01:00: %w", errUsage)
		}
		camp, err = campaigns.Schedule(ctx, c.db, id, t)
	case "pause":
		camp, err = campaigns.Pause(ctx, c.db, id)
	case "resume":
		camp, err = campaigns.Resume(ctx, c.db, id)
	case "cancel":
		camp, err = campaigns.Cancel(ctx, c.db, id)
	case "preview":
		return c.preview(ctx, id, contact, step)
	default:
		return fmt.Errorf("%s: %w", campaignUsage, errUsage)
	}
	if err != nil {
		return err
	}
	return c.printStatus(ctx, camp)
}

func (c campaignCmd) printStatus(ctx context.Context, camp campaigns.Campaign) error {
	counts, err := campaigns.CountsOf(ctx, c.db, camp.ID)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(map[string]any{"id": camp.ID, "status": camp.Status, "counts": counts})
	}
	fmt.Fprintf(c.e.stdout, "campaign %d %q: %s\n  recipients %d, pending %d, queued %d, sending %d, sent %d, failed %d, bounced %d, suppressed %d\n",
		camp.ID, camp.Name, camp.Status, counts.Recipients, counts.Pending, counts.Queued, counts.Sending,
		counts.Sent, counts.Failed, counts.Bounced, counts.Suppressed)
	return nil
}

func (c campaignCmd) create(ctx context.Context, file string) error {
	in, err := readCampaignFile(file)
	if err != nil {
		return err
	}
	camp, err := campaigns.Create(ctx, c.db, in, campaigns.SegmentOptions())
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.printStatus(ctx, camp)
}

// update replaces a draft's definition with the file's, as
// PUT /api/v1/campaigns/{id} does.
func (c campaignCmd) update(ctx context.Context, id int64, file string) error {
	in, err := readCampaignFile(file)
	if err != nil {
		return err
	}
	camp, err := campaigns.UpdateDraft(ctx, c.db, id, in, campaigns.SegmentOptions())
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.printStatus(ctx, camp)
}

// readCampaignFile reads a campaign definition, the API's JSON body.
func readCampaignFile(file string) (campaigns.Input, error) {
	var in campaigns.Input
	err := readJSONFile(file, &in)
	return in, err
}

func (c campaignCmd) list(ctx context.Context) error {
	list, err := campaigns.List(ctx, c.db)
	if err != nil {
		return err
	}
	for _, camp := range list {
		fmt.Fprintf(c.e.stdout, "%d\t%s\t%s\n", camp.ID, camp.Status, camp.Name)
	}
	return nil
}

func (c campaignCmd) preview(ctx context.Context, id, contact int64, step int) error {
	if contact == 0 {
		return fmt.Errorf("campaign preview ID --contact N: %w", errUsage)
	}
	secret, err := campaigns.LoadSecret(ctx, c.db, c.secret)
	if err != nil {
		return err
	}
	out, err := campaigns.Preview(ctx, c.db, campaigns.Links{BaseURL: c.baseURL, Signer: campaigns.NewSigner(secret)}, id, step, contact)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(out)
	}
	fmt.Fprintf(c.e.stdout, "To: %s <%s>\nSubject: %s\n\n%s\n", out.ToName, out.To, out.Subject, out.Text)
	return nil
}
