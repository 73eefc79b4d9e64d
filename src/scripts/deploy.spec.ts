import { apiUrlFrom, DeployError, parseDeployArgs, parseProcfile } from './deploy.js';

describe('parseProcfile', () => {
  it('reads type: command lines, skipping blank lines and comments', () => {
    expect(
      parseProcfile('# the app\nweb: node web.js --port $PORT\n\nworker:node worker.js  \r\n'),
    ).toEqual({ web: 'node web.js --port $PORT', worker: 'node worker.js' });
  });

  it('says which line is wrong', () => {
    expect(() => parseProcfile('web: node web.js\nnode worker.js\n')).toThrow(
      'Procfile line 2 is not "type: command": node worker.js',
    );
    expect(() => parseProcfile('web:\n')).toThrow('Procfile line 1 is not "type: command"');
    expect(() => parseProcfile('we$b: x\n')).toThrow('"we$b" is not a process type');
    expect(() => parseProcfile('web: a\nweb: b\n')).toThrow('Procfile names web twice.');
    expect(() => parseProcfile('# nothing\n')).toThrow(DeployError);
  });
});

describe('parseDeployArgs', () => {
  const env = { HEROKU_API_KEY: 'secret', INIT_CWD: '/home/me/code' };

  it('takes a directory and --app, -a or --app=, relative to where npm was run', () => {
    for (const argv of [
      ['site', '--app', 'myapp'],
      ['-a', 'myapp', 'site'],
      ['--app=myapp', 'site'],
    ]) {
      expect(parseDeployArgs(argv, env)).toEqual({
        dir: 'site',
        path: '/home/me/code/site',
        app: 'myapp',
        apiUrl: 'http://127.0.0.1:3000',
        token: 'secret',
      });
    }
  });

  it('refuses a missing directory, app or token, and unknown options', () => {
    expect(() => parseDeployArgs(['--app', 'x'], env)).toThrow(/Which directory/);
    expect(() => parseDeployArgs(['site'], env)).toThrow(/Which app/);
    expect(() => parseDeployArgs(['a', 'b', '-a', 'x'], env)).toThrow(/One directory only/);
    expect(() => parseDeployArgs(['site', '--force', '-a', 'x'], env)).toThrow(
      /Unknown option --force/,
    );
    expect(() => parseDeployArgs(['site', '-a', 'x'], {})).toThrow(/HEROKU_API_KEY/);
    expect(parseDeployArgs(['site', '-a', 'x'], { DRYDOCK_ADMIN_TOKEN: 'admin' }).token).toBe(
      'admin',
    );
  });
});

describe('apiUrlFrom', () => {
  it('prefers DRYDOCK_URL, then HEROKU_HOST, then the local default', () => {
    expect(apiUrlFrom({})).toBe('http://127.0.0.1:3000');
    expect(apiUrlFrom({ HEROKU_HOST: 'http://127.0.0.1:4000/' })).toBe('http://127.0.0.1:4000');
    expect(apiUrlFrom({ HEROKU_HOST: 'drydock.example.com' })).toBe('https://drydock.example.com');
    expect(apiUrlFrom({ DRYDOCK_URL: 'http://a:1', HEROKU_HOST: 'http://b:2' })).toBe('http://a:1');
  });
});
