package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ghRunner stands in for a GitHub Actions runner, enough to run action.yml
// and the example workflows as a runner would: each step's script goes to
// a file run by bash with the runner's own command line, in an environment
// that holds the runner's variables (RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
// RUNNER_TOOL_CACHE, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_ENV, ...), each
// file command is read back after the step (outputs, PATH and environment
// for the later steps), and the log is kept twice: as the steps wrote it
// and as the runner would show it (workflow commands taken out, masked
// values as ***).
//
// It knows only what those files use and fails on anything else: the
// expressions ${{ inputs.X }}, ${{ secrets.X }}, ${{ steps.ID.outputs.X }}
// and ${{ github.X }} in env: and with:, the conditions success(),
// always(), !cancelled() and "inputs.X is not empty" in if:, and `uses:` of this
// repository's own action (maketoken/maketoken@REF or ./).
type ghRunner struct {
	// RunnerOS and RunnerArch are RUNNER_OS (Linux, macOS, Windows) and
	// RUNNER_ARCH (X64, ARM64).
	RunnerOS, RunnerArch string
	// Dir holds the runner's temporary folder, workspace and file
	// commands; ToolCache is RUNNER_TOOL_CACHE, which may outlive one run.
	Dir, ToolCache string
	// Env is the machine's environment the steps inherit (PATH, HOME...).
	Env map[string]string
	// Secrets gives ${{ secrets.X }}.
	Secrets func(name string) string
	// Github gives ${{ github.X }} beside action_path and action_ref.
	Github map[string]string
	// ActionFile is this repository's action.yml; ActionRef, if set, is the
	// ref a `uses: maketoken/maketoken@REF` step runs at instead of REF.
	ActionFile, ActionRef string

	pathAdd []string          // GITHUB_PATH so far, newest first
	envAdd  map[string]string // GITHUB_ENV so far
	masks   []string
	Raw     bytes.Buffer // what the steps wrote
	Shown   bytes.Buffer // what the runner shows
	Errors  []string     // ::error:: annotations
	steps   int
}

type ghStep struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Shell            string            `yaml:"shell"`
	Run              string            `yaml:"run"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	TimeoutMinutes   int               `yaml:"timeout-minutes"`
}

type ghAction struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Branding    any    `yaml:"branding"`
	Inputs      map[string]struct {
		Description string `yaml:"description"`
		Required    bool   `yaml:"required"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string   `yaml:"using"`
		Steps []ghStep `yaml:"steps"`
	} `yaml:"runs"`
}

type ghJob struct {
	Name           string            `yaml:"name"`
	RunsOn         any               `yaml:"runs-on"`
	Permissions    any               `yaml:"permissions"`
	Concurrency    any               `yaml:"concurrency"`
	TimeoutMinutes int               `yaml:"timeout-minutes"`
	Strategy       any               `yaml:"strategy"` // read, not run
	Env            map[string]string `yaml:"env"`
	Steps          []ghStep          `yaml:"steps"`
}

