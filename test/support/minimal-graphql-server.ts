import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { fromNodeRequest, securityContextFactory } from '../../src/index.js';

/** A bare GraphQL-over-HTTP server on loopback for one schema: an "instance" in multi-instance tests. */
export async function startGraphQLServer(schema: GraphQLSchema): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const securityContext = securityContextFactory();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { query } = JSON.parse(body) as { query: string };
      void graphql({ schema, source: query, contextValue: { rampart: securityContext(fromNodeRequest(request)) } }).then((result) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** POSTs a query and returns the result. */
export async function postQuery(url: string, query: string): Promise<FormattedExecutionResult> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as FormattedExecutionResult;
}
