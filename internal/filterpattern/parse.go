package filterpattern

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Parse parses a JSON filter pattern: "{ expression }".
func Parse(text string) (*Pattern, error) {
	if len(text) > MaxLength {
		return nil, fmt.Errorf("the pattern has %d characters, CloudWatch Logs accepts at most %d", len(text), MaxLength)
	}
	p := &parser{src: text}
	p.skip()
	if !p.eat("{") {
		return nil, p.fail("a JSON pattern starts with {")
	}
	root, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.eat("}") {
		return nil, p.fail("expected } or an operator")
	}
	if p.pos != len(p.src) {
		return nil, p.fail("expected the end of the pattern")
	}
	return &Pattern{text: text, root: root}, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("at character %d of %q: %s", p.pos+1, p.src, what)
}

func (p *parser) skip() {
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
}

func (p *parser) eat(tok string) bool {
	if strings.HasPrefix(p.src[p.pos:], tok) {
		p.pos += len(tok)
		p.skip()
		return true
	}
	return false
}

// expr is or-expression: and-expression { "||" and-expression }; &&
// binds first, as the guide's order of operations says.
func (p *parser) expr() (node, error) {
	left, err := p.conj()
	if err != nil {
		return nil, err
	}
	for p.eat("||") {
		right, err := p.conj()
		if err != nil {
			return nil, err
		}
		left = or{left, right}
	}
	return left, nil
}

func (p *parser) conj() (node, error) {
	left, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.eat("&&") {
		right, err := p.term()
		if err != nil {
			return nil, err
		}
		left = and{left, right}
	}
	return left, nil
}

func (p *parser) term() (node, error) {
	if p.eat("(") {
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.eat(")") {
			return nil, p.fail("expected )")
		}
		return n, nil
	}
	sel, err := p.selector()
	if err != nil {
		return nil, err
	}
	for _, is := range []string{"NOT EXISTS", "IS NULL", "IS TRUE", "IS FALSE"} {
		if p.eat(is) {
			return test{sel, is}, nil
		}
	}
	for _, op := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if p.eat(op) {
			if sel.wild() && op != "=" {
				// The guide shows wildcard selectors with = only; what
				// another operator means over several elements it does
				// not say.
				return nil, p.fail(op + " with a [*] selector is not modelled: use =")
			}
			value, quoted, err := p.value()
			if err != nil {
				return nil, err
			}
			if op != "=" && op != "!=" {
				if _, err := strconv.ParseFloat(value, 64); err != nil || quoted {
					return nil, p.fail(op + " compares numbers only")
				}
			}
			return comparison{sel: sel, op: op, value: value, quote: quoted}, nil
		}
	}
	return nil, p.fail("expected an operator")
}

// selector is "$" followed by ".name" and "[n]" steps.
func (p *parser) selector() (selector, error) {
	if !strings.HasPrefix(p.src[p.pos:], "$.") {
		return nil, p.fail("expected a selector such as $.eventName")
	}
	p.pos++
	var sel selector
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '.':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && (isWord(p.src[p.pos])) {
				p.pos++
			}
			if p.pos == start {
				return nil, p.fail("expected a property name")
			}
			sel = append(sel, step{name: p.src[start:p.pos], index: -1})
		case '[':
			end := strings.IndexByte(p.src[p.pos:], ']')
			if end < 0 {
				return nil, p.fail("expected ]")
			}
			inside := p.src[p.pos+1 : p.pos+end]
			if inside == "*" {
				if sel.wild() {
					return nil, p.fail("a selector may have one wildcard")
				}
				sel = append(sel, step{index: anyElement})
				p.pos += end + 1
				continue
			}
			n, err := strconv.Atoi(inside)
			if err != nil || n < 0 {
				return nil, p.fail("expected an array index")
			}
			sel = append(sel, step{index: n})
			p.pos += end + 1
		default:
			p.skip()
			return sel, nil
		}
	}
	return sel, nil
}

func isWord(c byte) bool {
	return c == '_' || c == '-' || c == '@' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// value is a quoted string or an unquoted run of characters up to a space,
// a parenthesis or a brace.
func (p *parser) value() (string, bool, error) {
	if p.pos < len(p.src) && p.src[p.pos] == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], '"')
		if end < 0 {
			return "", false, p.fail("unterminated string")
		}
		v := p.src[p.pos+1 : p.pos+1+end]
		p.pos += end + 2
		p.skip()
		return v, true, nil
	}
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(" \t\n(){}&|", rune(p.src[p.pos])) {
		p.pos++
	}
	if p.pos == start {
		return "", false, p.fail("expected a value")
	}
	v := p.src[start:p.pos]
	p.skip()
	return v, false, nil
}
