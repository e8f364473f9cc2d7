package stacks

import (
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/cle2wa/audit-trail/internal/settings"
)

// All validates s, once for every stack, and adds every stack of the app:
// the audit trail, the bootstrap stack for the state bucket (unless HCP
// Terraform keeps the state), and the exports stack that republishes the
// audit stack's values. Invalid settings add nothing.
func All(app cdktf.App, s settings.Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	audit, err := NewAudit(app, s)
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

// Names lists the stacks All adds, in order.
func Names(s settings.Settings) []string {
	if s.State.TFCOrganization != "" {
		return []string{AuditName, ExportsName}
	}
	return []string{AuditName, StateName, ExportsName}
}
