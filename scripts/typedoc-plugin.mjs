// typedoc plugin for `npm run docs` (typedoc.json "plugin"): groups the API reference without
// tags in the sources.
// - Category of each exported declaration from the folder that defines it (src/loop → "Event
//   loop", src/tcp → "TCP", ...), so the 40-odd names of the root entry point read by topic.
// - Each ErrorCodes entry documented by its own value (the catalogue maps a code to what it
//   means), so the reference shows every code's meaning without repeating it in a comment.
import { Comment, CommentTag, Converter, ReflectionKind } from 'typedoc';

/** Folder (or file) under src/ → category title, in reading order. */
const CATEGORIES = [
  ['src/loop/', 'Event loop'],
  ['src/tcp/', 'TCP: servers, clients, connections'],
  ['src/buffer/', 'Buffers'],
  ['src/net/', 'Addresses and sockets'],
  ['src/poll/', 'Raw demultiplexer: epoll, eventfd, timerfd, io_uring'],
  ['src/threads/', 'Threads: LoopPool, WorkPool'],
  ['src/codec/', 'Codecs'],
  ['src/compat/', 'The npm epoll drop-in'],
  ['src/sys/', 'System: constants, native binding, errors'],
  ['src/errors.ts', 'Errors'],
];

export function load(app) {
  const fileOf = new Map(); // reflection id → source file of its declaration
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    fileOf.set(reflection.id, (symbol?.declarations?.[0]?.getSourceFile().fileName ?? '').replace(/\\/g, '/'));
  });
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const modules = context.project.getReflectionsByKind(ReflectionKind.Module);
    for (const reflection of modules.flatMap((m) => m.children ?? [])) {
      // where the declaration lives; for re-exported constants typedoc may only know its source
      // (a name exported by two entry points is a reference in the second: use its target's)
      const target = reflection.kindOf(ReflectionKind.Reference) ? reflection.getTargetReflectionDeep() : reflection;
      const file = fileOf.get(target.id) || (target.sources?.[0]?.fullFileName ?? '').replace(/\\/g, '/');
      const category = CATEGORIES.find(([dir]) => file.includes(`/${dir}`))?.[1];
      if (!category) continue;
      reflection.comment ??= new Comment();
      if (!reflection.comment.getTag('@category')) reflection.comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: category }]));
    }
    for (const codes of context.project.getReflectionsByKind(ReflectionKind.Variable).filter((r) => r.name === 'ErrorCodes')) {
      // Object.freeze({...}) types as Readonly<{...}>: the literal is the reference's argument
      const literal = codes.type?.type === 'reference' ? codes.type.typeArguments?.[0] : codes.type;
      for (const prop of literal?.declaration?.children ?? []) {
        if (prop.comment || prop.type?.type !== 'literal' || typeof prop.type.value !== 'string') continue;
        prop.comment = new Comment([{ kind: 'text', text: prop.type.value }]);
      }
    }
  });
}
