package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// listFlags parses the flags of a list command that takes --json and no arguments.
func listFlags(cmd string, args []string) (asJSON bool, err error) {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	j := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return false, err
	}
	return *j, wantArgs(cmd, pos)
}

func (e env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func (e env) broadcasts(args []string) error {
	return dispatch("broadcasts", args,
		sub{"list", e.broadcastsList},
		sub{"show", e.broadcastsShow},
		sub{"cancel", e.broadcastsCancel},
	)
}

// broadcastJSON is a broadcast as `broadcasts list --json` prints it.
type broadcastJSON struct {
	ID        int64     `json:"id"`
	Source    string    `json:"source"`
	Kind      string    `json:"kind"`
	Topic     string    `json:"topic"`
	Title     string    `json:"title"`
	Link      string    `json:"link,omitempty"`
	Created   time.Time `json:"created"`
	Total     int       `json:"total"`
	Sent      int       `json:"sent"`
	Failed    int       `json:"failed"`
	Cancelled int       `json:"cancelled"`
	Pending   int       `json:"pending"`
}

func (e env) broadcastsList(args []string) error {
	asJSON, err := listFlags("broadcasts list", args)
	if err != nil {
		return err
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	bs, err := st.BroadcastStats(e.ctx, 1000)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]broadcastJSON, len(bs))
		for i, b := range bs {
			out[i] = broadcastJSON{ID: b.ID, Source: b.SourceKey, Kind: string(b.Kind), Topic: b.Topic, Title: b.Title,
				Link: b.Link, Created: b.CreatedAt, Total: b.Total, Sent: b.Sent, Failed: b.Failed,
				Cancelled: b.Cancelled, Pending: b.Pending}
		}
		return e.printJSON(out)
	}
	if len(bs) == 0 {
		fmt.Fprintln(e.stdout, "no broadcasts yet")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tTOPIC\tCREATED\tTOTAL\tSENT\tFAILED\tPENDING\tTITLE")
	for _, b := range bs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", b.ID, b.SourceKey, b.Topic,
			b.CreatedAt.In(cfg.Location).Format("2006-01-02 15:04"), b.Total, b.Sent, b.Failed, b.Pending, clip(b.Title, 60))
	}
	return tw.Flush()
}

func (e env) broadcastsShow(args []string) error {
	pos, err := parseFlags(flag.NewFlagSet("broadcasts show", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	if err := wantArgs("broadcasts show", pos, "ID"); err != nil {
		return err
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef("broadcasts show: %q is not a broadcast id (see loa broadcasts list)", pos[0])
	}
	st, cfg, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	b, fails, err := st.BroadcastDetail(e.ctx, id)
	if err != nil {
		return notFoundHint(err, "broadcasts")
	}
	fmt.Fprintf(e.stdout, "broadcast %d\n  source:  %s\n  kind:    %s\n  topic:   %s\n  created: %s\n  title:   %s\n",
		b.ID, b.SourceKey, b.Kind, b.Topic, b.CreatedAt.In(cfg.Location).Format("2006-01-02 15:04:05"), b.Title)
	if b.Link != "" {
		fmt.Fprintf(e.stdout, "  link:    %s\n", b.Link)
	}
	fmt.Fprintf(e.stdout, "  deliveries: %d total, %d sent, %d failed, %d cancelled, %d pending\n",
		b.Total, b.Sent, b.Failed, b.Cancelled, b.Pending)
	for _, f := range fails {
		fmt.Fprintf(e.stdout, "    %5d  %s: %s\n", f.Count, f.Status, f.Reason)
	}
	return nil
}

func (e env) subscribers(args []string) error {
	return dispatch("subscribers", args,
		sub{"list", e.subscribersList},
		sub{"stats", e.subscribersStats},
		sub{"resume", e.subscribersResume},
	)
}

// subscribersResume lifts a chat's pause (the bot lost its right to post there, and an
// admin says it is back): its waiting deliveries go out.
func (e env) subscribersResume(args []string) error {
	id, err := positiveID("subscribers resume", "subscriber", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	sub, wasPaused, err := st.ResumeSubscriber(e.ctx, id)
	if err != nil {
		return notFoundHint(err, "subscribers")
	}
	if !wasPaused {
		fmt.Fprintf(e.stdout, "subscriber %d (%s %s) was not paused\n", id, sub.Channel, sub.Address)
		return nil
	}
	fmt.Fprintf(e.stdout, "subscriber %d (%s %s) resumed; its waiting deliveries go out now\n", id, sub.Channel, sub.Address)
	return nil
}

// subscriberJSON is a subscriber as `subscribers list --json` prints it.
type subscriberJSON struct {
	ID           int64    `json:"id"`
	Channel      string   `json:"channel"`
	Address      string   `json:"address"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	ThreadID     int64    `json:"thread_id,omitempty"`
	Status       string   `json:"status"`
	StatusReason string   `json:"status_reason,omitempty"`
	Topics       []string `json:"topics"`
	// Paused is the pause reason while the chat is paused ("no_rights").
	Paused string `json:"paused,omitempty"`
}

func (e env) subscribersList(args []string) error {
	asJSON, err := listFlags("subscribers list", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	subs, err := st.Subscribers(e.ctx)
	if err != nil {
		return err
	}
	topics, err := st.Topics(e.ctx)
	if err != nil {
		return err
	}
	out := make([]subscriberJSON, len(subs))
	for i, s := range subs {
		out[i] = subscriberJSON{ID: s.ID, Channel: string(s.Channel), Address: s.Address, Kind: string(s.Kind), Title: s.Title,
			ThreadID: s.ThreadID, Status: string(s.Status), StatusReason: s.StatusReason, Topics: subscribed(topics, s.MutedTopics)}
		if s.PausedAt != nil {
			out[i].Paused = s.PauseReason
		}
	}
	if asJSON {
		return e.printJSON(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "no subscribers yet")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCHANNEL\tADDRESS\tKIND\tSTATUS\tTOPICS\tTITLE")
	for _, s := range out {
		status := s.Status
		if s.StatusReason != "" {
			status += " (" + s.StatusReason + ")"
		}
		if s.Paused != "" {
			status += ", paused (" + s.Paused + ")"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Channel, s.Address, s.Kind, status,
			strings.Join(s.Topics, ","), orDash(clip(s.Title, 40)))
	}
	return tw.Flush()
}

// subscribed is the topics a subscriber receives: all but the muted ones.
func subscribed(all, muted []string) []string {
	out := []string{}
	for _, t := range all {
		isMuted := false
		for _, m := range muted {
			isMuted = isMuted || m == t
		}
		if !isMuted {
			out = append(out, t)
		}
	}
	return out
}

func (e env) subscribersStats(args []string) error {
	asJSON, err := listFlags("subscribers stats", args)
	if err != nil {
		return err
	}
	st, _, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	counts, err := st.SubscriberStats(e.ctx)
	if err != nil {
		return err
	}
	if asJSON {
		type row struct {
			Channel string `json:"channel"`
			Kind    string `json:"kind"`
			Status  string `json:"status"`
			Count   int    `json:"count"`
		}
		out := make([]row, len(counts))
		for i, c := range counts {
			out[i] = row{string(c.Channel), string(c.Kind), string(c.Status), c.Count}
		}
		return e.printJSON(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tKIND\tSTATUS\tCOUNT")
	total := 0
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", c.Channel, c.Kind, c.Status, c.Count)
		total += c.Count
	}
	fmt.Fprintf(tw, "\t\ttotal\t%d\n", total)
	return tw.Flush()
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
