package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
	"outreach/crm"
)

const segmentUsage = `segment count EXPR | list | show ID | create --name NAME EXPR | delete ID`

func runSegment(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", segmentUsage, errUsage)
	}
	fs := flag.NewFlagSet("segment "+args[0], flag.ContinueOnError)
	name := fs.String("name", "", "segment name (create)")
	asJSON := fs.Bool("json", false, "print JSON")
	_, pos, db, err := openSubcommand(ctx, e, fs, segmentUsage, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	s := segmentCmd{db: db, e: e, json: *asJSON}
	arg := strings.Join(pos, " ")
	switch args[0] {
	case "count":
		return s.count(ctx, arg)
	case "list":
		return s.list(ctx)
	case "show":
		return s.show(ctx, arg)
	case "create":
		return s.create(ctx, *name, arg)
	case "delete":
		return s.delete(ctx, arg)
	}
	return fmt.Errorf("%s: %w", segmentUsage, errUsage)
}

type segmentCmd struct {
	db   *sqlx.DB
	e    env
	json bool
}

func (s segmentCmd) count(ctx context.Context, where string) error {
	b, err := crm.BreakdownOf(ctx, s.db, crm.Filter{Where: where, Segment: campaigns.SegmentOptions()})
	if err != nil {
		return err
	}
	return s.print(where, b)
}

func (s segmentCmd) print(where string, b crm.Breakdown) error {
	total := 0
	for _, n := range b.Seniority {
		total += n
	}
	if s.json {
		return json.NewEncoder(s.e.stdout).Encode(map[string]any{"where": where, "count": total, "breakdown": b})
	}
	fmt.Fprintf(s.e.stdout, "%d contacts\n", total)
	for _, dim := range []struct {
		name string
		m    map[string]int
	}{{"seniority", b.Seniority}, {"organisation_type", b.OrganisationType}, {"country", b.Country}} {
		fmt.Fprintf(s.e.stdout, "%s:", dim.name)
		keys := make([]string, 0, len(dim.m))
		for k := range dim.m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			return dim.m[keys[i]] > dim.m[keys[j]] || dim.m[keys[i]] == dim.m[keys[j]] && keys[i] < keys[j]
		})
		for _, k := range keys {
			fmt.Fprintf(s.e.stdout, " %s=%d", k, dim.m[k])
		}
		fmt.Fprintln(s.e.stdout)
	}
	return nil
}

func (s segmentCmd) list(ctx context.Context) error {
	list, err := crm.Segments(ctx, s.db)
	if err != nil {
		return err
	}
	if s.json {
		return json.NewEncoder(s.e.stdout).Encode(list)
	}
	for _, seg := range list {
		fmt.Fprintf(s.e.stdout, "%d\t%s\t%s\n", seg.ID, seg.Name, seg.Where)
	}
	return nil
}

func (s segmentCmd) show(ctx context.Context, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return fmt.Errorf("segment show ID: %w", errUsage)
	}
	seg, err := crm.SegmentByID(ctx, s.db, id)
	if err != nil {
		return fmt.Errorf("segment %d: %w", id, err)
	}
	fmt.Fprintf(s.e.stdout, "%s: %s\n", seg.Name, seg.Where)
	return s.count(ctx, seg.Where)
}

func (s segmentCmd) create(ctx context.Context, name, where string) error {
	seg, err := crm.CreateSegment(ctx, s.db, name, where, crm.Filter{Segment: campaigns.SegmentOptions()})
	if err != nil {
		return err
	}
	fmt.Fprintln(s.e.stdout, seg.ID)
	return nil
}

func (s segmentCmd) delete(ctx context.Context, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return fmt.Errorf("segment delete ID: %w", errUsage)
	}
	return crm.DeleteSegment(ctx, s.db, id)
}
