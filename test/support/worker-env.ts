import 'reflect-metadata';

// Each Jest worker talks to its own copy of the migrated template database (global-setup.mjs).
const serverUrl = process.env.DRYDOCK_TEST_SERVER_URL;
if (serverUrl) {
  const url = new URL(serverUrl);
  url.pathname = `/drydock_test_${process.env.JEST_WORKER_ID ?? '1'}`;
  process.env.DRYDOCK_TEST_DATABASE_URL = url.toString();
}
