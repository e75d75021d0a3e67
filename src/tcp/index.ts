// The `tcp` layer: connections (state, read, write, back-pressure, close), the acceptor,
// the connector, and the server and client built from them.
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
