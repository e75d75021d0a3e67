// Rooms of the chat server: numbered 0 .. count-1, each holding up to `capacity` members; a
// member is in at most one room. Membership only — no I/O. Threading: the loop's thread.

/** What a room member must expose: its user id and its current room (-1 for none). */
export interface Member {
  readonly userId: string;
  room: number;
}

/** The rooms and who is in them. */
export class Rooms<M extends Member> {
  readonly #rooms: Array<Set<M>>;
  /** Users one room holds at most. */
  readonly capacity: number;

  constructor(count: number, capacity: number) {
    this.#rooms = Array.from({ length: count }, () => new Set<M>());
    this.capacity = capacity;
  }

  /** Number of rooms. */
  get count(): number {
    return this.#rooms.length;
  }

  /** Whether `room` is a valid room number. */
  valid(room: number): boolean {
    return Number.isInteger(room) && room >= 0 && room < this.#rooms.length;
  }

  /** Members of a valid room. */
  members(room: number): ReadonlySet<M> {
    return this.#rooms[room]!;
  }

  /** Puts `m` (in no room) into a valid room that has space; false if it is full. */
  enter(m: M, room: number): boolean {
    const set = this.#rooms[room]!;
    if (set.size >= this.capacity) return false;
    set.add(m);
    m.room = room;
    return true;
  }

  /** Takes `m` out of its room, if any. */
  leave(m: M): void {
    if (m.room >= 0) this.#rooms[m.room]?.delete(m);
    m.room = -1;
  }
}
