package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"loa/chat"
)

// Admin is a loa administrator kept in the database (LOA_ADMINS adds more).
type Admin struct {
	ID        int64
	Channel   chat.Channel
	UserID    string
	Name      string
	CreatedAt time.Time
}

// ErrAdminExists is returned when the identity is already an admin.
var ErrAdminExists = errors.New("already an admin")

// AddAdmin makes a user an admin and records who did it.
func (s Audited) AddAdmin(ctx context.Context, a Admin) (Admin, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO admins (channel, user_id, name) VALUES ($1, $2, $3)
			ON CONFLICT (channel, user_id) DO NOTHING RETURNING id, created_at`, a.Channel, a.UserID, a.Name).Scan(&a.ID, &a.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrAdminExists
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, s.by, "admin.add", string(a.Channel)+":"+a.UserID, a.Name)
	})
	if err != nil {
		return Admin{}, fmt.Errorf("add admin %s:%s: %w", a.Channel, a.UserID, err)
	}
	return a, nil
}

// RemoveAdmin removes an admin and records who did it.
func (s Audited) RemoveAdmin(ctx context.Context, channel chat.Channel, userID string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM admins WHERE channel = $1 AND user_id = $2`, channel, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, s.by, "admin.remove", string(channel)+":"+userID, "")
	})
	if err != nil {
		return fmt.Errorf("remove admin %s:%s: %w", channel, userID, err)
	}
	return nil
}

// Admins lists the admins kept in the database.
func (s *Store) Admins(ctx context.Context) ([]Admin, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, channel, user_id, name, created_at FROM admins ORDER BY channel, id`)
	return collected(rows, err, "list admins", func(row pgx.CollectableRow) (Admin, error) {
		var a Admin
		err := row.Scan(&a.ID, &a.Channel, &a.UserID, &a.Name, &a.CreatedAt)
		return a, err
	})
}

// IsAdmin reports whether the user is an admin kept in the database.
func (s *Store) IsAdmin(ctx context.Context, channel chat.Channel, userID string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM admins WHERE channel = $1 AND user_id = $2)`,
		channel, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("is admin %s:%s: %w", channel, userID, err)
	}
	return ok, nil
}
