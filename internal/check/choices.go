package check

import (
	"fmt"
	"strings"

	"github.com/cle2wa/audit-trail/constructs/logbucket"
	"github.com/cle2wa/audit-trail/constructs/trail"
	"github.com/cle2wa/audit-trail/internal/iameval"
	"github.com/cle2wa/audit-trail/internal/settings"
	"github.com/cle2wa/audit-trail/internal/tfjson"
)

// Choice is a consequence of the settings that cannot be undone, or that
// weakens the audit trail, read from the synthesized JSON: the synth says
// each on stderr, and the review report and the review of a change list
// them first, under their own heading.
type Choice struct {
	// Kind is Irreversible or Weakening.
	Kind string
	// Stack and Address locate the resource the choice shows in.
	Stack, Address string
	// What says what it means and for how long; Undo how it is undone,
	// if it can be.
	What, Undo string
}

// The kinds of Choice.
const (
	Irreversible = "irreversible"
	Weakening    = "weakening"
)

func (c Choice) String() string {
	return fmt.Sprintf("%s (%s:%s): %s; %s", c.Kind, c.Stack, c.Address, c.What, c.Undo)
}

// Markdown is the choice as a list item, as REVIEW.md and the review of a
// change show it.
func (c Choice) Markdown() string {
	return fmt.Sprintf("- **%s** `%s:%s`: %s; %s\n", c.Kind, c.Stack, c.Address, c.What, c.Undo)
}

// Choices are the irreversible and weakening choices of the stacks, the
// irreversible ones first.
func Choices(stacks []*tfjson.Doc) []Choice {
	var irreversible, weakening []Choice
	for _, d := range stacks {
		for _, t := range d.Resources("aws_cloudtrail") {
			// A choice is said where its resource is: the log bucket of
			// the log-archive layout is another stack's than the trail.
			add := func(kind string, in *tfjson.Doc, b tfjson.Block, what, undo string) {
				c := Choice{Kind: kind, Stack: in.Stack, Address: b.Address, What: what, Undo: undo}
				if kind == Irreversible {
					irreversible = append(irreversible, c)
				} else {
					weakening = append(weakening, c)
				}
			}
			bd, bucket, ok := trailBucket(d, t)
			if !ok {
				continue
			}
			switch mode, days, locked := lock(bd, bucket); {
			case locked && mode == "COMPLIANCE":
				add(Irreversible, bd, bucket, fmt.Sprintf("Object Lock COMPLIANCE for %d days (%s): every log file and digest written is locked that long, and nobody, the root user included, can delete it, shorten its lock or stop paying for its storage", days, years(days)),
					"it cannot be undone for the versions already written; mode GOVERNANCE or OFF only changes the lock of new ones")
			case !locked:
				add(Weakening, bd, bucket, "no Object Lock on the log bucket: a break-glass principal can delete log files and digests with its bucket policy alone",
					`set "objectLock" back to GOVERNANCE (the default) or COMPLIANCE`)
			}
			for _, lc := range companions(bd, "aws_s3_bucket_lifecycle_configuration", bucket) {
				rules, _ := lc.Attrs["rule"].([]any)
				for _, r := range rules {
					if days, ok := tfjson.Get(r, "expiration", "days").(float64); ok {
						add(Weakening, bd, lc, fmt.Sprintf("log files and digests are deleted %v days (%s) after delivery, for good", days, years(int(days))),
							`unset "logRetentionDays" to keep them for ever; what has expired is gone`)
					}
				}
			}
			if records, _ := managementEvents(t); !records && controlTowerRecords(d) {
				add(Weakening, d, t, "data events only: the management events are recorded by AWS Control Tower's trail "+trail.ControlTowerTrail+", into its own log archive bucket under its controls, not into these stacks' evidence",
					`set "accounts": {"controlTower": "`+settings.ControlTowerRecordsEverything+`"} to record them here too (billed as a second copy)`)
			}
			if _, ok := t.Attrs["cloud_watch_logs_group_arn"]; !ok {
				add(Weakening, d, t, "no monitoring: no copy of the events in CloudWatch Logs and no alarm, so nobody is told when the trail is stopped, changed or its evidence touched",
					`set "monitoring" back to true`)
			}
			for _, s := range statementsNamed(bd, bucket, logbucket.SidDenyDestruction) {
				var others []string
				for _, p := range s.Condition("ArnNotEquals", "aws:PrincipalArn") {
					if !strings.HasSuffix(p, ":root") {
						others = append(others, p)
					}
				}
				if len(others) > 0 {
					add(Weakening, bd, bucket, "break-glass principals besides the root user ("+strings.Join(others, ", ")+") may delete log versions, bypass governance retention and delete the buckets' policies",
						`remove them from "breakGlassPrincipals" when the emergency is over`)
				}
			}
		}
	}
	return append(irreversible, weakening...)
}

// statementsNamed are the statements with sid of bucket's policy.
func statementsNamed(d *tfjson.Doc, bucket tfjson.Block, sid string) []iameval.Statement {
	all, _ := bucketStatements(d, bucket)
	var out []iameval.Statement
	for _, s := range all {
		if s.Sid == sid {
			out = append(out, s)
		}
	}
	return out
}

// years says days in years, for a reader.
func years(days int) string {
	if days%365 == 0 {
		return fmt.Sprintf("%d years", days/365)
	}
	return fmt.Sprintf("about %.1f years", float64(days)/365)
}
