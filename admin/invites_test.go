package admin_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"loa/admin"
	"loa/internal/dbtest"
	"loa/internal/testclock"
)

// TestInvites: a code made by an admin makes its sender an admin once, within its
// lifetime, audited on both sides; the bot can tell a code from chat text.
func TestInvites(t *testing.T) {
	t.Parallel()
	st := dbtest.Store(t)
	c := testclock.New(t0)
	ops := &admin.Ops{Store: st, Location: hcm, Now: c.Now}
	ctx := context.Background()
	lan := admin.Actor{Channel: "zalo", UserID: "lan", Name: "Lan (Zalo)", Via: admin.ViaBot}

	if _, _, err := ops.CreateInvite(ctx, bob, strings.Repeat("x", admin.MaxInviteName+1)); err == nil ||
		!strings.Contains(admin.Message(err), "vượt quá giới hạn") {
		t.Fatalf("a long name: %v (%s)", err, admin.Message(err))
	}
	code, _, err := ops.CreateInvite(ctx, bob, " Chị Lan ")
	if err != nil {
		t.Fatal(err)
	}
	if canon, ok := admin.NormalizeInviteCode(" " + strings.ToLower(strings.ReplaceAll(code, "-", " ")) + " "); !ok || canon != code {
		t.Fatalf("normalize %q = %q, %v", code, canon, ok)
	}
	for _, s := range []string{"xin chào", "LOA-", "LOA-AAAAA-AAAA0"} {
		if _, ok := admin.NormalizeInviteCode(s); ok {
			t.Errorf("%q taken for a code", s)
		}
	}
	a, err := ops.RedeemInvite(ctx, lan, strings.ToLower(code))
	if err != nil || a.Name != "Chị Lan" {
		t.Fatalf("redeem = %+v, %v", a, err)
	}
	if ok, _ := ops.IsAdmin(ctx, "zalo", "lan"); !ok {
		t.Fatal("not an admin after redeeming")
	}
	other := admin.Actor{Channel: "zalo", UserID: "other", Via: admin.ViaBot}
	if _, err := ops.RedeemInvite(ctx, other, code); !errors.Is(err, admin.ErrInviteInvalid) || !strings.Contains(admin.Message(err), "đã được dùng") {
		t.Fatalf("a used code: %v", err)
	}
	code2, _, _ := ops.CreateInvite(ctx, bob, "")
	if _, err := ops.RedeemInvite(ctx, lan, code2); !errors.Is(err, admin.ErrAlreadyAdmin) {
		t.Fatalf("an admin redeeming: %v", err)
	}
	c.Advance(admin.InviteLifetime)
	if _, err := ops.RedeemInvite(ctx, other, code2); !errors.Is(err, admin.ErrInviteInvalid) {
		t.Fatalf("an expired code: %v", err)
	}
	log, _ := st.AuditLog(ctx, 10)
	var got []string
	for _, e := range log {
		got = append(got, e.Actor+" "+string(e.Via)+" "+e.Action)
	}
	for _, want := range []string{"zalo:lan bot invite.redeem", "zalo:lan bot admin.add", "telegram:1002 web invite.create"} {
		if !strings.Contains(strings.Join(got, ", "), want) {
			t.Errorf("audit %q lacks %q", got, want)
		}
	}
}
