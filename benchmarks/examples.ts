// The examples the `epoll-reactor example NAME` launcher runs, by name: each one's compiled entry
// point (relative to this file in dist/benchmarks/) and one line about it. The names are the
// examples' own program names (what they print in messages), so a user can type what they see.
// No dependencies beyond node: (the launcher must work without the benchmarks' packages).

/** One launchable example. */
export interface ExampleEntry {
  /** Entry point, relative to dist/benchmarks/. */
  readonly file: string;
  /** What it is, one line. */
  readonly about: string;
}

export const EXAMPLES: Readonly<Record<string, ExampleEntry>> = {
  'echo-server': { file: '../examples/echo-server/main.js', about: 'echoes every byte (the benchmark target); --loops N for a LoopPool' },
  'framed-echo': { file: '../examples/framed-echo/main.js', about: 'echoes length-prefixed frames' },
  'framed-echo-client': { file: '../examples/framed-echo/client.js', about: 'pipelined vs one-at-a-time requests against framed-echo' },
  calculator: { file: '../examples/calculator/main.js', about: 'binary request/answer protocol (a op b on int32)' },
  'calculator-client': { file: '../examples/calculator/client.js', about: 'N requests, every answer checked' },
  chat: { file: '../examples/chat/main.js', about: 'login, rooms and room chat; users in Redis (or resp-server)' },
  'chat-client': { file: '../examples/chat/client.js', about: 'logs in and chats from stdin' },
  'pool-chat': { file: '../examples/pool-chat/main.js', about: 'a line chat room on a LoopPool with a WorkPool' },
  'http-server': { file: '../examples/http-server/main.js', about: 'HTTP/1.1 keep-alive and pipelining: GET /plaintext, GET /json' },
  'resp-server': { file: '../examples/resp-server/main.js', about: 'in-memory Redis-compatible server for redis-cli and redis-benchmark' },
};
