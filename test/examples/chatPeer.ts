// A test-side chat client speaking the wire format directly with node:net and Buffer — written
// from the packet layout, not from examples/chat/protocol.ts, so it checks the server against
// the format rather than against itself. Every wait is bounded.
import { connect, type Socket } from 'node:net';

/** One received packet. */
export interface Packet {
  id: number;
  body: Buffer;
}

/** A fixed-size NUL-padded C string field. */
export function cstr(s: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write(s, 'utf8');
  return b;
}

/** Reads a NUL-terminated string out of a field. */
export function field(b: Buffer, at: number, size: number): string {
  const f = b.subarray(at, at + size);
  const nul = f.indexOf(0);
  return f.toString('utf8', 0, nul < 0 ? size : nul);
}

/** `[len u16 LE][id u16 LE][type u8][body]`. */
export function packet(id: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(5 + body.length, 0);
  h.writeUInt16LE(id, 2);
  return Buffer.concat([h, body]);
}

/** One chat connection with request helpers that return the server's answers. */
export class ChatPeer {
  readonly #sock: Socket;
  #buf = Buffer.alloc(0);
  readonly #queue: Packet[] = [];
  #wake: (() => void) | null = null;
  /** Resolves when the server closes the connection (or it errors). */
  readonly closed: Promise<void>;

  private constructor(sock: Socket) {
    this.#sock = sock;
    sock.on('data', (d) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      while (this.#buf.length >= 2 && this.#buf.length >= this.#buf.readUInt16LE(0)) {
        const len = this.#buf.readUInt16LE(0);
        this.#queue.push({ id: this.#buf.readUInt16LE(2), body: Buffer.from(this.#buf.subarray(5, len)) });
        this.#buf = this.#buf.subarray(len);
      }
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => {
      sock.on('close', () => {
        resolve();
        this.#wake?.();
      });
      sock.on('error', () => {});
    });
  }

  static connect(port: number): Promise<ChatPeer> {
    return new Promise((resolve, reject) => {
      const sock = connect(port, '127.0.0.1', () => resolve(new ChatPeer(sock)));
      sock.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.#sock.write(bytes);
  }

  /** The next packet; rejects after `ms` or if the connection closes first. */
  async next(ms = 5000): Promise<Packet> {
    const t0 = Date.now();
    for (;;) {
      const p = this.#queue.shift();
      if (p) return p;
      if (this.#sock.destroyed) throw new Error('connection closed while waiting for a packet');
      const left = ms - (Date.now() - t0);
      if (left <= 0) throw new Error(`no packet within ${ms} ms`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        this.#wake = () => (clearTimeout(timer), r());
      });
      this.#wake = null;
    }
  }

  /** Packets received within `ms` (waits the whole time). */
  async drain(ms: number): Promise<Packet[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.#queue.splice(0);
  }

  /** Sends LOGIN_REQUEST and returns the LOGIN_RESPONSE result. */
  async login(user: string, password: string): Promise<number> {
    this.send(packet(201, Buffer.concat([cstr(user, 21), cstr(password, 21)])));
    const p = await this.next();
    if (p.id !== 202) throw new Error(`expected 202, got ${p.id}`);
    return p.body.readUInt16LE(0);
  }

  /** ROOM_ENTER_REQUEST -> [result, rival]. */
  async enter(room: number): Promise<[number, string]> {
    const body = Buffer.alloc(4);
    body.writeInt32LE(room, 0);
    this.send(packet(206, body));
    const p = await this.next();
    if (p.id !== 207) throw new Error(`expected 207, got ${p.id}`);
    return [p.body.readInt16LE(0), field(p.body, 2, 21)];
  }

  /** ROOM_LEAVE_REQUEST -> result. */
  async leave(): Promise<number> {
    this.send(packet(209));
    const p = await this.next();
    if (p.id !== 210) throw new Error(`expected 210, got ${p.id}`);
    return p.body.readInt16LE(0);
  }

  /** ROOM_CHAT_REQUEST -> result (the sender gets a 215, never its own 216). */
  async chat(msg: string): Promise<number> {
    this.send(packet(214, cstr(msg, 257)));
    const p = await this.next();
    if (p.id !== 215) throw new Error(`expected 215, got ${p.id}`);
    return p.body.readInt16LE(0);
  }

  close(): void {
    this.#sock.destroy();
  }
}
