package settings

import (
	"errors"
	"regexp"

	"github.com/cle2wa/audit-trail/constructs/auditors"
	"github.com/cle2wa/audit-trail/constructs/field"
)

// Accounts is the log-archive layout of an organization (the setting
// "accounts"): the organization trail in the management account, the evidence in a log-archive
// account, the trail key and the audit identities in a security account.
// docs/design.md ("The log-archive layout") gives the reasons.
type Accounts struct {
	// LogArchive is the account of the log bucket and its access-log
	// bucket.
	LogArchive string `json:"logArchive"`
	// Security is the account of the audit identities, and of the trail
	// key unless KeysIn is KeysInManagement.
	Security string `json:"security"`
	// KeysIn is where the trail key lives: KeysInSecurity (default, as
	// AWS's Security Reference Architecture) or KeysInManagement (as AWS
	// Control Tower requires).
	KeysIn string `json:"keysIn"`
	// RoleName is the role Terraform assumes in the log-archive and
	// security accounts; DefaultRoleName by default.
	RoleName string `json:"roleName"`
	// ControlTower is how the trail lives beside AWS Control Tower's
	// baseline trail, when Control Tower manages the organization:
	// ControlTowerAddsDataEvents or ControlTowerRecordsEverything; "" when
	// Control Tower does not (the plan stops if it does).
	ControlTower string `json:"controlTower"`
}

// The values of Accounts.ControlTower.
const (
	// ControlTowerAddsDataEvents: Control Tower's trail records every
	// account's management events; this trail records the data events
	// only, so that no management event is recorded, and paid for, twice.
	ControlTowerAddsDataEvents = "adds-data-events"
	// ControlTowerRecordsEverything: this trail records the management
	// events too, a second copy, in evidence this layout protects.
	ControlTowerRecordsEverything = "records-everything"
)

// The values of Accounts.KeysIn.
const (
	KeysInSecurity   = "security"
	KeysInManagement = "management"
)

// DefaultRoleName is the role AWS Organizations creates in every account
// it creates, for the management account's administrators ("By default,
// that role is named OrganizationAccountAccessRole";
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html).
// Accounts invited into the organization do not get it; AWS Control
// Tower's accounts have AWSControlTowerExecution instead
// (https://docs.aws.amazon.com/controltower/latest/userguide/roles-how.html).
const DefaultRoleName = "OrganizationAccountAccessRole"

// accountID is an AWS account ID.
var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// Role is the name of the role Terraform assumes in the member accounts.
func (a *Accounts) Role() string { return a.withDefaults().RoleName }

// Keys is the account kind that holds the trail key: KeysInSecurity or
// KeysInManagement.
func (a *Accounts) Keys() string { return a.withDefaults().KeysIn }

// withDefaults is a with its defaults filled in.
func (a Accounts) withDefaults() Accounts {
	if a.KeysIn == "" {
		a.KeysIn = KeysInSecurity
	}
	if a.RoleName == "" {
		a.RoleName = DefaultRoleName
	}
	return a
}

// validate reports every problem of the layout (with its defaults).
func (a Accounts) validate() error {
	var errs []error
	for _, id := range []struct{ setting, value string }{{"logArchive", a.LogArchive}, {"security", a.Security}} {
		if !accountID.MatchString(id.value) {
			errs = append(errs, field.Invalid(id.setting, id.value, "is not an AWS account ID (12 digits)"))
		}
	}
	if a.LogArchive != "" && a.LogArchive == a.Security {
		errs = append(errs, field.Invalid("security", a.Security, "is the logArchive account too: the evidence and the keys that decrypt it are kept apart (the security account holds the keys and the readers)"))
	}
	if a.KeysIn != KeysInSecurity && a.KeysIn != KeysInManagement {
		errs = append(errs, field.Invalid("keysIn", a.KeysIn, "is not %q or %q", KeysInSecurity, KeysInManagement))
	}
	errs = append(errs, field.Under("roleName", auditors.ValidateName("role", a.RoleName, 64)))
	switch a.ControlTower {
	case "", ControlTowerAddsDataEvents, ControlTowerRecordsEverything:
	default:
		errs = append(errs, field.Invalid("controlTower", a.ControlTower, "is not %q or %q", ControlTowerAddsDataEvents, ControlTowerRecordsEverything))
	}
	return errors.Join(errs...)
}
