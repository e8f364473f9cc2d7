// Package tfname makes Terraform resource names: a part of a construct's
// name (Part), and a value, such as a user name or an e-mail address,
// turned into a part of a name that stays the same for as long as the
// value does (Key). Addresses are API (renaming one destroys and
// recreates an audited resource): every construct chooses them by hand,
// once, as it writes the block (package block). Resources built from a
// list are addressed by such a key, not by their position: removing one
// element then removes exactly that resource, and renames none of the
// others.
package tfname

import (
	"fmt"
	"strings"
)

// Part is the name of a part of the construct named id: id_part.
func Part(id, part string) string { return id + "_" + part }

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
