package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// hooks records the calls of the web console's hooks and answers them as told.
type hooks struct {
	mu      sync.Mutex
	calls   []string
	link    string
	linkErr error
	redeem  error
}

func (h *hooks) signInLink(_ context.Context, channel, userID string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, "link "+channel+":"+userID)
	return h.link, h.linkErr
}

func (h *hooks) redeemInvite(_ context.Context, channel, userID, name, code string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, fmt.Sprintf("redeem %s:%s %q %q", channel, userID, name, code))
	return h.redeem
}

func (h *hooks) called() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.calls...)
}

// withHooks sets both hooks on the env's bot.
func (e *env) withHooks() *hooks {
	h := &hooks{link: "https://loa.tinhuy.example.vn/dang-nhap/Zx81kQ"}
	e.bot.SignInLink = h.signInLink
	e.bot.RedeemInvite = h.redeemInvite
	return h
}

// TestWebGolden pins the wording of the web console's entry points.
func TestWebGolden(t *testing.T) {
	t.Parallel()
	hooked := func(_ *testing.T, e *env) { e.withHooks() }
	tests := []goldenCase{
		{name: "web-link", setup: hooked, update: msg(adminChat, boss, "/web")},
		{name: "web-link-zalo", setup: hooked, update: zmsg(zaloAdminChat, zaloAdmin, "Web")},
		{name: "web-not-configured", update: msg(adminChat, boss, "/web")},
		{name: "web-group", setup: hooked, update: msg(groupChat, boss, "/web@loa_bot")},
		{name: "web-member", setup: hooked, update: msg(privateChat, member, "/web")},
		{name: "invite-welcome", setup: hooked, update: msg(privateChat, member, "/moi K7QX-42MD")},
		{name: "invite-welcome-zalo", setup: hooked, update: zmsg(zaloPrivate, zaloMember, "mời K7QX-42MD")},
		{name: "invite-usage", setup: hooked, update: msg(privateChat, member, "/moi")},
		{name: "invite-usage-zalo", setup: hooked, update: zmsg(zaloPrivate, zaloMember, "Mã mời")},
		{name: "invite-admin", setup: hooked, update: msg(adminChat, boss, "/moi K7QX-42MD")},
		{name: "invite-group", setup: hooked, update: msg(groupChat, member, "/moi@loa_bot K7QX-42MD")},
	}
	runGolden(t, tests, newEnv, nil)
}

// TestWeb: /web gives an admin in a private chat a link from the hook, for their own
// channel and id, and never logs it; anyone else, anywhere else, gets no link and the
// hook is not called.
func TestWeb(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	h := e.withHooks()
	zaloAdmin := User{ID: zaloAdminID, Name: "Quản trị Zalo"}

	for _, u := range []Update{msg(adminChat, boss, "/web"), msg(adminChat, boss, "/WEB@loa_bot"),
		zmsg(zaloAdminChat, zaloAdmin, "web"), zmsg(zaloAdminChat, zaloAdmin, "/web")} {
		if got := text(t, e.handle(u)); got != webLinkText(h.link) {
			t.Errorf("%s on %s: %s", u.Text, u.Chat.Channel, got)
		}
	}
	want := []string{"link telegram:" + adminID, "link telegram:" + adminID, "link zalo:" + zaloAdminID, "link zalo:" + zaloAdminID}
	if got := h.called(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("hook calls %q, want %q", got, want)
	}
	if strings.Contains(e.logs.String(), h.link) || !strings.Contains(e.logs.String(), "sign-in link sent") {
		t.Errorf("the link was logged, or the sending was not:\n%s", e.logs)
	}

	zaloGroupAdmin := zmsg(zaloGroup, zaloAdmin, "@Loa web")
	for _, tt := range []struct {
		u    Update
		want string // "" for no answer at all
	}{
		{msg(privateChat, member, "/web"), adminRefusedText(menuCaps, "private", "/web")},
		{zmsg(zaloPrivate, zaloMember, "web"), adminRefusedText(typedCaps, "private", "“web”")},
		{msg(groupChat, boss, "/web@loa_bot"), privateOnlyText(menuCaps, "group", "/web")},
		{msg(groupChat, member, "/web@loa_bot"), adminRefusedText(menuCaps, "group", "/web")},
		{zaloGroupAdmin, privateOnlyText(typedCaps, "group", "“web”")},
		{msg(groupChat, boss, "/web"), ""}, // unaddressed in a group: maybe another bot's
		{msg(adminChat, boss, "web"), hintText(menuCaps)},
	} {
		r := e.channelBot(tt.u.Chat.Channel)
		r.Username = "loa_bot"
		if tt.u.Chat.Channel == "zalo" {
			r.Username = ""
		}
		resp := r.Handle(context.Background(), tt.u)
		if tt.want == "" {
			if !isEmpty(resp) {
				t.Errorf("%s in %s: %s", tt.u.Text, tt.u.Chat.Kind, render(resp))
			}
			continue
		}
		if got := text(t, resp); got != tt.want {
			t.Errorf("%s from %s in %s: %s", tt.u.Text, tt.u.From.ID, tt.u.Chat.Kind, got)
		}
	}
	if got := h.called(); len(got) != len(want) {
		t.Errorf("the hook was called for a refused /web: %q", got[len(want):])
	}

	// A failing hook is logged; the admin gets the apology.
	h.linkErr = errors.New("store down")
	if got := text(t, e.handle(msg(adminChat, boss, "/web"))); got != busyText {
		t.Errorf("failing hook: %s", got)
	}
	if !strings.Contains(e.logs.String(), "store down") {
		t.Errorf("the hook's error was not logged:\n%s", e.logs)
	}
	// Without the hook the admin learns what is missing.
	e.bot.SignInLink = nil
	if got := text(t, e.handle(msg(adminChat, boss, "/web"))); got != webNotConfiguredText {
		t.Errorf("without a public URL: %s", got)
	}
}

