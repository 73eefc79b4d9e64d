import { releaseOnSlugStack, setBuildStack, buildStackOf } from './stack-rules.js';

describe('stack rules', () => {
  const deployed = { stack: 'heroku-24', buildStack: null };

  it('changes the stack at once for an app that runs no slug yet', () => {
    expect(setBuildStack(deployed, 'heroku-22', false)).toEqual({
      stack: 'heroku-22',
      buildStack: null,
    });
  });

  it('keeps the stack of a deployed app and sets the one its next deploy takes', () => {
    const set = setBuildStack(deployed, 'heroku-22', true);
    expect(set).toEqual({ stack: 'heroku-24', buildStack: 'heroku-22' });
    expect(buildStackOf(set)).toBe('heroku-22');
  });

  it('cancels a pending build stack when set back to the current stack', () => {
    expect(
      setBuildStack({ stack: 'heroku-24', buildStack: 'heroku-22' }, 'heroku-24', true),
    ).toEqual(deployed);
  });

  it('moves the app to the stack of the slug it releases, clearing the build stack it reached', () => {
    const pending = { stack: 'heroku-24', buildStack: 'heroku-22' };
    expect(releaseOnSlugStack(pending, 'heroku-22')).toEqual({
      stack: 'heroku-22',
      buildStack: null,
    });
    expect(releaseOnSlugStack(pending, 'heroku-24')).toEqual(pending);
    expect(releaseOnSlugStack(deployed, 'heroku-22')).toEqual({
      stack: 'heroku-22',
      buildStack: null,
    });
  });
});
