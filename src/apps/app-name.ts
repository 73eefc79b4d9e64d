import { randomInt } from 'node:crypto';

/** Heroku's rule: 3 to 30 characters, lowercase letters, digits and dashes, starting with a letter. */
export const APP_NAME_PATTERN = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;

export const APP_NAME_RULE =
  'Name must start with a letter, end with a letter or digit, be 3 to 30 characters long, and contain only lowercase letters, digits and dashes.';

const ADJECTIVES = [
  'ancient', 'autumn', 'billowing', 'bitter', 'blue', 'bold', 'brave', 'calm', 'cold', 'cool',
  'crimson', 'damp', 'dark', 'dry', 'floral', 'fragrant', 'frosty', 'gentle', 'green', 'hidden',
  'holy', 'icy', 'lively', 'long', 'misty', 'morning', 'muddy', 'nameless', 'old', 'patient',
  'polished', 'proud', 'quiet', 'rough', 'shy', 'silent', 'small', 'snowy', 'still', 'sweet',
];
const NOUNS = [
  'bird', 'breeze', 'brook', 'cloud', 'dawn', 'dew', 'dream', 'dust', 'feather', 'field',
  'fire', 'flower', 'fog', 'forest', 'frog', 'glade', 'grass', 'haze', 'hill', 'lake',
  'leaf', 'meadow', 'moon', 'mountain', 'night', 'paper', 'pine', 'pond', 'rain', 'river',
  'sea', 'shadow', 'shape', 'sky', 'smoke', 'snow', 'sound', 'star', 'sun', 'wave',
];

/** A Heroku-style generated name such as `misty-river-40215`. */
export function generateAppName(): string {
  const pick = (words: string[]) => words[randomInt(words.length)];
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(10000, 100000)}`;
}
