import { changesWhatRuns } from './change-watcher.js';

describe('changesWhatRuns', () => {
  it.each([
    'dyno.create',
    'dyno.state',
    'formation.update',
    'release.create',
    'app.create',
    'app.destroy',
    'app.rename',
  ])('re-lists the app after %s', (action) => expect(changesWhatRuns(action)).toBe(true));

  it.each(['maintenance.update', 'domain.create', 'collaborator.create'])('ignores %s', (action) =>
    expect(changesWhatRuns(action)).toBe(false),
  );
});
