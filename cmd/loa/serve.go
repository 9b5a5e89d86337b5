package main

import (
	"fmt"
	"log/slog"
	"os"

	"loa/app"
	"loa/config"
	"loa/store"
)

func (e env) serve(args []string) error {
	if _, err := parseArgs(newFlags("serve"), args); err != nil {
		return err
	}
	cfg, err := config.Load(e.getenv, os.ReadFile)
	if err != nil {
		return err
	}
	log := app.NewLogger(cfg, e.stderr)
	svc := &app.Service{Config: cfg, Log: log, Version: version}
	if err := svc.Run(e.ctx); err != nil {
		log.Error("loa stopped", slog.String("error", err.Error()))
		return err
	}
	return nil
}

func (e env) migrate(args []string) error {
	if _, err := parseArgs(newFlags("migrate"), args); err != nil {
		return err
	}
	cfg, err := config.Load(e.getenv, os.ReadFile)
	if err != nil {
		return err
	}
	st, err := store.Open(e.ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(e.ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "database is up to date (version %d)\n", store.LatestVersion())
		return nil
	}
	fmt.Fprintf(e.stdout, "applied migrations %v; database is at version %d\n", applied, store.LatestVersion())
	return nil
}
