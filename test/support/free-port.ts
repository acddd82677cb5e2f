import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The kernel's range for outgoing connections' local ports (Linux), or its usual default. */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low as number, high as number];
  } catch {
    // not Linux: fall through
  }
  return [32768, 60999];
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A free port on 127.0.0.1 for a server the test starts and restarts itself (redis-server,
 * PostgreSQL). Chosen below the ephemeral range, so that no outgoing connection can take it as its
 * local port while the server is stopped between a test's stop and start.
 */
export async function freeServerPort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const high = Math.min(ephemeralLow, 32768) - 1;
  const low = Math.max(1024, high - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await bindable(port)) return port;
  }
  throw new Error('no free port found below the ephemeral range');
}

/**
 * A free port on 127.0.0.1 for a Redis Cluster node, not in `taken`: the port and its cluster bus
 * port (the port + 10000) both free and both below the ephemeral range, for the same reason as
 * {@link freeServerPort}.
 */
export async function freeClusterNodePort(taken: ReadonlySet<number> = new Set()): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const high = Math.min(ephemeralLow, 32768) - 1 - 10_000;
  const low = Math.max(1024, high - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    const bus = port + 10_000;
    if (taken.has(port) || taken.has(bus)) continue;
    if ((await bindable(port)) && (await bindable(bus))) return port;
  }
  throw new Error('no free port pair found below the ephemeral range');
}
