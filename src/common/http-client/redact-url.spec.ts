import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it('hides credentials of the control plane URL when logged', () => {
    expect(redactUrl('https://user:secret@cp.example.com')).toBe('https://***@cp.example.com');
    expect(redactUrl('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});
