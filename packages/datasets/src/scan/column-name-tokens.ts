/**
 * A column's name as lower-case tokens: split at anything that is not a letter or digit and at
 * camelCase boundaries, so `customerEmail`, `customer_email` and `Customer E-mail` all give
 * `["customer", "email"]` or `["customer", "e", "mail"]`. The joined form (`customeremail`) is
 * the last token, so detectors can look for a word that spans separators (`creditcard`).
 */
export function columnNameTokens(name: string): string[] {
  const tokens = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
  return tokens.length > 1 ? [...tokens, tokens.join("")] : tokens;
}

/** Whether any token is one of `words`, or the joined name contains one of `fragments`. */
export function tokensHint(
  tokens: readonly string[],
  words: ReadonlySet<string>,
  fragments: readonly string[] = [],
): boolean {
  return tokens.some((t) => words.has(t) || fragments.some((f) => t.includes(f)));
}
