// Package tfname makes Terraform resource names: the one place where a
// construct pins an element's name (Pin), and a value, such as a user name
// or an e-mail address, turned into a part of a name that stays the same
// for as long as the value does (Key). Resources built from a list are addressed by such a
// key, not by their position: removing one element then removes exactly
// that resource, and renames none of the others.
package tfname

import (
	"fmt"
	"strings"

	"github.com/aws/jsii-runtime-go"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Pin gives a resource or data source the Terraform name name, whatever
// its place in the construct tree: addresses are API (renaming one
// destroys and recreates an audited resource), so every construct chooses
// them by hand, once, through this one helper.
func Pin(element cdktf.TerraformElement, name string) {
	element.OverrideLogicalId(jsii.String(name))
}

// Ref is the Terraform reference to the attribute attr of the resource of
// type typ pinned as name: "${typ.name.attr}", what the element's getter
// would render, written in Go rather than asked of the jsii kernel (a
// call each).
func Ref(typ, name, attr string) string { return "${" + typ + "." + name + "." + attr + "}" }

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