type ghWorkflow struct {
	Name        string            `yaml:"name"`
	On          any               `yaml:"on"`
	Permissions any               `yaml:"permissions"`
	Concurrency any               `yaml:"concurrency"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]ghJob  `yaml:"jobs"`
}

// decodeStrict decodes YAML, refusing keys the runner does not know.
func decodeStrict(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ghContext is what expressions in one step can see.
type ghContext struct {
	inputs     map[string]string            // nil outside an action
	steps      map[string]map[string]string // outputs by step id
	actionPath string
	actionRef  string
	failed     bool // an earlier step failed
}

var ghExpr = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// eval gives the value of one expression.
func (r *ghRunner) eval(c *ghContext, expr string) (string, error) {
	parts := strings.Split(expr, ".")
	switch {
	case len(parts) == 2 && parts[0] == "inputs" && c.inputs != nil:
		v, ok := c.inputs[parts[1]]
		if !ok {
			return "", fmt.Errorf("no input %q", parts[1])
		}
		return v, nil
	case len(parts) == 2 && parts[0] == "secrets":
		v := r.Secrets(parts[1])
		if v != "" {
			r.masks = append(r.masks, v) // the runner masks every secret
		}
		return v, nil
	case len(parts) == 4 && parts[0] == "steps" && parts[2] == "outputs":
		return c.steps[parts[1]][parts[3]], nil
	case expr == "github.action_path":
		return c.actionPath, nil
	case expr == "github.action_ref":
		return c.actionRef, nil
	case len(parts) == 2 && parts[0] == "github":
		if v, ok := r.Github[parts[1]]; ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("the runner stand-in cannot evaluate ${{ %s }}", expr)
}

// expand replaces each ${{ }} in s.
func (r *ghRunner) expand(c *ghContext, s string) (string, error) {
	var err error
	out := ghExpr.ReplaceAllStringFunc(s, func(m string) string {
		v, e := r.eval(c, ghExpr.FindStringSubmatch(m)[1])
		if e != nil && err == nil {
			err = e
		}
		return v
	})
	return out, err
}

// cond evaluates a step's if:.
func (r *ghRunner) cond(c *ghContext, s string) (bool, error) {
	s = strings.TrimSpace(s)
	if m := ghExpr.FindStringSubmatch(s); m != nil && m[0] == s {
		s = m[1]
	}
	switch s {
	case "", "success()":
		return !c.failed, nil
	case "always()", "!cancelled()":
		return true, nil
	case "failure()":
		return c.failed, nil
	}
	if m := regexp.MustCompile(`^inputs\.([A-Za-z0-9_-]+) != ''$`).FindStringSubmatch(s); m != nil && c.inputs != nil {
		return !c.failed && c.inputs[m[1]] != "", nil
	}
	return false, fmt.Errorf("the runner stand-in cannot evaluate if: %s", s)
}

// RunJob runs one job of a workflow file; it fails if a step failed.
func (r *ghRunner) RunJob(file, job string) error {
	var wf ghWorkflow
	if err := decodeStrict(file, &wf); err != nil {
		return err
	}
	if job == "" && len(wf.Jobs) == 1 {
		for name := range wf.Jobs {
			job = name
		}
	}
	j, ok := wf.Jobs[job]
	if !ok {
		return fmt.Errorf("%s has no job %q", file, job)
	}
	env := map[string]string{}
	for k, v := range wf.Env {
		env[k] = v
	}
	for k, v := range j.Env {
		env[k] = v
	}
	c := &ghContext{steps: map[string]map[string]string{}}
	var failures []string
	for _, s := range j.Steps {
		ok, err := r.cond(c, s.If)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		stepEnv := map[string]string{}
		for k, v := range env {
			stepEnv[k] = v
		}
		for k, v := range s.Env {
			stepEnv[k] = v
		}
		for k, v := range stepEnv {
			if stepEnv[k], err = r.expand(c, v); err != nil {
				return err
			}
		}
		var outputs map[string]string
		switch {
		case s.Uses != "":
			outputs, err = r.runAction(c, s, stepEnv)
		case s.Run != "":
			outputs, err = r.runScript(c, s, stepEnv, "")
		default:
			return fmt.Errorf("step %q has neither run: nor uses:", s.Name)
		}
		var sf stepFailed
		if errors.As(err, &sf) {
			c.failed = true
			failures = append(failures, stepName(s)+": "+sf.Error())
			continue
		}
		if err != nil {
			return err
		}
		if s.ID != "" {
			c.steps[s.ID] = outputs
		}
	}
	if len(failures) > 0 {
		return stepFailed{strings.Join(failures, "; ")}
	}
	return nil
}

// stepFailed is a step that ran and failed, as opposed to a workflow the
// stand-in could not run.
type stepFailed struct{ msg string }

func (e stepFailed) Error() string { return e.msg }

func stepName(s ghStep) string {
	switch {
	case s.Name != "":
		return s.Name
	case s.ID != "":
		return s.ID
	case s.Uses != "":
		return s.Uses
	}
	return "a run step"
}

// RunAction runs this repository's action with the given inputs, as a
// workflow step `uses: maketoken/maketoken@ref` with env would.
func (r *ghRunner) RunAction(ref string, with, env map[string]string) (map[string]string, error) {
	c := &ghContext{steps: map[string]map[string]string{}}
	return r.runAction(c, ghStep{Uses: "maketoken/maketoken@" + ref, With: with}, env)
}

func (r *ghRunner) runAction(outer *ghContext, s ghStep, env map[string]string) (map[string]string, error) {
	name, ref, _ := strings.Cut(s.Uses, "@")
	switch {
	case name == "maketoken/maketoken":
		if r.ActionRef != "" {
			ref = r.ActionRef
		}
	case s.Uses == "./":
		ref = ""
	default:
		return nil, fmt.Errorf("the runner stand-in runs only maketoken's own action, not %s", s.Uses)
	}
	var a ghAction
	if err := decodeStrict(r.ActionFile, &a); err != nil {
		return nil, err
	}
	if a.Runs.Using != "composite" {
		return nil, fmt.Errorf("%s: runs.using is %q, want composite", r.ActionFile, a.Runs.Using)
	}
	c := &ghContext{
		inputs:     map[string]string{},
		steps:      map[string]map[string]string{},
		actionPath: filepath.Dir(r.ActionFile),
		actionRef:  ref,
	}
	for k, in := range a.Inputs {
		c.inputs[k] = in.Default
	}
	for k, v := range s.With {
		if _, ok := a.Inputs[k]; !ok {
			return nil, fmt.Errorf("the action has no input %q", k)
		}
		v, err := r.expand(outer, v)
		if err != nil {
			return nil, err
		}
		c.inputs[k] = v
	}
	for _, st := range a.Runs.Steps {
		ok, err := r.cond(c, st.If)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if st.Shell == "" {
			return nil, fmt.Errorf("a composite step needs shell:")
		}
		stepEnv := map[string]string{}
		for k, v := range env { // the calling step's env reaches the action's steps
			stepEnv[k] = v
		}
		for k, v := range st.Env {
			if stepEnv[k], err = r.expand(c, v); err != nil {
				return nil, err
			}
		}
		out, err := r.runScript(c, st, stepEnv, c.actionPath)
		var sf stepFailed
		if errors.As(err, &sf) {
			c.failed = true
			continue
		}
		if err != nil {
			return nil, err
		}
		if st.ID != "" {
			c.steps[st.ID] = out
		}
	}
	if c.failed {
		return nil, stepFailed{"the action failed"}
	}
	outputs := map[string]string{}
	for k, o := range a.Outputs {
		v, err := r.expand(c, o.Value)
		if err != nil {
			return nil, err
		}
		outputs[k] = v
	}
	return outputs, nil
}

// runScript runs one run: step as the runner does: its script in a file,
// bash --noprofile --norc -eo pipefail FILE for `shell: bash` (bash -e
// FILE without shell:), in the workspace.
func (r *ghRunner) runScript(c *ghContext, s ghStep, stepEnv map[string]string, actionPath string) (map[string]string, error) {
	if ghExpr.MatchString(s.Run) {
		return nil, fmt.Errorf("step %q puts ${{ }} inside its script: pass values through env: instead", stepName(s))
	}
	r.steps++
	temp := filepath.Join(r.Dir, "temp")
	workspace := filepath.Join(r.Dir, "workspace")
	commands := filepath.Join(temp, "_runner_file_commands")
	for _, d := range []string{temp, workspace, commands, r.ToolCache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	files := map[string]string{}
	for _, k := range []string{"GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY", "GITHUB_STATE"} {
		files[k] = filepath.Join(commands, fmt.Sprintf("%s_%d", strings.ToLower(k), r.steps))
		if err := os.WriteFile(files[k], nil, 0o644); err != nil {
			return nil, err
		}
	}
	script := filepath.Join(temp, fmt.Sprintf("step-%d.sh", r.steps))
	if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
		return nil, err
	}
	var args []string
	switch s.Shell {
	case "bash":
		args = []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", script}
	case "":
		args = []string{"bash", "-e", script}
	default:
		return nil, fmt.Errorf("the runner stand-in runs only bash steps, not %q", s.Shell)
	}

	env := map[string]string{}
	for k, v := range r.Env {
		env[k] = v
	}
	for k, v := range r.Github {
		env["GITHUB_"+strings.ToUpper(k)] = v
	}
	for k, v := range map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true",
		"RUNNER_OS": r.RunnerOS, "RUNNER_ARCH": r.RunnerArch,
		"RUNNER_TEMP": temp, "RUNNER_TOOL_CACHE": r.ToolCache,
		"GITHUB_WORKSPACE": workspace,
	} {
		env[k] = v
	}
	if actionPath != "" {
		env["GITHUB_ACTION_PATH"] = actionPath
	}
	for k, v := range files {
		env[k] = v
	}
	for k, v := range r.envAdd {
		env[k] = v
	}
	for k, v := range stepEnv {
		env[k] = v
	}
	if len(r.pathAdd) > 0 {
		env["PATH"] = strings.Join(r.pathAdd, string(os.PathListSeparator)) + string(os.PathListSeparator) + env["PATH"]
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = workspace
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw // one log, in order, as the runner reads it
	done := make(chan struct{})
	go func() {
		r.readLog(pr)
		close(done)
	}()
	fmt.Fprintf(&r.Shown, "Run %s\n", stepName(s))
	runErr := cmd.Run()
	pw.Close()
	<-done
	var ee *exec.ExitError
	if runErr != nil && !errors.As(runErr, &ee) {
		return nil, runErr
	}

	// The runner reads the file commands after every step, one that failed
	// too (ActionRunner.RunAsync: ProcessFiles in a finally block).
	outputs, err := readKeyValues(files["GITHUB_OUTPUT"])
	if err != nil {
		return nil, err
	}
	envs, err := readKeyValues(files["GITHUB_ENV"])
	if err != nil {
		return nil, err
	}
	if r.envAdd == nil {
		r.envAdd = map[string]string{}
	}
	for k, v := range envs {
		r.envAdd[k] = v
	}
	data, err := os.ReadFile(files["GITHUB_PATH"])
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			r.pathAdd = append([]string{l}, r.pathAdd...)
		}
	}
	if runErr != nil {
		fmt.Fprintf(&r.Shown, "Error: Process completed with exit code %d.\n", ee.ExitCode())
		return outputs, stepFailed{fmt.Sprintf("exit code %d", ee.ExitCode())}
	}
	return outputs, nil
}

// PathAdded is what the steps added to PATH (GITHUB_PATH), newest first.
func (r *ghRunner) PathAdded() []string { return r.pathAdd }

// EnvAdded is what the steps added to the environment (GITHUB_ENV).
func (r *ghRunner) EnvAdded() map[string]string { return r.envAdd }

// readLog processes the step's output as the runner does: workflow
// commands (::add-mask::, ::stop-commands::, ::error::, ::warning::) are
// acted on and not shown, masked values are shown as ***.
func (r *ghRunner) readLog(in io.Reader) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	stopped := ""
	for sc.Scan() {
		line := sc.Text()
		r.Raw.WriteString(line + "\n")
		switch {
		case stopped != "":
			if line == "::"+stopped+"::" {
				stopped = ""
				continue
			}
		case strings.HasPrefix(line, "::add-mask::"):
			if v := strings.TrimPrefix(line, "::add-mask::"); v != "" {
				r.masks = append(r.masks, v)
			}
			continue
		case strings.HasPrefix(line, "::stop-commands::"):
			stopped = strings.TrimPrefix(line, "::stop-commands::")
			continue
		case strings.HasPrefix(line, "::error"), strings.HasPrefix(line, "::warning"), strings.HasPrefix(line, "::notice"):
			kind, rest, _ := strings.Cut(strings.TrimPrefix(line, "::"), "::")
			kind, _, _ = strings.Cut(kind, " ")
			if kind == "error" {
				r.Errors = append(r.Errors, rest)
			}
			line = strings.ToUpper(kind[:1]) + kind[1:] + ": " + rest
		}
		for _, m := range r.masks {
			line = strings.ReplaceAll(line, m, "***")
		}
		r.Shown.WriteString(line + "\n")
	}
}

// readKeyValues reads a GITHUB_OUTPUT or GITHUB_ENV file: NAME=VALUE
// lines, and NAME<<DELIMITER blocks.
func readKeyValues(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		if k, delim, ok := strings.Cut(l, "<<"); ok && !strings.Contains(k, "=") {
			var v []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				v = append(v, lines[i])
			}
			if i == len(lines) {
				return nil, fmt.Errorf("%s: %s<<%s never ends", path, k, delim)
			}
			m[k] = strings.Join(v, "\n")
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			return nil, fmt.Errorf("%s: line %q is neither NAME=VALUE nor NAME<<DELIMITER", path, l)
		}
		m[k] = v
	}
	return m, nil
}
