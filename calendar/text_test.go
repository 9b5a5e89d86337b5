package calendar

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	goldenfile "loa/internal/golden"
)

// golden compares got with testdata/golden/name.txt, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, filepath.Join("testdata", "golden", name+".txt"), got)
}

// organisation is the portal's own organisation, which admins add.
var organisation = Event{
	Slug: "dang-bo-khoi-co-quan-doanh-nghiep", Kind: Solar, Day: 17, Month: 7, FoundedYear: 2019,
	Title: "thành lập Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh", Category: Organisation,
	AdvanceDays: DefaultAdvanceDays, Source: "Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh", Enabled: true,
}

// only returns the first non-advance (or advance) occurrence of slug in range.
func only(t *testing.T, events []Event, slug string, from, to Date, advance bool) Occurrence {
	t.Helper()
	for _, o := range Occurrences(events, from, to) {
		if o.Event.Slug == slug && o.Advance == advance {
			return o
		}
	}
	t.Fatalf("no occurrence of %s between %s and %s (advance %v)", slug, from, to, advance)
	return Occurrence{}
}

func TestNoticeText(t *testing.T) {
	t.Parallel()
	events := append(builtin(t), organisation)
	feb29 := Event{Slug: "feb29", Kind: Solar, Day: 29, Month: 2, FoundedYear: 2000, Title: "Ngày thành lập Chi bộ A", Category: Organisation, AdvanceDays: 7, Enabled: true}
	tatNien := Event{Slug: "tat-nien", Kind: Lunar, Day: 30, Month: 12, Title: "Lễ Tất niên", Category: Organisation, Enabled: true}
	lunarFounded := Event{Slug: "gio-dong-chi", Kind: Lunar, Day: 15, Month: 6, Leap: true, FoundedYear: 1995, Title: "Ngày giỗ đồng chí Nguyễn Văn A", Category: Organisation, AdvanceDays: 7, Enabled: true}
	noYear := Event{Slug: "thieu-nhi", Kind: Solar, Day: 1, Month: 6, Title: "Ngày Quốc tế Thiếu nhi", Category: National, Enabled: true}
	all := append(events, feb29, tatNien, lunarFounded, noYear)

	tests := []struct {
		golden   string
		slug     string
		from, to Date
		advance  bool
	}{
		{"solar", "bac-ho-ra-di-tim-duong-cuu-nuoc", d(2024, 6, 1), d(2024, 6, 30), false},
		{"round-ten", "quoc-khanh", d(2025, 9, 1), d(2025, 9, 30), false},
		{"round-five", "chinh-phu-cach-mang-lam-thoi", d(2024, 6, 1), d(2024, 6, 30), false},
		{"advance", "quoc-khanh", d(2025, 8, 1), d(2025, 8, 31), true},
		{"lunar", "gio-to-hung-vuong", d(2024, 1, 1), d(2024, 12, 31), false},
		{"tet-2024", "tet-nguyen-dan", d(2024, 1, 1), d(2024, 12, 31), false},
		{"tet-2025", "tet-nguyen-dan", d(2025, 1, 1), d(2025, 12, 31), false},
		{"organisation", "dang-bo-khoi-co-quan-doanh-nghiep", d(2024, 7, 1), d(2024, 7, 31), false},
		{"no-founding-year", "thieu-nhi", d(2024, 1, 1), d(2024, 12, 31), false},
		{"feb29-leap-year", "feb29", d(2024, 1, 1), d(2024, 12, 31), false},
		{"feb29-common-year", "feb29", d(2025, 1, 1), d(2025, 12, 31), false},
		{"lunar-day30-short-month", "tat-nien", d(2025, 1, 1), d(2025, 12, 31), false},
		{"lunar-leap-month-founded", "gio-dong-chi", d(2025, 1, 1), d(2025, 12, 31), false},
		{"lunar-leap-month-fallback-advance", "gio-dong-chi", d(2020, 1, 1), d(2020, 12, 31), true},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			text := NoticeText(only(t, all, tt.slug, tt.from, tt.to, tt.advance))
			golden(t, "notice-"+tt.golden, text+"\n")
		})
	}
}

