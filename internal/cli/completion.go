package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
	"github.com/maketoken/maketoken/internal/output"
	"github.com/maketoken/maketoken/internal/scopes"
	"github.com/maketoken/maketoken/internal/tokens"
	"github.com/spf13/cobra"
)

// completionTimeout bounds what a completion may ask a zone: a shell
// waiting on a Tab must not hang. A completion that runs out of time, or
// fails in any way, offers nothing.
const completionTimeout = 3 * time.Second

// completion makes a completion function a cobra one.
func completion(f *Factory, complete func(*Factory, *cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return complete(f, cmd, args, toComplete)
	}
}

// completionTokens lists the selected zone's tokens for a completion.
func completionTokens(f *Factory, cmd *cobra.Command) ([]makeapi.Token, bool) {
	ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
	defer cancel()
	zc, err := f.Credential(ctx)
	if err != nil {
		return nil, false
	}
	_, listed, err := listZoneTokens(ctx, f.Client, zc)
	return listed, err == nil
}

func commandContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// completeScopes offers the selected zone's scope names (from the cache
// when it is fresh), after any comma-separated ones already typed.
func completeScopes(f *Factory, cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	ctx, cancel := context.WithTimeout(commandContext(cmd), completionTimeout)
	defer cancel()
	zc, client, err := servicesOf(f).zoneClient(ctx)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, err := f.ScopeCache().List(ctx, zc.Zone.Name, zc.Zone.URL, scopesOf(zc, client))
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return scopes.Complete(names, toComplete), cobra.ShellCompDirectiveNoFileComp
}

// completeLabels offers the labels of the selected zone's tokens, each
// without its lifetime suffix: --label L matches L~exp=TIME too.
func completeLabels(f *Factory, cmd *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	listed, ok := completionTokens(f, cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, l := range tokens.Labels(listed, toComplete) {
		out = append(out, fmt.Sprintf("%s\t%s", l.Label, countTokens(l.Count)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeCreated offers the created timestamps of the selected zone's
// tokens not already named, each described by its label and masked token.
func completeCreated(f *Factory, cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	listed, ok := completionTokens(f, cmd)
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, t := range listed {
		if slices.Contains(args, t.Created) || !strings.HasPrefix(t.Created, toComplete) {
			continue
		}
		out = append(out, fmt.Sprintf("%s\t%s %s", t.Created, output.OneLine(t.Label, 0), tokens.MaskListed(t.Token)))
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
