package calendar

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"  Đăng ký! ":       "dang ky",
		"TRỢ GIÚP":          "tro giup",
		"bật   2":           "bat 2",
		"Giỗ Tổ Hùng Vương": "gio to hung vuong",
		"«chủ đề»":          "chu de",
		"":                  "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"thành lập Đảng bộ Khối":             "thanh-lap-dang-bo-khoi",
		"Ngày Thương binh – Liệt sĩ (27/7)":  "ngay-thuong-binh-liet-si-27-7",
		"  GIỖ TỔ HÙNG VƯƠNG  ":              "gio-to-hung-vuong",
		"!!!":                                "su-kien",
		strings.Repeat("Đảng bộ cơ sở ", 10): "dang-bo-co-so-dang-bo-co-so-dang-bo-co-so-dang-bo-co-so-dang-bo",
		strings.Repeat("x", 70):              strings.Repeat("x", 64),
	} {
		got := Slug(in)
		if got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
		if err := (Event{Slug: got, Title: "x", Kind: Solar, Day: 1, Month: 1, Category: National}).Validate(); err != nil {
			t.Errorf("Slug(%q) = %q: %v", in, got, err)
		}
	}
}
