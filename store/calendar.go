package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"loa/calendar"
)

// ErrEventExists is returned when another event already uses the slug.
var ErrEventExists = errors.New("another event already uses this slug")

// ErrBuiltinSlug is returned when an edit would change the slug of a built-in event:
// seeding would then bring the old slug back as a second event. Disable it instead.
var ErrBuiltinSlug = errors.New("the slug of a built-in event cannot change (disable the event instead)")

const eventColumns = `id, slug, kind, day, month, leap, founded_year, title, category, advance_days, source, enabled, version`

func scanEvent(row pgx.Row) (calendar.Event, error) {
	var e calendar.Event
	var kind, category string
	err := row.Scan(&e.ID, &e.Slug, &kind, &e.Day, &e.Month, &e.Leap, &e.FoundedYear, &e.Title,
		&category, &e.AdvanceDays, &e.Source, &e.Enabled, &e.Version)
	e.Kind, e.Category = calendar.Kind(kind), calendar.Category(category)
	return e, err
}

// eventArgs are an event's columns after id, in eventColumns' order, as query arguments.
func eventArgs(e calendar.Event) []any {
	return []any{e.Slug, string(e.Kind), e.Day, e.Month, e.Leap, e.FoundedYear, e.Title,
		string(e.Category), e.AdvanceDays, e.Source, e.Enabled}
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// SeedBuiltinEvents inserts the built-in events (calendar.Builtin) whose slug is not in
// the table yet and reports how many it added. Rows already there are left alone, so an
// admin's edits and disables survive restarts; it is safe to call at every start, from
// several processes at once.
func (s *Store) SeedBuiltinEvents(ctx context.Context, events []calendar.Event) (added int, err error) {
	if len(events) == 0 {
		return 0, nil
	}
	var (
		slugs, kinds, titles, categories, sources []string
		days, months, founded, advance            []int32
		leaps, enabled                            []bool
	)
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return 0, fmt.Errorf("seed built-in event %q: %w", e.Slug, err)
		}
		slugs = append(slugs, e.Slug)
		kinds = append(kinds, string(e.Kind))
		days = append(days, int32(e.Day))
		months = append(months, int32(e.Month))
		leaps = append(leaps, e.Leap)
		founded = append(founded, int32(e.FoundedYear))
		titles = append(titles, e.Title)
		categories = append(categories, string(e.Category))
		advance = append(advance, int32(e.AdvanceDays))
		sources = append(sources, e.Source)
		enabled = append(enabled, e.Enabled)
	}
	// One statement: the rows keep the list's order (WITH ORDINALITY), so that built-in
	// ids follow the shipped file on a fresh install. NOT EXISTS leaves out the rows
	// already there before they take an id (every CLI command seeds: ON CONFLICT alone
	// would use up an id per built-in event each time); ON CONFLICT covers a concurrent
	// seed.
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO calendar_events (slug, kind, day, month, leap, founded_year, title, category,
			advance_days, source, enabled, builtin)
		SELECT slug, kind, day, month, leap, founded_year, title, category, advance_days, source, enabled, true
		FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::bool[], $6::int[], $7::text[],
			$8::text[], $9::int[], $10::text[], $11::bool[]) WITH ORDINALITY
			AS t (slug, kind, day, month, leap, founded_year, title, category, advance_days, source, enabled, n)
		WHERE NOT EXISTS (SELECT 1 FROM calendar_events c WHERE c.slug = t.slug)
		ORDER BY n
		ON CONFLICT (slug) DO NOTHING`,
		slugs, kinds, days, months, leaps, founded, titles, categories, advance, sources, enabled)
	if err != nil {
		return 0, fmt.Errorf("seed built-in events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Events lists the calendar's events by id: the enabled ones, or all of them.
func (s *Store) Events(ctx context.Context, includeDisabled bool) ([]calendar.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+eventColumns+` FROM calendar_events
		WHERE enabled OR $1 ORDER BY id`, includeDisabled)
	return collected(rows, err, "list events", rowTo(scanEvent))
}

// Event returns one event.
func (s *Store) Event(ctx context.Context, id int64) (calendar.Event, error) {
	e, err := scanEvent(s.pool.QueryRow(ctx, `SELECT `+eventColumns+` FROM calendar_events WHERE id = $1`, id))
	return found(e, err, "event", id)
}

// AddEvent stores an event (e.ID is ignored) and returns it with its id, unaudited
// (tests, seeding): an admin's goes through As(by).AddEvent. A slug already in use
// gives ErrEventExists.
func (s *Store) AddEvent(ctx context.Context, e calendar.Event) (calendar.Event, error) {
	return addEvent(ctx, s.pool, e)
}

func addEvent(ctx context.Context, q querier, e calendar.Event) (calendar.Event, error) {
	if err := e.Validate(); err != nil {
		return calendar.Event{}, err
	}
	out, err := scanEvent(q.QueryRow(ctx, `
		INSERT INTO calendar_events (slug, kind, day, month, leap, founded_year, title, category,
			advance_days, source, enabled)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (slug) DO NOTHING
		RETURNING `+eventColumns,
		eventArgs(e)...))
	if errors.Is(err, pgx.ErrNoRows) {
		return calendar.Event{}, fmt.Errorf("add event %q: %w", e.Slug, ErrEventExists)
	}
	if err != nil {
		return calendar.Event{}, fmt.Errorf("add event %q: %w", e.Slug, err)
	}
	return out, nil
}

// UpdateEvent replaces the fields of the event e.ID with e's, all but Enabled (which
// EnableEvent changes), when the event is still at e.Version, and records the change with
// detail. It gives ErrNotFound for a missing id, ErrStale when the event was edited since
// e.Version, ErrEventExists for a slug another event uses, and ErrBuiltinSlug for a new
// slug on a built-in event.
func (s Audited) UpdateEvent(ctx context.Context, e calendar.Event, detail string) (calendar.Event, error) {
	if err := e.Validate(); err != nil {
		return calendar.Event{}, err
	}
	var out calendar.Event
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var builtin bool
		var slug string
		var version int
		err := tx.QueryRow(ctx, `SELECT builtin, slug, version FROM calendar_events WHERE id = $1 FOR UPDATE`, e.ID).
			Scan(&builtin, &slug, &version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("event %d: %w", e.ID, ErrNotFound)
		case err != nil:
			return err
		case version != e.Version:
			return fmt.Errorf("event %d at version %d, not %d: %w", e.ID, version, e.Version, ErrStale)
		case builtin && slug != e.Slug:
			return fmt.Errorf("event %d (%s): %w", e.ID, slug, ErrBuiltinSlug)
		}
		args := eventArgs(e)
		out, err = scanEvent(tx.QueryRow(ctx, `
			UPDATE calendar_events SET slug = $2, kind = $3, day = $4, month = $5, leap = $6,
				founded_year = $7, title = $8, category = $9, advance_days = $10, source = $11,
				version = version + 1, updated_at = now()
			WHERE id = $1
			RETURNING `+eventColumns,
			append([]any{e.ID}, args[:len(args)-1]...)...))
		if isUniqueViolation(err) {
			return fmt.Errorf("slug %q: %w", e.Slug, ErrEventExists)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "event.edit", eventTarget(out), detail)
	})
	if err != nil {
		return calendar.Event{}, fmt.Errorf("update event %d: %w", e.ID, err)
	}
	return out, nil
}

// eventTarget names an event in the audit log.
func eventTarget(e calendar.Event) string { return fmt.Sprintf("event %d", e.ID) }

// AddEvent stores an admin's event (e.ID is ignored), records who added it, and returns
// it with its id. A slug already in use gives ErrEventExists.
func (s Audited) AddEvent(ctx context.Context, e calendar.Event) (calendar.Event, error) {
	var out calendar.Event
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if out, err = addEvent(ctx, tx, e); err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "event.add", eventTarget(out), out.Slug+": "+out.Title)
	})
	return out, err
}

// EnableEvent enables or disables an event, records who did it, and returns it.
func (s Audited) EnableEvent(ctx context.Context, id int64, enabled bool) (calendar.Event, error) {
	var out calendar.Event
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if out, err = setEventEnabled(ctx, tx, id, enabled); err != nil {
			return err
		}
		action := "event.disable"
		if enabled {
			action = "event.enable"
		}
		return audit(ctx, tx, s.by, action, eventTarget(out), out.Slug)
	})
	return out, err
}

// SetEventEnabled enables or disables an event and returns it, unaudited (tests): an
// admin's goes through As(by).EnableEvent.
func (s *Store) SetEventEnabled(ctx context.Context, id int64, enabled bool) (calendar.Event, error) {
	return setEventEnabled(ctx, s.pool, id, enabled)
}

func setEventEnabled(ctx context.Context, q querier, id int64, enabled bool) (calendar.Event, error) {
	e, err := scanEvent(q.QueryRow(ctx, `
		UPDATE calendar_events SET enabled = $2, updated_at = now()
		WHERE id = $1
		RETURNING `+eventColumns, id, enabled))
	return found(e, err, "event", id)
}

// ImportEvents stores a list of events (a CSV import) in one transaction, all or
// nothing, with one audit entry. An event whose slug exists replaces that row's fields,
// enabled included (a CSV without an enabled column enables every row it names), and
// its version goes up; its id and whether it is built-in stay. Other events are added.
// Events not in the list are left alone.
func (s Audited) ImportEvents(ctx context.Context, events []calendar.Event, source string) (added, updated int, err error) {
	seen := make(map[string]bool, len(events))
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return 0, 0, fmt.Errorf("import events: event %q: %w", e.Slug, err)
		}
		if seen[e.Slug] {
			return 0, 0, fmt.Errorf("import events: slug %q twice", e.Slug)
		}
		seen[e.Slug] = true
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, e := range events {
			// Update first: an INSERT … ON CONFLICT DO UPDATE would use up an id for
			// every row it updates.
			tag, err := tx.Exec(ctx, `
				UPDATE calendar_events SET kind = $2, day = $3, month = $4, leap = $5,
					founded_year = $6, title = $7, category = $8, advance_days = $9, source = $10,
					enabled = $11, version = version + 1, updated_at = now()
				WHERE slug = $1`, eventArgs(e)...)
			if err != nil {
				return fmt.Errorf("event %q: %w", e.Slug, err)
			}
			if tag.RowsAffected() == 1 {
				updated++
				continue
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO calendar_events (slug, kind, day, month, leap, founded_year, title,
					category, advance_days, source, enabled)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, eventArgs(e)...); err != nil {
				return fmt.Errorf("event %q: %w", e.Slug, err)
			}
			added++
		}
		return audit(ctx, tx, s.by, "event.import", source, fmt.Sprintf("%d added, %d updated", added, updated))
	})
	if err != nil {
		return 0, 0, fmt.Errorf("import events: %w", err)
	}
	return added, updated, nil
}

// ExistingBroadcasts reports which of the source keys already have a broadcast, so that
// a source that re-checks often (the calendar's minute tick) writes nothing when there
// is nothing new.
func (s *Store) ExistingBroadcasts(ctx context.Context, sourceKeys []string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `SELECT source_key FROM broadcasts WHERE source_key = ANY ($1)`, sourceKeys)
	return collectedSet[string](rows, err, "look up broadcasts")
}
