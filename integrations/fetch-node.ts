// token-session/fetch where Node's built-ins are (the "node" condition: Node, Bun and Deno): the same adapter on Node's platform, whose SHA-256 is several times faster there (BENCHMARKS.md).
import { useNodePlatform } from '../src/platform/node';

useNodePlatform();

export * from './fetch';
