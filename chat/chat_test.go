package chat

import "testing"

func TestParseChannel(t *testing.T) {
	t.Parallel()
	for _, c := range Channels() {
		got, err := ParseChannel(string(c))
		if err != nil || got != c {
			t.Errorf("ParseChannel(%q) = %q, %v", c, got, err)
		}
	}
	for _, s := range []string{"", "Telegram", "zalo ", "sms"} {
		if got, err := ParseChannel(s); err == nil {
			t.Errorf("ParseChannel(%q) = %q, want an error", s, got)
		}
	}
}

func TestParseKind(t *testing.T) {
	t.Parallel()
	for _, k := range []Kind{KindPrivate, KindGroup, KindSupergroup, KindChannel} {
		got, err := ParseKind(string(k))
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	for _, s := range []string{"", "Private", "forum"} {
		if got, err := ParseKind(s); err == nil {
			t.Errorf("ParseKind(%q) = %q, want an error", s, got)
		}
	}
}
