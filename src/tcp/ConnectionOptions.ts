// The vocabulary of a TCP connection: its states, close reasons, callbacks and
// options. Types only; shared by TcpConnection, TcpServer and TcpClient.
import type { OptionSchema } from '../sys/args.js';
import type { SystemError } from '../sys/SystemError.js';
import type { ByteBuffer } from '../buffer/ByteBuffer.js';
import type { TcpConnection } from './TcpConnection.js';

/** connecting (TcpClient, before a connection exists) -> connected -> closing -> closed. */
export type ConnectionState = 'connecting' | 'connected' | 'closing' | 'closed';

/**
 * Why a connection closed. `error` is set with reason 'error': the SystemError of a failed
 * system call, or what one of this connection's callbacks threw.
 */
export interface CloseInfo {
  /**
   * 'eof': the peer closed first; 'local': close() drained; 'destroyed': destroy() without an
   * error; 'error': see `error`; 'idle' / 'deadline': the idle or close deadline timer fired;
   * 'overflow': input or output passed its limit; 'shutdown' is declared but not produced yet.
   */
  reason: 'eof' | 'local' | 'destroyed' | 'error' | 'idle' | 'deadline' | 'overflow' | 'shutdown';
  /** Set with reason 'error'. */
  error?:
    | SystemError
    | (Error & {
        /** The error's code, when it has one. */
        code?: unknown;
      });
}

/** What a connection tells its owner. Each runs on the loop's thread, inside a turn. */
export interface ConnectionCallbacks {
  /** Input arrived. Consume what you can from `input`; the rest stays for next time. */
  onMessage?: (conn: TcpConnection, input: ByteBuffer) => void;
  /** The peer half-closed (FIN) and allowHalfOpen is on: we may still write. */
  onEnd?: (conn: TcpConnection) => void;
  /** Output crossed the high-water mark (once per crossing). */
  onHighWater?: (conn: TcpConnection, pending: number) => void;
  /** Output drained back to empty after a high-water crossing. */
  onDrain?: (conn: TcpConnection) => void;
  /** Closed, once, with the reason. */
  onClose?: (conn: TcpConnection, info: CloseInfo) => void;
  /**
   * One of this connection's callbacks threw `err` (the connection is already closed, reason
   * 'error'). Without it the error goes to the server's onError, else the loop's (EventLoop.onError).
   */
  onError?: (conn: TcpConnection, err: Error) => void;
}

/** The keys of ConnectionOptions and their kinds (checkOptions). */
export const CONNECTION_OPTIONS = {
  highWaterMark: 'number',
  maxOutput: 'number',
  maxInput: 'number',
  allowHalfOpen: 'boolean',
  idleTimeoutMs: 'number',
} as const satisfies OptionSchema;

/** The keys of ConnectionCallbacks (each a function). */
export const CONNECTION_CALLBACKS = {
  onMessage: 'function',
  onEnd: 'function',
  onHighWater: 'function',
  onDrain: 'function',
  onClose: 'function',
  onError: 'function',
} as const satisfies OptionSchema;

/** Limits and behaviour of one connection. */
export interface ConnectionOptions {
  /** Output bytes pending that trigger onHighWater and make send() return false. Default 1 MiB. */
  highWaterMark?: number;
  /** Hard cap on pending output: beyond it the connection is closed ('overflow'). Default 64 MiB. */
  maxOutput?: number;
  /** Hard cap on unconsumed input. Default 64 MiB (room for a 32 MiB frame). */
  maxInput?: number;
  /** Keep the connection open for writing after the peer's FIN. Default false. */
  allowHalfOpen?: boolean;
  /** Close after this many ms without reads or writes. 0 = never (default). */
  idleTimeoutMs?: number;
}
