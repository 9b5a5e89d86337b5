package app_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"loa/internal/await"
	"loa/internal/telegramtest"
)

// buildLoa builds the loa binary once for the crash tests.
var buildLoa = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "loa-crash-test")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "loa")
	out, err := exec.Command("go", "build", "-o", bin, "loa/cmd/loa").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// process is `loa serve` running as a child process, to be killed for real.
type process struct {
	cmd *exec.Cmd
	out *bytes.Buffer
}

func spawn(t testing.TB, env ...string) *process {
	t.Helper()
	bin, err := buildLoa()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, out: &out}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("loa serve output:\n%s", p.out.String())
		}
	})
	return p
}

// kill9 kills the process the way a crash or the OOM killer would: no shutdown at all.
func (p *process) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// TestKillDashNineMidBroadcast kills `loa serve` with SIGKILL twice while it is sending,
// restarts it, and checks that every delivery completes, in order per chat, with
// duplicates only for sends that were in flight at a kill.
func TestKillDashNineMidBroadcast(t *testing.T) {
	t.Parallel()
	const chats, broadcasts = 30, 3
	fake, dbURL, st := subscribedRig(t, 5000, chats)
	announceNumbered(t, st, broadcasts, "ann:%d", "Thông báo số %d")
	env := []string{
		"LOA_DATABASE_URL=" + dbURL,
		"LOA_HTTP_ADDR=127.0.0.1:0",
		"LOA_TELEGRAM_TOKEN=" + fake.Token(),
		"LOA_TELEGRAM_API_ENDPOINT=" + fake.Endpoint(),
		"LOA_TELEGRAM_RATE=20",
		"LOA_DELIVERY_LEASE=2s",
		"LOA_SEND_TIMEOUT=1s",
	}
	const total = chats * broadcasts
	for _, killAt := range []int{total / 4, total / 2} {
		p := spawn(t, env...)
		await.On(t, fake, fmt.Sprintf("%d messages before the kill", killAt), 60*time.Second, func() bool { return fake.Accepted() >= killAt })
		p.kill9(t)
	}
	p := spawn(t, env...)
	await.On(t, fake, "every chat to receive every broadcast", 90*time.Second, func() bool {
		for i := range chats {
			if len(distinct(fake.Messages(int64(5000+i)))) < broadcasts {
				return false
			}
		}
		return true
	})
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("loa serve did not exit cleanly on SIGTERM: %v", err)
	}

	dups := 0
	for i := range chats {
		msgs := fake.Messages(int64(5000 + i))
		order := distinct(msgs)
		for j, title := range order {
			if !strings.Contains(title, fmt.Sprintf("Thông báo số %d", j+1)) {
				t.Fatalf("chat %d read %q: out of order", 5000+i, order)
			}
		}
		dups += len(msgs) - len(order)
	}
	// Only a send in flight at a kill may be repeated: at most the dispatcher's
	// concurrency per kill.
	if dups > 2*16 {
		t.Fatalf("%d duplicates after 2 kills; more than the sends that can be in flight", dups)
	}
	t.Logf("%d messages, %d duplicates after 2 kills", fake.Accepted(), dups)
	for _, b := range broadcastStats(t, st, 10) {
		if b.Sent != chats || b.Pending != 0 {
			t.Fatalf("broadcast %s: %+v; want every delivery sent", b.SourceKey, b)
		}
	}
}

// distinct returns the first lines of a chat's messages, each once, in order of first
// arrival.
func distinct(msgs []telegramtest.SentMessage) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range msgs {
		first := strings.SplitN(m.Text, "\n", 2)[0]
		if !seen[first] {
			seen[first] = true
			out = append(out, first)
		}
	}
	return out
}