// TestInvite: an invite code sent in a private chat goes to the hook with the sender,
// as written; its errors are explained; an admin's or a group's code is not used; and
// without the hook the command does not exist.
func TestInvite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.bot.Username = ""
	h := e.withHooks()

	for _, tt := range []struct {
		u    Update
		call string // the hook's call; "" for none
		want string
	}{
		{msg(privateChat, member, "/moi K7QX-42MD"), `redeem telegram:2002 "Nguyễn Văn An" "K7QX-42MD"`, welcomeAdminText(menuCaps)},
		{msg(privateChat, member, "  /MOI   k7qx-42md  thừa "), `redeem telegram:2002 "Nguyễn Văn An" "k7qx-42md"`, welcomeAdminText(menuCaps)},
		{zmsg(zaloPrivate, zaloMember, "mời K7QX-42MD"), `redeem zalo:e4ea2cd5189df1c3a88c "Nguyễn Thị Hoa" "K7QX-42MD"`, welcomeAdminText(typedCaps)},
		{zmsg(zaloPrivate, zaloMember, "Moi K7QX-42MD"), `redeem zalo:e4ea2cd5189df1c3a88c "Nguyễn Thị Hoa" "K7QX-42MD"`, welcomeAdminText(typedCaps)},
		{zmsg(zaloPrivate, zaloMember, "mã mời: K7QX-42MD"), `redeem zalo:e4ea2cd5189df1c3a88c "Nguyễn Thị Hoa" "K7QX-42MD"`, welcomeAdminText(typedCaps)},
		{zmsg(zaloPrivate, zaloMember, "/moi K7QX-42MD"), `redeem zalo:e4ea2cd5189df1c3a88c "Nguyễn Thị Hoa" "K7QX-42MD"`, welcomeAdminText(typedCaps)},
		{msg(privateChat, member, "/moi"), "", inviteUsageText(menuCaps)},
		{zmsg(zaloPrivate, zaloMember, "mời"), "", inviteUsageText(typedCaps)},
		{zmsg(zaloPrivate, zaloMember, "Mời các đồng chí dự họp"), "", hintText(typedCaps)}, // no code: plain text
		{msg(privateChat, member, "mời K7QX-42MD"), "", hintText(menuCaps)},                 // Telegram reads slash commands only
		{msg(adminChat, boss, "/moi K7QX-42MD"), "", alreadyAdminText(menuCaps)},
		{msg(groupChat, member, "/moi K7QX-42MD"), "", inviteInGroupText(menuCaps, "group", "/moi")},
		{zmsg(zaloGroup, zaloMember, "@Loa mời K7QX-42MD"), "", inviteInGroupText(typedCaps, "group", "“mời”")},
		{msg(privateChat, User{}, "/moi K7QX-42MD"), "", inviteInvalidText},
	} {
		before := len(h.called())
		if got := text(t, e.handle(tt.u)); got != tt.want {
			t.Errorf("%q on %s: %s", tt.u.Text, tt.u.Chat.Channel, got)
		}
		calls := h.called()[before:]
		if (tt.call == "" && len(calls) != 0) || (tt.call != "" && (len(calls) != 1 || calls[0] != tt.call)) {
			t.Errorf("%q on %s: hook calls %q, want %q", tt.u.Text, tt.u.Chat.Channel, calls, tt.call)
		}
	}

	// A code that cannot be used, however the hook wraps it, is one answer and is
	// logged without the code.
	h.redeem = fmt.Errorf("redeem: %w", ErrInviteInvalid)
	if got := text(t, e.handle(msg(privateChat, member, "/moi SECRET-GUESS"))); got != inviteInvalidText {
		t.Errorf("invalid code: %s", got)
	}
	if logs := e.logs.String(); strings.Contains(logs, "SECRET-GUESS") || !strings.Contains(logs, "invite refused") {
		t.Errorf("the refusal was not logged, or the code was:\n%s", logs)
	}
	h.redeem = errors.New("database down")
	if got := text(t, e.handle(msg(privateChat, member, "/moi K7QX-42MD"))); got != busyText {
		t.Errorf("failing hook: %s", got)
	}

	// Without the hook there are no invites: the command is unknown, the words plain text.
	e.bot.RedeemInvite = nil
	if got := text(t, e.handle(msg(privateChat, member, "/moi K7QX-42MD"))); got != unknownCommandText(menuCaps) {
		t.Errorf("/moi without the hook: %s", got)
	}
	if got := text(t, e.handle(zmsg(zaloPrivate, zaloMember, "mời K7QX-42MD"))); got != hintText(typedCaps) {
		t.Errorf("“mời” without the hook: %s", got)
	}
}