// TestNoticeTextExact pins the wording the issue quotes, independent of the
// golden files.
func TestNoticeTextExact(t *testing.T) {
	t.Parallel()
	events := builtin(t)
	tests := []struct {
		slug    string
		on      Date
		advance bool
		want    string
	}{
		{"bac-ho-ra-di-tim-duong-cuu-nuoc", d(2024, 6, 5), false, "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)"},
		{"quoc-khanh", d(2025, 9, 2), false, "Kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (2/9/1945 - 2/9/2025)"},
		{"quoc-khanh", d(2025, 8, 26), true, "Còn 7 ngày nữa là đến kỷ niệm 80 năm (năm tròn) Ngày Quốc khánh nước Cộng hòa xã hội chủ nghĩa Việt Nam (2/9/1945 - 2/9/2025)"},
		{"gio-to-hung-vuong", d(2024, 4, 18), false, "Giỗ Tổ Hùng Vương (mùng 10 tháng 3 âm lịch, tức 18/4/2024)"},
		{"tet-nguyen-dan", d(2024, 2, 10), false, "Tết Nguyên đán Giáp Thìn 2024 (mùng 1 tháng Giêng âm lịch, tức 10/2/2024)"},
		{"tet-nguyen-dan", d(2025, 1, 29), false, "Tết Nguyên đán Ất Tỵ 2025 (mùng 1 tháng Giêng âm lịch, tức 29/1/2025)"},
		{"tet-nguyen-dan", d(2026, 2, 17), false, "Tết Nguyên đán Bính Ngọ 2026 (mùng 1 tháng Giêng âm lịch, tức 17/2/2026)"},
		{"giai-phong-mien-nam", d(2025, 4, 30), false, "Kỷ niệm 50 năm (năm tròn) Ngày Giải phóng miền Nam, thống nhất đất nước (30/4/1975 - 30/4/2025)"},
		{"thanh-lap-tinh-ninh-binh-2025", d(2030, 7, 1), false, "Kỷ niệm 5 năm (năm lẻ 5) Ngày thành lập tỉnh Ninh Bình trên cơ sở sắp xếp các tỉnh Hà Nam, Nam Định và Ninh Bình (1/7/2025 - 1/7/2030)"},
	}
	for _, tt := range tests {
		t.Run(tt.slug+"/"+tt.on.String(), func(t *testing.T) {
			t.Parallel()
			o := only(t, events, tt.slug, tt.on, tt.on, tt.advance)
			if got := NoticeText(o); got != tt.want {
				t.Errorf("NoticeText\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// seedBanner is the first line of the seed page, with its capitals restored.
const seedBanner = "Nhiệt liệt chào mừng kỷ niệm 5 năm thành lập Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh (17/7/2019 - 17/7/2024); " +
	"113 năm ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024); " +
	"76 năm ngày Chủ tịch Hồ Chí Minh ra lời kêu gọi thi đua ái quốc (11/6/1948 - 11/6/2024); " +
	"55 năm thành lập Chính phủ Cách mạng lâm thời Cộng hòa miền Nam Việt Nam (6/6/1969 - 6/6/2024)"

// TestBannerSeedPage: with the organisation in the calendar, June–July 2024
// greets the seed page's four anniversaries, the organisation's first, and
// those four alone read exactly as the seed page's banner.
func TestBannerSeedPage(t *testing.T) {
	t.Parallel()
	events := append(builtin(t), organisation)
	list := Occurrences(events, d(2024, 6, 1), d(2024, 7, 31))
	banner := Banner(list)
	golden(t, "banner-2024-06-07", banner+"\n")

	items := strings.Split(strings.TrimPrefix(seedBanner, "Nhiệt liệt chào mừng kỷ niệm "), "; ")
	if len(items) != 4 {
		t.Fatalf("seed banner has %d items", len(items))
	}
	if !strings.HasPrefix(banner, "Nhiệt liệt chào mừng kỷ niệm "+items[0]+"; ") {
		t.Errorf("banner does not open with the organisation's anniversary:\n%s", banner)
	}
	for _, item := range items {
		if !strings.Contains(banner, item) {
			t.Errorf("banner lacks %q:\n%s", item, banner)
		}
	}

	var four []Occurrence
	for _, o := range list {
		switch o.Event.Slug {
		case organisation.Slug, "bac-ho-ra-di-tim-duong-cuu-nuoc", "loi-keu-goi-thi-dua-ai-quoc", "chinh-phu-cach-mang-lam-thoi":
			four = append(four, o)
		}
	}
	if got := Banner(four); got != seedBanner {
		t.Errorf("Banner of the seed's four anniversaries\n got %s\nwant %s", got, seedBanner)
	}
}

func TestBannerEmptyAndSkips(t *testing.T) {
	t.Parallel()
	events := builtin(t)
	if got := Banner(nil); got != "" {
		t.Errorf("Banner(nil) = %q", got)
	}
	// Tết has no founding year and the advance notice is not an anniversary.
	list := Occurrences(events, d(2025, 1, 29), d(2025, 1, 29))
	list = append(list, only(t, events, "thanh-lap-dang", d(2025, 1, 27), d(2025, 1, 27), true))
	if got := Banner(list); got != "" {
		t.Errorf("Banner(Tết, advance notice) = %q, want empty", got)
	}
}

// TestNoticesForYear writes every notice of 2025 from the built-in calendar
// to a golden file, for a reader to check the wording at a glance.
func TestNoticesForYear(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, o := range Occurrences(append(builtin(t), organisation), d(2025, 1, 1), d(2025, 12, 31)) {
		b.WriteString(o.Date.DMY() + "\t" + NoticeText(o) + "\n")
	}
	golden(t, "notices-2025", b.String())
}

func FuzzNoticeText(f *testing.F) {
	f.Add("lunar", 30, 12, true, 2000, "Lễ Tất niên", 2025, 7)
	f.Add("solar", 29, 2, false, 1900, "Ngày A; B, C\\", 2100, 0)
	f.Add("solar", 5, 6, false, 1911, "Ngày Bác Hồ ra đi tìm đường cứu nước", 2024, 7)
	f.Fuzz(func(t *testing.T, kind string, day, month int, leap bool, founded int, title string, year, advance int) {
		e := Event{Slug: "fuzz", Kind: Kind(kind), Day: day, Month: month, Leap: leap, FoundedYear: founded,
			Title: title, Category: National, AdvanceDays: advance, Enabled: true}
		if e.Validate() != nil || year < 1 || year > 9990 {
			return
		}
		list := Occurrences([]Event{e}, d(year, 1, 1), d(year, 12, 31))
		if len(list) > 3 { // at most two lunar years touch a solar year, plus an advance notice
			t.Fatalf("%d occurrences of one event in %d", len(list), year)
		}
		for _, o := range list {
			s := NoticeText(o)
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\n") || !strings.Contains(s, title) {
				t.Fatalf("NoticeText = %q", s)
			}
		}
		if b := Banner(list); b != "" && !strings.HasPrefix(b, "Nhiệt liệt chào mừng kỷ niệm ") {
			t.Fatalf("Banner = %q", b)
		}
	})
}
