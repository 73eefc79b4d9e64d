// A worker process: no port, just work; here a line every 3 seconds.
const dyno = process.env.DYNO ?? 'worker';
let tick = 0;

const timer = setInterval(() => {
  tick += 1;
  console.log(`worker ${dyno} tick ${tick}`);
}, 3000);

// A dyno is stopped with SIGTERM: stop between ticks and exit.
process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log(`worker ${dyno} got SIGTERM after ${tick} ticks, stopping`);
  process.exit(0);
});
