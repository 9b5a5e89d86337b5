package app

import (
	"loa/admin"
	"loa/config"
	"loa/feeds"
	"loa/scheduler"
	"loa/store"
)

// NewPoller builds the feed poller from the configuration: the one place its fetcher
// and limits are set, for the leader's polls and for the feeds admins add (which prime
// with the fetch that checked them). The caller adds what only the service has (Log,
// Metrics, Now, Alert).
func NewPoller(cfg config.Config, st *store.Store, version string) *scheduler.Poller {
	return &scheduler.Poller{
		Store: st,
		Fetcher: feeds.NewFetcher(feeds.FetcherOptions{
			UserAgent: UserAgent(version),
			MaxBytes:  cfg.FeedMaxBytes,
			Timeout:   cfg.FeedTimeout,
		}),
		Backlog:     cfg.FeedBacklog,
		MaxAnnounce: cfg.FeedMaxAnnounce,
		MaxFailures: cfg.FeedMaxFailures,
		MaxPerDay:   cfg.FeedMaxPerDay,
		Location:    cfg.Location,
	}
}

// NewOps builds the admin operations layer from the configuration, for every front end
// of a process (the CLI, the bot, the web console).
func NewOps(cfg config.Config, st *store.Store, version string) *admin.Ops {
	return &admin.Ops{Store: st, Location: cfg.Location, Poller: NewPoller(cfg, st, version), Admins: cfg.Admins}
}
