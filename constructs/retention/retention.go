// Package retention states how long this project keeps audit evidence at
// the least, in one place for the constructs that keep it (the log
// buckets, the CloudWatch Logs copy), the settings that choose it and
// the checks that judge it.
package retention

// MinDays is the shortest time audit evidence may be kept before it
// expires: one year, what PCI DSS (requirement 10.5.1, a year of audit
// log history) and most audit regimes ask of audit logs.
const MinDays = 365
