package settings

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/field"
	"github.com/cle2wa/audit-trail/constructs/identitycenter"
)

// IdentityCenter is the setting "identityCenter": the auditors of IAM
// Identity Center, given the audit role through a permission set
// (identitycenter.New) in the account where the audit role is, beside or
// instead of the IAM users of auditUsers.
type IdentityCenter struct {
	// InstanceARN is the Identity Center instance of the organization.
	InstanceARN string `json:"instanceArn"`
	// PermissionSet is the name of the permission set the stacks make.
	PermissionSet string `json:"permissionSet"`
	// Groups and Users are the Identity Store IDs it is assigned to.
	Groups []string `json:"groups"`
	Users  []string `json:"users"`
	// Region is Identity Center's primary region, where permission sets
	// and assignments are written; "" for the settings' region.
	Region string `json:"region"`
}

// decodeIdentityCenter reads {"instanceArn": ..., "permissionSet": ...,
// "region": ...,
// "groups": [...], "users": [...]}; a key left out is empty, which
// Validate then names.
func decodeIdentityCenter(raw json.RawMessage, s *Settings) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || isNull(raw) {
		return fmt.Errorf(`expected an object such as {"instanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "permissionSet": "AuditReader", "groups": ["<group ID>"]}, got %s`, raw)
	}
	ic := &IdentityCenter{}
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := fields[k]
		switch k {
		case "instanceArn":
			errs = append(errs, field.Under(k, decodeString(v, &ic.InstanceARN)))
		case "permissionSet":
			errs = append(errs, field.Under(k, decodeString(v, &ic.PermissionSet)))
		case "groups":
			errs = append(errs, field.Under(k, decodeStrings(v, &ic.Groups)))
		case "users":
			errs = append(errs, field.Under(k, decodeStrings(v, &ic.Users)))
		case "region":
			errs = append(errs, field.Under(k, decodeString(v, &ic.Region)))
		default:
			errs = append(errs, field.Invalid(k, string(v), `is not a key of identityCenter (its keys: "instanceArn", "permissionSet", "groups", "users", "region")`))
		}
	}
	s.IdentityCenter = ic
	return errors.Join(errs...)
}

// validate reports every problem of the setting, for a home region's
// partition.
func (ic IdentityCenter) validate(partition string) error {
	errs := []error{identitycenter.ValidateSource(ic.InstanceARN, ic.PermissionSet, ic.Groups, ic.Users)}
	if ic.Region != "" && (!knownRegion(ic.Region) || PartitionOf(ic.Region) != partition) {
		errs = append(errs, field.Invalid("region", ic.Region, "is not a region of the partition %q that the pinned AWS provider knows%s", partition, suggestRegion(ic.Region)))
	}
	if p, _, ok := strings.Cut(strings.TrimPrefix(ic.InstanceARN, "arn:"), ":"); ok && strings.HasPrefix(ic.InstanceARN, "arn:") && p != partition {
		errs = append(errs, field.Invalid("instanceArn", ic.InstanceARN, "is in partition %q, the region's is %q", p, partition))
	}
	return errors.Join(errs...)
}

// RegionOr is Identity Center's region: Region, or home when unset.
func (ic IdentityCenter) RegionOr(home string) string {
	if ic.Region == "" {
		return home
	}
	return ic.Region
}

// PermissionSet is the name of the Identity Center permission set whose
// roles may assume the audit role, or "" without Identity Center.
func (s Settings) PermissionSet() string {
	if s.IdentityCenter == nil {
		return ""
	}
	return s.IdentityCenter.PermissionSet
}
