package main

import (
	"fmt"
	"loa/store"
	"time"
)

// broadcastJSON is a broadcast as `broadcasts list --json` prints it.
type broadcastJSON struct {
	ID        int64               `json:"id"`
	Source    string              `json:"source"`
	Kind      store.BroadcastKind `json:"kind"`
	Topic     string              `json:"topic"`
	Title     string              `json:"title"`
	Link      string              `json:"link,omitempty"`
	Created   time.Time           `json:"created"`
	Total     int                 `json:"total"`
	Sent      int                 `json:"sent"`
	Failed    int                 `json:"failed"`
	Cancelled int                 `json:"cancelled"`
	Pending   int                 `json:"pending"`
}

func (e env) broadcastsList(args []string) error {
	asJSON, err := jsonFlag(newFlags("broadcasts list"), args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	bs, err := s.st.BroadcastStats(e.ctx, 1000)
	if err != nil {
		return err
	}
	out := make([]broadcastJSON, len(bs))
	for i, b := range bs {
		out[i] = broadcastJSON{ID: b.ID, Source: b.SourceKey, Kind: b.Kind, Topic: b.Topic, Title: b.Title,
			Link: b.Link, Created: b.CreatedAt, Total: b.Total, Sent: b.Sent, Failed: b.Failed,
			Cancelled: b.Cancelled, Pending: b.Pending}
	}
	return show(e, asJSON, out, "no broadcasts yet", "ID\tSOURCE\tTOPIC\tCREATED\tTOTAL\tSENT\tFAILED\tPENDING\tTITLE",
		func(b broadcastJSON) []any {
			return []any{b.ID, b.Source, b.Topic, b.Created.In(s.cfg.Location).Format("2006-01-02 15:04"),
				b.Total, b.Sent, b.Failed, b.Pending, clip(b.Title, 60)}
		})
}

func (e env) broadcastsShow(args []string) error {
	id, err := oneID("broadcasts show", "broadcast", args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	b, fails, err := s.st.BroadcastDetail(e.ctx, id)
	if err != nil {
		return notFoundHint(err, "broadcasts")
	}
	fmt.Fprintf(e.stdout, "broadcast %d\n  source:  %s\n  kind:    %s\n  topic:   %s\n  created: %s\n  title:   %s\n",
		b.ID, b.SourceKey, b.Kind, b.Topic, b.CreatedAt.In(s.cfg.Location).Format("2006-01-02 15:04:05"), b.Title)
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

var broadcastsCancel = idCommand("broadcasts cancel", "broadcast", func(e env, s *session, id int64) (string, error) {
	stopped, err := s.ops.CancelBroadcast(e.ctx, e.actor(), id)
	return fmt.Sprintf("broadcast %d cancelled; %d pending deliveries stopped", id, stopped), err
})
