package main

import (
	"fmt"
	"loa/chat"
	"loa/store"
	"slices"
	"strings"
)

// subscribersResume lifts a chat's pause (the bot lost its right to post there, and an
// admin says it is back): its waiting deliveries go out.
var subscribersResume = idCommand("subscribers resume", "subscriber", func(e env, s *session, id int64) (string, error) {
	sub, err := s.ops.ResumeSubscriber(e.ctx, e.actor(), id)
	if err != nil {
		return "", err
	}
	if !sub.WasPaused {
		return fmt.Sprintf("subscriber %d (%s %s) was not paused", id, sub.Channel, sub.Address), nil
	}
	return fmt.Sprintf("subscriber %d (%s %s) resumed; its waiting deliveries go out now", id, sub.Channel, sub.Address), nil
})

// subscriberJSON is a subscriber as `subscribers list --json` prints it.
type subscriberJSON struct {
	ID           int64                  `json:"id"`
	Channel      chat.Channel           `json:"channel"`
	Address      string                 `json:"address"`
	Kind         chat.Kind              `json:"kind"`
	Title        string                 `json:"title,omitempty"`
	ThreadID     int64                  `json:"thread_id,omitempty"`
	Status       store.SubscriberStatus `json:"status"`
	StatusReason string                 `json:"status_reason,omitempty"`
	Topics       []string               `json:"topics"`
	// Paused is the pause reason while the chat is paused ("no_rights").
	Paused string `json:"paused,omitempty"`
}

func (e env) subscribersList(args []string) error {
	asJSON, err := jsonFlag(newFlags("subscribers list"), args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	subs, err := s.st.Subscribers(e.ctx)
	if err != nil {
		return err
	}
	topics, err := s.st.Topics(e.ctx)
	if err != nil {
		return err
	}
	out := make([]subscriberJSON, len(subs))
	for i, x := range subs {
		// A subscriber receives every topic but the muted ones.
		received := slices.DeleteFunc(slices.Clone(topics), func(t string) bool { return slices.Contains(x.MutedTopics, t) })
		out[i] = subscriberJSON{ID: x.ID, Channel: x.Channel, Address: x.Address, Kind: x.Kind, Title: x.Title,
			ThreadID: x.ThreadID, Status: x.Status, StatusReason: x.StatusReason, Topics: append([]string{}, received...)}
		if x.PausedAt != nil {
			out[i].Paused = x.PauseReason
		}
	}
	return show(e, asJSON, out, "no subscribers yet", "ID\tCHANNEL\tADDRESS\tKIND\tSTATUS\tTOPICS\tTITLE",
		func(x subscriberJSON) []any {
			status := string(x.Status)
			if x.StatusReason != "" {
				status += " (" + x.StatusReason + ")"
			}
			if x.Paused != "" {
				status += ", paused (" + x.Paused + ")"
			}
			return []any{x.ID, x.Channel, x.Address, x.Kind, status, strings.Join(x.Topics, ","), orDash(clip(x.Title, 40))}
		})
}

func (e env) subscribersStats(args []string) error {
	asJSON, err := jsonFlag(newFlags("subscribers stats"), args)
	if err != nil {
		return err
	}
	s, err := e.open()
	if err != nil {
		return err
	}
	counts, err := s.st.SubscriberStats(e.ctx)
	if err != nil {
		return err
	}
	type row struct {
		Channel chat.Channel           `json:"channel"`
		Kind    chat.Kind              `json:"kind"`
		Status  store.SubscriberStatus `json:"status"`
		Count   int                    `json:"count"`
	}
	out := make([]row, len(counts))
	rows := make([][]any, len(counts))
	total := 0
	for i, c := range counts {
		out[i] = row{c.Channel, c.Kind, c.Status, c.Count}
		rows[i] = []any{c.Channel, c.Kind, c.Status, c.Count}
		total += c.Count
	}
	if asJSON {
		return e.printJSON(out)
	}
	return e.table("CHANNEL\tKIND\tSTATUS\tCOUNT", append(rows, []any{"", "", "total", total}))
}
