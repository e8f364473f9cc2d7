// Package tfname turns a value, such as a user name or an e-mail address,
// into a part of a Terraform resource name that stays the same for as long
// as the value does. Resources built from a list are addressed by such a
// key, not by their position: removing one element then removes exactly
// that resource, and renames none of the others.
package tfname

import (
	"fmt"
	"strings"
)

// Key encodes value for a Terraform resource name: letters, digits and
// hyphens stay as they are; every other byte, the underscore included,
// becomes "_" and two lower-case hex digits. Different values give
// different keys, and a key never contains an underscore that is not the
// start of such an escape.
func Key(value string) string {
	var b strings.Builder
	for i := 0; i < len(value); i++ {
		c := value[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}
