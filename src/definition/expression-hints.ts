/**
 * Hints for JSONata syntax errors, by JSONata's error code: what the usual slip behind each code
 * is and how to write it instead (JavaScript habits such as `==`, `&&`, `!`, `||` are the common
 * ones). Pure.
 */

const RULES = 'see "Expressions" in docs/guides/authoring.md';

/** A hint for a syntax error `code` whose JSONata message is `message`, at `position` in the expression. */
export function expressionSyntaxHint(code: string | undefined, message: string, position: number | undefined): string {
  const where = position === undefined ? '' : ` (character ${position + 1} of the expression)`;
  const token = /"([^"]*)"/.exec(message)?.[1];
  const specific = specificHint(code, message, token);
  return specific ?? `the expression is not valid JSONata${where}: ${RULES}`;
}

function specificHint(code: string | undefined, message: string, token: string | undefined): string | undefined {
  switch (code) {
    case 'S0101':
      return 'a text in the expression starts with a quote that is never closed: add the matching `"` or `\'`';
    case 'S0105':
      return 'a name in backquotes (`` `like this` ``) is not closed: add the closing backquote';
    case 'S0203':
      return token ? `a bracket is opened but never closed: add the missing \`${token}\`` : undefined;
    case 'S0202':
      return token ? `JSONata expected \`${token}\` here: a comma or an operator may be missing between two values` : undefined;
    case 'S0207':
      return 'the expression ends too early: something is missing after the last operator, `.`, `,` or `:=`';
    case 'S0212':
      return 'a variable name starts with `$`: write `$name := …`';
    case 'S0204':
      if (token === '!') return 'JSONata has no `!`: write `$not(…)` for "not", and `!=` for "not equal"';
      return undefined;
    case 'S0211':
      if (token === '=') return 'JSONata compares with a single `=` (not `==` or `===`); to set a variable write `$name := …`';
      if (token === '&') return 'JSONata writes "and" as `and` (`&` joins texts)';
      if (token === '>' || token === '<') return 'JSONata writes "not equal" as `!=`';
      return token ? `\`${token}\` needs a value on each side` : undefined;
    case 'S0201':
      if (token === ')' || token === ']' || token === '}') return `there is a \`${token}\` without a matching opening bracket (or one too many)`;
      if (token === '|') return 'JSONata writes "or" as `or` (`||` is not an operator)';
      if (token === '..') return 'a path has two dots in a row';
      if (token === ';') return 'several expressions separated by `;` go inside `( … )`, e.g. `( $a := 1; $a + 1 )`';
      if (token === ',') return 'a `,` separates items only inside `[ … ]`, `{ … }` or a function call';
      return token ? `JSONata did not expect \`${token}\` here: an operator, a comma or a bracket may be missing before it` : undefined;
    default:
      return /empty expression/.test(message) ? 'write an expression between `${` and `}`, or remove them' : undefined;
  }
}
