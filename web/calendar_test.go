package web

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"loa/calendar"
)

// TestCalendarTools: the Lịch kỷ niệm page answers what loa calendar convert, upcoming
// and banner answer, through the admin layer, with its Vietnamese refusals next to the
// form.
func TestCalendarTools(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if _, err := r.st.AddEvent(context.Background(), calendar.Event{Slug: "thanh-lap-tinh", Title: "Ngày thành lập tỉnh", Kind: calendar.Solar,
		Day: 10, Month: 12, FoundedYear: 1976, Category: calendar.Province, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := r.signIn("telegram", "1001")
	for _, tt := range []struct{ name, query, want string }{
		{"solar to lunar", "doi-ngay=10/8/2025", "Chủ nhật, 10/8/2025 dương lịch là ngày 17 tháng 6 nhuận năm Ất Tỵ (2025) âm lịch"},
		{"lunar to solar", "doi-ngay=10/3/2025&chieu=am", "Mùng 10 tháng 3 năm Ất Tỵ (2025) âm lịch là thứ Hai, 7/4/2025 dương lịch"},
		{"lunar date without a year", "doi-ngay=10/3&chieu=am", `<p class="field-error" role="alert">Ngày âm lịch chưa hợp lệ`},
		{"no such solar date", "doi-ngay=31/2/2025", `<p class="field-error" role="alert">Ngày chưa hợp lệ`},
		{"upcoming by default: 30 days from today", "", "Kỷ niệm 50 năm (năm tròn) Ngày thành lập tỉnh (10/12/1976 - 10/12/2026)"},
		{"upcoming from a day", "sap-toi-tu=2027-01-01&so-ngay=31", "Không có thông báo nào đến hết ngày 31/1/2027."},
		{"upcoming over too many days", "so-ngay=0", `<p class="field-error" role="alert">Số ngày phải từ 1 đến 3.660.`},
		{"upcoming with days not a number", "so-ngay=ba", `<p class="field-error" role="alert">Số ngày phải từ 1 đến 3.660.`},
		{"banner ending before it starts", "tu=2026-12-31&den=2026-12-01", "Ngày kết thúc phải từ ngày bắt đầu trở đi."},
		{"banner", "tu=2026-12-01&den=2026-12-31", "50 năm"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, body := do(t, c, "GET", r.srv.URL+"/lich?"+tt.query, nil)
			if code != http.StatusOK || !strings.Contains(html.UnescapeString(body), tt.want) {
				t.Errorf("GET /lich?%s: %d, want %q in\n%s", tt.query, code, tt.want, body)
			}
		})
	}
	// Exports, as loa calendar export writes them.
	for _, tt := range []struct {
		path string
		code int
		want string
	}{
		{"/lich/su-kien.csv", http.StatusOK, "thanh-lap-tinh"},
		{"/lich/su-kien.ics", http.StatusOK, "DTSTART;VALUE=DATE:20261210"},
		{"/lich/su-kien.ics?tu-nam=2030&den-nam=2031", http.StatusOK, "DTSTART;VALUE=DATE:20301210"},
		{"/lich/su-kien.ics?tu-nam=2031&den-nam=2030", http.StatusBadRequest, "Năm kết thúc chưa hợp lệ."},
	} {
		code, body := do(t, c, "GET", r.srv.URL+tt.path, nil)
		if code != tt.code || !strings.Contains(html.UnescapeString(body), tt.want) {
			t.Errorf("GET %s: %d, want %d with %q in\n%s", tt.path, code, tt.code, tt.want, body)
		}
	}
}
