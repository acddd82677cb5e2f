import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { openDataDirectory } from '../../development.js';
import { readDemoConfig } from '../config.js';
import { createDemoServer } from '../server.js';
import { render } from './render.js';
import { runTour } from './tour.js';

/**
 * `npm run tour`: starts the demo on a free port with a fresh data directory (or uses a running
 * one: `TOUR_URL` and its `DATA_DIR`), plays the abuse scenarios, and prints one row each.
 * `--json` prints the rows as JSON. Exits 1 if an attack was served or the genuine app refused.
 */
async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const running = process.env['TOUR_URL'];
  let stop = (): Promise<void> => Promise.resolve();
  let endpoint: URL;
  let dataDir: string;
  if (running) {
    endpoint = new URL(running);
    dataDir = process.env['DATA_DIR'] ?? '.data';
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'rampart-tour-'));
    const server = createDemoServer(
      readDemoConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', TRUSTED_DOCUMENTS: 'enforce' }),
      () => undefined,
    );
    if (!json) process.stdout.write('Starting the demo with a fresh data directory…\n');
    endpoint = await server.start();
    stop = async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  try {
    const rows = await runTour(endpoint, openDataDirectory(dataDir));
    process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : render(rows, isatty(process.stdout.fd)));
    const failed = rows.filter((row) => (row.kind === 'attack') !== (row.outcome === 'refused'));
    process.exitCode = failed.length === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

await main();
