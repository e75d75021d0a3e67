// The `reactor` layer: event loop, channels, timers, buffers and TCP.
export { EventLoop, type EventLoopOptions, type Driver, type Flushable, type ReadyListEntry } from './EventLoop.js';
export { Channel, type EventHandler } from './Channel.js';
export { LoopStats } from './LoopStats.js';
export { TimerWheel, TimerNode, type TimerWheelOptions } from './TimerWheel.js';
export { ByteBuffer } from './ByteBuffer.js';
export { Acceptor, type AcceptorOptions } from './Acceptor.js';
export { Connector, type ConnectorOptions } from './Connector.js';
export {
  TcpConnection,
  type ConnectionState,
  type ConnectionCallbacks,
  type ConnectionOptions,
  type CloseInfo,
} from './TcpConnection.js';
export { TcpServer, type TcpServerOptions, type TcpServerCallbacks } from './TcpServer.js';
export { TcpClient, type TcpClientOptions, type ClientState } from './TcpClient.js';
