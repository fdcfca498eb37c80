// Command patternvault is PatternVault's one binary: it serves the web app
// and carries the operator commands. Each subcommand only parses its flags
// and calls into the internal packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/patternvault/patternvault/internal/config"
	"github.com/patternvault/patternvault/internal/httpx"
	// Maps the program's code in one go as it starts (see the package).
	_ "github.com/patternvault/patternvault/internal/prefault"
	"github.com/patternvault/patternvault/internal/problem"
)

// command is one subcommand: its usage line and what it runs.
type command struct {
	usage string
	run   func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may use.
type env struct {
	cfg    *config.Config
	log    *slog.Logger
	stdout io.Writer
}

var commands = map[string]command{
	"serve":     {"serve                         run the web server", runServe},
	"migrate":   {"migrate                       bring the platform and every tenant schema up to date", runMigrate},
	"tenant":    {"tenant create|list|suspend|resume|plan ...  manage workspaces and their plans", runTenant},
	"user":      {"user create --email E --password P [--tenant S --role R]  add a person", runUser},
	"token":     {"token create --tenant S --email E [--name N]  print a new API token", runToken},
	"admin":     {"admin create --email E          make a platform admin (prints a one-time password)", runAdmin},
	"demo":      {"demo seed --tenant S [--patterns N]  fill a workspace with generated designs", runDemo},
	"import":    {"import --tenant S [--json] FILE...   import ZIPs or design files and wait for the result", runImport},
	"export":    {"export --tenant S [--out FILE] [--machine M]  write the whole workspace as one ZIP", runExport},
	"restore":   {"restore --tenant S [--replace] FILE  restore an export into a new or empty workspace", runRestore},
	"backup":    {"backup run|list|restore|check|platform ...  workspace snapshots and platform backups", runBackup},
	"store":     {"store create --name N --allow-host H   add a pattern store and print its key", runStore},
	"version":   {"version                       print the version", runVersion},
	"inspect":   {"inspect [--json] FILE         describe a design file", runInspect},
	"convert":   {"convert [--to FMT] IN OUT     convert a design to another machine format", runConvert},
	"thumbnail": {"thumbnail [--size N] IN OUT.png  draw a design as a PNG", runThumbnail},
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "patternvault:", err)
			os.Exit(2)
		}
		if p, ok := problem.As(err); ok {
			// Something the person can act on: its words, not the chain
			// of what failed where (that is for the log).
			fmt.Fprintln(os.Stderr, "patternvault:", p.Message)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "patternvault:", err)
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(os.Stderr, usage())
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usageError(fmt.Sprintf("unknown command %q\n%s", args[0], usage()))
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd.run(ctx, &env{cfg: cfg, log: newLogger(cfg.LogLevel, cfg.LogFormat), stdout: os.Stdout}, args[1:])
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: patternvault COMMAND [ARGS]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		b.WriteString("  " + commands[n].usage + "\n")
	}
	b.WriteString("\nconfiguration (environment variables):\n")
	for _, o := range config.Options() {
		def := o.Default
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(&b, "  %-20s %-16s %s\n", o.Env, def, o.Help)
	}
	return b.String()
}

// newLogger logs to stderr in format (text or json) from level up; lines
// logged about a request carry its id.
func newLogger(level, format string) *slog.Logger {
	var l slog.Level
	l.UnmarshalText([]byte(level))
	return httpx.NewLogger(os.Stderr, format, l)
}

// parseFlags parses args with fs, allowing flags after positional
// arguments, and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError(fmt.Sprintf("%s: %v", fs.Name(), err))
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
