import { bearer, type TestApp } from './test-app.js';

/**
 * Creates an app whose process types are the keys of `quantities` (each runs `run <type>`)
 * through `creator`, then scales each type to its quantity through `scaler` (another
 * replica, or the same). Returns the app's id.
 */
export async function createScaledApp(
  creator: TestApp,
  scaler: TestApp,
  token: string,
  name: string,
  quantities: Record<string, number>,
  space?: string,
): Promise<string> {
  const processTypes = Object.fromEntries(
    Object.keys(quantities).map((type) => [type, `run ${type}`]),
  );
  const created = await creator
    .http()
    .post('/apps')
    .set(bearer(token))
    .send({ name, process_types: processTypes, ...(space ? { space } : {}) })
    .expect(201);
  for (const [type, quantity] of Object.entries(quantities)) {
    await scaler
      .http()
      .patch(`/apps/${name}/formation/${type}`)
      .set(bearer(token))
      .send({ quantity })
      .expect(200);
  }
  return created.body.id as string;
}
