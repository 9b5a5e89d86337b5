// Package admin is every action an admin takes on loa, whichever front end it comes
// through: the CLI, the chat bot or the web console. Front ends translate between people
// and these operations and hold no rule of their own; the rules live here and the SQL in
// store.
//
// Each operation takes the acting admin (Actor, with the front end it came through) and
// is recorded in the audit log in the transaction of the change (store.Audited). Bad
// input is refused before anything is written, with a *FieldError naming the field and
// why; other refusals are typed too (ErrNotFound, ErrNotAuthor, ErrConflict, …).
// Message gives the Vietnamese wording of any of them, for the bot and the web console;
// Error gives English, for the CLI and logs.
//
// Edits are optimistic: an announcement, a calendar event or a feed carries a version,
// an edit names the version the admin saw (0: whatever is current, for the CLI, which
// shows no form), and a stale edit is refused with a *ConflictError saying what changed
// meanwhile and who changed it, never silently overwriting.
//
// One grammar for what admins type lives here too: ParseWhen and ParseClock (dates and
// times of day, "5/6/2024 7h30" as well as "2024-06-05 07:00"), ParseID ("12", "#12"),
// CheckText (the announcement check), CheckTopic, and Repeat (daily, weekly, monthly and
// yearly schedules as cron expressions). Folding Vietnamese text is calendar.Fold.
package admin
