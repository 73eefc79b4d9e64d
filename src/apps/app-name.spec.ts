import { APP_NAME_PATTERN, generateAppName } from './app-name.js';

describe('app names', () => {
  it('accepts what Heroku accepts', () => {
    for (const name of ['abc', 'my-app', 'a1b2', 'x'.repeat(30)])
      expect(APP_NAME_PATTERN.test(name)).toBe(true);
  });

  it('rejects what Heroku rejects', () => {
    for (const name of [
      'ab',
      '1app',
      'app-',
      'My-App',
      'my_app',
      'x'.repeat(31),
      'my app',
      'ünï',
    ]) {
      expect(APP_NAME_PATTERN.test(name)).toBe(false);
    }
  });

  it('generates names that follow the rule', () => {
    for (let i = 0; i < 200; i++) expect(generateAppName()).toMatch(APP_NAME_PATTERN);
  });
});
