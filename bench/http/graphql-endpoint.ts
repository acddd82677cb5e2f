import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';

/**
 * The same minimal GraphQL-over-HTTP endpoint for every benchmark variant, so that only the
 * protection differs: POST JSON, parse once per distinct query (as servers cache documents),
 * execute, JSON out. Prints `listening <port>` when ready.
 */
export function serveGraphQL(
  schema: GraphQLSchema,
  /** The context value of a request, or a promise of it (awaited either way). */
  context: (request: IncomingMessage) => unknown,
  /** What the server does with a result before sending it (the cost budget's settlement). */
  finish: (contextValue: unknown, result: ExecutionResult) => ExecutionResult | Promise<ExecutionResult> = (_, result) => result,
): void {
  const documents = new Map<string, DocumentNode>();
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const { query, variables } = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
        let document = documents.get(query);
        if (document === undefined) {
          document = parse(query);
          const errors = validate(schema, document);
          if (errors.length > 0) {
            response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errors }));
            return;
          }
          documents.set(query, document);
        }
        const contextValue = await context(request);
        const finished = finish(contextValue, await execute({ schema, document, variableValues: variables ?? null, contextValue }));
        const result = finished instanceof Promise ? await finished : finished;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      })().catch(() => response.writeHead(500).end());
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
  });
}
