import v8 from 'node:v8';

// Imported at the top of main.ts, so it runs before anything compiles WebAssembly.
//
// Prisma's query compiler is a 3 MB WebAssembly module. Besides its Liftoff (baseline)
// code, V8 compiles it again with TurboFan on background threads, and the memory those
// compiles free stays in the threads' malloc arenas: about 50 MB of resident memory for
// the life of the process (an idle API: 215 MB RSS, 165 MB with this). Liftoff's code is
// fast enough here: throughput of Prisma model queries measured the same with and without.
v8.setFlagsFromString('--liftoff-only');
