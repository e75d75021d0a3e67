// examples/pool-chat's loop handler (main.ts runs it on a LoopPool): a
// line-based room that spans every loop. Each loop thread imports this module and runs the
// factory once; `members` is that loop's own state (its connections), touched by its thread only.
//
//   any line    -> "<id>: line" to every member on every loop (ctx.broadcast + local sends)
//   /whoami     -> "you are <id> on loop <n>"
//   /to ID TEXT -> "<id> whispers: TEXT" to one member, wherever it lives (ctx.sendTo)
//   /hash TEXT  -> "sha256 <hex>", computed on a work thread (ctx.work), replies in order
//
// A throw while serving a connection is logged with its peer; the pool closes that connection
// and the loop serves on (shared/errors.ts). An id no connection can have answers "no member".
import { defineHandler, type LoopHandler, type TcpConnection } from '../../src/index.js';
import { logThrowsWithPeer } from '../shared/errors.js';

interface Said {
  from: number;
  text: string;
}

export default defineHandler((ctx) => {
  const members = new Set<TcpConnection>();
  const deliver = (said: Said): void => {
    for (const m of members) m.send(`${said.from}: ${said.text}\n`);
  };
  const command = (conn: TcpConnection, id: number, line: string): void | Promise<void> => {
    if (line === '/whoami') {
      conn.send(`you are ${id} on loop ${ctx.index}\n`);
    } else if (line.startsWith('/to ')) {
      const [, to, ...words] = line.split(' ');
      if (!ctx.sendTo(Number(to), `${id} whispers: ${words.join(' ')}\n`)) conn.send(`no member ${to}\n`);
    } else if (line.startsWith('/hash ')) {
      return ctx.work<string>(conn, 'sha256', line.slice(6)).then((hex) => void (conn.connected && conn.send(`sha256 ${hex}\n`)));
    } else {
      const said: Said = { from: id, text: line };
      deliver(said);
      ctx.broadcast(said);
    }
  };
  const handler: LoopHandler = {
    onConnection(conn) {
      members.add(conn);
    },
    onMessage(conn, input) {
      const id = ctx.idOf(conn);
      const pending: Array<Promise<void>> = [];
      for (let eol = input.indexOf(10); eol >= 0; eol = input.indexOf(10)) {
        const r = command(conn, id, input.takeString(eol + 1).trimEnd());
        if (r) pending.push(r);
      }
      if (pending.length) return Promise.all(pending).then(() => undefined);
    },
    onClose(conn) {
      members.delete(conn);
    },
    onPost(message) {
      deliver(message as Said); // a line said on another loop
    },
  };
  return logThrowsWithPeer('pool-chat', handler);
});
