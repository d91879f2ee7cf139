// token-session/hono where Node's built-ins are (the "node" condition: Node, Bun and Deno): the same middleware on Node's platform (see fetch-node.ts).
import { useNodePlatform } from '../src/platform/node';

useNodePlatform();

export * from './hono';
