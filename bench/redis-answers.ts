import { Redis } from 'ioredis';

/** Whether a Redis server answers PING at `url` within a second. */
export async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const answer: unknown = await client.ping(); // whatever answers on that port, checked
    return answer === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
