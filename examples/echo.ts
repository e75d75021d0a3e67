// The echo service's old import path (tests build servers from it): see examples/echo-server/echo.ts.
export * from './echo-server/echo.js';
