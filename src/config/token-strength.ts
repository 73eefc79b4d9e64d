/** Long enough that it cannot be guessed: `openssl rand -hex 32` gives 64. */
export const MIN_TOKEN_LENGTH = 32;

/** Values copied from examples instead of generated. */
const PLACEHOLDER = /^(change[-_ ]?me|replace[-_ ]?me|your[-_]|example|placeholder|xxx|todo)/i;
const COMMON_WORDS = /^(secret|password|passw0rd|token|admin|drydock|test|default|letmein)+$/i;

/**
 * Why a token an operator configured is not a real secret, or undefined when it may be one.
 * `name` is the variable, so the message says what to fix; the value itself is never echoed.
 */
export function weakTokenProblem(name: string, token: string): string | undefined {
  const fix = `set it to a random value, e.g. \`openssl rand -hex 32\``;
  if (/\s/.test(token)) return `${name} must not contain whitespace`;
  if (PLACEHOLDER.test(token) || COMMON_WORDS.test(token))
    return `${name} is a placeholder, not a secret: ${fix}`;
  if (token.length < MIN_TOKEN_LENGTH)
    return `${name} must be at least ${MIN_TOKEN_LENGTH} characters long: ${fix}`;
  // One character or one short run repeated ("aaaa...", "abcabc...", "0123456789abcdef" twice).
  if (/^(.+?)\1+$/s.test(token) || new Set(token).size < 8)
    return `${name} is a repeated pattern, not a secret: ${fix}`;
  return undefined;
}
