package admin_test

import (
	"testing"
	"time"

	"loa/admin"
)

func TestParseWhen(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"2024-06-05 07:00":  "2024-06-05 07:00",
		"5/6/2024 07:00":    "2024-06-05 07:00",
		"05/06/2024 7h30":   "2024-06-05 07:30",
		"5/6/2024 7h":       "2024-06-05 07:00",
		"07:00 5/6/2024":    "2024-06-05 07:00",
		" 5/6/2024  7:05 ":  "2024-06-05 07:05",
		"2024-06-05":        "2024-06-05 00:00",
		"5/6/2024 7H30":     "2024-06-05 07:30",
		"5/6/2024 24:00":    "",
		"5/6/2024 7:5":      "",
		"5/6 07:00":         "",
		"31/6/2024 07:00":   "",
		"5/6/2024 07:00 xx": "",
		"":                  "",
	} {
		got, err := admin.ParseWhen(in, hcm)
		switch {
		case want == "" && err == nil:
			t.Errorf("ParseWhen(%q) = %v, want an error", in, got)
		case want != "" && (err != nil || got.Format("2006-01-02 15:04") != want || got.Location() != hcm):
			t.Errorf("ParseWhen(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"12": 12, "#12": 12, " 7 ": 7, "0": 0, "-1": 0, "1e3": 0, "": 0, "99999999999999999999": 0} {
		got, err := admin.ParseID(in)
		if (want == 0) != (err != nil) || got != want {
			t.Errorf("ParseID(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestRepeatCron(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    admin.Repeat
		want string
	}{
		{admin.Repeat{Every: admin.Daily, Time: "07:00"}, "0 7 * * *"},
		{admin.Repeat{Every: admin.Weekly, Weekdays: []time.Weekday{time.Friday, time.Monday, time.Monday}, Time: "7h30"}, "30 7 * * 1,5"},
		{admin.Repeat{Every: admin.Monthly, Day: 31, Time: "08:15"}, "15 8 31 * *"},
		{admin.Repeat{Every: admin.Yearly, Day: 29, Month: time.February, Time: "6h"}, "0 6 29 2 *"},
		{admin.Repeat{Every: admin.Monthly, Day: 0, Time: "07:00"}, ""},
		{admin.Repeat{Every: "hourly", Time: "07:00"}, ""},
	} {
		got, err := tt.r.Cron()
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("%+v.Cron() = %q, %v; want %q", tt.r, got, err, tt.want)
		}
	}
}

func TestFieldErrorInEnglish(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		e           admin.FieldError
		name, other string
		want        string
	}{
		{admin.FieldError{Field: admin.FieldText, Code: admin.CodeRequired}, "--text", "", "needs --text"},
		{admin.FieldError{Field: admin.FieldText, Code: admin.CodeTooLong, N: 8001, Limit: 8000}, "--text", "", "--text is 8001 characters; at most 8000"},
		{admin.FieldError{Field: admin.FieldURL, Code: admin.CodeInvalid, Value: "ftp://x", Reason: "is not an http:// or https:// URL"}, "", "", `"ftp://x" is not an http:// or https:// URL`},
		{admin.FieldError{Field: admin.FieldChannel, Code: admin.CodeInvalid, Value: "viber", Reason: "want telegram or zalo"}, "--channel", "", `--channel "viber": want telegram or zalo`},
		{admin.FieldError{Field: admin.FieldCron, Code: admin.CodeConflicting, Other: admin.FieldAt}, "--cron", "--at", "give --at or --cron, not both"},
		{admin.FieldError{Field: admin.FieldLeap, Code: admin.CodeConflicting, Other: admin.FieldDate, Reason: "is for lunar dates"}, "--leap", "--date", "--leap is for lunar dates"},
		{admin.FieldError{Field: admin.FieldURL, Code: admin.CodeTaken, Value: "https://x/rss"}, "", "", `"https://x/rss" is already configured`},
		{admin.FieldError{Field: admin.FieldURL, Code: admin.CodeNotFeed, Value: "https://x", Reason: "HTTP 404 Not Found"}, "", "", `"https://x" is not a feed: HTTP 404 Not Found`},
	} {
		if got := tt.e.ErrorAs(tt.name, tt.other); got != tt.want {
			t.Errorf("ErrorAs(%q, %q) = %q, want %q", tt.name, tt.other, got, tt.want)
		}
	}
}
