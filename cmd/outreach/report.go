package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"outreach/campaigns"
)

const reportUsage = "report CAMPAIGN[,CAMPAIGN...] --by DIM[,DIM] [--format table|csv|json] [--machine] [--compare A,B --metric M]"

func runReport(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	by := fs.String("by", "seniority", "one or two of "+strings.Join(campaigns.Dimensions, ", "))
	format := fs.String("format", "table", "table, csv or json")
	machine := fs.Bool("machine", false, "count opens and clicks flagged as machine events too")
	compare := fs.String("compare", "", "two groups to compare, e.g. middle,executive")
	metric := fs.String("metric", "replied", "metric to compare: "+strings.Join(campaigns.Metrics, ", "))
	cfg, err := setup(e, fs, nil)
	if err != nil {
		return err
	}
	pos, err := positionals(fs, args)
	if err != nil || len(pos) != 1 {
		return fmt.Errorf("%s: %w", reportUsage, errUsage)
	}
	q := campaigns.ReportQuery{By: strings.Split(*by, ","), Machine: *machine}
	for _, s := range strings.Split(pos[0], ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("report: %q is not a campaign id: %w", s, errUsage)
		}
		q.CampaignIDs = append(q.CampaignIDs, id)
	}
	db, err := openCurrentDB(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if *compare != "" {
		a, b, _ := strings.Cut(*compare, ",")
		c, err := campaigns.Compare(ctx, db, campaigns.CompareQuery{Report: q, A: a, B: b, Metric: *metric})
		if err != nil {
			return err
		}
		if *format == "json" {
			return json.NewEncoder(e.stdout).Encode(c)
		}
		fmt.Fprintln(e.stdout, c.Verdict)
		if c.Warning != "" {
			fmt.Fprintln(e.stdout, "Note:", c.Warning)
		}
		return nil
	}
	rep, err := campaigns.BuildReport(ctx, db, q)
	if err != nil {
		return err
	}
	switch *format {
	case "csv":
		return rep.WriteCSV(e.stdout)
	case "json":
		return json.NewEncoder(e.stdout).Encode(rep)
	case "table":
		return rep.WriteTable(e.stdout)
	}
	return fmt.Errorf("report: --format must be table, csv or json: %w", errUsage)
}
