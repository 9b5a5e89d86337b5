package admin_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"loa/admin"
	"loa/calendar"
)

func TestCalendarViews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ops, _ := newOps(t)
	if _, err := ops.AddEvent(ctx, cli, admin.EventChange{Title: ptr("Ngày Bác Hồ ra đi tìm đường cứu nước"), Date: ptr("5/6/1911")}); err != nil {
		t.Fatal(err)
	}
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }

	banner, err := ops.Banner(ctx, day("1/6/2024"), day("30/6/2024"))
	if err != nil || !strings.Contains(banner, "113 năm") {
		t.Errorf("banner = %q, %v", banner, err)
	}
	occs, to, err := ops.Upcoming(ctx, calendar.Date{}, 7) // from t0, 5/6/2024
	if err != nil || len(occs) != 1 || to != day("11/6/2024") {
		t.Errorf("upcoming = %+v, %v, %v", occs, to, err)
	}
	var buf bytes.Buffer
	if err := ops.ExportEvents(ctx, &buf, admin.FormatICS, 0, 0); err != nil || !strings.Contains(buf.String(), "BEGIN:VCALENDAR") {
		t.Errorf("ics export: %v", err)
	}
	for _, tt := range []struct {
		name  string
		err   error
		field admin.Field
		code  admin.Code
	}{
		{"banner backwards", second(ops.Banner(ctx, day("2/6/2024"), day("1/6/2024"))), admin.FieldTo, admin.CodeInvalid},
		{"banner over ten years", second(ops.Banner(ctx, day("1/1/1000"), day("31/12/9000"))), admin.FieldTo, admin.CodeOutOfRange},
		{"upcoming 0 days", third(ops.Upcoming(ctx, calendar.Date{}, 0)), admin.FieldDays, admin.CodeOutOfRange},
		{"export format", ops.ExportEvents(ctx, &buf, "pdf", 0, 0), admin.FieldFormat, admin.CodeInvalid},
		{"csv with years", ops.ExportEvents(ctx, &buf, admin.FormatCSV, 2024, 0), admin.FieldFromYear, admin.CodeConflicting},
		{"years backwards", ops.ExportEvents(ctx, &buf, admin.FormatICS, 2025, 2024), admin.FieldToYear, admin.CodeOutOfRange},
		{"first year before 1", ops.ExportEvents(ctx, &buf, admin.FormatICS, -1, 2024), admin.FieldFromYear, admin.CodeOutOfRange},
		{"first year past 9998", ops.ExportEvents(ctx, &buf, admin.FormatICS, 10000, 0), admin.FieldFromYear, admin.CodeOutOfRange},
		{"last year past 9998", ops.ExportEvents(ctx, &buf, admin.FormatICS, 2024, 9999), admin.FieldToYear, admin.CodeOutOfRange},
		{"date", second(admin.ParseDate("mai", admin.FieldFrom)), admin.FieldFrom, admin.CodeInvalid},
		{"no leap month", third(admin.ConvertDate("17/6/2024", true, true)), admin.FieldLunar, admin.CodeInvalid},
		{"lunar years", third(admin.ConvertDate("1/1/2500", false, false)), admin.FieldDate, admin.CodeOutOfRange},
	} {
		t.Run(tt.name, func(t *testing.T) { fieldError(t, tt.err, tt.field, tt.code) })
	}
	if _, err := ops.Banner(ctx, day("1/1/2020"), day("1/1/2020").AddDays(admin.MaxUpcomingDays-1)); err != nil {
		t.Errorf("a banner over ten years to the day: %v", err)
	}
	if msg := admin.Message(second(ops.Banner(ctx, day("1/1/1000"), day("31/12/9000")))); !strings.Contains(msg, "mười năm") {
		t.Errorf("a banner over too long a period says %q; want the longest period named", msg)
	}
	if d, l, err := admin.ConvertDate("10/3/2024", true, false); err != nil || d != day("18/4/2024") || l.Day != 10 {
		t.Errorf("Giỗ Tổ 2024: %v, %v, %v", d, l, err)
	}
}

func second[A any](_ A, err error) error        { return err }
func third[A, B any](_ A, _ B, err error) error { return err }
