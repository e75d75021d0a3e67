// Loaded into a server under measurement with `node --expose-gc
// --import=heap-probe.js?out=FILE server.js`: on each SIGUSR2 it runs two full
// garbage collections and writes process.memoryUsage() plus V8's malloced
// memory to FILE (write-then-rename, so a reader never sees half a file). It
// touches nothing else in the process; the main thread's heap only (an
// exclusive-driver reactor's worker heap is not included).
import { renameSync, writeFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const out = new URL(import.meta.url).searchParams.get('out');
let seq = 0;
if (out) {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    const figures = { seq: ++seq, ...m, mallocedMemory: getHeapStatistics().malloced_memory };
    writeFileSync(`${out}.tmp`, JSON.stringify(figures));
    renameSync(`${out}.tmp`, out);
  });
}
