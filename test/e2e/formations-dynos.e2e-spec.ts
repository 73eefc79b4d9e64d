import { ADMIN_TOKEN, bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('process types, formation and dynos', () => {
  let t: TestApp;
  let owner: { id: string; token: string };
  let other: { id: string; token: string };

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createUser('formation-owner@example.com');
    other = await t.createUser('formation-other@example.com');
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'formation-space' })
      .expect(201);
    await t
      .http()
      .post('/spaces')
      .set(bearer(owner.token))
      .send({ name: 'shield-space', shield: true })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({ name: 'common-app', process_types: { web: 'npm start', worker: 'node worker.js' } })
      .expect(201);
    await t
      .http()
      .post('/apps')
      .set(bearer(owner.token))
      .send({
        name: 'private-app',
        space: 'formation-space',
        process_types: { web: 'bin/web', worker: 'bin/worker' },
      })
      .expect(201);
  });
  afterAll(() => t.close());

  const dynoNames = async (app: string) =>
    (await t.prisma.dyno.findMany({ where: { app: { name: app } }, orderBy: { name: 'asc' } })).map(
      (d) => d.name,
    );
  const scale = (app: string, body: object, token = owner.token) =>
    t.http().patch(`/apps/${app}/formation`).set(bearer(token)).send(body);

  describe('process types', () => {
    it('come from process_types at creation: web with one dyno, others with none', async () => {
      const formation = await t
        .http()
        .get('/apps/common-app/formation')
        .set(bearer(owner.token))
        .expect(200);
      expect(
        formation.body.map(
          (f: { type: string; quantity: number; size: string; command: string }) => [
            f.type,
            f.quantity,
            f.size,
            f.command,
          ],
        ),
      ).toEqual([
        ['web', 1, 'Standard-1X', 'npm start'],
        ['worker', 0, 'Standard-1X', 'node worker.js'],
      ]);
      expect(formation.body[0]).toMatchObject({
        app: { name: 'common-app' },
        dyno_size: { name: 'Standard-1X' },
      });
      expect(await dynoNames('common-app')).toEqual(['web.1']);
      const privateFormation = await t
        .http()
        .get('/apps/private-app/formation/web')
        .set(bearer(owner.token))
        .expect(200);
      expect(privateFormation.body.size).toBe('Private-S');
    });

    it('are replaced with PUT /apps/{app}/process-types, which makes a release', async () => {
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'procfile-app' })
        .expect(201);
      await t
        .http()
        .get('/apps/procfile-app/process-types')
        .set(bearer(owner.token))
        .expect(200, {});
      const put = await t
        .http()
        .put('/apps/procfile-app/process-types')
        .set(bearer(owner.token))
        .send({ web: 'rails s', clock: 'bin/clock' })
        .expect(200);
      expect(put.body).toEqual({ clock: 'bin/clock', web: 'rails s' });
      expect(await dynoNames('procfile-app')).toEqual(['web.1']);
      const release = await t
        .http()
        .get('/apps/procfile-app/releases/2')
        .set(bearer(owner.token))
        .expect(200);
      expect(release.body.description).toBe('Deploy process types clock, web');

      await scale('procfile-app', { updates: [{ type: 'clock', quantity: 1 }] }).expect(200);
      await t
        .http()
        .put('/apps/procfile-app/process-types')
        .set(bearer(owner.token))
        .send({ web: 'rails server' })
        .expect(200);
      expect(await dynoNames('procfile-app')).toEqual(['web.1']);
      const web = await t.prisma.dyno.findFirstOrThrow({
        where: { app: { name: 'procfile-app' }, name: 'web.1' },
      });
      expect(web.command).toBe('rails server');
      await t.http().get('/apps/procfile-app/formation/clock').set(bearer(owner.token)).expect(404);
    });

    it('refuse bad declarations with 422', async () => {
      for (const body of [
        { run: 'x' },
        { 'bad type': 'x' },
        { web: '' },
        { web: 5 },
        ['web'],
        'web: npm start',
      ]) {
        const response = await t
          .http()
          .put('/apps/common-app/process-types')
          .set(bearer(owner.token))
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body))
          .expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'bad-procfile', process_types: { run: 'x' } })
        .expect(422);
      expect(await t.prisma.app.count({ where: { name: 'bad-procfile' } })).toBe(0);
    });
  });

  describe('scaling', () => {
    it('scales with the strings the Heroku CLI sends, dynos following', async () => {
      const response = await scale('common-app', {
        updates: [
          { type: 'web', quantity: '3' },
          { type: 'worker', quantity: '2', size: 'standard-2x' },
        ],
      }).expect(200);
      expect(
        response.body.map((f: { type: string; quantity: number; size: string }) => [
          f.type,
          f.quantity,
          f.size,
        ]),
      ).toEqual([
        ['web', 3, 'Standard-1X'],
        ['worker', 2, 'Standard-2X'],
      ]);
      expect(await dynoNames('common-app')).toEqual([
        'web.1',
        'web.2',
        'web.3',
        'worker.1',
        'worker.2',
      ]);
      const worker = await t.prisma.dyno.findFirstOrThrow({
        where: { app: { name: 'common-app' }, name: 'worker.2' },
      });
      expect(worker).toMatchObject({
        size: 'Standard-2X',
        command: 'node worker.js',
        state: 'starting',
      });
    });

    it('scales relatively with +N and -N, and down removes the highest dynos', async () => {
      await scale('common-app', {
        updates: [
          { type: 'web', quantity: '-2' },
          { type: 'worker', quantity: '+1' },
        ],
      }).expect(200);
      expect(await dynoNames('common-app')).toEqual(['web.1', 'worker.1', 'worker.2', 'worker.3']);
    });

    it('updates one type with PATCH /formation/{type} and keeps the size when none is given', async () => {
      const response = await t
        .http()
        .patch('/apps/common-app/formation/worker')
        .set(bearer(owner.token))
        .send({ quantity: 0 })
        .expect(200);
      expect(response.body).toMatchObject({ type: 'worker', quantity: 0, size: 'Standard-2X' });
      expect(await dynoNames('common-app')).toEqual(['web.1']);
      const bySize = await t
        .http()
        .patch('/apps/common-app/formation/web')
        .set(bearer(owner.token))
        .send({ dyno_size: { name: 'Performance-M' } })
        .expect(200);
      expect(bySize.body).toMatchObject({
        quantity: 1,
        size: 'Performance-M',
        dyno_size: { name: 'Performance-M' },
      });
    });

    it('records each change as an event', async () => {
      const event = await t.prisma.event.findFirstOrThrow({
        where: { appName: 'common-app', action: 'formation.update' },
        orderBy: { version: 'desc' },
      });
      expect(event.data).toEqual({
        type: 'web',
        quantity: { from: 1, to: 1 },
        size: { from: 'Standard-1X', to: 'Performance-M' },
      });
    });

    it('is all or nothing: one bad update leaves every type as it was', async () => {
      const before = await t.prisma.formation.findMany({
        where: { app: { name: 'common-app' } },
        orderBy: { type: 'asc' },
      });
      for (const updates of [
        [
          { type: 'web', quantity: 2 },
          { type: 'nosuch', quantity: 1 },
        ],
        [
          { type: 'web', quantity: 2 },
          { type: 'worker', quantity: -1 },
        ],
        [
          { type: 'web', quantity: 2 },
          { type: 'worker', quantity: 101 },
        ],
        [
          { type: 'web', quantity: 2 },
          { type: 'worker', size: 'Gigantic-9X' },
        ],
        [
          { type: 'web', quantity: 2 },
          { type: 'web', quantity: 3 },
        ],
      ]) {
        const response = await scale('common-app', { updates });
        expect([404, 422]).toContain(response.status);
      }
      expect(
        await t.prisma.formation.findMany({
          where: { app: { name: 'common-app' } },
          orderBy: { type: 'asc' },
        }),
      ).toEqual(before);
    });

    it('answers 404 not_found for an unknown process type, as Heroku does', async () => {
      const response = await t
        .http()
        .patch('/apps/common-app/formation/nosuch')
        .set(bearer(owner.token))
        .send({ quantity: 1 })
        .expect(404);
      expect(response.body.id).toBe('not_found');
      await t.http().get('/apps/common-app/formation/nosuch').set(bearer(owner.token)).expect(404);
    });

    it('refuses malformed quantities and bodies with 422', async () => {
      for (const body of [
        { updates: [{ type: 'web', quantity: 'lots' }] },
        { updates: [{ type: 'web', quantity: 1.5 }] },
        { updates: [{ type: 'web', quantity: null }] },
        { updates: [{ type: 'web', quantity: 1, colour: 'red' }] },
        { updates: [] },
        { updates: 'web=1' },
        {},
        { updates: [{ quantity: 1 }] },
      ]) {
        const response = await scale('common-app', body).expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
    });

    it('bounds quantities: at most 100, and one Eco or Basic dyno', async () => {
      await scale('common-app', { updates: [{ type: 'web', quantity: 101 }] }).expect(422);
      const basic = await scale('common-app', {
        updates: [{ type: 'web', quantity: 2, size: 'Basic' }],
      }).expect(422);
      expect(basic.body.message).toMatch(/limit is 1/);
    });

    it('keeps private sizes in private spaces and common sizes out of them', async () => {
      const privateOutside = await scale('common-app', {
        updates: [{ type: 'web', size: 'Private-M' }],
      }).expect(422);
      expect(privateOutside.body.message).toMatch(/only in a Private Space/);
      await scale('private-app', { updates: [{ type: 'web', size: 'Standard-2X' }] }).expect(422);
      await scale('private-app', { updates: [{ type: 'web', size: 'Shield-M' }] }).expect(422);
      const ok = await scale('private-app', {
        updates: [
          { type: 'web', quantity: '3', size: 'Private-M' },
          { type: 'worker', quantity: '2', size: 'Private-M' },
        ],
      }).expect(200);
      expect(ok.body.map((f: { size: string }) => f.size)).toEqual(['Private-M', 'Private-M']);
    });

    it('stores Shield sizes in a Shield space under their Private names, as Heroku does', async () => {
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'shielded-app', space: 'shield-space', process_types: { web: 'x' } })
        .expect(201);
      const response = await scale('shielded-app', {
        updates: [{ type: 'web', size: 'Shield-L' }],
      }).expect(200);
      expect(response.body[0].size).toBe('Private-L');
    });

    it("refuses someone else's formation", async () => {
      await scale('common-app', { updates: [{ type: 'web', quantity: 5 }] }, other.token).expect(
        403,
      );
      await t.http().get('/apps/common-app/formation').set(bearer(other.token)).expect(403);
    });
  });

  describe('the Private Space guard', () => {
    it('refuses web=0 in a private space while in maintenance, saying why and how to override', async () => {
      await t
        .http()
        .patch('/apps/private-app')
        .set(bearer(owner.token))
        .send({ maintenance: true })
        .expect(200);
      const response = await scale('private-app', {
        updates: [{ type: 'web', quantity: '0' }],
      }).expect(422);
      expect(response.body.id).toBe('invalid_params');
      expect(response.body.message).toContain('routing proxy runs on the web dynos');
      expect(response.body.message).toContain('override_private_space_guard');
      await t
        .http()
        .patch('/apps/private-app/formation/web')
        .set(bearer(owner.token))
        .send({ quantity: 0 })
        .expect(422);
      expect(
        (
          await t.prisma.formation.findFirstOrThrow({
            where: { app: { name: 'private-app' }, type: 'web' },
          })
        ).quantity,
      ).toBe(3);
    });

    it('still lets workers scale to 0 in maintenance', async () => {
      await scale('private-app', { updates: [{ type: 'worker', quantity: '0' }] }).expect(200);
    });

    it('allows web=0 with the explicit override', async () => {
      const response = await scale('private-app', {
        updates: [{ type: 'web', quantity: 0 }],
        override_private_space_guard: true,
      }).expect(200);
      expect(response.body[0].quantity).toBe(0);
      expect(await dynoNames('private-app')).toEqual([]);
    });
  });

  describe('dynos', () => {
    beforeAll(async () => {
      await t
        .http()
        .post('/apps')
        .set(bearer(owner.token))
        .send({ name: 'dyno-app', process_types: { web: 'npm start', worker: 'node w.js' } })
        .expect(201);
      await scale('dyno-app', {
        updates: [
          { type: 'web', quantity: 2 },
          { type: 'worker', quantity: 1 },
        ],
      }).expect(200);
    });

    it("lists an app's dynos in Heroku's shape and finds one by name or id", async () => {
      const list = await t.http().get('/apps/dyno-app/dynos').set(bearer(owner.token)).expect(200);
      expect(list.body.map((d: { name: string }) => d.name)).toEqual([
        'web.1',
        'web.2',
        'worker.1',
      ]);
      expect(list.body[0]).toMatchObject({
        type: 'web',
        command: 'npm start',
        size: 'Standard-1X',
        state: 'starting',
        attach_url: null,
        app: { name: 'dyno-app' },
        release: { version: 1 },
      });
      const one = await t
        .http()
        .get('/apps/dyno-app/dynos/web.2')
        .set(bearer(owner.token))
        .expect(200);
      await t
        .http()
        .get(`/apps/dyno-app/dynos/${one.body.id}`)
        .set(bearer(owner.token))
        .expect(200);
      await t.http().get('/apps/dyno-app/dynos/web.9').set(bearer(owner.token)).expect(404);
    });

    it('runs one-off dynos run.1, run.2 during maintenance, without storing env in the event log', async () => {
      await t
        .http()
        .patch('/apps/dyno-app')
        .set(bearer(owner.token))
        .send({ maintenance: true })
        .expect(200);
      const first = await t
        .http()
        .post('/apps/dyno-app/dynos')
        .set(bearer(owner.token))
        .send({
          command: 'rake db:migrate',
          attach: false,
          env: { TERM: 'xterm', SECRET_TOKEN: 'hush' },
        })
        .expect(201);
      expect(first.body).toMatchObject({
        name: 'run.1',
        type: 'run',
        command: 'rake db:migrate',
        state: 'starting',
        size: 'Standard-1X',
      });
      const second = await t
        .http()
        .post('/apps/dyno-app/dynos')
        .set(bearer(owner.token))
        .send({ command: 'bash', size: 'Standard-2X', type: 'run' })
        .expect(201);
      expect(second.body).toMatchObject({ name: 'run.2', size: 'Standard-2X' });
      const stored = await t.prisma.dyno.findFirstOrThrow({
        where: { app: { name: 'dyno-app' }, name: 'run.1' },
      });
      expect(stored.env).not.toContain('hush');
      const events = await t.prisma.event.findMany({
        where: { appName: 'dyno-app', action: 'dyno.create' },
      });
      expect(JSON.stringify(events.map((e) => e.data))).not.toContain('hush');
    });

    it('refuses bad one-off requests with 422', async () => {
      for (const body of [
        {},
        { command: '' },
        { command: 5 },
        { command: 'x', type: 'web' },
        { command: 'x', size: 'Private-M' },
        { command: 'x', env: { 'BAD-KEY': 'v' } },
        { command: 'x', env: { N: { nested: 1 } } },
        { command: 'x', env: { N: null } },
        { command: 'x', time_to_live: 0 },
      ]) {
        const response = await t
          .http()
          .post('/apps/dyno-app/dynos')
          .set(bearer(owner.token))
          .send(body)
          .expect(422);
        expect(response.body.id).toBe('invalid_params');
      }
    });

    it('restarts one dyno, a process type, or all, with 202', async () => {
      await t.prisma.dyno.updateMany({
        where: { app: { name: 'dyno-app' } },
        data: { state: 'up' },
      });
      await t.http().delete('/apps/dyno-app/dynos/web.1').set(bearer(owner.token)).expect(202, {});
      const states = async () =>
        Object.fromEntries(
          (await t.prisma.dyno.findMany({ where: { app: { name: 'dyno-app' } } })).map((d) => [
            d.name,
            d.state,
          ]),
        );
      expect(await states()).toEqual({
        'web.1': 'starting',
        'web.2': 'up',
        'worker.1': 'up',
        'run.1': 'up',
        'run.2': 'up',
      });
      await t
        .http()
        .delete('/apps/dyno-app/formations/worker')
        .set(bearer(owner.token))
        .expect(202);
      expect((await states())['worker.1']).toBe('starting');
      await t.http().delete('/apps/dyno-app/dynos').set(bearer(owner.token)).expect(202);
      // Restarting a one-off dyno ends it, as on Heroku.
      expect(await states()).toEqual({
        'web.1': 'starting',
        'web.2': 'starting',
        'worker.1': 'starting',
      });
      await t.http().delete('/apps/dyno-app/dynos/web.7').set(bearer(owner.token)).expect(404);
      await t.http().delete('/apps/dyno-app/formations/clock').set(bearer(owner.token)).expect(404);
    });

    it('stops one-off dynos for good and formation dynos until restarted; a stopped dyno answers 409', async () => {
      await t
        .http()
        .post('/apps/dyno-app/dynos')
        .set(bearer(owner.token))
        .send({ command: 'sleep 100' })
        .expect(201);
      await t
        .http()
        .post('/apps/dyno-app/dynos/run.3/actions/stop')
        .set(bearer(owner.token))
        .expect(202);
      await t.http().get('/apps/dyno-app/dynos/run.3').set(bearer(owner.token)).expect(404);
      await t
        .http()
        .post('/apps/dyno-app/dynos/run.3/actions/stop')
        .set(bearer(owner.token))
        .expect(404);

      await t
        .http()
        .post('/apps/dyno-app/formations/web/actions/stop')
        .set(bearer(owner.token))
        .expect(202);
      const web = await t
        .http()
        .get('/apps/dyno-app/dynos/web.1')
        .set(bearer(owner.token))
        .expect(200);
      expect(web.body.state).toBe('down');
      const again = await t
        .http()
        .post('/apps/dyno-app/dynos/web.1/actions/stop')
        .set(bearer(owner.token))
        .expect(409);
      expect(again.body.id).toBe('conflict');
      await t
        .http()
        .post('/apps/dyno-app/formations/nosuch/actions/stop')
        .set(bearer(owner.token))
        .expect(404);
    });

    it("refuses someone else's dynos", async () => {
      await t.http().get('/apps/dyno-app/dynos').set(bearer(other.token)).expect(403);
      await t
        .http()
        .post('/apps/dyno-app/dynos')
        .set(bearer(other.token))
        .send({ command: 'x' })
        .expect(403);
      await t.http().delete('/apps/dyno-app/dynos').set(bearer(other.token)).expect(403);
    });

    describe('dyno manager API', () => {
      let managerToken: string;
      beforeAll(async () => {
        managerToken = await t.mintToken(['dyno-manager']);
      });
      const generation = async (name: string) =>
        (await t.prisma.dyno.findFirstOrThrow({ where: { app: { name: 'dyno-app' }, name } }))
          .generation;

      it('reports state and address, and records them for routers', async () => {
        const response = await t
          .http()
          .put('/dyno-manager/v1/apps/dyno-app/dynos/web.1/state')
          .set(bearer(managerToken))
          .send({ state: 'up', generation: await generation('web.1'), address: '127.0.0.1:5001' })
          .expect(200);
        expect(response.body).toMatchObject({ name: 'web.1', state: 'up' });
        const stored = await t.prisma.dyno.findFirstOrThrow({
          where: { app: { name: 'dyno-app' }, name: 'web.1' },
        });
        expect(stored.address).toBe('127.0.0.1:5001');
        const event = await t.prisma.event.findFirstOrThrow({
          where: { appName: 'dyno-app', action: 'dyno.state' },
          orderBy: { version: 'desc' },
        });
        expect(event.data).toMatchObject({ name: 'web.1', state: 'up', address: '127.0.0.1:5001' });
        await t
          .http()
          .put('/dyno-manager/v1/apps/dyno-app/dynos/web.1/state')
          .set(bearer(managerToken))
          .send({ state: 'crashed', generation: await generation('web.1') })
          .expect(200);
        expect(
          (
            await t.prisma.dyno.findFirstOrThrow({
              where: { app: { name: 'dyno-app' }, name: 'web.1' },
            })
          ).address,
        ).toBe('127.0.0.1:5001');
      });

      it('lists the dynos to run with their one-off env', async () => {
        await t
          .http()
          .post('/apps/dyno-app/dynos')
          .set(bearer(owner.token))
          .send({ command: 'env', env: { FOO: 'bar' } })
          .expect(201);
        const response = await t
          .http()
          .get('/dyno-manager/v1/apps/dyno-app/dynos')
          .set(bearer(managerToken))
          .expect(200);
        const oneOff = response.body.find((d: { type: string }) => d.type === 'run');
        expect(oneOff).toMatchObject({ command: 'env', env: { FOO: 'bar' } });
        expect(response.body.find((d: { name: string }) => d.name === 'web.1').address).toBe(
          '127.0.0.1:5001',
        );
      });

      it('refuses bad reports with 422 and unknown dynos with 404', async () => {
        for (const body of [
          { state: 'flying', generation: 1 },
          {},
          { state: 'up' },
          { state: 'up', generation: 0 },
          { state: 'idle', generation: 1 },
          { state: 'up', generation: 1, address: 'not an address' },
          { state: 'up', generation: 1, address: 5001 },
          { state: 'crashed', generation: 1, exit_status: 'bad' },
          { state: 'crashed', generation: 1, error: 'x'.repeat(1001) },
        ]) {
          await t
            .http()
            .put('/dyno-manager/v1/apps/dyno-app/dynos/web.1/state')
            .set(bearer(managerToken))
            .send(body)
            .expect(422);
        }
        await t
          .http()
          .put('/dyno-manager/v1/apps/dyno-app/dynos/web.9/state')
          .set(bearer(managerToken))
          .send({ state: 'up', generation: 1 })
          .expect(404);
      });

      it('is only for dyno managers and admins; a manager token cannot use the Platform API', async () => {
        await t
          .http()
          .put('/dyno-manager/v1/apps/dyno-app/dynos/web.1/state')
          .set(bearer(owner.token))
          .send({ state: 'up', generation: 1 })
          .expect(403);
        await t
          .http()
          .get('/dyno-manager/v1/apps/dyno-app/dynos')
          .set(bearer(owner.token))
          .expect(403);
        await t
          .http()
          .put('/dyno-manager/v1/apps/dyno-app/dynos/web.1/state')
          .set(bearer(ADMIN_TOKEN))
          .send({ state: 'up', generation: await generation('web.1') })
          .expect(200);
        await t.http().get('/apps/dyno-app').set(bearer(managerToken)).expect(403);
        await t
          .http()
          .patch('/apps/dyno-app')
          .set(bearer(managerToken))
          .send({ maintenance: false })
          .expect(403);
      });
    });
  });

  describe('dyno sizes', () => {
    it("lists Heroku's catalogue and finds a size by any-case name or id", async () => {
      const list = await t.http().get('/dyno-sizes').set(bearer(owner.token)).expect(200);
      const names = list.body.map((s: { name: string }) => s.name);
      for (const name of [
        'Eco',
        'Basic',
        'Standard-1X',
        'Standard-2X',
        'Performance-M',
        'Performance-L',
        'Private-S',
        'Private-M',
        'Private-L',
        'Shield-S',
        'Shield-M',
        'Shield-L',
      ]) {
        expect(names).toContain(name);
      }
      const privateM = await t
        .http()
        .get('/dyno-sizes/private-m')
        .set(bearer(owner.token))
        .expect(200);
      expect(privateM.body).toMatchObject({
        name: 'Private-M',
        private_space_only: true,
        memory: 2.5,
      });
      await t.http().get(`/dyno-sizes/${privateM.body.id}`).set(bearer(owner.token)).expect(200);
      await t.http().get('/dyno-sizes/huge').set(bearer(owner.token)).expect(404);
    });

    it('lists the sizes available to an app where it runs', async () => {
      const common = await t
        .http()
        .get('/apps/common-app/available-dyno-sizes')
        .set(bearer(owner.token))
        .expect(200);
      expect(common.body.every((s: { private_space_only: boolean }) => !s.private_space_only)).toBe(
        true,
      );
      const inSpace = await t
        .http()
        .get('/apps/private-app/available-dyno-sizes')
        .set(bearer(owner.token))
        .expect(200);
      expect(inSpace.body.map((s: { name: string }) => s.name)).toContain('Private-M');
      expect(inSpace.body.map((s: { name: string }) => s.name)).not.toContain('Shield-M');
    });
  });
});
