package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
)

// All validates s, once for every stack, and adds every stack of the app:
// the audit trail (in the log-archive layout, settings.Accounts, the
// security account's stack, the management account's keys stack when it
// holds the trail key, the log-archive account's stack, then the
// management account's audit stack), the bootstrap stack for the state
// bucket (unless HCP Terraform keeps the state), and the exports stack
// that republishes the audit stack's values. Invalid settings add
// nothing.
func All(app cdktf.App, s settings.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	audit, err := audit(app, s)
	if err != nil {
		return err
	}
	if s.State.TFCOrganization == "" {
		if _, err := NewState(app, s); err != nil {
			return err
		}
	}
	_, err = NewExports(app, s, audit)
	return err
}

// audit adds the stacks of the trail: the audit stack alone, or the
// log-archive layout's stacks in the order they are applied.
func audit(app cdktf.App, s settings.Settings) (*Audit, error) {
	if s.Accounts == nil {
		return NewAudit(app, s)
	}
	if _, err := NewSecurity(app, s); err != nil {
		return nil, err
	}
	if s.Accounts.Keys() == settings.KeysInManagement {
		if _, err := NewKeys(app, s); err != nil {
			return nil, err
		}
	}
	if _, err := NewLogArchive(app, s); err != nil {
		return nil, err
	}
	return NewManagement(app, s)
}

// Names lists the stacks All adds, in the order they are applied.
func Names(s settings.Settings) []string {
	var out []string
	if s.Accounts != nil {
		out = append(out, SecurityName)
		if s.Accounts.Keys() == settings.KeysInManagement {
			out = append(out, KeysName)
		}
		out = append(out, LogArchiveName)
	}
	out = append(out, AuditName)
	if s.State.TFCOrganization == "" {
		out = append(out, StateName)
	}
	return append(out, ExportsName)
}
