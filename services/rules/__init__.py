"""Pure domain rules: identifiers, units and (later) the 标准地 and 环评 rules."""
