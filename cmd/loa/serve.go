package main

import (
	"log/slog"
	"os"

	"loa/app"
	"loa/config"
	"loa/store"
)

func serve(c *call) error {
	cfg, err := config.Load(c.getenv, os.ReadFile)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, c.stderr)
	if err := (&app.Service{Config: cfg, Log: log, Version: version}).Run(c.ctx); err != nil {
		log.Error("loa stopped", slog.String("error", err.Error()))
		return err
	}
	return nil
}

// migrate prepares the database as every command does (app.Prepare) and says what it
// applied.
func migrate(c *call) error {
	if len(c.applied) == 0 {
		return c.say("database is up to date (version %d)\n", store.LatestVersion())
	}
	return c.say("applied migrations %v; database is at version %d\n", c.applied, store.LatestVersion())
}
