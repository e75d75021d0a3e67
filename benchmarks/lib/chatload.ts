// The chat load generator of `bench chat`: `rooms × roomSize` clients (node:net, in this
// process), logged in and seated room by room across the given chat server ports (member k of
// a room on port k mod ports, so every room spans every process). Each client is closed-loop:
// it sends a chat (its text: the send time), waits for the 215, sends the next. Every 216 a
// client receives is one delivery; its latency is receive time minus the send time it carries
// (one clock: sender and receivers live in this process). Bounded: warm-up + duration, then at
// most 3 s for the chats still in flight.
import net from 'node:net';

/** What one run measured. */
export interface ChatLoadResult {
  /** 216s received per second in the measured window. */
  deliveriesPerSec: number;
  /** 214s answered 0 per second in the measured window. */
  chatsPerSec: number;
  /** Delivery latency percentiles (ms) over the measured window. */
  p50Ms: number;
  p99Ms: number;
  /** Deliveries due (chats answered 0 × other members, whole run) minus deliveries received: must be 0 (negative: duplicates). */
  missing: number;
  /** Chats answered anything but 0 (e.g. 37). */
  refused: number;
  /** CPU this load generator used in the measured window, % of one core. */
  loadCpuPct: number;
}

export interface ChatLoadOptions {
  ports: number[];
  rooms: number;
  roomSize: number;
  /** User ids are `${userPrefix}${i}`, all with `password`. */
  userPrefix: string;
  password: string;
  warmupSec: number;
  durationSec: number;
  /** Called when the measured window starts and ends (e.g. to read the servers' CPU time). */
  onMeasure?: (phase: 'start' | 'end') => void;
}

/** Longest wait for one answer (login, enter, chat). */
const ASK_TIMEOUT_MS = 10_000;

function fixed(s: string, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write(s, 'utf8');
  return b;
}

function packet(id: number, body: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(5 + body.length, 0);
  h.writeUInt16LE(id, 2);
  return Buffer.concat([h, body]);
}

/** One client: a socket, a packet splitter, and a queue of waiters for answers. */
class Client {
  #buf: Buffer<ArrayBufferLike> = Buffer.alloc(0);
  readonly #answers: Array<(p: { id: number; body: Buffer }) => void> = [];
  onNotify: (body: Buffer) => void = () => {};
  constructor(readonly sock: net.Socket) {
    sock.setNoDelay(true);
    sock.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : (d as Buffer<ArrayBufferLike>);
      while (this.#buf.length >= 5 && this.#buf.length >= this.#buf.readUInt16LE(0)) {
        const len = this.#buf.readUInt16LE(0);
        const id = this.#buf.readUInt16LE(2);
        const body = this.#buf.subarray(5, len);
        this.#buf = this.#buf.subarray(len);
        if (id === 216) this.onNotify(body);
        else this.#answers.shift()?.({ id, body });
      }
    });
    sock.on('error', () => {});
  }
  static connect(port: number): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  /** Sends a request; resolves with its answer (rejects after 10 s: the run stays bounded). */
  ask(bytes: Buffer): Promise<{ id: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the chat server within ${ASK_TIMEOUT_MS} ms`)), ASK_TIMEOUT_MS);
      this.#answers.push((p) => (clearTimeout(timer), resolve(p)));
      this.sock.write(bytes);
    });
  }
}

/** Runs the load against the chat servers on `ports`; closes every client before returning. */
export async function runChatLoad(o: ChatLoadOptions): Promise<ChatLoadResult> {
  const clients: Client[] = [];
  try {
    for (let r = 0; r < o.rooms; r++) {
      for (let k = 0; k < o.roomSize; k++) {
        const c = await Client.connect(o.ports[k % o.ports.length]!);
        clients.push(c);
        const user = `${o.userPrefix}${r * o.roomSize + k}`;
        const login = await c.ask(packet(201, Buffer.concat([fixed(user, 21), fixed(o.password, 21)])));
        if (login.body.readUInt16LE(0) !== 0) throw new Error(`login ${user}: result ${login.body.readUInt16LE(0)}`);
        const room = Buffer.alloc(4);
        room.writeInt32LE(r);
        const enter = await c.ask(packet(206, room));
        if (enter.body.readInt16LE(0) !== 0) throw new Error(`${user} entering room ${r}: result ${enter.body.readInt16LE(0)}`);
      }
    }
    let measuring = false;
    let sending = true;
    let delivered = 0;
    let deliveredAll = 0;
    let okInWindow = 0;
    let okAll = 0;
    let refused = 0;
    const latencies: number[] = [];
    for (const c of clients) {
      c.onNotify = (body) => {
        deliveredAll++;
        if (!measuring) return;
        delivered++;
        const text = body.toString('latin1', 21, body.indexOf(0, 21));
        latencies.push(performance.now() - Number(text));
      };
    }
    const loop = async (c: Client): Promise<void> => {
      while (sending) {
        const a = await c.ask(packet(214, fixed(performance.now().toFixed(3), 257)));
        if (a.body.readInt16LE(0) !== 0) refused++;
        else {
          okAll++;
          if (measuring) okInWindow++;
        }
      }
    };
    let failure: Error | null = null;
    const loops = clients.map((c) =>
      loop(c).catch((err: Error) => {
        failure ??= err;
        sending = false;
      }),
    );
    await new Promise((r) => setTimeout(r, o.warmupSec * 1000));
    measuring = true;
    o.onMeasure?.('start');
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, o.durationSec * 1000));
    measuring = false;
    o.onMeasure?.('end');
    const sec = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    sending = false;
    const drainUntil = Date.now() + 3000;
    await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 3000))]);
    // the last deliveries may trail the last answers (other processes): wait for them, bounded
    while (deliveredAll < okAll * (o.roomSize - 1) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
    if (failure !== null) throw failure;
    latencies.sort((a, b) => a - b);
    const pct = (q: number): number => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : NaN);
    return {
      deliveriesPerSec: delivered / sec,
      chatsPerSec: okInWindow / sec,
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      missing: okAll * (o.roomSize - 1) - deliveredAll,
      refused,
      loadCpuPct: ((cpu.user + cpu.system) / 1e6 / sec) * 100,
    };
  } finally {
    for (const c of clients) c.sock.destroy();
  }
}
