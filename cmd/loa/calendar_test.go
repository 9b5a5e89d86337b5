package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"loa/admin"
	"loa/calendar"
)

// orgTitle is the portal's own organisation, as an admin adds it.
const orgTitle = "thành lập Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh"

func (c *cli) events(args ...string) []admin.EventView {
	c.t.Helper()
	var es []admin.EventView
	if err := json.Unmarshal([]byte(c.ok(append([]string{"calendar", "list", "--json"}, args...)...)), &es); err != nil {
		c.t.Fatal(err)
	}
	return es
}

func (c *cli) event(slug string) admin.EventView {
	c.t.Helper()
	for _, e := range c.events("--all") {
		if e.Slug == slug {
			return e
		}
	}
	c.t.Fatalf("no event %q", slug)
	return admin.EventView{}
}

func builtinCount(t *testing.T) int {
	t.Helper()
	events, err := calendar.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func TestCalendarAddListEditDisable(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	n := builtinCount(t)

	// A fresh install lists the built-in calendar.
	es := c.events()
	if len(es) != n || es[0].Slug != "tet-nguyen-dan" || es[0].Date != "1/1 âm lịch" || es[0].Source == "" {
		t.Fatalf("fresh list: %d events, first %+v", len(es), es[0])
	}
	table := c.ok("calendar", "list")
	for _, want := range []string{"SLUG", "gio-to-hung-vuong", "10/3 âm lịch", "5/6", "1911", "Nghị định 145/2013/NĐ-CP"} {
		if !strings.Contains(table, want) {
			t.Errorf("calendar list lacks %q", want)
		}
	}

	out := c.ok("calendar", "add", "--title", orgTitle, "--date", "17/7/2019", "--source", "Quyết định của Tỉnh ủy")
	if !strings.Contains(out, "added event ") || !strings.Contains(out, "thanh-lap-dang-bo-khoi-co-quan-va-doanh-nghiep-tinh") ||
		!strings.Contains(out, "next notice: ") {
		t.Fatalf("add: %s", out)
	}
	org := c.event("thanh-lap-dang-bo-khoi-co-quan-va-doanh-nghiep-tinh")
	want := admin.EventView{ID: org.ID, Slug: org.Slug, Kind: "solar", Day: 17, Month: 7, Date: "17/7", FoundedYear: 2019,
		Title: orgTitle, Category: "organisation", AdvanceDays: 7, Enabled: true, Source: "Quyết định của Tỉnh ủy"}
	if org != want {
		t.Fatalf("added %+v, want %+v", org, want)
	}
	if errs := c.fails(1, "another event already uses this slug", "calendar", "add", "--title", orgTitle, "--date", "17/7"); !strings.Contains(errs, "--slug") {
		t.Fatalf("second add does not name --slug: %s", errs)
	}

	lunar := c.ok("calendar", "add", "--title", "Ngày giỗ", "--lunar", "30/6", "--leap", "--slug", "ngay-gio",
		"--category", "province", "--advance", "0")
	if !strings.Contains(lunar, "(30/6 nhuận âm lịch), province") {
		t.Errorf("add lunar: %s", lunar)
	}

	// Edit changes what the flags say, nothing else.
	id := idArg(org.ID)
	c.ok("calendar", "edit", id, "--advance", "10", "--source", "")
	got := c.event(org.Slug)
	want.AdvanceDays, want.Source = 10, ""
	if got != want {
		t.Fatalf("edited %+v, want %+v", got, want)
	}
	c.ok("calendar", "edit", id, "--lunar", "1/2", "--founded", "0")
	if got := c.event(org.Slug); got.Kind != "lunar" || got.Day != 1 || got.Month != 2 || got.FoundedYear != 0 || got.Title != orgTitle {
		t.Fatalf("edited to lunar: %+v", got)
	}
	c.ok("calendar", "edit", id, "--date", "17/7", "--founded", "2019")

	// Disable hides it from the list and from banners; enable brings it back.
	if out := c.ok("calendar", "disable", id); !strings.Contains(out, "disabled event "+id) {
		t.Errorf("disable: %s", out)
	}
	if len(c.events()) != n+1 || c.event(org.Slug).Enabled {
		t.Errorf("after disable: %d enabled events", len(c.events()))
	}
	if b := c.ok("calendar", "banner", "--from", "2024-07-17", "--to", "2024-07-17"); strings.Contains(b, "Đảng bộ Khối") {
		t.Errorf("a disabled event in the banner: %s", b)
	}
	c.ok("calendar", "enable", id)
	if len(c.events()) != n+2 {
		t.Errorf("after enable: %d enabled events", len(c.events()))
	}
	// Built-in events keep their slug; missing ids are reported.
	c.fails(1, "slug of a built-in event cannot change", "calendar", "edit", "1", "--slug", "tet")
	c.fails(1, "event 999: not found", "calendar", "disable", "999")
	// Reopening (and so re-seeding) keeps the admin's changes.
	c.ok("calendar", "disable", "1")
	if c.event("tet-nguyen-dan").Enabled || len(c.events("--all")) != n+2 {
		t.Errorf("re-seeding undid a disable or added events: %d", len(c.events("--all")))
	}
}

func idArg(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

func TestCalendarUsageErrors(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	for _, tt := range []struct {
		want string
		args []string
	}{
		{"calendar needs a subcommand", []string{"calendar"}},
		{`unknown calendar subcommand "remove"`, []string{"calendar", "remove", "1"}},
		{"calendar add needs --title", []string{"calendar", "add", "--date", "1/1"}},
		{"calendar add needs --date", []string{"calendar", "add", "--title", "x"}},
		{"not both", []string{"calendar", "add", "--title", "x", "--date", "1/1", "--lunar", "1/1"}},
		{"--leap is for lunar dates", []string{"calendar", "add", "--title", "x", "--date", "1/1", "--leap"}},
		{"day 31 does not exist in month 4", []string{"calendar", "add", "--title", "x", "--date", "31/4"}},
		{"lunar day 31 outside 1–30", []string{"calendar", "add", "--title", "x", "--lunar", "31/1"}},
		{"want day/month", []string{"calendar", "add", "--title", "x", "--date", "mùng 1"}},
		{"--founded says 2020", []string{"calendar", "add", "--title", "x", "--date", "1/1/2019", "--founded", "2020"}},
		{`category "party"`, []string{"calendar", "add", "--title", "x", "--date", "1/1", "--category", "party"}},
		{"advance days 400", []string{"calendar", "add", "--title", "x", "--date", "1/1", "--advance", "400"}},
		{`slug "Bad Slug"`, []string{"calendar", "add", "--title", "x", "--date", "1/1", "--slug", "Bad Slug"}},
		{"calendar edit needs ID", []string{"calendar", "edit"}},
		{`"x" is not an event id`, []string{"calendar", "edit", "x", "--title", "y"}},
		{"nothing to change", []string{"calendar", "edit", "1"}},
		{"calendar disable needs ID", []string{"calendar", "disable"}},
		{"calendar import needs FILE.csv", []string{"calendar", "import"}},
		{`--format "pdf": want csv or ics`, []string{"calendar", "export", "--format", "pdf"}},
		{"--from-year is for the ics format", []string{"calendar", "export", "--from-year", "2024"}},
		{"want the first year ≤ the last", []string{"calendar", "export", "--format", "ics", "--from-year", "2025", "--to-year", "2024"}},
		{"calendar banner needs --to", []string{"calendar", "banner", "--from", "1/6/2024"}},
		{`--to "31/6/2024"`, []string{"calendar", "banner", "--from", "1/6/2024", "--to", "31/6/2024"}},
		{"is before the first day", []string{"calendar", "banner", "--from", "1/7/2024", "--to", "1/6/2024"}},
		{`--days "0": want 1 to`, []string{"calendar", "upcoming", "--days", "0"}},
		{`--from "tomorrow"`, []string{"calendar", "upcoming", "--from", "tomorrow"}},
		{"calendar list takes no arguments", []string{"calendar", "list", "all"}},
	} {
		c.usageError(tt.want, tt.args...)
	}
}

func TestCalendarImportIsAllOrNothing(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	n := builtinCount(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.csv", "slug,kind,day,month,founded_year,title,category,source\n"+
		"dang-bo-khoi,solar,17,7,2019,"+orgTitle+",organisation,Tỉnh ủy\n"+
		"quoc-khanh,solar,2,9,1945,Ngày Quốc khánh,national,\n")
	out := c.ok("calendar", "import", good)
	if !strings.Contains(out, "imported 2 events from "+good+": 1 added, 1 updated") {
		t.Fatalf("import: %s", out)
	}
	if e := c.event("quoc-khanh"); e.Title != "Ngày Quốc khánh" || e.Source != "" {
		t.Errorf("updated by import: %+v", e)
	}
	if e := c.event("dang-bo-khoi"); e.FoundedYear != 2019 || e.AdvanceDays != calendar.DefaultAdvanceDays {
		t.Errorf("added by import: %+v", e)
	}

	bad := write("bad.csv", "slug,kind,day,month,title,category\n"+
		"ngay-mot,solar,1,1,Ngày một,national\n"+
		"ngay-hai,solar,31,4,Ngày hai,national\n"+
		"ngay-ba,lunar,1,1,Ngày ba,nation\n")
	errs := c.fails(1, "nothing imported", "calendar", "import", bad)
	if !strings.Contains(errs, "line 3: invalid event: day 31 does not exist in month 4") || !strings.Contains(errs, "line 4:") {
		t.Fatalf("bad file: the lines at fault are not named: %s", errs)
	}
	if got := len(c.events("--all")); got != n+1 {
		t.Fatalf("a bad file changed the calendar: %d events, want %d", got, n+1)
	}
	c.fails(1, "no such file", "calendar", "import", filepath.Join(dir, "missing.csv"))
}

func TestCalendarExport(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("calendar", "add", "--title", orgTitle, "--date", "17/7/2019", "--slug", "dang-bo-khoi")
	c.ok("calendar", "disable", idArg(c.event("dang-bo-khoi").ID))

	// CSV: every event, disabled ones included; importing it elsewhere gives the same
	// calendar.
	exported := filepath.Join(t.TempDir(), "calendar.csv")
	if err := os.WriteFile(exported, []byte(c.ok("calendar", "export", "--format", "csv")), 0o600); err != nil {
		t.Fatal(err)
	}
	other := newCLI(t)
	if out := other.ok("calendar", "import", exported); !strings.Contains(out, "1 added") {
		t.Fatalf("import of the export: %s", out)
	}
	a, b := c.events("--all"), other.events("--all")
	if len(a) != len(b) {
		t.Fatalf("round trip: %d events, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("round trip: %+v, want %+v", b[i], a[i])
		}
	}

	// iCalendar: enabled events, lunar ones year by year.
	ics := c.ok("calendar", "export", "--format", "ics", "--from-year", "2024", "--to-year", "2025")
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:gio-to-hung-vuong-2024@loa\r\n", "DTSTART;VALUE=DATE:20240418\r\n",
		"UID:gio-to-hung-vuong-2025@loa\r\n", "UID:quoc-khanh@loa\r\n", "RRULE:FREQ=YEARLY\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Errorf("ics lacks %q", want)
		}
	}
	if strings.Contains(ics, "dang-bo-khoi") || strings.Contains(ics, "-2026@loa") {
		t.Errorf("ics has a disabled event or a year out of range")
	}
}

