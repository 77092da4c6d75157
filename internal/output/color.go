package output

// ColorEnabled decides whether text for a stream may be coloured, the
// way the GitHub CLI does: CLICOLOR_FORCE (not "0") forces colour; else
// there is colour only on a terminal, and not with NO_COLOR (any value),
// CLICOLOR=0 or TERM=dumb.
func ColorEnabled(isTerminal bool, getenv func(string) string) bool {
	if f := getenv("CLICOLOR_FORCE"); f != "" && f != "0" {
		return true
	}
	if !isTerminal || getenv("NO_COLOR") != "" || getenv("CLICOLOR") == "0" || getenv("TERM") == "dumb" {
		return false
	}
	return true
}

// Style colours and marks text for one stream. The zero Style writes
// plain text; marks (✓ ✗ !) are shown only where Marks is set (a terminal).
type Style struct {
	Color bool // colour escapes
	Marks bool // ✓, ✗ and ! before results
}

const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[31m"
	sgrGreen  = "\x1b[32m"
	sgrYellow = "\x1b[33m"
)

func (s Style) wrap(sgr, text string) string {
	if !s.Color || text == "" {
		return text
	}
	return sgr + text + sgrReset
}

// Bold is for headers.
func (s Style) Bold(text string) string { return s.wrap(sgrBold, text) }

// Dim is for secondary text.
func (s Style) Dim(text string) string { return s.wrap(sgrDim, text) }

// Red, Green and Yellow are for failure, success and warning.
func (s Style) Red(text string) string    { return s.wrap(sgrRed, text) }
func (s Style) Green(text string) string  { return s.wrap(sgrGreen, text) }
func (s Style) Yellow(text string) string { return s.wrap(sgrYellow, text) }

// OK, Failed and Warning put their mark (✓, ✗, !) before text where
// marks are shown.
func (s Style) OK(text string) string      { return s.mark(s.Green("✓"), text) }
func (s Style) Failed(text string) string  { return s.mark(s.Red("✗"), text) }
func (s Style) Warning(text string) string { return s.mark(s.Yellow("!"), text) }

func (s Style) mark(m, text string) string {
	if !s.Marks {
		return text
	}
	return m + " " + text
}

// Plain is s without colour, marks kept: for table cells, which the
// table writer colours itself once it has measured them.
func (s Style) Plain() Style { return Style{Marks: s.Marks} }
