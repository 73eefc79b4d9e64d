import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkLayers, formatReport } from './check-layers.mjs';

const roots: string[] = [];

/** A src/ tree in a temporary directory, from file paths to their contents. */
async function sourceTree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'drydock-layers-'));
  roots.push(root);
  const src = path.join(root, 'src');
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(src, file)), { recursive: true });
    await writeFile(path.join(src, file), text);
  }
  return src;
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe('checkLayers', () => {
  it('passes a tree whose folders only point down, and says so in one line', async () => {
    const src = await sourceTree({
      'main.ts': "import { AppModule } from './app.module.js';\nexport { AppModule };\n",
      'app.module.ts': "import { AppsService } from './apps/apps.service.js';\nvoid AppsService;\n",
      'apps/apps.service.ts':
        "import { NotFound } from '../common/errors/index.js';\nimport { Injectable } from '@nestjs/common';\nimport { readFile } from 'node:fs';\nexport const AppsService = [NotFound, Injectable, readFile];\n",
      'common/errors/index.ts': 'export class NotFound {}\n',
      'apps/apps.service.spec.ts': "import '../main.js';\n",
      'generated/prisma/client.ts': "import '../../apps/apps.service.js';\n",
    });

    const report = checkLayers(src);

    expect(report).toEqual({
      folders: ['apps', 'common'],
      cycles: [],
      violations: [],
      unresolved: [],
    });
    expect(formatReport(report)).toEqual(['layers: 2 folders, 0 cycles, 0 violations']);
  });

  it('finds a two-folder cycle and lists the file imports that make each arrow', async () => {
    const src = await sourceTree({
      'apps/apps.service.ts':
        "import { FormationsService } from '../formations/formations.service.js';\n",
      'apps/app-access.service.ts': 'export class AppAccessService {}\n',
      'formations/formations.service.ts':
        "import type { AppAccessService } from '../apps/app-access.service.js';\nexport class FormationsService {}\n",
      'formations/index.ts': "export * from './formations.service.js';\n",
      'formations/formations.module.ts':
        "import { AppAccessService } from '../apps/app-access.service.js';\n",
    });

    const report = checkLayers(src);

    expect(report.cycles).toEqual([
      {
        units: ['apps', 'formations', 'apps'],
        edges: [
          { from: 'src/apps/apps.service.ts', to: 'src/formations/formations.service.ts' },
          { from: 'src/formations/formations.module.ts', to: 'src/apps/app-access.service.ts' },
          { from: 'src/formations/formations.service.ts', to: 'src/apps/app-access.service.ts' },
        ],
      },
    ]);
    expect(formatReport(report)).toEqual([
      'cycle: apps -> formations -> apps',
      '  src/apps/apps.service.ts -> src/formations/formations.service.ts',
      '  src/formations/formations.module.ts -> src/apps/app-access.service.ts',
      '  src/formations/formations.service.ts -> src/apps/app-access.service.ts',
      'layers: 2 folders, 1 cycle, 0 violations',
    ]);
  });

  it('finds a three-folder cycle through a re-export, a directory import and a dynamic import', async () => {
    const src = await sourceTree({
      'apps/index.ts': "export { releaseOf } from '../releases/releases.service.js';\n",
      'releases/releases.service.ts':
        "export const releaseOf = () => import('../dynos/dynos.service.js');\n",
      'dynos/dynos.service.ts': "import { releaseOf } from '../apps';\nvoid releaseOf;\n",
    });

    const report = checkLayers(src);

    expect(report.cycles).toEqual([
      {
        units: ['apps', 'releases', 'dynos', 'apps'],
        edges: [
          { from: 'src/apps/index.ts', to: 'src/releases/releases.service.ts' },
          { from: 'src/dynos/dynos.service.ts', to: 'src/apps/index.ts' },
          { from: 'src/releases/releases.service.ts', to: 'src/dynos/dynos.service.ts' },
        ],
      },
    ]);
    expect(report.violations).toEqual([]);
  });

  it('reports common importing a folder above it, even for a type only', async () => {
    const src = await sourceTree({
      'common/auth/auth.guard.ts':
        "import type { PrismaService } from '../../database/prisma.service.js';\nexport type Db = PrismaService;\n",
      'database/prisma.service.ts': 'export class PrismaService {}\n',
    });

    const report = checkLayers(src);

    expect(report.cycles).toEqual([]);
    expect(formatReport(report)).toEqual([
      'violation: common -> database (common may import nothing outside itself)',
      '  src/common/auth/auth.guard.ts -> src/database/prisma.service.ts',
      'layers: 2 folders, 0 cycles, 1 violation',
    ]);
  });

  it('reports a folder reaching up into a file of the composition root', async () => {
    const src = await sourceTree({
      'app.factory.ts': "import { AppsModule } from './apps/apps.module.js';\nvoid AppsModule;\n",
      'apps/apps.module.ts': "import { createApp } from '../app.factory.js';\nvoid createApp;\n",
      'scripts/openapi.ts': "import { createApp } from '../app.factory.js';\nvoid createApp;\n",
    });

    const report = checkLayers(src);

    expect(report.violations).toEqual([
      {
        from: 'apps',
        to: 'app.factory.ts',
        rule: 'a folder may not import the composition root',
        edges: [{ from: 'src/apps/apps.module.ts', to: 'src/app.factory.ts' }],
      },
    ]);
  });

  it('reports a relative import that names no file instead of passing over it', async () => {
    const src = await sourceTree({
      'apps/apps.service.ts': "import { gone } from '../formations/gone.js';\nvoid gone;\n",
    });

    expect(formatReport(checkLayers(src))).toEqual([
      "unresolved: src/apps/apps.service.ts imports '../formations/gone.js', which names no file",
      'layers: 1 folder, 0 cycles, 1 violation',
    ]);
  });
});