// TestCalendarBannerSeedPage is issue 4's "done when": with the built-in calendar and the
// portal's organisation, the banner for June–July 2024 carries the seed page's four
// anniversaries with the right years and dates, the organisation's first.
func TestCalendarBannerSeedPage(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.ok("calendar", "add", "--title", orgTitle, "--date", "17/7", "--founded", "2019", "--category", "organisation")
	banner := strings.TrimSuffix(c.ok("calendar", "banner", "--from", "1/6/2024", "--to", "31/7/2024"), "\n")
	seed := []string{
		"5 năm thành lập Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh (17/7/2019 - 17/7/2024)",
		"113 năm ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)",
		"76 năm ngày Chủ tịch Hồ Chí Minh ra lời kêu gọi thi đua ái quốc (11/6/1948 - 11/6/2024)",
		"55 năm thành lập Chính phủ Cách mạng lâm thời Cộng hòa miền Nam Việt Nam (6/6/1969 - 6/6/2024)",
	}
	if !strings.HasPrefix(banner, "Nhiệt liệt chào mừng kỷ niệm "+seed[0]+"; ") {
		t.Errorf("banner does not open with the organisation's anniversary:\n%s", banner)
	}
	items := strings.Split(strings.TrimPrefix(banner, "Nhiệt liệt chào mừng kỷ niệm "), "; ")
	for _, want := range seed {
		found := false
		for _, it := range items {
			found = found || it == want
		}
		if !found {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	// Only June and July 2024: nothing from August, and every item is a 2024 date.
	for _, it := range items {
		if !strings.HasSuffix(it, "/6/2024)") && !strings.HasSuffix(it, "/7/2024)") {
			t.Errorf("banner item outside June–July 2024: %q", it)
		}
	}
	if out := c.ok("calendar", "banner", "--from", "2024-01-04", "--to", "2024-01-05"); out != "" {
		t.Errorf("banner of a range without anniversaries: %q", out)
	}
}

func TestCalendarUpcoming(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	var got []admin.OccurrenceView
	if err := json.Unmarshal([]byte(c.ok("calendar", "upcoming", "--from", "10/4/2024", "--days", "28", "--json")), &got); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range got {
		lines = append(lines, o.Date.String()+" "+o.Slug)
		if o.Notice == "" || o.Date.Before(calendar.Date{Year: 2024, Month: 4, Day: 10}) || o.Date.After(calendar.Date{Year: 2024, Month: 5, Day: 7}) {
			t.Errorf("occurrence %+v", o)
		}
	}
	for _, want := range []string{"2024-04-18 gio-to-hung-vuong", "2024-04-30 chien-thang-dien-bien-phu", "2024-05-07 chien-thang-dien-bien-phu"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("upcoming lacks %s:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, o := range got {
		switch {
		case o.Slug == "gio-to-hung-vuong":
			if o.Lunar == nil || *o.Lunar != (calendar.LunarDate{Day: 10, Month: 3, Year: 2024}) || o.Years != 0 {
				t.Errorf("Giỗ Tổ: %+v", o)
			}
		case o.Slug == "chien-thang-dien-bien-phu" && o.Advance:
			if o.Anniversary.String() != "2024-05-07" || o.Years != 70 || o.Round != calendar.RoundTen ||
				!strings.HasPrefix(o.Notice, "Còn 7 ngày nữa là đến kỷ niệm 70 năm (năm tròn)") {
				t.Errorf("advance notice: %+v", o)
			}
		}
	}
	table := c.ok("calendar", "upcoming", "--from", "2024-04-10", "--days", "28")
	for _, want := range []string{"DATE", "18/4/2024", "mùng 10 tháng 3 âm lịch", "năm tròn", "Kỷ niệm 70 năm (năm tròn) Ngày Chiến thắng Điện Biên Phủ (7/5/1954 - 7/5/2024)"} {
		if !strings.Contains(table, want) {
			t.Errorf("upcoming lacks %q:\n%s", want, table)
		}
	}
	// Today by default.
	if out := c.ok("calendar", "upcoming", "--days", "366"); !strings.Contains(out, "Quốc khánh") {
		t.Errorf("a year from today lacks Quốc khánh:\n%s", out)
	}
}

func TestCalendarConvert(t *testing.T) {
	t.Parallel()
	// No database: convert works without LOA_DATABASE_URL.
	c := &cli{t: t, env: map[string]string{}}
	const leap = `{"solar":"2025-08-10","lunar":{"day":17,"month":6,"year":2025,"leap":true}}` + "\n"
	for _, args := range [][]string{
		{"calendar", "convert", "2025-08-10", "--json"},
		{"calendar", "convert", "10/8/2025", "--json"},
		{"calendar", "convert", "--to-solar", "17/6/2025", "--leap", "--json"},
		{"calendar", "convert", "--json", "--to-solar", "2025-06-17", "--leap"},
	} {
		if got := c.ok(args...); got != leap {
			t.Errorf("loa %s = %s, want %s", strings.Join(args, " "), got, leap)
		}
	}
	if got := c.ok("calendar", "convert", "--to-solar", "17/6/2025", "--json"); got != `{"solar":"2025-07-11","lunar":{"day":17,"month":6,"year":2025,"leap":false}}`+"\n" {
		t.Errorf("regular month 6: %s", got)
	}
	if got := c.ok("calendar", "convert", "10/2/2024"); got != "Thứ Bảy, 10/2/2024 dương lịch là mùng 1 tháng Giêng năm Giáp Thìn (2024) âm lịch\n" {
		t.Errorf("Tết 2024: %q", got)
	}
	if got := c.ok("calendar", "convert", "--to-solar", "10/3/2024"); got != "mùng 10 tháng 3 năm Giáp Thìn (2024) âm lịch là Thứ Năm, 18/4/2024 dương lịch\n" {
		t.Errorf("Giỗ Tổ 2024: %q", got)
	}
	for _, tt := range []struct {
		want string
		args []string
	}{
		{"lunar year 2024 (Giáp Thìn) has no leap month 6", []string{"calendar", "convert", "--to-solar", "17/6/2024", "--leap"}},
		{"no day 30", []string{"calendar", "convert", "--to-solar", "30/1/2024"}},
		{"month 13 outside 1–12", []string{"calendar", "convert", "--to-solar", "1/13/2024"}},
		{"want day/month/year", []string{"calendar", "convert", "--to-solar", "mùng 1 Tết"}},
		{"February 2024 has no day 30", []string{"calendar", "convert", "30/2/2024"}},
		{"computed for 1900–2199", []string{"calendar", "convert", "1/1/2500"}},
		{"--leap is for a lunar date", []string{"calendar", "convert", "1/1/2024", "--leap"}},
		{"calendar convert needs DATE", []string{"calendar", "convert"}},
	} {
		c.usageError(tt.want, tt.args...)
	}
}
