package tokens

import (
	"context"
	"time"

	"github.com/maketoken/maketoken/internal/makeapi"
)

// Prune is what a prune revokes in a zone: the tokens created longer than
// MaxAge ago or, with Expired, those whose lifetime has passed; Label or
// LabelPrefix limit it, Keep spares the newest Keep of each label. The
// credential in use is never pruned: it is named in Selection.Spared.
type Prune struct {
	MaxAge             time.Duration
	Expired            bool
	Label, LabelPrefix string
	Keep               int
}

// Plan lists the zone's tokens and picks those to revoke as of Make's
// now, as the list's answer shows it (local's when it had no Date);
// current is the credential in use. With Expired, a clock more than
// SkewLimit off Make's is a *SkewError and nothing is picked: lifetimes
// are judged on Make's clock alone, and a machine whose own is that far
// off has something to fix first. An error of the list is returned as it
// is.
func (p Prune) Plan(ctx context.Context, zone string, client *makeapi.Client, current string, local func() time.Time) (Selection, error) {
	listed, err := client.ListTokens(ctx)
	if err != nil {
		return Selection{}, err
	}
	if err := CheckSkew(zone, client); err != nil && p.Expired {
		return Selection{}, err
	}
	now, _ := ServerNow(client, local)
	sel := Selector{Label: p.Label, LabelPrefix: p.LabelPrefix, Keep: p.Keep, Current: current, SpareCurrent: true}
	if p.Expired {
		sel.ExpiredAt = now
	} else {
		sel.Before = now.Add(-p.MaxAge)
	}
	return sel.Select(listed), nil
}
