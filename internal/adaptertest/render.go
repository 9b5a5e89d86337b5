package adaptertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"loa/broadcast"
	"loa/internal/golden"
)

// LongSummary is a real-looking article body several messages long (on either
// messenger), with paragraphs to cut at and characters to escape.
func LongSummary() string {
	paras := []string{
		"Sáng 5/6, Ban Thường vụ Tỉnh ủy tổ chức hội nghị sơ kết công tác 6 tháng đầu năm, triển khai nhiệm vụ trọng tâm 6 tháng cuối năm 2024. Dự hội nghị có các đồng chí Ủy viên Ban Thường vụ, lãnh đạo các sở, ban, ngành & đoàn thể tỉnh.",
		"Theo báo cáo, tăng trưởng kinh tế (GRDP) ước đạt 8,2% <cao hơn cùng kỳ>; thu ngân sách nhà nước đạt 56% dự toán; công tác xây dựng Đảng, hệ thống chính trị tiếp tục được chú trọng.",
		"Phát biểu chỉ đạo, đồng chí Bí thư Tỉnh ủy nhấn mạnh: \"Các cấp ủy, tổ chức đảng cần bám sát nghị quyết, tập trung tháo gỡ khó khăn, vướng mắc cho doanh nghiệp, đẩy nhanh tiến độ giải ngân vốn đầu tư công.\"",
	}
	var sb strings.Builder
	for i := 0; i < 14; i++ {
		if i > 0 {
			sb.WriteString("\n\n")
		}
		fmt.Fprintf(&sb, "%d. %s", i+1, paras[i%len(paras)])
	}
	return sb.String()
}

// GoldenCase is a broadcast whose rendering is kept in a golden file, Name plus the
// adapter's extension, in testdata/golden.
type GoldenCase struct {
	Name    string
	Content broadcast.Content
}

// GoldenCases are the broadcasts both adapters keep renderings of, in this order: an
// article whose every piece needs escaping in HTML, a notice of each kind with a
// mark, and an article several messages long (its summary LongSummary repeated long
// times, to pass the adapter's limit); then the adapter's own cases, extra. Topics
// do not show in a rendering.
func GoldenCases(long int, extra ...GoldenCase) []GoldenCase {
	return append([]GoldenCase{
		{Name: "article_escaping", Content: broadcast.Content{
			Kind:    "article",
			Topic:   "tin-tuc",
			Title:   "Hà Nam & Ninh Bình <2025>",
			Summary: "Hai tỉnh bàn việc \"hợp nhất\" & sắp xếp đơn vị hành chính; <script>alert(1)</script> không được chạy.\r\n\r\n\r\nĐoạn thứ hai.  ",
			Link:    "https://tinhuy.example.vn/tin-tuc/ha-nam-ninh-binh?id=2025&lang=vi",
		}},
		{Name: "anniversary", Content: broadcast.Content{
			Kind:    "anniversary",
			Topic:   "ky-niem",
			Title:   "Kỷ niệm 113 năm Ngày Bác Hồ ra đi tìm đường cứu nước (5/6/1911 - 5/6/2024)",
			Summary: "Ngày 5/6/1911, tại Bến cảng Nhà Rồng, người thanh niên yêu nước Nguyễn Tất Thành rời Tổ quốc ra đi tìm đường cứu nước.",
		}},
		{Name: "announcement", Content: broadcast.Content{
			Kind:    "announcement",
			Topic:   "thong-bao",
			Summary: "Kính gửi các đồng chí đảng viên,\nVăn phòng Tỉnh ủy thông báo lịch sinh hoạt chi bộ tháng 6 vào 14h00 thứ Sáu, ngày 14/6/2024.\n\nTrân trọng.",
		}},
		{Name: "long_article", Content: broadcast.Content{
			Kind:    "article",
			Topic:   "tin-tuc",
			Title:   "Hội nghị sơ kết 6 tháng đầu năm 2024",
			Summary: strings.Repeat(LongSummary()+"\n\n", long),
			Link:    "https://tinhuy.example.vn/tin-tuc/so-ket-6-thang",
		}},
	}, extra...)
}

// RenderGolden renders each case and compares its parts with the golden file, each
// part under a line that numbers it and gives its length as measure says it (measure
// also checks the part: valid, not empty, within the limit). The golden directory
// must hold nothing else, so a stale file from a renamed case is noticed. Run with
// -update to rewrite the files.
func RenderGolden(t *testing.T, cases []GoldenCase, render func(broadcast.Content) []string, ext string,
	measure func(t testing.TB, part string) string) {
	t.Helper()
	names := map[string]bool{}
	for _, tc := range cases {
		names[tc.Name+ext] = true
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			parts := render(tc.Content)
			var sb strings.Builder
			for i, p := range parts {
				fmt.Fprintf(&sb, "----- part %d of %d: %s -----\n%s\n", i+1, len(parts), measure(t, p), p)
			}
			golden.Check(t, filepath.Join("testdata", "golden", tc.Name+ext), sb.String())
		})
	}
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !names[filepath.Base(f)] {
			t.Errorf("stale golden file %s", f)
		}
	}
}

// KindCase is a broadcast and the text a member sees of it, in one message.
type KindCase struct {
	Content broadcast.Content
	Want    string
}

// RenderKinds: a notice is headed by its kind's mark and its title (or the kind's
// name), an article by its title alone; titles are made one clean line, links that
// are no http(s) URL are dropped, broken bytes and control characters go; an article
// with nothing to show renders to nothing. visible returns what a member sees of each
// part the adapter renders (checking each); the adapter adds cases of its own.
func RenderKinds(t *testing.T, visible func(t testing.TB, c broadcast.Content) []string, extra ...KindCase) {
	t.Helper()
	cases := append([]KindCase{
		{broadcast.Content{Kind: "announcement", Summary: "Họp chi bộ lúc 14h."}, "📢 Thông báo\n\nHọp chi bộ lúc 14h."},
		{broadcast.Content{Kind: "announcement", Title: "Lịch họp", Summary: "Họp chi bộ lúc 14h."}, "📢 Lịch họp\n\nHọp chi bộ lúc 14h."},
		{broadcast.Content{Kind: "anniversary", Summary: "Ngày Thầy thuốc Việt Nam."}, "🇻🇳 Ngày kỷ niệm\n\nNgày Thầy thuốc Việt Nam."},
		{broadcast.Content{Kind: "article", Title: "Tiêu đề", Link: "javascript:alert(1)"}, "Tiêu đề"},
		{broadcast.Content{Kind: "article", Link: "https://example.vn/a"}, "https://example.vn/a"},
		{broadcast.Content{Kind: "article", Title: "  Hai\ndòng\t tiêu đề "}, "Hai dòng tiêu đề"},
		{broadcast.Content{Kind: "article", Title: "A\x00B\x1b", Summary: "x\xffy"}, "AB\n\nx\uFFFDy"},
	}, extra...)
	for _, tc := range cases {
		if got := visible(t, tc.Content); len(got) != 1 || got[0] != tc.Want {
			t.Errorf("Render(%+v) shows %q, want %q in one message", tc.Content, got, tc.Want)
		}
	}
	if got := visible(t, broadcast.Content{Kind: "article", Summary: " \n "}); got != nil {
		t.Errorf("an empty article renders %q, want nothing", got)
	}
}
