import { bearer, startTestApp, TestApp } from '../support/test-app.js';

describe('list pagination with Range and Next-Range', () => {
  let t: TestApp;
  let user: { id: string; token: string };
  const names = Array.from({ length: 7 }, (_, i) => `page-app-${i}`);

  beforeAll(async () => {
    t = await startTestApp();
    user = await t.createUser('pager@example.com');
    for (const name of names)
      await t.http().post('/apps').set(bearer(user.token)).send({ name }).expect(201);
  });
  afterAll(() => t.close());

  const list = (range?: string) => {
    const call = t.http().get('/apps').set(bearer(user.token));
    return range ? call.set('Range', range) : call;
  };

  it('answers 200 without Next-Range when everything fits', async () => {
    const response = await list('name ..; max=10').expect(200);
    expect(response.headers['next-range']).toBeUndefined();
    expect(response.body.map((a: { name: string }) => a.name)).toEqual(names);
  });

  it('walks every page with 206 and Next-Range, each app exactly once', async () => {
    const seen: string[] = [];
    let range: string | undefined = 'name ..; max=3';
    const statuses: number[] = [];
    while (range) {
      const response = await list(range);
      statuses.push(response.status);
      seen.push(...response.body.map((a: { name: string }) => a.name));
      range = response.headers['next-range'];
    }
    expect(statuses).toEqual([206, 206, 200]);
    expect(seen).toEqual(names);
  });

  it('orders descending and starts after an exclusive bound', async () => {
    const response = await list('name ]page-app-5..; max=2, order=desc').expect(206);
    expect(response.body.map((a: { name: string }) => a.name)).toEqual([
      'page-app-4',
      'page-app-3',
    ]);
    expect(response.headers['next-range']).toBe('name ]page-app-3..; max=2, order=desc');
  });

  it('pages by id too', async () => {
    const first = await list('id ..; max=4').expect(206);
    const second = await list(first.headers['next-range']).expect(200);
    const ids = [...first.body, ...second.body].map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(7);
    expect([...ids].sort()).toEqual(ids);
  });

  it('follows Next-Range over dyno names, which have dots of their own', async () => {
    await t
      .http()
      .post('/apps')
      .set(bearer(user.token))
      .send({ name: 'dotted-dynos', process_types: { web: 'npm start' } })
      .expect(201);
    await t
      .http()
      .patch('/apps/dotted-dynos/formation/web')
      .set(bearer(user.token))
      .send({ quantity: 3 })
      .expect(200);
    const dynos = (range: string) =>
      t.http().get('/apps/dotted-dynos/dynos').set(bearer(user.token)).set('Range', range);
    const first = await dynos('name ..; max=2').expect(206);
    expect(first.headers['next-range']).toBe('name ]web.2..; max=2, order=asc');
    const second = await dynos(first.headers['next-range']).expect(200);
    expect([...first.body, ...second.body].map((d: { name: string }) => d.name)).toEqual([
      'web.1',
      'web.2',
      'web.3',
    ]);
  });

  it('refuses a malformed Range with 416 requested_range_not_satisfiable', async () => {
    for (const range of [
      'size ..',
      'name ..; max=0',
      'name ..; max=lots',
      'name ..; order=random',
    ]) {
      const response = await list(range).expect(416);
      expect(response.body.id).toBe('requested_range_not_satisfiable');
    }
  });
});
