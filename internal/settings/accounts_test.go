package settings

import (
	"fmt"
	"strings"
	"testing"
)

// TestAccounts: the log-archive layout's accounts are account IDs, two
// distinct ones, its key lives in the security or the management account,
// Terraform assumes a valid role name (OrganizationAccountAccessRole by
// default), and the trail is an organization trail; every problem is
// named at once.
func TestAccounts(t *testing.T) {
	valid := Accounts{LogArchive: "111122223333", Security: "444455556666"}
	cases := map[string]struct {
		accounts     Accounts
		organization bool
		want         []string
		deployers    []string
	}{
		"the defaults":              {valid, true, nil, nil},
		"keys in the management":    {Accounts{LogArchive: "111122223333", Security: "444455556666", KeysIn: KeysInManagement, RoleName: "AWSControlTowerExecution"}, true, nil, nil},
		"not an organization trail": {valid, false, []string{`organizationTrail: false with accounts: a log-archive account holds`}, nil},
		"account IDs": {Accounts{LogArchive: "1111", Security: "arn:aws:iam::444455556666:root"}, true, []string{
			`accounts.logArchive: "1111" is not an AWS account ID (12 digits)`,
			`accounts.security: "arn:aws:iam::444455556666:root" is not an AWS account ID`}, nil},
		"one account for both":                  {Accounts{LogArchive: "111122223333", Security: "111122223333"}, true, []string{`accounts.security: "111122223333" is the logArchive account too`}, nil},
		"keys elsewhere":                        {Accounts{LogArchive: "111122223333", Security: "444455556666", KeysIn: "log-archive"}, true, []string{`accounts.keysIn: "log-archive" is not "security" or "management"`}, nil},
		"operators of one account":              {valid, true, []string{`accounts: "deployers and breakGlassPrincipals" are principals of one account`}, []string{"arn:aws:iam::111122223333:role/deploy"}},
		"a role name with a slash":              {Accounts{LogArchive: "111122223333", Security: "444455556666", RoleName: "path/role"}, true, []string{`accounts.roleName: "path/role" is not a valid IAM role name`}, nil},
		"beside Control Tower, a second copy":   {Accounts{LogArchive: "111122223333", Security: "444455556666", ControlTower: ControlTowerRecordsEverything}, true, nil, nil},
		"a Control Tower mode it does not know": {Accounts{LogArchive: "111122223333", Security: "444455556666", ControlTower: "data-only"}, true, []string{`accounts.controlTower: "data-only" is not "adds-data-events" or "records-everything"`}, nil},
		// Data events only beside Control Tower: without data events the
		// trail records nothing, and the alarms and Insights have no
		// management event to read (the defaults: no data events,
		// monitoring on).
		"data events only, with the defaults": {Accounts{LogArchive: "111122223333", Security: "444455556666", ControlTower: ControlTowerAddsDataEvents}, true, []string{
			`dataEvents: "" with accounts.controlTower "adds-data-events" the trail records data events only`,
			`monitoring: true with accounts.controlTower "adds-data-events" the trail records no management event`}, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := Defaults()
			s.Accounts, s.OrganizationTrail = &c.accounts, c.organization
			s.Deployers = c.deployers
			err := s.Validate()
			if len(c.want) == 0 {
				if err != nil {
					t.Errorf("expected valid settings, found %v", err)
				}
				return
			}
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("expected an error containing %q, found %v", w, err)
				}
			}
		})
	}
	if got := (Accounts{}).withDefaults(); got.KeysIn != KeysInSecurity || got.RoleName != DefaultRoleName {
		t.Errorf("expected the defaults %q and %q, found %+v", KeysInSecurity, DefaultRoleName, got)
	}
}

// TestAccountsFromCdktfJSON: the setting accounts is read from cdktf.json's
// context as an object of strings; a key it does not have, a value that
// is not a string and an object that is not one are refused with every
// problem named, and an account left out is named by the validation.
func TestAccountsFromCdktfJSON(t *testing.T) {
	s, err := Parse([]byte(`{"organizationTrail": true, "accounts": {"logArchive": "555566667777", "security": "444455556666", "keysIn": "management", "roleName": "AWSControlTowerExecution"}}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Accounts{LogArchive: "555566667777", Security: "444455556666", KeysIn: KeysInManagement, RoleName: "AWSControlTowerExecution"}); s.Accounts == nil || *s.Accounts != want {
		t.Errorf("expected %+v, found %+v", want, s.Accounts)
	}
	for context, want := range map[string][]string{
		`{"organizationTrail": true, "accounts": {"logArchve": "555566667777", "security": 444455556666}}`: {
			`accounts.logArchve: "\"555566667777\"" is not a key of accounts`, `accounts.security`},
		`{"organizationTrail": true, "accounts": ["555566667777"]}`:             {`accounts: expected an object`},
		`{"organizationTrail": true, "accounts": null}`:                         {`accounts: expected an object`},
		`{"organizationTrail": true, "accounts": {"security": "444455556666"}}`: {`accounts.logArchive: "" is not an AWS account ID`},
	} {
		_, err := Parse([]byte(context), "test")
		for _, w := range want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: expected an error containing %q, found %v", context, w, err)
			}
		}
	}
}

// TestControlTowerDataEventsOnly: beside Control Tower, data events only
// is valid with data events on and neither monitoring nor Insights, and
// Insights is refused by name.
func TestControlTowerDataEventsOnly(t *testing.T) {
	s := Defaults()
	s.OrganizationTrail, s.Monitoring, s.DataEvents = true, false, "WRITE"
	s.Accounts = &Accounts{LogArchive: "555566667777", Security: "444455556666", ControlTower: ControlTowerAddsDataEvents}
	if err := s.Validate(); err != nil {
		t.Errorf("expected valid settings, found %v", err)
	}
	s.Insights = true
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `insights: true with accounts.controlTower "adds-data-events"`) {
		t.Errorf("expected insights refused, found %v", err)
	}
}

// TestAuditorsBeyondTheTrustQuota: more auditors than a trust policy that
// names each takes are refused in one account and accepted in the
// log-archive layout, whose audit role trusts their path.
func TestAuditorsBeyondTheTrustQuota(t *testing.T) {
	s := Defaults()
	for i := range 100 {
		s.AuditUsers = append(s.AuditUsers, fmt.Sprintf("auditor-%03d", i))
	}
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "over IAM's default quota") {
		t.Errorf("expected 100 auditors refused in one account, found %v", err)
	}
	s.OrganizationTrail = true
	s.Accounts = &Accounts{LogArchive: "555566667777", Security: "444455556666"}
	if err := s.Validate(); err != nil {
		t.Errorf("expected 100 auditors in the log-archive layout, found %v", err)
	}
}
