package job

import (
	"os"
	"os/exec"
	"sync"
	"time"
)

// Run runs cmd as exec runs its COMMAND and returns how it ended: a job
// in the terminal's foreground when maketoken has it, that dies with
// maketoken (DieWithParent), and to which pass hands each signal maketoken
// catches, once. pass is the signal owner's (runctx.Signals.Pass): it
// catches the signals from before the job starts (none is missed) until
// the returned function is called, after the job has ended: maketoken must
// outlive it to pass its exit code on.
//
// So each signal reaches the command exactly once, however it was sent:
//
//   - by the terminal (Ctrl-C, Ctrl-\, the window's size): to the
//     foreground group, which is the command's; maketoken gets nothing.
//   - to maketoken's process group (a CI runner; GNU timeout, which
//     signals maketoken and then its whole group): maketoken alone gets
//     it, and passes it on (Forwarder).
//   - to maketoken alone (kill PID, systemd, timeout --foreground): the
//     same.
//
// If the command stops (Ctrl-Z, or SIGTTIN when it wants the terminal
// while maketoken runs in the background), maketoken takes the terminal
// back and stops itself too, so that the shell sees its job stopped; when
// the shell continues maketoken (fg, bg), maketoken continues the command,
// giving it the terminal again if maketoken got it back.
func Run(cmd *exec.Cmd, pass func(func(os.Signal)) (unpass func())) (*Exit, error) {
	fw := &Forwarder{}
	defer pass(fw.Pass)()
	j, err := Start(cmd, Options{Terminal: true, DieWithParent: true})
	if err != nil {
		return nil, err
	}
	fw.Start(j)
	var exit *Exit
	for st := range j.Changes() {
		if st.Exit != nil {
			exit = st.Exit
			continue
		}
		j.TakeTerminal()
		SuspendSelf()
		j.Continue()
	}
	j.TakeTerminal()
	j.Close()
	return exit, nil
}

// BurstWindow is how close together two of the same signal count as one:
// timeout(1) sends its signal first to maketoken, then to maketoken's
// group, so maketoken gets it twice within microseconds (or once: the
// kernel merges a signal that is still pending). Terraform and others take
// a second SIGINT or SIGTERM as "quit now, without cleaning up".
const BurstWindow = 250 * time.Millisecond

// Forwarder passes the signals maketoken gets on to a job, each once.
type Forwarder struct {
	mu   sync.Mutex
	j    *Job
	held []os.Signal // caught before the job started
	last os.Signal
	at   time.Time
}

// Start passes on what came before the job existed.
func (fw *Forwarder) Start(j *Job) {
	fw.mu.Lock()
	fw.j = j
	held := fw.held
	fw.held = nil
	fw.mu.Unlock()
	for _, sig := range held {
		fw.Pass(sig)
	}
}

// Pass passes sig on, unless the same signal was passed on within
// BurstWindow, or the terminal will deliver it itself (see
// terminalDelivers).
func (fw *Forwarder) Pass(sig os.Signal) {
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if fw.j == nil {
		fw.held = append(fw.held, sig)
		return
	}
	now := time.Now()
	if sig == fw.last && now.Sub(fw.at) < BurstWindow {
		return
	}
	fw.last, fw.at = sig, now
	if terminalDelivers(fw.j, sig) {
		return
	}
	fw.j.Signal(sig)
}
